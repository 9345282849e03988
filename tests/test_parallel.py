"""Whole builds: a process pool and the cache give the bytes a single process gives (issue 9)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import queue
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

import pytest

from sitegen import background, finishing, pipeline, render, serve
from sitegen import cache as cache_module
from sitegen import runner as runner_module
from sitegen.analyse import actor_build
from sitegen.analyse import claims as claims_module
from sitegen.analyse import tags as tags_module
from sitegen.build import BuildOptions, build
from sitegen.cache import FILE_NAME, KEY_ENV
from sitegen.errors import SitegenError
from sitegen.preview import BuildState
from sitegen.runner import CACHE_DIR, MIN_POOL_ITEMS
from sitegen.serve import ServeOptions
from sitegen.warm import WarmState

MAKE_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "bench" / "make_corpus.py"
BAD_THEME = Path(__file__).parent / "sites" / "bad-theme-template"
ARTICLES = MIN_POOL_ITEMS + 4
"""Enough articles that the per-article steps really go to the pool."""


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "user-cache" / "cache-key"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The benchmark's synthetic corpus (news English recombined from the seeds)."""
    if not MAKE_CORPUS.exists():
        pytest.skip(f"needs {MAKE_CORPUS} (the shared folder beside the repository)")
    root = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(ARTICLES), str(root)], check=True,
                   capture_output=True)
    return root


@pytest.fixture(scope="module")
def serial(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One process, no cache: the reference every other way must match byte for byte."""
    out = tmp_path_factory.mktemp("serial") / "public"
    build(BuildOptions(root=corpus, output=out, jobs=1, use_cache=False))
    return tree(out)


def site_copy(corpus: Path, tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(corpus / "content", root / "content")
    return root


@pytest.mark.parametrize("ahead", [1, render.TASKS_AHEAD])
def test_pool_build_is_byte_identical_to_serial(corpus: Path, serial: dict[str, str], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch, ahead: int) -> None:
    monkeypatch.setattr(render, "MIN_POOL_PAGES", 1)  # pages rendered by forked workers too
    monkeypatch.setattr(render, "TASKS_AHEAD", ahead)  # workers held back by the pages not yet taken
    monkeypatch.setattr(background, "MIN_ARTICLES", 1)  # sources and tags in forked stages too
    build(BuildOptions(root=corpus, output=tmp_path / "public", jobs=2, use_cache=False))
    assert tree(tmp_path / "public") == serial


@pytest.mark.parametrize("ahead", [1, render.TASKS_AHEAD])
def test_a_template_error_in_a_render_worker_names_the_template_line(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ahead: int) -> None:
    """With one batch ahead the pool's feeder is waiting for room when the error comes: it
    must be woken to see the stop, or closing the pool waits for it for ever."""
    monkeypatch.setattr(render, "MIN_POOL_PAGES", 1)
    monkeypatch.setattr(render, "TASKS_AHEAD", ahead)
    root = site_copy(corpus, tmp_path)
    shutil.copytree(BAD_THEME / "themes", root / "themes")
    failed: list[BaseException] = []

    def run() -> None:
        try:
            build(BuildOptions(root=root, output=root / "public", jobs=2, use_cache=False))
        except BaseException as error:  # checked below, in the test's thread
            failed.append(error)

    builder = threading.Thread(target=run, daemon=True)
    builder.start()
    builder.join(timeout=120)
    assert not builder.is_alive(), "the failed build never returned (closing the render pool waits)"
    (error,) = failed
    assert isinstance(error, SitegenError)
    (problem,) = error.problems
    assert (problem.path, problem.line) == ("themes/default/templates/article.html", 4)
    assert "'no_such_value' is undefined" in problem.message
    assert not (root / "public").exists()


@pytest.mark.parametrize("forked_stages", [False, True])
def test_cold_and_warm_cached_builds_are_byte_identical_to_serial(
        corpus: Path, serial: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        forked_stages: bool) -> None:
    if forked_stages:  # stages in children, and YAKE first for the cold build (all uncached)
        monkeypatch.setattr(background, "MIN_ARTICLES", 1)
        assert ARTICLES >= pipeline.EARLY_KEYWORDS
    root = site_copy(corpus, tmp_path)
    cold = build(BuildOptions(root=root, output=root / "public", jobs=2))
    assert (root / CACHE_DIR / FILE_NAME).is_file()
    assert tree(root / "public") == serial
    before = {p: os.stat(root / "public" / p).st_ino for p in serial}
    # Past the up-to-date check, so every per-article result really comes from the cache.
    warm = build(BuildOptions(root=root, output=root / "public", jobs=2, skip_if_unchanged=False))
    assert warm.computed == 0 and warm.reused > 0
    assert tree(root / "public") == serial
    assert warm.changed == () and len(cold.changed) == len(serial) - 1  # all but the manifest
    assert {p: os.stat(root / "public" / p).st_ino for p in serial} == before, "unchanged files were rewritten"


def test_items_made_a_batch_at_a_time_give_the_same_bytes_and_keywords_are_never_all_held(
        corpus: Path, serial: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tags' and claims' per-article items are made `LAZY_BATCH` at a time, each batch
    handed to the pool before the last one's results are read; the tags read their YAKE
    keywords back a batch at a time and let them go (300 an article, 500 MB at 10,000)."""
    monkeypatch.setattr(runner_module, "LAZY_BATCH", 5)
    read: list[int] = []
    extract_keywords = tags_module.extract_keywords

    def counted(articles: list[object], runner: object) -> object:
        read.append(len(articles))
        return extract_keywords(articles, runner)  # type: ignore[arg-type]

    monkeypatch.setattr(tags_module, "extract_keywords", counted)
    root = site_copy(corpus, tmp_path)
    build(BuildOptions(root=root, output=root / "public", jobs=2))
    assert tree(root / "public") == serial
    assert sum(read) >= ARTICLES and max(read) <= 5, read


def edit_one(root: Path) -> str:
    article = sorted((root / "content" / "articles").glob("*.md"))[3]
    article.write_text(article.read_text(encoding="utf-8")
                       + "\nA correction was added to this report on the following day.\n", encoding="utf-8")
    return article.stem


@pytest.mark.parametrize("pooled", [False, True])
def test_an_edit_rebuilt_from_the_cache_equals_a_fresh_build_of_the_edited_site(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pooled: bool) -> None:
    """After an edit, pages are kept by their inputs or rendered again, here or, when there
    are enough (`pooled`), by forked workers: the same bytes as a fresh build."""
    pools: list[int] = []
    if pooled:
        monkeypatch.setattr(render, "MIN_POOL_PAGES", 1)

        class CountedPool(render.ForkedPool):  # the real pool, counted
            def __init__(self, jobs: int) -> None:
                pools.append(jobs)
                super().__init__(jobs)

        monkeypatch.setattr(render, "ForkedPool", CountedPool)
    root = site_copy(corpus, tmp_path)
    build(BuildOptions(root=root, output=root / "public", jobs=2))
    pools.clear()
    edited = edit_one(root)
    report = build(BuildOptions(root=root, output=root / "public", jobs=2))
    assert pools == ([2] if pooled else [])
    build(BuildOptions(root=root, output=tmp_path / "fresh", jobs=1, use_cache=False))
    assert tree(root / "public") == tree(tmp_path / "fresh")
    assert any(edited in path for path in report.changed)
    assert len(report.changed) < len(tree(root / "public")) // 2, "an edit rewrote most of the site"


def edit_naming(root: Path) -> str:
    """An edit that brings a new actor and a new claim (`edit_one`'s brings neither)."""
    article = sorted((root / "content" / "articles").glob("*.md"))[3]
    article.write_text(article.read_text(encoding="utf-8")
                       + "\nAnalyst Mara Velkorin said 40 more officials had resigned.\n", encoding="utf-8")
    return article.stem


def edit_text_alone(root: Path) -> str:
    """An edit that changes no actor and no claim: a sentence with nobody and no measure."""
    article = sorted((root / "content" / "articles").glob("*.md"))[3]
    article.write_text(article.read_text(encoding="utf-8")
                       + "\nThis article was updated at 1733000000046 with a correction.\n", encoding="utf-8")
    return article.stem


@pytest.mark.parametrize("warm", [False, True], ids=["command line", "warm process"])
def test_claims_an_edit_changed_are_grouped_in_a_child_as_one_process_groups_them(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warm: bool) -> None:
    """An edit that changes the claims has them grouped again in a child, beside the tags
    (the ledger is made from those groups in the main process); one that leaves them as
    they were groups nothing. Either way the site is a fresh single-process build's, byte
    for byte."""
    monkeypatch.setattr(background, "MIN_ARTICLES", 1)
    grouped_in = tmp_path / "grouping-pids"
    real = claims_module._groups

    def logged(*args: object) -> object:
        with grouped_in.open("a") as log:
            log.write(f"{os.getpid()}\n")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(claims_module, "_groups", logged)
    root = site_copy(corpus, tmp_path)
    options = BuildOptions(root=root, output=root / "public", jobs=2, warm=WarmState() if warm else None)
    build(options)
    for edit, in_child in ((edit_naming, True), (edit_text_alone, False)):
        grouped_in.unlink(missing_ok=True)
        edit(root)
        build(options)
        pids = grouped_in.read_text().split() if grouped_in.exists() else []
        assert len(pids) == in_child and str(os.getpid()) not in pids, edit.__name__
        fresh = tmp_path / f"fresh-{edit.__name__}"
        build(BuildOptions(root=root, output=fresh, jobs=1, use_cache=False))
        assert tree(root / "public") == tree(fresh)
    assert "Mara Velkorin" in (root / "public" / "briefing.json").read_text(encoding="utf-8")


def counted_cluster_facts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one each time the merge of names makes a cluster's facts."""
    made: list[int] = []
    real = actor_build.cluster_facts

    def counted(*args: object) -> object:
        made.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(actor_build, "cluster_facts", counted)
    return made


def test_a_warm_process_makes_again_only_the_actors_an_edit_naming_someone_touched(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an edit that names someone new (and actors others name too), a process that
    builds again and again makes the facts of the clusters that edit touched, not of every
    cluster (`actor_build.build_actors_after`), and its output is a fresh build's; its first
    build, which finds the actors in the cache, keeps the facts for the first edit."""
    made = counted_cluster_facts(monkeypatch)
    root = site_copy(corpus, tmp_path)
    build(BuildOptions(root=root, output=root / "public", jobs=1))
    warm = WarmState()
    options = BuildOptions(root=root, output=root / "public", jobs=1, warm=warm)
    build(dataclasses.replace(options, skip_if_unchanged=False))  # as `serve.warm_up` does
    # Its actors were read back from the cache, and merged again for the next merge.
    assert warm.actor_memory is not None and warm.actor_memory.last is not None
    for name in ("Mara Velkorin", "Ilse Drumond"):
        made.clear()
        article = sorted((root / "content" / "articles").glob("*.md"))[3]
        article.write_text(article.read_text(encoding="utf-8") + f"\n{name} said Russia had sent 40 more officials.\n",
                           encoding="utf-8")
        build(options)
        assert 0 < len(made) < len(warm.actor_memory.last.facts) / 10
        fresh = tmp_path / f"fresh-{name}"
        build(BuildOptions(root=root, output=fresh, jobs=1, use_cache=False))
        assert tree(root / "public") == tree(fresh)
        assert name in (root / "public" / "briefing.json").read_text(encoding="utf-8")


def test_serve_after_a_cold_first_build_warms_up_so_its_first_edit_merges_few_names(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold first build merges the names in a child (`pipeline._cold_analyse`), which
    keeps that merge's facts: `sitegen serve` then warms up, as after finding the site up to
    date, so its first edit naming someone makes the facts of the clusters it touched, not
    of every cluster; the pages are a fresh build's."""
    monkeypatch.setattr(background, "MIN_ARTICLES", 1)
    made = counted_cluster_facts(monkeypatch)
    root = site_copy(corpus, tmp_path)
    options = ServeOptions(root=root, output=root / "public", jobs=2)
    warm = WarmState()
    stop = threading.Event()
    stop.set()  # the loop builds first (and warms up), then stops
    serve._build_loop(options, BuildState(), queue.Queue(), stop, lambda _: None, True, warm)
    assert warm.actor_memory is not None and warm.actor_memory.last is not None
    made.clear()
    edit_naming(root)
    serve.rebuild(options, BuildState(), lambda _: None, warm)
    assert 0 < len(made) < len(warm.actor_memory.last.facts) / 10
    fresh = tmp_path / "fresh"
    build(BuildOptions(root=root, output=fresh, jobs=1, use_cache=False))
    assert tree(root / "public") == tree(fresh)


def test_cross_article_results_are_stored_by_other_processes_before_the_build_returns(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The merged actors (and the claims' groups and ledger, in their child) are stored
    after the main process has gone on, by processes the build waits for: when it returns
    they are written, the last build's pruned, and none is left running."""
    monkeypatch.setattr(background, "MIN_ARTICLES", 1)
    writes = tmp_path / "writes"
    real = cache_module.DiskCache.put_many

    def logged(self: cache_module.DiskCache, namespace: str, code: str, values: Mapping[str, object]) -> None:
        real(self, namespace, code, values)
        if values:
            with writes.open("a") as log:
                log.write(f"{os.getpid()} {namespace.split('|')[0]}\n")

    monkeypatch.setattr(cache_module.DiskCache, "put_many", logged)
    root = site_copy(corpus, tmp_path)
    options = BuildOptions(root=root, output=root / "public", jobs=2)
    build(options)
    writes.unlink()
    edit_naming(root)
    build(options)
    assert finishing._FINISHING == []
    by = dict(reversed(line.split()) for line in writes.read_text().splitlines())
    assert by["sitegen.analyse.actors.analyse_actors"] != str(os.getpid())
    assert by["sitegen.analyse.claims._groups"] != str(os.getpid())
    with sqlite3.connect(root / CACHE_DIR / FILE_NAME) as db:  # the last build's merged actors are gone
        assert db.execute("SELECT count(*) FROM entries WHERE ns LIKE 'sitegen.analyse.actors.analyse_actors|%'"
                          ).fetchone() == (1,)
    again = build(BuildOptions(root=root, output=root / "public", jobs=2, skip_if_unchanged=False))
    assert again.computed == 0  # all of it was stored


def test_a_warm_process_serves_its_pages_before_its_results_are_stored(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`sitegen serve` does not wait for the process storing a rebuild's merged actors and
    ledger before the rebuilt pages are served; its next build waits for it first, so
    no build reads a cache still being written (stopping waits too: `test_serve_live`)."""
    monkeypatch.setattr(background, "MIN_ARTICLES", 1)
    release = tmp_path / "release"
    real_write = finishing._write

    def held_write(*args: object) -> None:  # in the forked writer: store once released
        for _ in range(600):
            if release.exists():
                break
            threading.Event().wait(0.1)
        real_write(*args)  # type: ignore[arg-type]

    def stored(step: str) -> list[str]:
        with sqlite3.connect(root / CACHE_DIR / FILE_NAME) as db:
            return [key for (key,) in db.execute("SELECT key FROM entries WHERE ns LIKE ?", (f"{step}|%",))]

    root = site_copy(corpus, tmp_path)
    options = BuildOptions(root=root, output=root / "public", jobs=2, warm=WarmState())
    build(options)
    finishing.wait_for_finishing()
    merged = stored("sitegen.analyse.actors.analyse_actors")
    monkeypatch.setattr(finishing, "_write", held_write)
    edit_naming(root)
    build(options)
    writers = list(finishing._FINISHING)
    assert any(w.is_alive() for w in writers)  # the pages are out, the results not yet stored
    assert "Velkorin" in (root / "public" / "briefing.json").read_text(encoding="utf-8")
    release.touch()
    build(options)
    assert finishing._FINISHING == [] and not any(w.is_alive() for w in writers)
    now = stored("sitegen.analyse.actors.analyse_actors")  # the new merge stored, the last pruned
    assert len(merged) == len(now) == 1 and now != merged


def test_no_cache_leaves_no_cache_folder(corpus: Path, tmp_path: Path) -> None:
    root = site_copy(corpus, tmp_path)
    build(BuildOptions(root=root, output=root / "public", jobs=1, use_cache=False))
    assert not (root / CACHE_DIR).exists()


def test_a_corrupt_cache_is_reported_and_the_build_is_right(
        corpus: Path, serial: dict[str, str], tmp_path: Path, sitegen) -> None:
    root = site_copy(corpus, tmp_path)
    (root / CACHE_DIR).mkdir()
    (root / CACHE_DIR / FILE_NAME).write_bytes(b"\x00garbage" * 512)
    run = sitegen("build", "--root", root, "--jobs", "2")
    assert run.code == 0
    assert "warning: ignoring the analysis cache" in run.err
    assert tree(root / "public") == serial


def test_clean_removes_output_and_cache(corpus: Path, tmp_path: Path, sitegen) -> None:
    root = site_copy(corpus, tmp_path)
    assert sitegen("build", "--root", root, "-q").code == 0
    assert (root / "public").is_dir() and (root / CACHE_DIR).is_dir()
    run = sitegen("clean", "--root", root)
    assert run.code == 0 and not (root / "public").exists() and not (root / CACHE_DIR).exists()
    assert (root / "content").is_dir()


THREADS_AFTER_IMPORTS = """
import sitegen.pipeline, scipy.sparse.csgraph, os
from sitegen.analyse.claims import _speaker_ids
_speaker_ids(["a", "b", None])  # numpy at work
print(os.environ.get("OPENBLAS_NUM_THREADS", "unset"))
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("Threads:")))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the thread count from /proc")
@pytest.mark.parametrize(("preset", "expected"), [(None, "1"), ("3", "3")])
def test_importing_the_analysers_starts_no_blas_threads_unless_the_user_asks(preset: str | None,
                                                                           expected: str) -> None:
    """numpy's and SciPy's OpenBLAS start a spinning thread a core when imported; sitegen
    works in processes of its own and asks them for none: one thread after importing every
    analyser, numpy and SciPy, unless the user set OPENBLAS_NUM_THREADS, which is kept."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if preset is not None:
        env["OPENBLAS_NUM_THREADS"] = preset
    out = subprocess.run([sys.executable, "-c", THREADS_AFTER_IMPORTS], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out[0] == expected
    if preset is None:
        assert out[1] == "1"

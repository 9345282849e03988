"""Analysis stages run beside the main process: same results, their work counted as the
build's, their errors raised in the build, and none left running when a build fails."""

from __future__ import annotations

import dataclasses
import gc
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from sitegen.background import MIN_ARTICLES, Stages, first_done
from sitegen.cache import KEY_ENV
from sitegen.finishing import wait_for_finishing
from sitegen.model import Article
from sitegen.pipeline import GROUPING_LIBRARY, STAGE_LIBRARIES
from sitegen.runner import ArticleRunner, fork_available, frozen_heap, open_runner
from tests.test_runner import ARTICLES, TOTALS_MADE, word_count, word_total

pytestmark = pytest.mark.skipif(not fork_available(), reason="stages run beside the build only where fork exists")


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "user-cache" / "cache-key"))


def count_words(runner: ArticleRunner) -> list[tuple[str, int]]:
    return runner.map(word_count, ARTICLES)


@dataclass(frozen=True)
class Counted:
    """A per-article result that is a record, as analysers' are (a near-duplicate link)."""

    article: str
    words: int


def counted(article: Article) -> Counted:
    return Counted(*word_count(article))


def test_a_stage_in_a_child_gives_the_result_and_its_work_counts_as_the_builds(tmp_path: Path) -> None:
    cache = tmp_path / ".sitegen-cache"
    memory: dict[str, dict[str, object]] = {}
    with open_runner(2, cache, memory=memory) as runner, Stages(runner, articles=MIN_ARTICLES) as stages:
        pending = stages.start(count_words)
        child = pending.result()
        assert child == [word_count(a) for a in ARTICLES]
        assert (runner.computed, runner.reused) == (len(ARTICLES), 0)
        assert pending.seconds > 0
    # The child's results reached this process's warm state ...
    assert sum(len(values) for values in memory.values()) == len(ARTICLES)
    # ... and its cache entries were kept when the runner pruned what the build did not use.
    with open_runner(1, cache) as again:
        assert again.map(word_count, ARTICLES) == child
        assert (again.computed, again.reused) == (0, len(ARTICLES))


def test_records_the_parent_holds_come_back_from_a_stage_as_its_own(tmp_path: Path) -> None:
    """In a process that builds again and again, what a stage's child took from the warm
    state is sent back by name, and the parent puts in the very record it holds; what the
    child made itself comes back by value."""
    cache = tmp_path / ".sitegen-cache"
    memory: dict[str, dict[str, object]] = {}
    with open_runner(1, cache, memory=memory) as runner:
        held = runner.map(counted, ARTICLES)
    edited = dataclasses.replace(ARTICLES[0], paragraphs=ARTICLES[0].paragraphs[:1])
    with open_runner(2, cache, memory=memory) as runner, Stages(runner, MIN_ARTICLES) as stages:
        back = stages.start(lambda child: child.map(counted, [edited, *ARTICLES[1:]])).result()
    assert all(now is before for now, before in zip(back[1:], held[1:], strict=True))
    assert back[0] == counted(edited) and back[0] != held[0]


def test_a_stage_result_comes_back_with_what_it_was_made_from(tmp_path: Path) -> None:
    """A memo made in a stage's child comes back with its key, so what the parent makes
    from it alone is kept under that key (`ArticleRunner.derived`), and a later build that
    reads the memo back reads that back too."""
    cache = tmp_path / ".sitegen-cache"

    def counts(runner: ArticleRunner) -> tuple[tuple[str, int], ...]:
        return runner.memo("counts", "every article", lambda: tuple(runner.map(word_count, ARTICLES)))

    with open_runner(2, cache) as runner, Stages(runner, MIN_ARTICLES) as stages:
        sent = stages.start(counts).result()
        origin = runner.origin_of(sent)
        total = word_total.through(runner, sent)
    wait_for_finishing()  # what was kept for the runner's close is stored (as a build waits)
    assert origin is not None
    with open_runner(1, cache) as runner:
        again = counts(runner)
        assert runner.origin_of(again) == origin
        made = len(TOTALS_MADE)
        assert word_total.through(runner, again) == total and len(TOTALS_MADE) == made


@pytest.mark.parametrize(("jobs", "articles"), [(1, MIN_ARTICLES), (2, MIN_ARTICLES - 1)])
def test_one_job_or_a_small_briefing_runs_the_stage_here(tmp_path: Path, jobs: int, articles: int) -> None:
    with open_runner(jobs, tmp_path / ".sitegen-cache") as runner, Stages(runner, articles) as stages:
        pending = stages.start(lambda r: os.getpid())
        assert pending.result() == os.getpid()


def test_first_done_waits_for_whichever_stage_ends_first(tmp_path: Path) -> None:
    with open_runner(2, tmp_path / ".sitegen-cache") as runner, Stages(runner, MIN_ARTICLES) as stages:
        slow = stages.start(lambda r: time.sleep(3) or "slow")
        quick = stages.start(lambda r: time.sleep(0.2) or "quick")
        assert not slow.done()
        assert first_done([slow, quick]) == 1 and quick.done() and not slow.done()
        assert quick.result() == "quick" and slow.result() == "slow"
        assert first_done([slow, quick]) == 0  # both collected: no wait


def fails(runner: ArticleRunner) -> None:
    raise ValueError("tag filter broke on article 7")


def test_an_error_in_a_stage_is_raised_in_the_build(tmp_path: Path) -> None:
    with open_runner(2, tmp_path / ".sitegen-cache") as runner, Stages(runner, articles=MIN_ARTICLES) as stages:
        pending = stages.start(fails)
        with pytest.raises(ValueError, match="tag filter broke on article 7"):
            pending.result()


def test_a_failed_build_stops_the_stages_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"

    def slow(runner: ArticleRunner) -> None:
        written = pid_file.with_suffix(".tmp")  # renamed into place: once it exists, it holds the pid
        written.write_text(str(os.getpid()))
        written.replace(pid_file)
        time.sleep(60)

    with pytest.raises(RuntimeError, match="actors failed"), \
            open_runner(2, tmp_path / ".sitegen-cache") as runner, Stages(runner, articles=MIN_ARTICLES) as stages:
        stages.start(slow)
        while not pid_file.exists():
            time.sleep(0.01)
        raise RuntimeError("actors failed")
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


WARM_BUILD = """
import sys
from pathlib import Path
from sitegen import background
from sitegen.build import BuildOptions, build
from sitegen.pipeline import GROUPING_LIBRARY, STAGE_LIBRARIES
from sitegen.warm import WarmState
background.MIN_ARTICLES = 1  # stages fork even for this small site
root = Path(sys.argv[1])
build(BuildOptions(root=root, output=root / "public", jobs=2, use_cache=True,
                   warm=WarmState() if sys.argv[2] == "warm" else None))
print(sorted(name for name in (*STAGE_LIBRARIES, GROUPING_LIBRARY) if name in sys.modules))
print("wordfreq" in sys.modules and sys.modules["wordfreq"].get_frequency_dict.cache_info().currsize > 0)
"""


@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_a_process_that_rebuilds_imports_what_forked_stages_need_once(
        site_copy, tmp_path: Path, mode: str) -> None:
    """serve (a warm build) imports the stages' libraries (SciPy's graphs, with which
    claims are grouped, too) before they fork, and loads wordfreq's list, so each
    rebuild's children inherit them; a one-off build leaves them
    to the stages that need them (the seeds need no MinHash, and their YAKE runs in the
    children)."""
    root = site_copy("repo")
    run = subprocess.run([sys.executable, "-c", WARM_BUILD, str(root), mode], capture_output=True, text=True,
                         env={**os.environ, KEY_ENV: str(tmp_path / "key")}, timeout=300)
    assert run.returncode == 0, run.stderr
    imported, frequencies_loaded = run.stdout.strip().splitlines()[-2:]
    assert imported == (str(sorted((*STAGE_LIBRARIES, GROUPING_LIBRARY))) if mode == "warm" else "[]")
    assert frequencies_loaded == str(mode == "warm")


def freeze_count(runner: ArticleRunner) -> int:
    return gc.get_freeze_count()


def test_a_stage_child_leaves_what_it_inherited_out_of_its_collections(tmp_path: Path) -> None:
    """The child's collector never walks (and so never copies) the build's objects it
    inherited; the parent's own collections are back to normal once it has forked."""
    with open_runner(2, tmp_path / ".sitegen-cache") as runner, Stages(runner, articles=MIN_ARTICLES) as stages:
        in_child = stages.start(freeze_count).result()
    assert in_child > 0  # every object the parent had when it forked
    assert gc.get_freeze_count() == 0


def test_a_freeze_inside_a_frozen_process_leaves_it_frozen() -> None:
    """A stage child (frozen by its fork) that starts a pool of its own keeps what it
    inherited out of its collections after that pool has forked."""
    with frozen_heap():
        assert gc.get_freeze_count() > 0
        with frozen_heap():
            pass
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_a_heap_frozen_by_the_caller_stays_frozen() -> None:
    """A process that froze its heap itself (an application calling `build`) keeps it
    frozen after sitegen's forks: sitegen counts only its own freezes without asking."""
    gc.freeze()
    try:
        with frozen_heap():
            pass
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()

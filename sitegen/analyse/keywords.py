"""The per-article keyword step: YAKE over one article's text (issue 7).

Kept apart from `tags.py` so that a process pool or a cache can call it per article:
it takes plain text and returns plain, picklable data, and depends on nothing else.

YAKE scores with yake-rust, the same algorithm in Rust: with YAKE's own scoring (`DataCore`,
pure Python) this step took 32-37 ms of CPU an article of 750 words, the largest cost of a
cold build; now 8.5-9 ms, 7 of them yake-rust's. Its words are YAKE's but for hyphenated
ones, which it keeps whole ("seven-year-old girl"); where a text has none, its scores are
YAKE's to 1e-15 (tests/test_tags.py compares both on every story of ours). The `yake`
package stays for what yake-rust does otherwise: the stop words and the dedup.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from yake_rust import Yake

# YAKE 0.7 reads only these snake_case names; the old camelCase ones (dedupLim,
# windowsSize) are swallowed by **kwargs and silently ignored.
YAKE_NGRAM = 3
YAKE_DEDUP_LIMIT = 0.8
"""YAKE's own near-duplicate cut (seqm similarity). Looser than its 0.9 default because
`tags.py` removes substrings and stem-level duplicates itself. Not 1.0 (no dedup):
YAKE then returns lower-cased candidates, and the name filters need case."""
YAKE_WINDOW = 1
YAKE_TOP = 300
"""Candidates per article. YAKE ranks capitalised names first (20-40 of them in a news
article); the topical phrases that survive the name filter come after; at 120 the seeds
lose a third of their tags. YAKE's own dedup loop makes 300 cost 93 ms of CPU per
700-word article against 42 ms at its default of 20; `_deduplicated` takes 0.3."""

KEYWORD_SETTINGS = f"yake/{YAKE_NGRAM}/{YAKE_DEDUP_LIMIT}/seqm/{YAKE_WINDOW}/{YAKE_TOP}/rust"
"""Everything that changes `article_keywords`' result besides the text and the code: the
cache key. YAKE's and yake-rust's versions are in every key already, with the code's
(`cache.code_fingerprint`); asking `importlib.metadata` for them here took 9 ms of every build."""

Keyword = tuple[str, float]
"""(candidate as written in the text, YAKE score: lower is more relevant)."""


@functools.lru_cache(maxsize=1)
def _scorer() -> Yake:
    """yake-rust with our settings and YAKE's own English stop words (the lists are
    equal today), keeping every candidate: its dedup measures another similarity."""
    from yake_rust import Yake

    return Yake(stopwords=set(_extractor().stopword_set), ngrams=YAKE_NGRAM, window_size=YAKE_WINDOW,
                remove_duplicates=False)


@functools.lru_cache(maxsize=1)
def _extractor() -> Any:
    # Imported on first use: with every article's keywords in the cache, a build never
    # needs YAKE (and networkx, which it imports), a quarter of a second.
    import yake  # type: ignore[import-untyped]

    return yake.KeywordExtractor(
        lan="en",
        n=YAKE_NGRAM,
        dedup_lim=YAKE_DEDUP_LIMIT,
        dedup_func="seqm",
        window_size=YAKE_WINDOW,
        top=YAKE_TOP,
    )


def article_keywords(text: str) -> tuple[Keyword, ...]:
    """YAKE's candidates for one article's text, best first: scored by yake-rust and kept
    as YAKE's `KeywordExtractor.extract_keywords` keeps them."""
    if not text.strip():
        return ()
    text = text.replace("\n", " ")
    kept = _deduplicated(_in_stable_order(_scorer().get_n_best(text, n=_EVERY), text))
    return tuple((surface, float(f"{score:.{SCORE_DIGITS}g}")) for surface, score in kept)


_EVERY = 1 << 30
"""yake-rust's `n` for every candidate: `_deduplicated` keeps the first `YAKE_TOP` it allows."""


def _in_stable_order(scored: Iterable[tuple[str, float]], text: str) -> Iterator[tuple[str, float]]:
    """Candidates best first, in the same order in every process.

    yake-rust adds up in the order of Rust's hash maps, which each process seeds afresh: a
    score comes out a unit or two in its last place apart from one process to the next,
    so candidates YAKE scores alike (the same counts, the same neighbours: nearly half of
    an article's) come out in any order. Scores closer than `TIE` (relative) are taken
    as one: a real difference between two YAKE scores is never that small, nor the noise
    that large, so no process draws the line elsewhere. Such a run is put in the order
    YAKE itself meets its candidates, where the first occurrence ends in `text` (the
    order matters: a run ordered by its text instead loses the seeds a tag and gives the
    stories of tests/stories clauses such as "choices and higher").
    Yielded a run at a time: `_deduplicated` stops at `YAKE_TOP` kept, about half of an
    article's candidates, and the runs after it are never put in order."""
    ordered = sorted(scored, key=lambda candidate: candidate[1])
    first_seen = _FirstSeen(text)

    def in_text_order(run: list[tuple[str, float]]) -> list[tuple[str, float]]:
        if len(run) == 1:
            return run
        return sorted(run, key=lambda c: (first_seen.end_of(c[0].lower()), c[0].lower(), c[0]))

    run: list[tuple[str, float]] = []
    for candidate in ordered:
        if run and candidate[1] > run[-1][1] * (1 + TIE):
            yield from in_text_order(run)
            run = []
        run.append(candidate)
    yield from in_text_order(run)


_TOKEN = re.compile(r"[^\W_](?:[\w'\u2019.-]*[^\W_])?|[^\w\s]")
"""A word as YAKE splits text (inner apostrophes, hyphens and dots kept), or a punctuation mark."""


class _FirstSeen:
    """Where a candidate first occurs in `text`, in the order YAKE meets candidates: a word
    at a time, and at each word the runs of up to `YAKE_NGRAM` words ending there, shorter
    ones first. A candidate is lower-cased and its words joined by spaces, as YAKE writes
    one; one tokenised otherwise (about 3 in 100) is not found, and goes last of its run.
    The text's words are split once, on the first question; each answer is one search of
    them: the ties among the candidates kept ask for some 70 of an article's 570 (the
    synthetic corpus of bench/), where a table of every run of words took 0.6 ms."""

    def __init__(self, text: str) -> None:
        self._text = text

    @functools.cached_property
    def _joined(self) -> str:
        """The text's words, lower-cased, each between spaces."""
        return " " + " ".join(w.lower() for w in _TOKEN.findall(self._text)) + " "

    def end_of(self, candidate: str) -> tuple[int, int]:
        """(where its first occurrence ends, its words): any order-preserving measure of
        the first, as only order is read."""
        words = candidate.count(" ") + 1
        start = self._joined.find(f" {candidate} ") if candidate and words <= YAKE_NGRAM else -1
        if start < 0:
            return (len(self._joined) + 1, 0)
        return (start + len(candidate) + 1, words)


TIE = 1e-9
"""Scores this close (relative) are one score: the noise is about 1e-16, and YAKE scores
that differ at all differ by far more."""

SCORE_DIGITS = 6
"""Significant digits of a score kept, so that every process gives the same (only their
order is used): rounding noise of 1e-16 to 6 digits changes one score in 10^10, where 12
digits changed 5 of the 100,000 scores of 338 articles."""


def _deduplicated(ranked: Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    """Candidates, best first, less those YAKE's dedup drops, up to `YAKE_TOP`.

    YAKE keeps a candidate unless its similarity to one already kept exceeds the dedup
    limit, comparing it with every kept one: 300 kept make that half of YAKE's own time.
    Its similarity is 0 unless both strings share their first and last letters (YAKE's
    `_aggressive_pre_filter`) or both have at most 3 characters, so only those are
    compared here, with YAKE's own function. tests/test_tags.py checks that, given YAKE's
    ranking, this keeps what `extract_keywords` keeps, float for float.
    """
    similarity = _extractor().dedup_function
    kept: list[tuple[str, float]] = []
    by_ends: dict[tuple[str, str], list[str]] = {}
    short: list[str] = []
    for surface, score in ranked:
        key = surface.lower()
        rivals = by_ends.get((key[0], key[-1]), [])
        if len(key) <= _SHORT:
            rivals = rivals + short
        if any(similarity(key, other) > YAKE_DEDUP_LIMIT for other in rivals):
            continue
        kept.append((surface, score))
        by_ends.setdefault((key[0], key[-1]), []).append(key)
        if len(key) <= _SHORT:
            short.append(key)
        if len(kept) == YAKE_TOP:
            break
    return kept


_SHORT = 3
"""YAKE's pre-filter compares first and last letters only when one string is longer than this."""

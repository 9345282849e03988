"""The per-article keyword step: YAKE over one article's text (issue 7).

Kept apart from `tags.py` so that a process pool or a cache can call it per article:
it takes plain text and returns plain, picklable data, and depends on nothing else.
"""

from __future__ import annotations

import functools
import importlib.metadata
from typing import Any

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
700-word article against 42 ms at its default of 20; `_deduplicated_keywords` takes 47."""

KEYWORD_SETTINGS = (f"yake/{YAKE_NGRAM}/{YAKE_DEDUP_LIMIT}/seqm/{YAKE_WINDOW}/{YAKE_TOP}/"
                    f"{importlib.metadata.version('yake')}")
"""Everything that changes `article_keywords`' result besides the text: the cache key."""

Keyword = tuple[str, float]
"""(candidate as written in the text, YAKE score: lower is more relevant)."""


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
    """YAKE's candidates for one article's text, best first, scores as plain floats."""
    if not text.strip():
        return ()
    return tuple((str(k), float(s)) for k, s in _deduplicated_keywords(text))


def _deduplicated_keywords(text: str) -> list[tuple[str, float]]:
    """`KeywordExtractor.extract_keywords(text)`, with the same result, in half the time.

    YAKE keeps a candidate unless its similarity to one already kept exceeds the dedup
    limit, comparing it with every kept one: 300 kept make that half of YAKE's time. Its
    similarity is 0 unless both strings share their first and last letters (YAKE's
    `_aggressive_pre_filter`) or both have at most 3 characters, so only those are
    compared here, with YAKE's own function. tests/test_tags.py checks the result is
    YAKE's, float for float, so a YAKE that changes how it ranks or dedups fails it.
    """
    extractor = _extractor()
    config = extractor.config
    try:
        from yake.data import DataCore  # type: ignore[import-untyped]

        core = DataCore(text=text.replace("\n", " "), stopword_set=extractor.stopword_set,
                        config={"windows_size": config["window_size"], "n": config["n"]})
        core.build_single_terms_features(features=config["features"])
        core.build_mult_terms_features(features=config["features"])
    except Exception:  # a YAKE without these internals, or text it fails on (it returns [])
        return list(extractor.extract_keywords(text))
    ranked = sorted((c for c in core.candidates.values() if c.is_valid()), key=lambda c: c.h)
    similarity = extractor.dedup_function
    kept: list[tuple[str, float]] = []
    by_ends: dict[tuple[str, str], list[str]] = {}
    short: list[str] = []
    for candidate in ranked:
        key = candidate.unique_kw
        rivals = by_ends.get((key[0], key[-1]), [])
        if len(key) <= _SHORT:
            rivals = rivals + short
        if any(similarity(key, other) > YAKE_DEDUP_LIMIT for other in rivals):
            continue
        kept.append((candidate.kw, candidate.h))
        by_ends.setdefault((key[0], key[-1]), []).append(key)
        if len(key) <= _SHORT:
            short.append(key)
        if len(kept) == YAKE_TOP:
            break
    return kept


_SHORT = 3
"""YAKE's pre-filter compares first and last letters only when one string is longer than this."""

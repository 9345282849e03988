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
`tags.py` removes substrings and stem-level duplicates itself. Not 1.0 (no dedup, half
the time): YAKE then returns lower-cased candidates, and the name filters need case."""
YAKE_WINDOW = 1
YAKE_TOP = 300
"""Candidates per article. YAKE ranks capitalised names first (20-40 of them in a news
article); the topical phrases that survive the name filter come after. Cost: about 90 ms
of CPU per 700-word article against 42 ms at YAKE's default of 20 (dedup compares each
candidate with those kept); at 120 the seeds lose a third of their tags."""

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
    found = _extractor().extract_keywords(text)
    return tuple((str(k), float(s)) for k, s in found)

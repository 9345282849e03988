"""What a long-running process (`sitegen serve`) keeps in memory from one build to the next.

A build from the command line starts from disk: it parses every article and reads every
analysis result back from the cache (sqlite, an HMAC check and an unpickle each), over a
second at 1,000 articles before any work is done. A process that rebuilds after each saved
edit keeps both here instead. Nothing here can go stale: an article is kept under its file's
exact text, and a result under the same key the disk cache uses (a hash of everything it
depends on); the values are immutable. After each build only what that build used is kept,
so memory stays the size of the site.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sitegen.model import Article


@dataclass
class WarmState:
    """Owned by one process and used by one build at a time."""

    articles: dict[tuple[str, str], Article] = field(default_factory=dict)
    """Parsed articles by (source file relative to the root, the file's text)."""
    results: dict[str, dict[str, object]] = field(default_factory=dict)
    """Analysis results by cache namespace, then by full cache key (`runner.ArticleRunner.keyed`)."""

"""The only place ids become file names and pages link to each other.

Every link is page-relative (MkDocs' `get_relative_url`), so the site works opened from
`file://`, at a sub-path (`https://host/briefing/`) and at a root.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slug(text: str, fallback: str = "item") -> str:
    """A lowercase ASCII id for a name: "Kim Jong-Un" -> "kim-jong-un", "Nicolás" -> "nicolas"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub("-", ascii_text.lower()).strip("-")[:80].strip("-") or fallback


def article_page(article_id: str) -> str:
    return f"articles/{article_id}.html"


def actor_page(actor_id: str) -> str:
    return f"actors/{actor_id}.html"


def actor_mentions_page(actor_id: str, number: int) -> str:
    """Page `number` (from 2) of the mentions of an actor named in many articles; page 1 is
    the actor's own page."""
    return f"actors/{actor_id}/mentions-{number}.html" if number > 1 else actor_page(actor_id)


def actor_claims_page(actor_id: str, number: int) -> str:
    """Page `number` (from 2) of the claims of an actor who made many; page 1 is the actor's
    own page."""
    return f"actors/{actor_id}/claims-{number}.html" if number > 1 else actor_page(actor_id)


def actors_list_page(actor_type: str, number: int) -> str:
    """Page `number` (from 2) of the actors of one type; page 1 is their section of the
    actors index. (An actor's id has no "/", so no actor's page is in `actors/by-type/`.)"""
    return f"actors/by-type/{actor_type}-{number}.html" if number > 1 else f"actors/index.html#h-{actor_type}"


def tag_page(tag_id: str) -> str:
    return f"tags/{tag_id}.html"


def tag_articles_page(tag_id: str, number: int) -> str:
    """Page `number` (from 2) of the articles of a tag found in many; page 1 is the tag's own."""
    return f"tags/{tag_id}/page-{number}.html" if number > 1 else tag_page(tag_id)


def claim_anchor(claim_id: str, list_page: str | None = None) -> str:
    """Where a claim is shown in full: on claims.html, or on the page of the claims list
    it is on once the list is split (`pagination`)."""
    return f"{claims_list_page(list_page)}#{claim_id}"


def claims_list_page(key: str | None) -> str:
    """claims.html, or one page of the split claims list (`claims/contested-3.html`)."""
    return f"claims/{key}.html" if key else "claims.html"


def sources_list_page(key: str) -> str:
    """One page of the split source index: a day's articles (`sources/2024-10-21.html`)."""
    return f"sources/{key}.html"


def claim_page(claim_id: str) -> str:
    """Every report of one widely reported claim (`render.EVIDENCE_SHOWN`)."""
    return f"claims/{claim_id}.html"


def claim_reports_page(claim_id: str, number: int) -> str:
    """Page `number` (from 2) of the reports of a claim reported by more than a page of
    articles; page 1 is the claim's own page."""
    return f"claims/{claim_id}/reports-{number}.html" if number > 1 else claim_page(claim_id)


def paragraph_anchor(number: int) -> str:
    """The id of a paragraph on its article page: `p1`, `p2`, …"""
    return f"p{number}"


def relative_url(from_page: str, to_target: str) -> str:
    """Link from one output file to another (both relative to public/, `/`-separated).

    `to_target` may carry a `#fragment`. `relative_url("actors/a.html", "articles/b.html#p3")`
    is `"../articles/b.html#p3"`. Pure string work (no `os.path.relpath`, which asks the OS
    for the working directory): the render stage makes hundreds of thousands of links.
    """
    path, _, fragment = to_target.partition("#")
    link = _relative_path(from_page.rpartition("/")[0], path) if path else ""
    return f"{link}#{fragment}" if fragment else link


@lru_cache(maxsize=65536)
def _relative_path(from_dir: str, path: str) -> str:
    here = from_dir.split("/") if from_dir else []
    there = path.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:])

"""The search index: a `.js` file that sets a global, so search works from `file://`.

Browsers refuse `fetch()`/XHR of local files, but a classic `<script src>` loads anywhere, so
the index is a script, not JSON. Records are compact rows `[kind, label, detail, href]`;
hrefs are relative to the site root and `search.js` resolves them against the page.
"""

from __future__ import annotations

import orjson

from sitegen.link import Site
from sitegen.urls import actor_page, article_page, paragraph_anchor, tag_page

DETAIL_MAX = 140


def _cut(text: str, limit: int = DETAIL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def search_records(site: Site) -> list[list[str]]:
    """Articles, actors, claims and tags; claims link to the very paragraph of their evidence."""
    records: list[list[str]] = []
    for article in site.articles:
        detail = " · ".join(filter(None, (article.outlet, article.date)))
        records.append(["article", article.title, detail, article_page(article.id)])
    for actor in site.actors.values():
        others = [a for a in actor.aliases if a != actor.name]
        detail = " · ".join(filter(None, (actor.type, actor.role, ", ".join(others))))
        records.append(["actor", actor.name, _cut(detail), actor_page(actor.id)])
    for claim in site.claims.values():
        speaker = site.actors[claim.speaker].name if claim.speaker else (claim.speaker_surface or "")
        first = claim.evidence[0]
        href = f"{article_page(first.article)}#{paragraph_anchor(first.paragraph)}"
        records.append(["claim", _cut(claim.text), _cut(speaker, 60), href])
    for tag in site.tags.values():
        records.append(["tag", tag.label, f"{len(tag.articles)} articles", tag_page(tag.id)])
    return records


def search_index_js(site: Site) -> str:
    data = orjson.dumps(search_records(site)).decode("utf-8")  # compact, UTF-8 unescaped
    return f"window.SITEGEN_SEARCH={data};\n"

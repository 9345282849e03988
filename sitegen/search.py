"""The search index: a `.js` file that sets a global, so search works from `file://`.

Browsers refuse `fetch()`/XHR of local files, but a classic `<script src>` loads anywhere, so
the index is a script, not JSON. Records are compact rows `[kind, label, detail, href]`;
hrefs are relative to the site root and `search.js` resolves them against the page.
"""

from __future__ import annotations

import orjson

from sitegen.link import Site
from sitegen.model import Actor, Article, Claim
from sitegen.urls import actor_page, article_page, paragraph_anchor, tag_page
from sitegen.warm import PerRecord

DETAIL_MAX = 140
INDEX_FILE = "search-index.js"


def _cut(text: str, limit: int = DETAIL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def search_records(site: Site, kept: PerRecord | None = None) -> list[list[str]]:
    """Articles, actors, claims and tags; claims link to the very paragraph of their evidence.
    `kept` (a warm process's): the rows of the very same articles, actors and claims as
    the last build's, each made from its record alone (a claim's speaker, another record,
    is named afresh); at 10,000 articles making every row took 0.27 s of each rebuild."""
    kept = kept or PerRecord()
    records = [*kept.values("articles", site.articles, _article_row), *kept.values("actors", site.actors.values(),
                                                                                 _actor_row)]
    claims = site.claims.values()
    for (kind, label, href), claim in zip(kept.values("claims", claims, _claim_row), claims, strict=True):
        speaker = site.actors[claim.speaker].name if claim.speaker else (claim.speaker_surface or "")
        records.append([kind, label, _cut(speaker, 60), href])
    records += [["tag", tag.label, f"{len(tag.articles)} articles", tag_page(tag.id)] for tag in site.tags.values()]
    return records


def _article_row(article: Article) -> list[str]:
    detail = " · ".join(filter(None, (article.outlet, article.date)))
    return ["article", article.title, detail, article_page(article.id)]


def _actor_row(actor: Actor) -> list[str]:
    others = [a for a in actor.aliases if a != actor.name]
    detail = " · ".join(filter(None, (actor.type, actor.role, ", ".join(others))))
    return ["actor", actor.name, _cut(detail), actor_page(actor.id)]


def _claim_row(claim: Claim) -> tuple[str, str, str]:
    """A claim's row but its speaker: kind, label and the link to its first report."""
    first = claim.evidence[0]
    return "claim", _cut(claim.text), f"{article_page(first.article)}#{paragraph_anchor(first.paragraph)}"


def search_inputs(site: Site) -> tuple[object, ...]:
    """What `search_records` reads of the site, as plain values: a build whose digest of
    these is the last build's keeps the index that build wrote (`carried.SiteRecords.whole_files`).
    Whatever a row shows must be read here too: a value left out would leave the index
    stale after an edit that changes only that value."""
    return ([(a.id, a.title, a.outlet, a.date) for a in site.articles],
            [(a.id, a.name, a.type, a.role, a.aliases) for a in site.actors.values()],
            [(c.id, c.text, c.evidence[0].article, c.evidence[0].paragraph,
              site.actors[c.speaker].name if c.speaker else c.speaker_surface) for c in site.claims.values()],
            [(t.id, t.label, len(t.articles)) for t in site.tags.values()])


def search_index_js(site: Site, kept: PerRecord | None = None) -> str:
    data = orjson.dumps(search_records(site, kept)).decode("utf-8")  # compact, UTF-8 unescaped
    return f"window.SITEGEN_SEARCH={data};\n"

"""Edits made in code for the tests of cached cross-article steps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sitegen import render
from sitegen.link import LinkInputs, Site
from sitegen.model import Analysis, Article, Paragraph, SourceAnalysis
from sitegen.page_inputs import CarriedInputs, Inputs
from sitegen.pagination import layout


def appended(article: Article, text: str) -> Article:
    """`article` with a paragraph added at its end, as an edit of its file would parse;
    without a file digest, so caches key it by its fields."""
    extra = Paragraph(len(article.paragraphs) + 1, text, len(article.paragraphs) + 1)
    return replace(article, body=f"{article.body}\n\n{text}", paragraphs=(*article.paragraphs, extra),
                   content_digest="")


def linked_from(site: Site) -> LinkInputs:
    """What `site` could have been linked from: its briefing, articles and analysis, read
    back from its records (`link.link(*...)` of them makes an equal site)."""
    return LinkInputs(site.briefing, site.articles, Analysis(
        actors=tuple(site.actors.values()), claims=tuple(site.claims.values()),
        sources=SourceAnalysis(links=tuple(site.copy_link_of.values()), origin_of=dict(site.origin_of)),
        tags=tuple(site.tags.values())))


def entity_pages(site: Site) -> dict[str, tuple[str, str]]:
    """(kind, entity) of every page whose inputs are hashed, by path."""
    return {p.path: (p.kind, p.entity) for p in render._pages(render.Views(site, layout(site))) if p.entity is not None}


def digests(site: Site) -> dict[str, str]:
    """Every such page's inputs digest, by path, hashed afresh."""
    inputs = Inputs(site, layout(site))
    return {path: inputs.of(kind, entity) for path, (kind, entity) in entity_pages(site).items()}


def checked_against_fresh(carried: CarriedInputs, before: Mapping[str, str], site: Site) -> tuple[dict[str, str], int]:
    """The oracle of `page_inputs.carried_inputs`: every digest `carried` keeps for a page
    of `site` is the one hashing its inputs afresh gives, and every page whose inputs differ
    from `before` (the last build's digests) is hashed again. Returns the kind of each such
    page, by path, and how many pages kept a digest."""
    pages, after = entity_pages(site), digests(site)
    kept = {path: carried.digest(path, *pages[path]) for path in pages}
    assert all(kept[path] in (None, after[path]) for path in pages)
    changed = {path: pages[path][0] for path in pages if after[path] != before.get(path)}
    assert all(kept[path] is None for path in changed)
    return changed, sum(digest is not None for digest in kept.values())

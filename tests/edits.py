"""Edits made in code for the tests of cached cross-article steps and carried page inputs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sitegen import render
from sitegen.carried import CarriedInputs, SiteRecords, site_records
from sitegen.link import Site, link
from sitegen.model import Analysis, Article, Paragraph, SourceAnalysis
from sitegen.page_inputs import Inputs
from sitegen.pagination import layout


def appended(article: Article, text: str) -> Article:
    """`article` with a paragraph added at its end, as an edit of its file would parse;
    without a file digest, so caches key it by its fields."""
    extra = Paragraph(len(article.paragraphs) + 1, text, len(article.paragraphs) + 1)
    return replace(article, body=f"{article.body}\n\n{text}", paragraphs=(*article.paragraphs, extra),
                   content_digest="")


def analysis_of(site: Site) -> Analysis:
    """What `site` could have been linked from, read back from its records."""
    return Analysis(
        actors=tuple(site.actors.values()), claims=tuple(site.claims.values()),
        sources=SourceAnalysis(links=tuple(site.copy_link_of.values()), origin_of=dict(site.origin_of)),
        tags=tuple(site.tags.values()))


def relinked(site: Site, articles: tuple[Article, ...] | None = None, analysis: Analysis | None = None) -> Site:
    """`site` linked again, with these articles or this analysis instead of its own."""
    return link(site.briefing, site.articles if articles is None else articles,
                analysis_of(site) if analysis is None else analysis)


def records(site: Site) -> SiteRecords:
    """The digests of `site`'s records, as a build keeps them."""
    return site_records(site, layout(site), analysis_of(site))


def entity_pages(site: Site) -> dict[str, tuple[str, str]]:
    """(kind, entity) of every page whose inputs are hashed, by path."""
    return {p.path: (p.kind, p.entity) for p in render._pages(render.Views(site, layout(site))) if p.entity is not None}


def digests(site: Site) -> dict[str, str]:
    """Every such page's inputs digest, by path, hashed afresh."""
    inputs = Inputs(site, layout(site))
    return {path: inputs.of(kind, entity) for path, (kind, entity) in entity_pages(site).items()}


def checked_against_fresh(carried: CarriedInputs, before: Mapping[str, str], site: Site) -> tuple[dict[str, str], int]:
    """The oracle of `carried.carried_inputs`: every digest `carried` keeps for a page
    of `site` is the one hashing its inputs afresh gives, and every page whose inputs differ
    from `before` (the last build's digests) is hashed again. Returns the kind of each such
    page, by path, and how many pages kept a digest."""
    pages, after = entity_pages(site), digests(site)
    kept = {path: carried.digest(path, *pages[path]) for path in pages}
    assert all(kept[path] in (None, after[path]) for path in pages)
    changed = {path: pages[path][0] for path in pages if after[path] != before.get(path)}
    assert all(kept[path] is None for path in changed)
    return changed, sum(digest is not None for digest in kept.values())

"""Edits made in code for the tests of cached cross-article steps."""

from __future__ import annotations

from dataclasses import replace

from sitegen.link import LinkInputs, Site
from sitegen.model import Analysis, Article, Paragraph, SourceAnalysis


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

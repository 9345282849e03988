"""Edits made in code for the tests of cached cross-article steps."""

from __future__ import annotations

from dataclasses import replace

from sitegen.model import Article, Paragraph


def appended(article: Article, text: str) -> Article:
    """`article` with a paragraph added at its end, as an edit of its file would parse;
    without a file digest, so caches key it by its fields."""
    extra = Paragraph(len(article.paragraphs) + 1, text, len(article.paragraphs) + 1)
    return replace(article, body=f"{article.body}\n\n{text}", paragraphs=(*article.paragraphs, extra),
                   content_digest="")

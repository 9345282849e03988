"""Page-relative links: the one function every link of the site goes through."""

from __future__ import annotations

import itertools
import posixpath

import pytest

from sitegen.urls import relative_url, slug

PAGES = ["index.html", "claims.html", "actors/index.html", "actors/mark-rutte.html",
         "articles/a.html", "tags/troop-deployment.html", "a/b/c.html", "a/d.html"]


@pytest.mark.parametrize(("source", "target"), list(itertools.product(PAGES, PAGES)))
def test_relative_url_agrees_with_relpath(source: str, target: str) -> None:
    expected = posixpath.relpath(target, posixpath.dirname(source) or ".")
    assert relative_url(source, target) == expected
    assert relative_url(source, target + "#p4") == expected + "#p4"
    assert posixpath.normpath(posixpath.join(posixpath.dirname(source), expected)) == target


@pytest.mark.parametrize(("name", "expected"), [
    ("Kim Jong-Un", "kim-jong-un"), ("Nicolás Maduro", "nicolas-maduro"), ("../../etc/passwd", "etc-passwd"),
    ("  ", "item"), ("Ali bin Hassan al-Said", "ali-bin-hassan-al-said"),
])
def test_slug_is_safe_ascii(name: str, expected: str) -> None:
    assert slug(name) == expected

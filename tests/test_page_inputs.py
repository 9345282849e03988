"""Inputs digests carried over an edit of text (`page_inputs.carried_inputs`), against the
digests hashed afresh: the oracle every carried digest must match."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from edits import checked_against_fresh, digests, linked_from

from sitegen import render
from sitegen.build import BuildOptions, build
from sitegen.cache import KEY_ENV
from sitegen.link import LinkInputs, Site, link
from sitegen.model import Article
from sitegen.page_inputs import carried_inputs

STORY = Path(__file__).parent / "stories" / "sources-wire-cuts"


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "user-cache" / "cache-key"))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    """A story with rewrites and (one report shown on the claims page) claim pages."""
    monkeypatch.setattr(render, "EVIDENCE_SHOWN", 1)
    root = tmp_path / "site"
    shutil.copytree(STORY, root / "content" / "articles", ignore=shutil.ignore_patterns("*.yaml"))
    (root / "content" / "briefing.yaml").write_text("title: Landslide\n", encoding="utf-8")
    built = build(BuildOptions(root=root, output=root / "public", jobs=1, use_cache=False)).site
    assert built is not None
    return built


def reworded(article: Article, number: int) -> Article:
    """`article` with words added at the end of paragraph `number`: every mention, tag
    occurrence and quote in it keeps its place."""
    paragraphs = tuple(replace(p, text=p.text + " Witnesses agreed.") if p.number == number else p
                       for p in article.paragraphs)
    old = next(p.text for p in article.paragraphs if p.number == number)
    return replace(article, body=article.body.replace(old, old + " Witnesses agreed.", 1), paragraphs=paragraphs,
                   content_digest="")


def with_article(linked: LinkInputs, article: Article) -> LinkInputs:
    return replace(linked, articles=tuple(article if a.id == article.id else a for a in linked.articles))


def linked_site(linked: LinkInputs) -> Site:
    return link(linked.briefing, linked.articles, linked.analysis)


def quoted_paragraphs(site: Site) -> list[tuple[str, int]]:
    """(article, paragraph) of the paragraphs both an actor page and a tag page quote, the
    origin of a rewrite first."""
    tagged = {(a, n) for a, rows in site.tag_paragraphs_in_article.items() for _, n in rows}
    named = {(a, m.paragraph) for a, rows in site.mentions_in_article.items() for _, m in rows}
    return sorted(tagged & named, key=lambda spot: (spot[0] not in site.copies_of, spot))


def test_a_paragraph_quoted_by_actor_and_tag_pages_rehashes_them_and_nothing_is_carried_stale(site: Site) -> None:
    """Reword a paragraph of an origin that actor and tag pages quote: the digests carried
    over are the fresh ones, and every page whose inputs changed (the article's, its
    rewrites', the actors' and tags' that quote the paragraph) is hashed again."""
    article_id, number = quoted_paragraphs(site)[0]
    assert article_id in site.copies_of, "the story's origin quotes no actor with a tag"
    before = digests(site)
    linked = with_article(linked_from(site), reworded(site.article_by_id[article_id], number))
    edited = linked_site(linked)
    carried = carried_inputs(linked_from(site), linked, edited, before)
    assert carried is not None
    changed, kept = checked_against_fresh(carried, before, edited)
    assert set(changed.values()) >= {"article", "actor", "tag"}
    assert sum(kind == "article" for kind in changed.values()) > 1  # a rewrite shows its origin whole
    assert kept


def test_anything_but_text_carries_nothing(site: Site) -> None:
    """A retitled article (lists show titles), or a site whose tags differ, is more than an
    edit of text: no digest is carried."""
    last, before = linked_from(site), digests(site)
    retitled = with_article(last, replace(site.articles[0], title="Another title"))
    assert carried_inputs(last, retitled, linked_site(retitled), before) is None
    fewer_tags = replace(last, analysis=replace(last.analysis, tags=last.analysis.tags[1:]))
    assert carried_inputs(last, fewer_tags, linked_site(fewer_tags), before) is None
    same = linked_from(site)  # equal, not the same objects: nothing changed, every digest is carried
    carried = carried_inputs(last, same, linked_site(same), before)
    assert carried is not None and not (carried.articles or carried.actors or carried.tags)


def test_a_tag_scored_anew_rehashes_its_own_pages_and_carries_the_rest(site: Site) -> None:
    """A tag's score adds up every article's relevance for it, so an edit of one article's
    text moves it: only that tag's pages show it. A tag on other articles is more."""
    last, before = linked_from(site), digests(site)
    tags = list(last.analysis.tags)
    tags[0] = replace(tags[0], score=tags[0].score + 0.5)
    now = replace(last, analysis=replace(last.analysis, tags=tuple(tags)))
    carried = carried_inputs(last, now, linked_site(now), before)
    assert carried is not None and carried.tags == {tags[0].id} and not carried.articles | carried.actors
    changed, _ = checked_against_fresh(carried, before, linked_site(now))
    assert changed
    tags[0] = replace(tags[0], articles=tags[0].articles[1:])
    moved = replace(last, analysis=replace(last.analysis, tags=tuple(tags)))
    assert carried_inputs(last, moved, linked_site(moved), before) is None

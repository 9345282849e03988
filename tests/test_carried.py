"""Inputs digests carried over an edit (`carried.carried_inputs`), against the digests
hashed afresh: the oracle every carried digest must match, over edits of text, claims,
rewrites and tags."""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from edits import analysis_of, checked_against_fresh, digests, entity_pages, records, relinked

from sitegen import render
from sitegen.build import BuildOptions, build
from sitegen.cache import KEY_ENV
from sitegen.carried import CarriedInputs, carried_inputs, site_records
from sitegen.feeds import atom_feed, feed_inputs
from sitegen.link import Site
from sitegen.model import Actor, Article, Claim, Mention, SourceAnalysis, TagOccurrence
from sitegen.page_inputs import Inputs
from sitegen.pagination import CLAIM_STATUSES, layout
from sitegen.runner import plain_key
from sitegen.search import search_index_js, search_inputs

STORY = Path(__file__).parent / "stories" / "sources-wire-cuts"


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "user-cache" / "cache-key"))


def built_story(root: Path, briefing: str) -> Site:
    shutil.copytree(STORY, root / "content" / "articles", ignore=shutil.ignore_patterns("*.yaml"))
    (root / "content" / "briefing.yaml").write_text(f"title: Landslide\n{briefing}", encoding="utf-8")
    built = build(BuildOptions(root=root, output=root / "public", jobs=1, use_cache=False)).site
    assert built is not None
    return built


SPLIT = "page_size: 2\n"
"""Every list longer than two split into pages: the claims, the source index, actors'
mentions, tags' articles, claims' reports; each page reads a part of its list."""


@pytest.fixture(params=["", SPLIT], ids=["whole lists", "split lists"])
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Site:
    """A story with rewrites and (one report shown on the claims page) claim pages, with
    its lists whole or split."""
    monkeypatch.setattr(render, "EVIDENCE_SHOWN", 1)
    return built_story(tmp_path / "site", request.param)


def reworded(article: Article, number: int) -> Article:
    """`article` with words added at the end of paragraph `number`: every mention, tag
    occurrence and quote in it keeps its place."""
    paragraphs = tuple(replace(p, text=p.text + " Witnesses agreed.") if p.number == number else p
                       for p in article.paragraphs)
    old = next(p.text for p in article.paragraphs if p.number == number)
    return replace(article, body=article.body.replace(old, old + " Witnesses agreed.", 1), paragraphs=paragraphs,
                   content_digest="")


def with_article(site: Site, article: Article) -> tuple[Article, ...]:
    return tuple(article if a.id == article.id else a for a in site.articles)


def quoted_paragraphs(site: Site) -> list[tuple[str, int]]:
    """(article, paragraph) of the paragraphs both an actor page and a tag page quote, the
    origin of a rewrite first."""
    tagged = {(a, n) for a, rows in site.tag_paragraphs_in_article.items() for _, n in rows}
    named = {(a, m.paragraph) for a, rows in site.mentions_in_article.items() for _, m in rows}
    return sorted(tagged & named, key=lambda spot: (spot[0] not in site.copies_of, spot))


def carried_to(last: Site, now: Site) -> CarriedInputs:
    """What `now`'s pages carry from `last`'s, which must be something."""
    carried = carried_inputs(records(last), records(now), now, layout(now), digests(last))
    assert carried is not None, "the edit was taken for a change of what every page reads"
    return carried


def test_a_paragraph_quoted_by_actor_and_tag_pages_rehashes_them_and_nothing_is_carried_stale(site: Site) -> None:
    """Reword a paragraph of an origin that actor and tag pages quote: the digests carried
    over are the fresh ones, and every page whose inputs changed (the article's, its
    rewrites', the actors' and tags' that quote the paragraph) is hashed again."""
    article_id, number = quoted_paragraphs(site)[0]
    assert article_id in site.copies_of, "the story's origin quotes no actor with a tag"
    edited = relinked(site, with_article(site, reworded(site.article_by_id[article_id], number)))
    changed, kept = checked_against_fresh(carried_to(site, edited), digests(site), edited)
    assert set(changed.values()) >= {"article", "actor", "tag"}
    assert sum(kind == "article" for kind in changed.values()) > 1  # a rewrite shows its origin whole
    assert kept


def test_a_reworded_paragraph_rehashes_the_actor_and_tag_pages_quoting_it_alone(site: Site) -> None:
    """Records made by this process hold its articles (`SiteRecords.held_articles`): an
    edit's changed paragraphs are found, and of the actors and tags quoting the article
    only those quoting one of them are hashed again. Records read back from disk hold
    none: then every actor and tag quoting the article is. Both carry fresh digests."""
    spots = [(article_id, number) for article_id, rows in sorted(site.mentions_in_article.items())
             for number in sorted({m.paragraph for _, m in rows})
             if {a for a, m in rows if m.paragraph == number} < set(site.actors_of_article[article_id])]
    article_id, number = spots[0]
    edited = relinked(site, with_article(site, reworded(site.article_by_id[article_id], number)))
    before = digests(site)
    held = carried_to(site, edited)
    from_disk = carried_inputs(dataclasses.replace(records(site), held_articles=None), records(edited), edited,
                               layout(edited), before)
    assert from_disk is not None
    checked_against_fresh(held, before, edited)
    checked_against_fresh(from_disk, before, edited)
    quoting = {a for a, m in edited.mentions_in_article[article_id] if m.paragraph == number}
    assert quoting <= held.stale["actor"]
    assert held.stale["actor"] < from_disk.stale["actor"]
    assert set(edited.actors_of_article[article_id]) <= from_disk.stale["actor"]


def test_nothing_changed_carries_everything_and_a_new_order_nothing(site: Site) -> None:
    """The same site linked again carries every digest. Articles in another order (a date
    moved one past another) split lists anew: no digest is carried."""
    before = digests(site)
    carried = carried_to(site, relinked(site))
    assert not any(carried.stale.values())  # the claims and sources pages' too
    assert sum(d is not None for d in map(carried.digests.get, before)) == len(before)
    first, last = site.articles[0], site.articles[-1]
    assert first.date is not None and last.date is not None and first.date < last.date
    redated = relinked(site, with_article(site, replace(first, date=last.date, id=first.id)))
    if [a.id for a in redated.articles] != [a.id for a in site.articles]:
        assert carried_inputs(records(site), records(redated), redated, layout(redated), before) is None


def test_a_retitled_article_rehashes_the_pages_listing_it(site: Site) -> None:
    """Lists show an article's title: its page, the pages of the actors and tags quoting
    it, of the claims it reports, of the articles it rewrites or is rewritten by, the
    claims pages and the source index are hashed again; the rest is carried."""
    article = next(a for a in site.articles if site.claims_of_article.get(a.id) and site.actors_of_article.get(a.id))
    retitled = relinked(site, with_article(site, replace(article, title="Another title")))
    carried = carried_to(site, retitled)
    assert article.id in carried.stale["article"] and "" in carried.stale["sources"]
    assert set(site.claims_of_article[article.id]) <= carried.stale["claim"]
    changed, kept = checked_against_fresh(carried, digests(site), retitled)
    assert {"article", "actor", "claim", "sources"} <= set(changed.values()) and kept


def test_an_actor_whose_mentions_or_role_move_rehashes_its_pages_and_the_articles_naming_it(site: Site) -> None:
    """An actor whose mentions or role move (an edit before a mention in its paragraph, or
    one describing it anew) shows it on its own pages and, for a mention, on the page of
    the article; an actor named anew beside it, on its pages too (who appears with whom).
    Its name is on every page linking to it: a new name carries nothing."""
    analysis = analysis_of(site)

    def with_actor(actor: Actor, changed: Actor) -> Site:
        return relinked(site, analysis=replace(analysis, actors=tuple(changed if a is actor else a
                                                                      for a in analysis.actors)))

    # A mention one character shorter, as words inserted before it in its paragraph move
    # it: its article names the same actors as often as before.
    actor = max(analysis.actors, key=lambda a: (len(a.mentions), a.id))
    moved = actor.mentions[0]._replace(start=actor.mentions[0].start + 1)
    shifted = with_actor(actor, replace(actor, mentions=(moved, *actor.mentions[1:])))
    carried = carried_to(site, shifted)
    assert actor.id in carried.stale["actor"] and moved.article in carried.stale["article"]
    changed, kept = checked_against_fresh(carried, digests(site), shifted)
    assert {"actor", "article"} <= set(changed.values()) and kept
    described = with_actor(actor, replace(actor, role="Spokesperson for the desk"))
    carried = carried_to(site, described)
    assert carried.stale["actor"] == {actor.id} and not carried.stale["article"]
    changed, _ = checked_against_fresh(carried, digests(site), described)
    # The actors index shows each role too, and the overview reads what the index reads.
    assert set(changed.values()) == {"actor", "actors", "index"}
    # Another actor named in a paragraph of this one's: this one appears with it now.
    spot = actor.mentions[0]
    other = next(a for a in analysis.actors if a is not actor and all(
        (m.article, m.paragraph) != (spot.article, spot.paragraph) for m in a.mentions))
    joined = with_actor(other, replace(other, mentions=tuple(sorted((*other.mentions, spot), key=lambda m: (
        m.article, m.paragraph, m.start)))))
    assert other.id in dict(joined.co_mentions[actor.id]) and other.id not in dict(site.co_mentions.get(actor.id, ()))
    carried = carried_to(site, joined)
    assert actor.id in carried.stale["actor"]
    checked_against_fresh(carried, digests(site), joined)
    renamed = with_actor(actor, replace(actor, name="Another name"))
    assert carried_inputs(records(site), records(renamed), renamed, layout(renamed), digests(site)) is None


def test_a_tag_scored_anew_or_moved_rehashes_its_pages_and_its_articles(site: Site) -> None:
    """A tag's score adds up every article's relevance for it, so an edit of one article's
    text moves it: only that tag's pages show it. A tag dropped from an article moves that
    article's page and the source index too."""
    analysis = analysis_of(site)
    tags = list(analysis.tags)
    tags[0] = replace(tags[0], score=tags[0].score + 0.5)
    rescored = relinked(site, analysis=replace(analysis, tags=tuple(tags)))
    carried = carried_to(site, rescored)
    assert carried.stale["tag"] == {tags[0].id} and not carried.stale["article"]
    assert not carried.stale["claims"] | carried.stale["sources"]
    changed, _ = checked_against_fresh(carried, digests(site), rescored)
    assert set(changed.values()) == {"tag"}
    dropped = tags[0].articles[0]
    tags[0] = replace(tags[0], articles=tags[0].articles[1:],
                      occurrences=tuple(o for o in tags[0].occurrences if o.article != dropped))
    moved = relinked(site, analysis=replace(analysis, tags=tuple(tags)))
    carried = carried_to(site, moved)
    assert dropped in carried.stale["article"] and "" in carried.stale["sources"]
    changed, kept = checked_against_fresh(carried, digests(site), moved)
    assert {"tag", "article", "sources"} <= set(changed.values()) and kept
    gone = relinked(site, analysis=replace(analysis, tags=tuple(tags[1:])))  # the overview counts the tags
    carried = carried_to(site, gone)
    assert "" in carried.stale["index"]
    changed, kept = checked_against_fresh(carried, digests(site), gone)
    assert "index" in changed.values() and kept


def test_a_claim_counted_anew_rehashes_its_pages_and_one_restated_its_reports_and_speaker(site: Site) -> None:
    """A claim whose count of independent sources moves (an edit elsewhere broke a
    rewrite's link) shows it on its own pages and the claims pages only; one whose status
    moves shows it in every list of claims too: on the pages of the articles reporting it
    and of the actor that made it. A claim gone leaves them all. The rest is carried,
    unless the claims list of a status gains or loses a page (every page links to them)."""
    analysis = analysis_of(site)
    claim = next(c for c in analysis.claims if c.speaker is not None and len(c.evidence) > 1)

    def with_claim(changed: Claim | None) -> Site:
        claims = (changed if c is claim else c for c in analysis.claims)
        return relinked(site, analysis=replace(analysis, claims=tuple(c for c in claims if c is not None)))

    counted = with_claim(replace(claim, independent_sources=claim.independent_sources + 1))
    carried = carried_to(site, counted)
    assert carried.stale["claim"] == {claim.id} and not carried.stale["article"] | carried.stale["actor"]
    changed, kept = checked_against_fresh(carried, digests(site), counted)
    assert set(changed.values()) <= {"claim", "claim-reports", "claims", "claims-list", "index"}
    assert "claims" in changed.values()
    reports = {e.article for e in claim.evidence}
    for now in (with_claim(replace(claim, status=next(s for s in CLAIM_STATUSES if s != claim.status))),
                with_claim(None)):
        if layout(now).claim_pages_by_status != layout(site).claim_pages_by_status:
            # Every page links to the claims pages of each status: how many there are is shared.
            assert carried_inputs(records(site), records(now), now, layout(now), digests(site)) is None
            continue
        carried = carried_to(site, now)
        assert reports <= carried.stale["article"] and claim.speaker in carried.stale["actor"]
        changed, kept = checked_against_fresh(carried, digests(site), now)
        assert {"claims", "article", "actor"} <= set(changed.values()) and kept


def test_a_rewrite_no_longer_linked_rehashes_both_articles_and_the_source_index(site: Site) -> None:
    """A copy link dropped (the rewrite edited past recognition) changes the pages of the
    rewrite and of its origin, and the source index."""
    analysis = analysis_of(site)
    link = analysis.sources.links[0]
    origin_of = {a: (None if a == link.copy else o) for a, o in analysis.sources.origin_of.items()}
    unlinked = relinked(site, analysis=replace(analysis, sources=SourceAnalysis(
        links=analysis.sources.links[1:], origin_of=origin_of)))
    carried = carried_to(site, unlinked)
    assert {link.copy, link.origin} <= carried.stale["article"] and "" in carried.stale["sources"]
    changed, kept = checked_against_fresh(carried, digests(site), unlinked)
    assert {"article", "sources"} <= set(changed.values()) and kept


def test_an_article_on_a_later_page_of_a_list_rehashes_that_page_alone(tmp_path: Path) -> None:
    """An actor's mentions split into pages: rewording an article listed on page n of them
    hashes that page again, not the actor's own page (its first page of mentions) nor the
    others."""
    site = built_story(tmp_path / "site", SPLIT)
    pages = layout(site)
    actor_id, number, article_id = next((a, n, article_id) for a, chunks in sorted(pages.mentions.items())
                                        for n, articles in enumerate(chunks[1:], start=2) for article_id in articles)
    paragraph = next(m.paragraph for m in site.actors[actor_id].mentions if m.article == article_id)
    edited = relinked(site, with_article(site, reworded(site.article_by_id[article_id], paragraph)))
    carried = carried_to(site, edited)
    assert f"{actor_id}/{number}" in carried.stale["actor-mentions"]
    assert actor_id not in carried.stale["actor"] or article_id in pages.mentions[actor_id][0]
    changed, kept = checked_against_fresh(carried, digests(site), edited)
    assert "actor-mentions" in changed.values() and kept


def test_a_mention_or_tag_moved_on_a_later_page_rehashes_that_page_of_the_list_alone(tmp_path: Path) -> None:
    """An actor whose mention moves in an article on page n of its mentions, or a tag that
    moves to another paragraph of an article on page n of its articles: their records moved,
    yet their other further pages list the same articles, each as before, and keep their
    digests. An article no longer naming the actor leaves its later pages listing others."""
    site = built_story(tmp_path / "site", "page_size: 1\n")  # an article a page
    pages, analysis = layout(site), analysis_of(site)
    actor_id, chunks = max(pages.mentions.items(), key=lambda item: (len(item[1]), item[0]))
    assert len(chunks) >= 4, "the story has an actor named in four articles or more"
    actor = site.actors[actor_id]

    def with_mentions(mentions: tuple[Mention, ...]) -> Site:
        return relinked(site, analysis=replace(analysis, actors=tuple(
            replace(a, mentions=mentions) if a is actor else a for a in analysis.actors)))

    shifted = with_mentions(tuple(m._replace(start=m.start + 1) if m.article == chunks[2][0] else m
                                  for m in actor.mentions))
    carried = carried_to(site, shifted)
    hashed = {n for n in range(2, len(chunks) + 1) if carried.digest(
        f"actors/{actor_id}/mentions-{n}.html", "actor-mentions", f"{actor_id}/{n}") is None}
    assert hashed == {3}
    changed, kept = checked_against_fresh(carried, digests(site), shifted)
    assert f"actors/{actor_id}/mentions-3.html" in changed and kept

    fewer = with_mentions(tuple(m for m in actor.mentions if m.article != chunks[1][0]))
    carried = carried_to(site, fewer)
    assert {f"{actor_id}/{n}" for n in range(2, len(chunks))} <= carried.stale["actor-mentions"]
    changed, kept = checked_against_fresh(carried, digests(site), fewer)
    assert f"actors/{actor_id}/mentions-{len(chunks) - 1}.html" in changed and kept

    tag_id, tag_chunks = max(pages.tags.items(), key=lambda item: (len(item[1]), item[0]))
    assert len(tag_chunks) >= 3, "the story has a tag found in three articles or more"
    tagged, tag = tag_chunks[1][0], site.tags[tag_id]
    paragraph = next(p.number for p in site.article_by_id[tagged].paragraphs
                     if p.number not in {o.paragraph for o in tag.occurrences if o.article == tagged})
    occurrences = tuple(sorted((*tag.occurrences, TagOccurrence(tagged, paragraph)),
                               key=lambda o: (o.article, o.paragraph)))
    retagged = relinked(site, analysis=replace(analysis, tags=tuple(
        replace(t, occurrences=occurrences) if t.id == tag_id else t for t in analysis.tags)))
    carried = carried_to(site, retagged)
    hashed = {n for n in range(2, len(tag_chunks) + 1)
              if carried.digest(f"tags/{tag_id}/page-{n}.html", "tag-articles", f"{tag_id}/{n}") is None}
    assert hashed == {2}
    changed, kept = checked_against_fresh(carried, digests(site), retagged)
    assert f"tags/{tag_id}/page-2.html" in changed and kept


def test_a_further_page_hashes_whether_a_page_follows_it_and_nothing_more_of_the_list(tmp_path: Path) -> None:
    """A further page of an actor's mentions or a tag's articles links the page after it,
    if any, and tells nothing more of how many follow (`render.nearby_pager`): its inputs,
    and its records' digest, move when a page comes after the last one, and stay for the
    pages before it."""
    site = built_story(tmp_path / "site", "page_size: 1\n")  # an article a page
    pages, analysis = layout(site), analysis_of(site)
    actor_id, chunks = max(pages.mentions.items(), key=lambda item: (len(item[1]), item[0]))
    tag_id, tag_chunks = max(pages.tags.items(), key=lambda item: (len(item[1]), item[0]))
    assert len(chunks) >= 3 and len(tag_chunks) >= 3
    longer = replace(pages, mentions={**pages.mentions, actor_id: (*chunks, chunks[-1])},
                     tags={**pages.tags, tag_id: (*tag_chunks, tag_chunks[-1])})
    now, then = Inputs(site, pages), Inputs(site, longer)
    kept, grown = site_records(site, pages, analysis), site_records(site, longer, analysis)
    for kind, owner, split, field in (("actor-mentions", actor_id, chunks, "mention_pages"),
                                      ("tag-articles", tag_id, tag_chunks, "tag_pages")):
        last, before = f"{owner}/{len(split)}", f"{owner}/{len(split) - 1}"
        assert now.of(kind, last) != then.of(kind, last) and now.of(kind, before) == then.of(kind, before)
        assert getattr(kept, field)[last] != getattr(grown, field)[last]
        assert getattr(kept, field)[before] == getattr(grown, field)[before]


def test_an_actor_pages_view_holds_the_actor_without_its_mentions(tmp_path: Path) -> None:
    """An actor page's view is pickled whole to be hashed (`render.view_digest`) whenever
    its inputs move; the page shows the mentions of its first page and their count, from
    the view's own entries, so the record it holds comes without them (at 10,000 articles
    they made 130 of the 210 ms an edit spent on the page of a most named actor)."""
    site = built_story(tmp_path / "site", "page_size: 1\n")
    views = render.Views(site, layout(site))
    for actor in site.actors.values():
        view = views.actor(actor.id)
        assert view["actor"] == replace(actor, mentions=()) and view["mention_count"] == len(actor.mentions)


def test_pages_inputs_joined_from_the_records_are_those_hashed_without_them(site: Site) -> None:
    """A build hands the site's records to its pages' inputs, which take each claim's
    digest from them instead of hashing the claim again: every page's inputs digest is the
    one made without them."""
    joined = Inputs(site, layout(site), records=records(site))
    assert site.claims
    assert {path: joined.of(kind, entity) for path, (kind, entity) in entity_pages(site).items()} == digests(site)


def test_the_search_index_and_the_feed_move_with_what_they_show(site: Site) -> None:
    """Whatever a row of the search index or an entry of the feed shows is in its inputs
    (`search.search_inputs`, `feeds.feed_inputs`), by which a build keeps the file the last
    build wrote: each record changed one field at a time, where the file's bytes change,
    the digest of its inputs does too."""
    analysis = analysis_of(site)
    actor, claim, tag = analysis.actors[0], analysis.claims[0], analysis.tags[0]
    article = site.articles[0]

    def with_records(**changed: object) -> Site:
        return relinked(site, analysis=replace(analysis, **changed))

    def with_article(**changed: object) -> Site:
        return relinked(site, tuple(replace(a, **changed) if a is article else a for a in site.articles))

    first = article.paragraphs[0]
    variants = [
        *(with_records(actors=(replace(actor, **{name: value}), *analysis.actors[1:]))
          for name, value in (("name", "Another Name"), ("role", "Spokesperson for the desk"),
                              ("type", "media" if actor.type != "media" else "person"), ("aliases", ("The Other",)))),
        with_records(claims=(replace(claim, text="Something else was said."), *analysis.claims[1:])),
        with_records(tags=(replace(tag, label="another label"), *analysis.tags[1:])),
        with_records(tags=(replace(tag, articles=tag.articles[1:]), *analysis.tags[1:])),
        *(with_article(**{name: value}) for name, value in (
            ("title", "Another title"), ("outlet", "Another Outlet"), ("date", "2020-01-01"), ("author", "A. Writer"),
            ("paragraphs", (replace(first, text=first.text + " More."), *article.paragraphs[1:])))),
        relinked(replace(site, briefing=replace(site.briefing, title="Another briefing"))),
    ]
    moved = {"search": 0, "feed": 0}
    for variant in variants:
        for name, make, inputs in (("search", search_index_js, search_inputs), ("feed", atom_feed, feed_inputs)):
            if make(variant) != make(site):
                moved[name] += 1
                assert plain_key(b"", inputs(variant)) != plain_key(b"", inputs(site)), name
    assert moved["search"] >= 8 and moved["feed"] >= 5


def test_a_claim_gone_from_a_page_of_the_claims_list_rehashes_that_page(tmp_path: Path) -> None:
    """A claim gone leaves a gap on its page of the claims list, whose claims are
    otherwise as they were: that page is hashed again (the claims list is split into as
    many pages as before)."""
    site = built_story(tmp_path / "site", SPLIT)
    pages = layout(site)
    assert pages.claims is not None
    analysis = analysis_of(site)
    for claim in analysis.claims:
        fewer = relinked(site, analysis=replace(analysis, claims=tuple(c for c in analysis.claims if c is not claim)))
        if layout(fewer).claim_pages_by_status == pages.claim_pages_by_status:
            break
    else:
        pytest.fail("every claim gone changes how many pages the claims list has")
    carried = carried_to(site, fewer)
    assert pages.claims.page_of[claim.id] in carried.stale["claims-list"]
    changed, kept = checked_against_fresh(carried, digests(site), fewer)
    assert "claims-list" in changed.values() and kept


def test_an_article_added_rehashes_the_pages_of_the_source_index_it_moves(tmp_path: Path) -> None:
    """The source index split a page a day, and further into pages of one article: an
    article added at the head of a day moves each article of that day to the next page,
    whose rows are as they were; those pages are hashed again."""
    site = built_story(tmp_path / "site", "page_size: 1\n")
    first = site.articles[0]
    added = relinked(site, (*site.articles, replace(first, id="aaa-added", title="Added", content_digest="")))
    pages = layout(added)
    assert pages.sources is not None
    day = pages.sources.page_of["aaa-added"]
    moved = [key for key, members in pages.sources.members.items() if key.startswith(f"{day}-")]
    assert moved and all("aaa-added" not in pages.sources.members[key] for key in moved)
    carried = carried_to(site, added)
    assert {day, *moved} <= carried.stale["sources-list"]
    changed, kept = checked_against_fresh(carried, digests(site), added)
    assert "sources-list" in changed.values() and kept

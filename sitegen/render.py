"""Site to pages: one view builder per page kind, jinja2 templates with autoescape.

Templates receive view values (links already made relative to the page), never the model,
so a template cannot build a wrong URL (Zola's `SerializingPage`, MkDocs' `TemplateContext`).
"""

from __future__ import annotations

import functools
import textwrap
import threading
import traceback
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypedDict, TypeVar

import jinja2

from sitegen import charts
from sitegen.carried import CarriedInputs, SiteRecords
from sitegen.errors import SitegenError
from sitegen.link import Site
from sitegen.markdown import ArticleBody, Marker, Span
from sitegen.model import Article, Claim, CopyLink, Evidence
from sitegen.page_inputs import Inputs, mentions_by_article, paragraphs_by_article, value_digest
from sitegen.pagination import CLAIM_STATUSES, Layout, actors_index_order, layout, matrix_actors, reports_in_order
from sitegen.runner import ForkedPool, fork_available
from sitegen.urls import (
    actor_claims_page,
    actor_mentions_page,
    actor_page,
    actors_list_page,
    article_page,
    claim_anchor,
    claim_page,
    claim_reports_page,
    claims_list_page,
    paragraph_anchor,
    relative_url,
    sources_list_page,
    tag_articles_page,
    tag_page,
)

T = TypeVar("T")

SNIPPET_RADIUS = 70
STATUS_LABELS = {"contested": "contested", "unverified": "unverified",
                 "corroborated": "corroborated", "single-source": "single source"}
STATUS_HEADINGS = {"contested": "Contested", "unverified": "Unverified",
                   "corroborated": "Corroborated", "single-source": "Single source"}
ACTOR_TYPE_HEADINGS = {"person": "People", "organisation": "Organisations", "state": "States",
                       "media": "Media", "other": "Others"}
TOP_LISTED = 10
"""Claims of each status the claims page lists itself once the list is split into pages."""
MEASURE_ROWS = 25
"""Figures a measure's table shows once the claims are split into pages (`Views.measures`)."""
LATEST_SOURCES = 20
"""Articles the overview lists once the source index is split by day."""
OVERVIEW_MEASURES = 5
"""Measures on which sources disagree that the overview shows (all are on the claims page)."""


class Page(NamedTuple):
    """One output file: its path under public/ and its bytes. (A named tuple: one is made
    for every page of each build, 7,150 at 1,000 articles, and a frozen dataclass took
    three times as long to make.)"""

    path: str
    kind: str
    content: bytes | None
    """None when the page was not rendered (the output's file from the last build is still
    right, and is kept) or once its bytes have been written."""
    view_digest: str = ""
    """Hash of the template name and the values it was given (`view_digest`)."""
    rendered: bool = True
    """False when the page was the same as in the last build and was not rendered."""
    inputs_digest: str = ""
    """For the page of one article, actor, tag or claim: hash of what its view is made
    from (`page_inputs.Inputs`); empty for the index pages."""
    viewed: bool = True
    """False when its inputs were as in the last build, so its view was not even built."""


class Link(TypedDict):
    """A link for templates (`link.href`, `link.text`). A plain dict, not a record class:
    view digests pickle some 430,000 links at 1,000 articles, and a dict pickles in C
    where a record costs a Python call and its class name each time (0.61 s -> 0.08 s)."""

    href: str
    text: str


class ThemeEnvironment(jinja2.Environment):
    """Jinja2 with `x.name` looked up as a key first when `x` is a dict. Views are plain
    dicts (they hash fast), and Jinja's default tries the attribute first: a failed
    `getattr` for every `link.href` a template prints, a fifth to a half of rendering the
    index pages (the sources page at 1,000 articles: 0.46 -> 0.38 s, the claims page 0.41 ->
    0.25 s, same bytes). A key named like a dict method ("items") now gives its value."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def theme_environment(theme_dirs: Sequence[Path]) -> jinja2.Environment:
    """Templates from the site's own theme first, then the built-in one. Not reloaded
    when their files change (`auto_reload`): jinja2 would stat each template's file every
    time a page asks for it, three times a page; a build's theme does not change while it
    renders, and a warm process makes a new environment when its theme does
    (`pipeline._theme_environment`)."""
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d / "templates")) for d in theme_dirs])
    env = ThemeEnvironment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined, auto_reload=False,
                           trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["plural"] = lambda n, word: f"{n} {word}" + ("" if n == 1 else "s")
    return env


def widely_reported_first(claim: Claim) -> tuple[int, int, str]:
    """Most independent origins first, then most reports: the overview's top claims, each
    status's top claims on a split claims page, a measure's figures in a cut table."""
    return -claim.independent_sources, -len(claim.evidence), claim.id


def pager(page: str, targets: Sequence[str], current: int) -> list[dict[str, Any]]:
    """Links to every page of one list (`targets`, in order), the `current` one (from 1)
    marked; none when the list has one page."""
    if len(targets) < 2:
        return []
    return [{"link": Link(href=relative_url(page, target), text=str(n)), "current": n == current, "gap": False}
            for n, target in enumerate(targets, start=1)]


def nearby_pager(page: str, target: Callable[[int], str], current: int, count: int) -> list[dict[str, Any]]:
    """Links to the first of `count` pages and to those beside the `current` one (from 2),
    for the further pages of a list that grows as articles come (an actor's mentions, a
    tag's articles); the first page links every one (`pager`). Such a page tells nothing of
    how many pages follow but whether one does, so an article that adds a page to a list of
    hundreds changes its last page, not all of them: at 10,000 bench articles one addition
    re-rendered the 491 pages of one actor's mentions, as each linked the new one."""
    numbers = sorted({1, current - 1, current} | ({current + 1} if current < count else set()))
    return [{"link": Link(href=relative_url(page, target(n)), text=str(n)), "current": n == current,
             "gap": k > 0 and n > numbers[k - 1] + 1} for k, n in enumerate(numbers)]


def snippet(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(before, the span, after) around a span, cut at word boundaries, for mention lists."""
    before = text[max(0, start - SNIPPET_RADIUS):start]
    after = text[end:end + SNIPPET_RADIUS]
    if start > SNIPPET_RADIUS and " " in before:
        before = "…" + before[before.index(" ") + 1:]
    if end + SNIPPET_RADIUS < len(text) and " " in after:
        after = after[:after.rindex(" ")] + "…"
    return before, text[start:end], after


class Views:
    """Builds the template values of every page kind from one Site. What the view of an
    article, actor, tag or claim page reads, `page_inputs.Inputs` must hash too."""

    def __init__(self, site: Site, pages: Layout) -> None:
        self.site = site
        self.pages = pages
        self._mentions_by_article = functools.cache(
            lambda actor_id: mentions_by_article(site.actors[actor_id].mentions))
        self._tag_paragraphs = functools.cache(lambda tag_id: paragraphs_by_article(site.tags[tag_id].occurrences))

    # -- small pieces shared by several pages ---------------------------------------------

    def actor_link(self, page: str, actor_id: str) -> Link:
        return Link(href=relative_url(page, actor_page(actor_id)), text=self.site.actors[actor_id].name)

    def article_link(self, page: str, article_id: str, paragraph: int | None = None) -> Link:
        target = article_page(article_id)
        if paragraph is not None:
            target += "#" + paragraph_anchor(paragraph)
        return Link(href=relative_url(page, target), text=self.site.article_by_id[article_id].title)

    def tag_link(self, page: str, tag_id: str) -> Link:
        return Link(href=relative_url(page, tag_page(tag_id)), text=self.site.tags[tag_id].label)

    def claim_view(self, page: str, claim: Claim, with_evidence: bool = True, every_report: bool = False,
                   counts: bool = True, shown: Sequence[Evidence] | None = None) -> dict[str, Any]:
        """A claim for templates; lists (article pages, actor pages) skip the evidence rows,
        and the claims page shows the first `EVIDENCE_SHOWN` of a claim's reports, linking
        to the claim's own page for the rest (`every_report`).

        Article and actor pages, and the later pages of a claim's reports, leave out how many
        outlets and independent origins report the claim (`counts`; the later pages of its
        reports, how many reports it has too), and show its status: those counts move with
        every article that reports the claim or rewrites one that does, and a widely reported
        claim is listed on hundreds of pages, all of which an edit elsewhere would otherwise
        change.
        `shown`: the reports to list, when a page lists some of them (one page of a claim's
        reports)."""
        reports = (list(shown) if shown is not None else reports_in_order(claim)) if with_evidence else []
        more = with_evidence and not every_report and has_claim_page(claim)
        return {
            "id": claim.id,
            "href": relative_url(page, self.claim_anchor(claim.id)),
            "kind": claim.kind,
            "text": claim.text,
            "speaker": self.actor_link(page, claim.speaker) if claim.speaker else None,
            "speaker_surface": claim.speaker_surface,
            "anonymous": claim.speaker is None,
            "number": charts.format_number(claim.number, claim.number_max),
            "unit": claim.unit,
            "hedge": claim.hedge,
            "measure": claim.measure,
            "status": claim.status,
            "status_label": STATUS_LABELS[claim.status],
            "denial": claim.denial,
            "independent": claim.independent_sources if counts else None,
            "outlets": self.site.outlets_of_claim[claim.id] if counts else None,
            "evidence": [{"link": self.article_link(page, e.article, e.paragraph),
                          "outlet": self.site.article_by_id[e.article].outlet,
                          "date": self.site.article_by_id[e.article].date,
                          "paragraph": e.paragraph, "text": e.text}
                         for e in (reports[:EVIDENCE_SHOWN] if more else reports)],
            # Lists without evidence leave the count out, and so does a later page of a claim's
            # reports (`counts`): a page's view holds only what it shows, or a new report of a
            # claim would re-render every page listing it.
            "reports": len(claim.evidence) if with_evidence and counts else None,
            "every_report": relative_url(page, claim_page(claim.id)) if more else None,
        }

    def claim_anchor(self, claim_id: str) -> str:
        return claim_anchor(claim_id, self.pages.claim_page_key(claim_id))

    def nav(self, page: str) -> list[Link]:
        targets = [("index.html", "Overview"), ("claims.html", "Claims"), ("actors/index.html", "Actors"),
                   ("tags/index.html", "Tags"), ("sources.html", "Sources"), ("search.html", "Search")]
        return [Link(href=relative_url(page, t), text=text) for t, text in targets]

    def common(self, page: str, title: str) -> dict[str, Any]:
        return {"page_title": title, "briefing": self.site.briefing, "nav": self.nav(page),
                "current": page, "css": relative_url(page, "style.css"),
                "feed": relative_url(page, "feed.xml"),
                "canonical": (self.site.briefing.base_url + page) if self.site.briefing.base_url else None}

    def measures(self, page: str, with_evidence: bool = True) -> list[dict[str, Any]]:
        """Claims grouped by measure, for the side-by-side tables; contested ones first
        (without their reports for the overview's compact tables). Once the claims are
        split into pages, a table shows a measure's `MEASURE_ROWS` most widely reported
        figures: at 10,000 bench articles one measure held thousands, and the overview and
        claims page were 4-5 MB of them."""
        grouped: dict[str, list[Claim]] = defaultdict(list)
        for claim in self.site.claims.values():
            if claim.measure and claim.number is not None:
                grouped[claim.measure].append(claim)
        tables: list[dict[str, Any]] = []
        for measure, claims in grouped.items():
            values = {(c.number, c.number_max) for c in claims}
            total = len(claims)
            if self.pages.claims is not None and total > MEASURE_ROWS:
                claims = sorted(claims, key=widely_reported_first)[:MEASURE_ROWS]
            claims.sort(key=lambda c: (c.number or 0, c.id))
            rows = [self.claim_view(page, c, with_evidence) for c in claims]
            tables.append({"measure": measure, "rows": rows, "total": total, "disagree": len(values) > 1,
                           "chart": charts.dot_chart(measure, claims, self._speaker_name)})
        tables.sort(key=lambda t: (not t["disagree"], -t["total"], t["measure"]))
        return tables

    def _speaker_name(self, claim: Claim) -> str:
        if claim.speaker:
            return self.site.actors[claim.speaker].name
        return claim.speaker_surface or "unattributed"

    # -- page kinds ----------------------------------------------------------------------

    def timeline(self, page: str) -> dict[str, Any]:
        """Articles and the claims they report, per date: the story as it developed."""
        articles: dict[str, int] = defaultdict(int)
        claims: dict[str, set[str]] = defaultdict(set)
        for article in self.site.articles:
            if article.date:
                articles[article.date] += 1
                claims[article.date].update(self.site.claims_of_article.get(article.id, ()))
        days = [(d, articles[d], len(claims[d])) for d in sorted(articles)]
        listed: dict[str, list[Link]] = defaultdict(list)
        if self.pages.sources is None:
            for article in self.site.articles:
                if article.date:
                    listed[article.date].append(self.article_link(page, article.id))
        else:  # a day's articles are on its page(s) of the source index
            for key, members in self.pages.sources.members.items():
                date = self.site.article_by_id[members[0]].date
                if date:
                    listed[date].append(Link(href=relative_url(page, sources_list_page(key)),
                                             text=f"{len(members)} articles" if key == date else "more"))
        return {"chart": charts.timeline(days),
                "rows": [{"date": d, "articles": listed[d], "claims": c} for d, _, c in days],
                "undated": sum(1 for a in self.site.articles if not a.date)}

    def index(self) -> dict[str, Any]:
        page = "index.html"
        claims = sorted(self.site.claims.values(), key=widely_reported_first)
        actors = sorted(self.site.actors.values(), key=lambda a: (-len(a.mentions), a.id))
        contested = [m for m in self.measures(page, with_evidence=False) if m["disagree"]]
        return {**self.common(page, self.site.briefing.title),
                "top_claims": [self.claim_view(page, c, with_evidence=False) for c in claims[:8]],
                "measures": contested[:OVERVIEW_MEASURES], "measure_count": len(contested),
                "top_actors": [{"link": self.actor_link(page, a.id), "type": a.type, "mentions": len(a.mentions)}
                               for a in actors[:12]],
                "sources": [self.listing_row(page, a) for a in self._overview_sources()],
                "every_source": self.pages.sources is None,
                "timeline": self.timeline(page),
                "counts": {"articles": len(self.site.articles), "actors": len(self.site.actors),
                           "claims": len(self.site.claims), "tags": len(self.site.tags)}}

    def _overview_sources(self) -> Sequence[Article]:
        """Every article, or the latest dated ones when the source index is split by day."""
        if self.pages.sources is None:
            return self.site.articles
        return [a for a in self.site.articles if a.date][-LATEST_SOURCES:]

    def listing_row(self, page: str, article: Article) -> dict[str, Any]:
        """An article in a list of titles (the overview's sources, a group of rewrites): only
        what such a list shows, so the list's page is not rebuilt for a change it hides."""
        origin = self.site.origin_of.get(article.id)
        return {"link": self.article_link(page, article.id), "outlet": article.outlet, "date": article.date,
                "origin": self.article_link(page, origin) if origin else None}

    def source_row(self, page: str, article: Article) -> dict[str, Any]:
        """An article in the source index and at the head of its own page: a list row, with
        its original's address, author, actors, tags and number of claims."""
        return {**self.listing_row(page, article), "id": article.id, "url": article.url, "author": article.author,
                "actors": [self.actor_link(page, a) for a in self.site.actors_of_article.get(article.id, ())],
                "claim_count": len(self.site.claims_of_article.get(article.id, ())),
                "tags": [self.tag_link(page, t) for t in self.site.tags_of_article.get(article.id, ())]}

    def _article_spans(self, page: str, article: Article) -> tuple[dict[int, list[Span]], dict[int, list[Marker]]]:
        """Links for the article body: mentions and tags wrap their words, claims add a marker."""
        spans: dict[int, list[Span]] = defaultdict(list)
        for actor_id, m in self.site.mentions_in_article.get(article.id, ()):
            actor = self.site.actors[actor_id]
            spans[m.paragraph].append(Span(m.start, m.end, relative_url(page, actor_page(actor_id)),
                                           f"mention actor-{actor.type}", actor.name))
        linked_tags: set[str] = set()
        for tag_id, paragraph in self.site.tag_paragraphs_in_article.get(article.id, ()):
            label = self.site.tags[tag_id].label
            at = article.paragraphs[paragraph - 1].text.lower().find(label.lower())
            if tag_id not in linked_tags and at >= 0:  # the first occurrence in the article
                linked_tags.add(tag_id)
                spans[paragraph].append(Span(at, at + len(label), relative_url(page, tag_page(tag_id)), "tag",
                                             f"tag: {label}"))
        markers: dict[int, list[Marker]] = defaultdict(list)
        number = {c: n for n, c in enumerate(self.site.claims_of_article.get(article.id, ()), start=1)}
        for claim_id, e in self.site.evidence_in_article.get(article.id, ()):
            text = article.paragraphs[e.paragraph - 1].text
            at = text.find(e.text)
            end = at + len(e.text) if at >= 0 else len(text)
            markers[e.paragraph].append(Marker(end, relative_url(page, self.claim_anchor(claim_id)),
                                               str(number[claim_id]),
                                               f"claim {claim_id}: {self.site.claims[claim_id].status}"))
        return spans, markers

    def article(self, article_id: str) -> dict[str, Any]:
        article = self.site.article_by_id[article_id]
        page = article_page(article.id)
        spans, markers = self._article_spans(page, article)
        copy_link = self.site.copy_link_of.get(article.id)
        return {**self.common(page, article.title), **self.source_row(page, article),
                "title": article.title,
                "body": ArticleBody.of(article.body, spans, markers),
                "claims": [self.claim_view(page, self.site.claims[c], with_evidence=False, counts=False)
                           for c in self.site.claims_of_article.get(article.id, ())],
                "rewrites": {"link": self.article_link(page, copy_link.origin), "score": copy_link.score}
                if copy_link else None,
                "rewritten_by": [{"link": self.article_link(page, edge.copy), "score": edge.score}
                                 for edge in self.site.copies_of.get(article.id, ())]}

    def _mention_groups(self, page: str, actor_id: str, articles: Collection[str] | None) -> list[dict[str, Any]]:
        """An actor's mentions with a snippet each, by article in reading order: in these
        `articles` (a page of them), or in all."""
        by_article = self._mentions_by_article(actor_id)
        mentions = []
        for article_id in sorted(by_article if articles is None else articles, key=self.site.article_rank.__getitem__):
            article = self.site.article_by_id[article_id]
            rows = [{"link": self.article_link(page, article.id, m.paragraph), "paragraph": m.paragraph,
                     "snippet": snippet(article.paragraphs[m.paragraph - 1].text, m.start, m.end)}
                    for m in by_article[article.id]]
            mentions.append({"article": self.article_link(page, article.id), "outlet": article.outlet,
                             "date": article.date, "rows": rows})
        return mentions

    def _mention_pager(self, page: str, actor_id: str) -> list[dict[str, Any]]:
        """Every page of an actor's mentions, on its own page (the first); the further pages
        link their neighbours (`nearby_pager`)."""
        chunks = self.pages.mentions.get(actor_id, ())
        return pager(page, [actor_mentions_page(actor_id, n) for n in range(1, len(chunks) + 1)], 1)

    def actor(self, actor_id: str) -> dict[str, Any]:
        actor = self.site.actors[actor_id]
        page = actor_page(actor.id)
        chunks = self.pages.mentions.get(actor_id)
        articles = len({m.article for m in actor.mentions}) if chunks else None
        # The record without its mentions, which the page shows through `mentions` and
        # `mention_count`: the view is pickled to be hashed, and the mentions of the most
        # named actors (tens of thousands at 10,000 articles) made most of an edit's view
        # digests (130 of the 210 ms of one such page).
        return {**self.common(page, actor.name), "actor": replace(actor, mentions=()),
                "affiliation": self.actor_link(page, actor.affiliation) if actor.affiliation else None,
                "members": [self.actor_link(page, a) for a in self.site.members_of.get(actor.id, ())],
                "mentions": self._mention_groups(page, actor_id, set(chunks[0]) if chunks else None),
                "mention_articles": articles, "mention_pages": self._mention_pager(page, actor_id),
                "mention_count": len(actor.mentions),
                "claims": self._claim_lines(page, self._actor_claims_on(actor_id, 1)),
                "claim_count": len(self.site.claims_of_actor.get(actor_id, ())),
                "claim_pages": self._claims_pager(page, actor_id, 1),
                "co_mentions": [{"link": self.actor_link(page, other), "count": n}
                                for other, n in self._co_mentions_shown(actor_id)],
                "co_mention_count": len(self.site.co_mentions.get(actor.id, ()))}

    def _actor_claims_on(self, actor_id: str, number: int) -> Sequence[str]:
        return self.pages.claims_of(actor_id, self.site.claims_of_actor.get(actor_id, ()), number)

    def _claim_lines(self, page: str, claim_ids: Iterable[str]) -> list[dict[str, Any]]:
        return [self.claim_view(page, self.site.claims[c], with_evidence=False, counts=False) for c in claim_ids]

    def _claims_pager(self, page: str, actor_id: str, current: int) -> list[dict[str, Any]]:
        chunks = self.pages.actor_claims.get(actor_id, ())
        return pager(page, [actor_claims_page(actor_id, n) for n in range(1, len(chunks) + 1)], current)

    def actor_claims(self, actor_id: str, number: int) -> dict[str, Any]:
        """Page `number` (from 2) of the claims of an actor who made many."""
        actor = self.site.actors[actor_id]
        page = actor_claims_page(actor_id, number)
        title = f"{actor.name}: claims, page {number} of {len(self.pages.actor_claims[actor_id])}"
        return {**self.common(page, title), "heading": title, "actor": self.actor_link(page, actor_id),
                "claims": self._claim_lines(page, self._actor_claims_on(actor_id, number)),
                "claim_pages": self._claims_pager(page, actor_id, number)}

    def _co_mentions_shown(self, actor_id: str) -> Sequence[tuple[str, int]]:
        """The actors most often named with this one: at most a page of them (at 10,000
        bench articles the most mentioned actors each appeared with thousands)."""
        return self.site.co_mentions.get(actor_id, ())[:self.site.briefing.page_size]

    def actor_mentions(self, actor_id: str, number: int) -> dict[str, Any]:
        """Page `number` (from 2) of the mentions of an actor named in many articles: not
        how many pages there are (`nearby_pager`)."""
        actor = self.site.actors[actor_id]
        page = actor_mentions_page(actor_id, number)
        chunks = self.pages.mentions[actor_id]
        title = f"{actor.name}: mentions, page {number}"
        return {**self.common(page, title), "heading": title, "actor": self.actor_link(page, actor_id),
                "mentions": self._mention_groups(page, actor_id, set(chunks[number - 1])),
                "mention_pages": nearby_pager(page, partial(actor_mentions_page, actor_id), number, len(chunks))}

    def _actor_row(self, page: str, actor_id: str) -> dict[str, Any]:
        actor = self.site.actors[actor_id]
        return {"link": self.actor_link(page, actor.id), "role": actor.role,
                "aliases": [a for a in actor.aliases if a != actor.name], "mentions": len(actor.mentions),
                "articles": len({m.article for m in actor.mentions})}

    def _actors_pager(self, page: str, actor_type: str, current: int) -> list[dict[str, Any]]:
        chunks = self.pages.actor_lists.get(actor_type, ())
        return pager(page, [actors_list_page(actor_type, n) for n in range(1, len(chunks) + 1)], current)

    def actors_index(self) -> dict[str, Any]:
        """Every actor by type, most mentioned first; a type with more than a page of actors
        shows its first page here and links the others (`actors_list`)."""
        page = "actors/index.html"
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        counts: dict[str, int] = defaultdict(int)
        for actor in sorted(self.site.actors.values(), key=actors_index_order):
            counts[actor.type] += 1
            chunks = self.pages.actor_lists.get(actor.type)
            if not chunks or counts[actor.type] <= len(chunks[0]):
                groups[actor.type].append(self._actor_row(page, actor.id))
        order = ["person", "organisation", "state", "media", "other"]
        top = matrix_actors(self.site.actors.values())
        shared = {a: dict(self.site.co_mentions.get(a, ())) for a in top}
        return {**self.common(page, "Actors"),
                "matrix": {"actors": [self.actor_link(page, a) for a in top],
                           "rows": [[shared[a].get(b, 0) if a != b else None for b in top] for a in top]},
                "groups": [{"type": t, "actors": groups[t], "count": counts[t], "pages": self._actors_pager(page, t, 1)}
                           for t in order if groups.get(t)]}

    def actors_list(self, actor_type: str, number: int) -> dict[str, Any]:
        """Page `number` (from 2) of the actors of one type, in the actors index's order."""
        page = actors_list_page(actor_type, number)
        chunks = self.pages.actor_lists[actor_type]
        title = f"{ACTOR_TYPE_HEADINGS[actor_type]}, page {number} of {len(chunks)}"
        return {**self.common(page, title), "heading": title, "index": relative_url(page, "actors/index.html"),
                "actors": [self._actor_row(page, a) for a in chunks[number - 1]],
                "pages": self._actors_pager(page, actor_type, number)}

    def claims(self) -> dict[str, Any]:
        page = "claims.html"
        views = [self.claim_view(page, c) for c in self.site.claims.values()]
        by_status = {s: [v for v in views if v["status"] == s] for s in STATUS_LABELS}
        return {**self.common(page, "Claims"), "measures": self.measures(page),
                "by_status": by_status, "total": len(views)}

    def claims_summary(self) -> dict[str, Any]:
        """The claims page of a briefing whose claims are listed on pages of their own: how
        many of each status, the most widely reported of each, the figures side by side
        (each row links to its claim's reports), and the pages of each status."""
        page = "claims.html"
        by_status: dict[str, list[Claim]] = {s: [] for s in CLAIM_STATUSES}
        for claim in self.site.claims.values():
            by_status[claim.status].append(claim)
        sections = []
        for status in CLAIM_STATUSES:
            claims = by_status[status]
            top = sorted(claims, key=widely_reported_first)[:TOP_LISTED]
            keys = self.pages.claim_pages_by_status[status]
            sections.append({"status": status, "heading": STATUS_HEADINGS[status], "count": len(claims),
                             "top": [self.claim_view(page, c, with_evidence=False) for c in top],
                             "pages": [Link(href=relative_url(page, claims_list_page(k)), text=str(n))
                                       for n, k in enumerate(keys, start=1)] if claims else []})
        return {**self.common(page, "Claims"), "measures": self.measures(page, with_evidence=False),
                "sections": sections,
                "counts": {s: len(by_status[s]) for s in CLAIM_STATUSES}, "total": len(self.site.claims)}

    def claims_list(self, key: str) -> dict[str, Any]:
        """One page of the claims of one status, each in full."""
        assert self.pages.claims is not None
        page = claims_list_page(key)
        status = next(s for s in CLAIM_STATUSES if key == s or key.startswith(s + "-"))
        keys = self.pages.claim_pages_by_status[status]
        number = keys.index(key) + 1
        title = f"{STATUS_HEADINGS[status]} claims" + (f", page {number} of {len(keys)}" if len(keys) > 1 else "")
        return {**self.common(page, title), "heading": title, "status": status,
                "claims": [self.claim_view(page, self.site.claims[c]) for c in self.pages.claims.members[key]],
                "summary": relative_url(page, "claims.html#" + status),
                "pages": pager(page, [claims_list_page(k) for k in keys], number)}

    def _tag_rows(self, page: str, tag_id: str, articles: Collection[str]) -> list[dict[str, Any]]:
        """These articles of a tag, in reading order, each with the first paragraphs it is in."""
        paragraphs = self._tag_paragraphs(tag_id)
        rows = []
        for article_id in sorted(articles, key=self.site.article_rank.__getitem__):
            article = self.site.article_by_id[article_id]
            rows.append({"link": self.article_link(page, article.id), "outlet": article.outlet,
                         "date": article.date,
                         "paragraphs": [{"link": self.article_link(page, article.id, p), "number": p,
                                         "text": article.paragraphs[p - 1].text}
                                        for p in sorted(paragraphs.get(article.id, []))[:3]]})
        return rows

    def _tag_pager(self, page: str, tag_id: str) -> list[dict[str, Any]]:
        """Every page of a tag's articles, on its own page (the first), as `_mention_pager`."""
        chunks = self.pages.tags.get(tag_id, ())
        return pager(page, [tag_articles_page(tag_id, n) for n in range(1, len(chunks) + 1)], 1)

    def tag(self, tag_id: str) -> dict[str, Any]:
        tag = self.site.tags[tag_id]
        page = tag_page(tag.id)
        chunks = self.pages.tags.get(tag_id)
        return {**self.common(page, f"Tag: {tag.label}"), "label": tag.label, "articles": len(tag.articles),
                "rows": self._tag_rows(page, tag_id, chunks[0] if chunks else tag.articles),
                "pages": self._tag_pager(page, tag_id)}

    def tag_articles(self, tag_id: str, number: int) -> dict[str, Any]:
        """Page `number` (from 2) of the articles of a tag found in many."""
        tag = self.site.tags[tag_id]
        page = tag_articles_page(tag_id, number)
        chunks = self.pages.tags[tag_id]
        # Not how many articles the tag has, nor how many pages: each new article would
        # change every page of them (`nearby_pager`).
        return {**self.common(page, f"Tag: {tag.label}, page {number}"), "label": tag.label,
                "articles": None, "rows": self._tag_rows(page, tag_id, chunks[number - 1]),
                "pages": nearby_pager(page, partial(tag_articles_page, tag_id), number, len(chunks))}

    def claim(self, claim_id: str, number: int = 1) -> dict[str, Any]:
        """A widely reported claim's own page, with every report, or page `number` of them
        when they are more than a page (`Layout.report_pages`)."""
        claim = self.site.claims[claim_id]
        page = claim_reports_page(claim.id, number)
        pages = self.pages.report_pages.get(claim_id, 1)
        title = "Claim: " + textwrap.shorten(claim.text, 80, placeholder="…")
        # A later page says nothing of the claim's counts, which each report added would change
        # on every page of them: the claim's own page has them.
        return {**self.common(page, title if pages == 1 else f"{title}, page {number} of {pages}"),
                "claim": self.claim_view(page, claim, every_report=True, counts=number == 1,
                                         shown=self.pages.reports(claim, number)),
                "summary": relative_url(page, self.claim_anchor(claim.id)),
                "pages": pager(page, [claim_reports_page(claim_id, n) for n in range(1, pages + 1)], number)}

    def tags_index(self) -> dict[str, Any]:
        page = "tags/index.html"
        tags = sorted(self.site.tags.values(), key=lambda t: (-len(t.articles), -t.score, t.label))
        most = max((len(t.articles) for t in tags), default=1)
        return {**self.common(page, "Tags"),
                "tags": [{"link": self.tag_link(page, t.id), "articles": len(t.articles),
                          "size": 1 + round(3 * len(t.articles) / most)} for t in tags]}

    def sources(self) -> dict[str, Any]:
        page = "sources.html"
        groups: dict[str, list[Article]] = defaultdict(list)
        for article in self.site.articles:
            groups[self.site.origin_of.get(article.id) or article.id].append(article)
        origin_groups = []
        for origin_id, members in groups.items():
            links = [self.site.copy_link_of[a.id] for a in members if a.id in self.site.copy_link_of]
            origin_groups.append({
                "origin": self.article_link(page, origin_id),
                "members": [self.listing_row(page, a) for a in members],
                "links": [self._copy_evidence(page, edge) for edge in links]})
        return {**self.common(page, "Sources"), "rows": [self.source_row(page, a) for a in self.site.articles],
                "groups": origin_groups, "independent": len(groups)}

    def sources_summary(self) -> dict[str, Any]:
        """The source index of a briefing whose articles are listed a day to a page: the
        days, and the origins rewritten by most articles (each rewrite's shared passages
        are on its day's page)."""
        assert self.pages.sources is not None
        page = "sources.html"
        groups: dict[str, list[Article]] = defaultdict(list)
        for article in self.site.articles:
            groups[self.site.origin_of.get(article.id) or article.id].append(article)
        days = []
        for key, members in self.pages.sources.members.items():
            first = self.site.article_by_id[members[0]]
            days.append({"link": Link(href=relative_url(page, sources_list_page(key)), text=first.date or "Undated"),
                         "date": first.date, "articles": len(members),
                         "continued": key != (first.date or "undated")})
        # The origins rewritten most, a page of them: each article's page names what it
        # rewrites and what rewrites it, and each rewrite's day page shows what it shares
        # (every group with its members was 1.5 MB of this page at 10,000 bench articles).
        rewritten = sorted(((origin, len(members)) for origin, members in groups.items() if len(members) > 1),
                           key=lambda group: -group[1])
        return {**self.common(page, "Sources"), "articles": len(self.site.articles), "days": days,
                "independent": len(groups), "rewritten": len(rewritten),
                "groups": [{**self.listing_row(page, self.site.article_by_id[origin]), "rewrites": articles - 1}
                           for origin, articles in rewritten[:self.site.briefing.page_size]]}

    def sources_list(self, key: str) -> dict[str, Any]:
        """One day's articles in the source index (or part of a long day's), each with the
        passages it shares with the article it rewrites."""
        assert self.pages.sources is not None
        page = sources_list_page(key)
        members = self.pages.sources.members[key]
        day = self.site.article_by_id[members[0]].date
        rows = []
        for article_id in members:
            edge = self.site.copy_link_of.get(article_id)
            rows.append({**self.source_row(page, self.site.article_by_id[article_id]),
                         "copy": self._copy_evidence(page, edge) if edge else None})
        title = f"Sources: {day or 'undated'}"
        return {**self.common(page, title), "heading": title, "rows": rows,
                "summary": relative_url(page, "sources.html")}

    def _copy_evidence(self, page: str, edge: CopyLink) -> dict[str, Any]:
        """A rewrite and its origin, with the passages they share side by side."""
        return {"rewrite": self.article_link(page, edge.copy),
                "source": self.article_link(page, edge.origin),
                "score": edge.score, "containment": edge.containment,
                "passages": [{"rewrite": self.article_link(page, edge.copy, p.copy_paragraph),
                              "source": self.article_link(page, edge.origin, p.origin_paragraph),
                              "copy_text": p.copy_text, "origin_text": p.origin_text}
                             for p in edge.passages]}


class _PagePlan(NamedTuple):
    """How to make one page: its view, and for the page of one article, actor, tag or claim
    (its `kind`) that entity's id, by which `page_inputs.Inputs` hashes its inputs; "" for
    the overview and the claims, sources and actors index pages, "<type>/<n>" for a page
    of the actors index's list of a type, whose inputs it hashes too. The tags index and
    search read more of the site and have no inputs hashed (None).
    A named tuple, as `Page` is: one is made for every page of each build."""

    path: str
    kind: str
    template: str
    view: Callable[[], dict[str, Any]]
    entity: str | None = None


def _pages(views: Views) -> Iterator[_PagePlan]:
    """Every page of the site, in output order."""
    site, pages = views.site, views.pages
    yield _PagePlan("index.html", "index", "index.html", views.index, "")
    if pages.claims is None:
        yield _PagePlan("claims.html", "claims", "claims.html", views.claims, "")
    else:
        yield _PagePlan("claims.html", "claims", "claims_summary.html", views.claims_summary, "")
    if pages.sources is None:
        yield _PagePlan("sources.html", "sources", "sources.html", views.sources, "")
    else:
        yield _PagePlan("sources.html", "sources", "sources_summary.html", views.sources_summary, "")
    yield _PagePlan("actors/index.html", "actors", "actors_index.html", views.actors_index, "")
    yield _PagePlan("tags/index.html", "tags", "tags_index.html", views.tags_index)
    yield _PagePlan("search.html", "search", "search.html", lambda: views.common("search.html", "Search"))
    for article in site.articles:
        yield _PagePlan(article_page(article.id), "article", "article.html", partial(views.article, article.id),
                        article.id)
    for actor_id in site.actors:
        yield _PagePlan(actor_page(actor_id), "actor", "actor.html", partial(views.actor, actor_id), actor_id)
    for actor_type, lists in pages.actor_lists.items():
        for number in range(2, len(lists) + 1):
            yield _PagePlan(actors_list_page(actor_type, number), "actors-list", "actors_list.html",
                            partial(views.actors_list, actor_type, number), f"{actor_type}/{number}")
    for actor_id, chunks in pages.mentions.items():
        for number in range(2, len(chunks) + 1):
            yield _PagePlan(actor_mentions_page(actor_id, number), "actor-mentions", "actor_mentions.html",
                            partial(views.actor_mentions, actor_id, number), f"{actor_id}/{number}")
    for actor_id, chunks in pages.actor_claims.items():
        for number in range(2, len(chunks) + 1):
            yield _PagePlan(actor_claims_page(actor_id, number), "actor-claims", "actor_claims.html",
                            partial(views.actor_claims, actor_id, number), f"{actor_id}/{number}")
    for tag_id in site.tags:
        yield _PagePlan(tag_page(tag_id), "tag", "tag.html", partial(views.tag, tag_id), tag_id)
    for tag_id, chunks in pages.tags.items():
        for number in range(2, len(chunks) + 1):
            yield _PagePlan(tag_articles_page(tag_id, number), "tag-articles", "tag.html",
                            partial(views.tag_articles, tag_id, number), f"{tag_id}/{number}")
    for claim in site.claims.values():
        if has_claim_page(claim):
            yield _PagePlan(claim_page(claim.id), "claim", "claim.html", partial(views.claim, claim.id), claim.id)
            for number in range(2, pages.report_pages.get(claim.id, 1) + 1):
                yield _PagePlan(claim_reports_page(claim.id, number), "claim-reports", "claim.html",
                                partial(views.claim, claim.id, number), f"{claim.id}/{number}")
    for key in pages.claims.members if pages.claims else ():
        yield _PagePlan(claims_list_page(key), "claims-list", "claims_list.html", partial(views.claims_list, key), key)
    for key in pages.sources.members if pages.sources else ():
        yield _PagePlan(sources_list_page(key), "sources-list", "sources_list.html", partial(views.sources_list, key),
                        key)


EVIDENCE_SHOWN = 10
"""Reports listed under a claim on the claims page and in its tables of figures. A claim
reported more often gets a page of its own listing every report (`claim_page`), so the
summary stays a summary: on the 10,000-article bench corpus, where claims are reported by
hundreds of articles each, the claims page listing every report was 129 MB."""


def has_claim_page(claim: Claim) -> bool:
    return len(claim.evidence) > EVIDENCE_SHOWN


class PageReuse(Protocol):
    """What the last build made, where its output file is still there untouched and the
    theme is the same: pages found here are not rendered again."""

    def same_view(self, path: str, view_digest: str) -> bool:
        """Whether the page at `path` was made from a view with this digest."""

    def view_of_same_inputs(self, path: str, inputs_digest: str) -> str | None:
        """The view digest of the page at `path` if it was made from these inputs
        (`Page.inputs_digest`), else None."""

    def views_of_same_inputs(self, pages: Iterable[tuple[str, str | None]]) -> list[str | None]:
        """`view_of_same_inputs` of each (path, inputs digest) in one pass (None for a
        page whose digest is None)."""

    def untouched(self, path: str) -> bool:
        """Whether the file at `path` is as the last build wrote it."""


class _NoReuse:
    """Every page is rendered (no last build, or a changed theme)."""

    def same_view(self, path: str, view_digest: str) -> bool:
        return False

    def view_of_same_inputs(self, path: str, inputs_digest: str) -> str | None:
        return None

    def views_of_same_inputs(self, pages: Iterable[tuple[str, str | None]]) -> list[str | None]:
        return [None for _ in pages]

    def untouched(self, path: str) -> bool:
        return False


def view_digest(template: str, view: Mapping[str, Any]) -> str:
    """Hash of what a page is made from. Rendering is a pure function of the template and
    these values, so an equal digest (with the same theme and code) means equal bytes."""
    return value_digest((template, view))


MIN_POOL_PAGES = 300
"""Fewer pages than this render in this process: forking workers costs more (and `sitegen
serve` rebuilding a small briefing stays in one process)."""


@dataclass(frozen=True, slots=True)
class _Job:
    """What a forked worker needs to render any page of the site, by index."""

    env: jinja2.Environment
    pages: list[_PagePlan]
    reuse: PageReuse
    theme_dirs: Sequence[Path]
    inputs: Inputs | None
    """None when no record of this build will keep the pages' inputs digests (--no-cache)."""
    carried: list[str | None] | None = None
    """Each page's inputs digest kept from the last build (None: to be hashed), when an edit
    left most pages as they were (`carried.carried_inputs`)."""


def _render_page(job: _Job, k: int) -> Page | SitegenError:
    """Page k: kept when its inputs are as in the last build, else its view built and
    hashed, and rendered unless `reuse` keeps the old file. A template error comes back as
    a value: an exception from a worker would lose its problems."""
    plan = job.pages[k]
    inputs = ""
    if job.inputs is not None and plan.entity is not None:
        inputs = (job.carried[k] if job.carried is not None else None) or job.inputs.of(plan.kind, plan.entity)
    if inputs:
        kept = job.reuse.view_of_same_inputs(plan.path, inputs)
        if kept is not None:
            return Page(plan.path, plan.kind, None, kept, rendered=False, inputs_digest=inputs, viewed=False)
    view = plan.view()
    digest = view_digest(plan.template, view)
    if job.reuse.same_view(plan.path, digest):
        return Page(plan.path, plan.kind, None, digest, rendered=False, inputs_digest=inputs)
    try:
        content = job.env.get_template(plan.template).render(view).encode("utf-8")
    except jinja2.TemplateError as error:
        return _template_error(error, plan.template, plan.path, job.theme_dirs)
    return Page(plan.path, plan.kind, content, digest, inputs_digest=inputs)


_FORKED_JOB: _Job | None = None
"""The job render workers inherit when they fork (nothing is pickled to them); set only
while a pool renders, and one build renders at a time."""


def _render_in_worker(batch: Sequence[int]) -> list[Page | SitegenError]:
    assert _FORKED_JOB is not None
    return [_render_page(_FORKED_JOB, k) for k in batch]


PAGES_A_TASK = 8
"""Entity pages a render worker takes at a time (one each would cost more in messages)."""


def _batches(pages: Sequence[_PagePlan], todo: Sequence[int]) -> Iterator[Sequence[int]]:
    """The pages `todo` (their numbers, in order) as workers take them: each index page
    alone, as each reads the whole site (the claims and sources pages are most of a
    rebuild's rendering) and taken together they held one worker while the other ran out
    of pages; then the rest."""
    k = 0
    while k < len(todo) and not pages[todo[k]].entity:
        yield todo[k:k + 1]
        k += 1
    for start in range(k, len(todo), PAGES_A_TASK):
        yield todo[start:start + PAGES_A_TASK]


@dataclass(frozen=True, slots=True)
class RenderedSite:
    """The pages of a build: those found kept at once, and the others as they render."""

    kept: list[Page]
    """Pages whose inputs an edit left as they were (`carried`) and whose files are as the
    last build wrote them: found in one pass, before any page renders, so a rebuild hands
    them on as one list instead of one at a time through each step that follows (51,000
    pages at 10,000 articles)."""
    others: Iterator[Page]
    """Every other page, in a fixed order, rendered (or found unchanged) as it is consumed."""


def rendered_site(site: Site, theme_dirs: Sequence[Path], reuse: PageReuse | None = None,
                  jobs: int = 1, with_inputs: bool = True, carried: CarriedInputs | None = None,
                  environment: jinja2.Environment | None = None, pages: Layout | None = None,
                  records: SiteRecords | None = None) -> RenderedSite:
    """Every HTML page of the briefing: those kept as they were at once, the others one at
    a time, so the caller can write each and let it go (nothing is written here). A page
    whose inputs or view are as they were in the last build is not rendered again when
    `reuse` says its old file is still right (its content is None); without `reuse`,
    every page is rendered.
    With `jobs` > 1 and fork available, worker processes forked with the linked site
    build, hash and render the pages; the bytes are the same. `with_inputs` False: no
    page's inputs are hashed (nothing will keep them for a next build). `carried`: the
    inputs digests of pages an edit left as they were (`carried.carried_inputs`);
    when few pages are left to hash they are done in this process, as forked workers would
    copy more of its memory than they have pages to do (see bench/README.md, the fork tax).
    `environment`: the theme's templates (`theme_environment(theme_dirs)` unless given);
    `pages`: how its lists are split (`layout(site)` unless given); `records`: the site's
    records (`carried.site_records`), whose digests the pages' inputs join where they can."""
    pages = pages or layout(site)
    plans = list(_pages(Views(site, pages)))
    digests = [carried.digest(p.path, p.kind, p.entity) if p.entity is not None else None
               for p in plans] if carried is not None and with_inputs else None
    job = _Job(environment or theme_environment(theme_dirs), plans, reuse or _NoReuse(), theme_dirs,
               Inputs(site, pages, {(p.kind, p.entity): d for p, d in zip(plans, digests, strict=True)
                                    if p.entity is not None and d is not None} if digests else None, records)
               if with_inputs else None, digests)
    kept = _kept_pages(job)
    return RenderedSite([page for page in kept if page is not None], _others(job, kept, jobs))


def _kept_pages(job: _Job) -> list[Page | None]:
    """Each page kept as the last build made it by its carried inputs digest, else None."""
    if job.carried is None:
        return [None] * len(job.pages)
    views = job.reuse.views_of_same_inputs(zip((plan.path for plan in job.pages), job.carried, strict=True))
    return [None if view is None else Page(plan.path, plan.kind, None, view, False, inputs or "", False)
            for plan, inputs, view in zip(job.pages, job.carried, views, strict=True)]


def _others(job: _Job, kept: list[Page | None], jobs: int) -> Iterator[Page]:
    """The pages not `kept`, in order, each rendered or found unchanged; by forked workers
    when there are many."""
    global _FORKED_JOB
    todo = [k for k in range(len(job.pages)) if kept[k] is None]
    if jobs < 2 or len(todo) < MIN_POOL_PAGES or not fork_available():
        yield from (_page_or_raise(_render_page(job, k)) for k in todo)
        return
    _FORKED_JOB = job
    stop = threading.Event()
    ahead = threading.Semaphore(TASKS_AHEAD * jobs)
    try:
        with ForkedPool(jobs) as pool:
            try:
                done = pool.imap(_render_in_worker, _until(stop, _batches(job.pages, todo), ahead))
                for batch in done:
                    for page in batch:
                        yield _page_or_raise(page)
                    ahead.release()
            finally:
                stop.set()  # before the pool is closed (see `_until`)
                ahead.release(TASKS_AHEAD * jobs)  # a feeder waiting for room sees the stop
    finally:
        _FORKED_JOB = None


TASKS_AHEAD = 128
"""Batches of pages a render worker may be given beyond those this process has taken back.
Without a bound the pool's feeder sends every page at once, and rendered pages pile up in
its result queue while this process writes the earlier ones: 46 MB of them at the end of
a cold build at 1,000 articles, where the main process was the largest (215 MB)."""


def _until(stop: threading.Event, tasks: Iterable[T], ahead: threading.Semaphore | None = None) -> Iterator[T]:
    """`tasks` until `stop` is set, each once `ahead` has room for it. The pool's feeder
    thread pulls tasks from this while pages are consumed; when a page fails, the pool is
    closed, and waits for the feeder to run out and the workers to skip what it already sent
    (`ForkedPool`): without this stop the feeder would send every page of the site first."""
    for task in tasks:
        if ahead is not None:
            ahead.acquire()
        if stop.is_set():
            return
        yield task


def _page_or_raise(result: Page | SitegenError) -> Page:
    if isinstance(result, SitegenError):
        raise result
    return result


def _template_error(error: jinja2.TemplateError, template: str, page: str,
                    theme_dirs: Sequence[Path]) -> SitegenError:
    """A theme's template error as a Problem on the template line (jinja2 puts template
    frames in the traceback; the innermost is where it went wrong)."""
    filename: str | None = getattr(error, "filename", None)
    line: int | None = getattr(error, "lineno", None)
    if filename is None:
        for frame, lineno in traceback.walk_tb(error.__traceback__):
            if frame.f_code.co_filename.endswith(".html"):
                filename, line = frame.f_code.co_filename, lineno
    shown = filename or template
    for theme in theme_dirs:  # the site's themes/default/templates/x.html, as the user knows it
        if theme.parent.name == "themes" and filename and Path(filename).resolve().is_relative_to(theme.resolve()):
            shown = Path("themes", theme.name, Path(filename).resolve().relative_to(theme.resolve())).as_posix()
            break
    return SitegenError.single(
        shown, line, f"template error while rendering {page}: {error.message or error}",
        "fix the template in themes/default/templates, or delete it to use the built-in one")

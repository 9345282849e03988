"""Long lists split into pages: the claims and the source index of a large briefing.

A briefing of a few hundred claims and articles keeps each list on one page (claims.html,
sources.html). Past `Briefing.page_size` items one page is too much to open: at 10,000
articles the two were 64 and 73 MB of HTML, and re-rendering them was a third of the
rebuild after adding an article. Then:

- claims are listed by status on pages of their own (`claims/contested-3.html`). Which page
  a claim is on follows from its status and a hash of its id alone, so a link to it from an
  article or actor page stays right as other claims come and go (a page number in list
  order would move every later claim, and every page linking to one). A status with n
  claims gets the least power of two of pages that holds n / page_size each: the pages hold
  between half a page and a page on average, and their number changes only when a status's
  count doubles.
- the source index is split by date (`sources/2024-10-21.html`, `sources/undated.html`): a
  new article changes its own day's page. A day with more than a page of articles goes on
  over `…-2.html`, `…-3.html`.
- an actor with more than a page of mentions (each shown with a snippet) lists the first
  page of them on its own page, and the rest a page at a time (`actors/<id>/mentions-2.html`),
  in reading order, an article's mentions together. So does a tag found in more than a page
  of articles (`tags/<id>/page-2.html`), and the actors index a type of actor with more than a
  page of them (`actors/by-type/person-2.html`).
- an actor with more than a page of claims lists the first page of them on its own page,
  and the rest a page at a time (`actors/<id>/claims-2.html`), in the order the articles
  first report them.
- a claim reported by more than a page of articles lists the first page of its reports on
  its own page and the rest a page at a time (`claims/<id>/reports-2.html`), in the order
  of its own page (by article, then paragraph): at 10,000 bench articles one claim's page
  listed some 4,500 reports, 1.8 MB.

The mentions, a tag's articles and an actor's claims are split where their content says
(`content_pages`), not every `page_size` items: an article added or edited anywhere in the
reading order then changes the page it is on, not every page after it. Filled a page at a
time, an article dated before the last moved every later page of each actor it names and
each tag it has: at 10,000 bench articles, adding one rendered 626 pages, 310 of them
only moved.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sitegen.link import Site
from sitegen.model import Actor, Article, Claim, Evidence
from sitegen.warm import by_identity

CLAIM_STATUSES = ("contested", "unverified", "corroborated", "single-source")
UNDATED = "undated"


@dataclass(frozen=True, slots=True)
class Parts:
    """One list split into pages: each page's key (its file name's stem) with what it
    lists, in order, and which page each item is on."""

    members: Mapping[str, tuple[str, ...]]
    page_of: Mapping[str, str]

    @classmethod
    def of(cls, members: Mapping[str, list[str]]) -> Parts:
        return cls({key: tuple(ids) for key, ids in members.items()},
                   {item: key for key, ids in members.items() for item in ids})


@dataclass(frozen=True, slots=True)
class Layout:
    """How the claims, the source index, actors' mentions and tags' articles are paged;
    None (or no entry, for an actor or tag) where a list fits one page."""

    claims: Parts | None
    claim_pages_by_status: Mapping[str, tuple[str, ...]]
    """The keys of each status's pages, in order (empty when claims fit one page)."""
    sources: Parts | None
    mentions: Mapping[str, tuple[tuple[str, ...], ...]]
    """For each actor with more than a page of mentions: the articles naming it, a page of
    mentions at a time, in reading order (the first page on the actor's own page)."""

    tags: Mapping[str, tuple[tuple[str, ...], ...]]
    """For each tag found in more than a page of articles: those articles, a page at a
    time, in reading order (the first page on the tag's own page)."""

    actor_lists: Mapping[str, tuple[tuple[str, ...], ...]]
    """For each actor type with more than a page of actors: their ids in the actors
    index's order (most mentioned first), a page at a time (the first on the index)."""

    actor_claims: Mapping[str, tuple[tuple[str, ...], ...]]
    """For each actor with more than a page of claims: their ids, a page at a time (the
    first on the actor's own page)."""

    report_pages: Mapping[str, int]
    """For each claim with more than a page of reports: how many pages list them (the
    claims that have a page of their own, `render.has_claim_page`, use it)."""
    page_size: int

    def claims_of(self, actor_id: str, made: Sequence[str], number: int) -> Sequence[str]:
        """The claims (`made`: all of them, in order) an actor's page `number` (from 1)
        lists: all of them when they fit one page."""
        chunks = self.actor_claims.get(actor_id)
        return chunks[number - 1] if chunks else made

    def reports(self, claim: Claim, number: int) -> list[Evidence]:
        """The reports of `claim` on page `number` (from 1) of its reports: all of them
        when they fit one page."""
        ordered = reports_in_order(claim)
        if claim.id not in self.report_pages:
            return ordered
        return ordered[(number - 1) * self.page_size:number * self.page_size]

    def claim_page_key(self, claim_id: str) -> str | None:
        return self.claims.page_of[claim_id] if self.claims else None


def layout(site: Site) -> Layout:
    """How the pages of a site's claims, source index, actors' mentions and tags are split."""
    page_size = site.briefing.page_size
    claim_parts, by_status, report_pages = _claim_split(site.claims, page_size)
    articles = site.articles
    source_parts = Parts.of(articles_by_page(articles, page_size)) if len(articles) > page_size else None
    mentions, actor_lists = _actor_split(site.actors, site.article_rank, page_size)
    tags = {}
    for tag in site.tags.values():
        if len(tag.articles) > page_size:
            ordered = sorted(tag.articles, key=site.article_rank.__getitem__)
            tags[tag.id] = content_pages(ordered, None, page_size)
    actor_claims = {a: content_pages(ids, None, page_size)
                    for a, ids in site.claims_of_actor.items() if len(ids) > page_size}
    return Layout(claim_parts, by_status, source_parts, mentions, tags, actor_lists, actor_claims, report_pages,
                  page_size)


_ClaimSplit = tuple[Parts | None, dict[str, tuple[str, ...]], dict[str, int]]
_ActorSplit = tuple[dict[str, tuple[tuple[str, ...], ...]], dict[str, tuple[tuple[str, ...], ...]]]


@by_identity
def _claim_splits(claims: Mapping[str, Claim]) -> list[tuple[int, _ClaimSplit]]:
    """The last `_claim_split` of the very same claims, with its page size. A process that
    builds again and again gets the very claims back after most edits (`link.index_claims`),
    and their split with them (with the actors', 0.57 s of a rebuild in `sitegen serve` at
    10,000 articles in cProfile: a hash of each of 80,000 claim ids)."""
    return []


@by_identity
def _actor_splits(actors: Mapping[str, Actor]) -> list[tuple[Mapping[str, int], int, _ActorSplit]]:
    """The last `_actor_split` of the very same actors (`link.index_actors`), with the
    articles' order and the page size it was made for (every actor's mentions counted by
    article)."""
    return []


def _claim_split(claims: Mapping[str, Claim], page_size: int) -> _ClaimSplit:
    """The claims list's pages and their keys by status, and how many pages of reports each
    claim with more reports than a page holds has."""
    kept = _claim_splits(claims)
    if kept and kept[0][0] == page_size:
        return kept[0][1]
    claim_parts: Parts | None = None
    by_status: dict[str, tuple[str, ...]] = {}
    if len(claims) > page_size:
        members = claims_by_page(list(claims.values()), page_size)
        claim_parts = Parts.of(members)
        by_status = {s: tuple(k for k in members if k == s or k.startswith(s + "-")) for s in CLAIM_STATUSES}
    report_pages = {c.id: -(-len(c.evidence) // page_size) for c in claims.values() if len(c.evidence) > page_size}
    split = (claim_parts, by_status, report_pages)
    kept[:] = [(page_size, split)]
    return split


def _actor_split(actors: Mapping[str, Actor], article_rank: Mapping[str, int], page_size: int) -> _ActorSplit:
    """Each actor's pages of mentions (by article, in briefing order) and the actors
    index's pages of each type."""
    kept = _actor_splits(actors)
    if kept and kept[0][1] == page_size and kept[0][0] == article_rank:
        return kept[0][2]
    mentions = {}
    for actor in actors.values():
        if len(actor.mentions) > page_size:
            per_article = Counter(m.article for m in actor.mentions)
            ordered = sorted(per_article, key=article_rank.__getitem__)
            pages = content_pages(ordered, per_article, page_size)  # an article's mentions together
            if len(pages) > 1:
                mentions[actor.id] = pages
    by_type: dict[str, list[str]] = defaultdict(list)
    for actor in sorted(actors.values(), key=actors_index_order):
        by_type[actor.type].append(actor.id)
    actor_lists = {t: chunked(ids, page_size) for t, ids in by_type.items() if len(ids) > page_size}
    kept[:] = [(article_rank, page_size, (mentions, actor_lists))]
    return mentions, actor_lists


def reports_in_order(claim: Claim) -> list[Evidence]:
    """A claim's reports as pages list them: by article, then paragraph."""
    return sorted(claim.evidence, key=lambda e: (e.article, e.paragraph))


def actors_index_order(actor: Actor) -> tuple[int, str]:
    """Most mentioned first, then by name: the order of the actors index."""
    return -len(actor.mentions), actor.name


MATRIX_ACTORS = 8
"""Actors in the actors index's table of who appears with whom."""


def matrix_actors(actors: Iterable[Actor]) -> list[str]:
    """The ids of the actors the actors index sets against each other: the most mentioned,
    ties by id (`render.Views.actors_index`, and the page's inputs in `page_inputs`)."""
    return [a.id for a in sorted(actors, key=lambda a: (-len(a.mentions), a.id))][:MATRIX_ACTORS]


MIN_FILL = 0.5
"""The share of a page filled before content may end it (`content_pages`)."""


def content_pages(items: Sequence[str], weights: Mapping[str, int] | None,
                  page_size: int) -> tuple[tuple[str, ...], ...]:
    """`items` in order, split into pages of at most `page_size` weight (`weights`, 1 each
    when None; an item heavier than a page has a page of its own) at ends the items choose
    themselves: content-defined chunking, as backup tools cut files into blocks.

    A page ends after the item with the least hash of its id among those that would end it
    between `MIN_FILL` and all of `page_size`; the rest of the list, if it fits, is the last
    page. An item added, removed or reweighed shifts that window by its weight, which seldom
    moves the least hash out of it: its own page changes and the next page ends where it
    did. Pages hold 75% of `page_size` on average. Filling each page in turn instead moved
    every page after the change (a tag's articles, each of weight 1, never fell back into
    step). On 20,000 items weighing 1 to 6, an item inserted at 95 points moved 1.05-2.33
    pages on average (at most 3-9) at page sizes 250-20; ending a page at the first item
    past 60% of it whose hash fell under a threshold, the usual rule, moved 1.66-5.06 (at
    most 12-34) and filled pages to 70%: how soon such an item comes depends on where the
    page started, so a shift carried on."""
    weight = [1] * len(items) if weights is None else [weights[item] for item in items]
    rank = [_id_hash(item) for item in items]
    fill = MIN_FILL * page_size
    pages: list[tuple[str, ...]] = []
    start = 0
    while start < len(items):
        held, end, best = 0, start, -1
        while end < len(items) and (end == start or held + weight[end] <= page_size):
            held += weight[end]
            if held >= fill and (best < 0 or rank[end] < rank[best]):
                best = end
            end += 1
        if end == len(items) or best < 0:  # the rest fits, or the next item would overflow a half-full page
            best = end - 1
        pages.append(tuple(items[start:best + 1]))
        start = best + 1
    return tuple(pages)


def claims_by_page(claims: list[Claim], page_size: int) -> dict[str, list[str]]:
    """Each page of the claims list (its key) with its claims, in the order given."""
    counts: dict[str, int] = defaultdict(int)
    for claim in claims:
        counts[claim.status] += 1
    bits = {status: _bits_for(counts[status], page_size) for status in CLAIM_STATUSES}
    members: dict[str, list[str]] = {}
    for status in CLAIM_STATUSES:  # a status with claims has all its pages, an empty one too
        for n in range(1, 2 ** bits[status] + 1 if counts[status] else 1):
            members[_claim_key(status, bits[status], n)] = []
    for claim in claims:
        n = 1 + (_id_hash(claim.id) >> (32 - bits[claim.status]) if bits[claim.status] else 0)
        members[_claim_key(claim.status, bits[claim.status], n)].append(claim.id)
    return members


def _bits_for(count: int, page_size: int) -> int:
    """The least k with count <= page_size * 2**k (at most 2**16 pages a status)."""
    bits = 0
    while count > page_size << bits and bits < 16:
        bits += 1
    return bits


def _claim_key(status: str, bits: int, n: int) -> str:
    return f"{status}-{n}" if bits else status


def _id_hash(item: str) -> int:
    """32 bits of a hash of an id, the same in every process (not Python's salted `hash`):
    claim ids are hashes already, but this does not rely on it."""
    return int.from_bytes(hashlib.sha256(item.encode("utf-8")).digest()[:4], "big")


def articles_by_page(articles: Sequence[Article], page_size: int) -> dict[str, list[str]]:
    """Each page of the source index (its key) with its articles, in the order given."""
    by_day: dict[str, list[str]] = {}
    for article in articles:
        by_day.setdefault(article.date or UNDATED, []).append(article.id)
    members: dict[str, list[str]] = {}
    for day, ids in by_day.items():
        for n, page in enumerate(chunked(ids, page_size), start=1):
            members[day if n == 1 else f"{day}-{n}"] = list(page)
    return members


def chunked(items: Sequence[str], page_size: int) -> tuple[tuple[str, ...], ...]:
    """`items` a page at a time, in order."""
    return tuple(tuple(items[k:k + page_size]) for k in range(0, len(items), page_size))

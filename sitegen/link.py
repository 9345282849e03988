"""Analysis to Site: the id indexes, backlinks and co-mentions every page is rendered from.

Objects refer to each other by id; this is the one place those ids are resolved (Zola's
`Library`, Sphinx's resolve phase). A dangling id is a bug in an analyser, so it fails loudly.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from sitegen.analyse.arrays import run_bounds, sorted_unique
from sitegen.analyse.mentions_by_article import (
    MOST_CHANGED,
    ArticleMentions,
    actors_in,
    mentions_by_article,
    reports_by_article,
)
from sitegen.model import Actor, Analysis, Article, Briefing, Claim, CopyLink, Evidence, Mention, Tag
from sitegen.warm import PerRecord, by_identity


@dataclass(frozen=True, slots=True)
class Site:
    """The whole briefing, resolved: what render.py and export.py read."""

    briefing: Briefing
    articles: tuple[Article, ...]
    """Sorted by date (undated last), then id: the order of briefing.json and the source index."""
    actors: Mapping[str, Actor]
    claims: Mapping[str, Claim]
    """In order of first report (the claims page's order); ids are hashes, not positions."""
    tags: Mapping[str, Tag]
    article_by_id: Mapping[str, Article]
    actors_of_article: Mapping[str, tuple[str, ...]]
    """Article id -> actor ids, most mentioned first."""
    claims_of_article: Mapping[str, tuple[str, ...]]
    """Article id -> claim ids in the order its text first reports them."""
    tags_of_article: Mapping[str, tuple[str, ...]]
    claims_of_actor: Mapping[str, tuple[str, ...]]
    """Actor id -> ids of the claims it made (as speaker)."""
    co_mentions: Mapping[str, tuple[tuple[str, int], ...]]
    """Actor id -> (other actor id, paragraphs they share), most shared first."""
    origin_of: Mapping[str, str | None]
    copies_of: Mapping[str, tuple[CopyLink, ...]]
    """Article id -> links from the articles that rewrite it."""
    copy_link_of: Mapping[str, CopyLink]
    """Article id -> the link to the article it rewrites directly."""
    article_rank: Mapping[str, int]
    """Article id -> its position in `articles`, to list any subset in briefing order."""
    members_of: Mapping[str, tuple[str, ...]]
    """Actor id -> ids of the actors affiliated with it."""
    mentions_in_article: Mapping[str, tuple[tuple[str, Mention], ...]]
    """Article id -> (actor id, mention) for every mention in it: the article page's links."""
    evidence_in_article: Mapping[str, tuple[tuple[str, Evidence], ...]]
    """Article id -> (claim id, evidence) for every claim it reports."""
    tag_paragraphs_in_article: Mapping[str, tuple[tuple[str, int], ...]]
    """Article id -> (tag id, paragraph) for every paragraph a tag occurs in."""
    outlets_of_claim: Mapping[str, int]
    """Claim id -> how many distinct outlets report it (an article without an outlet counts
    alone): counted once here, though a claim is listed on the page of every article reporting it."""


def article_order(article: Article) -> tuple[bool, str, str]:
    """Dated articles first, oldest first; then undated; ties by id."""
    return (article.date is None, article.date or "", article.id)


@dataclass(frozen=True)
class ActorIndexes:
    """What the site's indexes take from the actors alone (`by_identity`: a warm process
    whose edit left the actors as they were makes them once). Read only."""

    actors: dict[str, Actor]
    actors_of_article: dict[str, tuple[str, ...]]
    members_of: dict[str, tuple[str, ...]]
    mentions_in_article: dict[str, tuple[tuple[str, Mention], ...]]
    co_mentions: dict[str, tuple[tuple[str, int], ...]]


@by_identity
def index_actors(actors: tuple[Actor, ...]) -> ActorIndexes:
    """What `link` takes from the actors alone (who is mentioned where, who appears with
    whom), made once for the very same tuple. A build calls this while its tags stage is
    still running in a child, time its main process would spend waiting: 0.1 s of the link
    stage of an edit rebuilt at 1,000 articles. The mentions by article are the groups of
    `mentions_by_article`, which an edit changes only for the articles it changed."""
    members_of: dict[str, list[str]] = defaultdict(list)
    for actor in actors:
        if actor.affiliation:
            members_of[actor.affiliation].append(actor.id)
    groups = mentions_by_article(actors)
    return ActorIndexes(
        actors={a.id: a for a in sorted(actors, key=lambda a: a.id)},
        actors_of_article=_KEPT.by_key("actors of article", groups, actors_in),
        members_of={aid: tuple(sorted(ids)) for aid, ids in members_of.items()},
        mentions_in_article=groups,
        co_mentions=co_mentions(actors),
    )


_KEPT = PerRecord()
"""Each article's actors, most mentioned first, kept by its group of mentions
(`mentions_by_article`), and its claims in reading order, by its group of reports
(`reports_by_article`): an edit changes the groups of the articles it changed alone."""


def _co_mentions(actors: tuple[Actor, ...]) -> dict[str, tuple[tuple[str, int], ...]]:
    """Who appears with whom: for each actor named beside another in some paragraph, every
    such other with the number of paragraphs they share, most shared first (ties by id),
    the actors in the order given. Most of what the actors' indexes cost, so a build keeps
    it in the cache with the actors (`ByIdentity.through`; 12 ms to read back).

    Counted with numpy, the actors and paragraphs as integers (each actor once a paragraph,
    then every ordered pair within a paragraph, then equal pairs), where a set of actors a
    paragraph and a `Counter` of their pairs took 1.2-1.4 s of every rebuild whose actors
    an edit changed at 10,000 articles (720,000 mentions, 505,000 pairs): 0.4-0.5 s."""
    actor_count = len(actors)
    mentions = [m for a in actors for m in a.mentions]
    if not mentions:
        return {}
    # Each mention as integers: its article, its paragraph, its actor's place in `actors`.
    article_number: dict[str, int] = {}
    article = np.fromiter((article_number.setdefault(m.article, len(article_number)) for m in mentions),
                          dtype=np.int64, count=len(mentions))
    paragraph = np.fromiter((m.paragraph for m in mentions), dtype=np.int64, count=len(mentions))
    owner = np.repeat(np.arange(actor_count, dtype=np.int64), [len(a.mentions) for a in actors])
    # Each actor once a paragraph, in paragraph order; then every ordered pair within one.
    in_paragraph = sorted_unique((article * (int(paragraph.max()) + 1) + paragraph) * actor_count + owner)
    place, owner = np.divmod(in_paragraph, actor_count)
    left, right = _pairs_within_runs(run_bounds(place))
    # Equal pairs counted: the paragraphs each pair shares.
    pair = np.sort(owner[left] * actor_count + owner[right])
    bounds = run_bounds(pair)
    shared = np.diff(bounds)
    left, right = np.divmod(pair[bounds[:-1]], actor_count)
    # Each actor's others, most shared first, then by id.
    ids = [a.id for a in actors]
    id_rank = np.empty(actor_count, dtype=np.int64)
    id_rank[sorted(range(actor_count), key=ids.__getitem__)] = np.arange(actor_count)
    order = np.lexsort((id_rank[right], -shared, left))
    left, found = left[order], zip(map(ids.__getitem__, right[order].tolist()), shared[order].tolist(), strict=True)
    cuts = run_bounds(left)
    return {ids[actor]: tuple(itertools.islice(found, others))
            for actor, others in zip(left[cuts[:-1]].tolist(), np.diff(cuts).tolist(), strict=True)}


CoMentions = dict[str, tuple[tuple[str, int], ...]]
"""Actor id -> (other actor id, paragraphs they share), most shared first (`co_mentions`)."""


def _co_mentions_after(actors: tuple[Actor, ...], last_actors: tuple[Actor, ...], last: CoMentions) -> CoMentions:
    """`_co_mentions(actors)` from `last`, made for `last_actors`: the paragraphs of the
    articles whose mentions changed (`mentions_by_article`'s groups that are not the very
    ones of then) are counted out as they were and in as they are, and only the actors
    whose counts moved get their others sorted again. An edit naming someone new counted
    every pair of 720,000 mentions at 10,000 articles again (0.4-0.75 s); it changes one
    article's. `last` may have been read from the cache: the groups it was counted from are
    those of `last_actors`, which the last build grouped (`index_actors`)."""
    then = mentions_by_article(last_actors)
    groups = mentions_by_article(actors)
    touched = [article for article in groups.keys() | then.keys() if groups.get(article) is not then.get(article)]
    if len(touched) * MOST_CHANGED > len(groups):  # counting them whole costs less
        return _co_mentions(actors)
    delta: Counter[tuple[str, str]] = Counter()
    for article in touched:
        for sign, group in ((-1, then.get(article, ())), (1, groups.get(article, ()))):
            for together in _actors_by_paragraph(group):
                for x, y in itertools.permutations(together, 2):
                    delta[x, y] += sign
    others: dict[str, dict[str, int]] = {}
    for (x, y), change in delta.items():
        if change:
            counts = others.get(x)
            if counts is None:
                counts = others[x] = dict(last.get(x, ()))
            counts[y] = counts.get(y, 0) + change
    moved = {x: tuple(sorted(((y, n) for y, n in counts.items() if n), key=lambda pair: (-pair[1], pair[0])))
             for x, counts in others.items()}
    out = {}
    for actor in actors:
        entry = moved[actor.id] if actor.id in moved else last.get(actor.id)
        if entry:
            out[actor.id] = entry
    return out


def _actors_by_paragraph(group: ArticleMentions) -> list[set[str]]:
    """The actors each paragraph of one article names (two or more: a pair to count)."""
    named: dict[int, set[str]] = defaultdict(set)
    for actor_id, m in group:
        named[m.paragraph].add(actor_id)
    return [ids for ids in named.values() if len(ids) > 1]


co_mentions = by_identity(_co_mentions, update=_co_mentions_after)
"""Who appears with whom (`_co_mentions`), made once for the very same tuple of actors, and
for another from the last where only some articles' mentions changed (`_co_mentions_after`)."""


def _pairs_within_runs(bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair of different positions within one run (`arrays.run_bounds`):
    each position of a run of k, repeated k times, beside each position of its run."""
    sizes = np.diff(bounds)
    size_of, start_of = np.repeat(sizes, sizes), np.repeat(bounds[:-1], sizes)
    shared = np.flatnonzero(size_of > 1)  # most paragraphs name one actor: no pair
    times = size_of[shared]
    left = np.repeat(shared, times)
    right = np.repeat(start_of[shared], times) + np.arange(len(left)) - np.repeat(np.cumsum(times) - times, times)
    different = left != right
    return left[different], right[different]


@dataclass(frozen=True)
class ClaimIndexes:
    """What the site's indexes take from the claims alone (`by_identity`, as `ActorIndexes`).
    Read only."""

    claims: dict[str, Claim]
    claims_of_article: dict[str, tuple[str, ...]]
    claims_of_actor: dict[str, tuple[str, ...]]
    evidence_in_article: dict[str, tuple[tuple[str, Evidence], ...]]
    _outlets: list[tuple[dict[str, str], dict[str, int]]] = field(default_factory=list, compare=False, repr=False)

    def outlets_of_claim(self, outlet_of: dict[str, str]) -> dict[str, int]:
        """`Site.outlets_of_claim`, given each article's outlet (its id when it has none),
        kept while the articles' outlets stay as they were."""
        if self._outlets and self._outlets[0][0] == outlet_of:
            return self._outlets[0][1]
        counts = {c.id: len({outlet_of[e.article] for e in c.evidence}) for c in self.claims.values()}
        self._outlets[:] = [(outlet_of, counts)]
        return counts


@by_identity
def index_claims(claims: tuple[Claim, ...]) -> ClaimIndexes:
    """Which articles report each claim and who makes it, made once for the very same tuple:
    a warm process whose edit left the claims as they were (the ledger kept, most edits)
    takes them as they were; 210,000 reports at 10,000 articles. The reports by article are
    the groups of `reports_by_article`, which an edit changes only for the articles it
    changed."""
    claims_of_actor: dict[str, list[str]] = defaultdict(list)
    for claim in claims:
        if claim.speaker:
            claims_of_actor[claim.speaker].append(claim.id)
    groups = reports_by_article(claims)
    return ClaimIndexes(
        claims={c.id: c for c in claims},
        claims_of_article=_KEPT.by_key("claims of article", groups, _in_reading_order),
        claims_of_actor={aid: tuple(ids) for aid, ids in claims_of_actor.items()},
        evidence_in_article=groups,
    )


def _in_reading_order(rows: Sequence[tuple[str, Evidence]]) -> tuple[str, ...]:
    """An article's claims in the order its text first reports them (its claim markers
    are numbered in this order)."""
    first: dict[str, tuple[int, int]] = {}
    for k, (claim_id, evidence) in enumerate(rows):
        if claim_id not in first or (evidence.paragraph, k) < first[claim_id]:
            first[claim_id] = (evidence.paragraph, k)
    return tuple(sorted(first, key=first.__getitem__))


def _check_ids(analysis: Analysis, article_ids: set[str], by_actor: ActorIndexes, by_claim: ClaimIndexes) -> None:
    """Every id an actor or claim names is an actor's or an article's. The site's indexes,
    made once for the very same tuples, already key the ids named (affiliations, speakers,
    the articles of mentions and evidence): a warm process whose edit left the records as
    they were checks their keys (walking a million mentions took 0.35 s of a rebuild in
    `sitegen serve` at 10,000 articles); the records at fault are looked for on a failure."""
    actor_ids = by_actor.actors.keys()
    if (by_actor.members_of.keys() <= actor_ids and by_claim.claims_of_actor.keys() <= actor_ids
            and by_actor.mentions_in_article.keys() <= article_ids
            and by_claim.evidence_in_article.keys() <= article_ids):
        return
    for actor in analysis.actors:
        assert actor.affiliation is None or actor.affiliation in actor_ids, actor
        assert all(m.article in article_ids for m in actor.mentions), actor.id
    for claim in analysis.claims:
        assert claim.speaker is None or claim.speaker in actor_ids, claim
        assert all(e.article in article_ids for e in claim.evidence), claim.id


def link(briefing: Briefing, articles: tuple[Article, ...], analysis: Analysis) -> Site:
    """Resolve ids into the indexes the pages need."""
    article_by_id = {a.id: a for a in articles}
    by_actor = index_actors(analysis.actors)
    by_claim = index_claims(analysis.claims)
    _check_ids(analysis, set(article_by_id), by_actor, by_claim)
    tags_of_article: dict[str, list[str]] = defaultdict(list)
    tag_paragraphs: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for tag in analysis.tags:
        for article_id in tag.articles:
            tags_of_article[article_id].append(tag.id)
        for occurrence in tag.occurrences:
            tag_paragraphs[occurrence.article].append((tag.id, occurrence.paragraph))
    ordered = tuple(sorted(articles, key=article_order))
    copies_of: dict[str, list[CopyLink]] = defaultdict(list)
    for copy_link in analysis.sources.links:
        copies_of[copy_link.origin].append(copy_link)

    return Site(
        briefing=briefing,
        articles=ordered,
        actors=by_actor.actors,
        claims=by_claim.claims,
        tags={t.id: t for t in sorted(analysis.tags, key=lambda t: t.id)},
        article_by_id=article_by_id,
        actors_of_article=by_actor.actors_of_article,
        claims_of_article=by_claim.claims_of_article,
        tags_of_article={aid: tuple(sorted(ids)) for aid, ids in tags_of_article.items()},
        claims_of_actor=by_claim.claims_of_actor,
        co_mentions=by_actor.co_mentions,
        origin_of={a.id: analysis.sources.origin_of.get(a.id) for a in articles},
        copies_of={aid: tuple(sorted(links, key=lambda edge: edge.copy)) for aid, links in copies_of.items()},
        copy_link_of={edge.copy: edge for edge in analysis.sources.links},
        article_rank={a.id: rank for rank, a in enumerate(ordered)},
        members_of=by_actor.members_of,
        mentions_in_article=by_actor.mentions_in_article,
        evidence_in_article=by_claim.evidence_in_article,
        tag_paragraphs_in_article={aid: tuple(sorted(rows)) for aid, rows in tag_paragraphs.items()},
        outlets_of_claim=by_claim.outlets_of_claim({a.id: a.outlet or a.id for a in articles}),
    )

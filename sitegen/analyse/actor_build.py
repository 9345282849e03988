"""Actors from clusters of names (`aliases.join_keys`): what each is, what it is called, its
role and affiliation, and where it is named; made again only where an edit touched them.

What a cluster gives its actor depends on the cluster alone (`ClusterFacts`: its keys, the
names its keys carry, its candidates), except which cluster its affiliation is and its id,
which depend on every cluster. So a process that builds again and again keeps each
cluster's facts (`LastActors`, in `MergeMemory`) and its next build makes again only those
of clusters that changed: new keys, or a candidate from an article whose names changed; the
affiliations and ids are then given out for all, as before, and an actor whose facts, id and
affiliation are as they were is the very object it was (what is made from it downstream, a
line of briefing.json, is kept by its identity). The actors are those of making every
cluster again (tests/test_actors.py compares both).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from sitegen.analyse.actor_tally import Tally, best_role, cluster_type, display_name, owners, tally, votes
from sitegen.analyse.aliases import ArticleKeys, Cluster, JoinedKeys, Placed, article_keys, join_keys, name_key
from sitegen.analyse.candidates import ArticleNames, Candidate
from sitegen.analyse.gazetteer import fold
from sitegen.analyse.roles import Role
from sitegen.model import Actor, ActorType, Mention
from sitegen.warm import kept_when_equal


@dataclass(frozen=True, slots=True)
class ClusterFacts:
    """What a cluster gives its actor, from its keys, its names and its candidates alone."""

    names: tuple[str, ...]
    """The names its keys carry without a mention (`Cluster.names`): part of what it is made from."""
    defined: bool
    """`Cluster.defined`: part of what it is made from."""
    type: ActorType | None
    """What `actor_tally.cluster_type` makes of it; None: not an actor, unless another names
    it as its affiliation."""
    shown: ActorType
    """Its actor's type: `type`, or, when it is no actor of its own, what it is as someone's
    affiliation."""
    name: str
    """The name its page is titled with, as a `shown`."""
    slug: str
    role: Role | None
    votes: tuple[tuple[str, int], ...]
    """Votes for its affiliation, by the key of the state or organisation its titles name."""
    owners: tuple[str, ...]
    """Holders of the offices among its names ("Yoon's office"), sorted."""
    mentions: tuple[Mention, ...]
    aliases: tuple[str, ...]
    tally: Tally | None = None
    """What its candidates add up to, for a large cluster (`TALLY_MIN`)."""

    @property
    def drafted(self) -> bool:
        """Whether it is an actor of its own (`is_drafted`)."""
        return is_drafted(self.type, self.mentions)


def is_drafted(kind: str | None, mentions: Sequence[Mention]) -> bool:
    """Whether a cluster of this type and these mentions is an actor of its own, else
    only someone's affiliation."""
    return kind is not None and bool(mentions)


@dataclass(frozen=True, slots=True)
class LastActors:
    """What the last build made its actors from, for the next (`build_actors`)."""

    digests: Mapping[str, str]
    """Article id -> a digest of the names found in it."""
    outlets: frozenset[str]
    results: Mapping[str, ArticleNames]
    """Article id -> the names found in it (to count an edited article's old ones out)."""
    keyed: Mapping[str, ArticleKeys]
    """Article id -> the keys of those names."""
    facts: Mapping[tuple[str, ...], ClusterFacts]
    """Each cluster's facts, by its keys."""
    cluster_of_key: Mapping[str, tuple[str, ...]]
    """Each key's cluster, by the cluster's keys."""
    actors: Mapping[tuple[str, ...], tuple[ClusterFacts, Actor]] = field(default_factory=dict)
    """The actor each cluster gave, with the facts it was made from."""

    def holding(self, actors: Iterable[Actor]) -> LastActors:
        """These facts, each actor replaced by the equal one among `actors` (the same
        actors, read back from the cache)."""
        held = kept_when_equal((a for _, a in self.actors.values()), actors)
        return replace(self, actors={keys: (f, a) for (keys, (f, _)), a in zip(self.actors.items(), held, strict=True)})


@dataclass(slots=True)
class MergeMemory:
    """The last merge's `LastActors`, kept by a process that builds again and again
    (`sitegen serve`). Only there: read back from the disk cache by a build from the
    command line, they took as long as the clusters they spared (1,000 articles: 4.0-4.8 s
    against 3.7-4.3 s for an edit naming someone new, and 19 MB more)."""

    last: LastActors | None = None


def build_actors(results: Sequence[ArticleNames], outlets: frozenset[str] = frozenset()) -> list[Actor]:
    """Actors from per-article candidates: merge, type, name, role and affiliation."""
    return build_actors_after(results, outlets)[0]


def build_actors_after(results: Sequence[ArticleNames], outlets: frozenset[str] = frozenset(),
                       digests: Sequence[str] | None = None, last: LastActors | None = None,
                       ) -> tuple[list[Actor], LastActors | None]:
    """`build_actors` for `results` in article id order, taking from `last` the facts of
    every cluster whose keys and names are as they were then and which no changed article
    names (now or then), updating the tallies of large ones such an article names, and
    giving back the very actor where its facts, id and affiliation are as they were;
    `digests` (one per result: a digest of its names) tell which articles' names changed.
    Returns the actors and what to pass as `last` next time (None without `digests`)."""
    usable = last if last is not None and digests is not None and last.outlets == outlets else None
    joined = join_keys(results, [_keys_of(r, usable) for r in results])
    facts: list[ClusterFacts | None] = [None] * len(joined.clusters)
    if usable is not None and digests is not None:
        facts = _Update(joined, _changed_articles(results, digests, usable), usable).facts(outlets)
    todo = {n for n, f in enumerate(facts) if f is None}
    if todo:
        joined.place(None if len(todo) == len(facts) else todo)
    made = [f if f is not None else cluster_facts(c, outlets) for f, c in zip(facts, joined.clusters, strict=True)]
    actors, by_keys = _actors(joined, made, usable.actors if usable is not None else {})
    if digests is None:
        return actors, None
    kept = {tuple(c.keys): f for c, f in zip(joined.clusters, made, strict=True)}
    return actors, LastActors(
        digests=dict(zip((r.article for r in results), digests, strict=True)), outlets=outlets,
        results={r.article: r for r in results},
        keyed={r.article: k for r, k in zip(results, joined.keyed, strict=True)}, facts=kept,
        cluster_of_key={key: keys for keys in kept for key in keys}, actors=by_keys)


def _keys_of(result: ArticleNames, last: LastActors | None) -> ArticleKeys:
    """The article's keys: the last merge's, when made from these very names."""
    if last is not None and last.results.get(result.article) is result:
        return last.keyed[result.article]
    return article_keys(result)


def _changed_articles(results: Sequence[ArticleNames], digests: Sequence[str], last: LastActors) -> set[str]:
    """Articles whose names are not those `last` was made from (added, edited or gone)."""
    now = dict(zip((r.article for r in results), digests, strict=True))
    return {a for a, d in now.items() if last.digests.get(a) != d} | (last.digests.keys() - now.keys())


_Keyed = list[tuple[int, Candidate, str]]
"""An article's candidates with their index and key."""


class _Update:
    """The clusters' facts after the changed articles' names changed: those of `last` where
    nothing they are made from moved, updated where a tally allows, else None (made again
    from the cluster's candidates)."""

    def __init__(self, joined: JoinedKeys, changed: set[str], last: LastActors) -> None:
        self.joined, self.changed, self.last = joined, changed, last
        self.now: dict[str, _Keyed] = {
            result.article: [(i, c, key) for i, (c, key) in enumerate(zip(result.candidates, keyed.keys, strict=True))]
            for result, keyed in zip(joined.results, joined.keyed, strict=True) if result.article in changed}
        self.then: dict[str, _Keyed] = {
            article: [(i, c, key) for i, (c, key) in enumerate(zip(last.results[article].candidates,
                                                                   last.keyed[article].keys, strict=True))]
            for article in sorted(changed) if article in last.results}
        self.touched = {key for keyed in self.now.values() for _, _, key in keyed}
        """Keys the changed articles name now."""
        self.hit = {last.cluster_of_key[key] for keyed in self.then.values() for _, _, key in keyed
                    if key in last.cluster_of_key}
        """The last build's clusters (by keys) the changed articles named then."""

    def facts(self, outlets: frozenset[str]) -> list[ClusterFacts | None]:
        return [self._facts(cluster, outlets) for cluster in self.joined.clusters]

    def _facts(self, cluster: Cluster, outlets: frozenset[str]) -> ClusterFacts | None:
        keys = tuple(cluster.keys)
        old = self.last.facts.get(keys)
        if old is None or old.defined != cluster.defined or old.names != tuple(cluster.names):
            return None
        if keys not in self.hit and self.touched.isdisjoint(keys):
            return old
        if old.tally is None:
            return None
        members = frozenset(keys)
        then = {a: [(i, c) for i, c, key in keyed if key in members] for a, keyed in self.then.items()}
        now = {a: [(i, c) for i, c, key in keyed if key in members] for a, keyed in self.now.items()}
        counted = old.tally.copy()
        for article, items in then.items():
            if items:
                counted.add(article, items, -1)
        for article, items in now.items():
            if items:
                counted.add(article, items)
        counted.in_order()
        mentions = [m for m in old.mentions if m.article not in self.changed]
        for article, items in sorted(now.items()):
            if items:  # mentions are in article order, and never span two articles
                at = bisect.bisect_left(mentions, article, key=_article_of)
                mentions[at:at] = _mentions([Placed(article, i, c) for i, c in items])
        return facts_from(counted, tuple(mentions), cluster, outlets)


def _article_of(mention: Mention) -> str:
    return mention.article


def cluster_facts(cluster: Cluster, outlets: frozenset[str]) -> ClusterFacts:
    """What `cluster` (its candidates placed) gives its actor."""
    return facts_from(tally(cluster.items), _mentions(cluster.items), cluster, outlets)


def facts_from(counted: Tally, mentions: tuple[Mention, ...], cluster: Cluster,
               outlets: frozenset[str]) -> ClusterFacts:
    """What a cluster gives its actor, from the tally and the mentions of its candidates."""
    kind = cluster_type(counted, cluster.keys, cluster.defined, cluster.names, outlets)
    drafted = is_drafted(kind, mentions)
    shown = kind or ("state" if any(k.startswith("s:") for k in cluster.keys) else "organisation")
    name = display_name(counted, shown, cluster.keys, cluster.names)
    return ClusterFacts(
        names=tuple(cluster.names), defined=cluster.defined, type=kind, shown=shown, name=name, slug=slugify(name),
        role=best_role(counted) if drafted else None, votes=votes(counted) if drafted else (),
        owners=owners(counted), mentions=mentions, aliases=tuple(sorted({m.surface for m in mentions})),
        tally=counted if counted.count >= TALLY_MIN else None)


TALLY_MIN = 64
"""A cluster of this many candidates keeps its tally for the next build (`_Update`), which
updates it for the articles an edit changed; a smaller one is counted again if one did."""


@dataclass(slots=True)
class _Draft:
    """An actor before ids are given out: affiliation still a cluster index."""

    index: int
    facts: ClusterFacts
    affiliation: int | None


def _actors(joined: JoinedKeys, facts: Sequence[ClusterFacts],
            last: Mapping[tuple[str, ...], tuple[ClusterFacts, Actor]],
            ) -> tuple[list[Actor], dict[tuple[str, ...], tuple[ClusterFacts, Actor]]]:
    """The actors of the clusters' `facts`: affiliations found, ids given out; an actor of
    `last` is given back as it is when it was made from the very facts, with the same id
    and affiliation, or when the actor made now equals it."""
    drafts: dict[int, _Draft] = {}
    wanted: set[int] = set()
    cluster_of = joined.cluster_of
    for n, f in enumerate(facts):
        if f.drafted:
            affiliation = _affiliation(f.votes, cluster_of, n)
            drafts[n] = _Draft(n, f, affiliation)
            if affiliation is not None:
                wanted.add(affiliation)
    # An office belongs where its holder belongs ("President Yoon's office" -> South Korea).
    for d in drafts.values():
        for owner in d.facts.owners:
            holder = cluster_of.get("p:" + name_key(owner))
            if holder in drafts and drafts[holder].affiliation is not None and d.affiliation is None:
                d.affiliation = drafts[holder].affiliation
                break
    # An affiliation named only in a title ("French President ...") still gets its actor.
    for n in sorted(wanted - drafts.keys()):
        drafts[n] = _Draft(n, facts[n], None)
    ids = _assign_ids(drafts.values())
    actors: list[Actor] = []
    made: dict[tuple[str, ...], tuple[ClusterFacts, Actor]] = {}
    for d in drafts.values():
        f, keys = d.facts, tuple(joined.clusters[d.index].keys)
        affiliation_id = ids[d.affiliation] if d.affiliation is not None else None
        kept = last.get(keys)
        if kept is not None and kept[0] is f and kept[1].id == ids[d.index] and kept[1].affiliation == affiliation_id:
            actor = kept[1]
        elif f.drafted:
            actor = Actor(id=ids[d.index], name=f.name, type=f.shown, role=f.role.title if f.role else None,
                          affiliation=affiliation_id, aliases=f.aliases, mentions=f.mentions,
                          role_source=f.role.source if f.role and (f.role.title or affiliation_id is not None)
                          else None)
        else:
            actor = Actor(id=ids[d.index], name=f.name, type=f.shown, role=None, affiliation=None,
                          aliases=(), mentions=())
        if kept is not None and actor is not kept[1] and actor == kept[1]:
            # Facts made again for an article the edit changed that names it, and the same:
            # what a warm process made from the actor (its line of briefing.json, its
            # page's digest) is kept by the actor's identity (`warm.PerRecord`).
            actor = kept[1]
        actors.append(actor)
        made[keys] = (f, actor)
    return actors, made


def _affiliation(votes: Iterable[tuple[str, int]], cluster_of: Mapping[str, int], self_index: int) -> int | None:
    """The cluster with most `votes` (`ClusterFacts.votes`), other than the actor's own."""
    by_cluster: Counter[int] = Counter()
    for key, count in votes:
        target = cluster_of.get(key)
        if target is not None and target != self_index:
            by_cluster[target] += count
    if not by_cluster:
        return None
    return sorted(by_cluster.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def _mentions(items: Sequence[Placed]) -> tuple[Mention, ...]:
    """Where the candidates stand, in reading order (the longest first where two start
    together), less those inside one already kept. Spans are sorted as plain tuples (the
    candidate's place breaking ties, as a stable sort would) and a `Mention` made only for
    each kept: 71,000 candidates at 1,000 articles."""
    spans = sorted((p.article, p.candidate.paragraph, p.candidate.start, -p.candidate.end, i)
                   for i, p in enumerate(items))
    out: list[Mention] = []
    last_article, last_paragraph, last_end = "", -1, 0
    for article, paragraph, start, minus_end, i in spans:
        if article == last_article and paragraph == last_paragraph and start < last_end:
            continue
        out.append(Mention(article, paragraph, start, -minus_end, items[i].candidate.surface))
        last_article, last_paragraph, last_end = article, paragraph, -minus_end
    return tuple(out)


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Nicolás Maduro" -> "nicolas-maduro"."""
    ascii_text = unicodedata.normalize("NFKD", fold(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "actor"


def _assign_ids(drafts: Iterable[_Draft]) -> dict[int, str]:
    """Slugs of names, made unique with -2, -3 in a stable order."""
    ordered = sorted(drafts, key=lambda d: (d.facts.slug, d.facts.name, d.index))
    ids: dict[int, str] = {}
    used: set[str] = set()
    for d in ordered:
        base = d.facts.slug
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        ids[d.index] = slug
    return ids

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

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sitegen.analyse.aliases import Cluster, JoinedKeys, cluster_type, join_keys, name_key, role_keys
from sitegen.analyse.candidates import ArticleNames
from sitegen.analyse.gazetteer import fold, load_gazetteer
from sitegen.analyse.resolve import name_tokens
from sitegen.analyse.roles import Role
from sitegen.model import Actor, ActorType, Mention


@dataclass(frozen=True, slots=True)
class ClusterFacts:
    """What a cluster gives its actor, from its keys, its names and its candidates alone."""

    names: tuple[str, ...]
    """The names its keys carry without a mention (`Cluster.names`): part of what it is made from."""
    defined: bool
    """`Cluster.defined`: part of what it is made from."""
    type: ActorType | None
    """What `aliases.cluster_type` makes of it; None: not an actor, unless another names it
    as its affiliation."""
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

    @property
    def drafted(self) -> bool:
        """Whether it is an actor of its own (else only as someone's affiliation)."""
        return self.type is not None and bool(self.mentions)


@dataclass(frozen=True, slots=True)
class LastActors:
    """What the last build made its actors from, for the next (`build_actors`)."""

    digests: Mapping[str, str]
    """Article id -> a digest of the names found in it."""
    outlets: frozenset[str]
    facts: Mapping[tuple[str, ...], ClusterFacts]
    """Each cluster's facts, by its keys."""
    actors: Mapping[tuple[str, ...], tuple[ClusterFacts, Actor]] = field(default_factory=dict)
    """The actor each cluster gave, with the facts it was made from."""


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
    """`build_actors`, taking from `last` the facts of every cluster whose keys, names and
    candidates are as they were then, and the very actor where its id and affiliation are too;
    `digests` (one per result: a digest of its names) tell which articles' names changed.
    Returns the actors and what to pass as `last` next time (None without `digests`)."""
    joined = join_keys(results)
    changed = _changed_articles(results, digests, last) if last is not None and last.outlets == outlets else None
    facts: list[ClusterFacts | None] = [None] * len(joined.clusters)
    if changed is not None and last is not None:
        facts = _kept_facts(joined, changed, last)
    todo = {n for n, f in enumerate(facts) if f is None}
    joined.place(None if len(todo) == len(facts) else todo)
    made = [f if f is not None else cluster_facts(c, outlets) for f, c in zip(facts, joined.clusters, strict=True)]
    actors, by_keys = _actors(joined, made, last.actors if changed is not None and last is not None else {})
    if digests is None:
        return actors, None
    return actors, LastActors(
        digests=dict(zip((r.article for r in results), digests, strict=True)), outlets=outlets,
        facts={tuple(c.keys): f for c, f in zip(joined.clusters, made, strict=True)}, actors=by_keys)


def _changed_articles(results: Sequence[ArticleNames], digests: Sequence[str] | None,
                      last: LastActors) -> set[str] | None:
    """Articles whose names are not those `last` was made from (added, edited or gone)."""
    if digests is None:
        return None
    now = dict(zip((r.article for r in results), digests, strict=True))
    return {a for a, d in now.items() if last.digests.get(a) != d} | (last.digests.keys() - now.keys())


def _kept_facts(joined: JoinedKeys, changed: Collection[str], last: LastActors) -> list[ClusterFacts | None]:
    """Each cluster's facts from `last` where nothing they are made from moved, else None:
    the same keys, the same names, and no candidate from a changed article, now (one of its
    keys is among theirs) or then (it was among its mentions)."""
    touched = {key for result, keys in zip(joined.results, joined.candidate_keys, strict=True)
               if result.article in changed for key in keys}
    kept: list[ClusterFacts | None] = []
    for cluster in joined.clusters:
        facts = last.facts.get(tuple(cluster.keys))
        if facts is None or facts.defined != cluster.defined or facts.names != tuple(cluster.names) or \
                not touched.isdisjoint(cluster.keys) or any(m.article in changed for m in facts.mentions):
            kept.append(None)
        else:
            kept.append(facts)
    return kept


def cluster_facts(cluster: Cluster, outlets: frozenset[str]) -> ClusterFacts:
    """What `cluster` (its candidates placed) gives its actor."""
    kind = cluster_type(cluster, outlets)
    mentions = _mentions(cluster)
    drafted = kind is not None and bool(cluster.items)
    shown = kind or ("state" if any(k.startswith("s:") for k in cluster.keys) else "organisation")
    name = _display_name(cluster, shown)
    owners = {p.candidate.owner for p in cluster.items if p.candidate.kind == "office"}
    return ClusterFacts(
        names=tuple(cluster.names), defined=cluster.defined, type=kind, shown=shown, name=name, slug=slugify(name),
        role=_best_role(cluster) if drafted else None, votes=_affiliation_votes(cluster) if drafted else (),
        owners=tuple(sorted(o for o in owners if o)), mentions=mentions,
        aliases=tuple(sorted({m.surface for m in mentions})))


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
    and affiliation."""
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
        actors.append(actor)
        made[keys] = (f, actor)
    return actors, made


def _display_name(cluster: Cluster, kind: ActorType) -> str:
    """The name the actor page is titled with: the state's common name, a person's most
    frequent full name, an organisation's most frequent name (longer on a tie)."""
    cands = [p.candidate for p in cluster.items]
    if kind == "state":
        code = next(k[2:] for k in sorted(cluster.keys) if k.startswith("s:"))
        return load_gazetteer().states[code].name
    if kind == "person":
        full = Counter(c.resolved or c.name for c in cands if len(name_tokens(c.resolved or c.name)) >= 2)
        if full:
            return sorted(full.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]
    if kind == "organisation" and any(c.kind == "office" for c in cands):
        surfaces = Counter(c.surface for c in cands)
        return sorted(surfaces.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]
    names = Counter(c.name for c in cands)
    for extra in cluster.names:
        names[extra] += 0
    if not names:
        return cluster.names[0] if cluster.names else cluster.keys[0][2:]
    return sorted(names.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]


def _best_role(cluster: Cluster) -> Role | None:
    """The title said most often, preferring one that names an affiliation."""
    roles = [p.candidate.role for p in cluster.items if p.candidate.role and p.candidate.role.title]
    if not roles:
        return next((p.candidate.role for p in cluster.items if p.candidate.role), None)
    # Case-blind tally, so "Union leader" at a sentence start counts with "union leader";
    # the lower-case spelling is shown when both occur.
    counts = Counter((r.title or "").lower() for r in roles)
    return sorted(roles, key=lambda r: (-counts[(r.title or "").lower()], not (r.state or r.organisation),
                                        -len(r.title or ""), (r.title or "")[:1].isupper(),
                                        r.title or "", r.source or ""))[0]


def _affiliation_votes(cluster: Cluster) -> tuple[tuple[str, int], ...]:
    """Votes for the affiliation each of the cluster's titles and appositives names, by the
    key of the state or organisation named: an organisation named with the title outranks
    the state ("NATO Secretary General")."""
    votes: Counter[str] = Counter()
    for p in cluster.items:
        keys = role_keys(p.candidate.role)
        keys.sort(key=lambda kv: kv[0].startswith("s:"))
        for rank, (key, _) in enumerate(keys):
            votes[key] += 2 if rank == 0 else 1
    return tuple(sorted(votes.items()))


def _affiliation(votes: Iterable[tuple[str, int]], cluster_of: Mapping[str, int], self_index: int) -> int | None:
    """The cluster with most `votes` (`_affiliation_votes`), other than the actor's own."""
    by_cluster: Counter[int] = Counter()
    for key, count in votes:
        target = cluster_of.get(key)
        if target is not None and target != self_index:
            by_cluster[target] += count
    if not by_cluster:
        return None
    return sorted(by_cluster.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def _mentions(cluster: Cluster) -> tuple[Mention, ...]:
    """Where the cluster's candidates stand, in reading order (the longest first where two
    start together), less those inside one already kept. Spans are sorted as plain tuples
    (the candidate's place breaking ties, as a stable sort would) and a `Mention` made only
    for each kept: 71,000 candidates at 1,000 articles."""
    items = cluster.items
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

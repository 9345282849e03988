"""What a cluster's candidates add up to: enough to tell what the actor is, what it is called
and its title, as sums an article's candidates can be taken out of and put in again.

The actors most often named hold most candidates (at 10,000 bench articles the 30 largest
clusters hold 614,000 of 761,000), and nearly every edit names one of them; a process
that builds again and again keeps their `Tally` (`actor_build`) and, after an edit, takes
the edited articles' old candidates out and their new ones in, instead of reading every
candidate again. Everything here is a function of the sums alone, so a tally updated that
way gives what one made afresh gives.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sitegen.analyse.aliases import Placed, adjective_of_place, name_key, role_keys
from sitegen.analyse.candidates import Candidate
from sitegen.analyse.gazetteer import fold, load_gazetteer
from sitegen.analyse.resolve import name_tokens
from sitegen.analyse.roles import Role
from sitegen.model import ActorType

Place = tuple[str, int]
"""(article id, the candidate's index in the article): reading order across the briefing."""
RoleGroup = tuple[str, str, bool]
"""A title, its source and whether it names an affiliation: roles alike for `best_role`."""


@dataclass(slots=True)
class Tally:
    """Sums over a cluster's candidates."""

    count: int = 0
    weak: int = 0
    common: int = 0
    media_cues: int = 0
    person_cues: int = 0
    things: int = 0
    inner: int = 0
    """Candidates not at a sentence's start."""
    kinds: Counter[str] = field(default_factory=Counter)
    names: Counter[str] = field(default_factory=Counter)
    full_names: Counter[str] = field(default_factory=Counter)
    """Full names (two words or more), resolved where the article resolved a surname."""
    surfaces: Counter[str] = field(default_factory=Counter)
    votes: Counter[str] = field(default_factory=Counter)
    """Votes for the affiliation titles name, by the key of the state or organisation."""
    owners: Counter[str] = field(default_factory=Counter)
    """Holders of the offices named ("Yoon's office")."""
    titled: dict[RoleGroup, list[tuple[Place, Role]]] = field(default_factory=dict)
    """Roles with a title, by group, each in reading order."""
    untitled: list[tuple[Place, Role]] = field(default_factory=list)
    """Roles without a title, in reading order."""

    def copy(self) -> Tally:
        return Tally(self.count, self.weak, self.common, self.media_cues, self.person_cues, self.things,
                     self.inner, Counter(self.kinds), Counter(self.names), Counter(self.full_names),
                     Counter(self.surfaces), Counter(self.votes), Counter(self.owners),
                     {g: list(places) for g, places in self.titled.items()}, list(self.untitled))

    def add(self, article: str, items: Iterable[tuple[int, Candidate]], sign: int = 1) -> None:
        """Count the candidates `items` ((index in the article, candidate)) of `article` in,
        or (`sign` -1) out: they must be exactly those counted in for it before. Articles
        are counted out before any is counted in again; then `in_order`."""
        added: list[tuple[Place, Role]] = []
        for index, c in items:
            self.count += sign
            self.weak += sign * c.weak
            self.common += sign * c.common
            self.media_cues += sign * c.media_cue
            self.person_cues += sign * c.person_cue
            self.things += sign * c.thing
            self.inner += sign * (not c.sentence_initial)
            _count(self.kinds, c.kind, sign)
            _count(self.names, c.name, sign)
            full = c.resolved or c.name
            if len(name_tokens(full)) >= 2:
                _count(self.full_names, full, sign)
            _count(self.surfaces, c.surface, sign)
            if c.kind == "office" and c.owner:
                _count(self.owners, c.owner, sign)
            if c.role is not None:
                for key, weight in _role_votes(c.role):
                    _count(self.votes, key, sign * weight)
                added.append(((article, index), c.role))
        if sign > 0:
            for place, role in added:
                if role.title:
                    self.titled.setdefault((role.title, role.source or "", bool(role.state or role.organisation)),
                                           []).append((place, role))
                else:
                    self.untitled.append((place, role))
        elif added:
            for group in [g for g, places in self.titled.items() if places[-1][0][0] >= article]:
                kept = [p for p in self.titled[group] if p[0][0] != article]
                if kept:
                    self.titled[group] = kept
                else:
                    del self.titled[group]
            self.untitled = [p for p in self.untitled if p[0][0] != article]

    def in_order(self) -> None:
        """Put each list of roles back in reading order after articles were counted in out
        of it (an edited article's roles were appended at the end)."""
        for places in self.titled.values():
            places.sort(key=lambda p: p[0])
        self.untitled.sort(key=lambda p: p[0])


def tally(items: Iterable[Placed]) -> Tally:
    """A tally of placed candidates, given in reading order."""
    out = Tally()
    by_article: dict[str, list[tuple[int, Candidate]]] = {}
    for p in items:
        by_article.setdefault(p.article, []).append((p.index, p.candidate))
    for article, found in by_article.items():
        out.add(article, found)
    return out


def _count(counter: Counter[str], key: str, amount: int) -> None:
    """Add `amount`, dropping a key that falls to zero, so that a tally counted out equals
    one never counted in."""
    left = counter[key] + amount
    if left:
        counter[key] = left
    else:
        del counter[key]


def _role_votes(role: Role) -> list[tuple[str, int]]:
    """(key, votes) of the affiliations a title names: an organisation named with the title
    outranks the state ("NATO Secretary General")."""
    keys = role_keys(role)
    keys.sort(key=lambda kv: kv[0].startswith("s:"))
    return [(key, 2 if rank == 0 else 1) for rank, (key, _) in enumerate(keys)]


def cluster_type(t: Tally, keys: Sequence[str], defined: bool, names: Sequence[str],
                 outlets: frozenset[str]) -> ActorType | None:
    """What a cluster is, from its keys and the cues of its candidates; None: not an actor."""
    if t.count and t.weak == t.count:
        return None
    if defined:
        return "organisation"  # "Defence Intelligence (HUR)"
    if t.count and len(keys) == 1 and t.common == t.count:
        return None  # "the Government", "Human Rights": common words, capitalised
    if any(k.startswith("s:") for k in keys):
        return "state"
    if "media" in t.kinds or t.media_cues or (outlets and not outlets.isdisjoint(
            {name_key(n) for n in t.names} | {name_key(n) for n in names})):
        return "media"
    if "office" in t.kinds:
        return "organisation"
    if any(k.startswith("p:") for k in keys):
        return "person"
    if "organisation" in t.kinds or "acronym" in t.kinds or any(k[:2] in ("o:", "a:") for k in keys):
        return "organisation"
    return _lone_word_type(t)


def _lone_word_type(t: Tally) -> ActorType | None:
    """A capitalised word no full name explains: a person if a cue says so, else an actor
    of unknown kind if it recurs outside sentence starts; places and compounds are dropped."""
    words = {fold(n) for n in t.names}
    person = t.person_cues > 0
    if any("-" in w for w in words) and not person:
        return None  # "Indo-Pacific", "Russian-Ukrainian"
    if t.things:
        return None  # "Zika virus": a disease, not an actor
    if words & load_gazetteer().cities and not person:
        return None
    if person:
        return "person"
    if t.inner >= 2 and not any(adjective_of_place(w) for w in words):
        return "other"
    return None


def display_name(t: Tally, kind: ActorType, keys: Sequence[str], names: Sequence[str]) -> str:
    """The name the actor page is titled with: the state's common name, a person's most
    frequent full name, an organisation's most frequent name (longer on a tie)."""
    if kind == "state":
        code = next(k[2:] for k in sorted(keys) if k.startswith("s:"))
        return load_gazetteer().states[code].name
    if kind == "person" and t.full_names:
        return _most_said(t.full_names.items())
    if kind == "organisation" and "office" in t.kinds:
        return _most_said(t.surfaces.items())
    said = dict(t.names)
    for extra in names:
        said.setdefault(extra, 0)
    if not said:
        return names[0] if names else keys[0][2:]
    return _most_said(said.items())


def _most_said(counts: Iterable[tuple[str, int]]) -> str:
    return sorted(counts, key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]


def best_role(t: Tally) -> Role | None:
    """The title said most often (case-blind, so "Union leader" at a sentence start counts
    with "union leader"), preferring one that names an affiliation, then the longer, the
    lower-case, the first in reading order; else the first role without a title."""
    if not t.titled:
        return t.untitled[0][1] if t.untitled else None
    said: Counter[str] = Counter()
    for (title, _, _), places in t.titled.items():
        said[title.lower()] += len(places)
    group = min(t.titled, key=lambda g: (-said[g[0].lower()], not g[2], -len(g[0]), g[0][:1].isupper(), g[0], g[1],
                                         t.titled[g][0][0]))
    return t.titled[group][0][1]


def votes(t: Tally) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(t.votes.items()))


def owners(t: Tally) -> tuple[str, ...]:
    return tuple(sorted(t.owners))

"""Merge the names found in each article into actors: every name an actor goes by.

Each candidate gets a key (a folded full name, an acronym, a state's ISO code); keys are
joined with a union-find through indexes, never by comparing every pair, so the merge is
linear in the number of candidates:

- acronyms with their expansions, defined ("National Intelligence Service (NIS)") or by
  initials ("North Atlantic Treaty Organisation" / "NATO");
- full names with the same first and last word ("Vladimir Vladimirovich Putin" / "Vladimir Putin");
- a bare surname no article resolved to the one full name that begins or ends with it, and
  only when exactly one does (two people called Kim stay two);
- states with their capitals and seats of government (done in `names.py` via the gazetteer).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from sitegen.analyse.candidates import ArticleNames, Candidate
from sitegen.analyse.gazetteer import load_gazetteer
from sitegen.analyse.lexicon import ORG_HEADS, stopwords
from sitegen.analyse.resolve import name_tokens, part_of
from sitegen.analyse.roles import Role


@dataclass(frozen=True, slots=True)
class Placed:
    """A candidate, the article it stands in and its index among the article's candidates."""

    article: str
    index: int
    candidate: Candidate


@dataclass(slots=True)
class Cluster:
    """One actor being assembled: its keys and every candidate that names it."""

    keys: list[str] = field(default_factory=list)
    items: list[Placed] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    """Names known without a mention (an organisation named only in a title)."""
    defined: bool = False
    """An article defines an acronym for it ("Jurado Nacional de Elecciones (JNE)")."""


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def add(self, key: str) -> None:
        self.parent.setdefault(key, key)

    def find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller key becomes the root: the result does not depend on input order.
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


@functools.lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """Fold a name for comparison: case, accents, hyphens, dots, a leading "the". Cached:
    merging keys every candidate of every article, the same few thousand names again and
    again."""
    words = name_tokens(name)
    if words and words[0] == "the":
        words = words[1:]
    # "Google Inc." is Google: a company's legal form is not part of its name.
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words = words[:-1]
    return " ".join(words)


_LEGAL_FORMS = frozenset({"inc", "ltd", "llc", "plc", "corp", "co", "sa", "ag", "gmbh", "nv", "bv", "spa", "ab", "asa"})


def org_key(name: str) -> str:
    bare = name.replace(".", "")
    if bare.isupper() and bare.isalpha():
        return "a:" + bare
    return "o:" + name_key(name)


def candidate_key(c: Candidate) -> str:
    """The key a candidate starts with, before any merging."""
    if c.kind == "state":
        return "s:" + str(c.state)
    if c.kind == "office":
        return "f:" + name_key(c.owner or c.name)
    if c.kind == "acronym":
        return "a:" + c.name
    if c.kind in ("organisation", "media"):
        return org_key(c.name)
    name = c.resolved or c.name
    if c.kind != "single" and len(name_tokens(name)) >= 2:
        return "p:" + name_key(name)
    return "u:" + name_key(name)


def role_keys(role: Role | None) -> list[tuple[str, str]]:
    """(key, display name) of the affiliations a role names."""
    if role is None:
        return []
    out = []
    if role.state:
        out.append(("s:" + role.state, load_gazetteer().states[role.state].name))
    if role.organisation:
        out.append((org_key(role.organisation), role.organisation))
    return out


def _initials(key: str) -> str:
    words = key[2:].split()
    return "".join(w[0] for w in words if w not in stopwords()).upper()


@dataclass(frozen=True, slots=True)
class ArticleKeys:
    """What one article's names bring to the merge (`article_keys`): made once for its
    names, and kept with them by a process that builds again and again."""

    keys: tuple[str, ...]
    """Each candidate's key, in the order of the candidates."""
    present: frozenset[str]
    """Every key it brings: its candidates' and those of the affiliations their titles name."""
    role_names: tuple[tuple[str, str], ...]
    """(key, name) of each affiliation its titles name, the first naming of each key."""
    shorts: tuple[tuple[str, str], ...]
    """(key of the shorter name, key) of each organisation named with its state."""
    lone: tuple[tuple[str, bool], ...]
    """Each lone word's key, and whether every time the article writes it it is a common
    noun or a sentence's opening modifier."""
    acronyms: tuple[tuple[str, str], ...]


def article_keys(result: ArticleNames) -> ArticleKeys:
    keys: list[str] = []
    role_names: dict[str, str] = {}
    shorts: set[tuple[str, str]] = set()
    lone: dict[str, bool] = {}
    for c in result.candidates:
        key = candidate_key(c)
        keys.append(key)
        if c.role is not None:
            for rkey, rname in role_keys(c.role):
                role_names.setdefault(rkey, rname)
        if c.short and key.startswith("o:"):
            shorts.add((org_key(c.short), key))
        if key.startswith("u:"):
            lone[key] = lone.get(key, True) and (c.common or c.modifier)
    return ArticleKeys(tuple(keys), frozenset(keys).union(role_names), tuple(role_names.items()),
                       tuple(sorted(shorts)), tuple(lone.items()), result.acronyms)


@dataclass(slots=True)
class JoinedKeys:
    """The clusters every candidate's key joins into (sorted by their smallest key), their
    candidates placed only when asked (`place`): a rebuild makes again only the actors
    whose candidates an edit touched (`actor_build`), and places no others."""

    results: Sequence[ArticleNames]
    keyed: Sequence[ArticleKeys]
    """Each article's keys, as `results`."""
    clusters: list[Cluster]
    cluster_of: dict[str, int]
    """Each key's cluster, by index into `clusters`."""

    def place(self, wanted: AbstractSet[int] | None = None) -> None:
        """Put each candidate in its cluster, in article and then reading order: in the
        clusters of `wanted` (indices) only, or in every cluster (None)."""
        clusters, cluster_of = self.clusters, self.cluster_of
        wanted_keys = None if wanted is None else {k for n in wanted for k in clusters[n].keys}
        for result, keyed in zip(self.results, self.keyed, strict=True):
            if wanted_keys is not None and wanted_keys.isdisjoint(keyed.present):
                continue
            article = result.article
            for index, (key, c) in enumerate(zip(keyed.keys, result.candidates, strict=True)):
                n = cluster_of[key]
                if wanted is None or n in wanted:
                    clusters[n].items.append(Placed(article, index, c))


def join_keys(results: Sequence[ArticleNames], keyed: Sequence[ArticleKeys] | None = None) -> JoinedKeys:
    """Join every candidate's key into clusters, in a stable order (their candidates put in
    by `JoinedKeys.place`); `keyed`, each article's `article_keys` if known."""
    keyed = keyed if keyed is not None else [article_keys(r) for r in results]
    uf = _UnionFind()
    known_names: dict[str, str] = {}
    definitions: set[tuple[str, str]] = set()
    shorts: dict[str, set[str]] = defaultdict(set)
    lone: dict[str, bool] = {}
    parent = uf.parent
    for found in keyed:
        for key in found.present:
            if key not in parent:
                parent[key] = key
        for rkey, rname in found.role_names:
            known_names.setdefault(rkey, rname)
        for short, key in found.shorts:
            shorts[short].add(key)
        for key, common in found.lone:
            lone[key] = lone.get(key, True) and common
        definitions.update(found.acronyms)
    defined: set[str] = set()
    for acronym, expansion in sorted(definitions):
        a, o = "a:" + acronym, org_key(expansion)
        uf.add(a)
        uf.add(o)
        uf.union(a, o)
        defined.add(a)
        # A name defined with an acronym is an organisation even if it reads like a person's.
        person = "p:" + name_key(expansion)
        if person in uf.parent:
            uf.union(a, person)
    keys = sorted(uf.parent)
    _join_short_names(uf, keys, shorts)
    _join_initials(uf, keys)
    _join_full_names(uf, keys)
    _join_surnames(uf, keys, frozenset(k for k, common in lone.items() if common))
    by_root: dict[str, Cluster] = {}
    for key in keys:
        cluster = by_root.setdefault(uf.find(key), Cluster())
        cluster.keys.append(key)
        if key in known_names:
            cluster.names.append(known_names[key])
    for key in defined:
        by_root[uf.find(key)].defined = True
    roots = sorted(by_root)
    index = {root: n for n, root in enumerate(roots)}
    return JoinedKeys(results, keyed, [by_root[r] for r in roots],
                      {key: index[uf.find(key)] for key in keys})


def _join_short_names(uf: _UnionFind, keys: Sequence[str], shorts: dict[str, set[str]]) -> None:
    """"Russian Defence Ministry" and a bare "Defence Ministry" (or its acronym) are one when
    only one organisation goes by that shorter name; a bare head noun ("the Commission")
    joins the one organisation whose name ends with it."""
    present = set(keys)
    by_initials: dict[str, str] = {k[2:]: k for k in keys if k.startswith("a:")}
    for short, fulls in sorted(shorts.items()):
        roots = {uf.find(f) for f in fulls}
        if len(roots) != 1:
            continue
        root = roots.pop()
        if short in present:
            uf.union(short, root)
        acronym = by_initials.get(_initials(short))
        if acronym and len(short[2:].split()) >= 2:
            uf.union(acronym, root)
    by_last: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        words = key[2:].split()
        if key.startswith("o:") and len(words) >= 2:
            by_last[words[-1]].add(key)
    for key in keys:
        words = key[2:].split()
        if key.startswith("o:") and len(words) == 1 and words[0] in ORG_HEADS:
            roots = {uf.find(k) for k in by_last.get(words[0], ())}
            if len(roots) == 1:
                uf.union(key, roots.pop())


def _join_initials(uf: _UnionFind, keys: Iterable[str]) -> None:
    acronyms = {k[2:]: k for k in keys if k.startswith("a:")}
    for key in keys:
        if key.startswith("o:") and len(key[2:].split()) >= 2:
            target = acronyms.get(_initials(key))
            if target:
                uf.union(key, target)


def _join_full_names(uf: _UnionFind, keys: Iterable[str]) -> None:
    """A shorter form of a full name ("Rafael Sánchez", "Vladimir Putin") joins the longer
    name it is part of, sharing its first or last word, when only one actor has such a name."""
    people = sorted((k[2:].split() for k in keys if k.startswith("p:")), key=lambda w: (len(w), w))
    by_first: dict[str, list[list[str]]] = defaultdict(list)
    by_last: dict[str, list[list[str]]] = defaultdict(list)
    # A name holding "A ... B" shares its first word A and has B after it, or its last word
    # B and A before it: indexed by both pairs, so a name is checked only against those
    # (a first word alone matched thousands of names at 10,000 articles).
    by_ends: dict[tuple[str, str], list[list[str]]] = defaultdict(list)
    for words in people:
        by_first[words[0]].append(words)
        by_last[words[-1]].append(words)
        for word in set(words[1:]):
            by_ends[words[0], word].append(words)
        for word in set(words[:-1]):
            by_ends[word, words[-1]].append(words)
    for short in people:
        pool = by_ends[short[0], short[-1]] if len(short) > 1 else by_first[short[0]] + by_last[short[-1]]
        longer = [w for w in pool if len(w) > len(short) and part_of(short, w)]
        roots = {uf.find("p:" + " ".join(w)) for w in longer}
        if len(roots) == 1:
            uf.union("p:" + " ".join(short), roots.pop())


def _join_surnames(uf: _UnionFind, keys: Sequence[str], common: frozenset[str] = frozenset()) -> None:
    """A lone word no article resolved joins the one actor whose full name begins or ends
    with it, or the organisation of that name; when two people share it, it joins none, and
    a word the articles also write in lower case (`common`: "National", "Will") joins none."""
    by_word: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        if key.startswith("p:"):
            words = key[2:].split()
            by_word[words[0]].add(key)
            by_word[words[-1]].add(key)
    present = set(keys)
    org_first: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        if key.startswith("o:") and len(key[2:].split()) >= 2:
            org_first[key[2:].split()[0]].add(key)
    for key in keys:
        if not key.startswith("u:") or key in common:
            continue
        word = key[2:]
        roots = {uf.find(k) for k in by_word.get(word, ())}
        if len(roots) == 1:
            uf.union(key, roots.pop())
        elif not roots:
            for other in ("o:" + word, "a:" + word.upper()):
                if other in present:
                    uf.union(key, other)
                    break
            else:
                # "Crestline" for "Crestline Therapeutics": the one organisation it begins.
                orgs = {uf.find(k) for k in org_first.get(word, ())}
                if len(orgs) == 1 and not adjective_of_place(word):
                    uf.union(key, orgs.pop())


def adjective_of_place(word: str) -> bool:
    """Demonyms and other adjectives of place ("European", "Soviet" is not caught)."""
    return word in load_gazetteer().demonyms or word.endswith(("ean", "ian", "ese", "ish", "ern"))

"""The claims ledger: who claimed what, across every article (issue 6).

Two stages. `extract_article` (claim_extract.py) reads one article at a time. `group_claims`
then joins what several articles report into one claim with several evidence entries:
- the same quote, allowing small wording differences and a fragment of a longer quote
  from the same speaker;
- the same figure (number, range and measure) from the same speaker;
- the same reported statement from the same speaker (most content words shared).
Candidates are found through indexes (speaker, figure key, word pairs), never by
comparing every claim with every other.

Status, strongest first: contested (another speaker gives a different figure for the same
measure, within CONFLICT_RATIO of it, or a denial), unverified (the text says it is not confirmed), corroborated (two
or more independent origins, from the sources analyser), single-source.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from operator import itemgetter
from typing import Any

import numpy as np

from sitegen.analyse.claim_extract import RawClaim, actor_refs, article_context, extract_article
from sitegen.analyse.measures import SHARE_UNITS, dominant_modifiers, measure_key
from sitegen.analyse.mentions_by_article import MentionRow, mentions_by_article, reading_order
from sitegen.analyse.rare_pairs import WordSets, components, jaccard, rare_key_pairs
from sitegen.analyse.speakers import ActorRef, ArticleContext, MentionSpan
from sitegen.model import Actor, Article, Claim, ClaimKind, ClaimStatus, Evidence, SourceAnalysis
from sitegen.runner import SERIAL_RUNNER, ArticleRunner, item_key, plain_key, step_label
from sitegen.warm import ArticleKeys, PerRecord, by_identity, came_and_went, each_by_value, kept_when_equal

QUOTE_SAME = 0.8
"""Token Jaccard above which two quotes are the same words with small differences."""
QUOTE_FRAGMENT = 0.9
"""Share of a shorter quote's tokens found in a longer one by the same speaker: a fragment."""
STATEMENT_SAME = 0.5
"""Content-word Jaccard above which two statements of one speaker are one statement."""
RARE_KEYS = 4
"""Word pairs per claim used to find claims to compare (its rarest in the corpus)."""
MAX_BUCKET = 200
"""A word pair held by more claims than this is not followed to find claims to compare:
too common to be a clue."""
NUMBER_TOLERANCE = 0.005
"""Figures within 0.5% are the same figure."""
ID_DIGITS = 8
"""Hex digits of a claim id: two claims share one in about one briefing of 5,000 claims in
340 (those two then take 16)."""
CONFLICT_RATIO = 3.0
"""Two speakers' figures for one measure contest each other when they differ by less than
this factor: 10,000 against 12,000 troops is a dispute, 1,500 against 12,000 counts a part."""

_STOPWORDS = frozenset(
    """a an the of to in on at by for from with and or but as is are was were be been being
    that this these those it its their his her our we they he she i you will would may might
    could should can has have had not no do does did so than then there which who whom""".split()  # noqa: SIM905
)


def analyse_claims(articles: Sequence[Article], actors: Sequence[Actor],
                   sources: SourceAnalysis, runner: ArticleRunner | None = None,
                   ) -> tuple[Claim, ...]:
    """Every claim of the briefing, grouped across articles, in order of first report,
    with ids that stay as articles come and go (`_with_ids`).

    With a `runner`, the per-article step runs through it (cached, in a process pool);
    each article's item holds only its own text and mentions and the actors it can
    name, so editing one article re-extracts that article alone."""
    return claim_ledger(join_claims(articles, actors, runner), sources.origin_of, runner or SERIAL_RUNNER)


def join_claims(articles: Sequence[Article], actors: Sequence[Actor],
                runner: ArticleRunner | None = None, group_now: bool = True) -> JoinedClaims:
    """`analyse_claims` up to what needs the sources: each article's claims, joined
    across articles. Most of the step, and it needs only the actors, so a build can run it
    while near-duplicates are still being found (`pipeline.analyse`).

    With a cache, the join is keyed on the digests of the articles' stored results, and
    made only when asked for: an edit that leaves every article's claims as they were (most
    do) finds the joined groups and the ledger by that key, and reads no article's claims
    back (0.26 of the 0.52 s the join took at 1,000 articles). When the groups must be made
    again, they are made now, beside the sources; or, with `group_now` False, when asked
    (`JoinedClaims.to_group`: a build may have a child process make them).
    Every claim with its figure's unit comes from `_with_units`: per article in
    `article_claims`, else in `_joined`."""
    runner = runner or SERIAL_RUNNER
    inputs = ClaimInputs(articles, actors, runner)
    keys = inputs.keys()

    def claims_of(indices: Sequence[int], using: ArticleRunner) -> list[tuple[RawClaim, ...]]:
        """These articles' claims: stored, or extracted (and stored)."""
        return using.starmap_lazily(article_claims, [keys[i] for i in indices],
                                    lambda js: [inputs.item(indices[j]) for j in js],
                                    settings=EXTRACT_SETTINGS)

    if runner.cache is None:
        return _joined([claim for result in claims_of(range(len(keys)), runner) for claim in result], runner)
    todo = runner.missing_keyed(step_label(article_claims), keys, EXTRACT_SETTINGS)
    fresh = dict(zip(todo, claims_of(todo, runner), strict=True))

    def every_claim(using: ArticleRunner) -> list[RawClaim]:
        rest = [i for i in range(len(keys)) if i not in fresh]
        read = dict(zip(rest, claims_of(rest, using), strict=True))
        return [claim for i in range(len(keys)) for claim in (fresh[i] if i in fresh else read[i])]

    digests = runner.stored_digests(article_claims, keys, EXTRACT_SETTINGS)
    if digests is None:  # a result could not be stored
        return _joined(every_claim(runner), runner)
    key = plain_key(b"joined claims", digests)
    joined = JoinedClaims(key, every_claim, runner)
    if runner.missing_keyed(GROUPS_LABEL, [key]):
        joined.to_group = True
        if group_now:
            joined.group()
    else:  # kept groups count as used, so they stay for a build whose ledger needs them
        runner.keep_keyed(GROUPS_LABEL, [key])
    return joined


def article_claims(article_id: str, context: ArticleContext) -> tuple[RawClaim, ...]:
    """The per-article step: `extract_article`, each figure given its unit or dropped
    (`_with_units` reads one article), so that an edit adding only a bare number ("updated
    at 1733000000046") leaves the stored result, and the join keyed on it, as it was."""
    return tuple(_with_units(list(extract_article(article_id, context))))


EXTRACT_SETTINGS = "claims/1"
"""Bump when extraction rules change in a way the code fingerprint would not show."""
PROMINENT_ACTORS = 64
"""Actors every article's item carries besides those it mentions, so that a description
("the country's intelligence agency") can name an actor the article never names."""


class ClaimInputs:
    """The per-article step's input for each article, (article id, `ArticleContext`), and
    its cache key. A key is made from the article's digest, its mentions as plain tuples
    and a digest of each actor it can name (each actor's record hashed once for the
    corpus: the prominent ones are in every article's context), so a build that finds an
    article in the cache never builds its context: that and hashing whole contexts took a
    quarter of the claims step of a rebuild. What it takes from the actors is kept in the
    cache with them (`ByIdentity.through`)."""

    def __init__(self, articles: Sequence[Article], actors: Sequence[Actor],
                 runner: ArticleRunner = SERIAL_RUNNER) -> None:
        self.articles = articles
        self._from_actors = _actor_inputs.through(runner, tuple(actors), made_here=runner.keeps_memory)

    def keys(self) -> list[str]:
        return self._from_actors.keys_of(self.articles)

    def item(self, index: int) -> tuple[str, ArticleContext]:
        article = self.articles[index]
        found = self._from_actors
        mentions = [MentionSpan(*row) for row in found.mentions.get(article.id, ())]
        own = {i: found.refs[i] for i in found.actor_ids(article.id)}
        return article.id, article_context(article, mentions, own)


class _ActorInputs:
    """What every article's item takes from one tuple of actors: each actor's attribution
    view, the mentions by article and the `PROMINENT_ACTORS`; and each article's key
    (`ClaimInputs.keys`), kept for the articles an edit left as they were (`ArticleKeys`):
    making them all took 0.12 of the 0.17 s the claims of an edit rebuilt in `sitegen serve`
    cost at 1,000 articles (profiled). Kept in the cache with the actors, with the keys the
    build that made it made (it is pickled when the runner closes), a build from the command
    line reads it back (1.4 MB, 0.05 s at 1,000 articles) instead of making it and every
    article's key again (0.07 and 0.12 s)."""

    def __init__(self, actors: tuple[Actor, ...], refs: dict[str, ActorRef] | None = None,
                 ref_digests: dict[str, str] | None = None,
                 mentions: dict[str, tuple[MentionRow, ...]] | None = None) -> None:
        self.refs = refs if refs is not None else actor_refs(actors)
        self.mentions = mentions if mentions is not None else _mention_rows(actors)
        """Each article's mentions as plain tuples, in reading order (ties in actor order)."""
        self.prominent = frozenset(
            a.id for a in heapq.nsmallest(PROMINENT_ACTORS, actors, key=lambda a: (-len(a.mentions), a.id)))
        self._ref_digests: dict[str, str] = ref_digests if ref_digests is not None else {}
        self._keys = ArticleKeys()

    @classmethod
    def after(cls, actors: tuple[Actor, ...], last_actors: tuple[Actor, ...], last: _ActorInputs) -> _ActorInputs:
        """`_ActorInputs(actors)`, taking from `last` (made from `last_actors`) what holds
        for the actors that are the very ones of then: their attribution views and digests,
        and the keys of the articles that none of the others mentions, then or now (unless
        the prominent actors, whom every article can name, changed). An edit naming someone
        new at 10,000 articles made every article's key again (0.45-0.85 s)."""
        came, went = came_and_went(actors, last_actors)
        changed = {a.id for a in came} | {a.id for a in went}
        refs = {i: ref for i, ref in last.refs.items() if i not in changed}
        refs.update(actor_refs(came))
        inputs = cls(actors, refs, {i: d for i, d in last._ref_digests.items() if i not in changed},
                     _rows_by_groups(actors))
        if inputs.prominent == last.prominent and all(
                refs.get(i) == last.refs.get(i) for i in changed & inputs.prominent):
            inputs._keys = last._keys.without({m.article for a in (*came, *went) for m in a.mentions})
        return inputs

    def _ref_digest(self, actor_id: str) -> str:
        """A digest of the actor's attribution view, made once."""
        found = self._ref_digests.get(actor_id)
        if found is None:
            found = self._ref_digests[actor_id] = plain_key(b"", self.refs[actor_id])
        return found

    def actor_ids(self, article_id: str) -> list[str]:
        """The actors an article's item can name: those it mentions, and the prominent."""
        return sorted({row[3] for row in self.mentions.get(article_id, ())} | self.prominent)

    def keys_of(self, articles: Sequence[Article]) -> list[str]:
        """`ClaimInputs.keys`: each article's digest, its mentions and a digest of each
        actor its item can name."""
        def make(index: int) -> str:
            article = articles[index]
            return plain_key(b"claims input", (
                article.id, article.content_digest or item_key(b"", article), self.mentions.get(article.id, ()),
                [(i, self._ref_digest(i)) for i in self.actor_ids(article.id)]))

        return self._keys.of(articles, make)


def _actor_inputs_of(actors: tuple[Actor, ...]) -> _ActorInputs:
    return _ActorInputs(actors)


def _actor_inputs_by_groups(actors: tuple[Actor, ...]) -> _ActorInputs:
    """`_ActorInputs(actors)` as a process that builds again and again makes its first:
    each article's mention rows from its group of mentions (`_rows_by_groups`)."""
    return _ActorInputs(actors, mentions=_rows_by_groups(actors))


_actor_inputs = by_identity(_actor_inputs_of, update=_ActorInputs.after, keeping=_actor_inputs_by_groups)
"""The actors' inputs to claims, made once for the very same tuple of actors, and for
another tuple from the last where the actors are the very ones (`_ActorInputs.after`);
a process's first build (`sitegen serve`'s warm-up) keeps each group's rows."""


def _rows_by_groups(actors: tuple[Actor, ...]) -> dict[str, tuple[MentionRow, ...]]:
    """`_mention_rows` from the groups of mentions (`mentions_by_article`), each group's
    rows kept by the group (`_ROWS`), which an edit changes for the articles it changed alone."""
    return _ROWS.by_key("mention rows", mentions_by_article(actors), reading_order)


def _mention_rows(actors: Sequence[Actor]) -> dict[str, tuple[MentionRow, ...]]:
    """Every mention by article, in reading order (ties in actor order), made whole: a
    forked stage of a one-shot build keeps no groups of mentions (`mentions_by_article`),
    which would add their size to its memory."""
    rows: dict[str, list[MentionRow]] = {}
    for actor in actors:
        for m in actor.mentions:
            rows.setdefault(m.article, []).append((m.paragraph, m.start, m.end, actor.id))
    return {article_id: tuple(sorted(found, key=itemgetter(0, 1, 2))) for article_id, found in rows.items()}


_ROWS = PerRecord()
"""Each article's mentions in reading order, kept by its group of mentions
(`mentions_by_article`), which an edit changes for the articles it changed alone."""


# ------------------------------------------------------------------ helpers


_WORD = re.compile(r"\w+")


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.replace("’", "'").casefold()))


def _content(words: Sequence[str]) -> set[str]:
    return {t for t in words if t not in _STOPWORDS}


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _bigrams(words: Sequence[str]) -> list[str]:
    toks = [t for t in words if t not in _STOPWORDS]
    return [f"{a} {b}" for a, b in pairwise(toks)] or toks


def _unique(raw: list[RawClaim], words: Sequence[tuple[str, ...]], kind: str, uf: _UnionFind) -> list[int]:
    """Join claims of one kind whose speaker and words are identical; return one index per
    distinct (speaker, words), the only ones the fuzzy passes need to compare."""
    first: dict[tuple[str, tuple[str, ...]], int] = {}
    for i, r in enumerate(raw):
        if r.kind != kind:
            continue
        key = (_speaker_key(r), words[i])
        if key in first:
            uf.union(first[key], i)
        else:
            first[key] = i
    return sorted(first.values())


# ------------------------------------------------------------------ figures


def _with_units(raw: list[RawClaim]) -> list[RawClaim]:
    """A figure with no unit ("the 4,000 figure") takes the unit the same value has
    elsewhere in its article; figures that still have none are dropped."""
    known: dict[tuple[str, float], RawClaim] = {}
    for r in raw:
        if r.kind == "number" and r.unit and r.number is not None:
            known.setdefault((r.article, r.number), r)
    out = []
    for r in raw:
        if r.kind == "number" and not r.unit and r.number is not None:
            donor = known.get((r.article, r.number))
            if donor is not None:
                r = r._replace(unit=donor.unit, modifier=donor.modifier, qualifier=r.qualifier or donor.qualifier)
            else:
                continue  # a bare number ("Okafor, 61,") is no figure of the story
        out.append(r)
    return out


def _measures(raw: list[RawClaim]) -> dict[int, str | None]:
    numbers = [(i, r) for i, r in enumerate(raw) if r.kind == "number" and r.unit]
    dominant = dominant_modifiers((r.unit or "", r.modifier) for _, r in numbers)
    # A share with no "of …" ("she won with 67%") is a share of what most shares are of.
    shares = dominant_modifiers((r.unit or "", r.of_what) for _, r in numbers
                                if r.unit in SHARE_UNITS)
    out: dict[int, str | None] = {}
    for i, r in numbers:
        modifier = r.modifier or dominant.get(r.unit or "")
        of_what = r.of_what or shares.get(r.unit or "")
        out[i] = measure_key(r.unit, modifier, r.qualifier, of_what)
    return out


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= NUMBER_TOLERANCE * max(abs(a), abs(b))


# ------------------------------------------------------------------ grouping


def _speaker_key(r: RawClaim) -> str:
    """The actor id; for an unattributed claim, how the text names its source ("some
    media outlets" and an unsourced sentence are not one source)."""
    if r.speaker:
        return r.speaker
    return _surface_key(r.speaker_surface or "")


@functools.lru_cache(maxsize=4096)
def _surface_key(surface: str) -> str:
    """An unattributed claim's source as its words ("some media outlets"): each grouping
    pass asks for it, and the few surfaces recur across thousands of claims."""
    return "~" + " ".join(_tokens(surface))


def _link_quotes(raw: list[RawClaim], words: Sequence[tuple[str, ...]], uf: _UnionFind) -> None:
    """Join quotes that are the same words with small differences (unless two speakers
    say them), and a fragment of a longer quote of the same speaker."""
    idx = _unique(raw, words, "quote", uf)
    left, right = rare_key_pairs([_bigrams(words[i]) for i in idx], RARE_KEYS, MAX_BUCKET)
    tokens = WordSets([words[i] for i in idx])
    content = np.array([len(_content(words[i])) for i in idx], dtype=np.int64)
    speaker = _speaker_ids([raw[i].speaker for i in idx])
    shared = tokens.shared(left, right)
    size_l, size_r = tokens.sizes[left], tokens.sizes[right]
    anyone = (speaker[left] < 0) | (speaker[right] < 0) | (speaker[left] == speaker[right])
    same_words = (jaccard(shared, size_l, size_r) >= QUOTE_SAME) & anyone
    # A fragment: the shorter quote (the left one when as long) has two content words or
    # more, nearly all its words are in the longer one, and one speaker says both.
    shorter = np.where(size_l <= size_r, left, right)
    fragment = (speaker[left] >= 0) & (speaker[left] == speaker[right]) & (content[shorter] >= 2) & \
        (shared >= QUOTE_FRAGMENT * tokens.sizes[shorter])
    _union_pairs(uf, idx, left, right, same_words | fragment)


def _link_statements(raw: list[RawClaim], words: Sequence[tuple[str, ...]], uf: _UnionFind) -> None:
    """Join statements whose content words are mostly the same, said by one speaker and
    both denials or neither."""
    idx = _unique(raw, words, "statement", uf)
    keys = [[f"{_speaker_key(raw[i])}|{b}" for b in _bigrams(words[i])] for i in idx]
    left, right = rare_key_pairs(keys, RARE_KEYS, MAX_BUCKET)
    content = WordSets([_content(words[i]) for i in idx])
    similar = jaccard(content.shared(left, right), content.sizes[left], content.sizes[right])
    attributed = _speaker_ids([raw[i].speaker for i in idx])[left] >= 0
    denial = np.array([raw[i].denial for i in idx], dtype=bool)
    same = (similar >= np.where(attributed, STATEMENT_SAME, 0.6)) & (denial[left] == denial[right])
    _union_pairs(uf, idx, left, right, same)


def _speaker_ids(speakers: Sequence[str | None]) -> np.ndarray:
    """Each speaker as a number, -1 for none, for comparing many pairs at once."""
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(s, len(ids)) if s else -1 for s in speakers], dtype=np.int64)


def _union_pairs(uf: _UnionFind, idx: Sequence[int], left: np.ndarray, right: np.ndarray, join: np.ndarray) -> None:
    """Join the claims `idx[x]` and `idx[y]` of each pair (x, y) where `join` holds."""
    for group in components(len(idx), left[join], right[join]):
        for x in group[1:]:
            uf.union(idx[group[0]], idx[x])


def _link_numbers(raw: list[RawClaim], measures: dict[int, str | None], uf: _UnionFind) -> None:
    first: dict[tuple[str, float, float | None, str | None], int] = {}
    for i, r in enumerate(raw):
        if r.kind != "number" or r.number is None:
            continue
        key = (_speaker_key(r), round(r.number, 6), r.number_max, measures.get(i))
        if key in first:
            uf.union(first[key], i)
        else:
            first[key] = i


class JoinedClaims:
    """Per-article claims (figures with their units) and how they join: each group's
    members, by index into `items`, in order of first member. Made on first use, through
    `runner`: a ledger found in the cache by `key` needs none of it."""

    def __init__(self, key: str, claims: Callable[[ArticleRunner], list[RawClaim]],
                 runner: ArticleRunner = SERIAL_RUNNER) -> None:
        self.key = key
        """A digest of everything the claims come from, with a cache; else empty."""
        self._claims = claims
        self._runner = runner
        self._prepared: tuple[list[RawClaim], dict[int, str | None]] | None = None
        self._groups: list[list[int]] | None = None
        self.to_group = False
        """Whether no build kept the groups of these claims: the ledger will read every
        article's claims back and group them (most of a second at 1,000 articles)."""

    def through(self, runner: ArticleRunner) -> JoinedClaims:
        """The same claims, read and grouped through `runner` when asked (a forked child's
        own runner: the parent's cache connection is not the child's to use)."""
        joined = JoinedClaims(self.key, self._claims, runner)
        joined.to_group = self.to_group
        return joined

    def grouped_as(self, groups: list[list[int]]) -> None:
        """Take the groups made elsewhere (a child, through `through`) for these claims."""
        self._groups = groups

    def prepared(self) -> tuple[list[RawClaim], dict[int, str | None]]:
        """Every claim, and each figure's measure (`_prepared`)."""
        if self._prepared is None:
            items = self._claims(self._runner)
            self._prepared = (items, _prepared(items))
        return self._prepared

    @property
    def items(self) -> list[RawClaim]:
        return self.prepared()[0]

    @property
    def measures(self) -> dict[int, str | None]:
        return self.prepared()[1]

    @property
    def groups(self) -> list[list[int]]:
        return self.group()

    def group(self) -> list[list[int]]:
        """The groups, made now if no build kept them in the cache under `key`."""
        if self._groups is None:
            items, measures = self.prepared()
            self._groups = self._runner.memo(GROUPS_LABEL, self.key, lambda: _groups(items, measures))
        return self._groups


def group_claims(raw: Sequence[RawClaim], origin_of: Mapping[str, str | None]
                 ) -> tuple[Claim, ...]:
    """Join per-article claims into the ledger, with statuses and ids."""
    return claim_ledger(_joined(raw), origin_of)


def _joined(raw: Sequence[RawClaim], runner: ArticleRunner = SERIAL_RUNNER) -> JoinedClaims:
    """The claims as the ledger takes them, and how they join, made now. With a cache the
    groups are kept, keyed on the claims themselves."""
    items = _with_units(list(raw))
    key = plain_key(b"joined claims", items) if runner.cache is not None else ""
    joined = JoinedClaims(key, lambda _: items, runner)
    joined.group()
    return joined


def _prepared(items: list[RawClaim]) -> dict[int, str | None]:
    """Each figure's measure, a denial that names none taking its article's last."""
    measures = _measures(items)
    _borrow_denial_measures(items, measures)
    return measures


GROUPS_LABEL = f"{__name__}._groups"


def _groups(items: list[RawClaim], measures: dict[int, str | None]) -> list[list[int]]:
    """Each group's members, by index into `items`, in order of first member."""
    uf = _UnionFind(len(items))
    # Each quote's and statement's words, found once for the passes that compare them, and
    # once per text: reports repeat it (210,000 texts at 10,000 bench articles, 32,000 distinct).
    tokens_of = {text: _tokens(text) for text in {r.text for r in items if r.kind != "number"}}
    words = [tokens_of[r.text] if r.kind != "number" else () for r in items]
    _link_quotes(items, words, uf)
    _link_statements(items, words, uf)
    _link_numbers(items, measures, uf)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[uf.find(i)].append(i)
    return list(groups.values())


def claim_ledger(joined: JoinedClaims, origin_of: Mapping[str, str | None],
                 runner: ArticleRunner = SERIAL_RUNNER) -> tuple[Claim, ...]:
    """The claims of joined groups, each with its status and its number of independent
    origins (a rewrite of another article is not a second source). With a cache, the last
    build's ledger is kept (`ArticleRunner.latest`) with the claims' digest and the origins
    it was made from: an edit that leaves the claims as they were (most do) takes it as it
    is, or, where the origins moved (a rewrite's link made or broken), recounts the claims
    those articles report (`_recounted`), without reading the claims back or grouping
    them again (0.35 -> 0.1 s at 1,000 articles)."""
    if not joined.key:
        return _ledger(joined, origin_of)
    origins = dict(sorted(origin_of.items()))
    last = runner.latest(LEDGER_LABEL)
    if isinstance(last, _LastLedger) and last.joined == joined.key:
        ledger = last if last.origins == origins else _LastLedger(joined.key, origins, _recounted(last, origins))
        if runner.keeps_memory and not _built_again.remembers:
            # A process that builds again and again and found this ledger in the cache
            # (`sitegen serve`'s first build, mostly its warm-up in the background) builds
            # each group's claim once now, for `_built_again` to give back: else the first
            # edit that changes the claims builds all of them (3.1 of 4.1 s of ledger at
            # 10,000 articles).
            made = _ledger(joined, origins, _built_again)
            _remember_as(made, kept_when_equal(made, ledger.claims))
    else:
        claims = _ledger(joined, origins, _built_again if runner.keeps_memory else _built)
        if isinstance(last, _LastLedger) and runner.memory is not None:
            # A process that builds again and again keeps what it made from each claim (its
            # line of briefing.json, its search row) by the claim's identity: a claim an edit
            # left as it was stays the very object of the last ledger.
            made, claims = claims, tuple(kept_when_equal(claims, last.claims))
            if runner.keeps_memory:
                _remember_as(made, claims)
        ledger = _LastLedger(joined.key, origins, claims)
    runner.keep_latest(LEDGER_LABEL, ledger)
    runner.made_from(ledger.claims, plain_key(b"ledger", (joined.key, origins)))
    return ledger.claims


LEDGER_LABEL = f"{__name__}.claim_ledger"


def _remember_as(made: Iterable[Claim], kept: Iterable[Claim]) -> None:
    """Have `_built_again` give back the ledger's own claim (`kept`, equal) where it made
    another (`made`): the claims of a ledger read from the cache, or kept from the last, are
    not the objects it built, and `kept_when_equal` compared each pair again every edit
    (all 4,656 at 1,000 articles, 12-13 ms; with the identity of `kept`, none)."""
    ledger_claim = {id(new): old for new, old in zip(made, kept, strict=True) if new is not old}
    if ledger_claim:
        _built_again.remap(lambda built: (built[0], ledger_claim.get(id(built[1]), built[1]), built[2]))


@dataclass(frozen=True, slots=True)
class _LastLedger:
    """A ledger and what it was made from, for the next build (`claim_ledger`)."""

    joined: str
    """The joined claims' digest (`JoinedClaims.key`)."""
    origins: dict[str, str | None]
    claims: tuple[Claim, ...]


def _recounted(last: _LastLedger, origins: Mapping[str, str | None]) -> tuple[Claim, ...]:
    """`last.claims` under new origins: each claim reported by an article whose origin moved
    gets its independent origins counted again, and with them its status, which the count
    decides unless the claim is contested or unverified whatever its sources (`_build`).
    Nothing else in a claim, its id or its place depends on the origins."""
    moved = {a for a in origins.keys() | last.origins.keys() if origins.get(a) != last.origins.get(a)}
    out = []
    for claim in last.claims:
        articles = {e.article for e in claim.evidence}
        if articles & moved:
            independent = _independent_origins(articles, origins)
            status = claim.status
            if status in ("corroborated", "single-source"):
                status = _status_by_sources(independent)
            claim = replace(claim, independent_sources=independent, status=status)
        out.append(claim)
    return tuple(out)


def _independent_origins(articles: Iterable[str], origins: Mapping[str, str | None]) -> int:
    """How many independent sources report in `articles`: a rewrite counts as the article it
    rewrites (its origin), not as a second source."""
    return len({origins.get(a) or a for a in articles})


def _status_by_sources(independent: int) -> ClaimStatus:
    """The status of a claim neither contested nor unverified: what its sources decide."""
    return "corroborated" if independent >= 2 else "single-source"


GroupReading = tuple[tuple[RawClaim, ...], tuple[str | None, ...], bool, int, frozenset[str],
                     frozenset[tuple[str, float]]]
"""All that `_build` reads of one group: its members' claims and their measures, in the
order of the joined items; whether the claims contradict a figure of another speaker
(`_conflicting`); how many independent sources report them; which of their measures a
denial disowns (`_denied_measures`); which (measure, figure) pairs of theirs a denial names.
Equal readings give equal claims."""

BuiltClaim = tuple[tuple[object, ...], Claim, str]
"""A claim as `_build` makes it (with its short id, `_short_id`), the key that puts it in
the ledger's order and the digest of its identity its id is made from (`_with_ids`)."""


def _built(readings: Iterable[GroupReading]) -> list[BuiltClaim]:
    """Each group's claim, made afresh."""
    return [_build(reading) for reading in readings]


def _ledger(joined: JoinedClaims, origin_of: Mapping[str, str | None],
            build: Callable[[Iterable[GroupReading]], list[BuiltClaim]] = _built) -> tuple[Claim, ...]:
    """The claims of every group, in order of first report, with ids. `build` makes each
    group's claim from its reading: `_built_again` in a process that builds again and
    again, where a group an edit left as it was is not built again."""
    items, measures = joined.items, joined.measures
    origins = dict(origin_of)
    contested = _conflicting(items, measures)
    disowned = _denied_measures(items, measures)
    denied = {(measure, round(r.number, 6)) for i, r in enumerate(items)
              if r.denial and r.number is not None and (measure := measures.get(i))}
    readings = [_reading(items, measures, members, origins, contested, disowned, denied)
                for members in joined.groups]
    built = build(readings)
    built.sort(key=lambda c: c[0])
    return _with_ids([claim for _, claim, _ in built], [digest for _, _, digest in built])


def _reading(items: list[RawClaim], measures: dict[int, str | None], members: list[int],
             origins: dict[str, str | None], contested: set[int], disowned: set[str],
             denied: set[tuple[str, float]]) -> GroupReading:
    """What `_build` reads of the group `members` (indexes into `items`). Denials are
    rare, so the two sets they make are mostly empty, and then not looked at."""
    rows = tuple(map(items.__getitem__, members))
    shown = tuple(map(measures.get, members))
    named_disowned = frozenset(m for m in shown if m in disowned) if disowned else _NOTHING_DENIED
    named_denied = _NOTHING_DENIED
    if denied:
        figures = {round(r.number, 6) for r in rows if r.number is not None}
        named_denied = frozenset(pair for pair in ((m, f) for m in set(shown) if m for f in figures)
                                 if pair in denied)
    return (rows, shown, not contested.isdisjoint(members),
            _independent_origins({r.article for r in rows}, origins), named_disowned, named_denied)


_NOTHING_DENIED: frozenset[Any] = frozenset()
"""What a reading holds where no denial disowns a measure or names a figure (most groups)."""


def _borrow_denial_measures(items: list[RawClaim], measures: dict[int, str | None]) -> None:
    """A denial that names no figure ("he never gave that figure") is about the last
    measure its article mentioned before it."""
    last: dict[str, str] = {}
    # Only claims with a measure or denials bear on the result: those are put in reading order.
    bearing = [(i, r) for i, r in enumerate(items) if r.denial or measures.get(i)]
    for i, r in sorted(bearing, key=lambda t: (t[1].article, t[1].paragraph, t[1].start)):
        if measures.get(i):
            last[r.article] = measures[i] or ""
        elif r.denial and r.kind != "number" and r.article in last and \
                re.search(r"\b(?:figure|number|estimate|toll|count|total|tally)s?\b", r.evidence):
            measures[i] = last[r.article]


def _denied_measures(items: list[RawClaim], measures: dict[int, str | None]) -> set[str]:
    """Measures a denial that names no figure disowns ("he never gave that figure")."""
    return {m for i, m in measures.items() if m and items[i].denial and items[i].number is None}


def _disagree(a: RawClaim, b: RawClaim) -> bool:
    """Two estimates of one quantity that do not agree: their ranges do not meet, yet lie
    within CONFLICT_RATIO of each other (a figure ten times smaller counts a part, such as
    a first contingent, not the same thing)."""
    if a.number is None or b.number is None:
        return False
    lo_a, hi_a = a.number, a.number_max or a.number
    lo_b, hi_b = b.number, b.number_max or b.number
    if _same(lo_a, lo_b) and _same(hi_a, hi_b):
        return False
    if lo_a <= hi_b * (1 + NUMBER_TOLERANCE) and lo_b <= hi_a * (1 + NUMBER_TOLERANCE):
        return False  # the ranges meet
    low, high = (hi_a, lo_b) if hi_a < lo_b else (hi_b, lo_a)
    return low > 0 and high / low <= CONFLICT_RATIO


def _conflicting(items: list[RawClaim], measures: dict[int, str | None]) -> set[int]:
    """Figures that another speaker's figure for the same measure contradicts. Compared
    by distinct value, so the work grows with the values of a measure, not its claims."""
    by_measure: dict[str, dict[tuple[float, float | None], list[int]]] = defaultdict(dict)
    for i, m in measures.items():
        r = items[i]
        if m and r.kind == "number" and r.number is not None and not r.denial:
            by_measure[m].setdefault((r.number, r.number_max), []).append(i)
    out: set[int] = set()
    for figures in by_measure.values():
        values = sorted(figures, key=_figure_order)
        speakers = {v: {_speaker_key(items[i]) for i in figures[v]} for v in values}
        for x, va in enumerate(values):
            for vb in values[x + 1 :]:
                if len(speakers[va] | speakers[vb]) < 2:
                    continue  # one speaker revising its own figure
                if _disagree(items[figures[va][0]], items[figures[vb][0]]):
                    out.update(figures[va])
                    out.update(figures[vb])
    return out


def _figure_order(value: tuple[float, float | None]) -> tuple[float, bool, float]:
    """A figure before the ranges starting at it (a plain sort would compare None with a number)."""
    low, high = value
    return low, high is not None, high or 0.0


def _build(reading: GroupReading) -> BuiltClaim:
    """One group's claim, from its reading alone."""
    members, shown, contested, independent, disowned, denied = reading
    order = sorted(range(len(members)), key=lambda n: (members[n].article, members[n].paragraph, members[n].start))
    rs = [members[n] for n in order]
    lead = rs[0]
    if lead.kind == "quote":
        lead = rs[max(range(len(rs)), key=lambda n: (len(rs[n].text), -n))]
    speaker = next((r.speaker for r in rs if r.speaker), None)
    surface = next((r.speaker_surface for r in rs if r.speaker == speaker and r.speaker_surface), None)
    # Deduplicated as tuples, which hash and sort in C (a dataclass hashes in Python).
    evidence = [Evidence(*spot) for spot in sorted({(r.article, r.paragraph, r.evidence) for r in rs})]
    measure = next((m for m in (shown[n] for n in order) if m), None)
    denial = any(r.denial for r in rs)
    status: ClaimStatus
    figure_denied = lead.number is not None and measure is not None and (measure, round(lead.number, 6)) in denied
    if denial or figure_denied or contested or (measure in disowned and lead.kind == "number"):
        status = "contested"
    elif any(r.unverified for r in rs):
        status = "unverified"
    else:
        status = _status_by_sources(independent)
    hedge = next((r.hedge for r in rs if r.hedge), None)
    digest = hashlib.sha256(_identity_of(lead.kind, speaker, surface, lead, measure).encode("utf-8")).hexdigest()
    claim = Claim(
        id=_short_id(digest), kind=lead.kind, speaker=speaker, speaker_surface=surface, text=lead.text,
        number=lead.number, number_max=lead.number_max, unit=lead.unit if lead.kind == "number"
        else None, hedge=hedge, measure=measure, evidence=tuple(evidence),
        independent_sources=independent, status=status, denial=denial)
    first = rs[0]
    kind_order = {"quote": 0, "statement": 1, "number": 2}[lead.kind]
    return (first.article, first.paragraph, first.start, kind_order, lead.text), claim, digest


_built_again = each_by_value(_build)
"""`_built`, giving back the claim of the last ledger this process made for an equal
reading (`warm.each_by_value`). A process that builds again and again (`sitegen serve`)
makes a new ledger whenever an edit changed an article's claims, and building every
group's claim and hashing its identity again was most of it (0.22 of 0.26 s at 1,000
articles). A one-shot build does not keep the readings, which hold every article's claims."""


def _identity_of(kind: ClaimKind, speaker: str | None, surface: str | None, lead: RawClaim,
                 measure: str | None) -> str:
    """What a claim is, whoever reports it: kind, speaker and words, or figure and measure
    (the claim's text and figures are its lead report's). Its id is made from this, so
    adding or editing another article leaves it unchanged."""
    who = speaker or _surface_key(surface or "")
    what = f"{lead.number!r} {lead.number_max!r} {measure}" if kind == "number" else " ".join(_tokens(lead.text))
    return f"{kind}|{who}|{what}"


def _short_id(digest: str) -> str:
    """A claim's id when no other claim's identity hashes to the same first digits."""
    return "c-" + digest[:ID_DIGITS]


def _with_ids(claims: list[Claim], digests: list[str]) -> tuple[Claim, ...]:
    """Ids from `digests`, a hash of each claim's identity ("c-" and 8 hex digits), so a
    link to a claim (claims.html#c-…) keeps pointing at it as articles are added; a number
    in order of appearance would shift every later claim, and every page listing one. The
    rare claims whose short ids collide take 16 digits. Each claim comes with its short
    id (`_build`), and only those that need another are made again."""
    short = Counter(d[:ID_DIGITS] for d in digests)
    taken: set[str] = set()
    out = []
    for digest, claim in zip(digests, claims, strict=True):
        base = "c-" + (digest[:ID_DIGITS] if short[digest[:ID_DIGITS]] == 1 else digest[:2 * ID_DIGITS])
        claim_id, n = base, 1
        while claim_id in taken:  # two groups of one identity (the index skipped their pair)
            n += 1
            claim_id = f"{base}-{n}"
        taken.add(claim_id)
        out.append(claim if claim.id == claim_id else replace(claim, id=claim_id))
    return tuple(out)

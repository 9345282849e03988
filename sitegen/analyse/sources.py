"""Independent sources: which articles rewrite, condense or copy which (issue 5).

A claim carried by five outlets that all rewrite one wire story has one source. For
every pair of articles we measure, from the text alone and with quotations removed
(`shingles.py`), how much of one is carried over into the other *in the same order*:

- exact reuse: the share of one article's 5-word shingles found in the other, counting
  only those that keep their order (longest common subsequence of matches);
- paraphrase: the share of one article's sentences whose content words (stemmed, stop
  words dropped) are mostly found in one sentence of the other, again counting only
  sentences whose order is kept.

Order is what tells a rewrite from two independent reports of one event: independent
reports share facts, but not the sequence in which a writer laid them out.

Direction: the earlier date is the origin; without two different dates, the fuller
text (more figures and names, then more words) is, since a rewrite drops detail.
A copy of a copy has the first article as its origin.

Above `LSH_MIN_ARTICLES` articles, MinHash bands over content-word pairs propose the
candidate pairs, at most `LSH_MAX_PARTNERS` an article, strictest bands first; above
`BATCH_MIN_PAIRS` candidates, bounds computed for one article against all the others (with
MinHash, against its own candidates) at once drop the pairs that cannot link; the rest are
compared exactly. Neither step changes a decision on the corpora we test
(tests/test_sources.py).
"""

from __future__ import annotations

import bisect
import functools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sitegen.analyse import lsh
from sitegen.analyse.arrays import sorted_unique
from sitegen.analyse.lsh import LSH_BANDS, LSH_ROWS
from sitegen.analyse.shingles import ArticleText, article_text
from sitegen.imports import import_alone
from sitegen.model import Article, CopyLink, SharedPassage, SourceAnalysis
from sitegen.pickling import pickled_by_value
from sitegen.runner import SERIAL_RUNNER, ArticleRunner, item_key, step_label

TEXT_SETTINGS = "sources-text/2"
"""Bump when `shingles.article_text` changes in a way the code fingerprint would not show."""

# ---------------------------------------------------------------------------------------
# Thresholds, in one place. Figures: `score_pairs` on the seeds (five reports of one
# story, one rewrite pair) and on tests/stories/sources-*:
#
#   pair                                   score  (ordered share, the larger way)
#   seeds 001 ~ 003 (condensed paraphrase)  0.453  linked
#   wire ~ either cut                       1.000  linked
#   original ~ translation-style rewrite    1.000  linked
#   cut ~ cut (both from the wire)          0.547  linked, but each cut keeps the wire
#   highest independent pair, seeds         0.134  (000 ~ 001, same call reported)
#   highest independent pair, stories       0.197  (commuters ~ original, one strike)
#   two reports quoting one long statement  0.000  (quotations removed)
#
# On 200 articles of the synthetic bench corpus (sentences of the seeds recombined at
# random), 0.6% of pairs (123 of 19,900) score 0.3 or more: recombined text shares whole
# sentences, and chance keeps some in order. They are linked; the sources page shows why.
# ---------------------------------------------------------------------------------------

SENTENCE_MATCH = 0.5
"""A sentence is carried over when this share of its content words is in one sentence
of the other article (a paraphrase keeps names, figures and most nouns)."""
SENTENCE_MIN_SHARED = 4
"""...and at least this many content words are shared (short sentences match by chance)."""
LINK_SCORE = 0.3
"""Ordered share of either article carried over into the other at which two articles are
linked: between the highest independent pair (0.197) and the lowest rewrite (0.453)."""
LSH_MIN_ARTICLES = 300
"""Below this many articles every pair is compared; above it MinHash LSH proposes pairs."""
BATCH_MIN_PAIRS = 2000
"""From this many candidate pairs on, unordered bounds for all pairs at once (a few array
operations per article) pick the pairs worth an exact, ordered comparison."""
BATCH_MAX_CELLS = 20_000_000
"""An article's sentences times the corpus's later sentences above which its pairs are
compared one by one instead (the batched arrays would take more than about 1 GB)."""
SHINGLES_PER_SENTENCE = 10
"""A carried-over sentence counts as much as this many shared shingles when choosing
which paragraph of the origin a paragraph of the copy comes from."""
PASSAGE_MIN_VOTES = 3
"""A paragraph of the copy is shown as a shared passage when at least three shingles
(one short phrase) or one sentence of it were carried over in order."""

SKETCH_SETTINGS = f"sketch/3 {LSH_BANDS}x{LSH_ROWS}"
PAIR_SETTINGS = (f"pairs/1 link={LINK_SCORE} sentence={SENTENCE_MATCH},{SENTENCE_MIN_SHARED} "
                 f"passage={SHINGLES_PER_SENTENCE},{PASSAGE_MIN_VOTES}")
"""Part of the cache keys of sketches, pair verdicts and links (with the code's own hash)."""


Match = tuple[int, int, int, float]
"""(position in one article, position in the other, length, weight): a block of units
carried over (a run of shingles, or one sentence)."""


@pickled_by_value
@dataclass(frozen=True, slots=True)
class PairScore:
    """The overlap figures of one pair of articles, both ways."""

    a: str
    b: str
    a_in_b: float
    """Ordered share of `a` carried over into `b` (the larger of exact and paraphrase)."""
    b_in_a: float
    containment_a: float
    """Share of `a`'s shingles found in `b` (any order)."""
    containment_b: float

    @property
    def score(self) -> float:
        """The figure a link is decided on."""
        return max(self.a_in_b, self.b_in_a)


def _heaviest_chain(blocks: Sequence[Match]) -> list[Match]:
    """The heaviest chain of matched blocks that keeps reading order in both articles.

    `blocks` are sorted by position in the first article; a block may follow another
    only if it starts after that one ends in both articles. What survives is the text
    carried over in order. O(n^2) in blocks, and runs of shingles are merged into one
    block, so n stays small (a verbatim sentence is one block).
    """
    best: list[float] = []
    parent: list[int] = []
    for k, (i, j, _, w) in enumerate(blocks):
        top, at = 0.0, -1
        for m in range(k):
            im, jm, lm, _ = blocks[m]
            if im + lm <= i and jm + lm <= j and best[m] > top:
                top, at = best[m], m
        best.append(top + w)
        parent.append(at)
    if not best:
        return []
    k = max(range(len(best)), key=lambda x: (best[x], -x))
    chain = []
    while k >= 0:
        chain.append(blocks[k])
        k = parent[k]
    return chain[::-1]


def _chain_weight(blocks: Sequence[Match]) -> float:
    """`_weight(_heaviest_chain(blocks))`, for blocks that follow one another in the first
    article (sorted by position there, none overlapping the next), as every caller's do:
    runs of distinct shingles, read in either article's order, and sentences, one each.
    Then only the second article's order constrains a chain, and the best chain ending
    before each position is kept as a staircase (ends rising, weights rising), searched by
    bisection: half the time of the quadratic search on the bench corpus, where nearly
    every pair compared is no rewrite and the whole chain must be weighed to know it. The
    weights are whole numbers, so the sums are those `_heaviest_chain` makes."""
    ends: list[int] = []
    weights: list[float] = []
    for _, j, length, weight in blocks:
        before = bisect.bisect_right(ends, j)
        value = (weights[before - 1] if before else 0.0) + weight
        end = j + length
        up_to = bisect.bisect_right(ends, end)
        if up_to and weights[up_to - 1] >= value:
            continue  # a chain ending no later weighs as much
        start = stop = bisect.bisect_left(ends, end)
        while stop < len(ends) and weights[stop] <= value:
            stop += 1
        ends[start:stop], weights[start:stop] = [end], [value]
    return weights[-1] if weights else 0.0


def _weight(blocks: Iterable[Match]) -> float:
    return sum(w for _, _, _, w in blocks)


@dataclass(frozen=True, slots=True)
class _Prepared:
    """One article's units as sorted arrays, so a pair is compared with a few numpy calls."""

    text: ArticleText
    shingle_keys: np.ndarray
    """Distinct shingle hashes, sorted."""
    shingle_first: np.ndarray
    """Reading position of each key's first occurrence."""
    word_keys: np.ndarray
    """Content-word hashes of every sentence bag, sorted."""
    word_sentence: np.ndarray
    """The sentence (index into `text.sentences`) of each word key."""
    sizes: np.ndarray
    """Content words per sentence."""


_Item = tuple[str, tuple[tuple[int, str], ...]]


def _item(article: Article) -> _Item:
    """What `article_text` reads of an article: its id and numbered paragraphs."""
    return article.id, tuple((p.number, p.text) for p in article.paragraphs)


def text_digests(articles: Sequence[Article]) -> list[str]:
    """The digest naming each article's text, sketch and pairs in the cache: from its id and
    its file's digest (`Article.content_digest`), which name its text as surely as the
    text itself, else (an article made in code) from its item. Hashing every article's
    paragraphs took 0.25 s of the sources stage of each edit rebuilt by `sitegen serve` at
    10,000 articles (0.53 s profiled), for the one or two articles an edit changes."""
    return [item_key(b"sources text", (a.id, a.content_digest)) if a.content_digest else item_key(b"", _item(a))
            for a in articles]


def _prepare(article: Article) -> _Prepared:
    return _arrays(article_text(article.id, [(p.number, p.text) for p in article.paragraphs]))


def _arrays(text: ArticleText) -> _Prepared:
    keys, first = np.unique(np.frombuffer(text.shingles, "<u8"), return_index=True)
    sizes = np.array([s.size for s in text.sentences], dtype=np.int64)
    words = np.frombuffer(b"".join(s.word_keys for s in text.sentences), "<u8")
    sentence = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    order = np.lexsort((sentence, words))  # by word key, then sentence
    return _Prepared(
        text=text,
        shingle_keys=keys,
        shingle_first=first,
        word_keys=words[order].astype(np.uint64, copy=False),
        word_sentence=sentence[order],
        sizes=sizes,
    )


def _shingle_matches(a: _Prepared, b: _Prepared) -> list[Match]:
    """Runs of `a`'s distinct shingles found in `b`, in `a`'s reading order; a run is
    consecutive in both articles and weighs its length."""
    if not len(b.shingle_keys):
        return []
    pos = np.searchsorted(b.shingle_keys, a.shingle_keys)
    pos[pos == len(b.shingle_keys)] = 0
    hit = b.shingle_keys[pos] == a.shingle_keys
    ai = a.shingle_first[hit]
    order = np.argsort(ai, kind="stable")
    ai, bj = ai[order], b.shingle_first[pos[hit]][order]
    if not len(ai):
        return []
    new_run = np.ones(len(ai), dtype=bool)
    new_run[1:] = (np.diff(ai) != 1) | (np.diff(bj) != 1)
    starts = np.flatnonzero(new_run)
    lengths = np.diff(np.append(starts, len(ai)))
    return [
        (i, j, n, float(n)) for i, j, n in zip(ai[starts].tolist(), bj[starts].tolist(), lengths.tolist(), strict=True)
    ]


def _shared_words(a: _Prepared, b: _Prepared) -> np.ndarray:
    """Content words each sentence of `a` shares with each sentence of `b` (sa x sb)."""
    shared = np.zeros((len(a.sizes), len(b.sizes)), dtype=np.int64)
    lo = np.searchsorted(b.word_keys, a.word_keys, side="left")
    hi = np.searchsorted(b.word_keys, a.word_keys, side="right")
    counts = hi - lo
    total = int(counts.sum())
    if total:
        rows = np.repeat(a.word_sentence, counts)
        starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
        np.add.at(shared, (rows, b.word_sentence[starts + np.arange(total)]), 1)
    return shared


def _sentence_matches(shared: np.ndarray, sizes: np.ndarray) -> list[Match]:
    """(sentence, best sentence of the other, content words) for each sentence of the
    article whose rows `shared` holds that was carried over into the other."""
    if not shared.size:
        return []
    share = np.where(shared >= SENTENCE_MIN_SHARED, shared / sizes[:, None], 0.0)
    best_j = share.argmax(axis=1)
    best = share[np.arange(len(sizes)), best_j]
    rows = np.nonzero(best >= SENTENCE_MATCH)[0]
    return [(int(i), int(best_j[i]), 1, float(sizes[i])) for i in rows]


def _carried_over(a: _Prepared, shingles: list[Match], shared: np.ndarray) -> tuple[float, float]:
    """(ordered share of `a` carried over into the other article, share of `a`'s shingles
    in it), given the runs of shingles they share in `a`'s order and the content words
    each pair of sentences shares.

    The ordered share is the larger of the exact (shingle) and paraphrase (sentence)
    measures. An ordered share never exceeds its unordered one, so a longest chain is
    only computed when it could change the result: same figures, less work.
    """
    distinct = len(a.shingle_keys)
    sentences = _sentence_matches(shared, a.sizes)
    words = int(a.sizes.sum())
    shingle_bound = _weight(shingles) / distinct if distinct else 0.0
    sentence_bound = _weight(sentences) / words if words else 0.0
    best = 0.0
    for bound, matches, total in sorted(
        ((shingle_bound, shingles, distinct), (sentence_bound, sentences, words)),
        key=lambda t: -t[0],
    ):
        if bound > best:
            best = max(best, _chain_weight(matches) / total)
    return best, shingle_bound


def _compare(a: _Prepared, b: _Prepared) -> PairScore:
    shared = _shared_words(a, b)
    runs = _shingle_matches(a, b)
    # The same runs read in b's order: a run is consecutive in both articles, and first
    # positions of distinct shingles are distinct, so no run splits or joins either way.
    a_in_b, containment_a = _carried_over(a, runs, shared)
    b_in_a, containment_b = _carried_over(b, sorted((j, i, n, w) for i, j, n, w in runs), shared.T)
    return PairScore(
        a=a.text.id,
        b=b.text.id,
        a_in_b=a_in_b,
        b_in_a=b_in_a,
        containment_a=containment_a,
        containment_b=containment_b,
    )


def _minhash_class() -> Any:
    """datasketch's MinHash, imported on first use (large corpora only), from its module
    alone: the package's `__init__` would import SciPy for LSH, which this file does itself."""
    return import_alone("datasketch.minhash").MinHash


@functools.cache
def _empty_minhash() -> Any:
    """A MinHash of nothing with the sketches' settings, copied for each article: a copy
    shares its permutations, which a new MinHash draws afresh (0.11 of the 0.88 ms a sketch
    took)."""
    return _minhash_class()(num_perm=LSH_BANDS * LSH_ROWS, seed=1, hashfunc=int)


def _sketch(text: ArticleText) -> bytes:
    """MinHash of the article's content-word pairs (what the bands bucket): its 256 hash
    values as little-endian bytes, small to cache and quick to stack."""
    m = _empty_minhash().copy()
    m.update_batch(_bigrams(text).tolist())
    values: np.ndarray = m.hashvalues
    return values.astype("<u8").tobytes()


def _worth_verifying(
    prepared: Sequence[_Prepared], candidates: Sequence[tuple[int, int]], batch: bool, whole_corpus: bool = True
) -> list[tuple[int, int]]:
    """The candidate pairs that may reach `LINK_SCORE`; each gets a full comparison.

    With `batch`, one article is set against many at once (`_Bounds`): pairs whose
    unordered overlap stays below the threshold either way are dropped (an ordered share
    never exceeds its unordered one), and the ordered sentence share is worked out from
    the same arrays; the shingle chain only where shingles could link. `whole_corpus`:
    against every later article of the corpus (all pairs are candidates); else against
    its own candidates only (MinHash's few dozen an article), which replaces a dozen
    array operations per pair with a dozen per article: two thirds of a cold sources
    stage at 1,000 articles went to comparing 38,000 pairs one by one.
    No decision changes: a pair is dropped only when its exact score is below the line.
    """
    if not batch:
        return list(candidates)
    if not whole_corpus:
        return _worth_verifying_grouped(prepared, candidates)
    partners: dict[int, list[int]] = {}
    for i, j in candidates:
        partners.setdefault(i, []).append(j)
    bounds = _Bounds(prepared)
    out: list[tuple[int, int]] = []
    for i in sorted(partners):
        a = prepared[i]
        if len(a.sizes) * (len(bounds.sentence_sizes) - int(bounds.sentence_start[i + 1])) > BATCH_MAX_CELLS:
            out.extend((i, j) for j in partners[i])  # too big to set against all at once
            continue
        view = bounds.of(i)
        out.extend((i, j) for j in partners[i] if _may_link(view, j, a, prepared[j]))
    return out


def _worth_verifying_grouped(prepared: Sequence[_Prepared], candidates: Sequence[tuple[int, int]]
                             ) -> list[tuple[int, int]]:
    """`_worth_verifying` with each article set against its own candidates: a pair goes
    to the one of its two articles with more candidates (after an edit, the edited one)."""
    count: Counter[int] = Counter(k for pair in candidates for k in pair)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, j in candidates:
        owner, other = (i, j) if count[i] >= count[j] else (j, i)
        groups[owner].append(other)
    out: list[tuple[int, int]] = []
    for owner in sorted(groups):
        others = groups[owner]
        members = [prepared[owner], *(prepared[k] for k in others)]
        if len(members[0].sizes) * sum(len(m.sizes) for m in members[1:]) > BATCH_MAX_CELLS:
            out.extend((min(owner, k), max(owner, k)) for k in others)
            continue
        view = _Bounds(members).of(0)
        out.extend((min(owner, k), max(owner, k)) for local, k in enumerate(others, start=1)
                   if _may_link(view, local, members[0], members[local]))
    return out


def _may_link(view: _View, j: int, a: _Prepared, b: _Prepared) -> bool:
    """Whether `a` (the view's article) and `b` (article j of the view's bounds) may link:
    each measure's ordered share is worked out only where its unordered share could."""
    return (
        (view.a_in[j] >= LINK_SCORE and _sentence_share(view.carried_into(j), a.sizes) >= LINK_SCORE)
        or (view.b_in[j] >= LINK_SCORE and _sentence_share(view.carried_from(j), b.sizes) >= LINK_SCORE)
        or (view.shingle_reach[j] >= LINK_SCORE and _shingles_may_link(a, b))
    )


def _shingles_may_link(a: _Prepared, b: _Prepared) -> bool:
    """Whether the shingles one article carries over into the other in order reach
    `LINK_SCORE` either way. The runs are found once (as `_compare` does, read in b's order
    for b's share), and a way's chain is worked out only where its runs could reach it."""
    runs = _shingle_matches(a, b)
    return (_chain_reaches(runs, len(a.shingle_keys))
            or _chain_reaches(sorted((j, i, n, w) for i, j, n, w in runs), len(b.shingle_keys)))


def _chain_reaches(blocks: list[Match], total: int) -> bool:
    """Whether the heaviest in-order chain of `blocks` weighs `LINK_SCORE` of `total`. A
    chain never weighs more than all its blocks (whole numbers, summed exactly as floats),
    so it is only worked out when they do."""
    return bool(total) and _weight(blocks) / total >= LINK_SCORE and \
        _chain_weight(blocks) / total >= LINK_SCORE


def _sentence_share(matches: list[Match], sizes: np.ndarray) -> float:
    total = int(sizes.sum())
    return _chain_weight(matches) / total if total else 0.0


class _Bounds:
    """Unordered overlap of one article with every other, from corpus-wide sorted arrays.
    Equal keys may come in any order (the default sort, five times a stable one's speed):
    what is read of them is counted (`np.bincount`), which order does not change."""

    def __init__(self, prepared: Sequence[_Prepared]) -> None:
        self.prepared = prepared
        n = len(prepared)
        keys = np.concatenate([p.shingle_keys for p in prepared])
        owner = np.repeat(np.arange(n), [len(p.shingle_keys) for p in prepared])
        order = np.argsort(keys)
        self.shingle_keys, self.shingle_owner = keys[order], owner[order]
        self.shingle_counts = np.array([max(1, len(p.shingle_keys)) for p in prepared], dtype=np.float64)
        sentences = [len(p.sizes) for p in prepared]
        self.sentence_start = np.concatenate([[0], np.cumsum(sentences)]).astype(np.int64)
        self.sentence_owner = np.repeat(np.arange(n), sentences)
        self.sentence_sizes = np.concatenate([p.sizes for p in prepared]).astype(np.float64)
        words = np.concatenate([p.word_keys for p in prepared])
        word_sentence = np.concatenate([p.word_sentence + self.sentence_start[k] for k, p in enumerate(prepared)])
        order = np.argsort(words)
        self.word_keys, self.word_sentence = words[order], word_sentence[order]
        self.words_total = np.array([max(1, int(p.sizes.sum())) for p in prepared], dtype=np.float64)

    def of(self, i: int) -> _View:
        """Article i set against every later article of the corpus (pairs are i < j)."""
        a = self.prepared[i]
        n = len(self.prepared)
        rows, cols = _expand(self.shingle_keys, a.shingle_keys)
        shared = np.bincount(self.shingle_owner[cols], minlength=n).astype(np.float64)
        shingle_reach = np.maximum(shared / max(1, len(a.shingle_keys)), shared / self.shingle_counts)
        first = int(self.sentence_start[i + 1])
        width = len(self.sentence_sizes) - first
        if not len(a.sizes) or not width:
            none = np.zeros(n)
            return _View(self, a, first, shingle_reach, none, none, np.full((len(a.sizes), n), -1),
                         np.full(width, -1))  # fmt: skip
        rows, cols = _expand(self.word_keys, a.word_keys)
        columns = self.word_sentence[cols] - first
        later = columns >= 0
        counts = np.bincount(
            a.word_sentence[rows[later]] * width + columns[later], minlength=len(a.sizes) * width
        ).reshape(len(a.sizes), width)
        # Only counts of at least SENTENCE_MIN_SHARED can match; within one sentence the
        # best match is the largest count (first on ties), as in `_sentence_matches`.
        masked = np.where(counts >= SENTENCE_MIN_SHARED, counts, 0)
        sizes = self.sentence_sizes[first:]
        # a's sentences against each later article: best count and its column.
        keyed = masked * (width + 1) + (width - np.arange(width))[None, :]
        starts = self.sentence_start[i + 1 : -1] - first
        filled = np.flatnonzero(self.sentence_start[i + 2 :] > self.sentence_start[i + 1 : -1])
        best_key = np.full((len(a.sizes), n), -1)
        if len(filled):
            best_key[:, i + 1 + filled] = np.maximum.reduceat(keyed, starts[filled], axis=1)
        best_count = best_key // (width + 1)
        carried_a = (best_count >= SENTENCE_MIN_SHARED) & (best_count / a.sizes[:, None] >= SENTENCE_MATCH)
        best_col = np.where(carried_a, width - best_key % (width + 1), -1)
        a_in = (a.sizes[:, None] * carried_a).sum(axis=0) / max(1, int(a.sizes.sum()))
        # every later sentence against a's: the best of a's sentences, if carried.
        best_row = masked.argmax(axis=0)
        top = masked[best_row, np.arange(width)]
        carried_b = (top >= SENTENCE_MIN_SHARED) & (top / sizes >= SENTENCE_MATCH)
        b_in = np.bincount(self.sentence_owner[first:], weights=sizes * carried_b, minlength=n) / self.words_total
        return _View(self, a, first, shingle_reach, a_in, b_in, best_col, np.where(carried_b, best_row, -1))


@dataclass(frozen=True, slots=True)
class _View:
    """One article set against the later ones: unordered shares, and the sentence matches
    `_sentence_matches` would find, so ordered shares need no further array work."""

    bounds: _Bounds
    article: _Prepared
    first: int
    """Corpus index of the first sentence after this article's."""
    shingle_reach: np.ndarray
    """Per article: the larger unordered shingle share, either way."""
    a_in: np.ndarray
    """Per article: unordered share of this article's sentences carried into it."""
    b_in: np.ndarray
    """Per article: unordered share of its sentences carried into this one."""
    best_col: np.ndarray
    """(own sentence, article) -> the corpus sentence (from `first`) it is carried into, or -1."""
    best_row: np.ndarray
    """Corpus sentence (from `first`) -> the own sentence it is carried into, or -1."""

    def carried_into(self, j: int) -> list[Match]:
        """This article's sentences carried into article j, as `_sentence_matches` gives."""
        start = int(self.bounds.sentence_start[j]) - self.first
        rows = np.flatnonzero(self.best_col[:, j] >= 0)
        sizes = self.article.sizes
        return [(int(r), int(self.best_col[r, j]) - start, 1, float(sizes[r])) for r in rows]

    def carried_from(self, j: int) -> list[Match]:
        """Article j's sentences carried into this article."""
        start = int(self.bounds.sentence_start[j]) - self.first
        end = int(self.bounds.sentence_start[j + 1]) - self.first
        cols = np.flatnonzero(self.best_row[start:end] >= 0)
        sizes = self.bounds.sentence_sizes[self.first :]
        return [(int(c), int(self.best_row[start + c]), 1, float(sizes[start + c])) for c in cols]


def _expand(haystack: np.ndarray, needles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(needle index, haystack index) for every equal pair; `haystack` sorted."""
    lo = np.searchsorted(haystack, needles, side="left")
    hi = np.searchsorted(haystack, needles, side="right")
    counts = hi - lo
    total = int(counts.sum())
    rows = np.repeat(np.arange(len(needles)), counts)
    cols = np.repeat(lo - (np.cumsum(counts) - counts), counts) + np.arange(total)
    return rows, cols


def _bigrams(text: ArticleText) -> np.ndarray:
    """Pairs of stemmed content words within a sentence, order-free (survives paraphrase),
    as distinct 32-bit hashes: the words' stable keys, each pair's smaller key first, mixed.
    Array operations: an article has some 2,600 pairs, and hashing each as a string in
    Python was a quarter of a cold sources stage."""
    pairs = []
    for s in text.sentences:
        words = np.frombuffer(s.word_keys, "<u8")  # sorted
        first, second = _upper_triangle(len(words))
        pairs.append(words[first] * _MIX_FIRST + words[second] * _MIX_SECOND)
    if not pairs:
        return np.zeros(0, np.uint64)
    mixed = np.concatenate(pairs)
    mixed ^= mixed >> np.uint64(33)
    mixed *= _MIX_FINAL
    return sorted_unique(mixed >> np.uint64(32))


_MIX_FIRST, _MIX_SECOND, _MIX_FINAL = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F),
                                        np.uint64(0xFF51AFD7ED558CCD))
"""Odd 64-bit multipliers (golden ratio; murmur3's finaliser): a pair's two keys combine
by wrapping arithmetic, and a final mix spreads them into the top 32 bits kept."""


@functools.lru_cache(maxsize=256)
def _upper_triangle(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays of every (i, j), i < j < n: one per sentence length, made once."""
    first, second = np.triu_indices(n, k=1)
    return first, second


def score_pairs(articles: Sequence[Article], use_lsh: bool | None = None) -> list[PairScore]:
    """Overlap figures for every pair compared (all pairs on small corpora)."""
    prepared = [_prepare(a) for a in sorted(articles, key=lambda a: a.id)]
    if use_lsh is None:
        use_lsh = len(articles) > LSH_MIN_ARTICLES
    sketches = [_sketch(p.text) for p in prepared] if use_lsh else None
    return [_compare(prepared[i], prepared[j]) for i, j in lsh.candidate_pairs(sketches, len(prepared))]


def analyse_sources(articles: Sequence[Article], runner: ArticleRunner | None = None) -> SourceAnalysis:
    """Find which articles rewrite which, and each article's independent origin.

    With a `runner`, each article's text is cut into shingles and sentence bags through
    it (cached, pooled), and so are the MinHash sketches and each pair's verdict, keyed by
    the two articles' digests: after one edit only the pairs that involve it are compared."""
    return analyse_sources_with(articles, use_lsh=None, runner=runner)


def analyse_sources_with(
    articles: Sequence[Article],
    use_lsh: bool | None,
    runner: ArticleRunner | None = None,
    batch: bool | None = None,
) -> SourceAnalysis:
    """`analyse_sources`, choosing how candidates are found (`use_lsh`) and sifted (`batch`,
    see `_worth_verifying`); None picks by corpus size. Every choice gives the same result."""
    runner = runner or SERIAL_RUNNER
    ordered = sorted(articles, key=lambda a: a.id)
    # One digest per article names its text, its sketch and its pairs in the cache.
    digests = text_digests(ordered)
    texts = _Texts(runner, ordered, digests)
    prepared = _LazyArrays(texts)
    fullness = runner.keyed(f"{__name__}._fullness", digests, lambda todo: [_fullness(t) for t in texts.of(todo)],
                            settings=TEXT_SETTINGS)
    if use_lsh is None:
        use_lsh = len(ordered) > LSH_MIN_ARTICLES
    candidates = (_candidate_pairs(runner, texts, [a.id for a in ordered], digests) if use_lsh
                  else lsh.candidate_pairs(None, len(ordered)))
    if batch is None:
        batch = len(candidates) >= BATCH_MIN_PAIRS
    whole_corpus = not use_lsh  # every pair a candidate: bounds against all later articles

    def verdicts(todo: list[int]) -> list[PairScore | None]:
        """Each pair's score if it links, else None (all a later build needs to know)."""
        pairs = [candidates[k] for k in todo]
        # The texts the comparisons need, read at once.
        texts.of(range(len(ordered)) if batch and whole_corpus else sorted({i for pair in pairs for i in pair}))
        linking = {
            pair: score
            for pair in _worth_verifying(prepared, pairs, batch, whole_corpus)
            if (score := _compare(prepared[pair[0]], prepared[pair[1]])).score >= LINK_SCORE
        }
        return [linking.get(pair) for pair in pairs]

    found = runner.keyed_in_rows(f"{__name__}._compare", [(digests[i], digests[j]) for i, j in candidates],
                                 verdicts, settings=PAIR_SETTINGS)

    index = {a.id: k for k, a in enumerate(ordered)}
    articles_by_id = {a.id: a for a in ordered}
    # Each copy keeps one parent: the best-scoring linked article that precedes it.
    parent: dict[str, tuple[str, PairScore]] = {}
    for pair in found:
        if pair is None:
            continue
        origin, copy = _direction(articles_by_id[pair.a], fullness[index[pair.a]],
                                  articles_by_id[pair.b], fullness[index[pair.b]])
        best = parent.get(copy)
        if best is None or (-pair.score, origin) < (-best[1].score, best[0]):
            parent[copy] = (origin, pair)
    _break_cycles(parent, {a.id: _order_key(a, fullness[k]) for k, a in enumerate(ordered)})

    chosen = sorted(parent.items())

    def links_of(todo: list[int]) -> list[CopyLink]:
        texts.of(sorted({index[article_id] for k in todo for article_id in (chosen[k][0], chosen[k][1][0])}))
        return [_link(prepared[index[chosen[k][0]]], prepared[index[chosen[k][1][0]]],
                      articles_by_id[chosen[k][0]], articles_by_id[chosen[k][1][0]], chosen[k][1][1])
                for k in todo]

    links = runner.keyed(f"{__name__}._link",
                         [f"{digests[index[copy]]}|{digests[index[origin]]}" for copy, (origin, _) in chosen],
                         links_of, settings=PAIR_SETTINGS)
    texts.keep()
    origin_of: dict[str, str | None] = {}
    for a in ordered:
        root, seen = a.id, set()
        while root in parent and root not in seen:
            seen.add(root)
            root = parent[root][0]
        origin_of[a.id] = None if root == a.id else root
    return SourceAnalysis(links=tuple(links), origin_of=origin_of)


SKETCH_LABEL = f"{__name__}._sketch"
PARTNERS_LABEL = f"{__name__}._candidate_pairs"
PARTNERS_SETTINGS = f"partners/1 {lsh.LSH_MAX_PARTNERS} {lsh.BAND_LEVELS}"


def _candidate_pairs(runner: ArticleRunner, texts: _Texts, ids: Sequence[str],
                     digests: Sequence[str]) -> list[tuple[int, int]]:
    """The pairs MinHash bands propose (`lsh.py`), from each article's sketch (cached):
    updated from the last build's partners, which the runner keeps (`lsh.partners_after`),
    or searched afresh."""
    sketches = runner.keyed(SKETCH_LABEL, digests, lambda todo: [_sketch(t) for t in texts.of(todo)],
                            settings=SKETCH_SETTINGS)

    def old_signatures(wanted: list[str]) -> np.ndarray | None:
        found = runner.lookup(SKETCH_LABEL, wanted, settings=SKETCH_SETTINGS)
        return lsh.signatures(found) if all(isinstance(f, bytes) for f in found) else None  # type: ignore[arg-type]

    previous = runner.latest(PARTNERS_LABEL, settings=PARTNERS_SETTINGS)
    partners = lsh.partners_after(previous if isinstance(previous, lsh.Partners) else None, lsh.signatures(sketches),
                                  ids, digests, old_signatures)
    runner.keep_latest(PARTNERS_LABEL, partners, settings=PARTNERS_SETTINGS)
    return partners.pairs()


class _Texts(Sequence[ArticleText]):
    """Each article's `ArticleText` (`article_text`, through the runner), read or made
    when a step first needs it. After an edit that is the edited article (its sketch, its
    fullness) and the articles of the pairs compared again: reading all 1,000 texts back
    took 0.2 s of an edit's sources stage, for a rebuild that uses a few dozen. `of` reads
    many at once (one query of the cache, one batch of the pool)."""

    def __init__(self, runner: ArticleRunner, articles: Sequence[Article], digests: Sequence[str]) -> None:
        self._runner = runner
        self._articles = articles
        self._digests = digests
        self._read: dict[int, ArticleText] = {}

    def of(self, indices: Iterable[int]) -> list[ArticleText]:
        """The texts of these articles, in that order."""
        indices = list(indices)
        todo = sorted({i for i in indices if i not in self._read})
        if todo:
            found = self._runner.starmap(article_text, [_item(self._articles[i]) for i in todo], settings=TEXT_SETTINGS,
                                         keys=[self._digests[i] for i in todo])
            self._read.update(zip(todo, found, strict=True))
        return [self._read[i] for i in indices]

    def keep(self) -> None:
        """Count every article's text as used, read or not: a later build's pairs need them."""
        self._runner.keep_keyed(step_label(article_text), self._digests, TEXT_SETTINGS)

    def __len__(self) -> int:
        return len(self._articles)

    def __getitem__(self, k: int) -> ArticleText:  # type: ignore[override]  # no slices needed
        return self.of([k])[0]


class _LazyArrays(Sequence[_Prepared]):
    """Each article's `_Prepared` arrays, made on first use: after an edit only the
    articles in pairs to compare again need them."""

    def __init__(self, texts: Sequence[ArticleText]) -> None:
        self._texts = texts
        self._made: dict[int, _Prepared] = {}

    def __len__(self) -> int:
        return len(self._texts)

    def __getitem__(self, k: int) -> _Prepared:  # type: ignore[override]  # no slices needed
        if k not in self._made:
            self._made[k] = _arrays(self._texts[k])
        return self._made[k]


Fullness = tuple[int, int]
"""How much an article holds, as direction compares texts: (figures and names, words)."""


def _fullness(text: ArticleText) -> Fullness:
    return (text.specifics, text.words)


def _order_key(article: Article, fullness: Fullness) -> tuple[str, int, int, str]:
    """Earlier, then fuller, first: the ordering that direction follows."""
    return (article.date or "9999-99-99", -fullness[0], -fullness[1], article.id)


def _direction(a: Article, fa: Fullness, b: Article, fb: Fullness) -> tuple[str, str]:
    """(origin, copy): the earlier date wins; without two dates that differ, the fuller text."""
    if a.date and b.date and a.date != b.date:
        return (a.id, b.id) if a.date < b.date else (b.id, a.id)
    fuller_a = (-fa[0], -fa[1], a.id) < (-fb[0], -fb[1], b.id)
    return (a.id, b.id) if fuller_a else (b.id, a.id)


def _break_cycles(parent: dict[str, tuple[str, PairScore]], key: dict[str, tuple[str, int, int, str]]) -> None:
    """Mixed dated and undated articles can orient links in a circle; the article first in
    `_order_key` order becomes the circle's origin."""
    for start in sorted(parent):
        path: list[str] = []
        node = start
        while node in parent and node not in path:
            path.append(node)
            node = parent[node][0]
        if node in path:
            cycle = path[path.index(node) :]
            del parent[min(cycle, key=lambda n: key[n])]


def _link(
    copy: _Prepared,
    origin: _Prepared,
    copy_article: Article,
    origin_article: Article,
    pair: PairScore,
) -> CopyLink:
    """The link with its evidence: the paragraphs whose text was carried over."""
    shingle_chain = _heaviest_chain(_shingle_matches(copy, origin))
    sentence_chain = _heaviest_chain(_sentence_matches(_shared_words(copy, origin), copy.sizes))
    votes: dict[int, dict[int, int]] = {}
    copy_numbers = np.frombuffer(copy.text.shingle_paragraphs, "<u4").tolist()
    origin_numbers = np.frombuffer(origin.text.shingle_paragraphs, "<u4").tolist()
    for i, j, n, _ in shingle_chain:
        for k in range(n):
            cp = copy_numbers[i + k]
            op = origin_numbers[j + k]
            votes.setdefault(cp, {}).setdefault(op, 0)
            votes[cp][op] += 1
    for i, j, _, _ in sentence_chain:
        cp, op = copy.text.sentences[i].paragraph, origin.text.sentences[j].paragraph
        votes.setdefault(cp, {}).setdefault(op, 0)
        votes[cp][op] += SHINGLES_PER_SENTENCE
    copy_paras = {p.number: p.text for p in copy_article.paragraphs}
    origin_paras = {p.number: p.text for p in origin_article.paragraphs}
    passages = []
    for cp in sorted(votes):
        op, count = max(votes[cp].items(), key=lambda kv: (kv[1], -kv[0]))
        if count >= PASSAGE_MIN_VOTES:
            passages.append(SharedPassage(cp, op, copy_paras[cp], origin_paras[op]))
    containment = pair.containment_a if pair.a == copy.text.id else pair.containment_b
    return CopyLink(
        copy=copy.text.id,
        origin=origin.text.id,
        score=round(pair.score, 3),
        containment=round(containment, 3),
        passages=tuple(passages),
    )

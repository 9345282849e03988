"""Which items to compare, and how many words each compared pair shares, for many items at once.

Grouping a briefing's claims compares each quote and statement with the others that share
one of its rarest word pairs, and joins a pair when enough of their words are shared. At
1,000 articles that is 25,000 claims and 125,000 compared pairs, ten times that at 10,000;
done one pair at a time in Python it took 0.85 s at 1,000 articles, and every rebuild after
an edit that changes an article's claims does it again. Here the steps are array
operations over integer ids, with the same result: the pairs to compare
(`rare_key_pairs`, numpy), the words each pair shares (`WordSets.shared`, sparse matrices)
and the groups the joined pairs make (`components`, scipy's connected components).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain

import numpy as np

from sitegen.analyse.arrays import sorted_unique

BLOCK_CELLS = 1 << 22
"""Rows of the largest intermediate array made at a time (32 MB of int64), so memory stays
flat however many pairs a corpus proposes."""


def rare_key_pairs(keys: Sequence[Iterable[str]], per_item: int, max_bucket: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (left < right, in increasing order) of items that share one of their
    `per_item` rarest keys.

    A key's rarity is the number of items holding it, ties broken by its text; keys held
    by more than `max_bucket` items are not followed, so the work stays near-linear in the
    number of items. Two near-identical texts share most keys, so they share a rare one,
    and a fragment's rarest keys all occur in the text it comes from."""
    distinct = [set(item) for item in keys]
    n = len(distinct)
    vocabulary = sorted(set().union(*distinct))
    if n < 2 or not vocabulary:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    key_id = {key: number for number, key in enumerate(vocabulary)}  # ids in text order
    sizes = np.fromiter(map(len, distinct), dtype=np.int64, count=n)
    owner = np.repeat(np.arange(n, dtype=np.int64), sizes)
    held = np.fromiter(map(key_id.__getitem__, chain.from_iterable(distinct)), dtype=np.int64, count=len(owner))
    holders = np.bincount(held, minlength=len(vocabulary))
    rank = np.empty(len(vocabulary), dtype=np.int64)
    rank[np.lexsort((np.arange(len(vocabulary)), holders))] = np.arange(len(vocabulary))
    # Each item's keys from rarest to most common; its first `per_item` are the ones followed.
    order = np.lexsort((rank[held], owner))
    place = np.arange(len(owner)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    followed = order[place < per_item]
    followed = followed[holders[held[followed]] <= max_bucket]
    # The holders of every key, keys in id order: a key's holders are one slice.
    by_key = np.argsort(held, kind="stable")
    holder_of = owner[by_key]
    first_holder = np.cumsum(holders) - holders
    found: list[np.ndarray] = []
    for block in _blocks(holders[held[followed]]):
        rows = followed[block]
        counts = holders[held[rows]]
        left = np.repeat(owner[rows], counts)
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        right = holder_of[np.repeat(first_holder[held[rows]], counts) + within]
        apart = left != right
        left, right = left[apart], right[apart]
        found.append(sorted_unique(np.minimum(left, right) * n + np.maximum(left, right)))
    pairs = sorted_unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    return pairs // n, pairs % n


def _blocks(cells: np.ndarray) -> list[slice]:
    """Consecutive slices of rows whose `cells` add up to about `BLOCK_CELLS` each."""
    ends = np.cumsum(cells)
    out, start, done = [], 0, 0
    while start < len(cells):
        stop = max(start + 1, int(np.searchsorted(ends, done + BLOCK_CELLS, side="right")))
        out.append(slice(start, stop))
        done, start = int(ends[stop - 1]), stop
    return out


class WordSets:
    """Each item's distinct words as a row of a sparse 0/1 matrix, so that the number of
    words two items share is found for many pairs at once (`shared`)."""

    def __init__(self, sets: Sequence[Iterable[str]]) -> None:
        from scipy.sparse import csr_matrix  # type: ignore[import-untyped]  # on first grouping only

        distinct = [set(words) for words in sets]
        word_id = {word: number for number, word in enumerate(set().union(*distinct))}
        self.sizes = np.fromiter(map(len, distinct), dtype=np.int64, count=len(distinct))
        """How many distinct words each item has."""
        words = np.fromiter(map(word_id.__getitem__, chain.from_iterable(distinct)), dtype=np.int32,
                            count=int(self.sizes.sum()))
        rows = np.concatenate(([0], np.cumsum(self.sizes)))
        self._matrix = csr_matrix((np.ones(len(words), dtype=np.int8), words, rows),
                                  shape=(len(distinct), max(1, len(word_id))))

    def shared(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """How many words items `left[p]` and `right[p]` have in common, for each p: the
        row-wise product of their rows, one block of pairs at a time."""
        out = np.zeros(len(left), dtype=np.int64)
        for block in _blocks(self.sizes[left] + self.sizes[right]):
            both = self._matrix[left[block]].multiply(self._matrix[right[block]]).tocsr()
            out[block] = np.diff(both.indptr)
        return out


def components(n: int, left: np.ndarray, right: np.ndarray) -> list[list[int]]:
    """The items (0 to n - 1) joined through pairs (`left[p]`, `right[p]`), as lists of
    two or more, each in increasing order: what joining the pairs one at a time gives,
    without a Python step for each of them (700,000 at 10,000 articles)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    members: dict[int, list[int]] = {}
    for item, group in enumerate(label.tolist()):
        members.setdefault(group, []).append(item)
    return [group for group in members.values() if len(group) > 1]


def jaccard(shared: np.ndarray, left_sizes: np.ndarray, right_sizes: np.ndarray) -> np.ndarray:
    """Shared words over the words of either, 0 where both are empty (as a float division
    of the two counts, so thresholds compare exactly as they would one pair at a time)."""
    either = left_sizes + right_sizes - shared
    ratio: np.ndarray = np.divide(shared, either, out=np.zeros(len(shared), dtype=np.float64), where=either > 0)
    return ratio

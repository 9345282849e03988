"""The array versions of claim grouping's steps (`rare_pairs.py`) against their plain
definitions, on the sentences of the test stories (issue 9)."""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import combinations, pairwise
from pathlib import Path

import numpy as np
import pytest

from sitegen.analyse import rare_pairs
from sitegen.analyse.rare_pairs import WordSets, components, jaccard, rare_key_pairs

STORIES = Path(__file__).parent / "stories"


def _sentences() -> list[tuple[str, ...]]:
    """Every sentence of every test story, as its lower-cased words; repeated sentences
    (stories quote each other) included, as claims repeat across articles."""
    out = []
    for path in sorted(STORIES.glob("*/*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        for sentence in re.split(r"(?<=[.!?”])\s+", body):
            words = tuple(re.findall(r"\w+", sentence.casefold()))
            if len(words) >= 3:
                out.append(words)
    return out


def _bigrams(words: tuple[str, ...]) -> list[str]:
    return [f"{a} {b}" for a, b in pairwise(words)]


def _rare_pairs_one_by_one(keys: list[list[str]], per_item: int, max_bucket: int) -> list[tuple[int, int]]:
    """The definition: each item's `per_item` rarest keys (fewest holders, then text),
    each followed to every holder unless more than `max_bucket` hold it."""
    holders: dict[str, set[int]] = defaultdict(set)
    for i, item in enumerate(keys):
        for key in item:
            holders[key].add(i)
    pairs = set()
    for i, item in enumerate(keys):
        rarest = sorted(set(item), key=lambda k: (len(holders[k]), k))[:per_item]
        for key in rarest:
            if len(holders[key]) <= max_bucket:
                pairs.update((min(i, j), max(i, j)) for j in holders[key] if j != i)
    return sorted(pairs)


@pytest.mark.parametrize(("per_item", "max_bucket"), [(4, 200), (1, 3), (2, 1)])
def test_rare_key_pairs_are_the_pairs_sharing_one_of_their_rarest_keys(per_item: int, max_bucket: int) -> None:
    keys = [_bigrams(words) for words in _sentences()]
    assert len(keys) > 200
    left, right = rare_key_pairs(keys, per_item, max_bucket)
    found = list(zip(left.tolist(), right.tolist(), strict=True))
    assert found == _rare_pairs_one_by_one(keys, per_item, max_bucket)
    # The stories share sentences, so pairs are proposed, unless no key held twice is followed.
    assert bool(found) == (max_bucket > 1)


def test_pairs_and_shared_words_are_the_same_when_made_a_few_rows_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    sentences = _sentences()
    keys = [_bigrams(words) for words in sentences]
    whole = rare_key_pairs(keys, 4, 200)
    sets = WordSets(sentences)
    shared = sets.shared(*whole)
    monkeypatch.setattr(rare_pairs, "BLOCK_CELLS", 16)  # hundreds of blocks
    blocked = rare_key_pairs(keys, 4, 200)
    assert all(np.array_equal(a, b) for a, b in zip(whole, blocked, strict=True))
    assert np.array_equal(sets.shared(*blocked), shared)


def test_shared_counts_the_distinct_words_two_items_have_in_common() -> None:
    sentences = _sentences()[:80] + [(), ("a", "a", "a")]
    pairs = list(combinations(range(len(sentences)), 2))
    left = np.array([a for a, _ in pairs])
    right = np.array([b for _, b in pairs])
    sets = WordSets(sentences)
    expected = [len(set(sentences[a]) & set(sentences[b])) for a, b in pairs]
    assert sets.shared(left, right).tolist() == expected
    assert sets.shared(right, left).tolist() == expected
    assert sets.sizes.tolist() == [len(set(words)) for words in sentences]
    assert max(expected) > 5 and 0 in expected


def test_jaccard_is_shared_over_either_and_zero_for_two_empty_sets() -> None:
    similarity = jaccard(np.array([2, 0, 3]), np.array([4, 0, 3]), np.array([3, 0, 3]))
    assert similarity.tolist() == [2 / 5, 0.0, 1.0]


def test_components_are_the_items_joined_through_pairs() -> None:
    left = np.array([0, 5, 7, 2, 9])
    right = np.array([3, 3, 8, 2, 8])
    assert components(11, left, right) == [[0, 3, 5], [7, 8, 9]]
    assert components(4, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)) == []

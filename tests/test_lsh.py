"""Candidate pairs from MinHash bands (`sitegen/analyse/lsh.py`): the array search against
a loop-by-loop oracle, and the update after edits against a search of the whole corpus."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pytest

from sitegen.analyse import lsh
from sitegen.analyse.lsh import BAND_LEVELS, LSH_BANDS, LSH_MAX_PARTNERS, LSH_ROWS


def reference_candidate_pairs(sketches: Sequence[bytes] | None, n: int,
                              limit: int = LSH_MAX_PARTNERS) -> list[tuple[int, int]]:
    """The first, loop-by-loop version of `lsh.search`: the oracle it must match."""
    if sketches is None:
        return [(i, j) for i in range(n) for j in range(i + 1, n)]
    hashes = np.frombuffer(b"".join(sketches), dtype="<u8").reshape(n, LSH_BANDS * LSH_ROWS)
    partners: list[set[int]] = [set() for _ in range(n)]
    open_ = np.ones(n, dtype=bool)
    for rows in BAND_LEVELS:
        found = reference_band_neighbours(exact_band_ids(hashes, rows), open_, limit)
        for k in sorted(found):
            new = found[k] - partners[k] - {k}
            if len(partners[k]) + len(new) < limit:
                partners[k] |= new
                continue
            ranked = np.array(sorted(new), dtype=np.int64)
            agree = (hashes[ranked] == hashes[k]).sum(axis=1)
            partners[k].update(ranked[np.lexsort((ranked, -agree))][: limit - len(partners[k])].tolist())
            open_[k] = False
        if not open_.any():
            break
    return sorted({(min(k, o), max(k, o)) for k, mine in enumerate(partners) for o in mine})


def exact_band_ids(hashes: np.ndarray, rows: int) -> np.ndarray:
    """For each article and band of `rows` rows, a number that is equal exactly where the
    bands' values are: the buckets `lsh._Bands.keys` must give (its keys never collide here)."""
    bands = hashes.reshape(len(hashes), hashes.shape[1] // rows, rows)
    return np.stack([np.unique(bands[:, b, :], axis=0, return_inverse=True)[1].ravel()
                     for b in range(bands.shape[1])], axis=1)


def reference_band_neighbours(keys: np.ndarray, open_: np.ndarray, limit: int) -> dict[int, set[int]]:
    n = len(keys)
    found: dict[int, set[int]] = {}
    half = limit // 2
    for column in keys.T:
        order = np.argsort(column, kind="stable")  # stable: a bucket's members in index order
        ordered = column[order]
        starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
        sizes = np.diff(np.append(starts, n))
        for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
            members = order[start : start + size]
            wanted = np.flatnonzero(open_[members])
            if not len(wanted):
                continue
            listed = members.tolist()
            for at in wanted.tolist():
                lo = max(0, min(at - half, size - limit - 1))  # 0 for a bucket of limit + 1 or fewer
                found.setdefault(listed[at], set()).update(listed[lo : lo + limit + 1])
    return found


def story_sketches(seed: int, articles: int, stories: int, noise: float) -> list[bytes]:
    """Signatures of articles that each retell one of a few stories: the story's hash
    values with a share `noise` of them replaced, as a rewrite changes some content pairs."""
    rng = np.random.default_rng(seed)
    bases = rng.integers(0, 2**32, size=(stories, LSH_BANDS * LSH_ROWS), dtype=np.uint64)
    out = []
    for k in range(articles):
        values = bases[k % stories].copy()
        changed = rng.random(len(values)) < noise
        values[changed] = rng.integers(0, 2**32, size=int(changed.sum()), dtype=np.uint64)
        out.append(values.astype("<u8").tobytes())
    return out


@pytest.mark.parametrize(("articles", "stories", "noise", "limit", "block_cells"), [
    (40, 3, 0.3, 60, 1 << 26),     # every article under the limit: all candidates kept
    (120, 2, 0.5, 10, 1 << 26),    # articles fill up at every level
    (150, 1, 0.05, 8, 1 << 26),    # one story of near-copies: buckets far bigger than the limit
    (90, 4, 0.6, 12, 90 * 7),      # owners in blocks of seven
    (1, 1, 0.0, 60, 1 << 26),
])
@pytest.mark.parametrize("few_open", [lsh.FEW_OPEN, 0, 1 << 20], ids=["as-set", "buckets-only", "direct-only"])
def test_candidate_pairs_match_the_loop_by_loop_version(
        monkeypatch: pytest.MonkeyPatch, articles: int, stories: int, noise: float, limit: int,
        block_cells: int, few_open: int) -> None:
    """Whichever way a level finds each open article's band mates (sorted buckets for many,
    every key compared directly for a few), the pairs are the oracle's."""
    monkeypatch.setattr(lsh, "BLOCK_CELLS", block_cells)
    monkeypatch.setattr(lsh, "FEW_OPEN", few_open)
    sketches = story_sketches(articles, articles, stories, noise)
    expected = reference_candidate_pairs(sketches, articles, limit)
    assert lsh.candidate_pairs(sketches, articles, limit) == expected
    if articles > limit:
        assert len(expected) < articles * (articles - 1) // 2  # the limit bites: not every pair


# ---------------------------------------------------------------- the update after edits


def edited(sketch: bytes, rng: np.random.Generator, values: int, donor: bytes | None = None) -> bytes:
    """A sketch with `values` of its hash values replaced, as an edit adds and drops a few
    content-word pairs (an appended sentence moves 2-4 of 256): new ones, or those of
    `donor` (a sentence taken from another article), which moves it into buckets of others."""
    hashes = np.frombuffer(sketch, dtype="<u8").copy()
    at = rng.choice(len(hashes), size=values, replace=False)
    hashes[at] = (np.frombuffer(donor, dtype="<u8")[at] if donor is not None
                  else rng.integers(0, 2**32, size=values, dtype=np.uint64))
    return hashes.astype("<u8").tobytes()


def corpus_after(rng: np.random.Generator, ids: list[str], sketches: list[bytes],
                 changes: str) -> tuple[list[str], list[bytes]]:
    """The corpus after `changes`: e (edit one article slightly), b (borrow a few values
    from another), E (rewrite one completely), a (add an article, a near-copy of one),
    r (remove one)."""
    by_id = dict(zip(ids, sketches, strict=True))
    for change in changes:
        victim = sorted(by_id)[int(rng.integers(len(by_id)))]
        if change == "e":
            by_id[victim] = edited(by_id[victim], rng, int(rng.integers(1, 6)))
        elif change == "b":
            donor = by_id[sorted(by_id)[int(rng.integers(len(by_id)))]]
            by_id[victim] = edited(by_id[victim], rng, int(rng.integers(2, 12)), donor)
        elif change == "E":
            by_id[victim] = edited(by_id[victim], rng, 256)
        elif change == "a":
            by_id[f"{victim}-copy{len(by_id)}"] = edited(by_id[victim], rng, int(rng.integers(1, 40)))
        elif change == "r":
            del by_id[victim]
    order = sorted(by_id)
    return order, [by_id[i] for i in order]


def partner_lists(partners: lsh.Partners) -> list[list[int]]:
    """Each article's partners, sorted."""
    ends = np.cumsum(partners.counts)
    return [sorted(partners.flat[end - n:end].tolist()) for n, end in zip(partners.counts.tolist(), ends.tolist(),
                                                                           strict=True)]


def digest(sketch: bytes) -> str:
    return hashlib.sha256(sketch).hexdigest()


@pytest.mark.parametrize(("articles", "stories", "noise", "limit"), [
    (40, 3, 0.3, 60),     # every article under the limit: all candidates kept
    (120, 2, 0.5, 10),    # articles fill up at every level
    (150, 1, 0.05, 8),    # one story of near-copies: buckets far bigger than the limit
    (90, 4, 0.6, 12),
    (200, 3, 0.8, 6),     # loose: most articles fill up at the two-row level
])
@pytest.mark.parametrize("changes", ["e", "ee", "eee", "b", "bb", "bbbb", "E", "a", "r", "ea", "er", "ar", "eEar",
                                     "bear", ""])
def test_partners_after_edits_are_those_a_whole_search_finds(
        articles: int, stories: int, noise: float, limit: int, changes: str) -> None:
    rng = np.random.default_rng(articles * 31 + len(changes))
    sketches = story_sketches(articles, articles, stories, noise)
    ids = [f"a{k:04d}" for k in range(articles)]
    old = {digest(s): s for s in sketches}
    previous = lsh.search(lsh.signatures(sketches), ids, [digest(s) for s in sketches], limit)
    for _ in range(4):  # edits upon edits: each update starts from the last
        ids, sketches = corpus_after(rng, ids, sketches, changes)
        digests = [digest(s) for s in sketches]
        whole = lsh.search(lsh.signatures(sketches), ids, digests, limit)
        updated = lsh.partners_after(previous, lsh.signatures(sketches), ids, digests,
                                     lambda wanted: lsh.signatures([old[d] for d in wanted]), limit)
        assert updated.pairs() == whole.pairs() == reference_candidate_pairs(sketches, len(sketches), limit)
        assert partner_lists(updated) == partner_lists(whole)
        assert updated.edge.tolist() == whole.edge.tolist()
        assert updated.edge_agree.tolist() == whole.edge_agree.tolist()
        old.update((digest(s), s) for s in sketches)
        previous = updated


def test_an_edit_searches_again_only_the_articles_it_can_reach(monkeypatch: pytest.MonkeyPatch) -> None:
    """On 400 articles of three stories, a slight edit of one article searches again for
    a few dozen, not the corpus; its result is still the whole search's (above)."""
    rng = np.random.default_rng(7)
    sketches = story_sketches(400, 400, 3, 0.8)
    ids = [f"a{k:04d}" for k in range(400)]
    digests = [digest(s) for s in sketches]
    previous = lsh.search(lsh.signatures(sketches), ids, digests, 20)
    searched: list[int] = []
    real_search = lsh.search

    def counting(*args: object, **kwargs: object) -> lsh.Partners:
        owners = kwargs.get("owners")
        searched.append(len(owners) if owners is not None else len(ids))  # type: ignore[arg-type]
        return real_search(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lsh, "search", counting)
    old = dict(zip(digests, sketches, strict=True))
    sketches[123] = edited(sketches[123], rng, 3)
    lsh.partners_after(previous, lsh.signatures(sketches), ids, [digest(s) for s in sketches],
                       lambda wanted: lsh.signatures([old[d] for d in wanted]), 20)
    assert 1 <= searched[0] < 40, searched


def test_without_the_old_signatures_the_whole_corpus_is_searched() -> None:
    sketches = story_sketches(60, 60, 2, 0.5)
    ids = [f"a{k:04d}" for k in range(60)]
    previous = lsh.search(lsh.signatures(sketches), ids, [digest(s) for s in sketches], 10)
    sketches[5] = edited(sketches[5], np.random.default_rng(1), 4)
    digests = [digest(s) for s in sketches]
    updated = lsh.partners_after(previous, lsh.signatures(sketches), ids, digests, lambda wanted: None, 10)
    assert updated.pairs() == reference_candidate_pairs(sketches, 60, 10)


def test_without_a_change_the_last_partners_are_the_very_value_kept() -> None:
    """Nothing to search again, nothing new to store (`ArticleRunner.keep_latest` writes
    only a value it was not given)."""
    sketches = story_sketches(60, 60, 2, 0.5)
    ids = [f"a{k:04d}" for k in range(60)]
    digests = [digest(s) for s in sketches]
    previous = lsh.search(lsh.signatures(sketches), ids, digests, 10)
    assert lsh.partners_after(previous, lsh.signatures(sketches), ids, digests, lambda wanted: None, 10) is previous

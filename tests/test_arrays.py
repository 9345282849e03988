"""`arrays.sorted_unique` and `run_bounds`: `np.unique`'s results, by a sort (issue 9)."""

from __future__ import annotations

import numpy as np
import pytest

from sitegen.analyse.arrays import run_bounds, sorted_unique


@pytest.mark.parametrize("dtype", [np.int64, np.uint64, np.int32])
@pytest.mark.parametrize("size", [0, 1, 2, 700, 60_000])
def test_sorted_unique_is_numpys_unique(dtype: type, size: int) -> None:
    rng = np.random.default_rng(size)
    cases: list[np.ndarray] = [rng.integers(0, max(2, size // 3), size).astype(dtype),  # many repeats
                               rng.integers(0, 2**31, size).astype(dtype),  # few
                               np.full(size, 7, dtype=dtype)]
    for values in cases:
        found = sorted_unique(values.copy())
        assert found.dtype == values.dtype
        assert np.array_equal(found, np.unique(values))


@pytest.mark.parametrize("size", [0, 1, 2, 700, 60_000])
def test_run_bounds_give_each_value_and_its_count_as_numpys_unique(size: int) -> None:
    values = np.sort(np.random.default_rng(size).integers(0, max(2, size // 3), size))
    bounds = run_bounds(values)
    expected, counts = np.unique(values, return_counts=True)
    assert bounds[0] == 0 and bounds[-1] == size
    assert np.array_equal(values[bounds[:-1]], expected)
    assert np.array_equal(np.diff(bounds), counts)

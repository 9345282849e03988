"""What a piece of code leaves allocated, for tests that hold records to their size."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def held_by(make: Callable[[], T]) -> tuple[T, int]:
    """`make()`'s result and the bytes still allocated by it when it returns (tracemalloc,
    started after a collection so that earlier garbage is not counted)."""
    gc.collect()
    tracemalloc.start()
    try:
        value = make()
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return value, held

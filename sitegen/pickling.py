"""Pickling small frozen records as constructor calls."""

from __future__ import annotations

import dataclasses
import operator
from typing import Any, TypeVar

T = TypeVar("T")


def pickled_by_value(cls: type[T]) -> type[T]:
    """Class decorator for a frozen, slotted dataclass: pickle an instance as `cls(*fields)`.

    The default for a slotted dataclass goes through `dataclasses`' Python-level
    `__getstate__`/`__setstate__` for every object. The cache holds tens of thousands of
    these records per analyser (name candidates, raw claims, sentences), and loading them
    that way was most of what an edit-one rebuild spent reading the cache; view digests
    pickle thousands of links and spans per page. (Cache keys are pickled field by field
    by `runner._KeyPickler` whatever this says.)"""
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    get = operator.attrgetter(*names)
    if len(names) == 1:
        def __reduce__(self: Any) -> tuple[type[T], tuple[Any, ...]]:
            return (cls, (get(self),))
    else:
        def __reduce__(self: Any) -> tuple[type[T], tuple[Any, ...]]:
            return (cls, get(self))
    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls

"""Pickling small frozen records as constructor calls."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
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
    return _by_value(cls, ())


def pickled_with_texts(*texts: str) -> Callable[[type[T]], type[T]]:
    """`pickled_by_value`, with the fields named `texts` (long strings) written as UTF-8
    bytes where they are not ASCII. Pickle, like orjson, encodes a string through
    `PyUnicode_AsUTF8AndSize`, which keeps the UTF-8 copy in the string for its lifetime:
    every article text a process pickled (into the cache, or to a pool worker) grew by two
    thirds, in the main process, which every later stage and worker inherits. Encoded
    here, the copy is a temporary."""
    return lambda cls: _by_value(cls, texts)


def _by_value(cls: type[T], texts: tuple[str, ...]) -> type[T]:
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    get = operator.attrgetter(*names)
    at = tuple(names.index(name) for name in texts)
    if at:
        def __reduce__(self: Any) -> tuple[type[T], tuple[Any, ...]]:
            values = get(self)
            if all(values[i].isascii() for i in at):
                return (cls, values)
            return (cls, tuple(_Encoded(v) if i in at and not v.isascii() else v for i, v in enumerate(values)))
    elif len(names) == 1:
        def __reduce__(self: Any) -> tuple[type[T], tuple[Any, ...]]:
            return (cls, (get(self),))
    else:
        def __reduce__(self: Any) -> tuple[type[T], tuple[Any, ...]]:
            return (cls, get(self))
    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


def pickled_as_tuple(cls: type[T]) -> type[T]:
    """Class decorator for a named tuple: unpickled by `tuple.__new__`, a call in C, where a
    named tuple's own `__new__` is a Python function. For records a build reads back by the
    ten thousand: 100,000 mentions load in 37 ms, against 51 through that `__new__` and 90
    as frozen dataclasses `pickled_by_value`."""
    cls.__reduce__ = _rebuilt_as_tuple  # type: ignore[assignment, method-assign]
    return cls


def _rebuilt_as_tuple(record: tuple[Any, ...]) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    return tuple.__new__, (type(record), tuple(record))


class _Encoded:
    """A text in a pickle as its UTF-8 bytes, unpickled by `bytes.decode` (a call in C: a
    function of ours made reading back a thousand parsed articles half as slow again)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __reduce__(self) -> tuple[Callable[..., str], tuple[bytes, str, str]]:
        return (bytes.decode, (self.text.encode("utf-8", "surrogatepass"), "utf-8", "surrogatepass"))

"""Per-article analysis steps over every core, each result computed once (issue 9).

An analyser keeps its per-article step a top-level function from one article's data to
picklable data, and calls it through `runner.map(step, items, settings)` instead of a loop.
The runner then
- looks each item up in the disk cache (`cache.py`), keyed by the step, the analyser's
  settings, the sitegen code and the pickled item, so an unchanged article costs a lookup;
- computes the misses in a process pool when there are enough to pay for one (a pool's
  start-up costs more than a handful of articles), else in this process;
- returns results in input order, so the build is byte-identical whatever the job count.

A step whose results depend on two articles (a pair's near-duplicate verdict) names each
result by the articles' digests and goes through `runner.keyed_in_rows`. The other
cross-article steps (grouping, merging) stay in the analysers; a build runs them from these
results unless the results they take are as in a build that kept their own result in the
cache (`runner.memo` on a digest of those results: `stored_digests` reads one without
unpickling the results).
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import multiprocessing
import operator
import os
import pickle
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import cache
from itertools import repeat
from multiprocessing.pool import Pool
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

import orjson

from sitegen.cache import DiskCache, code_fingerprint
from sitegen.finishing import Used, store, write_in_background

A = TypeVar("A")
R = TypeVar("R")

CACHE_DIR = ".sitegen-cache"
"""Beside content/; `sitegen clean` removes it."""
MIN_POOL_ITEMS = 24
"""Fewer misses than this run in this process: forking workers and shipping the articles
costs more than computing a few (an edit of one article must not start a pool)."""
LAZY_BATCH = 500
"""Items `starmap_lazily` makes at a time, so that a step whose items are large (each
article's YAKE candidates for the tags) never holds them all."""

Progress = Callable[[str, int], AbstractContextManager[Callable[[int], object]]]
"""`progress(label, total)` opens a progress display; the value it yields is called with
the number of items just finished."""


def default_jobs() -> int:
    """Cores this process may run on (the affinity mask, which `taskset` and containers set)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def fork_available() -> bool:
    """Whether workers can be forked (Linux): they then start with sitegen and its models
    already imported, with this process's hash seed and with whatever it holds."""
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def fork_context() -> multiprocessing.context.BaseContext:
    """fork where there is one, so workers compute exactly what this process would."""
    return multiprocessing.get_context("fork" if fork_available() else None)


_FROZEN = [0]
"""How many `frozen_heap` blocks this process is in (a forked child inherits the count)."""


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Around forking workers: what this process holds is left out of the children's
    garbage collections (`gc.freeze`). A child inherits the build's objects (a linked site,
    a warm memory: hundreds of megabytes), and a full collection there would walk them all,
    writing to each object's header and so copying every page it inherited; nor can a child
    free them, the parent holds them. The parent collects them as before once unfrozen; a
    process that was already frozen (a stage child starting its own pool, a warm build's
    stages: `build.rare_collections`) stays so. Whether it was is known from the blocks it
    is in: `gc.get_freeze_count` walks every frozen object (0.12 s a fork in `sitegen
    serve` at 10,000 articles), so it is asked only outside them, where they are none of ours."""
    already = _FROZEN[0] > 0 or gc.get_freeze_count() > 0
    gc.freeze()
    _FROZEN[0] += 1
    try:
        yield
    finally:
        _FROZEN[0] -= 1
        if not already:
            gc.unfreeze()


class ForkedPool:
    """A pool of `jobs` workers forked with this process's heap frozen (`frozen_heap`),
    which is never terminated: `close(failed=True)` tells the workers to skip what is left
    and waits for them.

    `Pool.terminate()` kills workers that may be sending a result; one killed while it held
    the result queue's lock leaves the lock taken, and the pool's own task thread then
    blocks on it forever (seen as a build that hung after a template error in a worker)."""

    def __init__(self, jobs: int) -> None:
        context = fork_context()
        self._stop = context.Event()
        with frozen_heap():
            self._pool: Pool = context.Pool(jobs, initializer=_set_worker_stop, initargs=(self._stop,))

    def imap(self, fn: Callable[[A], R], items: Iterable[A], chunksize: int = 1) -> Iterator[R]:
        return self._pool.imap(_Stoppable(fn), items, chunksize)

    def close(self, failed: bool = False) -> None:
        if failed:
            self._stop.set()
        self._pool.close()
        self._pool.join()

    def __enter__(self) -> ForkedPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close(failed=kind is not None)


_worker_stop: Any = None
"""In a pool worker: its pool's stop event (`ForkedPool.close`)."""


def _set_worker_stop(stop: Any) -> None:
    global _worker_stop
    _worker_stop = stop


class _Stoppable(Generic[A, R]):
    """`fn`, skipped (None) once the pool has been told to stop: what is left in the task
    pipe then drains in moments."""

    def __init__(self, fn: Callable[[A], R]) -> None:
        self.fn = fn

    def __call__(self, item: A) -> R:
        if _worker_stop is not None and _worker_stop.is_set():
            return None  # type: ignore[return-value]  # read by no one: the pool was given up
        return self.fn(item)


def step_label(fn: Callable[..., object]) -> str:
    """The name a step's results are stored under: its module and qualified name."""
    return f"{fn.__module__}.{fn.__qualname__}"


@cache
def _fields_of(kind: type) -> tuple[Callable[[object], tuple[object, ...]], bool] | None:
    """For a dataclass: a function giving its field values as a tuple (an attrgetter, in C),
    and whether it has a `content_digest` field; None for any other class."""
    if not dataclasses.is_dataclass(kind):
        return None
    names = tuple(f.name for f in dataclasses.fields(kind))
    if len(names) == 1:
        return (lambda obj: (getattr(obj, names[0]),)), False
    return operator.attrgetter(*names), "content_digest" in names


def _sorted(values: object) -> list[object]:
    try:
        return sorted(values)  # type: ignore[call-overload, no-any-return]
    except TypeError:  # mixed types
        return sorted(values, key=repr)  # type: ignore[call-overload, no-any-return]


_UNORDERED = (set, frozenset, dict)
"""The types `_canonical` puts in order."""


def _canonical(value: object) -> object:
    """Sets and dicts in an order that does not depend on the process's string hash seed."""
    if isinstance(value, set | frozenset):
        return ("<set>", *_sorted(value))
    if isinstance(value, dict):
        keys = _sorted(value)
        return ("<dict>", *((k, value[k]) for k in keys))
    return value


class _KeyPickler(pickle.Pickler):
    """Pickles dataclasses field by field with their sets and dicts sorted, so that equal
    items give equal bytes in every process (the string hash seed differs per run, and with
    it the order a set of names, or a dict filled from one, iterates in). The bytes are only
    hashed, never unpickled.

    An object with a `content_digest` (an article: a hash of its file's path and text,
    which it is parsed from by code the key already covers) is written as that digest
    instead of its fields. Only fields are written: what a record works out from them
    (a cached property) is no part of its key."""

    def reducer_override(self, obj: object) -> Any:
        # Called for every object of a class of ours (pickle handles str, tuple... itself),
        # tens of thousands per build: what to do is worked out once per class.
        kind = type(obj)
        plan = _fields_of(kind)  # type: ignore[arg-type]  # mypy: a class is not Hashable
        if plan is None:
            return NotImplemented
        fields, has_digest = plan
        if has_digest and obj.content_digest:  # type: ignore[attr-defined]
            return kind, (obj.content_digest,)  # type: ignore[attr-defined]
        values = fields(obj)
        if any(map(isinstance, values, repeat(_UNORDERED))):
            values = tuple(_canonical(v) for v in values)
        return kind, values


class _Digest:
    """A file the pickler writes to that only feeds a hash."""

    def __init__(self, prefix: bytes) -> None:
        self.hash = hashlib.sha256(prefix)

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return len(data)


def item_key(prefix: bytes, item: object) -> str:
    """The cache key of one item: a hash of `prefix` and the item's canonical pickle.

    Without the pickler's memo: a default pickle writes an object met twice as a
    back-reference, so two equal items would have different keys when one holds the same
    string twice (a name that is also a name word) and the other two equal strings."""
    out = _Digest(prefix)
    pickler = _KeyPickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(item)
    return out.hash.hexdigest()


def plain_key(prefix: bytes, value: object) -> str:
    """`item_key` for plain data: strings, numbers, None, tuples, lists, dicts with string
    keys and dataclasses of these, written as JSON by orjson in C (the per-article keys
    and the claims' digest of a rebuild at 10,000 articles: 2.1 s as pickles). A set raises
    (it has no order to write); callers put in an article's `content_digest`, not the
    article. JSON writes no class names, and a dataclass is written as the array of its
    field values (`_field_values`): fine for a key, whose step fixes what each place holds.
    NaN and infinities would be written as null, like None; no figure read from text is
    either."""
    return hashlib.sha256(prefix + orjson.dumps(value, default=_field_values,
                                                option=orjson.OPT_PASSTHROUGH_DATACLASS)).hexdigest()


def _field_values(obj: object) -> tuple[object, ...]:
    """A dataclass's (or a named tuple's) field values, for orjson. Written natively, as an
    object (a name and a lookup per field), a slotted dataclass took orjson 0.5 us a record,
    three times as long as this attrgetter: 2 of the 7.7 s that hashing every page's inputs
    took after an edit at 10,000 articles (profiled)."""
    plan = _fields_of(type(obj))  # type: ignore[arg-type]  # mypy: a class is not Hashable
    if plan is not None:
        return plan[0](obj)
    if isinstance(obj, tuple):  # a named tuple (`model.Mention`): written as a dataclass is
        return tuple(obj)
    raise TypeError(f"{type(obj).__name__} has no plain form")


@dataclasses.dataclass(frozen=True, slots=True)
class WorkDone:
    """A child runner's work, sent back to the parent's runner (`ArticleRunner.absorb`)."""

    used: dict[str, set[str]]
    """Cache keys the child used, by namespace."""
    computed: int
    reused: int
    remembered: dict[str, dict[str, object]]
    """Results the child added to the warm state, by namespace and key."""


def _full_keys(code: str, label: str, keys: Sequence[str], settings: str) -> tuple[str, list[str]]:
    """The cache namespace of a step and its items' keys there: the code's fingerprint,
    the step and its settings are part of each."""
    namespace = f"{label}|{hashlib.sha256(settings.encode()).hexdigest()[:16]}"
    prefix = f"{code}|{namespace}|".encode()
    return namespace, [hashlib.sha256(prefix + key.encode()).hexdigest() for key in keys]


_ABSENT = object()

_LATEST = "latest"
"""The one key of a step's `ArticleRunner.latest` value."""


def in_batches(indices: Sequence[int]) -> Iterator[list[int]]:
    """`indices` in consecutive runs of `LAZY_BATCH`."""
    for start in range(0, len(indices), LAZY_BATCH):
        yield list(indices[start:start + LAZY_BATCH])


class _Star(Generic[R]):
    """`fn(*args)` as a one-argument callable that pickles (by reference to `fn`) into workers."""

    def __init__(self, fn: Callable[..., R]) -> None:
        self.fn = fn

    def __call__(self, args: tuple[object, ...]) -> R:
        return self.fn(*args)


class ArticleRunner:
    """Runs one per-article function over many items: cached, parallel, in order."""

    def __init__(self, jobs: int | None = 1, cache: DiskCache | None = None,
                 progress: Progress | None = None, memory: dict[str, dict[str, object]] | None = None,
                 finish_elsewhere: bool = False, cache_keys: dict[str, set[str]] | None = None,
                 payload_digests: dict[str, dict[str, str]] | None = None) -> None:
        self.jobs = default_jobs() if jobs is None or jobs < 1 else jobs
        self.cache = cache
        self.progress = progress
        self.memory = memory
        """Results kept in memory across builds by a long-running process, by namespace and
        full key (`warm.WarmState.results`): looked up before the disk cache."""
        self.cache_keys = cache_keys
        """That process's record of the keys its last build left in the disk cache, by
        namespace (`warm.WarmState.cache_keys`; empty before its first): the cache is
        pruned of those this build did not use, rather than of every key it holds."""
        self.payload_digests = payload_digests
        """That process's digests of the stored results `stored_digests` last read, by
        namespace and key (`warm.WarmState.payload_digests`)."""
        self._pool: ForkedPool | None = None
        self._used: dict[str, set[str]] = defaultdict(set)
        self._latest_read: dict[tuple[str, str], object] = {}
        """What `latest` gave, by label and settings: `keep_latest` does not write it back."""
        self._newly_remembered: dict[str, dict[str, object]] | None = None
        """In a forked child's runner (`for_child`): results it put in `memory` that it did
        not find there, to be sent back to the parent (`work_done`)."""
        self._deferred: dict[str, dict[str, object]] = {}
        """Cross-article results (`memo`, `keep_latest`) to store at `close`, by namespace
        and full key: large, and read back by no later step of this build (`finishing.py`)."""
        self._origins: dict[int, tuple[object, str]] = {}
        """What each cross-article result of this build was made from (`made_from`), by its
        identity (the result is held, so its id is not reused)."""
        self._finish_elsewhere = finish_elsewhere
        """Whether `close` may leave them to a forked process, which the caller waits for
        (`finishing.wait_for_finishing`, as `build` does)."""
        self.computed = 0
        """Items computed (not found in the cache) so far: for tests and --verbose."""
        self.reused = 0
        """Items found in the cache so far."""

    def map(self, fn: Callable[[A], R], items: Sequence[A], settings: str = "",
            keys: Sequence[str] | None = None) -> list[R]:
        """`[fn(item) for item in items]`, from the cache where it can be.

        `settings`: every setting of the analyser that changes what `fn` returns and is not
        in the item (thresholds, library options), as text; it is part of the cache key.
        `keys`: each item's `item_key`, when the caller has them already (else computed here).
        """
        return self._cached(fn, step_label(fn), items, settings, keys)

    def starmap(self, fn: Callable[..., R], items: Sequence[tuple[object, ...]], settings: str = "",
                keys: Sequence[str] | None = None) -> list[R]:
        """`[fn(*args) for args in items]`: `map` for a step that takes several arguments."""
        return self._cached(_Star(fn), step_label(fn), items, settings, keys)

    def starmap_lazily(self, fn: Callable[..., R], keys: Sequence[str],
                       items: Callable[[list[int]], Sequence[tuple[object, ...]]], settings: str = "") -> list[R]:
        """`starmap` over items made only for the keys the cache misses, `LAZY_BATCH` at a
        time (`items(indices)` makes those of `indices`): for a step whose input costs more
        to build, or to hold, than its key (`keys`: each `item_key`, or a digest of
        everything the result depends on)."""
        label = step_label(fn)

        def compute(todo: list[int]) -> list[R]:
            return self._compute_batches(_Star(fn), map(items, in_batches(todo)), len(todo), label)

        return self.keyed(label, keys, compute, settings)

    def _cached(self, fn: Callable[[A], R], label: str, items: Sequence[A], settings: str,
                keys: Sequence[str] | None) -> list[R]:
        items = list(items)
        if self.cache is None:
            self.computed += len(items)
            return self._compute(fn, items, label)
        if keys is None:
            keys = [item_key(b"", item) for item in items]
        return self.keyed(label, keys, lambda todo: self._compute(fn, [items[i] for i in todo], label), settings)

    def keyed(self, label: str, keys: Sequence[str], compute: Callable[[list[int]], list[R]],
              settings: str = "", store_at_close: bool = False) -> list[R]:
        """One result per key, from the cache where it can be: for steps whose items are too
        big to hash one by one (a pair of articles), the caller names each by a digest of
        everything its result depends on. `compute(indices)` returns the missing results,
        in the order of `indices`. `store_at_close`: the new results are stored when the
        runner closes (`memo`), not now."""
        if self.cache is None:
            self.computed += len(keys)
            return compute(list(range(len(keys))))
        code = code_fingerprint()
        namespace, full = _full_keys(code, label, keys, settings)
        self._used[namespace].update(full)
        found = self._remembered(namespace, full)
        found.update(self.cache.get_many(namespace, [k for k in full if k not in found]))
        self.reused += sum(1 for k in full if k in found)
        todo = sorted({k: i for i, k in reversed(list(enumerate(full))) if k not in found}.values())
        self.computed += len(todo)
        fresh = compute(todo)
        self._store(namespace, code, {full[i]: r for i, r in zip(todo, fresh, strict=True)}, store_at_close)
        found.update((full[i], r) for i, r in zip(todo, fresh, strict=True))
        self._remember(namespace, found)
        return [found[k] for k in full]  # type: ignore[misc]

    def memo(self, label: str, key: str, compute: Callable[[], R], settings: str = "") -> R:
        """The one result of a cross-article step, cached under `key`: a digest of
        everything the step is made from (merging names, joining claims). A new one is
        stored when the runner closes."""
        (value,) = self.keyed(label, [key], lambda todo: [compute() for _ in todo], settings, store_at_close=True)
        self.made_from(value, f"{label}|{settings}|{key}")
        return value

    def made_from(self, value: object, key: str) -> None:
        """Note that `value`, a cross-article result, is what `key` (a digest of everything
        it is made from) gives: what is made from `value` alone can then be kept in the
        cache under that key too (`derived`). Only with a cache."""
        if self.cache is not None:
            self._origins[id(value)] = (value, key)

    def origin_of(self, value: object) -> str | None:
        """The key `made_from` noted for this very object, or None."""
        found = self._origins.get(id(value))  # held there, so its id is no other object's
        return found[1] if found is not None else None

    def derived(self, label: str, source: object, make: Callable[[], R]) -> R:
        """`make()`, a value made from `source` alone, kept in the cache under the key
        `source` was made from (`made_from`). For what a build makes from the actors or the
        claims alone (their digests and lines of briefing.json, who appears with whom, the
        claims' and the tags' inputs): a build from the command line reads those back from
        the cache as they were, so after an edit that left them so it reads these back too
        instead of making them again. The value is pickled when the runner closes, so one
        that keeps what this build made of it (each article's key) is stored with that.
        Without a known origin (no cache, or made in code), `make()`."""
        origin = self.origin_of(source)
        if origin is None:
            return make()
        return self.memo(label, origin, make)

    def keep_derived(self, label: str, source: object) -> None:
        """Count what `derived(label, source, ...)` stored as used without reading it, so it
        stays in the cache: for a value this process holds already."""
        origin = self.origin_of(source)
        if origin is not None:
            self.keep_keyed(label, [origin])

    def _store(self, namespace: str, code: str, values: dict[str, object], at_close: bool = False) -> None:
        """Write `values` now, or (`at_close`) keep them for `close`, which writes them under
        the code's fingerprint (one for the whole process, as `code` is)."""
        assert self.cache is not None
        if at_close and values:
            self._deferred.setdefault(namespace, {}).update(values)
        else:
            self.cache.put_many(namespace, code, values)

    def lookup(self, label: str, keys: Sequence[str], settings: str = "") -> list[object | None]:
        """What `keyed(label, keys, ..., settings)` stored, None where nothing is (or an
        entry failed its check): read only, nothing computed, stored or counted as used."""
        if self.cache is None:
            return [None] * len(keys)
        namespace, full = _full_keys(code_fingerprint(), label, keys, settings)
        found = self._remembered(namespace, full)
        found.update(self.cache.get_many(namespace, [k for k in full if k not in found]))
        return [found.get(k) for k in full]

    def latest(self, label: str, settings: str = "") -> object | None:
        """The value the last build that ran a step left with `keep_latest` (this code,
        these settings), or None. For a step that updates its last result rather than
        keying it on its inputs: that step checks the value against its inputs itself."""
        (value,) = self.lookup(label, [_LATEST], settings)
        self._latest_read[label, settings] = value
        return value

    def keep_latest(self, label: str, value: object, settings: str = "") -> None:
        """Leave `value` for the next build's `latest(label, settings)`, in place of the last
        (written when the runner closes, and only when it is not the very value `latest`
        gave, which counts as reused)."""
        if self.cache is None:
            self.computed += 1
            return
        code = code_fingerprint()
        namespace, full = _full_keys(code, label, [_LATEST], settings)
        self._used[namespace].update(full)
        if value is self._latest_read.get((label, settings)):
            self.reused += 1
        else:
            self.computed += 1
            self._store(namespace, code, {full[0]: value}, at_close=True)
        self._remember(namespace, {full[0]: value})

    def keyed_in_rows(self, label: str, keys: Sequence[tuple[str, str]], compute: Callable[[list[int]], list[R]],
                      settings: str = "") -> list[R]:
        """`keyed` for results named by two digests, (row, column): each pair of articles a
        step compares. They are stored a row per first digest holding its pairs' results,
        so a build reads one entry per article, not one per pair (41,000 at 1,000 articles,
        each an HMAC check and an unpickle). A row whose pairs changed is written again
        whole, without the pairs no longer asked for."""
        if self.cache is None:
            self.computed += len(keys)
            return compute(list(range(len(keys))))
        code = code_fingerprint()
        row_keys = sorted({row for row, _ in keys})
        namespace, full = _full_keys(code, label, row_keys, settings)
        full_of = dict(zip(row_keys, full, strict=True))
        self._used[namespace].update(full)
        stored: dict[str, dict[str, R]] = self._remembered(namespace, full)  # type: ignore[assignment]
        stored.update(self.cache.get_many(namespace, [k for k in full if k not in stored]))  # type: ignore[arg-type]
        missing: dict[tuple[str, str], int] = {}
        for i, (row, column) in enumerate(keys):
            if column in stored.get(full_of[row], {}):
                self.reused += 1
            else:
                missing.setdefault((row, column), i)
        todo = sorted(missing.values())
        self.computed += len(todo)
        fresh = dict(zip((keys[i] for i in todo), compute(todo), strict=True))
        rows: dict[str, dict[str, R]] = defaultdict(dict)
        out = []
        for row, column in keys:
            old = stored.get(full_of[row], {})
            value = old[column] if column in old else fresh[row, column]
            rows[full_of[row]][column] = value
            out.append(value)
        changed = {k: row for k, row in rows.items() if k not in stored or stored[k].keys() != row.keys()}
        self.cache.put_many(namespace, code, changed)
        self._remember(namespace, {**stored, **changed})
        return out

    def _remember(self, namespace: str, found: dict[str, object]) -> None:
        """Keep `found` in the warm state; in a forked child, note what the parent lacks."""
        if self.memory is None:
            return
        remembered = self.memory.setdefault(namespace, {})
        if self._newly_remembered is not None:
            self._newly_remembered.setdefault(namespace, {}).update(
                (k, v) for k, v in found.items() if remembered.get(k) is not v)
        remembered.update(found)

    def missing(self, fn: Callable[[A], object], items: Sequence[A], settings: str = "",
                keys: Sequence[str] | None = None) -> list[int]:
        """Indices of the `items` whose `map(fn, items, settings)` result is neither
        remembered nor cached: all of them without a cache. Reads no values."""
        if self.cache is None:
            return list(range(len(items)))
        return self.missing_keyed(step_label(fn), keys if keys is not None else [item_key(b"", i) for i in items],
                                  settings)

    def missing_keyed(self, label: str, keys: Sequence[str], settings: str = "") -> list[int]:
        """`missing` for results stored by `keyed(label, keys, ..., settings)` (or
        `starmap_lazily` of a function so labelled)."""
        if self.cache is None:
            return list(range(len(keys)))
        namespace, full = _full_keys(code_fingerprint(), label, keys, settings)
        remembered = (self.memory or {}).get(namespace, {})
        deferred = self._deferred.get(namespace, {})
        # The disk is asked only about keys held nowhere in memory: in a warm process, the
        # few an edit brought (listing a namespace's every key was 14 ms of a rebuild at
        # 1,000 articles, for four steps).
        unknown = [i for i, key in enumerate(full) if key not in remembered and key not in deferred]
        stored = self.cache.stored_among(namespace, [full[i] for i in unknown]) if unknown else set()
        return [i for i in unknown if full[i] not in stored]

    def keep_keyed(self, label: str, keys: Sequence[str], settings: str = "") -> None:
        """Count the cached results of `keyed(label, keys, ..., settings)` (or of `map` of
        a function so labelled, by its items' keys) as used without reading them, so they
        stay in the cache: for a step that found what it needed by a key naming the
        article instead, when a later build may need them again."""
        if self.cache is not None:
            namespace, full = _full_keys(code_fingerprint(), label, keys, settings)
            self._used[namespace].update(full)

    def stored_digests(self, fn: Callable[..., object], keys: Sequence[str], settings: str = "") -> list[str] | None:
        """A digest of each result `map(fn, items, settings, keys)` returns, read from the
        disk cache without unpickling any, or None if one is not stored there. For a
        cross-article step that keys its own result on them (`analyse_actors`,
        `join_claims`; `fn` may take several arguments, as `starmap` does): when every
        article's result is as it was, whatever became of the articles' texts, so is the
        step's. The results count as used, so they stay in the cache.
        A process that builds again and again keeps the digests it read (`payload_digests`)
        and reads only those of new keys: reading every result back to hash it was 22 ms
        of a rebuild at 1,000 articles. A key's result is the same whenever it is made, so
        its digest stands for it even if another build has since pruned the entry: whatever
        keys on the digests then finds its own result, or makes it again."""
        if self.cache is None:
            return None
        namespace, full = _full_keys(code_fingerprint(), step_label(fn), keys, settings)
        known = self.payload_digests.get(namespace, {}) if self.payload_digests is not None else {}
        found = {k: known[k] for k in full if k in known}
        if len(found) < len(full):
            found.update(self.cache.payload_digests(namespace, [k for k in full if k not in found]))
        if not found.keys() >= set(full):
            return None
        self._used[namespace].update(full)
        if self.payload_digests is not None:  # this build's alone, as for the results kept
            self.payload_digests[namespace] = found
        return [found[k] for k in full]

    def _remembered(self, namespace: str, keys: list[str]) -> dict[str, object]:
        """What the warm state, or this runner's results kept for `close`, hold of `keys`."""
        known = self.memory.get(namespace) if self.memory is not None else None
        found = {k: known[k] for k in keys if k in known} if known else {}
        held = self._deferred.get(namespace)
        if held:
            found.update((k, held[k]) for k in keys if k in held)
        return found

    def _compute(self, fn: Callable[[A], R], items: list[A], label: str) -> list[R]:
        return self._compute_batches(fn, iter([items]), len(items), label)

    def _compute_batches(self, fn: Callable[[A], R], batches: Iterator[Sequence[A]], total: int, label: str) -> list[R]:
        """`fn` over `total` items, taken a batch at a time, in order. The workers are given
        each batch before the last one's results are read, so they do not wait while the
        next is made, and at most two batches are held at once."""
        if not total:
            return []
        show = self.progress(label.split(".")[-2], total) if self.progress else nullcontext(None)
        out: list[R] = []
        with show as advance:
            if self.jobs == 1 or total < MIN_POOL_ITEMS:
                for items in batches:
                    out += self._serial(fn, items, advance)
                return out
            chunk = max(1, min(32, total // (self.jobs * 8)))
            running: Iterator[R] = iter(())
            for items in batches:
                given = self._get_pool().imap(fn, items, chunksize=chunk)
                self._collect(running, out, advance)
                running = given
            self._collect(running, out, advance)
        return out

    @staticmethod
    def _collect(results: Iterator[R], out: list[R], advance: Callable[[int], object] | None) -> None:
        for result in results:
            out.append(result)
            if advance is not None:
                advance(1)

    @staticmethod
    def _serial(fn: Callable[[A], R], items: Sequence[A], advance: Callable[[int], object] | None) -> Iterator[R]:
        for item in items:
            yield fn(item)
            if advance is not None:
                advance(1)

    def _get_pool(self) -> ForkedPool:
        if self._pool is None:
            self._pool = ForkedPool(self.jobs)
        return self._pool

    def close(self, failed: bool = False, prune: bool = True) -> None:
        """Stop the workers; after a build that finished, drop cache entries and remembered
        results it did not use (`prune` False in a forked child: only the parent knows every
        key the build used, and the child's memory goes with it)."""
        if self._pool is not None:
            self._pool.close(failed)
            self._pool = None
        if self.cache is not None:
            if not failed:
                self._finish_cache(prune)
            elif self.cache_keys is not None:
                self.cache_keys.clear()  # what it stored before it failed: the next build looks at every key
            self.cache.close()
        if self.memory is not None and prune and not failed:
            for namespace, kept in self.memory.items():  # keep what this build used, as the disk cache does
                for key in kept.keys() - self._used.get(namespace, set()):
                    del kept[key]

    def _finish_cache(self, prune: bool) -> None:
        """Store the results kept for `close`, then (`prune`) drop the entries the build did
        not use: from a process forked for it where workers fork and there is something to
        store (`finishing.write_in_background`), else here (in a stage's child, whose parent
        has its result already; or in one process, as asked)."""
        assert self.cache is not None
        code = code_fingerprint()
        deferred = [(namespace, code, values) for namespace, values in self._deferred.items()]
        self._deferred = {}
        used = Used(dict(self._used), code, dict(self.cache_keys) if self.cache_keys else None) if prune else None
        if deferred and self._finish_elsewhere and self.jobs >= 2 and fork_available():
            write_in_background(self.cache.path.parent, deferred, used)
        else:
            store(self.cache, deferred, used)
        if prune and self.cache_keys is not None:
            self.cache_keys.clear()
            self.cache_keys.update((namespace, set(keys)) for namespace, keys in self._used.items())

    @property
    def keeps_memory(self) -> bool:
        """Whether this runner's process builds again and again and keeps `memory` between
        its builds (`sitegen serve`), not a forked child, whose memory ends with its stage."""
        return self.memory is not None and self._newly_remembered is None

    def for_child(self) -> ArticleRunner:
        """A runner for a forked child process (`background.py`): the same settings and
        cache folder through a connection of its own, and the warm results this process
        held when it forked; no workers yet."""
        cache = DiskCache(self.cache.path.parent) if self.cache is not None else None
        child = ArticleRunner(self.jobs, cache, self.progress, self.memory)
        child._newly_remembered = {}
        child._origins = dict(self._origins)  # the values it inherits were made from the same
        return child

    def work_done(self) -> WorkDone:
        """What this runner did that the runner of the process it forked from must know."""
        new = self._newly_remembered or {}
        return WorkDone({ns: set(keys) for ns, keys in self._used.items()}, self.computed, self.reused,
                        {ns: values for ns, values in new.items() if values})

    def inherited_results(self) -> Iterator[tuple[str, str, object]]:
        """In a forked child's runner: (namespace, key, result) of each result this runner
        used that the warm state held when the process forked, which the parent holds too."""
        if self.memory is None or self._newly_remembered is None:
            return
        for namespace, keys in self._used.items():
            held = self.memory.get(namespace)
            if not held:
                continue
            new = self._newly_remembered.get(namespace, {})
            for key in keys:
                value = held.get(key, _ABSENT)
                if value is not _ABSENT and new.get(key, _ABSENT) is not value:
                    yield namespace, key, value

    def absorb(self, done: WorkDone) -> None:
        """Count a child's work as this runner's own: its cache entries are kept at `close`,
        its counts reported, its new results remembered."""
        for namespace, keys in done.used.items():
            self._used[namespace].update(keys)
        self.computed += done.computed
        self.reused += done.reused
        if self.memory is not None:
            for namespace, values in done.remembered.items():
                self.memory.setdefault(namespace, {}).update(values)

    def __enter__(self) -> ArticleRunner:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close(failed=kind is not None)


SERIAL_RUNNER = ArticleRunner()
"""What an analyser uses when called without a runner (tests, `sitegen actors`): one
process, no cache."""


def open_runner(jobs: int | None, cache_dir: Path | None, progress: Progress | None = None,
                memory: dict[str, dict[str, object]] | None = None,
                cache_keys: dict[str, set[str]] | None = None,
                payload_digests: dict[str, dict[str, str]] | None = None) -> ArticleRunner:
    """The runner for one build: `cache_dir` None means --no-cache (and no `memory` either).
    What it stores at `close` may be stored by a process the build waits for at its end
    (`finishing.py`)."""
    if cache_dir is None:
        return ArticleRunner(jobs, None, progress)
    return ArticleRunner(jobs, DiskCache(cache_dir), progress, memory, finish_elsewhere=True, cache_keys=cache_keys,
                         payload_digests=payload_digests)

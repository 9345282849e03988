"""Cache writes a build leaves to other processes, and waits for before it returns (issue 9).

A cross-article result (the merged actors, the claims' groups and ledger) is stored for the
next build; nothing later in this one reads it back. Pickling and writing the merged
actors alone took 0.2 s of a rebuild at 1,000 articles after an edit that named someone
new, on the path every later stage waits on. So such results are written at the end of
analysis by a process forked for it (`write_in_background`), which then prunes the cache
of what the build did not use (0.1 s after such an edit), and a stage's child writes
its own after it has sent its result; the build goes on linking and rendering meanwhile,
and waits for them all at its end (`wait_for_finishing`), when they are mostly done: no
process outlives a build from the command line, and no next build reads a cache still
being written. A process that builds again and again (`sitegen serve`) does not wait at
the end of each build, but at the start of the next and as it stops: after an edit that
names someone new at 10,000 articles the writer pickles and stores some 280 MB (the
merged actors, the ledger, their lines of briefing.json), 7-8 s of a core, and the
rebuilt pages need not wait for it to be served.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Mapping, Sequence
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import NamedTuple

from sitegen.cache import DiskCache

Entries = Sequence[tuple[str, str, Mapping[str, object]]]
"""Cache entries to write: (namespace, code fingerprint, values by full key), as `DiskCache.put_many` takes them."""


class Used(NamedTuple):
    """What `DiskCache.prune` keeps, and what it needs to look at."""

    keys: Mapping[str, set[str]]
    """The cache keys a build used, by namespace."""
    code: str
    """The code's fingerprint."""
    left: Mapping[str, set[str]] | None = None
    """The keys the same process's last build used and left in the cache (None: not known,
    every key is looked at)."""

_FINISHING: list[BaseProcess] = []
"""Processes still writing for the build under way."""


def finish_later(process: BaseProcess) -> None:
    """Leave `process` (started, and done with its part of the build) to end by itself;
    `wait_for_finishing` joins it."""
    _FINISHING.append(process)


def write_in_background(cache_folder: Path, entries: Entries, used: Used | None = None) -> None:
    """Write `entries` to the cache in `cache_folder`, then prune it to `used` (the keys the
    build used, and the code's fingerprint: `DiskCache.prune`), from a forked process (its
    own connection to the file; sqlite serialises it with any other writer). Where fork is."""
    from sitegen.runner import frozen_heap  # runner imports this module

    process = multiprocessing.get_context("fork").Process(target=_write, args=(cache_folder, entries, used))
    with frozen_heap():
        process.start()  # forked: the values are pickled there, not here
    finish_later(process)


def store(cache: DiskCache, entries: Entries, used: Used | None) -> None:
    """Write `entries` to `cache`, then prune it to `used` (if given): what the forked
    process does, or the build's own process where none is forked."""
    for namespace, code, values in entries:
        cache.put_many(namespace, code, values)
    if used is not None:
        cache.prune(used.keys, used.code, used.left)


def _write(cache_folder: Path, entries: Entries, used: Used | None) -> None:
    cache = DiskCache(cache_folder)
    try:
        store(cache, entries, used)
    finally:
        cache.close()


def wait_for_finishing() -> None:
    """Wait for every process the build left writing (a failed write only costs the next
    build the time to make those results again: each is written whole or not at all)."""
    while _FINISHING:
        _FINISHING.pop().join()

"""What a long-running process read of each input file, kept while the file's stat is as it was.

`sitegen serve` builds again after every saved edit, and each build hashed every file of
content/ for the up-to-date record and read every article again to find the one that
changed: 0.05 of a 0.76 s rebuild at 1,000 articles, 0.5 s at 10,000. Like git's index,
a file whose stat (device, inode, size, mtime and ctime, in ns) is the same as when it was
read is taken to hold the same bytes, and is not read again.

A write within the same tick of the file system's clock as the read it follows can leave
the stat as it was (git's "racy" files), so a file changed less than `RACY_NS` before it
was read is not remembered: it is read again by the next build, and remembered then. ctime
cannot be set from user space, so a copy that keeps the old mtime (`cp -p`, rsync) still
changes the stat.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

Signature = tuple[int, int, int, int, int]
"""(device, inode, size, mtime ns, ctime ns) of a file."""

RACY_NS = 2_000_000_000
"""A file changed this recently when it was read is read again next time: wider than any
file system's timestamp tick (FAT's is 2 s) and the clock skew of a network share."""


def signature(path: str) -> Signature | None:
    """The file's stat as a `Signature`, or None when it cannot be stat'ed."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def write_whole(path: Path, data: bytes) -> bool:
    """Write `data` to `path` whole or not at all: to a file of this process's beside it,
    renamed over it (another build may read it meanwhile). For what a build keeps for the
    next (its record, its records' digests, the code's fingerprint), which only costs the
    next build time when it cannot be written: False then, and nothing is left behind."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        return False
    return True


def sha256_of_file(path: str) -> bytes:
    """SHA-256 of the file's bytes."""
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).digest()


@dataclass(slots=True)
class _Seen:
    signature: Signature
    digest: bytes | None = None
    text: str | None = None


class FileMemo:
    """Each file's digest and text as last read, by path, while its stat stays the same.
    Owned by one process (`warm.WarmState.files`); a build from the command line has none."""

    def __init__(self, clock: Callable[[], int] = time.time_ns) -> None:
        self._seen: dict[str, _Seen] = {}
        self._clock = clock
        """The time in ns, as file times are given."""

    def digest(self, path: str) -> bytes:
        """`sha256_of_file(path)`, kept while the file is as it was."""
        seen, stat, started = self._lookup(path)
        if seen is not None and seen.digest is not None:
            return seen.digest
        digest = sha256_of_file(path)
        self._remember(path, stat, started, digest=digest)
        return digest

    def text(self, path: str, read: Callable[[], str | None]) -> str | None:
        """The file's text: kept while the file is as it was, else `read()` (None, a file
        that could not be read as text, is not kept)."""
        seen, stat, started = self._lookup(path)
        if seen is not None and seen.text is not None:
            return seen.text
        text = read()
        if text is not None:
            self._remember(path, stat, started, text=text)
        return text

    def forget_all_but(self, paths: set[str]) -> None:
        """Let go of files no longer read (deleted or renamed), so memory stays the site's size."""
        for path in self._seen.keys() - paths:
            del self._seen[path]

    def _lookup(self, path: str) -> tuple[_Seen | None, Signature | None, int]:
        """What is kept of `path` if its stat is as it was then; its stat now; the time now."""
        started = self._clock()  # before the stat: a write after it is later than this
        stat = signature(path)
        seen = self._seen.get(path)
        if seen is not None and seen.signature != stat:
            del self._seen[path]
            seen = None
        return seen, stat, started

    def _remember(self, path: str, stat: Signature | None, started: int,
                  digest: bytes | None = None, text: str | None = None) -> None:
        if stat is None or max(stat[3], stat[4]) > started - RACY_NS:
            return  # changed just now: the next build reads it again
        seen = self._seen.get(path)
        if seen is None:
            seen = self._seen[path] = _Seen(stat)
        if digest is not None:
            seen.digest = digest
        if text is not None:
            seen.text = text


T = TypeVar("T")


class WrittenFiles:
    """What a long-running process wrote to files it reads back at the next build (the
    record of the last build, `uptodate.LastBuild`, and its records' digests,
    `carried.SiteRecords`), kept with each file's stat right after the write: while the stat
    is the same, the value is handed back instead of the file being read and parsed again
    (0.3 s of an edit rebuilt at 10,000 articles, their JSON being 32 MB).

    Unlike `FileMemo`, a file changed just now is kept: sitegen writes these by renaming a
    new file over the old, so another build's write gives the file a new inode (the old one
    is still the file's until the rename)."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[Signature, object]] = {}

    def wrote(self, path: Path, value: object) -> None:
        """`value` was just written to `path`."""
        stat = signature(str(path))
        if stat is None:
            self._kept.pop(str(path), None)
        else:
            self._kept[str(path)] = (stat, value)

    def read(self, path: Path, read: Callable[[], T]) -> T:
        """The value last written to `path` while the file is as written, else `read()`."""
        kept = self._kept.get(str(path))
        if kept is not None and kept[0] == signature(str(path)):
            return cast(T, kept[1])
        self._kept.pop(str(path), None)
        return read()

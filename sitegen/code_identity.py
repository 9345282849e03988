"""A digest of the code a build runs, remembered between processes while its files are as they were.

Every cached result is keyed on the code that made it (`cache.code_fingerprint`): sitegen's
own files hashed, and the versions of its dependencies, which `importlib.metadata` reads.
Importing that module, asking it each version and hashing the files took 0.02-0.05 s of
every build from the command line, which needs the digest for its up-to-date check even
when nothing changed (such a build takes 0.14-0.16 s at 1,000 articles).

So the digest is kept in a small file beside the cache's signing key, under a key made of
what it depends on, read without importing or hashing anything: the stat of each file
hashed (device, inode, size, mtime and ctime, as `file_memo` and git's index trust them),
and the name and stat of every distribution's metadata folder on `sys.path` (their names
carry their versions; installing, upgrading or reinstalling one makes them anew). When
that key differs, the digest is made again and remembered. A file changed within the file
system's clock tick of the digest (`file_memo.RACY_NS`) is not trusted to its stat: the
digest is then not remembered.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sitegen.file_memo import RACY_NS, signature, write_whole

METADATA_SUFFIXES = (".dist-info", ".egg-info", ".pth")
"""Entries of a `sys.path` folder that say which distributions are installed there, and
where (`.pth`: paths added to `sys.path`, as editable installs add theirs)."""


def remembered_digest(memo: Path, files: Sequence[Path], make: Callable[[], str],
                      clock: Callable[[], int] = time.time_ns) -> str:
    """`make()`, a digest of `files` and of the installed distributions, read from `memo`
    when neither has changed since it was kept there; else made, and kept. The memo is
    only a shortcut: one that cannot be read or written is made again. `clock`: the time in
    ns, as file times are given."""
    started = clock()  # before the stats: a write after them is later than this
    stats = [signature(str(path)) for path in files]
    key = _stat_key(files, stats)
    kept = _read(memo)
    if key in kept:
        return kept[key]
    digest = make()
    if all(stat is not None and max(stat[3], stat[4]) <= started - RACY_NS for stat in stats):
        kept.pop(key, None)
        kept[key] = digest
        with contextlib.suppress(OSError):  # a folder that cannot be made: the write fails quietly too
            memo.parent.mkdir(parents=True, exist_ok=True)
        write_whole(memo, json.dumps(dict(list(kept.items())[-KEPT:])).encode())
    return digest


KEPT = 8
"""Digests kept, the latest last: of several checkouts or environments a user builds with."""


def _read(memo: Path) -> dict[str, str]:
    try:
        kept = json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(kept, dict):
        return {}
    return {k: v for k, v in kept.items() if isinstance(k, str) and isinstance(v, str)}


def _stat_key(files: Sequence[Path], stats: Sequence[tuple[int, ...] | None]) -> str:
    """A digest of what `make`'s digest depends on, from stats and folder listings only."""
    digest = hashlib.sha256(f"{sys.version}|{sys.executable}".encode())
    for path, stat in zip(files, stats, strict=True):
        digest.update(f"{path}|{stat}\0".encode())
    for folder in sys.path:
        try:
            names = sorted(n for n in os.listdir(folder or ".") if n.endswith(METADATA_SUFFIXES))
        except OSError:  # not a folder (a zip, a path hook's name) or gone
            continue
        if names:  # a folder without any (the current one, as `python -m` puts it first) is no matter
            digest.update(f"{folder}\0".encode())
        for name in names:
            digest.update(f"{name}|{signature(os.path.join(folder or '.', name))}\0".encode())
    return digest.hexdigest()


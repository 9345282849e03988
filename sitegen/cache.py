"""The analysis cache, `.sitegen-cache/analysis.sqlite`: per-article results kept across builds.

A key is a hash of everything a result depends on: the sitegen code (version and the bytes
of its modules), the per-article function, the analyser's settings and the pickled input
(which holds the article text). So an edited article, a changed setting or an upgraded
sitegen misses by construction; nothing is ever invalidated by hand.

Values are pickles, and unpickling runs code, so a value is only read back when it carries
an HMAC made with this user's key (kept outside the site, in the user cache folder): a cache
copied from another machine, committed to a repository or damaged on disk is *foreign* or
*corrupt*, and is ignored with a warning, never trusted. sqlite gives atomic writes, so a
build killed half way leaves the previous entries intact (a half-written pickle file could not).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import re
import secrets
import sqlite3
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

import sitegen
from sitegen.code_identity import remembered_digest

FORMAT = "sitegen-cache 1"
"""Written in the meta table; a file without it is not ours (or from an older layout)."""
FILE_NAME = "analysis.sqlite"
KEY_ENV = "SITEGEN_CACHE_KEY_FILE"
"""Overrides where the HMAC key lives (tests, or a shared CI cache with a shared key)."""
_MAC_SIZE = 32
BUSY_SECONDS = 300
"""How long a write waits for another's to finish. A build's stages that run side by side
(`background.py`) write from two processes, and storing a cold build's YAKE results for
10,000 articles is one large transaction: a wait that ran out would drop the other
process's results (with a warning), to be computed again by the next build."""
FEW_KEYS = 200
"""Below this many keys `get_many` looks each up instead of reading the whole namespace."""


class CacheWarning(UserWarning):
    """The cache could not be used as it is; the build goes on without (part of) it."""


def _dependency_versions() -> str:
    """Installed versions of sitegen's dependencies (YAKE's, the gazetteers'...)."""
    import importlib.metadata  # 22 ms: only when `code_fingerprint` is not remembered

    try:
        requires = importlib.metadata.requires("sitegen") or []
    except importlib.metadata.PackageNotFoundError:
        return ""
    out = []
    for requirement in requires:
        if "extra ==" in requirement:
            continue
        name = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]
        try:
            out.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            out.append(f"{name}=missing")
    return ",".join(sorted(out))


@cache
def code_fingerprint() -> str:
    """Hash of sitegen's version, its dependencies' versions, the Python minor version and
    the bytes of every module and data file (the theme aside: it does not change analysis).

    Stricter than the version number alone: a developer's edit to an analyser changes it
    too, so a cache can never serve results of code that no longer exists. Remembered in
    the user's cache folder while those files and the installed distributions are as they
    were (`code_identity`)."""
    package = Path(sitegen.__file__).parent
    files = [path for path in sorted(package.rglob("*")) if path.is_file() and _is_code(path.relative_to(package))]
    return remembered_digest(_key_file().parent / FINGERPRINT_MEMO, files, lambda: _hashed(package, files))


FINGERPRINT_MEMO = "code-fingerprint.json"
"""Where `code_fingerprint` is remembered, beside the signing key (`code_identity`)."""


def _is_code(relative: Path) -> bool:
    """A module or data file of the package: not the theme, nor Python's compiled files."""
    name = relative.as_posix()
    return not name.startswith("theme/") and "__pycache__" not in name


def _hashed(package: Path, files: list[Path]) -> str:
    digest = hashlib.sha256(f"{sitegen.__version__}|{sys.version_info[:2]}|{_dependency_versions()}".encode())
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _key_file() -> Path:
    override = os.environ.get(KEY_ENV)
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sitegen" / "cache-key"


def user_key() -> bytes:
    """This user's secret for signing cache entries, made on first use (mode 0600)."""
    path = _key_file()
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_bytes(32))
    return path.read_bytes()


class DiskCache:
    """Signed pickles in sqlite, grouped by namespace (one per function and settings)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME
        self._db: sqlite3.Connection | None = None
        try:
            self._key = user_key()
        except OSError as error:
            warnings.warn(f"cannot read or make the cache signing key {_key_file()}: {error}; "
                          "building without the analysis cache", CacheWarning, stacklevel=2)
            return
        self._db = self._open()

    def _open(self) -> sqlite3.Connection | None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            problem = self._check()
            if problem is None:
                return sqlite3.connect(self.path, timeout=BUSY_SECONDS)
            warnings.warn(f"ignoring the analysis cache {self.path}: {problem}; "
                          "starting a new one (the old file is kept as .bad)", CacheWarning, stacklevel=3)
            os.replace(self.path, self.path.with_suffix(".bad"))
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
            with db:
                db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
                db.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, ns TEXT, code TEXT, value BLOB)")
                db.execute("CREATE INDEX entries_ns ON entries (ns)")
                db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
            return db
        except sqlite3.Error as error:
            warnings.warn(f"cannot create the analysis cache {self.path}: {error}; building without it",
                          CacheWarning, stacklevel=3)
            return None

    def _check(self) -> str | None:
        """Why the file is not a cache this sitegen wrote, or None."""
        try:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=BUSY_SECONDS)
            try:
                row = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
                db.execute("SELECT key, ns, code, value FROM entries LIMIT 1").fetchall()
            finally:
                db.close()
        except sqlite3.Error as error:
            return f"not a readable sitegen cache ({error})"
        if row is None or row[0] != FORMAT:
            return f"written by something else (format {row[0] if row else 'missing'!r}, expected {FORMAT!r})"
        return None

    def _mac(self, blob: bytes | memoryview) -> bytes:
        return hmac.digest(self._key, blob, "sha256")

    def get_many(self, namespace: str, keys: Iterable[str]) -> dict[str, object]:
        """The cached values among `keys`; entries that fail their check are left out."""
        wanted = set(keys)
        if self._db is None or not wanted:
            return {}
        found: dict[str, object] = {}
        rejected = 0
        try:
            for key, value in self._rows(namespace, sorted(wanted)):
                if key not in wanted:
                    continue
                blob = memoryview(value)
                payload = blob[_MAC_SIZE:]
                if not hmac.compare_digest(blob[:_MAC_SIZE], self._mac(payload)):
                    rejected += 1
                    continue
                found[key] = pickle.loads(payload)
        except sqlite3.Error as error:
            warnings.warn(f"cannot read the analysis cache {self.path}: {error}; recomputing",
                          CacheWarning, stacklevel=2)
            return {}
        if rejected:
            warnings.warn(f"{rejected} entries of the analysis cache {self.path} are corrupt or were "
                          "signed by another user or machine; recomputing them", CacheWarning, stacklevel=2)
        return found

    def payload_digests(self, namespace: str, keys: Iterable[str]) -> dict[str, str]:
        """A hash of each stored value among `keys`, read without unpickling or checking it:
        nothing is loaded from these, so a damaged entry only gives a digest that matches
        nothing, and whatever keys on it is made again."""
        wanted = set(keys)
        if self._db is None or not wanted:
            return {}
        try:
            return {key: hashlib.sha256(memoryview(value)[_MAC_SIZE:]).hexdigest()
                    for key, value in self._rows(namespace, sorted(wanted)) if key in wanted}
        except sqlite3.Error:
            return {}  # get_many warns when the values are read

    def stored_among(self, namespace: str, keys: list[str]) -> set[str]:
        """Those of `keys` this namespace holds, values unread: to learn what a step will
        have to compute before it runs (an entry that later fails its check is computed
        then). Every key of the namespace is listed when most of it is asked about."""
        if self._db is None or not keys:
            return set()
        try:
            return {key for key, ns in self._rows(namespace, keys, "ns") if ns == namespace}
        except sqlite3.Error:
            return set()  # get_many warns when the step reads it

    def _rows(self, namespace: str, keys: list[str], column: Literal["value", "ns"] = "value"
              ) -> Iterator[tuple[str, Any]]:
        """(key, `column`) of the stored rows among `keys`: one scan of the namespace when
        most of it is wanted (a whole build: every row of it), else looked up by key (a
        rebuild in a warm process: the key's own index; a key names its namespace). Read as
        they are used, not fetched all at once: at 10,000 articles a namespace holds 120 MB."""
        assert self._db is not None
        if len(keys) > FEW_KEYS:
            yield from self._db.execute(f"SELECT key, {column} FROM entries WHERE ns = ?", (namespace,))
            return
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            yield from self._db.execute(
                f"SELECT key, {column} FROM entries WHERE key IN ({', '.join('?' * len(chunk))})", chunk)

    def put_many(self, namespace: str, code: str, values: Mapping[str, object]) -> None:
        if self._db is None or not values:
            return

        def rows() -> Iterator[tuple[str, str, str, bytes]]:
            """Each row pickled as sqlite takes it, so only one is held at a time: made all
            at once, a cold build's parsed articles (120 MB pickled at 10,000 articles) left
            the main process 200 MB larger, and every stage it forks after."""
            for key, value in values.items():
                payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
                yield key, namespace, code, self._mac(payload) + payload

        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows())
        except sqlite3.Error as error:
            warnings.warn(f"cannot write the analysis cache {self.path}: {error}", CacheWarning, stacklevel=2)

    def prune(self, used: Mapping[str, set[str]], code: str, left: Mapping[str, set[str]] | None = None) -> None:
        """Drop entries of older code, and of these namespaces, those this build did not use
        (an edited article's old result), so the file stays the size of the site.

        `left`: the keys the last build of the same long-running process used (and left);
        only those this build did not use are dropped. Reading every key back to find them
        took 0.25-0.6 s of each rebuild in `sitegen serve` at 10,000 articles (107,000 keys);
        entries another process wrote meanwhile stay until a build from the command line."""
        if self._db is None:
            return
        try:
            with self._db:
                if left is not None:
                    gone = [k for namespace, keys in left.items() for k in keys - used.get(namespace, set())]
                    self._db.executemany("DELETE FROM entries WHERE key = ?", [(k,) for k in sorted(gone)])
                    return
                self._db.execute("DELETE FROM entries WHERE code != ?", (code,))
                for namespace, keys in used.items():
                    stored = {k for (k,) in self._db.execute(
                        "SELECT key FROM entries WHERE ns = ?", (namespace,))}
                    self._db.executemany("DELETE FROM entries WHERE key = ?",
                                         [(k,) for k in sorted(stored - keys)])
        except sqlite3.Error as error:
            warnings.warn(f"cannot prune the analysis cache {self.path}: {error}", CacheWarning, stacklevel=2)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

"""Skip a build whose inputs and output are exactly as the last build left them.

Make's rule, applied to the whole site. After each build a record in the cache folder
holds a hash of every input (all of content/, the themes, the sitegen code and its
dependencies' versions) and the size and mtime of every file written. The build is
deterministic, so when the inputs hash the same and every output file is still as it was
written, a new build would write the same bytes: nothing is done. An edited article, a
changed theme, an upgraded sitegen or a touched output file each fail the check, and the
build runs as usual.

The record lives in `.sitegen-cache/`, not in the output, so published files stay
byte-identical from build to build; `--no-cache` and `sitegen clean` bypass it. It is
plain JSON that can only ever make sitegen build *more*: a forged record can claim an
output is current, but so can anyone who can write the site folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from sitegen.cache import code_fingerprint
from sitegen.file_memo import FileMemo, WrittenFiles, sha256_of_file, write_whole

RECORD_FORMAT = "sitegen-last-build 1"


@dataclass(frozen=True, slots=True)
class LastBuild:
    """What the previous build into one output folder read and wrote."""

    inputs: str
    """`input_fingerprint` of that build."""
    stamps: Mapping[str, tuple[int, int]]
    """Each file it wrote (relative path) -> (size, mtime in ns) right after writing."""
    pages: Mapping[str, int]
    """Pages by kind, for the build summary."""
    kept_foreign: tuple[str, ...]
    theme: str = ""
    """`theme_fingerprint` of that build."""
    views: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Each page's `render.view_digest`: a page made from the same view with the same theme
    is the same bytes, and is taken from the output instead of rendered again."""
    page_inputs: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """The `render.Page.inputs_digest` of each page of an article, actor, tag or claim: a
    page made from the same inputs has the same view, which is then not even built."""


def _files_under(folder: Path, skip: Path | None = None) -> list[str]:
    """Every file below `folder` as a relative POSIX path, sorted by folder, leaving out
    `skip` (an output folder inside it). Strings, not Paths: at 10,000 articles the output
    holds 57,000 files, and making a Path of each took most of the up-to-date check."""
    found: list[str] = []
    top = os.fspath(folder)
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
        dirnames[:] = sorted(d for d in dirnames if skip is None or Path(dirpath, d).resolve() != skip)
        relative = os.path.relpath(dirpath, top).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        found.extend(prefix + name for name in sorted(filenames))
    return found


def _tree_digest(digest: hashlib._Hash, tops: Sequence[Path], skip: Path | None = None,
                 files: FileMemo | None = None) -> None:
    """Each file's path and the digest of its bytes; `files`, a warm process's memo of
    files it read, finds those it hashed before (`file_memo.py`), and forgets the others."""
    hashed: set[str] = set()
    for top in tops:
        digest.update(b"\0dir\0" + str(top).encode())
        if not top.is_dir():
            continue
        for relative in _files_under(top, skip):
            path = os.path.join(top, relative)
            digest.update(relative.encode() + b"\0" + (files.digest(path) if files else sha256_of_file(path)))
            hashed.add(path)
    if files:
        files.forget_all_but(hashed)


def theme_fingerprint(themes: Sequence[Path]) -> str:
    """Hash of the theme folders and sitegen's code: what turns a page's view into bytes."""
    digest = hashlib.sha256(code_fingerprint().encode())
    _tree_digest(digest, themes)
    return digest.hexdigest()


def input_fingerprint(root: Path, theme: str, output: Path, files: FileMemo | None = None) -> str:
    """Hash of everything a build reads: content/ and `theme` (a `theme_fingerprint`)."""
    digest = hashlib.sha256(theme.encode())
    _tree_digest(digest, [root / "content"], output.resolve(), files)
    return digest.hexdigest()


def _record_path(cache_dir: Path, output: Path) -> Path:
    tag = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16]
    return cache_dir / f"last-build-{tag}.json"


def _stamp(output: Path, path: str) -> tuple[int, int] | None:
    try:
        info = os.lstat(os.path.join(output, path))
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)


def output_stamps(output: Path, written: Iterable[str],
                  known: Mapping[str, tuple[int, int]] | None = None) -> dict[str, tuple[int, int]]:
    """(size, mtime) of each file a build just wrote, as `LastBuild.stamps` keeps them.
    `known`: stamps this build already read of files it kept as they were (`LastPages`
    checked each page it kept against its stamp), which are not read again: after an edit
    all but a few of the output's files (52,000 at 10,000 articles, 0.4 s)."""
    known = known or {}
    stamps = {path: known[path] if path in known else _stamp(output, path) for path in sorted(written)}
    return {path: stamp for path, stamp in stamps.items() if stamp is not None}


def save_last_build(cache_dir: Path, output: Path, build: LastBuild, written: WrittenFiles | None = None) -> None:
    """Record this build; a record that cannot be written only costs the next build time.
    `written`: a long-running process's, which keeps the record for its next build."""
    record = {
        "format": RECORD_FORMAT,
        "inputs": build.inputs,
        "stamps": dict(build.stamps),  # tuples, written as arrays (a list each: 0.15 s at 10,000 articles)
        "pages": dict(build.pages),
        "kept_foreign": list(build.kept_foreign),
        "theme": build.theme,
        "views": dict(build.views),
        "page_inputs": dict(build.page_inputs),
    }
    target = _record_path(cache_dir, output)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    if not write_whole(target, orjson.dumps(record, option=orjson.OPT_SORT_KEYS)):
        return
    if written is not None:
        written.wrote(target, build)


def records_path(cache_dir: Path, output: Path) -> Path:
    """Where the last build into `output` kept the digests of its site's records
    (`carried.save_records`): a file of its own, read only by a build after an edit, not
    by the up-to-date check (at 10,000 articles they are two thirds of 32 MB)."""
    return _record_path(cache_dir, output).with_suffix(".records.json")


def forget_last_build(cache_dir: Path, output: Path) -> None:
    """Drop the record before the output changes, so a build killed half way is not trusted."""
    _record_path(cache_dir, output).unlink(missing_ok=True)
    records_path(cache_dir, output).unlink(missing_ok=True)


def read_last_build(cache_dir: Path, output: Path, written: WrittenFiles | None = None) -> LastBuild | None:
    """The record of the last build into `output`, if there is a readable one; `written`,
    a long-running process's, holds the one it saved, which is not read again."""
    path = _record_path(cache_dir, output)
    return written.read(path, lambda: _read_record(path)) if written else _read_record(path)


def _read_record(path: Path) -> LastBuild | None:
    try:
        data = orjson.loads(path.read_bytes())
        if data.get("format") != RECORD_FORMAT:
            return None
        return LastBuild(
            inputs=str(data["inputs"]),
            stamps={str(p): (int(s[0]), int(s[1])) for p, s in data["stamps"].items()},
            pages={str(k): int(v) for k, v in data["pages"].items()},
            kept_foreign=tuple(str(p) for p in data["kept_foreign"]),
            theme=str(data["theme"]),
            views={str(p): str(d) for p, d in data["views"].items()},
            page_inputs={str(p): str(d) for p, d in data.get("page_inputs", {}).items()},
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def unchanged_since(last: LastBuild | None, output: Path, inputs: str) -> LastBuild | None:
    """The last build's record if its inputs were `inputs` and its output is untouched."""
    if last is None or last.inputs != inputs or not last.stamps:
        return None
    for path, stamp in last.stamps.items():
        if _stamp(output, path) != stamp:
            return None
    # Files put in the output since (a CNAME) are kept as a build keeps them, and reported.
    present = _files_under(output)
    foreign = tuple(sorted(set(present) - set(last.stamps)))
    return dataclasses.replace(last, kept_foreign=foreign)


class LastPages:
    """`render.PageReuse` from the last build's record: a page is the same as that build made
    it when its inputs or its view hash the same, the theme is the same and its file is
    still as that build wrote it."""

    def __init__(self, last: LastBuild, output: Path) -> None:
        self._last = last
        self._output = output

    def untouched(self, path: str) -> bool:
        return path in self._last.stamps and _stamp(self._output, path) == self._last.stamps[path]

    def same_view(self, path: str, view_digest: str) -> bool:
        return self._last.views.get(path) == view_digest and self.untouched(path)

    def view_of_same_inputs(self, path: str, inputs_digest: str) -> str | None:
        return self.views_of_same_inputs([(path, inputs_digest)])[0]

    def views_of_same_inputs(self, pages: Iterable[tuple[str, str | None]]) -> list[str | None]:
        # One loop, the lookups bound once: asked of every page after an edit (7,150 at
        # 1,000 articles), the calls of `view_of_same_inputs` were half of the 41 ms. The
        # stamp test is `untouched`'s, written out: calling it took 26 -> 33 ms.
        inputs_of, stamps, views = self._last.page_inputs, self._last.stamps, self._last.views
        lstat, folder = os.lstat, os.path.join(self._output, "")
        out: list[str | None] = []
        for path, digest in pages:
            view = None
            if digest is not None and inputs_of.get(path) == digest and path in stamps:
                try:
                    info = lstat(folder + path)
                except OSError:
                    info = None
                if info is not None and (info.st_size, info.st_mtime_ns) == stamps[path]:
                    view = views.get(path)
            out.append(view)
        return out


def page_reuse(last: LastBuild | None, output: Path, theme: str) -> LastPages | None:
    """What the last build into `output` made that this one may keep (None: render every
    page, as there is no last build or its theme was another)."""
    if last is None or last.theme != theme:
        return None
    return LastPages(last, output)

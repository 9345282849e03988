"""Rendered files to the output folder, atomically.

Everything is written to a staging folder beside the output, then swapped in with two
renames (Lektor's temp-then-`os.replace`, done for the whole tree), so a failed build leaves
the previous site exactly as it was. Files whose bytes did not change are hard-linked from
the previous output instead of rewritten, so their mtimes stay put and rsync deploys stay
quiet. Files in the output that sitegen did not write are carried over and reported, never
silently deleted.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sitegen.errors import SitegenError

MANIFEST = ".sitegen-manifest.json"


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file of the site, relative to the output folder, `/`-separated."""

    path: str
    content: bytes | None
    """None: the file the output already has at `path` is right as it is (an unchanged
    page); it is kept, not compared again."""


@dataclass(frozen=True, slots=True)
class WriteResult:
    changed: tuple[str, ...]
    """Files whose bytes differ from the previous build (or are new)."""
    removed: tuple[str, ...]
    """Files the previous build wrote that this one no longer does."""
    kept_foreign: tuple[str, ...]
    """Files sitegen never wrote, carried over into the new output."""
    files: tuple[str, ...] = ()
    """Every file of this build (written or kept as it was), the manifest included."""


def _previous_manifest(output: Path) -> set[str]:
    try:
        data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
        return {str(p) for p in data["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _all_files(folder: Path) -> list[str]:
    """Every file (or symlink) below `folder`, relative and `/`-separated, sorted.

    os.walk, not Path.rglob: a Path object per file cost a tenth of a second per thousand
    pages on every build."""
    if not folder.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        relative = os.path.relpath(dirpath, folder).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        found += [prefix + name for name in filenames]
        # A symlink to a folder is listed, not entered (rglob did not follow it either).
        found += [prefix + name for name in dirnames if os.path.islink(os.path.join(dirpath, name))]
    return sorted(found)


def _safe_parts(relative: str) -> tuple[str, ...]:
    """The parts of an output path, refusing any that would land outside the output folder.

    Checked on the text alone: the staging folder is new and holds only what this build
    put there, so no symlink inside it can lead out (resolving every path cost a second
    per thousand pages)."""
    parts = tuple(relative.split("/"))
    if relative.startswith("/") or "\\" in relative or "\0" in relative or any(p in ("", ".", "..") for p in parts):
        raise SitegenError.single(relative, None, "output path escapes the output folder",
                                  "this is a bug in sitegen or a theme; report it")
    return parts


class _Staging:
    """The folder a build writes into before it replaces the output."""

    def __init__(self, folder: Path, output: Path, existing: set[str]) -> None:
        self.folder = folder
        self.output = output
        self.existing = existing
        self._made: set[tuple[str, ...]] = set()

    def target(self, relative: str) -> Path:
        """Where `relative` goes in the staging folder, its parent folders made."""
        parts = _safe_parts(relative)
        parent = parts[:-1]
        if parent and parent not in self._made:
            self.folder.joinpath(*parent).mkdir(parents=True, exist_ok=True)
            self._made.update(parent[:n] for n in range(1, len(parent) + 1))
        return self.folder.joinpath(*parts)

    def put(self, item: OutputFile) -> bool:
        """Put one file in the staging folder: a hard link to the output's copy when it is
        kept or its bytes are the same (mtime kept), else written. True when written (its
        bytes changed)."""
        target = self.target(item.path)
        old = self.output / item.path
        if item.content is None:
            os.link(old, target)
            return False
        if item.path in self.existing and old.is_file() and not old.is_symlink() \
                and old.stat().st_size == len(item.content) and old.read_bytes() == item.content:
            os.link(old, target)
            return False
        target.write_bytes(item.content)
        return True


def write_output(files: Iterable[OutputFile], output: Path) -> WriteResult:
    """Replace `output` with exactly these files (plus foreign files found there).

    `files` is consumed once, each file written to the staging folder as it comes, so a
    build never holds the whole site in memory; if producing one fails, the staging folder
    is removed and the output is left as it was."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.with_name(f".{output.name}.staging")
    retired = output.with_name(f".{output.name}.old")
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    previous = _previous_manifest(output)
    existing = set(_all_files(output))
    ours: set[str] = set()
    changed = []
    try:
        staging.mkdir()
        stage = _Staging(staging, output, existing)
        for item in files:
            ours.add(item.path)
            if stage.put(item):
                changed.append(item.path)
        manifest = OutputFile(MANIFEST, (json.dumps({"files": sorted(ours)}, indent=0) + "\n").encode("utf-8"))
        stage.put(manifest)
        foreign = sorted(existing - ours - previous - {MANIFEST})
        for relative in foreign:
            target = stage.target(relative)
            source = output / relative
            if source.is_symlink():
                os.symlink(os.readlink(source), target)
            else:
                os.link(source, target)
        if output.exists():
            output.rename(retired)
        staging.rename(output)
    except BaseException:
        if retired.exists() and not output.exists():
            retired.rename(output)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    removed = sorted((previous & existing) - ours)
    return WriteResult(tuple(sorted(changed)), tuple(removed), tuple(foreign), tuple(sorted(ours | {MANIFEST})))

"""Rendered files to the output folder, atomically.

A build that changes many files writes everything to a staging folder beside the output,
then swaps it in with two renames (Lektor's temp-then-`os.replace`, done for the whole
tree), so a failed build leaves the previous site exactly as it was. Files whose bytes did
not change are hard-linked from the previous output instead of rewritten, so their mtimes
stay put and rsync deploys stay quiet. Files in the output that sitegen did not write are
carried over and reported, never silently deleted.

A rebuild that changes a few files (an edit: `IN_PLACE_FILES`) updates the output where it
is instead: each changed file is written beside its target as it comes (a hidden temporary
file), all are renamed over their targets once every page has rendered, and the files the
build no longer makes are removed. Relinking the unchanged pages into a new tree cost most
of a second at 1,000 articles and six at 10,000; a failed build still changes nothing (its
temporary files are deleted), and each file is replaced atomically.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sitegen.errors import SitegenError

MANIFEST = ".sitegen-manifest.json"


@dataclass(frozen=True, slots=True)
class Chunks:
    """A file's bytes as pieces written one after another, never joined. briefing.json is
    the lines of its records, which the build holds anyway (`export.py`): joined, they
    were a second copy of the file (157 MB at 10,000 articles), and comparing it with the
    last build's file read that whole file as a third."""

    parts: Sequence[bytes]
    size: int

    @classmethod
    def of(cls, parts: Sequence[bytes]) -> Chunks:
        return cls(parts, sum(map(len, parts)))

    def __len__(self) -> int:
        return self.size


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file of the site, relative to the output folder, `/`-separated."""

    path: str
    content: bytes | Chunks | None
    """None: the file the output already has at `path` is right as it is (an unchanged
    page); it is kept, not compared again."""


@dataclass(frozen=True, slots=True)
class KeptFiles:
    """Files the output already holds as this build would write them (pages kept from the
    last build, their files found untouched), taken as one list rather than as an
    `OutputFile` each: after an edit at 10,000 articles, 51,000 of 52,000 pages."""

    paths: Sequence[str]


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

    @classmethod
    def start(cls, folder: Path, output: Path, existing: set[str], held: _Held | None,
              changed: list[str]) -> _Staging:
        """The staging folder, made now, holding what `held` took so far (the files it
        wrote are added to `changed`)."""
        folder.mkdir()
        stage = cls(folder, output, existing)
        if held is not None:
            changed += held.replay(stage)
        return stage

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
        if _same_bytes(item, old, self.existing):
            os.link(old, target)
            return False
        _write_file(target, item.content)
        return True


def write_output(files: Iterable[OutputFile | KeptFiles], output: Path) -> WriteResult:
    """Replace `output` with exactly these files (plus foreign files found there).

    `files` is consumed once. While changed files are few (an edit), each is written beside
    its target as it comes and all are renamed into place at the end; once there are more,
    everything goes to the staging folder as it comes, so a build never holds the whole
    site in memory. If producing a file fails, the output is as it was: temporary files and
    any staging folder are removed."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.with_name(f".{output.name}.staging")
    retired = output.with_name(f".{output.name}.old")
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    previous = _previous_manifest(output)
    existing = set(_all_files(output))
    for stale in sorted(path for path in existing if path.endswith(TEMPORARY_SUFFIX)):
        (output / stale).unlink()  # from an in-place write cut off between its renames
        existing.discard(stale)
    ours: set[str] = set()
    changed: list[str] = []
    held = _Held(output, existing) if previous and output.is_dir() and not output.is_symlink() else None
    stage: _Staging | None = None
    try:
        for item in files:
            if isinstance(item, KeptFiles):
                for path in item.paths:
                    _safe_parts(path)  # listed in the manifest, which a later build removes files by
                ours.update(item.paths)
                if held is not None:
                    held.kept += item.paths
                    continue
                singles = [OutputFile(path, None) for path in item.paths]
            else:
                ours.add(item.path)
                if held is not None and held.take(item):
                    continue
                singles = [item]
            for single in singles:
                if stage is None:  # too much changed to update in place (or no sitegen output yet)
                    stage = _Staging.start(staging, output, existing, held, changed)
                    held = None
                if stage.put(single):
                    changed.append(single.path)
        manifest = OutputFile(MANIFEST, (json.dumps({"files": sorted(ours)}, indent=0) + "\n").encode("utf-8"))
        foreign = sorted(existing - ours - previous - {MANIFEST})
        _refuse_clashes(foreign, ours, output)
        removed = sorted((previous & existing) - ours)
        if held is not None and held.writable():
            changed += held.apply(manifest, removed)
            return WriteResult(tuple(sorted(changed)), tuple(removed), tuple(foreign), tuple(sorted(ours | {MANIFEST})))
        if stage is None:
            stage = _Staging.start(staging, output, existing, held, changed)
        stage.put(manifest)
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
        if held is not None:
            held.discard()
        if retired.exists() and not output.exists():
            retired.rename(output)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return WriteResult(tuple(sorted(changed)), tuple(removed), tuple(foreign), tuple(sorted(ours | {MANIFEST})))


TEMPORARY_SUFFIX = ".sitegen-new"
"""A changed file is written as `.NAME.sitegen-new` beside its target, then renamed over it;
one found at the start of a build was left by a write that was cut off, and is removed."""
IN_PLACE_FILES = 2000
"""Changed files written in place: at most this many, or half the files of the output if
that is more (an added article whose claims change the pages of thousands of articles at
10,000). Past it, the build writes a new tree (`_Staging`): linking every unchanged file
into it and deleting the old tree costs as much as writing in place once half the site
changes, and it swaps the whole site at once (a theme edit)."""
IN_PLACE_BYTES = 32 << 20
"""Changed files whose folder does not exist yet are held in memory until the end (a failed
build must not leave new empty folders), at most this many bytes of them."""


_FolderState = Literal["real", "absent", "blocked"]


@dataclass(frozen=True, slots=True)
class _Written:
    """A changed file already written beside its target, to be renamed over it."""

    path: str
    temporary: Path
    target: Path


class _Held:
    """The changed files of an in-place update: written beside their targets as they come
    (`_Written`), or held in memory while their folder does not exist; all are put in place
    at the end (`apply`), or handed to a staging folder (`replay`), or deleted (`discard`)."""

    def __init__(self, output: Path, existing: set[str]) -> None:
        self.output = output
        self.existing = existing
        self.kept: list[str] = []
        """Files that stay as they are (unchanged)."""
        self.written: list[_Written] = []
        self.in_memory: list[OutputFile] = []
        self.size = 0
        """Bytes held in memory."""
        self.limit = max(IN_PLACE_FILES, len(existing) // 2)
        self._folders: dict[str, _FolderState] = {}

    def take(self, item: OutputFile) -> bool:
        """Keep `item` for the update (or note that it is unchanged); False once too much has
        changed, when the caller moves everything to a staging folder."""
        parts = _safe_parts(item.path)
        if item.content is None:  # a page kept from the last build: no Path made (57,000 at 10,000)
            self.kept.append(item.path)
            return True
        old = self.output / item.path
        if _same_bytes(item, old, self.existing):
            self.kept.append(item.path)
            return True
        if len(self.written) + len(self.in_memory) >= self.limit:
            return False
        if self._folder("/".join(parts[:-1])) == "real" and not old.is_dir():
            self._write_beside(item.path, old, item.content)
            return True
        if self.size + len(item.content) > IN_PLACE_BYTES:
            return False
        self.in_memory.append(item)
        self.size += len(item.content)
        return True

    def _write_beside(self, path: str, target: Path, content: bytes | Chunks) -> None:
        """Write a changed file as `.NAME.sitegen-new` beside `target`, to be renamed over
        it at the end (or deleted by `discard`)."""
        temporary = target.with_name(f".{target.name}{TEMPORARY_SUFFIX}")
        self.written.append(_Written(path, temporary, target))
        _write_file(temporary, content)

    def _folder(self, relative: str) -> _FolderState:
        """What output/`relative` is to a file written in it: "real", a folder reached
        through no symlink; "absent", to be made, nothing in the way; "blocked", a symlink or
        a file on the way (a user's link to a folder elsewhere is followed by a write, never
        by the staging swap). Asked once per folder."""
        if relative not in self._folders:
            above: _FolderState = self._folder(relative.rpartition("/")[0]) if relative else "real"
            path = self.output / relative
            state: _FolderState
            if not relative or above != "real":
                state = above
            elif path.is_symlink() or (path.exists() and not path.is_dir()):
                state = "blocked"
            else:
                state = "real" if path.is_dir() else "absent"
            self._folders[relative] = state
        return self._folders[relative]

    def writable(self) -> bool:
        """Whether every file held in memory can be written without leaving the output."""
        return all(self._folder(item.path.rpartition("/")[0]) != "blocked" and not (self.output / item.path).is_dir()
                   for item in self.in_memory)

    def replay(self, stage: _Staging) -> list[str]:
        """Put everything seen so far in the staging folder; the files it wrote."""
        for path in self.kept:
            stage.put(OutputFile(path, None))
        moved = [done.path for done in self.written]
        for done in self.written:
            os.replace(done.temporary, stage.target(done.path))
        self.written = []
        return moved + [item.path for item in self.in_memory if stage.put(item)]

    def discard(self) -> None:
        """Delete the temporary files written so far (a build that failed)."""
        for done in self.written:
            done.temporary.unlink(missing_ok=True)
        self.written = []

    def apply(self, manifest: OutputFile, removed: list[str]) -> list[str]:
        """Write what is held in memory and the manifest beside their targets, rename every
        temporary file over its target and delete the removed files; the files written,
        the manifest aside."""
        writes = self.in_memory + ([] if _same_bytes(manifest, self.output / MANIFEST, self.existing) else [manifest])
        try:
            for item in writes:
                target = self.output / item.path
                target.parent.mkdir(parents=True, exist_ok=True)
                assert item.content is not None
                self._write_beside(item.path, target, item.content)
        except BaseException:
            self.discard()
            raise
        for done in self.written:
            os.replace(done.temporary, done.target)
        for path in removed:
            gone = self.output / path
            gone.unlink(missing_ok=True)
            _remove_empty_folders(gone.parent, self.output)
        return sorted({done.path for done in self.written} - {MANIFEST})


def _refuse_clashes(foreign: list[str], ours: set[str], output: Path) -> None:
    """A file or symlink the user put in the output where the build needs a folder (a link
    from public/articles to a folder elsewhere): an error, before anything is written
    through it or over it."""
    if not foreign:
        return
    folders = {"/".join(parts[:n]) for parts in (path.split("/") for path in ours) for n in range(1, len(parts))}
    clashes = [path for path in foreign if path in folders]
    if clashes:
        raise SitegenError.single(
            f"{output.name}/{clashes[0]}", None,
            "is a file or symlink where the build writes a folder of pages",
            f"move it out of {output.name}/ (the build writes pages inside {clashes[0]}/)")


def _same_bytes(item: OutputFile, old: Path, existing: set[str]) -> bool:
    """Whether the output already holds `item`'s bytes at its path (as a regular file)."""
    content = item.content
    assert content is not None
    if not (item.path in existing and old.is_file() and not old.is_symlink() and old.stat().st_size == len(content)):
        return False
    if isinstance(content, bytes):
        return old.read_bytes() == content
    with old.open("rb") as held:
        return all(held.read(len(block)) == block for block in _blocks(content.parts, COMPARE_BLOCK))


COMPARE_BLOCK = 1 << 20
"""Bytes of a file in `Chunks` compared with the old file at a time: a file of 250,000
lines is read in a few hundred calls, and never held whole."""


def _blocks(parts: Iterable[bytes], size: int) -> Iterator[bytes]:
    """`parts` joined into blocks of at least `size` bytes (but the last)."""
    pending: list[bytes] = []
    held = 0
    for part in parts:
        pending.append(part)
        held += len(part)
        if held >= size:
            yield b"".join(pending)
            pending, held = [], 0
    if pending:
        yield b"".join(pending)


def _write_file(path: Path, content: bytes | Chunks) -> None:
    """Write `content` to `path`, chunks one after another."""
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        with path.open("wb") as out:
            out.writelines(content.parts)


def _remove_empty_folders(folder: Path, output: Path) -> None:
    """Remove `folder` and its parents up to `output` while they are empty (a staged build
    would not have made them)."""
    while folder != output and folder.is_relative_to(output):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent

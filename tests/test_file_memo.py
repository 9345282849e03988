"""A warm process reads a file again only when its stat changed (`file_memo.py`), and never
misses an edit: not one that keeps the file's size and mtime, not one made just before the
read. It leaves the disk cache as a build from the command line would."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from sitegen.analyse.tags import CORPUS_LABEL
from sitegen.build import BuildOptions, build
from sitegen.cache import FILE_NAME, KEY_ENV
from sitegen.file_memo import RACY_NS, FileMemo, WrittenFiles, write_whole
from sitegen.runner import CACHE_DIR
from sitegen.uptodate import input_fingerprint, read_last_build
from sitegen.warm import WarmState

STORY = Path(__file__).parent / "stories" / "tags-port-strike"
HOUR_NS = 3600 * 1_000_000_000


def an_hour_later() -> int:
    """The clock of a memo read an hour after the files were written (their ctime, which
    user space cannot set back, is when they were)."""
    return time.time_ns() + HOUR_NS


class Reads:
    """A file's reader that counts its calls."""

    def __init__(self, path: Path) -> None:
        self.path, self.calls = path, 0

    def __call__(self) -> str:
        self.calls += 1
        return self.path.read_text(encoding="utf-8")


def _written(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _rewritten_keeping_size_and_mtime(path: Path, text: str) -> None:
    """What `cp -p` or a careful editor leaves: other bytes, same size and mtime."""
    before = path.stat()
    assert len(text.encode()) == before.st_size
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_a_file_unchanged_since_it_was_read_is_not_read_again(tmp_path: Path) -> None:
    path = _written(tmp_path / "a.md", "first text")
    memo, reads = FileMemo(an_hour_later), Reads(path)
    assert memo.text(str(path), reads) == "first text"
    assert memo.text(str(path), reads) == "first text"
    assert reads.calls == 1
    assert memo.digest(str(path)) == hashlib.sha256(b"first text").digest()


def test_a_file_rewritten_with_the_same_size_and_mtime_is_read_again(tmp_path: Path) -> None:
    """ctime, which user space cannot set back, gives the rewrite away."""
    path = _written(tmp_path / "a.md", "first text")
    memo, reads = FileMemo(an_hour_later), Reads(path)
    memo.text(str(path), reads)
    before = memo.digest(str(path))
    _rewritten_keeping_size_and_mtime(path, "other text")
    assert memo.text(str(path), reads) == "other text" and reads.calls == 2
    assert memo.digest(str(path)) == hashlib.sha256(b"other text").digest() != before


def test_a_file_changed_just_before_it_was_read_is_read_again(tmp_path: Path) -> None:
    """Within `RACY_NS` of a change, another write could leave the stat as it was."""
    path = tmp_path / "a.md"
    path.write_text("just written", encoding="utf-8")
    memo, reads = FileMemo(), Reads(path)
    memo.text(str(path), reads)
    memo.text(str(path), reads)
    assert reads.calls == 2
    old = time.time_ns() - RACY_NS - 1_000_000_000
    os.utime(path, ns=(old, old))  # the ctime is still now: the stat is still too recent
    memo.text(str(path), reads)
    memo.text(str(path), reads)
    assert reads.calls == 4


def test_forgotten_files_are_read_again(tmp_path: Path) -> None:
    kept, other = _written(tmp_path / "a.md", "a"), _written(tmp_path / "b.md", "b")
    memo, reads_kept, reads_other = FileMemo(an_hour_later), Reads(kept), Reads(other)
    memo.text(str(kept), reads_kept), memo.text(str(other), reads_other)
    memo.forget_all_but({str(kept)})
    memo.text(str(kept), reads_kept), memo.text(str(other), reads_other)
    assert (reads_kept.calls, reads_other.calls) == (1, 2)


def test_a_value_written_is_handed_back_until_the_file_is_replaced_or_removed(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_text("{}", encoding="utf-8")
    written, value = WrittenFiles(), {"kept": True}
    written.wrote(path, value)
    assert written.read(path, lambda: pytest.fail("read back")) is value
    temporary = tmp_path / "record.tmp"  # another build's record, renamed over it as sitegen saves one
    temporary.write_text("{}", encoding="utf-8")
    os.replace(temporary, path)
    assert written.read(path, lambda: "read") == "read"
    written.wrote(path, value)
    path.unlink()
    assert written.read(path, lambda: "read") == "read"


def test_the_fingerprint_is_the_same_with_a_memo_and_follows_every_change(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(STORY, root / "content" / "articles")
    memo = FileMemo(an_hour_later)
    first = input_fingerprint(root, "theme", root / "public", memo)
    assert first == input_fingerprint(root, "theme", root / "public") == input_fingerprint(
        root, "theme", root / "public", memo)
    article = sorted((root / "content" / "articles").glob("*.md"))[0]
    text = article.read_text(encoding="utf-8")
    _rewritten_keeping_size_and_mtime(article, text.replace("the", "THE", 1))
    second = input_fingerprint(root, "theme", root / "public", memo)
    assert second != first and second == input_fingerprint(root, "theme", root / "public")


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "user-cache" / "cache-key"))
    site = tmp_path / "site"
    shutil.copytree(STORY, site / "content" / "articles")
    (site / "content" / "briefing.yaml").write_text("title: Port strike\n", encoding="utf-8")
    return site


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_warm_process_sees_an_edit_that_keeps_the_size_and_mtime(root: Path) -> None:
    """The articles' texts and digests come from the memo while their files stay as they
    were; an edit the size and mtime do not show is built as a fresh build would."""
    warm = WarmState(files=FileMemo(an_hour_later))
    options = BuildOptions(root=root, output=root / "public", jobs=1, warm=warm)
    build(options)
    article = sorted((root / "content" / "articles").glob("*.md"))[0]
    text = article.read_text(encoding="utf-8")
    assert "strike" in text
    _rewritten_keeping_size_and_mtime(article, text.replace("strike", "STRIKE"))
    report = build(options)
    assert not report.up_to_date and report.changed
    untouched = sorted((root / "content" / "articles").glob("*.md"))[1]
    assert warm.files.text(str(untouched), lambda: pytest.fail("read again")) == untouched.read_text(encoding="utf-8")
    build(BuildOptions(root=root, output=root.parent / "fresh", jobs=1, use_cache=False))
    assert _tree(root / "public") == _tree(root.parent / "fresh")
    assert "STRIKE" in (root / "public" / "briefing.json").read_text(encoding="utf-8")


def test_a_warm_process_reads_the_record_another_build_wrote(root: Path) -> None:
    """The record of the last build a warm process saved is its own until a build from the
    command line writes another; the next warm build then reads that one."""
    warm = WarmState(files=FileMemo(an_hour_later))
    options = BuildOptions(root=root, output=root / "public", jobs=1, warm=warm)
    build(options)
    cache = root / CACHE_DIR
    kept = read_last_build(cache, root / "public", warm.written)
    assert kept is not None and kept is read_last_build(cache, root / "public", warm.written)
    article = sorted((root / "content" / "articles").glob("*.md"))[1]
    article.write_text(article.read_text(encoding="utf-8") + "\nThe talks went on late.\n", encoding="utf-8")
    build(BuildOptions(root=root, output=root / "public", jobs=1))  # the command line's build
    on_disk = read_last_build(cache, root / "public")
    assert on_disk is not None and on_disk.inputs != kept.inputs
    assert read_last_build(cache, root / "public", warm.written) == on_disk
    assert build(options).up_to_date  # by the record on disk: its own would have had it build again
    build(BuildOptions(root=root, output=root.parent / "fresh", jobs=1, use_cache=False))
    assert _tree(root / "public") == _tree(root.parent / "fresh")


def test_a_warm_process_leaves_the_cache_a_command_line_build_would(root: Path) -> None:
    """A warm process prunes the disk cache of what its last build left and this one did
    not use (`cache.DiskCache.prune`), here from the process forked to store the merged
    actors of an edit naming someone new: the same entries as a build from the command line
    after the same edits, but for the tags' corpus step tallies a build from the command
    line leaves for the next (a warm process keeps its own in memory)."""
    other = root.parent / "other"
    shutil.copytree(root, other)
    warm = WarmState()

    def keys(site: Path) -> set[str]:
        with sqlite3.connect(site / CACHE_DIR / FILE_NAME) as db:
            return {key for key, namespace in db.execute("SELECT key, ns FROM entries")
                    if not namespace.startswith(f"{CORPUS_LABEL}|")}

    for step in range(2):
        for site in (root, other):
            if step:
                article = sorted((site / "content" / "articles").glob("*.md"))[1]
                article.write_text(article.read_text(encoding="utf-8")
                                   + "\nHarbour master Ingrid Solberg met the union on Friday.\n", encoding="utf-8")
            build(BuildOptions(root=site, output=site / "public", jobs=2, warm=warm if site == root else None))
        assert keys(root) == keys(other)
    assert warm.cache_keys and set().union(*warm.cache_keys.values()) == keys(root)



def test_a_file_is_written_whole_or_not_at_all_and_nothing_is_left_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_bytes(b"old")
    assert write_whole(path, b"new") and path.read_bytes() == b"new"
    in_the_way = tmp_path / "in-the-way"
    in_the_way.mkdir()  # a folder where the file should go: the rename over it fails
    assert not write_whole(in_the_way, b"new")
    assert in_the_way.is_dir() and sorted(p.name for p in tmp_path.iterdir()) == ["in-the-way", "record.json"]

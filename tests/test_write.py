"""The output folder after a build: a few changed files written in place, many through a
staged tree swapped in; either way exactly the build's files plus the user's own."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from sitegen import write
from sitegen.errors import SitegenError
from sitegen.write import MANIFEST, KeptFiles, OutputFile, write_output


def site(pages: Mapping[str, bytes | None]) -> list[OutputFile]:
    return [OutputFile(path, content) for path, content in sorted(pages.items())]


def listing(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


FIRST = {"index.html": b"home", "articles/a.html": b"A", "articles/b.html": b"B", "tags/t.html": b"T"}


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "public"
    write_output(site(FIRST), folder)
    return folder


def test_an_edit_is_written_in_place_and_the_rest_is_left_alone(out: Path) -> None:
    folder_inode = out.stat().st_ino
    before = {p: (out / p).stat() for p in FIRST}
    # b changed, the tag page is gone, a new page came, a is passed as unchanged (None).
    result = write_output(site({"index.html": b"home", "articles/a.html": None, "articles/b.html": b"B2",
                                "articles/c.html": b"C"}), out)
    assert result.changed == ("articles/b.html", "articles/c.html")
    assert result.removed == ("tags/t.html",)
    assert out.stat().st_ino == folder_inode, "the output folder was replaced, not updated"
    for unchanged in ("index.html", "articles/a.html"):
        now = (out / unchanged).stat()
        assert (now.st_ino, now.st_mtime_ns) == (before[unchanged].st_ino, before[unchanged].st_mtime_ns)
    assert listing(out) == {"index.html": b"home", "articles/a.html": b"A", "articles/b.html": b"B2",
                            "articles/c.html": b"C", MANIFEST: (out / MANIFEST).read_bytes()}
    assert not (out / "tags").exists(), "a folder the build no longer writes into is left empty"
    assert b"articles/c.html" in (out / MANIFEST).read_bytes()
    assert sorted(p.name for p in out.parent.iterdir()) == ["public"]  # no staging, no temporary files


def test_many_changes_go_through_a_staged_tree(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write, "IN_PLACE_FILES", 2)
    folder_inode = out.stat().st_ino
    index_inode = (out / "index.html").stat().st_ino
    pages = {"index.html": b"home", **{f"articles/{k}.html": k.encode() * 3 for k in "abcde"}}
    result = write_output(site(pages), out)
    assert out.stat().st_ino != folder_inode, "expected the staged swap"
    assert (out / "index.html").stat().st_ino == index_inode, "an unchanged page is linked, not rewritten"
    assert result.changed == tuple(f"articles/{k}.html" for k in "abcde")
    assert {k: v for k, v in listing(out).items() if k != MANIFEST} == pages
    assert sorted(p.name for p in out.parent.iterdir()) == ["public"]


@pytest.mark.parametrize(("staged", "kept_first"), [(False, True), (True, True), (True, False)])
def test_files_kept_as_one_list_are_kept_as_files_passed_one_by_one(
        out: Path, monkeypatch: pytest.MonkeyPatch, staged: bool, kept_first: bool) -> None:
    """Unchanged pages handed over as one `KeptFiles` are left as they are (in place) or
    linked into the staged tree (whether they come before it begins or after), listed in
    the manifest and never removed; either way, the output is what passing each as an
    `OutputFile` without bytes gives."""
    if staged:
        monkeypatch.setattr(write, "IN_PLACE_FILES", 1)  # past two changed files (half the output)
    kept = ["articles/a.html", "index.html"]
    before = {p: (out / p).stat() for p in kept}
    changed = [OutputFile(f"articles/{k}.html", k.encode() * 2) for k in "bcd"]
    folder = out.stat().st_ino
    files: list[OutputFile | KeptFiles] = [KeptFiles(kept), *changed] if kept_first else [*changed, KeptFiles(kept)]
    result = write_output(files, out)
    assert (out.stat().st_ino != folder) is staged
    assert result.changed == ("articles/b.html", "articles/c.html", "articles/d.html")
    assert result.removed == ("tags/t.html",)
    for path in kept:
        now = (out / path).stat()
        assert (now.st_ino, now.st_mtime_ns) == (before[path].st_ino, before[path].st_mtime_ns)
    again = out.parent / "again"
    write_output(site(FIRST), again)
    write_output([*changed, *(OutputFile(path, None) for path in kept)], again)
    assert listing(out) == listing(again)
    assert result.files == tuple(sorted([*kept, *(f.path for f in changed), MANIFEST]))


def test_a_large_changed_file_is_still_written_in_place(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Changed files go to disk beside their targets as they come, so size does not force the
    # staged tree (at 10,000 articles briefing.json alone is 168 MB, over any memory budget).
    monkeypatch.setattr(write, "IN_PLACE_BYTES", 4)
    folder_inode = out.stat().st_ino
    index_inode = (out / "index.html").stat().st_ino
    result = write_output(site({**FIRST, "articles/b.html": b"B" * 100, "index.html": b"home" * 50}), out)
    assert out.stat().st_ino == folder_inode, "the output folder was replaced, not updated"
    assert (out / "index.html").stat().st_ino != index_inode, "the page was not replaced by a rename"
    assert result.changed == ("articles/b.html", "index.html")
    assert listing(out) == {**FIRST, "articles/b.html": b"B" * 100, "index.html": b"home" * 50,
                            MANIFEST: (out / MANIFEST).read_bytes()}


def test_a_new_folder_is_made_only_once_every_page_has_rendered(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A page in a folder the output does not have yet is held in memory, not written: a build
    # that fails after it must not leave a new empty folder behind.
    def pages() -> Iterator[OutputFile]:
        yield OutputFile("articles/b.html", b"B2")
        yield OutputFile("claims/c-1.html", b"claim")
        raise SitegenError.single("themes/default/templates/tag.html", 1, "template error")

    before = listing(out)
    with pytest.raises(SitegenError):
        write_output(pages(), out)
    assert listing(out) == before and not (out / "claims").exists()
    result = write_output(site({**FIRST, "claims/c-1.html": b"claim"}), out)
    assert result.changed == ("claims/c-1.html",) and (out / "claims" / "c-1.html").read_bytes() == b"claim"
    # Past the memory budget such a page sends the build through the staged tree instead.
    monkeypatch.setattr(write, "IN_PLACE_BYTES", 4)
    folder_inode = out.stat().st_ino
    result = write_output(site({**FIRST, "claims/c-1.html": b"claim", "more/m.html": b"m" * 10}), out)
    assert out.stat().st_ino != folder_inode and result.changed == ("more/m.html",)
    assert (out / "more" / "m.html").read_bytes() == b"m" * 10


def test_a_failure_while_pages_are_produced_writes_nothing(out: Path) -> None:
    before = listing(out)

    def pages() -> Iterator[OutputFile]:
        yield OutputFile("articles/b.html", b"half")
        raise SitegenError.single("themes/default/templates/tag.html", 1, "template error")

    with pytest.raises(SitegenError):
        write_output(pages(), out)
    assert listing(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["public"]


def test_user_files_are_kept_in_place(out: Path) -> None:
    (out / "CNAME").write_bytes(b"briefing.example.org\n")
    result = write_output(site({**FIRST, "articles/b.html": b"B2"}), out)
    assert result.kept_foreign == ("CNAME",)
    assert (out / "CNAME").read_bytes() == b"briefing.example.org\n"


def test_a_link_where_pages_go_is_refused_and_nothing_is_written_through_it(out: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for page in (out / "articles").iterdir():
        page.unlink()
    (out / "articles").rmdir()
    os.symlink(elsewhere, out / "articles")
    with pytest.raises(SitegenError) as raised:
        write_output(site({**FIRST, "articles/b.html": b"B2"}), out)
    (problem,) = raised.value.problems
    assert problem.path == "public/articles" and "symlink" in problem.message
    assert list(elsewhere.iterdir()) == []
    assert (out / "articles").is_symlink()


def test_a_temporary_file_left_by_a_cut_off_write_is_cleaned_up_not_kept(out: Path) -> None:
    (out / "articles" / f".b.html{write.TEMPORARY_SUFFIX}").write_bytes(b"half")
    result = write_output(site({**FIRST, "articles/a.html": b"A2"}), out)
    assert result.kept_foreign == ()
    assert not (out / "articles" / f".b.html{write.TEMPORARY_SUFFIX}").exists()
    assert (out / "articles" / "a.html").read_bytes() == b"A2"


def test_a_file_in_chunks_is_written_whole_and_compared_without_being_joined(
        out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # briefing.json comes as its records' lines (write.Chunks), compared with the last
    # build's file a block at a time: blocks of 5 bytes here, so the file takes three.
    monkeypatch.setattr(write, "COMPARE_BLOCK", 5)
    lines = [b"{\n", b'"a":1', b",\n", b'"b":2', b"\n}\n"]
    first = write_output([OutputFile("data.json", write.Chunks.of(lines))], out)
    assert (out / "data.json").read_bytes() == b"".join(lines) and first.changed == ("data.json",)
    before = (out / "data.json").stat()
    again = write_output([OutputFile("data.json", write.Chunks.of(list(lines)))], out)
    now = (out / "data.json").stat()
    assert again.changed == () and (now.st_ino, now.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    same_size = [*lines[:3], b'"b":3', *lines[4:]]  # the last block differs, the size does not
    changed = write_output([OutputFile("data.json", write.Chunks.of(same_size))], out)
    assert changed.changed == ("data.json",) and (out / "data.json").read_bytes() == b"".join(same_size)

"""The code's fingerprint remembered while its files and the installed distributions are as
they were (`code_identity.py`, `cache.code_fingerprint`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen.cache import FINGERPRINT_MEMO, KEY_ENV, _hashed, _is_code
from sitegen.code_identity import KEPT, remembered_digest
from sitegen.file_memo import RACY_NS


def later() -> int:
    """A clock ahead of the files a test has just written, which the real one finds fresh."""
    return time.time_ns() + 2 * RACY_NS


class Made:
    """`make` for `remembered_digest`: a digest of the files' bytes, counting the calls."""

    def __init__(self, files: list[Path]) -> None:
        self.files = files
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return "|".join(f.read_text(encoding="utf-8") for f in self.files)


@pytest.fixture
def code(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "package"
    folder.mkdir()
    files = [folder / "a.py", folder / "b.py"]
    for f in files:
        f.write_text(f"# {f.name}\n", encoding="utf-8")
    return files


def test_the_digest_is_read_back_until_a_file_changes(tmp_path: Path, code: list[Path]) -> None:
    memo = tmp_path / "memo" / "fingerprint.json"
    make = Made(code)
    assert remembered_digest(memo, code, make, later) == "# a.py\n|# b.py\n"
    assert remembered_digest(memo, code, make, later) == "# a.py\n|# b.py\n"
    assert make.calls == 1
    code[1].write_text("# b.py, edited\n", encoding="utf-8")
    assert remembered_digest(memo, code, make, later) == "# a.py\n|# b.py, edited\n"
    assert make.calls == 2
    assert remembered_digest(memo, code[:1], make, later) == "# a.py\n|# b.py, edited\n" and make.calls == 3


def test_a_distribution_installed_or_upgraded_makes_it_again(
        tmp_path: Path, code: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    site_packages = tmp_path / "site-packages"
    site_packages.mkdir()
    monkeypatch.setattr(sys, "path", [*sys.path, str(site_packages)])
    memo = tmp_path / "fingerprint.json"
    make = Made(code)
    remembered_digest(memo, code, make, later)
    (site_packages / "somelib-1.0.dist-info").mkdir()
    remembered_digest(memo, code, make, later)
    (site_packages / "somelib-1.0.dist-info").rename(site_packages / "somelib-1.1.dist-info")
    remembered_digest(memo, code, make, later)
    remembered_digest(memo, code, make, later)
    assert make.calls == 3
    reinstalled = site_packages / "somelib-1.1.dist-info"
    before = reinstalled.stat().st_mtime_ns
    reinstalled.rmdir()  # the same name, made anew by a later install
    reinstalled.mkdir()
    os.utime(reinstalled, ns=(before + 10**9, before + 10**9))
    remembered_digest(memo, code, make, later)
    assert make.calls == 4


def test_files_changed_just_now_are_not_trusted_to_their_stat(tmp_path: Path, code: list[Path]) -> None:
    memo = tmp_path / "fingerprint.json"
    make = Made(code)
    remembered_digest(memo, code, make)  # the real clock: the files were written a moment ago
    remembered_digest(memo, code, make)
    assert make.calls == 2 and not memo.exists()


def test_a_memo_that_cannot_be_read_or_written_only_costs_the_digest(tmp_path: Path, code: list[Path]) -> None:
    memo = tmp_path / "fingerprint.json"
    memo.write_text("{not json", encoding="utf-8")
    make = Made(code)
    assert remembered_digest(memo, code, make, later) == "# a.py\n|# b.py\n"
    assert remembered_digest(memo, code, make, later) == "# a.py\n|# b.py\n" and make.calls == 1
    memo.write_text(json.dumps(["a list"]), encoding="utf-8")
    assert remembered_digest(memo, code, make, later) == "# a.py\n|# b.py\n" and make.calls == 2
    blocked = tmp_path / "a-file" / "fingerprint.json"  # its folder cannot be made
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    assert remembered_digest(blocked, code, make, later) == "# a.py\n|# b.py\n" and make.calls == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "fingerprint.json", "package"]


def test_several_checkouts_are_remembered_side_by_side(tmp_path: Path, code: list[Path]) -> None:
    memo = tmp_path / "fingerprint.json"
    make = Made(code)
    checkouts = [code[:1], code, code[1:]]
    for files in checkouts * 2:
        remembered_digest(memo, files, make, later)
    assert make.calls == 3
    others = []
    for n in range(KEPT):
        other = tmp_path / f"other-{n}.py"
        other.write_text(f"# {n}\n", encoding="utf-8")
        others.append(other)
        remembered_digest(memo, [other], make, later)
    assert len(json.loads(memo.read_text(encoding="utf-8"))) == KEPT
    remembered_digest(memo, code, make, later)  # the oldest: let go
    assert make.calls == 3 + KEPT + 1


def test_a_build_process_reads_the_fingerprint_back_without_asking_for_versions(tmp_path: Path) -> None:
    """The real thing: a fresh process after another finds `code_fingerprint` remembered,
    equal to the one made by hashing, and does not import importlib.metadata for it."""
    env = {**os.environ, KEY_ENV: str(tmp_path / "user-cache" / "cache-key")}
    script = ("import sys; from sitegen.cache import code_fingerprint; "
              "print(code_fingerprint(), 'importlib.metadata' in sys.modules)")

    def run() -> list[str]:
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        return done.stdout.split()

    made, asked = run()
    if not (tmp_path / "user-cache" / FINGERPRINT_MEMO).exists():  # sitegen's files were written just now
        time.sleep(RACY_NS / 1e9)
        made, asked = run()
    assert asked == "True"
    assert run() == [made, "False"]
    import sitegen

    package = Path(sitegen.__file__).parent
    files = [p for p in sorted(package.rglob("*")) if p.is_file() and _is_code(p.relative_to(package))]
    assert made == _hashed(package, files)

"""Shared fixtures: run the real CLI on real content folders."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser import CHROMIUM, launch

from sitegen.cli import main

TESTS = Path(__file__).parent
SITES = TESTS / "sites"
REPO = TESTS.parent


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def sitegen(capsys: pytest.CaptureFixture[str]):
    """Call `sitegen ARGS…` in-process and capture what it prints."""

    def run(*args: str | Path) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def site_copy(tmp_path: Path):
    """A fresh copy of a site under tests/sites (or the repo itself for "repo")."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        if name == "repo":
            target.mkdir()
            shutil.copytree(REPO / "content", target / "content")
        else:
            shutil.copytree(SITES / name, target)
        return target

    return copy


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by playwright (no browser download is possible here)."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian chromium at /usr/bin/chromium (bash ../shared/tools/setup.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()

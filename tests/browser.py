"""The one headless Chromium setup shared by the browser tests, the serve benchmark and the
screenshot script: Debian's Chromium driven by playwright (no browser download is possible here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
"""Headless, in a container without a sandbox or GPU, and quiet: no background network traffic."""


def launch(playwright: Any) -> Any:
    """A browser from `sync_playwright()`'s playwright."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

"""Screenshots of a built briefing in headless Chromium, at desktop and phone widths.

    .venv/bin/python scripts/screenshots.py public /tmp/shots

Takes the overview, the most-mentioned actor's page, the claims page and the biggest tag's
page, each opened from disk (file://), as a reader would after `sitegen build`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the shared Chromium setup
from browser import launch

VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


def pages_to_shoot(public: Path) -> dict[str, str]:
    data = json.loads((public / "briefing.json").read_text(encoding="utf-8"))
    pages = {"index": "index.html", "claims": "claims.html"}
    if data["actors"]:
        pages["actor"] = max(data["actors"], key=lambda a: len(a["mentions"]))["page"]
    if data["tags"]:
        pages["tag"] = max(data["tags"], key=lambda t: len(t["articles"]))["page"]
    if data["articles"]:
        pages["article"] = data["articles"][0]["page"]
    return pages


def main(argv: list[str]) -> int:
    public, shots = Path(argv[0]).resolve(), Path(argv[1] if len(argv) > 1 else "/tmp/sitegen-shots")
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for device, (width, height) in VIEWPORTS.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            for name, path in pages_to_shoot(public).items():
                page.goto((public / path).as_uri())
                target = shots / f"{name}-{device}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            page.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

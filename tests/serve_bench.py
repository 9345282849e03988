"""Time from a saved edit to the reloaded page in headless Chromium, on any site folder.

    .venv/bin/python tests/serve_bench.py SITE_ROOT [--runs 5]

Copies nothing: it edits the first article of SITE_ROOT/content/articles (appending then
removing a marker sentence, so the file ends as it began) while `sitegen serve` runs in-process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import launch
from playwright.sync_api import sync_playwright
from serve_support import serving_site


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for a reload")
    args = parser.parse_args()
    root: Path = args.root
    source = sorted((root / "content" / "articles").glob("*.md"))[0]
    original = source.read_text(encoding="utf-8")
    started = time.monotonic()
    seconds: list[float] = []
    with serving_site(root) as preview:
        print(f"first build and start: {time.monotonic() - started:.2f} s", flush=True)
        data = json.loads((root / "public" / "briefing.json").read_text(encoding="utf-8"))
        shown = source.relative_to(root).as_posix()
        page_path = next(a["page"] for a in data["articles"] if a["source_file"] == shown)
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page()
            page.goto(preview.url + page_path)
            page.wait_for_function("window.sitegenPreview === 'open'", timeout=60_000)
            page.set_default_timeout(args.timeout * 1000)
            try:
                for run in range(args.runs):
                    marker = f"Benchmark marker sentence number {run} was added."
                    generation = preview.server.state.generation
                    saved = time.monotonic()
                    source.write_text(original.rstrip("\n") + f"\n\n{marker}\n", encoding="utf-8")
                    page.wait_for_function(
                        f"document.body && document.body.innerText.includes({marker!r})",
                        timeout=args.timeout * 1000,
                    )
                    seconds.append(time.monotonic() - saved)
                    state = preview.server.state
                    while state.generation == generation:
                        time.sleep(0.01)
                    print(f"run {run + 1}: saved edit to reloaded page {seconds[-1]:.2f} s",
                          flush=True)
                    source.write_text(original, encoding="utf-8")
                    page.wait_for_function(
                        f"!document.body.innerText.includes({marker!r})", timeout=args.timeout * 1000
                    )
            finally:
                source.write_text(original, encoding="utf-8")
                browser.close()
    print(
        f"saved edit -> reloaded page over {len(seconds)} runs: median "
        f"{statistics.median(seconds):.2f} s, min {min(seconds):.2f} s, max {max(seconds):.2f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

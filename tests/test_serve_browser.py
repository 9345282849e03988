"""The injected script in a real browser: headless Debian Chromium driven by playwright.

First on a hand-made output folder whose builds the test announces itself (so each client
behaviour is checked alone), then end to end: an open page reloads by itself after an edit.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_support import WAIT, article, serving_folder, serving_site, write_site

from sitegen.preview import BuildState

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian chromium at /usr/bin/chromium (bash /work/shared/tools/setup.sh)",
)
TIMEOUT_MS = int(WAIT * 1000)

PAGE = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
    '<link rel="stylesheet" href="{css}"></head><body><h1>{title}</h1></body></html>\n'
)


@pytest.fixture
def page(chromium: object) -> Iterator[object]:
    """A fresh browser context per test, in the session's Chromium (tests/conftest.py)."""
    context = chromium.new_context()  # type: ignore[attr-defined]
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "public"
    (out / "articles").mkdir(parents=True)
    (out / "index.html").write_text(PAGE.format(title="Home", css="style.css"))
    (out / "articles" / "tide.html").write_text(PAGE.format(title="Tide", css="../style.css"))
    (out / "style.css").write_text("h1 { color: rgb(0, 0, 0); }\n")
    return out


def mark(page: object) -> None:
    """A value that lives only as long as this document: gone after a reload."""
    page.evaluate("window.__kept = true")  # type: ignore[attr-defined]


def kept(page: object) -> bool:
    return bool(page.evaluate("window.__kept === true"))  # type: ignore[attr-defined]


def wait_js(page: object, expression: str) -> None:
    page.wait_for_function(expression, timeout=TIMEOUT_MS)  # type: ignore[attr-defined]


def connected(page: object) -> None:
    """Wait until the page's EventSource is open, so the next build reaches it live."""
    wait_js(page, "window.sitegenPreview === 'open'")


def test_page_reloads_when_its_own_file_changed_and_not_otherwise(
    folder: Path, page: object
) -> None:
    state = BuildState()
    with serving_folder(folder, state=state) as server:
        page.goto(f"{server.url}articles/tide.html")  # type: ignore[attr-defined]
        connected(page)
        mark(page)
        state.record(["index.html"], [])
        time.sleep(1.0)
        assert kept(page), "a build that changed another page reloaded this one"

        (folder / "articles" / "tide.html").write_text(PAGE.format(title="Ebb", css="../style.css"))
        state.record(["articles/tide.html"], [])
        wait_js(page, "document.querySelector('h1')?.textContent === 'Ebb'")
        assert not kept(page)


def test_css_change_swaps_the_stylesheet_without_a_reload(folder: Path, page: object) -> None:
    state = BuildState()
    with serving_folder(folder, state=state) as server:
        page.goto(f"{server.url}articles/tide.html")  # type: ignore[attr-defined]
        connected(page)
        mark(page)
        (folder / "style.css").write_text("h1 { color: rgb(200, 10, 20); }\n")
        state.record(["style.css"], [])
        wait_js(page, "getComputedStyle(document.querySelector('h1')).color"
                      " === 'rgb(200, 10, 20)'")
        assert kept(page)
        assert page.evaluate(  # type: ignore[attr-defined]
            "document.querySelectorAll('link[rel=stylesheet]').length") == 1


def test_failed_build_shows_escaped_overlay_and_fix_clears_it(folder: Path, page: object) -> None:
    state = BuildState()
    problem = "content/articles/tide.md:3: title <img src=x onerror=alert(1)> is not closed"
    with serving_folder(folder, state=state) as server:
        page.goto(f"{server.url}articles/tide.html")  # type: ignore[attr-defined]
        connected(page)
        mark(page)
        state.record([], [problem])
        wait_js(page, "document.getElementById('sitegen-overlay') !== null")
        text = page.inner_text("#sitegen-overlay pre")  # type: ignore[attr-defined]
        assert text == problem
        assert page.evaluate("document.querySelectorAll('#sitegen-overlay img').length") == 0  # type: ignore[attr-defined]
        state.record([], [])
        wait_js(page, "document.getElementById('sitegen-overlay') === null")
        assert kept(page)


ESTUARY = article(
    "Estuary Survey Published",
    "Surveyors mapped the estuary channels over three summers.",
    "The report says the main channel has moved east by forty metres.",
)


def test_open_page_reloads_by_itself_after_an_edit(tmp_path: Path, page: object) -> None:
    root = tmp_path / "site"
    write_site(root, {"estuary-survey": ESTUARY})
    source = root / "content" / "articles" / "estuary-survey.md"
    with serving_site(root) as preview:
        state = preview.server.state
        url = f"{preview.url}{_page_of(root)}"
        page.goto(url)  # type: ignore[attr-defined]
        connected(page)
        mark(page)
        assert "forty metres" in page.inner_text("body")  # type: ignore[attr-defined]
        before = state.generation
        saved = time.monotonic()
        source.write_text(ESTUARY.replace("forty metres", "sixty metres"), encoding="utf-8")
        wait_js(page, "document.body.innerText.includes('sixty metres')")
        seconds = time.monotonic() - saved
        assert not kept(page)
        assert state.generation > before
        print(f"saved edit to reloaded page: {seconds:.2f} s")

        source.write_text("---\ntitle: [Estuary\n---\n\nBroken.\n", encoding="utf-8")
        wait_js(page, "document.getElementById('sitegen-overlay') !== null")
        assert "content/articles/estuary-survey.md:" in page.inner_text("#sitegen-overlay")  # type: ignore[attr-defined]
        assert "sixty metres" in page.inner_text("body")  # type: ignore[attr-defined]


def _page_of(root: Path) -> str:
    import json

    data = json.loads((root / "public" / "briefing.json").read_text(encoding="utf-8"))
    return str(data["articles"][0]["page"])

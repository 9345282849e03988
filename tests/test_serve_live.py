"""`sitegen serve` end to end: real builds of a small site, real watching, real HTTP."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from serve_support import (
    WAIT,
    EventStream,
    article,
    get,
    port_of,
    serving_site,
    wait_for,
    write_site,
)

from sitegen import finishing

REPO = Path(__file__).resolve().parent.parent

FERRY = article(
    "Ferry Strike Ends",
    "Crews on the island ferries returned to work on Tuesday after a nine-day strike.",
    "The union said the agreement covers pay and rest periods for night crossings.",
    "Passengers queued at the harbour before dawn for the first sailing.",
)
ORCHARD = article(
    "Late Frost Hits Orchards",
    "Growers in the valley lost part of the apricot harvest to a late frost.",
    "Insurers expect claims to rise sharply before the end of the season.",
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    write_site(site, {"ferry-strike-ends": FERRY, "late-frost": ORCHARD})
    return site


def article_page(root: Path, title: str) -> str:
    """The output path of an article, read from briefing.json (the build decides it)."""
    data = json.loads((root / "public" / "briefing.json").read_text(encoding="utf-8"))
    return next(a["page"] for a in data["articles"] if a["title"] == title)


def body_text(html: str) -> str:
    """The article text a reader sees: mention and tag links split the HTML, not the text."""
    body = HTMLParser(html).css_first(".article-body")
    return body.text() if body is not None else ""


def texts(html: str, selector: str) -> list[str]:
    return [node.text(strip=True) for node in HTMLParser(html).css(selector)]


def since_of(html: str) -> str:
    script = HTMLParser(html).css_first("script[data-since]")
    assert script is not None
    return script.attributes["data-since"] or ""


def save(path: Path, text: str) -> None:
    """Write as an editor does: the whole file at once."""
    path.write_text(text, encoding="utf-8")


def test_edit_rebuilds_and_only_the_changed_page_is_reported(root: Path) -> None:
    with serving_site(root) as preview:
        port = port_of(preview.server)
        ferry = article_page(root, "Ferry Strike Ends")
        frost = article_page(root, "Late Frost Hits Orchards")
        first = get(port, f"/{ferry}")
        assert first.status == 200
        assert "nine-day strike" in body_text(first.text)
        stream = EventStream(port, "/", since_of(first.text))
        try:
            save(root / "content" / "articles" / "ferry-strike-ends.md",
                 FERRY.replace("nine-day strike", "ten-day walkout"))
            _, event = stream.next_build()
        finally:
            stream.close()
        assert event["problems"] == []
        assert ferry in event["changed"]
        assert frost not in event["changed"]
        assert "ten-day walkout" in body_text(get(port, f"/{ferry}").text)


def test_broken_file_shows_overlay_keeps_last_good_site_and_fix_clears_it(root: Path) -> None:
    source = root / "content" / "articles" / "late-frost.md"
    with serving_site(root) as preview:
        port = port_of(preview.server)
        frost = article_page(root, "Late Frost Hits Orchards")
        good = get(port, f"/{frost}").text
        stream = EventStream(port, "/", since_of(good))
        try:
            save(source, "---\ntitle: [Late <b>Frost</b>\n---\n\nGrowers lost <i>a lot</i>.\n")
            _, broken = stream.next_build()
            problems = broken["problems"]
            assert isinstance(problems, list) and problems
            assert all(re.match(r"content/articles/late-frost\.md:\d+: ", p) for p in problems)

            page = get(port, f"/{frost}")
            assert page.status == 200
            overlay = HTMLParser(page.text).css_first("#sitegen-overlay pre")
            assert overlay is not None
            assert overlay.text() == "\n".join(problems)
            # The last good page is still what is served, under the overlay.
            assert texts(page.text, "h1") == texts(good, "h1")
            assert "<b>Frost</b>" not in page.text

            save(source, ORCHARD.replace("apricot", "cherry"))
            _, fixed = stream.next_build()
        finally:
            stream.close()
        assert fixed["problems"] == []
        assert frost in fixed["changed"]
        page = get(port, f"/{frost}").text
        assert HTMLParser(page).css_first("#sitegen-overlay") is None
        assert "cherry harvest" in body_text(page)


def test_burst_of_saves_is_built_once_or_twice_not_per_save(root: Path) -> None:
    source = root / "content" / "articles" / "ferry-strike-ends.md"
    with serving_site(root) as preview:
        state = preview.server.state
        before = state.generation
        for n in range(10):
            save(source, FERRY.replace("nine-day", f"{n}-day"))
            time.sleep(0.005)
        page = "/" + article_page(root, "Ferry Strike Ends")
        wait_for(lambda: "9-day strike" in body_text(get(port_of(preview.server), page).text),
                 lambda: f"the last save to be built (generation {state.generation - before} "
                         f"builds later, problems {state.problems}, file {source.read_text()!r})")
        time.sleep(0.5)
        # watchfiles groups saves until 50 ms pass without one; a save during a build gives
        # at most one more build.
        assert 1 <= state.generation - before <= 3


def test_output_on_disk_never_gets_the_reload_script(root: Path) -> None:
    with serving_site(root) as preview:
        get(port_of(preview.server), "/")
        save(root / "content" / "articles" / "late-frost.md", ORCHARD.replace("valley", "basin"))
        wait_for(lambda: "basin" in body_text(get(port_of(preview.server), "/" + article_page(
            root, "Late Frost Hits Orchards")).text), "the rebuilt page")
    for page in (root / "public").rglob("*.html"):
        assert b"__sitegen__" not in page.read_bytes(), page


def test_base_path_serves_the_built_site_under_it(root: Path) -> None:
    with serving_site(root, base="/briefing/", watch=False) as preview:
        port = port_of(preview.server)
        assert preview.url.endswith("/briefing/")
        home = get(port, "/briefing/")
        assert home.status == 200
        ferry = article_page(root, "Ferry Strike Ends")
        assert get(port, f"/briefing/{ferry}").status == 200
        assert get(port, f"/{ferry}").status == 404
        assert get(port, "/").status == 404
        # Every link of the home page, followed as a browser would, stays under the base path.
        for href in {a.attributes["href"] or "" for a in HTMLParser(home.text).css("a[href]")}:
            if href.startswith(("http:", "https:", "mailto:", "#")):
                continue
            target = "/briefing/" + href.split("#")[0]
            assert get(port, target).status == 200, href


def _as_in_a_terminal() -> None:
    """Ctrl-C reaches a process run in a terminal; a shell starts background jobs (a CI
    runner started with `&`) with SIGINT ignored, and their children keep that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_cli(root: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--root", str(root), "--port", "0", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, preexec_fn=_as_in_a_terminal,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        match = re.search(r"at (http://127\.0\.0\.1:\d+/\S*)", line)
        if match:
            return process, match.group(1)
    process.kill()
    raise AssertionError(f"no URL printed; stderr: {process.communicate()[1]}")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_cli_prints_url_on_loopback_and_stops_cleanly(root: Path, stop: signal.Signals) -> None:
    process, url = _start_cli(root)
    try:
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        assert get(port, "/").status == 200
        process.send_signal(stop)
        code = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert code == 0
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(".public")]
    assert leftovers == []


def test_theme_created_while_serving_is_watched_and_css_alone_changes(root: Path) -> None:
    builtin = REPO / "sitegen" / "theme" / "static" / "style.css"
    with serving_site(root) as preview:
        port = port_of(preview.server)
        stream = EventStream(port, "/", since_of(get(port, "/").text))
        try:
            static = root / "themes" / "default" / "static"
            static.mkdir(parents=True)
            time.sleep(0.3)  # the new folder is picked up by the deep watcher
            save(static / "style.css", builtin.read_text(encoding="utf-8") + "\nh1 { color: teal; }\n")
            deadline = time.monotonic() + WAIT
            while True:
                _, event = stream.next_build()
                if event["changed"] or time.monotonic() > deadline:
                    break
        finally:
            stream.close()
        assert event["changed"] == ["style.css"]
        assert get(port, "/style.css").text.endswith("h1 { color: teal; }\n")


def test_failing_theme_template_is_reported_at_its_file_and_line(root: Path) -> None:
    templates = root / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    save(templates / "article.html", "{# broken on purpose #}\n{{ no_such_view.title }}\n")
    with serving_site(root, watch=False) as preview:
        problems = preview.server.state.problems
        assert len(problems) == 1
        assert problems[0].startswith("themes/default/templates/article.html:2: template error while rendering ")
        page = get(port_of(preview.server), "/")
    assert page.status == 404  # nothing was ever built; the overlay says why
    overlay = HTMLParser(page.text).css_first("#sitegen-overlay pre")
    assert overlay is not None
    assert overlay.text() == problems[0]


@pytest.mark.parametrize("watch", [True, False], ids=["watching", "no-watch"])
def test_previous_build_is_served_at_once_while_the_first_build_runs(
    root: Path, watch: bool
) -> None:
    from sitegen.build import BuildOptions, build

    build(BuildOptions(root=root, output=root / "public"))
    ferry = article_page(root, "Ferry Strike Ends")
    save(root / "content" / "articles" / "ferry-strike-ends.md",
         FERRY.replace("nine-day strike", "week-long stoppage"))
    with serving_site(root, watch=watch, build_first=False) as preview:
        port = port_of(preview.server)
        old = get(port, f"/{ferry}")
        stream = EventStream(port, "/", since_of(old.text))
        try:
            _, event = stream.next_build()
        finally:
            stream.close()
        assert ferry in event["changed"]
        assert "week-long stoppage" in body_text(get(port, f"/{ferry}").text)
    assert old.status == 200
    assert "nine-day strike" in body_text(old.text)


def test_content_folder_moved_away_and_back_is_watched_again(root: Path) -> None:
    content = root / "content"
    with serving_site(root) as preview:
        port = port_of(preview.server)
        state = preview.server.state
        frost = "/" + article_page(root, "Late Frost Hits Orchards")
        content.rename(root / "content-away")
        wait_for(lambda: bool(state.problems), "the build without content/ to fail")
        (root / "content-away").rename(content)
        wait_for(lambda: not state.problems, lambda: f"content/ to build again: {state.problems}")
        time.sleep(0.3)  # the deep watcher starts over on the folder that came back
        save(content / "articles" / "late-frost.md", ORCHARD.replace("apricot", "plum"))
        wait_for(lambda: "plum harvest" in body_text(get(port, frost).text), "the edit after the move")


def test_a_site_already_up_to_date_is_loaded_into_memory_after_starting(root: Path) -> None:
    """serve on a site built before: the first build finds it up to date and loads nothing,
    so the build thread then fills its memory (what makes every later edit a warm rebuild)."""
    from sitegen.cli import main

    assert main(["build", "--root", str(root), "-q"]) == 0
    before = {p: p.stat().st_mtime_ns for p in (root / "public").rglob("*") if p.is_file()}
    with serving_site(root) as preview:
        wait_for(lambda: bool(preview.warm.results), "the warm state to be filled")
        assert preview.warm.articles
    # Leaving the block stopped the preview, which lets a running build finish.
    after = {p: p.stat().st_mtime_ns for p in (root / "public").rglob("*") if p.is_file()}
    assert after == before, "the warm-up rewrote output files"


def test_stopping_waits_for_the_results_the_last_build_left_to_store(root: Path, tmp_path: Path) -> None:
    """A rebuild in `sitegen serve` leaves its cross-article results to a process storing
    them while the pages are served (`finishing.py`); stopping waits for it, so the next
    build from the command line finds them."""
    release = tmp_path / "release"
    stored = tmp_path / "stored"

    def store() -> None:  # as the writer a rebuild leaves: done once released
        while not release.exists():
            time.sleep(0.05)
        stored.touch()

    with serving_site(root, watch=False) as preview:
        writer = multiprocessing.get_context("fork").Process(target=store)
        writer.start()
        finishing.finish_later(writer)
        threading.Timer(0.5, release.touch).start()
        preview.server.shutdown()
        preview.stop()
        assert stored.exists() and not writer.is_alive()

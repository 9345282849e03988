"""The preview server on a hand-made output folder: paths, types, base path, safety, events."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from serve_support import EventStream, get, port_of, serving_folder

from sitegen.preview import BuildState, normalise_base_path
from sitegen.serve import ServeOptions, bind

PAGE = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
    '<link rel="stylesheet" href="{css}"></head><body><h1>{title}</h1>'
    '<p id="p1">First.</p></body></html>\n'
)
SECRET = b"outside the site: must never be served"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """public/ as a build leaves it, plus files and links that lead outside it."""
    out = tmp_path / "public"
    (out / "articles").mkdir(parents=True)
    (out / "empty").mkdir()
    (out / "empty" / "note.txt").write_text("no index here\n")
    (out / "index.html").write_text(PAGE.format(title="Home", css="style.css"))
    (out / "articles" / "index.html").write_text(PAGE.format(title="Articles", css="../style.css"))
    (out / "articles" / "quay-fire.html").write_text(PAGE.format(title="Quay", css="../style.css"))
    (out / "style.css").write_text("body { color: #222; }\n")
    (out / "app.js").write_text("console.log(1);\n")
    (out / "briefing.json").write_text("{}\n")
    (out / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (out / "café notes.html").write_text(PAGE.format(title="Café", css="style.css"))
    (out / ".staging").mkdir()
    (out / ".staging" / "index.html").write_text("half written")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "secret.txt").write_bytes(SECRET)
    os.symlink(tmp_path / "secret.txt", out / "link.txt")
    os.symlink(tmp_path / "elsewhere", out / "linkdir")
    return out


@pytest.mark.parametrize(
    ("target", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/articles/", "text/html; charset=utf-8"),
        ("/articles/quay-fire.html", "text/html; charset=utf-8"),
        ("/articles/quay-fire.html?utm=1", "text/html; charset=utf-8"),
        ("/caf%C3%A9%20notes.html", "text/html; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/briefing.json", "application/json"),
        ("/logo.png", "image/png"),
    ],
)
def test_site_files_are_served_with_their_content_type(
    site: Path, target: str, content_type: str
) -> None:
    with serving_folder(site) as server:
        answer = get(port_of(server), target)
    assert answer.status == 200
    assert answer.headers["content-type"] == content_type
    assert answer.headers["cache-control"] == "no-cache"


def test_non_html_files_are_sent_byte_for_byte(site: Path) -> None:
    with serving_folder(site) as server:
        for name in ("style.css", "app.js", "briefing.json", "logo.png"):
            assert get(port_of(server), f"/{name}").body == (site / name).read_bytes()


def test_html_gets_the_reload_script_on_the_wire_but_not_on_disk(site: Path) -> None:
    on_disk = (site / "articles" / "quay-fire.html").read_bytes()
    with serving_folder(site) as server:
        answer = get(port_of(server), "/articles/quay-fire.html")
    scripts = HTMLParser(answer.text).css("body > script[src]")
    assert [s.attributes["src"] for s in scripts] == ["/__sitegen__/livereload.js"]
    assert scripts[0].attributes["data-page"] == "articles/quay-fire.html"
    assert (site / "articles" / "quay-fire.html").read_bytes() == on_disk
    assert b"__sitegen__" not in on_disk


def test_folder_index_names_the_page_it_served(site: Path) -> None:
    with serving_folder(site) as server:
        answer = get(port_of(server), "/articles/")
    script = HTMLParser(answer.text).css_first("script[data-page]")
    assert script is not None
    assert script.attributes["data-page"] == "articles/index.html"


def test_head_sends_headers_without_body(site: Path) -> None:
    with serving_folder(site) as server:
        full = get(port_of(server), "/")
        head = get(port_of(server), "/", method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-length"] == str(len(full.body))


def test_livereload_script_is_served(site: Path) -> None:
    with serving_folder(site) as server:
        answer = get(port_of(server), "/__sitegen__/livereload.js")
    assert answer.status == 200
    assert answer.headers["content-type"] == "text/javascript; charset=utf-8"
    assert b"EventSource" in answer.body


def test_folder_without_trailing_slash_redirects(site: Path) -> None:
    with serving_folder(site) as server:
        answer = get(port_of(server), "/articles?x=1")
    assert answer.status == 301
    assert answer.headers["location"] == "/articles/?x=1"


@pytest.mark.parametrize("target", ["/empty/", "/empty", "/nope.html", "/articles/nope.html"])
def test_missing_files_and_folders_without_index_are_404_never_a_listing(
    site: Path, target: str
) -> None:
    with serving_folder(site) as server:
        answer = get(port_of(server), target)
        if answer.status == 301:
            answer = get(port_of(server), answer.headers["location"])
    assert answer.status == 404
    assert "note.txt" not in answer.text
    assert HTMLParser(answer.text).css_first("h1").text() == "404 Not Found"


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/articles/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/articles/%2e%2e/%2e%2e/secret.txt",
        "/..%5csecret.txt",
        "/..%2f..%2fsecret.txt",
        "/link.txt",
        "/linkdir/secret.txt",
        "/linkdir/",
        "/%00",
        "/%ff%fe",
        "//secret.txt",
        "/.staging/index.html",
        "/.staging/",
    ],
)
def test_traversal_symlinks_out_and_dotfiles_are_refused(site: Path, target: str) -> None:
    with serving_folder(site) as server:
        answer = get(port_of(server), target)
    assert answer.status == 404
    assert SECRET not in answer.body
    assert b"half written" not in answer.body


def test_symlink_inside_the_site_is_served(site: Path) -> None:
    os.symlink(site / "style.css", site / "alias.css")
    with serving_folder(site) as server:
        assert get(port_of(server), "/alias.css").status == 200


@pytest.mark.parametrize(
    ("given", "normal"),
    [("/", "/"), ("", "/"), ("briefing", "/briefing/"), ("/briefing", "/briefing/"),
     ("/a/b/", "/a/b/"), ("//a//b", "/a/b/"), ("/my notes/", "/my%20notes/")],
)
def test_base_path_is_normalised(given: str, normal: str) -> None:
    assert normalise_base_path(given) == normal


def test_base_path_with_dot_segments_is_refused() -> None:
    with pytest.raises(ValueError, match="may not contain"):
        normalise_base_path("/a/../b/")


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/briefing/", 200),
        ("/briefing/articles/quay-fire.html", 200),
        ("/briefing/style.css", 200),
        ("/briefing", 301),
        ("/", 404),
        ("/index.html", 404),
        ("/articles/quay-fire.html", 404),
        ("/briefingx/", 404),
        ("/briefing/../index.html", 404),
    ],
)
def test_base_path_serves_only_under_it(site: Path, target: str, status: int) -> None:
    with serving_folder(site, base="/briefing/") as server:
        answer = get(port_of(server), target)
    assert answer.status == status


def test_outside_base_path_404_page_points_to_the_site(site: Path) -> None:
    with serving_folder(site, base="/briefing/") as server:
        answer = get(port_of(server), "/articles/quay-fire.html")
        inside = get(port_of(server), "/briefing/")
    assert answer.status == 404
    links = [a.attributes["href"] for a in HTMLParser(answer.text).css("a")]
    assert links == ["/briefing/"]
    assert "outside" in HTMLParser(answer.text).css_first("p").text()
    script = HTMLParser(inside.text).css_first("script[data-page]")
    assert script is not None
    assert script.attributes["src"] == "/briefing/__sitegen__/livereload.js"
    assert script.attributes["data-base"] == "/briefing/"


def test_output_folder_briefly_missing_during_a_swap_is_waited_for(
    site: Path, tmp_path: Path
) -> None:
    staging = tmp_path / "staging"
    site.rename(staging)

    def swap_in() -> None:
        time.sleep(0.4)
        staging.rename(site)

    with serving_folder(site) as server:
        swapper = threading.Thread(target=swap_in)
        swapper.start()
        answer = get(port_of(server), "/articles/quay-fire.html")
        swapper.join()
    assert answer.status == 200
    assert HTMLParser(answer.text).css_first("h1").text() == "Quay"


def test_busy_port_moves_to_the_next_and_says_so(site: Path) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    busy = blocker.getsockname()[1]
    said: list[str] = []
    options = ServeOptions(root=site.parent, output=site, port=busy)
    try:
        server = bind(options, BuildState(), said.append)
        try:
            assert port_of(server) > busy
            assert said[0] == f"port {busy} is busy; trying {busy + 1}"
            assert server.url == f"http://127.0.0.1:{port_of(server)}/"
        finally:
            server.server_close()
    finally:
        blocker.close()


def test_build_events_reach_open_pages_and_overlay_is_escaped(site: Path) -> None:
    state = BuildState()
    with serving_folder(site, state=state) as server:
        port = port_of(server)
        page = HTMLParser(get(port, "/").text)
        since = page.css_first("script[data-since]").attributes["data-since"]
        stream = EventStream(port, "/", since or "")
        try:
            state.record(["index.html", "style.css"], [])
            _, event = stream.next_build()
            assert event == {"changed": ["index.html", "style.css"], "problems": [],
                             "reload_all": False}

            problem = 'content/articles/a.md:4: bad <script>alert("x")</script> here'
            state.record([], [problem])
            _, event = stream.next_build()
            assert event["problems"] == [problem]
            assert event["changed"] == []

            broken = get(port, "/").text
            overlay = HTMLParser(broken).css_first("#sitegen-overlay pre")
            assert overlay is not None
            assert overlay.text() == problem
            assert "<script>alert" not in broken
            assert "&lt;script&gt;alert" in broken

            state.record(["index.html"], [])
            _, event = stream.next_build()
            assert event["problems"] == []
            assert HTMLParser(get(port, "/").text).css_first("#sitegen-overlay") is None
        finally:
            stream.close()


def test_page_that_missed_builds_gets_them_on_connect(site: Path) -> None:
    state = BuildState()
    with serving_folder(site, state=state) as server:
        port = port_of(server)
        since = HTMLParser(get(port, "/").text).css_first("script").attributes["data-since"]
        state.record(["articles/quay-fire.html"], [])
        state.record(["style.css"], [])
        stream = EventStream(port, "/", since or "")
        try:
            event_id, event = stream.next_build()
        finally:
            stream.close()
    assert event == {"changed": ["articles/quay-fire.html", "style.css"], "problems": [],
                     "reload_all": False}
    assert event_id == state.event_id(2)


def test_page_from_an_earlier_server_run_is_told_to_reload(site: Path) -> None:
    with serving_folder(site) as server:
        stream = EventStream(port_of(server), "/", "0123abcd:7")
        try:
            _, event = stream.next_build()
        finally:
            stream.close()
    assert event["reload_all"] is True


def test_all_interfaces_url_names_this_machine(site: Path) -> None:
    server = bind(ServeOptions(root=site.parent, output=site, host="0.0.0.0", port=0),
                  BuildState(), lambda _message: None)
    try:
        assert server.url == f"http://127.0.0.1:{port_of(server)}/"
    finally:
        server.server_close()

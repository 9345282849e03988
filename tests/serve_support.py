"""Helpers for the preview tests: a real server on a free loopback port, real HTTP."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sitegen.preview import BuildState, PreviewServer
from sitegen.serve import Preview, ServeOptions

WAIT = 20.0
"""Seconds any test waits for a rebuild to show, at most."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def get(port: int, target: str, method: str = "GET") -> Response:
    """One request with the target sent exactly as given (no client-side normalising)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        connection.endheaders()
        answer = connection.getresponse()
        body = answer.read()
        headers = {k.lower(): v for k, v in answer.getheaders()}
        return Response(answer.status, headers, body)
    finally:
        connection.close()


@contextmanager
def serving_folder(
    output: Path, base: str = "/", state: BuildState | None = None
) -> Iterator[PreviewServer]:
    """The preview server alone, on a hand-made output folder (no build, no watching)."""
    server = PreviewServer(("127.0.0.1", 0), output, base, state or BuildState())
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def serving_site(
    root: Path, base: str = "/", watch: bool = True, build_first: bool = True
) -> Iterator[Preview]:
    """The whole preview (build, watch, serve) on a site folder, as `sitegen serve` runs it."""
    options = ServeOptions(root=root, output=root / "public", port=0, base_path=base, watch=watch)
    preview = Preview.start(options, lambda _message: None, build_first=build_first)
    thread = threading.Thread(target=preview.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield preview
    finally:
        preview.server.shutdown()
        preview.stop()
        thread.join(5)


def port_of(server: PreviewServer) -> int:
    return int(server.server_address[1])


def wait_for(
    condition: Callable[[], bool], what: str | Callable[[], str], timeout: float = WAIT
) -> float:
    """Seconds until `condition()` holds; fails the test after `timeout` (saying `what`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    said = what if isinstance(what, str) else what()
    raise AssertionError(f"gave up after {timeout}s waiting for {said}")


class EventStream:
    """A real SSE client on the preview's event stream, reading `build` events."""

    def __init__(self, port: int, base: str, since: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        self.connection.request("GET", f"{base}__sitegen__/events?since={since}")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")

    def next_build(self) -> tuple[str, dict[str, object]]:
        """The next `build` event: (id, data). Keep-alive comments are skipped."""
        fields: dict[str, str] = {}
        while True:
            line = self.response.fp.readline().decode("utf-8")
            if not line:
                raise AssertionError("event stream closed")
            line = line.rstrip("\n")
            if not line:
                if fields.get("event") == "build":
                    return fields.get("id", ""), json.loads(fields["data"])
                fields = {}
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")

    def close(self) -> None:
        self.connection.close()


def write_site(root: Path, articles: dict[str, str], title: str = "Harbour Works") -> None:
    """A minimal content/ folder: briefing.yaml and one Markdown file per article."""
    (root / "content" / "articles").mkdir(parents=True, exist_ok=True)
    (root / "content" / "briefing.yaml").write_text(f"title: {title}\n", encoding="utf-8")
    for name, text in articles.items():
        (root / "content" / "articles" / f"{name}.md").write_text(text, encoding="utf-8")


def article(title: str, *paragraphs: str) -> str:
    return f"---\ntitle: {title}\n---\n\n" + "\n\n".join(paragraphs) + "\n"

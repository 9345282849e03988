"""The preview's HTTP side: map a request to a file of the built site, safely, and push builds.

The stdlib `http.server` does the HTTP; this module only decides which file answers a path
(base path, `index.html` for folders, no listings, nothing outside the output folder) and
streams build events to open pages (server-sent events). See issue 8.
"""

from __future__ import annotations

import html
import json
import mimetypes
import secrets
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sitegen import livereload

# Explicit types for what a site holds; mimetypes (which reads /etc/mime.types) for the rest.
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}

SWAP_WAIT = 2.0
"""Seconds to wait for the output folder while a build swaps it in (it is briefly absent)."""

HISTORY = 64
"""Builds remembered, so a page that reconnects learns what it missed."""


def content_type(path: Path) -> str:
    known = _TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def normalise_base_path(value: str) -> str:
    """`briefing`, `/briefing`, `/briefing/` all mean `/briefing/`; empty means `/`."""
    parts = [p for p in value.strip().split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise ValueError(f"base path {value!r} may not contain '.' or '..'")
    return "/" + "".join(urllib.parse.quote(p) + "/" for p in parts)


# ---------------------------------------------------------------- what a path resolves to


@dataclass(frozen=True, slots=True)
class Found:
    """A file of the site to send."""

    file: Path
    page: str
    """Its path relative to the output folder, '/'-separated (as in BuildReport.changed)."""


@dataclass(frozen=True, slots=True)
class Redirect:
    location: str


@dataclass(frozen=True, slots=True)
class Missing:
    """Nothing to send: `outside` says the path is not under the base path at all."""

    page: str
    outside: bool = False


@dataclass(frozen=True, slots=True)
class Own:
    """One of the server's endpoints under `__sitegen__/`."""

    name: str


Resolution = Found | Redirect | Missing | Own


def resolve(output: Path, base: str, target: str) -> Resolution:
    """Which file answers request `target` (path and query) for a site at `base` in `output`."""
    split = urllib.parse.urlsplit(target)
    path = split.path
    query = f"?{split.query}" if split.query else ""
    if not path.startswith(base):
        if path + "/" == base:
            return Redirect(base + query)
        return Missing(path, outside=True)
    raw = path[len(base) :]
    if raw.startswith(livereload.RESERVED):
        return Own(raw[len(livereload.RESERVED) :])
    try:
        rel = urllib.parse.unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return Missing(raw)
    parts = rel.split("/")
    # Checked after decoding, so `%2e%2e` and `%2f` cannot smuggle a step up; dot-files
    # (.staging folders, editor files) are not part of the site.
    if "\x00" in rel or "\\" in rel or any(p.startswith(".") for p in parts):
        return Missing(rel)
    parts = [p for p in parts if p]
    candidate = output.joinpath(*parts)
    if candidate.is_dir():
        if rel and not rel.endswith("/"):
            return Redirect(path + "/" + query)
        candidate = candidate / "index.html"
        parts.append("index.html")
    try:
        real = candidate.resolve(strict=True)
        inside = real.is_relative_to(output.resolve(strict=True))
    except (FileNotFoundError, NotADirectoryError, RuntimeError):
        return Missing(rel)
    if not inside or not real.is_file():
        return Missing(rel)
    return Found(candidate, "/".join(parts))


def read_site_file(output: Path, base: str, target: str) -> tuple[Resolution, bytes]:
    """Resolve and read in one go, retrying while a build swaps the output folder in.

    The build replaces the whole folder at once, so a file read whole is from one build;
    between the two renames of the swap the folder is briefly missing (lead's build.py).
    """
    deadline = time.monotonic() + SWAP_WAIT
    while True:
        found = resolve(output, base, target)
        if isinstance(found, Found):
            try:
                return found, found.file.read_bytes()
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                pass
        elif not isinstance(found, Missing) or found.outside or output.is_dir():
            return found, b""
        if time.monotonic() > deadline:
            return found, b""
        time.sleep(0.02)


# ---------------------------------------------------------------- build events


@dataclass(frozen=True, slots=True)
class BuildEvent:
    """What open pages are told after a build: which outputs changed, what is broken now."""

    generation: int
    changed: tuple[str, ...]
    problems: tuple[str, ...]
    reload_all: bool = False


class BuildState:
    """The last build's outcome, shared by the rebuild thread and the request threads."""

    def __init__(self, problems: Sequence[str] = ()) -> None:
        self.server_id = secrets.token_hex(4)
        self._cond = threading.Condition()
        self._generation = 0
        self._problems: tuple[str, ...] = tuple(problems)
        self._history: deque[tuple[int, tuple[str, ...]]] = deque(maxlen=HISTORY)
        self._closed = False

    @property
    def generation(self) -> int:
        with self._cond:
            return self._generation

    @property
    def problems(self) -> tuple[str, ...]:
        with self._cond:
            return self._problems

    def snapshot(self) -> tuple[int, tuple[str, ...]]:
        """Generation and problems, read together."""
        with self._cond:
            return self._generation, self._problems

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed

    def record(self, changed: Sequence[str], problems: Sequence[str]) -> None:
        """A build finished (`problems` empty) or failed (`changed` empty)."""
        with self._cond:
            self._generation += 1
            self._problems = tuple(problems)
            self._history.append((self._generation, tuple(changed)))
            self._cond.notify_all()

    def close(self) -> None:
        """Wake every event stream so the server can stop."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def event_id(self, generation: int) -> str:
        return f"{self.server_id}:{generation}"

    def parse_event_id(self, value: str) -> int | None:
        """The generation a page last saw, or None if it came from another server run."""
        server, _, generation = value.partition(":")
        if server != self.server_id or not generation.isdigit():
            return None
        return int(generation)

    def wait_since(self, seen: int | None, timeout: float) -> BuildEvent | None:
        """The builds after generation `seen` as one event, waiting up to `timeout` for one.

        `seen` None means the page's history is unknown: it gets the current state and a
        reload. None is returned on timeout or close.
        """
        with self._cond:
            if seen is not None and seen >= self._generation:
                self._cond.wait_for(lambda: self._closed or self._generation > seen, timeout)
            if self._closed or (seen is not None and seen >= self._generation):
                return None
            if seen is None:
                return BuildEvent(self._generation, (), self._problems, reload_all=True)
            missed = [changed for generation, changed in self._history if generation > seen]
            gap = seen < self._generation - len(self._history)
            changed = tuple(sorted({p for batch in missed for p in batch}))
            return BuildEvent(self._generation, changed, self._problems, reload_all=gap)


# ---------------------------------------------------------------- the server


class PreviewServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with the site's folder, base path and build state attached."""

    daemon_threads = True
    # A second server on a busy port must fail, not share it (SO_REUSEADDR stays on so a
    # restart does not wait for TIME_WAIT; Linux still refuses a port someone listens on).
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], output: Path, base: str, state: BuildState
    ) -> None:
        self.output = output
        self.base = base
        self.state = state
        super().__init__(address, PreviewHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes | bytearray) else str(host)
        # Listening on every interface: this machine's own address is the one to open.
        name = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(name, name)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}{self.base}"

    def shutdown(self) -> None:
        self.state.close()
        super().shutdown()


KEEPALIVE = 15.0
"""Seconds between SSE comments; a write to a closed page ends its stream thread."""


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "sitegen-preview"
    _snapshot: tuple[int, tuple[str, ...]] = (0, ())

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the preview prints builds, not every request."""

    def _answer(self, body: bool) -> None:
        server = self.server
        # Taken before the file is read: the page then claims a build no newer than its bytes,
        # so a build finishing meanwhile reaches it as an event (at worst one extra reload).
        self._snapshot = server.state.snapshot()
        found, data = read_site_file(server.output, server.base, self.path)
        if isinstance(found, Redirect):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", found.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif isinstance(found, Own):
            self._own(found.name, body)
        elif isinstance(found, Missing):
            self._missing(found, body)
        else:
            if content_type(found.file).startswith("text/html"):
                data = self._inject(data, found.page)
            self._send(HTTPStatus.OK, content_type(found.file), data, body)

    def _inject(self, data: bytes, page: str) -> bytes:
        generation, problems = self._snapshot
        return livereload.inject(
            data,
            base=self.server.base,
            page=page,
            since=self.server.state.event_id(generation),
            problems=problems,
        )

    def _send(self, status: HTTPStatus, ctype: str, data: bytes, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        # A preview must show the current build: the browser asks every time.
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _missing(self, missing: Missing, body: bool) -> None:
        base = self.server.base
        if missing.outside:
            detail = (
                f"<p>This preview serves the site under <a href=\"{html.escape(base)}\">"
                f"{html.escape(base)}</a>, as a static host would at that path; "
                f"<code>{html.escape(missing.page)}</code> is outside it.</p>"
            )
        else:
            detail = (
                f"<p>No file <code>{html.escape(missing.page)}</code> in the built site. "
                f"<a href=\"{html.escape(base)}\">Go to the home page</a>.</p>"
            )
        page = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>404 Not Found</title></head><body><h1>404 Not Found</h1>"
            f"{detail}</body></html>\n"
        ).encode()
        if not missing.outside:
            # So a page that does not exist yet appears by itself once a build writes it.
            page = self._inject(page, missing.page)
        self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", page, body)

    def _own(self, name: str, body: bool) -> None:
        endpoint = name.partition("?")[0]
        if endpoint == "livereload.js":
            script = livereload.SCRIPT.encode()
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", script, body)
        elif endpoint == "events" and body:
            self._events()
        else:
            self._missing(Missing(livereload.RESERVED + endpoint), body)

    def _events(self) -> None:
        state = self.server.state
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        last = self.headers.get("Last-Event-ID") or (query.get("since") or [""])[0]
        seen = state.parse_event_id(last)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 500\n\n")
            self.wfile.flush()
            while not state.closed:
                event = state.wait_since(seen, KEEPALIVE)
                if event is None:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    seen = event.generation
                    payload = json.dumps(
                        {
                            "changed": list(event.changed),
                            "problems": list(event.problems),
                            "reload_all": event.reload_all,
                        }
                    )
                    self.wfile.write(
                        f"id: {state.event_id(seen)}\nevent: build\ndata: {payload}\n\n".encode()
                    )
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

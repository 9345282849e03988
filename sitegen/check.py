"""`sitegen check`: is the built site whole? Internal links, `#p` anchors, relative links only.

Runs on the output folder itself, exactly what gets deployed, so nothing else is needed to know
the site works from a sub-path and from `file://` (issue 8). HTML is read with the stdlib
parser; only CSS `url()` references are found with a regex (CSS, not HTML).
"""

from __future__ import annotations

import argparse
import json
import posixpath
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sitegen.errors import Problem

HTML_SUFFIXES = (".html", ".htm")
URL_ATTRIBUTES = ("href", "src", "poster", "data", "action")
SRCSET_ATTRIBUTES = ("srcset", "imagesrcset")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Reference:
    """A URL found in a file of the site, with the line it is on."""

    line: int
    url: str


class _Page(HTMLParser):
    """Ids and URLs of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.references: list[Reference] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not attrs:
            return
        line = self.getpos()[0]
        values = {name: value for name, value in reversed(attrs) if value is not None}
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        for name in URL_ATTRIBUTES:
            if name in values:
                self.references.append(Reference(line, values[name]))
        for name in SRCSET_ATTRIBUTES:
            for candidate in values.get(name, "").split(","):
                url = candidate.strip().split(" ")[0]
                if url:
                    self.references.append(Reference(line, url))
        if "style" in values:
            self.references.extend(_css_references(values["style"], line))

    handle_startendtag = handle_starttag


def _css_references(text: str, first_line: int = 1) -> Iterator[Reference]:
    text = _CSS_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for pattern in (_CSS_URL, _CSS_IMPORT):
        for match in pattern.finditer(text):
            url = next((g for g in match.groups() if g is not None), "")
            yield Reference(first_line + text.count("\n", 0, match.start()), url)


def _site_files(public: Path) -> list[str]:
    """Every file of the site, '/'-separated; dot-files (manifests, staging) are not the site."""
    return sorted(
        path.relative_to(public).as_posix()
        for path in public.rglob("*")
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(public).parts)
    )


def _target(files: set[str], folder: str, path: str) -> tuple[str | None, str | None]:
    """(file a link path from a page in `folder` leads to, or None; why not)."""
    resolved = posixpath.normpath(posixpath.join(folder, unquote(path)))
    if resolved == ".." or resolved.startswith("../"):
        return None, "points outside the site folder"
    if resolved in files:
        return resolved, None
    index = "index.html" if resolved == "." else f"{resolved}/index.html"
    if index in files:
        return None, f"is a folder; link {index} itself so it also works from file://"
    return None, f"{resolved} not found"


Verdict = tuple[str, str | None] | None
"""What is wrong with a link (message, hint), or None when it is fine."""


class _Links:
    """Judges links, remembering each verdict: a site repeats the same links on many pages."""

    def __init__(self, files: set[str], ids: dict[str, set[str]]) -> None:
        self.files = files
        self.ids = ids
        self.seen: dict[tuple[str, str], Verdict] = {}

    def problem(self, source: str, reference: Reference) -> Problem | None:
        url = reference.url.strip()
        parts = urlsplit(url) if url and not url.startswith(("/", "#")) else None
        # Same-page anchors depend on the page; other links only on its folder.
        key = (source if parts is None or not parts.path else posixpath.dirname(source), url)
        if key not in self.seen:
            self.seen[key] = self._judge(source, url)
        verdict = self.seen[key]
        return None if verdict is None else Problem(source, reference.line, *verdict)

    def _judge(self, source: str, url: str) -> Verdict:
        if not url or _SCHEME.match(url) or url.startswith("//"):
            return None  # external or another scheme: not the site's to check
        if url.startswith("/"):
            return (f'root-relative link "{url}"',
                    "use a page-relative link; this one breaks under a sub-path and file://")
        parts = urlsplit(url)
        target: str | None = source
        if parts.path:
            target, why = _target(self.files, posixpath.dirname(source), parts.path)
            if target is None:
                return f'broken link "{url}": {why}', None
        fragment = unquote(parts.fragment)
        if not fragment or fragment == "top" or fragment.startswith(":~:"):
            return None
        if target in self.ids and fragment not in self.ids[target]:
            return f'missing anchor "{url}": no id="{fragment}" in {target}', None
        return None


def _briefing_pages(public: Path, files: set[str]) -> Iterator[Problem]:
    """`page` fields of briefing.json must exist (shared/spec/briefing-json.md)."""
    path = public / "briefing.json"
    if not path.is_file():
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        yield Problem("briefing.json", None, f"not valid JSON: {error}")
        return
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            page = item.get("page")
            if isinstance(page, str) and page.split("#")[0] not in files:
                yield Problem("briefing.json", None, f'page "{page}" is not in the output')
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


@dataclass(frozen=True, slots=True)
class CheckResult:
    problems: tuple[Problem, ...]
    pages: int
    links: int


def check_output(public: Path) -> CheckResult:
    """Every problem with the links of the site in `public`, with what was checked."""
    files = _site_files(public)
    present = set(files)
    ids: dict[str, set[str]] = {}
    references: dict[str, list[Reference]] = {}
    for name in files:
        if name.lower().endswith(HTML_SUFFIXES):
            page = _Page()
            page.feed((public / name).read_text(encoding="utf-8", errors="replace"))
            page.close()
            ids[name] = page.ids
            references[name] = page.references
        elif name.lower().endswith(".css"):
            text = (public / name).read_text(encoding="utf-8", errors="replace")
            references[name] = [r for r in _css_references(text) if not r.url.startswith("#")]
    problems: list[Problem] = []
    if "index.html" not in present:
        problems.append(Problem("index.html", None, "the site has no home page"))
    links = 0
    judge = _Links(present, ids)
    for source in sorted(references):
        for reference in references[source]:
            links += 1
            problem = judge.problem(source, reference)
            if problem is not None:
                problems.append(problem)
    problems.extend(_briefing_pages(public, present))
    return CheckResult(tuple(problems), len(ids), links)


def check_site(public: Path) -> list[Problem]:
    """The problems with the links of the site in `public` (empty: the site is whole)."""
    return list(check_output(public).problems)


def run_check(args: argparse.Namespace) -> int:
    public = Path(args.output) if args.output else Path(args.root) / "public"
    if not public.is_dir():
        print(f"error: {public}: no built site here; run `sitegen build` first", file=sys.stderr)
        return 1
    started = time.perf_counter()
    result = check_output(public)
    for problem in result.problems:
        print(f"error: {problem}", file=sys.stderr)
    count = len(result.problems)
    summary = (
        f"check: {count} problem{'s' if count != 1 else ''} in {public} "
        f"({result.links} links in {result.pages} pages, {time.perf_counter() - started:.2f} s)"
    )
    print(summary, file=sys.stderr if count else sys.stdout)
    return 1 if count else 0

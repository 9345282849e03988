"""content/ to typed values: the only stage that reads the user's content.

Every problem is collected with its file and line, then raised once, so a user fixes a
whole batch of mistakes in one go (Zola's "Found path collisions").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, get_args
from urllib.parse import urlsplit

import yaml

from sitegen import markdown
from sitegen.errors import Problem, SitegenError
from sitegen.file_memo import FileMemo
from sitegen.frontmatter import ContentLoader, split_front_matter, yaml_problem
from sitegen.model import DEFAULT_PAGE_SIZE, MIN_PAGE_SIZE, ActorType, Article, Briefing, CuratedActor
from sitegen.urls import slug

DEFAULT_TITLE = "Briefing"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Field names other tools use for the same thing (shared/bench/make_corpus.py writes
# `source` and `source_url`, because Hugo and Pelican read `url` as the page's own address).
FIELD_ALIASES = {"source": "outlet", "source_url": "url"}
ACTOR_TYPES: tuple[str, ...] = get_args(ActorType)


@dataclass(frozen=True, slots=True)
class LoadedSite:
    """Everything under content/, checked."""

    briefing: Briefing
    articles: tuple[Article, ...]
    curated: tuple[CuratedActor, ...]


def read_utf8(path: Path | str, shown: str, problems: list[Problem]) -> str | None:
    """File text as UTF-8, or a Problem naming the line of the first bad byte."""
    with open(path, "rb") as file:
        data = file.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(Problem(shown, line, f"byte 0x{data[error.start]:02x} is not UTF-8",
                                "save the file as UTF-8"))
        return None


def _yaml_file(path: Path, shown: str, problems: list[Problem]) -> tuple[Any, yaml.Node | None]:
    text = read_utf8(path, shown, problems)
    if text is None:
        return None, None
    try:
        return yaml.load(text, Loader=ContentLoader), yaml.compose(text, Loader=ContentLoader)
    except yaml.YAMLError as error:
        problems.append(yaml_problem(error, shown, 1, "not valid YAML", "check indentation and quoting"))
        return None, None


def _safe_url(value: str) -> bool:
    """Only web links: a `javascript:` or `data:` URL in front matter would run in the reader's browser."""
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def load_briefing(root: Path, problems: list[Problem]) -> Briefing:
    path = root / "content" / "briefing.yaml"
    if not path.is_file():
        return Briefing(DEFAULT_TITLE, None, None)
    shown = "content/briefing.yaml"
    data, node = _yaml_file(path, shown, problems)
    if data is None:
        return Briefing(DEFAULT_TITLE, None, None)
    if not isinstance(data, dict):
        problems.append(Problem(shown, 1, "is not a mapping", 'write "title: …" and "description: …"'))
        return Briefing(DEFAULT_TITLE, None, None)
    base_url = data.get("base_url")
    if base_url is not None and not _safe_url(str(base_url)):
        problems.append(Problem(shown, 1, f'base_url "{base_url}" is not an http(s) address',
                                "write e.g. https://example.org/briefing/ or remove it"))
        base_url = None
    if base_url is not None and not str(base_url).endswith("/"):
        base_url = f"{base_url}/"
    description = data.get("description")
    return Briefing(str(data.get("title") or DEFAULT_TITLE),
                    str(description) if description else None,
                    str(base_url) if base_url else None,
                    _page_size(data.get("page_size", DEFAULT_PAGE_SIZE), _key_line(node, "page_size"),
                               shown, problems))


def _page_size(value: Any, line: int, shown: str, problems: list[Problem]) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= MIN_PAGE_SIZE:
        return value
    problems.append(Problem(shown, line, f"page_size {value!r} is not a whole number of at least {MIN_PAGE_SIZE}",
                            f"write e.g. page_size: {DEFAULT_PAGE_SIZE}, or remove it"))
    return DEFAULT_PAGE_SIZE


def _key_line(node: yaml.Node | None, key: str) -> int:
    """The line of a top-level key of a YAML mapping, for problems; 1 if not found."""
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if key_node.value == key:
                return int(key_node.start_mark.line) + 1
    return 1


def _article_date(value: Any, shown: str, line: int, problems: list[Problem]) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if _DATE.match(text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    problems.append(Problem(shown, line, f'date "{text}" is not YYYY-MM-DD', "write it like 2024-10-21"))
    return None


def load_article(path: Path, root: Path, problems: list[Problem]) -> Article | None:
    """One `content/articles/*.md` file, or None with its problems recorded."""
    shown = path.relative_to(root).as_posix()
    text = read_utf8(path, shown, problems)
    return None if text is None else parse_article(shown, text, problems)


def file_digest(shown: str, text: str) -> str:
    """Hash of an article file's path and text: all an `Article` is parsed from."""
    return hashlib.sha256(f"{shown}\0{text}".encode()).hexdigest()


Parsed = tuple[Article | None, tuple[Problem, ...]]
"""An article file parsed: the article, or None with what is wrong with it."""
Parser = Callable[[Sequence[tuple[str, str]]], list[Parsed]]
"""Parses many (path relative to the root, text) files at once: `parse_articles`, or the
same through the analysis cache (`pipeline.py`)."""


def parse_articles(files: Sequence[tuple[str, str]]) -> list[Parsed]:
    """Each file parsed, in order; problems are returned, not raised, so that they can be
    kept (and reported again) beside the file's text."""
    out: list[Parsed] = []
    for shown, text in files:
        problems: list[Problem] = []
        article = parse_article(shown, text, problems)
        out.append((article, tuple(problems)))
    return out


def parse_article(shown: str, text: str, problems: list[Problem]) -> Article | None:
    """An article from its file's text (`shown`: its path relative to the site root)."""
    parsed = split_front_matter(text, shown)
    if isinstance(parsed, Problem):
        problems.append(parsed)
        return None
    fields = {FIELD_ALIASES.get(key, key): value for key, value in parsed.fields.items()}
    lines = {FIELD_ALIASES.get(key, key): line for key, line in parsed.lines.items()}

    def line_of(key: str) -> int:
        return lines.get(key, 2)

    before = len(problems)
    title = fields.get("title")
    if not title or not str(title).strip():
        problems.append(Problem(shown, 1, "front matter has no title", 'add a line "title: …"'))
    date = _article_date(fields.get("date"), shown, line_of("date"), problems)
    url = fields.get("url")
    if url is not None and not _safe_url(str(url)):
        problems.append(Problem(shown, line_of("url"), f'url "{url}" is not an http(s) address',
                                "link the original article with https://…"))
    if len(problems) > before:
        return None
    outlet, author = fields.get("outlet"), fields.get("author")
    return Article(
        id=slug(PurePosixPath(shown).stem, fallback="article"),
        source_file=shown,
        title=str(title).strip(),
        outlet=str(outlet).strip() if outlet else None,
        date=date,
        url=str(url).strip() if url else None,
        author=str(author).strip() if author else None,
        body=parsed.body,
        body_line=parsed.body_line,
        paragraphs=markdown.paragraphs(parsed.body, parsed.body_line),
        content_digest=file_digest(shown, text),
    )


def _text_or_none(value: Any) -> str | None:
    return str(value).strip() if value not in (None, "") else None


def load_curated(root: Path, problems: list[Problem]) -> tuple[CuratedActor, ...]:
    """`content/actors.yaml`: a list of actors an analyst has checked (optional)."""
    path = root / "content" / "actors.yaml"
    if not path.is_file():
        return ()
    shown = "content/actors.yaml"
    data, node = _yaml_file(path, shown, problems)
    if data is None:
        return ()
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(shown, 1, "is not a list of actors", 'write entries like "- name: …"'))
        return ()
    actors = []
    for entry, entry_node in zip(data, node.value, strict=True):
        line = entry_node.start_mark.line + 1
        if not isinstance(entry, dict) or not entry.get("name"):
            problems.append(Problem(shown, line, "actor entry has no name", 'give each entry "name: …"'))
            continue
        kind = entry.get("type")
        if kind is not None and kind not in ACTOR_TYPES:
            problems.append(Problem(shown, line, f'type "{kind}" is not one of {", ".join(ACTOR_TYPES)}',
                                    "use one of those types or leave type out"))
            continue
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list):
            problems.append(Problem(shown, line, "aliases is not a list", 'write "aliases: [A, B]"'))
            continue
        actors.append(CuratedActor(
            name=str(entry["name"]).strip(), type=kind, role=_text_or_none(entry.get("role")),
            affiliation=_text_or_none(entry.get("affiliation")),
            aliases=tuple(str(a) for a in aliases), line=line))
    return tuple(actors)


def load_site(root: Path, known: dict[tuple[str, str], Article] | None = None,
              parse: Parser = parse_articles, files: FileMemo | None = None) -> LoadedSite:
    """Read and check all of content/; raises SitegenError listing every problem found.

    `known`: articles a long-running process parsed in its last build, by (source file,
    text); a file whose text is the same is not parsed again, and after a build without
    problems `known` holds this build's articles (`warm.WarmState.articles`). The other
    files go to `parse` together. `files`: that process's memo of the articles' texts,
    which it does not read again while their stat is as it was (`file_memo.py`)."""
    problems: list[Problem] = []
    articles_dir = root / "content" / "articles"
    # Names as strings: a Path of each, sorted and made relative, took most of the time a
    # warm process spent loading the articles it kept (`files`).
    names = sorted(entry.name for entry in os.scandir(articles_dir) if entry.name.endswith(".md")) if (
        articles_dir.is_dir()) else []
    if not names:
        raise SitegenError.single(
            "content/articles", None, "no articles (*.md) found",
            "add Markdown articles there, or turn raw texts into articles with `sitegen import FILE.txt`")
    briefing = load_briefing(root, problems)
    read: list[tuple[str, str | None, list[Problem]]] = []
    folder = os.fspath(articles_dir)
    for name in names:
        path, shown = os.path.join(folder, name), f"content/articles/{name}"
        unreadable: list[Problem] = []
        text = files.text(path, partial(read_utf8, path, shown, unreadable)) if files else (
            read_utf8(path, shown, unreadable))
        read.append((shown, text, unreadable))
    texts = [(shown, text) for shown, text, _ in read if text is not None]
    unknown = [file for file in texts if not known or file not in known]
    found = dict(zip(unknown, parse(unknown), strict=True))
    parsed: dict[tuple[str, str], Article] = {}
    for shown, text, unreadable in read:  # problems in file order
        problems.extend(unreadable)
        if text is None:
            continue
        file = (shown, text)
        if file in found:
            article, its_problems = found[file]
            problems.extend(its_problems)
        else:
            assert known is not None
            article = known[file]
        if article is not None:
            parsed[file] = article
    articles = list(parsed.values())
    seen: dict[str, str] = {}
    for article in articles:
        if article.id in seen:
            problems.append(Problem(article.source_file, 1,
                                    f'its id "{article.id}" is the same as {seen[article.id]}\'s',
                                    "rename one of the files"))
        seen.setdefault(article.id, article.source_file)
    curated = load_curated(root, problems)
    if problems:
        raise SitegenError(problems)
    if known is not None:
        known.clear()
        known.update(parsed)
    return LoadedSite(briefing, tuple(sorted(articles, key=lambda a: a.id)), curated)

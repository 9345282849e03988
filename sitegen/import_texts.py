"""`sitegen import`: raw article texts to `content/articles/*.md` with a front-matter skeleton.

Only what the text itself shows is filled in (a title from its first sentence); an outlet,
date or URL is never guessed. Existing files are never overwritten unless `force`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from sitegen.errors import Problem, SitegenError
from sitegen.load import read_utf8

TITLE_MAX = 80
# A sentence ends at . ! ? (plus closing quotes) before a capital or the end of the line.
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*(?=\s+[\"“‘'(A-Z0-9]|\s*$)")
# A period after these does not end a sentence ("Oct. 21", "U.S. officials").
_ABBREVIATION = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Gov|Sen|Rep|Lt|Col|Capt|Prof|No|"
                           r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|e\.g|i\.e)"
                           r"|\b(?:[A-Z]\.)+[A-Z]?)\.?$")


@dataclass(frozen=True, slots=True)
class ImportResult:
    written: tuple[Path, ...]
    skipped: tuple[Path, ...]


def text_paragraphs(text: str) -> list[str]:
    """One paragraph per non-blank line: raw news texts are stored unwrapped."""
    return [line.strip() for line in re.split(r"\r\n|\r|\n", text.lstrip("\ufeff")) if line.strip()]


def title_from_text(paragraphs: list[str]) -> str:
    """The first sentence, cut at a word boundary near TITLE_MAX characters."""
    if not paragraphs:
        return "Untitled"
    first = paragraphs[0]
    sentence = first
    for end in _SENTENCE_END.finditer(first):
        if _ABBREVIATION.search(first[: end.start() + 1]):
            continue
        sentence = first[: end.end()]
        break
    if len(sentence) <= TITLE_MAX:
        return sentence
    cut = sentence[:TITLE_MAX]
    cut = cut[: cut.rfind(" ")] if " " in cut else cut
    return cut.rstrip(" ,;:–—-") + "…"


def _escape_markdown_start(paragraph: str) -> str:
    """Keep a line that looks like Markdown structure (`# `, `- `, `1. `) a plain paragraph."""
    if re.match(r"^(#{1,6}\s|[>*+-]\s|\d{1,9}[.)]\s|[-*_=]{3,}\s*$|\|)", paragraph):
        return "\\" + paragraph
    return paragraph


def article_markdown(text: str) -> str:
    paragraphs = text_paragraphs(text)
    front = yaml.safe_dump({"title": title_from_text(paragraphs)}, allow_unicode=True,
                           sort_keys=False, width=10**6)
    skeleton = "# outlet: \n# date: YYYY-MM-DD\n# url: https://\n"
    body = "\n\n".join(_escape_markdown_start(p) for p in paragraphs)
    return f"---\n{front}{skeleton}---\n\n{body}\n"


def import_texts(files: list[Path], articles_dir: Path, force: bool = False) -> ImportResult:
    """Write one article per text file; a file that exists is skipped unless `force`."""
    problems: list[Problem] = []
    texts = []
    for path in files:
        if not path.is_file():
            problems.append(Problem(str(path), None, "no such file", "check the path"))
        elif (text := read_utf8(path, str(path), problems)) is not None:
            texts.append((path, text))
    if problems:
        raise SitegenError(problems)
    articles_dir.mkdir(parents=True, exist_ok=True)
    written, skipped = [], []
    for path, text in texts:
        target = articles_dir / f"{path.stem}.md"
        if target.exists() and not force:
            skipped.append(target)
            continue
        tmp = target.with_suffix(".md.tmp")
        tmp.write_text(article_markdown(text), encoding="utf-8")
        tmp.replace(target)
        written.append(target)
    return ImportResult(tuple(written), tuple(skipped))

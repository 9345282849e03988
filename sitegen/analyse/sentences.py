"""Split a paragraph into sentences with their character offsets.

Claims cite a verbatim span of a paragraph, so the splitter returns offsets, not strings
(segtok returns strings and joins "… by Nov. 1. Lima said …"). A period ends a sentence
when the next word starts one, unless the word before it is a title or month abbreviation
("Gen. Smith", "Oct. 21") or a single initial ("J. Doe").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations that are normally followed by a name or a number, never end a sentence.
_NO_BREAK_AFTER = frozenset(
    """mr mrs ms dr prof gen lt col sgt capt cmdr adm sen rep gov st mt no nos vs fig
    jan feb mar apr jun jul aug sep sept oct nov dec jr sr rev hon pres approx est""".split()
)
# After an initialism such as "U.S." a capital word is ambiguous ("U.S. officials" vs a new
# sentence); these words only ever start a sentence.
_SENTENCE_STARTERS = frozenset(
    """in the a an he she it they we i but and however this that these those there
    after before while when during following meanwhile later earlier on at as if
    its his her their our""".split()
)

_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+)")


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch [start, end) of a paragraph's text."""

    start: int
    end: int


def split_sentences(text: str) -> tuple[Span, ...]:
    """Sentence spans covering `text`, leading/trailing blanks excluded."""
    spans: list[Span] = []
    start = 0
    for m in _END.finditer(text):
        end = m.end()
        if not _is_break(text, m.start(), end):
            continue
        spans.append(Span(start, end))
        start = end
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text.rstrip()):
        spans.append(Span(start, len(text.rstrip())))
    return tuple(_strip(text, s) for s in spans if text[s.start : s.end].strip())


def _strip(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def _is_break(text: str, punct: int, end: int) -> bool:
    """Whether the mark at `punct` (ending at `end`) ends a sentence. The text around it is
    read in place: copying what comes after each mark, or searching all that comes
    before, made splitting a long paragraph quadratic."""
    at = end
    while at < len(text) and text[at].isspace():
        at += 1
    if at == len(text):
        return True
    first = text[at]
    if not (first.isupper() or first.isdigit() or first in "\"“‘'(["):
        return False
    if text[punct] != ".":
        return True
    word = _word_before(text, punct)
    if word.lower() in _NO_BREAK_AFTER:
        return False
    if len(word) == 1 and word.isupper():
        return False  # an initial: "J. Doe"
    if "." in word and _INITIALISM.fullmatch(word):
        # "U.S. In response" breaks, "U.S. officials" does not.
        next_word = _NEXT_WORD.match(text, at)
        return next_word is not None and next_word.group(0).lower() in _SENTENCE_STARTERS
    return True


def _word_before(text: str, end: int) -> str:
    """The run of word characters (`isalnum`, "_") and dots that ends at `end`, or before
    a newline there: what a regex search for `[\\w.]+$` in `text[:end]` finds."""
    if end and text[end - 1] == "\n":
        end -= 1
    start = end
    while start and (text[start - 1].isalnum() or text[start - 1] in "_."):
        start -= 1
    return text[start:end]


_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_NEXT_WORD = re.compile(r"[\w’']+")


def sentence_at(sentences: tuple[Span, ...], offset: int) -> Span:
    """The sentence that contains `offset` (the last one if it is past the end)."""
    for span in sentences:
        if offset < span.end:
            return span
    return sentences[-1] if sentences else Span(0, 0)

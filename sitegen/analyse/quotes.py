"""Find direct quotations in one paragraph: straight, curly and angle marks.

A quote mark may be missing at a paragraph end (a quote carried over to the next
paragraph, or a typo). Unlike textacy's `direct_quotations`, which gives up on an odd
count of marks, an unmatched opening mark runs to the paragraph end and an unmatched
closing mark starts at the paragraph start, so one odd mark never loses the other quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_OPENERS = frozenset("“«„")
_CLOSERS = frozenset("”»")
_STRAIGHT = '"'
_ANY_MARK = re.compile("[" + re.escape("".join(sorted(_OPENERS | _CLOSERS)) + _STRAIGHT) + "]")
_BEFORE_OPEN = frozenset(" \t\n([{—–-:/")
MIN_WORDS = 2
"""A single quoted word is a scare quote or a name, not a statement."""

_Mark = Literal["open", "close"]


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """The quoted words [start, end) of a paragraph, without the marks."""

    start: int
    end: int
    text: str
    opened: bool
    """False when the opening mark is missing (the quote starts the paragraph)."""
    closed: bool
    """False when the closing mark is missing (the quote runs to the paragraph end)."""


def _family(ch: str) -> str:
    return {"“": "curly", "”": "curly", "«": "angle", "»": "angle", "„": "low"}.get(ch, "straight")


def _marks(text: str) -> list[tuple[int, _Mark, str]]:
    """(position, open or close, family) of every quote mark."""
    marks: list[tuple[int, _Mark, str]] = []
    inside = False
    for found in _ANY_MARK.finditer(text):
        i, ch = found.start(), found.group(0)
        if ch in _OPENERS:
            marks.append((i, "open", _family(ch)))
            inside = True
        elif ch in _CLOSERS:
            marks.append((i, "close", _family(ch)))
            inside = False
        else:
            prev = text[i - 1] if i else " "
            nxt = text[i + 1] if i + 1 < len(text) else " "
            if prev in _BEFORE_OPEN and not nxt.isspace():
                kind: _Mark = "open"
            elif not prev.isspace() and (nxt.isspace() or not nxt.isalnum()):
                kind = "close"
            else:
                kind = "close" if inside else "open"
            marks.append((i, kind, "straight"))
            inside = kind == "open"
    return marks


_SINGLE = re.compile(r"(?:^|(?<=[\s(\[—–:]))‘(?=\S)(.+?)(?<=\S)’(?![\w’])")


def _single_quoted(text: str) -> list[tuple[int, int, bool, bool]]:
    """‘…’ quotations, for outlets that use single marks (only where a paragraph has no
    double marks: a closing ’ is also the apostrophe of "Korea’s", so it must be followed
    by no letter)."""
    return [(m.start(1), m.end(1), True, True) for m in _SINGLE.finditer(text)]


def find_quotes(text: str) -> tuple[QuoteSpan, ...]:
    """Every quotation of at least MIN_WORDS words in `text`, in order. Marks of another
    family inside a quote ("… said “…”," in straight quotes) belong to that quote."""
    raw: list[tuple[int, int, bool, bool]] = []
    open_at: int | None = None
    open_family = ""
    for pos, kind, family in _marks(text):
        if open_at is not None:
            closes = family == open_family or (open_family == "low" and family == "curly")
            if not closes:
                continue  # a nested quotation
            if kind == "open" and open_family != "low":
                raw.append((open_at + 1, pos, True, False))  # the first one was never closed
                open_at = pos
            else:
                raw.append((open_at + 1, pos, True, True))
                open_at = None
        elif kind == "open":
            open_at, open_family = pos, family
        elif not raw:
            raw.append((0, pos, False, True))
    if open_at is not None:
        raw.append((open_at + 1, len(text), True, False))
    if not raw and "‘" in text:
        raw = _single_quoted(text)
    quotes = []
    for start, end, opened, closed in raw:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        words = re.findall(r"\w+", text[start:end])
        if len(words) >= MIN_WORDS:
            quotes.append(QuoteSpan(start, end, text[start:end], opened, closed))
    return tuple(quotes)

"""Words of a paragraph with the facts the actor detector reads off them.

A token keeps its exact offsets, so every mention built from tokens is an exact span of
`Paragraph.text`. A possessive ("Seoul’s") is split off its word and kept as a flag.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from nameparser.config import CONSTANTS

from sitegen.analyse.lexicon import particles

# Dotted initialisms first ("U.S."), then words with inner hyphens and apostrophes.
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[A-Z]+&[A-Z]+\b|\w+(?:[-‐'’]\w+)*")
_POSSESSIVES = ("'s", "'S", "’s", "’S")
_OPEN_QUOTES = "“\"‘'(["


class Token(NamedTuple):
    """One word. A tuple, made by `tokenize` with every fact the name finder reads set
    once: it reads them millions of times, and makes some 750 tokens an article."""

    text: str
    """The word, without a possessive ending."""
    start: int
    end: int
    """End of the word; the possessive, if any, runs from `end` to `end + 2`."""
    possessive: bool
    gap: str
    """The text between the previous token (or paragraph start) and this one."""
    sentence_initial: bool
    lower: str
    capitalised: bool
    """Starts with a capital, or is a particle-led name part ("al-Assad")."""
    acronym: bool
    """"NATO", "U.S.": two or more capitals, nothing else."""


def tokenize(text: str) -> list[Token]:
    """Split one paragraph into tokens with gaps and sentence starts.

    Some 750 tokens an article, so the common case takes no call of its own: a word after
    blanks starts no sentence (`_starts_sentence`), and a token is made as the tuple it is
    (`Token(...)` runs the named tuple's `__new__` in Python): 1.65 -> 1.45 µs a token."""
    out: list[Token] = []
    prev_end = 0
    led_by_particle = particles()
    for m in _TOKEN.finditer(text):
        word = m.group()
        start, end = m.span()
        gap_end, possessive = end, False
        if word.endswith(_POSSESSIVES) and len(word) > 2:
            word, end, possessive = word[:-2], end - 2, True
        gap = text[prev_end:start]
        if word[:1].isupper():
            bare = word.replace(".", "").replace("&", "")
            capitalised, acronym = True, 2 <= len(bare) <= 8 and bare.isalpha() and bare.isupper()
        elif "-" in word:  # no acronym starts in lower case; a particle-led name part may ("al-Assad")
            head, _, rest = word.partition("-")
            capitalised, acronym = rest[:1].isupper() and (head + "-") in led_by_particle, False
        else:
            capitalised = acronym = False
        starts = False if out and (not gap or gap.isspace()) else _starts_sentence(out, gap)
        out.append(_new_token(Token, (word, start, end, possessive, gap, starts, word.lower(), capitalised, acronym)))
        prev_end = gap_end
    return out


_new_token = tuple.__new__


def _starts_sentence(before: list[Token], gap: str) -> bool:
    if not before:
        return True
    stripped = gap.strip()
    if not stripped:
        return False
    if gap[-1:] in _OPEN_QUOTES or stripped[-1:] in "“‘(":
        # An opening quote or bracket right before the word: `said: “We ...`
        return True
    core = stripped.rstrip("”\"’')] ")
    if core and core[-1] in ".!?:;":
        prev = before[-1].text
        # "Mr. Smith", "Gen. Jones", "George W. Bush": a title or an initial does not end a sentence.
        return not (core[-1] == "." and core == "." and (
            (len(prev) <= 4 and prev[:1].isupper() and prev.lower() in CONSTANTS.titles)
            or (len(prev) == 1 and prev.isupper())))
    return False

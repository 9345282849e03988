"""Roles and affiliations, read from the words around a name.

Two shapes carry them in news English: a title in front ("South Korean President Yoon",
"Ukraine's military intelligence chief Kyrylo Budanov", "Secretary General of the North
Atlantic Treaty Organisation Mark Rutte") and an appositive behind ("Valeriy Ryabykh, editor
of the Ukrainian publication Defence Express,"; "Moon Seong-mok from the Korea National
Strategy Institute"). Each `Role` keeps the text it was read from, for the actor page.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sitegen.analyse.gazetteer import SEATS_OF_POWER, Gazetteer, fold
from sitegen.analyse.lexicon import (
    HONORIFICS,
    MEDIA_HEADS,
    ORG_HEADS,
    PLACE_HEADS,
    is_role_head,
    is_title_word,
    stopwords,
)
from sitegen.pickling import pickled_by_value

if TYPE_CHECKING:
    from sitegen.analyse.tokens import Token


@pickled_by_value  # 100,000 in the cached names of 10,000 articles
@dataclass(frozen=True, slots=True)
class Role:
    """What a text says someone is, and for whom."""

    title: str | None
    """"President", "military intelligence chief"."""
    state: str | None
    """ISO code of the state named with the title ("South Korean", "Ukraine's")."""
    organisation: str | None
    """Name of the organisation named with the title ("NATO", "Defence Express")."""
    source: str | None
    """The words the role was read from."""


class _Named(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def state(self) -> str | None: ...
    @property
    def end(self) -> int: ...


_CONNECTOR = {"of", "for", "at", "from"}


def _affiliation_of(words: str, gaz: Gazetteer) -> tuple[str | None, str | None]:
    """(state code, organisation name) for a phrase that names an affiliation."""
    phrase = re.sub(r"^(the|a|an)\s+", "", words.strip(), flags=re.IGNORECASE)
    if not phrase:
        return None, None
    folded = fold(phrase)
    code = gaz.state_of(folded) or gaz.demonyms.get(folded)
    if code:
        return code, None
    bare = phrase.replace(".", "")
    if bare in gaz.codes:
        return gaz.codes[bare], None
    seat = SEATS_OF_POWER.get(folded)
    if seat:
        return (seat.state, None) if seat.kind == "state" else (None, phrase)
    folded_words = [fold(w) for w in phrase.split()]
    # An organisation's name has a head noun or is an acronym; otherwise the words are part
    # of the title ("Secretary of State", "Minister of Foreign Affairs").
    if phrase[:1].isupper() and (bare.isupper() or (
            len(folded_words) > 1 and any(w in ORG_HEADS or w in MEDIA_HEADS for w in folded_words))):
        return None, phrase
    return None, None


def split_title(text: str, title: Sequence[Token], gaz: Gazetteer,
                mid_caps: frozenset[str] = frozenset()) -> Role:
    """Read a title that stands before a name: its affiliation (a state, demonym or seat
    anywhere in it, else a leading acronym or organisation) and the role words left over.
    `mid_caps` holds the words the article capitalises mid-sentence: a leading capitalised
    word counts as an organisation ("Hamas negotiator") only if it is one of them, so that
    "Government spokesman" at a sentence start is not an organisation."""
    source = text[title[0].start : title[-1].end]
    state: str | None = None
    org: str | None = None
    rest = list(title)
    found = _state_in(rest, gaz)
    if found is not None:
        k, n, code, seat_org = found
        if seat_org:
            org = " ".join(t.text for t in rest[k : k + n])
            state = code
        else:
            state = code
        rest = rest[:k] + rest[k + n :]
    lead = _leading_organisation(rest, mid_caps, gaz.regions)
    if lead:
        org = org or text[rest[0].start : rest[lead - 1].end]
        rest = rest[lead:]
    # "Secretary General of the North Atlantic Treaty Organisation": affiliation after "of".
    for k, t in enumerate(rest):
        if t.lower in _CONNECTOR and k > 0 and is_role_head(rest[k - 1].text):
            after = text[rest[k].end : rest[-1].end]
            s, o = _affiliation_of(after, gaz)
            if s or o:
                state, org = state or s, org or o
                rest = rest[:k]
            break
    while rest and (rest[-1].lower in HONORIFICS or rest[-1].lower in _CONNECTOR or rest[-1].lower == "the"):
        rest = rest[:-1]
    while rest and rest[0].lower in HONORIFICS:
        rest = rest[1:]
    words = _join(text, rest) if rest else None
    return Role(words, state, org, source)


def _join(text: str, tokens: Sequence[Token]) -> str:
    """The tokens' text, keeping the original separators where the tokens are adjacent."""
    out = tokens[0].text
    for prev, t in itertools.pairwise(tokens):
        gap = text[prev.end : t.start]
        out += (gap if gap in (" ", "-") else " ") + t.text
    return out


def _state_in(tokens: Sequence[Token], gaz: Gazetteer) -> tuple[int, int, str, bool] | None:
    """(position, length, ISO code, is-an-organ) of the first state, demonym or seat."""
    for i, t in enumerate(tokens):
        if not t.text[:1].isupper():
            continue
        for n in range(min(4, len(tokens) - i), 0, -1):
            part = tokens[i : i + n]
            if not all(x.text[:1].isupper() for x in part) or any(x.gap != " " for x in part[1:]):
                continue
            if any(x.possessive for x in part[:-1]):
                continue
            phrase = " ".join(x.text for x in part)
            folded = fold(phrase)
            bare = phrase.replace(".", "")
            code = gaz.state_of(folded) or gaz.demonyms.get(folded) or (
                gaz.codes.get(bare) if part[0].acronym else None)
            if code:
                return i, n, code, False
            seat = SEATS_OF_POWER.get(folded)
            if seat and seat.kind == "organisation":
                return i, n, seat.state, True
    return None


def _leading_organisation(tokens: Sequence[Token], mid_caps: frozenset[str],
                          regions: frozenset[str] = frozenset()) -> int:
    """How many leading tokens name an organisation: an acronym ("NATO Secretary General"),
    capitalised words ending in an organisation noun ("State Department spokesperson"), or a
    single capitalised word the article also capitalises mid-sentence ("Hamas negotiator")."""
    if len(tokens) < 2:
        return 0
    caps = 0
    while caps < len(tokens) - 1 and tokens[caps].text[:1].isupper() and not is_title_word(tokens[caps].text):
        caps += 1
    generic = ORG_HEADS | MEDIA_HEADS | PLACE_HEADS
    if caps >= 2 and tokens[caps - 1].lower in ORG_HEADS | MEDIA_HEADS:
        return caps  # "State Department spokesperson", "BGC Partners analyst"
    if tokens[0].acronym:
        return 1
    if caps == 1 and fold(tokens[0].text) in regions:
        return 0  # "Europe director": a remit, not an organisation
    # One word: a name of its own ("Hamas negotiator"), not a common noun ("Union leader").
    if caps == 1 and tokens[0].text in mid_caps and tokens[0].lower not in stopwords() | generic:
        return 1
    return 0


_APPOSITIVE = re.compile(r",\s+(?:(?:a|an|the)\s+)?(?P<role>[^,.;:()“”\"]{3,100}?)(?=[,.;:]|\s+\(|\s+who\s|$)")
_FROM = re.compile(r"\s+(?:from|of|at)\s+(?:the\s+)?")


def appositive_role(text: str, end: int, following: Sequence[_Named]) -> Role | None:
    """The role an appositive or a "from the X" phrase gives the name ending at `end`."""
    m = _FROM.match(text, end)
    if m:
        named = next((c for c in following if c.start == m.end()), None)
        if named is not None and named.kind in ("organisation", "media", "acronym"):
            return Role(None, None, named.name, text[end : named.start + len(named.name)].strip())
        if named is not None and named.kind == "state":  # "President Luz Arce of Paraguay"
            return Role(None, named.state, None, text[end : named.end].strip())
    m = _APPOSITIVE.match(text, end)
    if not m:
        return None
    phrase = m.group("role")
    words = phrase.split()
    head_at = None
    for k, w in enumerate(words[:6]):
        lw = w.lower()
        if lw in _CONNECTOR:
            break
        if is_role_head(w):
            head_at = k
        elif lw in stopwords() and lw not in ("former",):
            break
    if head_at is None:
        return None
    title = " ".join(words[: head_at + 1])
    state: str | None = None
    org: str | None = None
    inside = [c for c in following if m.start("role") <= c.start < m.end("role")]
    if len(words) > head_at + 1 and words[head_at + 1].lower() in _CONNECTOR:
        kinds = ("organisation", "media", "acronym", "state", "single")
        affiliated = [c for c in inside if c.kind in kinds]
        if affiliated:
            last = affiliated[-1]
            if last.kind == "state":
                state = last.state
            else:
                org = last.name
    return Role(title, state, org, phrase)

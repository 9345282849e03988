"""Roles and affiliations, read from the words around a name.

Two shapes carry them in news English: a title in front ("South Korean President Yoon",
"Ukraine's military intelligence chief Kyrylo Budanov", "Secretary General of the North
Atlantic Treaty Organisation Mark Rutte") and an appositive behind ("Valeriy Ryabykh, editor
of the Ukrainian publication Defence Express,"; "Moon Seong-mok from the Korea National
Strategy Institute"). Each `Role` keeps the text it was read from, for the actor page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sitegen.analyse.gazetteer import SEATS_OF_POWER, Gazetteer, fold
from sitegen.analyse.lexicon import is_role_head, stopwords

if TYPE_CHECKING:
    from sitegen.analyse.tokens import Token


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


_CONNECTOR = {"of", "for", "at", "from"}


def _affiliation_of(words: str, gaz: Gazetteer) -> tuple[str | None, str | None]:
    """(state code, organisation name) for a phrase that names an affiliation."""
    phrase = re.sub(r"^(the|a|an)\s+", "", words.strip(), flags=re.IGNORECASE)
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
    if phrase[:1].isupper():
        return None, phrase
    return None, None


def split_title(text: str, title: Sequence[Token], gaz: Gazetteer) -> Role:
    """Read a title that stands before a name: affiliation first, then the role words."""
    source = text[title[0].start : title[-1].end]
    state: str | None = None
    org: str | None = None
    rest = list(title)
    # Leading affiliation: the longest state, demonym or seat phrase, else an acronym.
    for k in range(min(len(rest), 4), 0, -1):
        if any(t.gap != " " for t in rest[1:k]):
            continue
        phrase = " ".join(t.text for t in rest[:k])
        if not all(t.text[:1].isupper() for t in rest[:k]):
            continue
        s, o = _affiliation_of(phrase, gaz)
        if s and (fold(phrase) in gaz.demonyms or gaz.state_of(fold(phrase)) or phrase.replace(".", "") in gaz.codes):
            state, rest = s, rest[k:]
            break
        if fold(phrase) in SEATS_OF_POWER:
            state, org, rest = s, o, rest[k:]
            break
    else:
        if rest and rest[0].acronym and len(rest) > 1:
            org, rest = rest[0].text, rest[1:]
    # "Secretary General of the North Atlantic Treaty Organisation": affiliation after "of".
    for k, t in enumerate(rest):
        if t.lower in _CONNECTOR and k > 0 and is_role_head(rest[k - 1].text):
            after = text[rest[k].end : rest[-1].end]
            s, o = _affiliation_of(after, gaz)
            state, org = state or s, org or o
            rest = rest[:k]
            break
    words = text[rest[0].start : rest[-1].end] if rest else None
    return Role(words, state, org, source)


_APPOSITIVE = re.compile(r",\s+(?:(?:a|an|the)\s+)?(?P<role>[^,.;:()“”\"]{3,100}?)(?=[,.;:]|\s+who\s|$)")
_FROM = re.compile(r"\s+(?:from|of|at)\s+(?:the\s+)?")


def appositive_role(text: str, end: int, following: Sequence[_Named]) -> Role | None:
    """The role an appositive or a "from the X" phrase gives the name ending at `end`."""
    m = _FROM.match(text, end)
    if m:
        org = next((c for c in following if c.start == m.end()), None)
        if org is not None and org.kind in ("organisation", "media", "acronym"):
            return Role(None, None, org.name, text[end : org.start + len(org.name)].strip())
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
        named = [c for c in inside if c.kind in ("organisation", "media", "acronym", "state", "single")]
        if named:
            last = named[-1]
            if last.kind == "state":
                state = last.state
            else:
                org = last.name
    return Role(title, state, org, phrase)

"""Shorter names resolved within one article: a surname to the nearest full name that holds
it ("Kim" after "Kim Hong-kyun"), "the Commission" to the European Commission named before
it, a compound to its people ("the Rutte-Yoon call"), "the North" to the one North-named state.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import replace

from sitegen.analyse.candidates import Candidate
from sitegen.analyse.gazetteer import fold
from sitegen.analyse.lexicon import MEDIA_HEADS, ORG_HEADS, particles
from sitegen.model import Article


def compass_states(article: Article, found: list[Candidate]) -> list[Candidate]:
    """"the North" is North Korea in an article that names exactly one state called North
    something (and likewise "the South"); otherwise it is only a direction."""
    states = {c.name: c.state for c in found if c.kind == "state" and c.state}
    extra: list[Candidate] = []
    for word in ("North", "South", "East", "West"):
        named = sorted({code for name, code in states.items() if name.startswith(word + " ")})
        if len(named) != 1:
            continue
        code = named[0]
        name = next(n for n, c in sorted(states.items()) if c == code)
        pattern = re.compile(r"\bthe " + word + r"\b(?![-‐]?\s*[A-Z])")
        for para in article.paragraphs:
            for m in pattern.finditer(para.text):
                extra.append(Candidate(para.number, m.start(), m.end(), m.group(), name, "state", state=code))
    if not extra:
        return found
    taken = {(c.paragraph, c.start) for c in found}
    merged = found + [c for c in extra if (c.paragraph, c.start) not in taken and not any(
        o.paragraph == c.paragraph and o.start < c.end and c.start < o.end for o in found)]
    return sorted(merged, key=lambda c: (c.paragraph, c.start, c.end))



@functools.lru_cache(maxsize=1 << 16)
def name_tokens(name: str) -> tuple[str, ...]:
    """Folded words of a name, hyphens split but particles kept on their word:
    "Kim Jong-Un" -> ("kim", "jong", "un"); "Khalid al-Nuaimi" -> ("khalid", "al-nuaimi").
    Cached: merging asks it of the same few thousand names tens of thousands of times."""
    out: list[str] = []
    folded = re.sub(r"\b(?:[a-z]\.){2,}", lambda m: m.group().replace(".", ""), fold(name))  # "U.S." = "US"
    for word in folded.replace(".", " ").split():
        head, sep, _ = word.partition("-")
        if sep and (head in particles() or head + "-" in particles()):
            out.append(word)
        else:
            out.extend(p for p in word.split("-") if p)
    return tuple(out)


def _words(name: str) -> set[str]:
    """The words a name can be cut down to: its space-separated words ("Kim", "Ben-David",
    "al-Nuaimi"), not halves of hyphenated ones ("Taliban" is not "Tehrik-e-Taliban")."""
    return {w for w in fold(name).replace(".", " ").split() if w not in particles()}


def resolve_surnames(found: list[Candidate]) -> list[Candidate]:
    """A shorter form of a name stands for the nearest full name of the same article that
    holds it: "Kim" after "Kim Hong-kyun" is him, whoever else is called Kim; "Quispe" is the
    nearest Quispe before it; "Sánchez de la Vega" is "Rafael Sánchez de la Vega"."""
    people = [c for c in found if c.kind == "person" and len(name_tokens(c.name)) >= 2]
    orgs = [c for c in found if c.kind in ("organisation", "media") and len(name_tokens(c.name)) >= 2]
    orgs.sort(key=lambda c: (c.paragraph, c.start))
    out: list[Candidate] = []
    for c in found:
        pos = (c.paragraph, c.start)
        if c.kind == "office" and c.owner and len(name_tokens(c.owner)) == 1:
            best = _nearest(people, fold(c.owner), pos)
            out.append(c._replace(owner=best.name) if best else c)
            continue
        if c.role and c.role.organisation and c.role.organisation.lower() in ORG_HEADS:
            same = [o for o in orgs if name_tokens(o.name)[-1] == c.role.organisation.lower()]
            best = _closest(same, pos)
            if best:
                c = c._replace(role=replace(c.role, organisation=best.name))
        if c.kind == "media" and c.loose_media and len(name_tokens(c.name)) == 1:
            # "Silva reported", "told Silva": a cue a person fits too; a full name holding
            # the word says which.
            best = _nearest(people, name_tokens(c.name)[0], pos)
            if best is not None:
                out.append(c._replace(kind="person", resolved=best.name, media_cue=False, loose_media=False))
                continue
        if c.kind in ("organisation", "media") and (c.name.lower() in ORG_HEADS or c.name.lower() in MEDIA_HEADS):
            # "the Commission" after "the European Commission", "the Journal" after "the Wall
            # Street Journal".
            same = [o for o in orgs if name_tokens(o.name)[-1] == c.name.lower()]
            best = _closest(same, pos)
            # Unresolved, it is an actor of its own only mid-sentence ("Congress passed").
            out.append(c._replace(name=best.name) if best else c._replace(weak=c.sentence_initial))
            continue
        if c.kind == "single" and "-" in c.surface and all(p[:1].isupper() for p in c.surface.split("-")):
            whole = _nearest(people, fold(c.surface), pos)
            if whole is not None:
                out.append(c._replace(resolved=whole.name, kind="person"))
            else:
                out.extend(_split_compound(c, people))
            continue
        if c.modifier:
            out.append(c)
            continue
        words = name_tokens(c.name)
        if c.kind not in ("single", "person") or c.resolved:
            out.append(c)
            continue
        if len(words) == 1:
            best = _nearest(people, words[0], pos)
        else:
            longer = [p for p in people
                      if len(name_tokens(p.name)) > len(words) and part_of(words, name_tokens(p.name))]
            best = _closest(longer, pos)
        out.append(c._replace(resolved=best.name, kind="person") if best else c)
    return out


def part_of(short: Sequence[str], long: Sequence[str]) -> bool:
    """"Sánchez de la Vega" of "Rafael Sánchez de la Vega": in order, sharing an end."""
    it = iter(long)
    return all(w in it for w in short) and (short[0] == long[0] or short[-1] == long[-1])


def _closest(options: list[Candidate], pos: tuple[int, int]) -> Candidate | None:
    before = [p for p in options if (p.paragraph, p.start) < pos]
    after = [p for p in options if (p.paragraph, p.start) > pos]
    if before:
        return max(before, key=lambda p: (p.paragraph, p.start))
    return min(after, key=lambda p: (p.paragraph, p.start)) if after else None


def _nearest(people: list[Candidate], word: str, pos: tuple[int, int]) -> Candidate | None:
    """The closest full name before `pos` that holds `word`, else the closest after it."""
    if len(word) < 2 or word in particles():
        return None
    return _closest([p for p in people if word in _words(p.name)], pos)


def _split_compound(c: Candidate, people: list[Candidate]) -> list[Candidate]:
    """"the Rutte-Yoon call": one mention per person when every part is a known surname;
    otherwise the compound stays whole ("Indo-Pacific") and the merge drops it."""
    if c.surface.split("-")[0].lower() in particles():
        return [c]  # "Al-Ahram" is one name
    parts: list[Candidate] = []
    offset = c.start
    for part in c.surface.split("-"):
        best = _nearest(people, fold(part), (c.paragraph, c.start))
        if best is None:
            return [c]
        parts.append(c._replace(start=offset, end=offset + len(part), surface=part, name=part,
                                kind="person", resolved=best.name))
        offset += len(part) + 1
    return parts

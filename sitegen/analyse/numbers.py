"""Find the figures of one paragraph: value, range, hedge, unit, and what they count.

Digits ("8,000", "2.5 million", "45%", "$3bn") and written numbers ("four brigades",
"eleven thousand troops", parsed by text2num) are figures; years, dates, times,
ordinals and labels ("F-16", "Resolution 2231") are not. A range ("6,000 to 8,000",
"between 40 and 50") is kept as value..value_max; "6,000 or 8,000" is two figures.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from text_to_num import text2num  # type: ignore[import-untyped]

from sitegen.analyse.measures import (
    FIGURE_WORDS,
    PARTITIVES,
    TIME_UNITS,
    canonical_unit,
    is_known_unit,
    toll_unit,
)

_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_MONTH_RE = "|".join(_MONTHS)
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9,
           "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12}
_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred thousand million billion"
).split()
_WORD = r"(?:" + "|".join(_NUMBER_WORDS) + r")"
_INITIALS = "".join(sorted({word[0] for word in _NUMBER_WORDS}))
# Each pattern opens with a lookahead for the characters a match can start with: the regex
# engine then skips ahead to them, where it would try the whole pattern at every position
# of every paragraph (the two searches took 0.84 s at 1,000 articles; now 0.38). After it,
# `(?<!\w)` is the `\b` before a word.
_WRITTEN = re.compile(rf"(?=[{_INITIALS}])(?<!\w){_WORD}(?:(?:[\s-]+|\s+and\s+){_WORD})*\b", re.IGNORECASE)
_DIGITS = re.compile(
    r"(?=US\$|[$€£\d])(?P<cur>US\$|\$|€|£)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<scale>thousand|million|billion|trillion|bn|mn|tn|[kmb])\b)?"
    r"(?P<pct>\s*%|\s+percent\b|\s+per\s+cent\b)?"
)
_RANGE_JOIN = re.compile(r"^\s*(?:-|–|—|to)\s*$")
_HEDGES = (
    "as many as", "as few as", "up to", "more than", "less than", "fewer than", "at least",
    "at most", "close to", "nearly", "almost", "about", "around", "approximately", "roughly",
    "some", "over", "under", "upwards of", "an estimated", "estimated", "just over",
    "just under", "well over", "no fewer than", "no more than", "in excess of", "only",
)
_HEDGE_RE = re.compile(
    r"(?:^|\W)(?P<hedge>" + "|".join(re.escape(h) for h in sorted(_HEDGES, key=len, reverse=True))
    + r")\s+(?:between\s+|from\s+)?$",
    re.IGNORECASE,
)
_STOP = frozenset(
    """a an the of to in on at by for from with and or but as than that which who whom whose
    is are was were be been being will would may might could should can has have had do does
    did not this these those it its their his her our who per into over under about between
    more less most least also already still""".split()
)
_MAX_UNIT_GAP = 4


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure in a paragraph: offsets of its surface and what it counts."""

    start: int
    end: int
    surface: str
    value: float
    value_max: float | None
    hedge: str | None
    unit: str | None
    """Canonical unit ("troops", "percent", "usd"), or None when the text names none."""
    modifier: str | None
    """Proper adjective in front of the unit ("Malian"), for the measure key."""
    qualifier: str | None
    """A partitive head ("first group"), for the measure key."""
    of_what: str | None
    """What a share is of ("vote" in "52% of the vote")."""


@dataclass(frozen=True, slots=True)
class _Raw:
    start: int
    end: int
    value: float
    currency: str | None
    percent: bool
    written: bool


def _parse_digits(m: re.Match[str]) -> float:
    value = float(m.group("num").replace(",", ""))
    scale = (m.group("scale") or "").lower()
    return value * _SCALES.get(scale, 1.0)


def _is_date_or_label(text: str, m: re.Match[str]) -> bool:
    start, end = m.start("num"), m.end("num")
    num = m.group("num")
    before = text[:start]
    after = text[end:]
    if m.group("cur") or m.group("pct"):
        return False
    if re.search(r"[A-Za-z]-?$", before[-3:]) or _after_colon_or_slash(before):
        return True  # F-16, G7, 10:30, 3/4
    if re.match(r"(?:st|nd|rd|th|s)\b|[:/]\d|-(?!strong\b)[A-Za-z]", after):
        return True  # 21st, 1970s, 10:30, COVID-19-style labels
    if _MONTH.fullmatch(_word_at_end(before, ",.")):
        return True  # Oct. 21, June 2024
    if re.match(rf",?\s*(?:{_MONTH_RE})\b", after, re.IGNORECASE):
        return True  # 21 October
    plain = num.replace(",", "")
    if "," not in num and "." not in num and len(plain) == 4 and 1800 <= int(plain) <= 2100:
        return True  # a year
    return bool(_LABEL.fullmatch(_word_at_end(before, ".")))


# What comes before a figure is read backwards from it: a search for a pattern ending at
# `$` in all the text before tried it at every position, for every figure (a paragraph of
# 78,000 characters took 4 s). Each reading is what such a search found.
_MONTH = re.compile(f"(?:{_MONTH_RE})", re.IGNORECASE)
_LABEL = re.compile(r"No|Article|Resolution|Section|Chapter|Room|Flight|Route")


def _after_colon_or_slash(before: str) -> bool:
    """A ':' or '/' then digits up to the end of `before` (or to a newline ending it)."""
    start = len(before) - 1 if before.endswith("\n") else len(before)
    while start and before[start - 1].isdecimal():
        start -= 1
    return start > 0 and before[start - 1] in ":/"


def _word_at_end(before: str, marks: str) -> str:
    """The word `before` ends with, past trailing blanks and then up to one of each of
    `marks`, read from the end ("Oct.," with ",." is "Oct"), if nothing but blanks and
    those marks follows it and a word boundary precedes it; else ""."""
    core = before.rstrip()
    for mark in marks:
        if core.endswith(mark):
            core = core[:-1]
    start = len(core)
    while start and (core[start - 1].isalnum() or core[start - 1] == "_"):
        start -= 1
    return core[start:]


def _raw_figures(text: str) -> list[_Raw]:
    raws: list[_Raw] = []
    taken: list[tuple[int, int]] = []
    for m in _DIGITS.finditer(text):
        if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] in ".,"):
            continue
        if _is_date_or_label(text, m):
            continue
        raws.append(_Raw(m.start(), m.end(), _parse_digits(m), m.group("cur"),
                         bool(m.group("pct")), False))
        taken.append((m.start(), m.end()))
    for m in _WRITTEN.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        phrase = re.sub(r"\s+and\s+", " ", m.group(0)).replace("-", " ")
        try:
            value = float(text2num(phrase.lower(), "en"))
        except ValueError:
            continue
        raws.append(_Raw(m.start(), m.end(), value, None, False, True))
    raws.sort(key=lambda r: r.start)
    return raws


def _hedge(text: str, start: int) -> str | None:
    window = text[max(0, start - 30) : start]
    m = _HEDGE_RE.search(window)
    return m.group("hedge").lower() if m else None


def _unit_after(text: str, end: int) -> tuple[str | None, str | None, str | None, int]:
    """(unit word, modifier, of_what, end of the unit) from the words after a figure."""
    strong = re.match(r"-strong\b", text[end:])
    if strong:
        end += strong.end()  # "a 5,000-strong force"
    # The words the unit can be among, not every word to the paragraph's end.
    words = list(itertools.islice(re.finditer(r"[\w’'-]+|[^\w\s]", text[end:]), _MAX_UNIT_GAP + 2))
    modifier: list[str] = []
    for i, w in enumerate(words[:_MAX_UNIT_GAP + 1]):
        word = w.group(0)
        low = word.lower()
        if not re.match(r"\w", word) or low in _STOP:
            break
        if "'" in word or "’" in word:
            break
        if word[0].isupper():
            modifier.append(word)
            continue
        if low in TIME_UNITS:
            return low, None, None, end + w.end()
        if low == "basis" and i + 1 < len(words) and words[i + 1].group(0).lower() == "points":
            return "points", " ".join(modifier) or None, None, end + words[i + 1].end()
        if is_known_unit(low) or (low.endswith("s") and len(low) > 3 and not low.endswith("ss")):
            return low, " ".join(modifier) or None, None, end + w.end()
        if low in FIGURE_WORDS:
            return None, " ".join(modifier) or None, None, end + w.end()
        if i >= 1 and not modifier:
            break
    if modifier and re.fullmatch(r"[A-Z][a-z]+[^s]s", modifier[-1]):
        # "2.1 million Chileans": a plural demonym counts people of that nationality.
        return "people", " ".join([*modifier[:-1], modifier[-1][:-1]]), None, end
    return None, " ".join(modifier) or None, None, end


def _context_before(text: str, start: int) -> tuple[str | None, str | None]:
    """(unit, qualifier) from the words before a figure: "death toll of 45",
    "a force of 6,000", "the first group of 2,600"."""
    before = text[max(0, start - 60) : start]
    toll = re.search(r"\b(\w+)\s+toll\b[^.;]{0,80}$", text[max(0, start - 130) : start],
                     re.IGNORECASE)
    if toll and toll_unit(toll.group(1)):
        return toll_unit(toll.group(1)), None
    m = re.search(
        r"(?:\b(?P<adj>[a-z]+)\s+)?\b(?P<noun>[a-z]+)\s+of\s+(?:(?:" + "|".join(_HEDGES)
        + r")\s+)?(?:between\s+)?$",
        before,
    )
    if not m:
        return None, None
    noun = m.group("noun")
    if noun in PARTITIVES:
        qualifier = f"{m.group('adj')} {noun}" if m.group("adj") and m.group("adj") not in _STOP \
            else noun
        return None, qualifier
    if is_known_unit(noun):
        return canonical_unit(noun), None
    return None, None


def _result_verb(text: str, end: int) -> str | None:
    """"45 people were killed" counts deaths, not people."""
    m = re.match(r"\s+(?:(?!and\b|or\b|but\b)\w+\s+){0,2}?"
                 r"(?:were|have been|had been|was|are|been|remain|remained)?"
                 r"\s*(?:left\s+|still\s+)?(killed|dead|died|injured|wounded|hurt|homeless|"
                 r"displaced|evacuated|missing|arrested|detained|rescued|hospitali[sz]ed|"
                 r"in hospital)\b", text[end:])
    if not m:
        return None
    word = m.group(1)
    return "hospitalised" if "hospital" in word else canonical_unit(word)


def find_figures(text: str) -> tuple[Figure, ...]:
    """Every figure of one paragraph's text, in order."""
    raws = _raw_figures(text)
    figures: list[Figure] = []
    skip: set[int] = set()
    for i, raw in enumerate(raws):
        if i in skip:
            continue
        start, end, value_max = raw.start, raw.end, None
        nxt = raws[i + 1] if i + 1 < len(raws) else None
        between_m = re.search(r"\bbetween\s+$", text[max(0, raw.start - 10) : raw.start],
                              re.IGNORECASE)
        if nxt is not None:
            gap = text[raw.end : nxt.start]
            if _RANGE_JOIN.match(gap) or (between_m and re.fullmatch(r"\s+and\s+", gap)):
                value_max = nxt.value
                end = nxt.end
                skip.add(i + 1)
        value = raw.value
        if value_max is not None and value_max >= 1000 * value and value < 1000:
            # "10 to 12 million": the scale written once applies to both ends.
            value *= value_max / _leading(value_max, value)
        unit_word, modifier, of_what, unit_end = _unit_after(text, end)
        if unit_word is None and nxt is not None and i + 1 not in skip and \
                re.fullmatch(r"\s+or\s+", text[end : nxt.start]):
            unit_word, modifier, of_what, _ = _unit_after(text, nxt.end)  # "6,000 or 8,000 troops"
        unit = canonical_unit(unit_word)
        if raw.percent:
            unit = "percent"
            of_what = _of_what(text, end) or _subject_of_share(text, start)
        elif raw.currency:
            unit = canonical_unit(raw.currency.lower())
        if unit in TIME_UNITS:
            continue
        before_unit, qualifier = _context_before(text, start)
        if unit is None:
            unit = before_unit
        outcome = _result_verb(text, unit_end)
        if outcome and unit not in {"people", None}:
            qualifier = qualifier or unit  # "45 soldiers were killed": soldiers' deaths
        unit = outcome or unit
        if unit in {"people", None}:
            verb = re.search(r"\b(kill|injur|wound)(?:ed|ing|s|e)?\s+(?:[a-z]+\s+){0,2}$",
                             text[max(0, start - 30) : start])
            if verb:  # "killing at least 45 people", "injuring more than 200"
                unit = "deaths" if verb.group(1) == "kill" else "injured"
        if raw.written and not (unit and (is_known_unit(unit) or value >= 10)):
            continue  # "the two discussed", "one of them"
        if raw.written and value < 2:
            continue
        prev = figures[-1] if figures else None
        if unit is None and prev is not None and re.fullmatch(r"\s+or\s+", text[prev.end : start]):
            unit, modifier, qualifier = prev.unit, prev.modifier, prev.qualifier  # "6,000 or 8,000"
        figures.append(Figure(start, end, text[start:end], value, value_max,
                              _hedge(text, start), unit, modifier, qualifier, of_what))
    return tuple(figures)


def _leading(value_max: float, value: float) -> float:
    scale = 1.0
    while value_max / scale >= 1000 * value and value_max / scale >= 1000:
        scale *= 1000
    return value_max / scale


def _of_what(text: str, end: int) -> str | None:
    """"52% of the vote" -> "votes" (the unit's canonical name)."""
    m = re.match(r"\s+of\s+(?:the\s+|all\s+)?([a-z]+)", text[end:])
    return canonical_unit(m.group(1)) if m else None


_LINKING = r"(?:was|is|were|are|stood at|stands at|reached|of|at|rose to|fell to|hit|climbed to|dropped to)"


def _subject_of_share(text: str, start: int) -> str | None:
    """"turnout was about 63 percent", "inflation reached 23.1%": what the share measures."""
    m = re.search(r"\b([A-Za-z]+)\s+" + _LINKING + r"\s+(?:[a-z]+\s+){0,2}$",
                  text[max(0, start - 50) : start])
    if not m or m.group(1).lower() in _STOP:
        return None
    return m.group(1).lower()

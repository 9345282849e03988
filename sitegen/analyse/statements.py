"""Reported statements without quote marks, and the cues that qualify a claim.

"X said (that) …", "X warned …", "according to X, …", "X has accused Y of …", and
"reportedly" / "reports indicate" as unattributed statements. The cues for `unverified`
(the text itself says the claim is not confirmed) and for a denial live here too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sitegen.analyse.reporting import REPORTING_VERB, reporting_verbs
from sitegen.analyse.sentences import Span

UNVERIFIED = re.compile(
    r"\b(?:reportedly|allegedly|purportedly|unconfirmed|unverified|rumou?red|"
    r"not (?:yet )?(?:been )?(?:independently )?(?:verified|confirmed)|if confirmed|"
    r"(?:cannot|could not|can ?not|couldn't|can't) (?:be )?(?:independently )?"
    r"(?:confirm|verify|verified|confirmed)|"
    r"without (?:explicitly )?confirming|refrained from confirming|"
    r"it (?:has been|was|is) (?:reported|claimed|asserted|alleged)|"
    r"reports (?:indicate|suggest|say|said|claim)|neither (?:truly )?(?:denying|confirming))\b",
    re.IGNORECASE,
)
DENIAL = re.compile(
    r"\b(?:denied|denies|deny|denying|dismissed|rejected|refuted|disowned|"
    r"never (?:gave|said|made|confirmed|provided|offered|mentioned)|"
    r"(?:is|was|are|were) (?:false|untrue|fabricated|baseless|not true))\b",
    re.IGNORECASE,
)
_UNATTRIBUTED = re.compile(
    r"\b(?:reportedly|allegedly|it (?:has been|was|is) (?:reported|claimed|asserted|alleged)|"
    r"reports (?:indicate|suggest|say|said|claim))\b",
    re.IGNORECASE,
)
_ACCORDING = re.compile(r"\baccording to\b", re.IGNORECASE)
MAX_QUOTED_SHARE = 0.6
"""A sentence that is mostly quotation is a quote claim, not also a statement."""


MIN_REPORTED_WORDS = 6
"""Words outside quote marks after the verb for a quoting sentence to also report a statement."""


@dataclass(frozen=True, slots=True)
class StatementCue:
    """Where a sentence reports a statement: the cue and the reported clause."""

    cue_start: int
    cue_end: int
    clause: str
    """The reported words: the clause after "said (that)", or the whole sentence."""
    unattributed: bool
    """True for "reportedly"-style statements that name no speaker."""


def _outside(text: str, span: Span, quotes: Sequence[tuple[int, int]]) -> str:
    """The span's text with the quotations in it blanked out, character for character."""
    out = text[span.start : span.end]
    for s, e in quotes:
        start, end = max(s, span.start) - span.start, min(e, span.end) - span.start
        if start < end:
            out = out[:start] + " " * (end - start) + out[end:]
    return out


def _attributes_quote(text: str, start: int, end: int, quotes: Sequence[tuple[int, int]]) -> bool:
    """The verb only introduces or attributes a quote: `"…," X said`, `X said: "…"`."""
    for q_start, q_end in quotes:
        after = text[q_end:start]
        if 0 <= start - q_end <= 80 and re.fullmatch(r"[\s,.!?”\"’—–-]*(?:[^\s,;]+\s+){0,6}", after):
            return True
        before = text[end:q_start]
        if 0 <= q_start - end <= 40 and re.fullmatch(
                r"\s*(?:[\w’']+\s+){0,3}?(?:that\s*)?[:,]?\s*[“\"]?\s*", before):
            return True
    return False


def quoted_share(span: Span, quotes: Sequence[tuple[int, int]]) -> float:
    """How much of a sentence lies inside quote marks."""
    inside = sum(max(0, min(e, span.end) - max(s, span.start)) for s, e in quotes)
    return inside / max(1, span.end - span.start)


def is_unverified(text: str, span: Span, quotes: Sequence[tuple[int, int]]) -> bool:
    """The sentence, outside its quotes, says its claim is not confirmed."""
    return bool(UNVERIFIED.search(_outside(text, span, quotes)))


_NEGATED = re.compile(r"\b(?:neither|nor|not|never|without|no)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)


def is_reported_speech(text: str, span: Span, quotes: Sequence[tuple[int, int]]) -> bool:
    """The words were "reportedly" said: the quote itself is second-hand."""
    outside = _outside(text, span, quotes)
    return bool(re.search(r"\b(?:reportedly|allegedly|purportedly)\s+(?:\w+\s+)?(?:"
                          + REPORTING_VERB.pattern + ")", outside, re.IGNORECASE))


def is_denial(text: str, span: Span, quotes: Sequence[tuple[int, int]]) -> bool:
    """The sentence, outside its quotes, reports a denial ("neither denying nor
    confirming" is none)."""
    outside = _outside(text, span, quotes)
    return any(not _NEGATED.search(outside[: m.start()]) for m in DENIAL.finditer(outside))


def statement_cue(text: str, span: Span, quotes: Sequence[tuple[int, int]]) -> StatementCue | None:
    """The statement a sentence reports, or None when it reports none."""
    if quoted_share(span, quotes) >= MAX_QUOTED_SHARE:
        return None
    if len(re.findall(r"\w+", _outside(text, span, quotes))) < MIN_REPORTED_WORDS:
        return None  # "He said:" before a quote in the next paragraph reports nothing
    sentence = text[span.start : span.end]
    outside = _outside(text, span, quotes)
    own = [(s, e) for s, e in quotes if s < span.end and e > span.start]
    verbs = [v for v in reporting_verbs(text, span.start, span.end, quotes)
             if not _attributes_quote(text, v.start(), v.end(), own)]
    if verbs:
        verb = verbs[0]
        rest = text[verb.end() : span.end]
        that = re.match(r"\s*(?:[\w’']+\s+){0,3}?that\s+", rest)
        clause = rest[that.end() :] if that else sentence
        reported = _outside(text, Span(verb.end(), span.end), quotes)
        if quotes and any(span.start <= s < span.end for s, _ in quotes) and \
                len(re.findall(r"\w+", reported)) < MIN_REPORTED_WORDS:
            return None  # the verb only attributes a quote: the quote claim carries it
        return StatementCue(verb.start(), verb.end(), clause.strip(), False)
    m = _ACCORDING.search(outside)
    if m:
        comma = sentence.find(",", m.end())
        appositive = re.match(r"\s*(?:a|an|the)\s+[a-z][^,]*,", sentence[comma + 1 :])
        if comma > 0 and appositive:  # "According to X, a doctor at Y, …"
            comma += 1 + appositive.end() - 1
        before = sentence[: m.start()].strip(" ,")
        clause = sentence[comma + 1 :] if m.start() < 3 and comma > 0 else before or sentence
        return StatementCue(span.start + m.start(), span.start + m.end(), clause.strip(), False)
    m = _UNATTRIBUTED.search(outside)
    if m:
        return StatementCue(span.start + m.start(), span.start + m.end(), sentence.strip(), True)
    return None

"""Reporting verbs ("said", "warned", "accused") and the words that make them nouns.

Shared by attribution (whose subject is the speaker) and statements (a sentence with one
reports a statement).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_VERB_WORDS = """
say says said saying state states stated stating tell tells told telling add adds added adding
note notes noted noting warn warns warned warning write writes wrote writing argue argues
argued arguing claim claims claimed claiming insist insists insisted insisting explain
explains explained commented remarked assert asserts asserted declare
declares declared announce announces announced announcing stress stresses stressed stressing
emphasize emphasizes emphasized emphasizing emphasise emphasised emphasising urge urges urged
urging suggest suggests suggested believe believes believed acknowledge acknowledges
acknowledged admit admits admitted deny denies denied denying confirm confirms confirmed
reply replied respond responded conclude concluded observe observed predict predicted
estimated mention mentions mentioned tweeted posted
called calling describe describes described describing term termed characterize characterized
characterise characterised promise promised promising pledge pledged vow vowed condemn
condemns condemned condemning accuse accuses accused accusing express expresses expressed
expressing contend contends contended indicate indicates indicated reassure reassured caution
cautioned assure assured allege alleges alleged
deem deemed deeming request requested requesting reported dismiss
dismissed reject rejected rejecting refute refuted dispute disputes disputed disputing
concede concedes conceded reveal reveals revealed disclose discloses disclosed highlighted
signalled signaled hinted threaten threatens threatened demand demands demanded criticised
criticized criticises criticizes blame blames blamed praised hailed questioned doubted
projected forecast hopes hoped fears feared agreed proclaimed certified welcomed recognised
recognized
""".split()
REPORTING_VERB = re.compile(r"\b(?:" + "|".join(sorted(set(_VERB_WORDS), key=len, reverse=True))
                            + r")\b")
_VERBS = frozenset(_VERB_WORDS)
_LOWER_WORD = re.compile(r"\b[a-z]+\b")
"""Every verb above is a lower-case word: `REPORTING_VERB`'s matches are exactly the
lower-case words in `_VERBS`, found twice as fast this way (its 200 alternatives are
tried at every position of the text)."""
_NOUN_BEFORE = frozenset(
    "the a an this that his her its their such our your one any no all new further more".split()
)
_NOUN_OR_VERB = frozenset("claims claim reports denies calls".split())
"""Forms that are nouns as often as verbs: a verb only when a "that" clause follows."""


def reporting_verbs(text: str, start: int, end: int,
                    skip: Sequence[tuple[int, int]] = ()) -> list[re.Match[str]]:
    """Reporting verbs in text[start:end], outside the `skip` spans (quotes), leaving out
    the same words used as nouns or adjectives ("the claims", "the reported deployment")."""
    return [m for m in _LOWER_WORD.finditer(text, start, end)
            if m.group(0) in _VERBS
            and not any(s <= m.start() < e for s, e in skip)
            and word_before(text, m.start()) not in _NOUN_BEFORE
            and (m.group(0) not in _NOUN_OR_VERB or _THAT_AFTER.match(text, m.end()))]


_THAT_AFTER = re.compile(r"\s+that\b")


def word_before(text: str, pos: int) -> str:
    """The word that ends just before `pos`, lower-cased."""
    m = re.search(r"([\w’']+)\W*$", text[max(0, pos - 40) : pos])
    return m.group(1).lower() if m else ""

"""Measure keys: which figures count the same quantity, so they are set side by side.

A key is built from the text around a figure, never from a list of story phrases: the
canonical unit ("soldiers", "troops", "forces" -> troops), the proper adjective in front of
it ("Malian"), a partitive head ("the first group of ..."), and what a share is of
("% of the vote"). `dominant_modifiers` then lets a figure that names no modifier ("8,000
soldiers") join the one modifier the corpus uses with that unit ("Malian troops").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

# Synonyms of a countable unit, by canonical name. General vocabulary of news figures.
_UNIT_SYNONYMS: Mapping[str, list[str]] = {
    "troops": (
        "troops troop soldiers soldier forces force servicemen servicemembers fighters "
        "personnel infantry mercenaries recruits conscripts marines paratroopers "
        "reservists militants combatants army"
    ).split(),
    "deaths": "deaths death dead died killed fatalities lives bodies victims".split(),
    "injured": "injured wounded injuries hurt".split(),
    "people": "people persons residents civilians inhabitants individuals".split(),
    "children": "children child".split(),
    "men": "men".split(),
    "women": "women".split(),
    "police": "police policemen policewomen".split(),
    "staff": "staff".split(),
    "votes": "votes vote ballots".split(),
    "percent": "% percent per-cent pct".split(),
    "points": "points".split(),
    "usd": "$ us$ dollars dollar usd".split(),
    "eur": "€ euros euro eur".split(),
    "gbp": "£ pounds gbp".split(),
    "brigades": "brigades brigade".split(),
    "battalions": "battalions battalion".split(),
    "divisions": "divisions division".split(),
}
_CANONICAL = {word: key for key, words in _UNIT_SYNONYMS.items() for word in words}

SHARE_UNITS = frozenset({"percent", "points"})
"""Units of a share, whose measure also says what it is a share of."""
# Nouns of time: a figure in these is a duration or a date, not a count about the story.
TIME_UNITS = frozenset(
    "seconds minutes hours days weeks months years decades centuries times".split()
)
# "a death toll of 45", "the casualty toll rose to 62": the head noun names the unit.
_TOLL_UNITS = {"death": "deaths", "casualty": "deaths", "injury": "injured"}
# "the first group of 2,600": a part of a larger quantity, kept apart in the key.
PARTITIVES = frozenset("group batch wave contingent tranche round phase convoy".split())
# Heads that only restate a figure ("the 8,000 figure"); the unit comes from elsewhere.
FIGURE_WORDS = frozenset("figure figures number numbers estimate estimates total count".split())


def canonical_unit(word: str | None) -> str | None:
    """The canonical name of a unit word, or the word itself lower-cased."""
    if not word:
        return None
    w = word.lower()
    return _CANONICAL.get(w, w)


def is_known_unit(word: str) -> bool:
    """True when `word` is a unit the analyser knows a canonical name for."""
    return word.lower() in _CANONICAL


def toll_unit(word: str) -> str | None:
    """"death" in "death toll" -> "deaths"."""
    return _TOLL_UNITS.get(word.lower())


def measure_key(unit: str | None, modifier: str | None, qualifier: str | None,
                of_what: str | None) -> str | None:
    """The key of one figure's quantity, or None when the unit is unknown."""
    if not unit:
        return None
    parts = [modifier.lower() if modifier else "", unit, qualifier.lower() if qualifier else "",
             f"of {of_what.lower()}" if of_what else ""]
    return " ".join(p for p in parts if p)


def dominant_modifiers(pairs: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """Unit -> the modifier a figure with no modifier should adopt.

    Given (unit, modifier) for every figure of the corpus, a unit gets a dominant modifier
    when one modifier accounts for at least two thirds of the modified figures with that
    unit: in a story about one army, "8,000 soldiers" means that army's soldiers.
    """
    counts: dict[str, Counter[str]] = {}
    for unit, modifier in pairs:
        if modifier:
            counts.setdefault(unit, Counter())[modifier.lower()] += 1
    out = {}
    for unit, counter in counts.items():
        modifier, n = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if n * 3 >= 2 * sum(counter.values()):
            out[unit] = modifier
    return out

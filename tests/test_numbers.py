"""Figures in one paragraph: value, range, hedge, unit; dates and labels left out (issue 6)."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from sitegen.analyse import numbers
from sitegen.analyse.measures import dominant_modifiers, measure_key
from sitegen.analyse.numbers import find_figures

CASES: list[tuple[str, list[dict[str, Any]]]] = [
    ("At least 45 people were killed.",
     [{"value": 45, "hedge": "at least", "unit": "deaths"}]),
    ("The death toll rose to 62 on Monday.", [{"value": 62, "unit": "deaths"}]),
    ("Between 70 and 80 people had died.", [{"value": 70, "value_max": 80, "unit": "deaths"}]),
    ("Officials said 10,000-12,000 troops were massed.",
     [{"value": 10000, "value_max": 12000, "unit": "troops"}]),
    ("A force of 10,000 or 12,000 was discussed.",
     [{"value": 10000, "unit": "troops"}, {"value": 12000, "unit": "troops"}]),
    ("Close to 11,000 Malian soldiers are ready.",
     [{"value": 11000, "hedge": "close to", "unit": "troops", "modifier": "Malian"}]),
    ("She won 52.3% of the vote.", [{"value": 52.3, "unit": "percent", "of_what": "votes"}]),
    ("Turnout was about 63 per cent.",
     [{"value": 63, "hedge": "about", "unit": "percent", "of_what": "turnout"}]),
    ("The fund holds $2.5 billion.", [{"value": 2.5e9, "unit": "usd"}]),
    ("They sent four brigades and eleven thousand troops.",
     [{"value": 4, "unit": "brigades"}, {"value": 11000, "unit": "troops"}]),
    ("As many as 3,000 residents fled.", [{"value": 3000, "hedge": "as many as",
                                          "unit": "people"}]),
    ("The first group of 2,600 soldiers left.",
     [{"value": 2600, "unit": "troops", "qualifier": "first group"}]),
    ("A 5,000-strong force crossed the river.", [{"value": 5000, "unit": "troops"}]),
    ("Up to 10 to 12 million dollars were pledged.",
     [{"value": 10e6, "value_max": 12e6, "unit": "usd", "hedge": "up to"}]),
    ("Turnout was about 59 percent.", [{"value": 59, "hedge": "about", "unit": "percent",
                                        "of_what": "turnout"}]),
    ("Some 2.1 million Chileans have left.",
     [{"value": 2.1e6, "hedge": "some", "unit": "people", "modifier": "Chilean"}]),
    ("The blast killed at least 45 people.", [{"value": 45, "hedge": "at least", "unit": "deaths"}]),
    # Where a figure may start: a capital, a hyphen, a currency sign, a word's end.
    ("Twenty-five ships sank near the coast.", [{"value": 25, "unit": "ships"}]),
    ("The bank lent €40 million and US$3 billion.", [{"value": 40e6, "unit": "eur"}, {"value": 3e9, "unit": "usd"}]),
    ("Officials counted ONE HUNDRED and twenty boats.", [{"value": 120, "unit": "boats"}]),
    ("Its x5 drone and F-16 jets flew 30 sorties.", [{"value": 30, "unit": "sorties"}]),
    ("He won 52% of the votes cast.", [{"value": 52, "unit": "percent", "of_what": "votes"}]),
    ("Between 10,000 and 15,000 people had been left homeless; 312 people were still in "
     "hospital.", [{"value": 10000, "value_max": 15000, "unit": "homeless"},
                   {"value": 312, "unit": "hospitalised"}]),
    ("The quake killed 38 people and injured more than 200.",
     [{"value": 38, "unit": "deaths"}, {"value": 200, "hedge": "more than", "unit": "injured"}]),
    ("The bank raised its rate by 150 basis points to 29.5%.",
     [{"value": 150, "unit": "points"}, {"value": 29.5, "unit": "percent"}]),
    ("A 1.5m-strong army stood by.", [{"value": 1.5e6, "unit": "troops"}]),
    # dates, years, times, ordinals, labels and durations are not figures
    ("On Oct. 21, 2024 at 10:30 the F-16 flew its 3rd sortie.", []),
    ("The 1990s ended; on 21 October the two discussed it for three weeks.", []),
    ("Resolution 2231 was adopted in 2015.", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_find_figures(text: str, expected: list[dict[str, Any]]) -> None:
    figures = find_figures(text)
    assert len(figures) == len(expected), [f.surface for f in figures]
    for fig, want in zip(figures, expected, strict=True):
        assert fig.value == pytest.approx(want["value"])
        assert fig.value_max == (pytest.approx(want["value_max"]) if "value_max" in want else None)
        for field in ("hedge", "unit", "modifier", "qualifier", "of_what"):
            assert getattr(fig, field) == want.get(field), field
        assert text[fig.start : fig.end] == fig.surface


def test_measure_key_lines_up_estimates_of_one_quantity() -> None:
    assert measure_key("troops", "Malian", None, None) == "malian troops"
    assert measure_key("percent", None, None, "votes") == "percent of votes"
    assert measure_key(None, "Malian", None, None) is None


def test_a_unit_without_modifier_adopts_the_dominant_one() -> None:
    pairs = [("troops", "Malian"), ("troops", "Malian"), ("troops", None), ("deaths", None)]
    assert dominant_modifiers(pairs) == {"troops": "malian"}
    split = [("troops", "Malian"), ("troops", "Nigerien")]
    assert dominant_modifiers(split) == {}


def test_what_comes_before_a_figure_is_read_as_searches_to_the_end_of_the_text_found_it() -> None:
    """`_is_date_or_label` reads the text before a figure backwards; each reading against
    the search over all that text it replaced, on random text made of the pieces that
    matter (months, labels, marks, digits of other scripts, newlines, a long s)."""
    pieces = ["Oct", "oct", "SEPT", "\u017fept", "June", "No", "Room", "xOct", "_", "F", "-", ".", ",", ":", "/",
              "7", "\u0663", "\u00b2", " ", "\n", "\t", "a", "\u00e9"]
    month = re.compile(rf"\b(?:{numbers._MONTH_RE})\.?,?\s*$", re.IGNORECASE)
    label = re.compile(r"\b(?:No|Article|Resolution|Section|Chapter|Room|Flight|Route)\.?\s*$")
    rng = random.Random(7)
    for _ in range(20000):
        before = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 7)))
        assert bool(re.search(r"[A-Za-z]-?$", before[-3:])) == bool(re.search(r"[A-Za-z]-?$", before)), before
        assert numbers._after_colon_or_slash(before) == bool(re.search(r"[:/]\d*$", before)), before
        assert bool(numbers._MONTH.fullmatch(numbers._word_at_end(before, ",."))) == bool(month.search(before)), before
        assert bool(numbers._LABEL.fullmatch(numbers._word_at_end(before, "."))) == bool(label.search(before)), before

"""Direct quotations and sentence spans in one paragraph (issue 6)."""

from __future__ import annotations

import re

import pytest

from sitegen.analyse.quotes import find_quotes
from sitegen.analyse.sentences import _word_before, split_sentences

QUOTE_CASES = [
    # (paragraph, quoted words in order)
    ('“We will rebuild,” the mayor said.', ["We will rebuild,"]),
    ('"We will rebuild," the mayor said. "Every street of it."',
     ["We will rebuild,", "Every street of it."]),
    ("The minister said: “Prices will fall by spring.”", ["Prices will fall by spring."]),
    ("She called the vote “a farce” and “an insult to voters”.",
     ["a farce", "an insult to voters"]),
    # a missing closing mark runs to the paragraph end instead of losing the quote
    ("He added: “Nobody will be left behind.", ["Nobody will be left behind."]),
    # a quote carried over from the paragraph before has no opening mark
    ("we will not stop until the last family is home,” she said.",
     ["we will not stop until the last family is home,"]),
    # an odd mark in the middle does not lose the quotes after it
    ("“First part, he said. “Second part,” she said.", ["First part, he said.", "Second part,"]),
    ("«Nous resterons», a-t-il dit, «jusqu'au bout».", ["Nous resterons", "jusqu'au bout"]),
    ("The so-called “reform” passed; he said “it isn't over”.", ["it isn't over"]),
    ("No quotation here, only an apostrophe in O'Neill's name.", []),
    # single marks as the outlet's quotation marks, apostrophes left alone
    ("‘We won’t back down,’ the union’s leader said. ‘Not this time.’",
     ["We won’t back down,", "Not this time."]),
    ("The union’s leaders met the workers’ council.", []),
]


@pytest.mark.parametrize(("text", "expected"), QUOTE_CASES)
def test_find_quotes(text: str, expected: list[str]) -> None:
    quotes = find_quotes(text)
    assert [q.text for q in quotes] == expected
    for q in quotes:
        assert text[q.start : q.end] == q.text


def test_missing_marks_are_flagged() -> None:
    (open_only,) = find_quotes("He added: “Nobody will be left behind.")
    assert open_only.opened and not open_only.closed
    (close_only,) = find_quotes("until the last family is home,” she said.")
    assert close_only.closed and not close_only.opened


SENTENCE_CASES = [
    ("Rescuers arrived on Oct. 21 at dawn. Dr. Amara Diallo led them.",
     ["Rescuers arrived on Oct. 21 at dawn.", "Dr. Amara Diallo led them."]),
    ("Aid came via the U.S. In response, the army withdrew.",
     ["Aid came via the U.S.", "In response, the army withdrew."]),
    ("U.S. officials declined. The talks ended.", ["U.S. officials declined.", "The talks ended."]),
    ('“It is over.” The crowd left.', ["“It is over.”", "The crowd left."]),
    ("Gen. J. Okafor spoke first", ["Gen. J. Okafor spoke first"]),
    ("They met Gen.\n. Then\n  Sen. Okafor left.  Later, rain. ", ["They met Gen.\n.", "Then\n  Sen. Okafor left.",
                                                                   "Later, rain."]),
    ("Costs rose by 1.5. Markets fell after the vote_no. Rates held.",
     ["Costs rose by 1.5.", "Markets fell after the vote_no.", "Rates held."]),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCE_CASES)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert [text[s.start : s.end] for s in split_sentences(text)] == expected


@pytest.mark.parametrize("text", ["", "Gen", "the U.S", "vote_no", "Gen\n", "x.\n", "\n", "a b\u0663\u00b2x_.y",
                                  "“Oct", "up 2.5", "Mr.\nSmith", "é.Ö"])
def test_the_word_before_a_mark_is_what_a_regex_search_to_the_end_finds(text: str) -> None:
    found = re.search(r"([\w.]+)$", text)
    assert _word_before(text, len(text)) == (found.group(1) if found else "")


def test_a_quotation_inside_a_quotation_stays_in_it() -> None:
    text = '"The mayor said “we will rebuild”, and she meant it," a resident said.'
    assert [q.text for q in find_quotes(text)] == [
        "The mayor said “we will rebuild”, and she meant it,"]
    assert [q.text for q in find_quotes("„Wir bleiben“, sagte sie.")] == ["Wir bleiben"]

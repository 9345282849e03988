"""Grouping per-article claims into the ledger: one claim per quote or figure across
articles, independent origins, status (issue 6). Plain data in, plain data out."""

from __future__ import annotations

import re

from sitegen.analyse.claim_extract import RawClaim
from sitegen.analyse.claims import group_claims


def _quote(article: str, text: str, speaker: str | None, paragraph: int = 1) -> RawClaim:
    return RawClaim("quote", article, paragraph, 0, f"“{text},” someone said.", text, speaker,
                    speaker)


def _figure(article: str, number: float, speaker: str | None, unit: str = "troops",
            modifier: str | None = "Malian", number_max: float | None = None,
            denial: bool = False, unverified: bool = False) -> RawClaim:
    return RawClaim("number", article, 1, 0, f"{number:g} {unit}", f"{number:g} {unit}",
                    speaker, speaker, number, number_max, unit, None, modifier,
                    denial=denial, unverified=unverified)


def test_the_same_quote_in_two_articles_is_one_claim_with_two_evidence_entries() -> None:
    claims = group_claims([_quote("b", "We will rebuild every school", "ana"),
                           _quote("a", "We will rebuild every school,", "ana")],
                          {"a": None, "b": None})
    assert len(claims) == 1
    assert [e.article for e in claims[0].evidence] == ["a", "b"]
    assert claims[0].independent_sources == 2
    assert claims[0].status == "corroborated"


def test_a_rewrite_does_not_count_as_an_independent_source() -> None:
    claims = group_claims([_quote("a", "We will rebuild every school", "ana"),
                           _quote("b", "We will rebuild every school", "ana")],
                          {"a": None, "b": "a"})
    assert claims[0].independent_sources == 1
    assert claims[0].status == "single-source"


def test_a_fragment_joins_the_longer_quote_of_the_same_speaker_only() -> None:
    long = "Sending troops across the border would mark a dangerous escalation"
    claims = group_claims([_quote("a", long, "ana"), _quote("b", "dangerous escalation", "ana"),
                           _quote("c", "dangerous escalation", "bo")], {})
    by_speaker = {c.speaker: c for c in claims}
    assert {e.article for e in by_speaker["ana"].evidence} == {"a", "b"}
    assert {e.article for e in by_speaker["bo"].evidence} == {"c"}


def test_rival_estimates_are_contested_and_a_part_is_not() -> None:
    claims = group_claims([_figure("a", 10000, "ana"), _figure("b", 12000, "bo"),
                           _figure("c", 1500, "cy")], {})
    status = {c.number: c.status for c in claims}
    assert status == {10000: "contested", 12000: "contested", 1500: "single-source"}
    assert len({c.measure for c in claims}) == 1


def test_a_rising_toll_from_one_speaker_is_not_contested() -> None:
    claims = group_claims([_figure("a", 45, "agency", "deaths", None),
                           _figure("b", 62, "agency", "deaths", None)], {})
    assert {c.status for c in claims} == {"single-source"}


def test_overlapping_ranges_agree_and_a_denied_figure_is_contested() -> None:
    claims = group_claims([_figure("a", 70, "red-cross", "deaths", None, number_max=80),
                           _figure("b", 75, "agency", "deaths", None),
                           _figure("c", 150, "governor", "deaths", None, denial=True)], {})
    status = {c.number: (c.status, c.denial) for c in claims}
    assert status == {70: ("single-source", False), 75: ("single-source", False),
                      150: ("contested", True)}


def test_a_figure_and_a_range_from_it_are_compared_without_failing() -> None:
    # The test stories built as one briefing stopped with a TypeError: a figure and a range
    # starting at it (12 and 12 to 15) were sorted as (12, None) and (12, 15).
    claims = group_claims([_figure("a", 12, "agency", "deaths", None, number_max=15),
                           _figure("b", 12, "governor", "deaths", None),
                           _figure("c", 20, "mayor", "deaths", None)], {})
    status = {(c.number, c.number_max): c.status for c in claims}
    assert status == {(12, 15): "contested", (12, None): "contested", (20, None): "contested"}


def test_same_figure_from_one_speaker_is_one_claim_and_unverified_wins_over_sources() -> None:
    claims = group_claims([_figure("a", 3000, "ana", unverified=True), _figure("b", 3000, "ana")],
                          {})
    assert len(claims) == 1
    assert claims[0].status == "unverified"
    assert re.fullmatch(r"c-[0-9a-f]{8}", claims[0].id)


def test_a_figure_without_modifier_joins_the_dominant_measure_of_its_unit() -> None:
    claims = group_claims([_figure("a", 10000, "ana"), _figure("b", 11000, "bo"),
                           _figure("c", 12000, "cy", modifier=None)], {})
    assert {c.measure for c in claims} == {"malian troops"}


def test_claim_inputs_are_keyed_by_text_mentions_and_actor_records_and_built_only_on_demand() -> None:
    """`ClaimInputs` keys each article by its text, its mentions and the records of the
    actors it can name, without building its context; the context it builds for an
    article the cache misses is the one the key stands for."""
    from sitegen.analyse.claims import ClaimInputs
    from sitegen.analyse.speakers import MentionSpan
    from sitegen.errors import Problem
    from sitegen.load import parse_article
    from sitegen.model import Actor, Mention

    said = "Grace Okafor said the piers would reopen."

    def inputs(text: str = said, start: int = 0, role: str = "director") -> ClaimInputs:
        problems: list[Problem] = []
        article = parse_article("articles/harbour.md", f"---\ntitle: Harbour\n---\n\n{text}\n", problems)
        assert article is not None and not problems
        okafor = Actor("okafor", "Grace Okafor", "person", role, "port-authority", ("Grace Okafor",),
                       (Mention(article.id, 1, start, start + 12, text[start:start + 12]),))
        authority = Actor("port-authority", "Port Authority", "organisation", None, None, ("Port Authority",), ())
        return ClaimInputs([article], [okafor, authority])

    base = inputs().keys()
    assert inputs().keys() == base
    assert inputs("Grace Okafor said the piers would close.").keys() != base
    assert inputs(role="chair").keys() != base
    assert inputs(start=1).keys() != base
    _, context = inputs().item(0)
    assert context.paragraphs == {1: said}
    assert context.mentions == (MentionSpan(1, 0, 12, "okafor"),)
    assert set(context.actors) == {"okafor", "port-authority"}
    assert context.actors["okafor"].affiliation == "port-authority"

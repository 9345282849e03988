"""The actors analyser on small stories of its own (issue 4), far from the seeds' subject:
a Peruvian runoff (accents, "de la", shared surnames), a Cairo ceasefire round ("bin",
"al-", seats of power), a merger review (companies, acronyms, outlets), a migration summit
(datelines, bylines, headlines, "Ms."/"Mr.", the Élysée and Downing Street) and an
earthquake (dotless i, "Dr.", a foreign acronym in brackets, occupations as titles) and a
drought ("X told public broadcaster Y": X speaks, Y is the outlet; "X reported" and "told X"
where X is a surname of the article). Each
`tests/stories/actors-*/expected.yaml` lists, per actor, surfaces that must all be mentions
of one actor, its type, role and affiliation; surfaces no actor may hold; and surfaces that
must stay with different actors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sitegen.analyse.actors import analyse_actors
from sitegen.analyse.gazetteer import fold
from sitegen.load import load_article
from sitegen.model import Actor, Article

STORIES = Path(__file__).parent / "stories"
ACTOR_STORIES = sorted(p.name for p in STORIES.glob("actors-*") if p.is_dir())


def _load(story: str) -> tuple[tuple[Article, ...], dict[str, Any]]:
    root = STORIES / story
    problems: list[Any] = []
    articles = tuple(a for p in sorted(root.glob("*.md")) if (a := load_article(p, root, problems)))
    assert not problems
    return articles, yaml.safe_load((root / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=ACTOR_STORIES)
def story(request: pytest.FixtureRequest) -> tuple[tuple[Actor, ...], dict[str, Any], str]:
    articles, expected = _load(request.param)
    return analyse_actors(articles, ()), expected, request.param


def _holder(actors: tuple[Actor, ...], surface: str) -> Actor | None:
    holders = [a for a in actors if any(m.surface == surface for m in a.mentions)]
    assert len(holders) <= 1, f"{surface!r} is a mention of {[a.id for a in holders]}"
    return holders[0] if holders else None


def _names(actor: Actor) -> set[str]:
    return {fold(actor.name), *(fold(a) for a in actor.aliases)}


def test_every_name_form_lands_in_one_actor(story: tuple[tuple[Actor, ...], dict[str, Any], str]) -> None:
    actors, expected, name = story
    for spec in expected["actors"]:
        holders = {s: _holder(actors, s) for s in spec["surfaces"]}
        missing = [s for s, a in holders.items() if a is None]
        assert not missing, f"{name}: no actor mentions {missing}"
        ids = {a.id for a in holders.values() if a}
        assert len(ids) == 1, f"{name}: {spec['surfaces']} split over {sorted(ids)}"


def test_types_roles_and_affiliations(story: tuple[tuple[Actor, ...], dict[str, Any], str]) -> None:
    actors, expected, name = story
    by_id = {a.id: a for a in actors}
    for spec in expected["actors"]:
        actor = _holder(actors, spec["surfaces"][0])
        assert actor is not None
        assert actor.type == spec["type"], f"{name}: {actor.name} is {actor.type}"
        if "role" in spec:
            assert (actor.role or "").lower() == spec["role"].lower(), f"{name}: {actor.name} role {actor.role!r}"
            assert actor.role_source and spec["role"].lower() in actor.role_source.lower()
        if "affiliation" in spec:
            assert actor.affiliation in by_id, f"{name}: {actor.name} has no affiliation"
            assert fold(spec["affiliation"]) in _names(by_id[actor.affiliation]), (
                f"{name}: {actor.name} affiliated to {actor.affiliation}")


def test_non_actors_are_not_actors(story: tuple[tuple[Actor, ...], dict[str, Any], str]) -> None:
    actors, expected, name = story
    for surface in expected.get("absent", []):
        assert _holder(actors, surface) is None, f"{name}: {surface!r} became an actor"
        assert all(fold(surface) != fold(a.name) for a in actors)


def test_different_people_stay_apart(story: tuple[tuple[Actor, ...], dict[str, Any], str]) -> None:
    actors, expected, name = story
    for first, second in expected.get("apart", []):
        a, b = _holder(actors, first), _holder(actors, second)
        assert a is not None and b is not None
        assert a.id != b.id, f"{name}: {first!r} and {second!r} merged into {a.id}"

"""The actors' mentions by article, updated from the last tuple of actors rather than made
again (`mentions_by_article`), and the claims' inputs made from them (issue 9)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from sitegen.analyse import claims, tags
from sitegen.analyse.actors import analyse_actors
from sitegen.analyse.mentions_by_article import _Grouper, _mentions_of
from sitegen.load import load_site
from sitegen.model import Actor, Mention

SHIPPED = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[tuple[str, ...], tuple[Actor, ...]]:
    """The shipped briefing's article ids and actors."""
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(SHIPPED / "content", root / "content")
    loaded = load_site(root)
    return tuple(a.id for a in loaded.articles), tuple(analyse_actors(loaded.articles, loaded.curated))


def _newcomer(article: str, paragraph: int) -> Actor:
    return Actor("mara-kalomine", "Mara Kalomine", "person", "Analyst", None, ("Mara Kalomine",),
                 (Mention(article, paragraph, 0, 13, "Mara Kalomine"),))


def _edits(articles: tuple[str, ...], actors: tuple[Actor, ...]) -> list[tuple[str, tuple[Actor, ...]]]:
    """Tuples of actors as edits leave them: someone new named, an actor made again equal,
    one given a mention more, one gone; and the actors in another order."""
    most = max(actors, key=lambda a: len(a.mentions))
    small = next(a for a in actors if len(a.mentions) == 1)
    place = actors.index(most)
    more = replace(most, mentions=(*most.mentions, Mention(articles[-1], 99, 0, 4, most.name)))
    return [
        ("someone new", tuple(sorted((*actors, _newcomer(articles[0], 1)), key=lambda a: a.id))),
        ("made again equal", (*actors[:place], replace(most), *actors[place + 1:])),
        ("a mention more", (*actors[:place], more, *actors[place + 1:])),
        ("one gone", tuple(a for a in actors if a is not small)),
        ("another order", tuple(reversed(actors))),
    ]


def test_groups_after_each_edit_are_the_whole_groups_and_keep_the_others(
        shipped: tuple[tuple[str, ...], tuple[Actor, ...]]) -> None:
    articles, actors = shipped
    for label, edited in _edits(articles, actors):
        grouper = _Grouper(_mentions_of)
        before = grouper(actors)
        assert before == grouper._whole(actors) and grouper(actors) is before
        after = grouper(edited)
        assert after == grouper._whole(edited), label
        changed = [a for a in edited if not any(a is b for b in actors)] + \
            [a for a in actors if not any(a is b for b in edited)]
        stale = {m.article for a in changed for m in a.mentions}
        kept = [article for article in after if after[article] is before.get(article)]
        if label != "another order":
            assert set(after) - stale <= set(kept), label  # every other article's very group
        if label == "someone new":
            assert set(after) - set(kept) == {articles[0]}
        if label == "made again equal":
            assert len(kept) == len(after)  # an equal actor changes no group
        if label == "a mention more":
            assert set(after) - set(kept) == {articles[-1]}
        if label == "another order":
            assert not kept  # made whole: every group lists its actors in the tuple's order


def test_claims_inputs_after_an_edit_are_those_made_afresh_and_keep_the_other_keys(
        shipped: tuple[tuple[str, ...], tuple[Actor, ...]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`_ActorInputs.after` takes the last inputs' attribution views and article keys where
    the actors that changed do not reach: its keys are the keys made afresh, and only the
    articles the changed actors mention, then or now, have theirs made again; when a
    prominent actor's view changes (every article can name it), every key is made again."""
    shutil.copytree(SHIPPED / "content", tmp_path / "content")
    loaded = load_site(tmp_path)
    _, actors = shipped
    top = sorted(actors, key=lambda a: (-len(a.mentions), a.id))[:8]
    most = min(top, key=lambda a: len({m.article for m in a.mentions}))  # prominent, not in every article
    assert len({m.article for m in most.mentions}) < len(loaded.articles)
    renamed = replace(most, aliases=(*most.aliases, "Elsewhere"))
    newcomer = _newcomer(loaded.articles[0].id, 1)
    made: list[object] = []

    def counted(prefix: bytes, value: object) -> str:
        if prefix == b"claims input":
            made.append(value)
        return real_key(prefix, value)

    real_key = claims.plain_key
    monkeypatch.setattr(claims, "plain_key", counted)
    monkeypatch.setattr(claims, "PROMINENT_ACTORS", 8)  # fewer than the briefing has
    last = claims._ActorInputs(actors)
    last.keys_of(loaded.articles)
    gone = next(a for a in actors if len(a.mentions) == 1 and a not in top)
    for edited, remade in (
        (tuple(sorted((*actors, newcomer), key=lambda a: a.id)), 1),
        (tuple(a for a in actors if a is not gone), 1),
        (tuple(renamed if a is most else a for a in actors), len(loaded.articles)),
    ):
        made.clear()
        after = claims._ActorInputs.after(edited, actors, last)
        keys = after.keys_of(loaded.articles)
        assert len(made) == remade
        fresh = claims._ActorInputs(edited)
        assert keys == fresh.keys_of(loaded.articles)
        assert after.refs == fresh.refs and after.prominent == fresh.prominent and after.mentions == fresh.mentions


def test_tags_spans_after_each_edit_are_those_made_whole_and_keep_the_others(
        shipped: tuple[tuple[str, ...], tuple[Actor, ...]]) -> None:
    """In a process that builds again and again the tags' name spans come from the groups
    of mentions (`tags._actor_names_after`): the spans a whole pass gives, each article's
    kept while its group is."""
    articles, actors = shipped
    before = tags._actor_names_after(actors, (), None)
    assert before == tags._actor_names(actors)
    for label, edited in _edits(articles, actors)[:4]:
        names, spans = tags._actor_names_after(edited, actors, before)
        assert (names, spans) == tags._actor_names(edited), label
        assert any(spans[a] is before[1][a] for a in spans), label
        before = tags._actor_names_after(actors, edited, (names, spans))

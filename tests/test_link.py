"""`link` refuses an analysis that names an actor or article the site does not have (a bug
in an analyser), also when it checks the very actors and claims it checked before; what
`link` and `layout` keep for the very same records follows every other input."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from edits import analysis_of, relinked

from sitegen import link as link_module
from sitegen import pagination
from sitegen.analyse.mentions_by_article import _Grouper, _reports_of
from sitegen.build import BuildOptions, build
from sitegen.link import Site, co_mentions
from sitegen.model import Actor, Evidence, Mention
from sitegen.warm import by_identity

STORY = Path(__file__).parent / "stories" / "sources-wire-cuts"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(STORY, root / "content" / "articles", ignore=shutil.ignore_patterns("*.yaml"))
    built = build(BuildOptions(root=root, output=root / "public", jobs=1, use_cache=False)).site
    assert built is not None and built.actors and any(c.speaker for c in built.claims.values())
    return built


def test_the_same_records_link_again(site: Site) -> None:
    assert relinked(site).actors == site.actors
    assert relinked(site).claims == site.claims


def test_an_article_gone_from_under_the_same_records_is_refused(site: Site) -> None:
    """The very actors and claims linked before, with an article left out that only their
    mentions name, then one that only their reports name."""
    full = analysis_of(site)
    named = full.actors[0].mentions[0].article
    by_mentions = replace(full, claims=())
    relinked(site, analysis=by_mentions)  # the indexes are made now, and kept for this very tuple
    with pytest.raises(AssertionError, match=full.actors[0].id):
        relinked(site, articles=tuple(a for a in site.articles if a.id != named), analysis=by_mentions)
    claim = next(c for c in full.claims if not c.speaker)
    reported = claim.evidence[0].article
    by_reports = replace(full, claims=(claim,), actors=tuple(
        replace(a, mentions=tuple(m for m in a.mentions if m.article != reported)) for a in full.actors))
    relinked(site, analysis=by_reports)
    with pytest.raises(AssertionError, match=claim.id):
        relinked(site, articles=tuple(a for a in site.articles if a.id != reported), analysis=by_reports)


def test_a_speaker_or_an_affiliation_no_actor_has_is_refused(site: Site) -> None:
    analysis = analysis_of(site)
    claim = next(c for c in analysis.claims if c.speaker)
    speakers = replace(analysis, claims=tuple(replace(c, speaker="nobody") if c is claim else c
                                              for c in analysis.claims))
    with pytest.raises(AssertionError, match="nobody"):
        relinked(site, analysis=speakers)
    actor = analysis.actors[0]
    affiliations = replace(analysis, actors=tuple(replace(a, affiliation="nowhere") if a is actor else a
                                                  for a in analysis.actors))
    with pytest.raises(AssertionError, match="nowhere"):
        relinked(site, analysis=affiliations)


def test_a_layout_kept_for_the_same_records_follows_the_articles_order(tmp_path: Path) -> None:
    """The actors' pages of mentions are kept for the very same actors only while the
    articles keep their order (`pagination._actor_split`); redated, they follow the new
    order, as a layout made afresh does."""
    root = tmp_path / "site"
    shutil.copytree(STORY, root / "content" / "articles", ignore=shutil.ignore_patterns("*.yaml"))
    (root / "content" / "briefing.yaml").write_text("title: Landslide\npage_size: 2\n", encoding="utf-8")
    site = build(BuildOptions(root=root, output=root / "public", jobs=1, use_cache=False)).site
    assert site is not None
    analysis = analysis_of(site)
    first = pagination.layout(relinked(site, analysis=analysis))
    assert first.mentions, "no actor has pages of mentions"
    dates = [a.date for a in site.articles]
    redated = tuple(replace(a, date=d) for a, d in zip(site.articles, reversed(dates), strict=True))
    second = relinked(site, articles=redated, analysis=analysis)  # the very same actors
    kept = pagination.layout(second)
    fresh = pagination.layout(replace(second, actors=dict(second.actors)))  # other actors: a split made afresh
    assert kept == fresh and kept.mentions != first.mentions


def _actor(actor_id: str, *places: tuple[str, int]) -> Actor:
    """An actor named once at each (article, paragraph) of `places`."""
    mentions = tuple(Mention(article, paragraph, 10 * k, 10 * k + 4, actor_id.title())
                     for k, (article, paragraph) in enumerate(places))
    return Actor(actor_id, actor_id.title(), "person", None, None, (actor_id.title(),), mentions)


def test_co_mentions_count_the_paragraphs_each_pair_shares_most_first_then_by_id() -> None:
    """An actor named twice in a paragraph counts it once; an actor alone in its paragraphs,
    or never named, has no entry; entries come in the actors' order, whatever it is."""
    actors = (_actor("cleo", ("a1", 1), ("a2", 1)),
              _actor("bram", ("a1", 1), ("a1", 2), ("a2", 1)),
              _actor("ada", ("a1", 1), ("a1", 2), ("a1", 2)),
              _actor("dirk", ("a2", 2), ("a3", 1)),
              _actor("eve"))
    found = co_mentions._make(actors)
    assert found == {"cleo": (("bram", 2), ("ada", 1)),
                     "bram": (("ada", 2), ("cleo", 2)),
                     "ada": (("bram", 2), ("cleo", 1))}
    assert list(found) == ["cleo", "bram", "ada"]
    assert co_mentions._make(actors[3:]) == {} and co_mentions._make(()) == {}


def _co_mentions_by_sets(actors: tuple[Actor, ...]) -> dict[str, tuple[tuple[str, int], ...]]:
    """Who appears with whom, the plain way: the set of actors of each paragraph, each
    ordered pair of it counted."""
    in_paragraph: dict[tuple[str, int], set[str]] = {}
    for actor in actors:
        for m in actor.mentions:
            in_paragraph.setdefault((m.article, m.paragraph), set()).add(actor.id)
    pairs: dict[str, dict[str, int]] = {}
    for present in in_paragraph.values():
        for one in present:
            for other in present - {one}:
                pairs.setdefault(one, {}).setdefault(other, 0)
                pairs[one][other] += 1
    return {a.id: tuple(sorted(pairs[a.id].items(), key=lambda kv: (-kv[1], kv[0]))) for a in actors if a.id in pairs}


def test_co_mentions_of_a_story_are_what_each_paragraphs_set_of_actors_gives(site: Site) -> None:
    actors = tuple(site.actors.values())
    expected = _co_mentions_by_sets(actors)
    assert sum(map(len, expected.values())) >= 10 and any(len(others) > 1 for others in expected.values())
    assert co_mentions._make(actors) == expected
    assert list(co_mentions._make(actors[::-1])) == list(_co_mentions_by_sets(actors[::-1]))


def test_co_mentions_after_edits_are_those_counted_afresh_and_keep_the_others(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Updated from the last (`link._co_mentions_after`), one edit after another: someone
    new named beside others, an actor gone, a mention more beside others, an actor made
    again equal, the actors in another order; each is what the plain count gives, in the
    actors' order, and an actor whose counts did not move keeps its very entry, also when
    the last count was read from the cache."""
    monkeypatch.setattr(link_module, "MOST_CHANGED", 0)  # updated, however few the articles
    actors = tuple(site.actors.values())
    counted = by_identity(link_module._co_mentions, update=link_module._co_mentions_after)
    busiest = max(actors, key=lambda a: len(a.mentions))
    crowded = max(((m.article, m.paragraph) for a in actors for m in a.mentions),
                  key=lambda place: sum(1 for a in actors for m in a.mentions if (m.article, m.paragraph) == place))
    alone = next(a for a in actors if len(a.mentions) == 1)
    newcomer = _actor("mara-kalomine", crowded)
    more = replace(busiest, mentions=(*busiest.mentions, Mention(*crowded, 900, 904, busiest.name)))
    steps = [
        tuple(sorted((*actors, newcomer), key=lambda a: a.id)),
        tuple(a for a in actors if a is not alone),
        tuple(more if a is busiest else a for a in actors),
        tuple(replace(a) if a is busiest else a for a in actors),
        actors[::-1],
    ]
    last = counted(actors)
    for step in steps:
        found = counted(step)
        expected = _co_mentions_by_sets(step)
        assert found == expected and list(found) == list(expected)
        if step is not steps[-1]:
            kept = [x for x in found if found[x] is last.get(x)]
            assert kept and all(found[x] is last[x] for x in found if found[x] == last.get(x))
        last = found
    read_back = by_identity(link_module._co_mentions, update=link_module._co_mentions_after)
    cached = _co_mentions_by_sets(actors)
    read_back.keep(actors, cached)  # as a build reads it from the cache
    found = read_back(steps[0])
    assert found == _co_mentions_by_sets(steps[0])
    assert any(found[x] is cached[x] for x in found if x in cached)  # updated from it, not counted whole


def test_reports_by_article_after_edits_are_the_whole_groups_and_keep_the_others(site: Site) -> None:
    """The claims' reports grouped by article (`reports_by_article`'s kind of grouper), one
    edit after another: a new claim, one with a report more, one gone, one made again equal;
    each gives the groups a whole pass gives, and the articles no changed claim reports
    keep their very groups."""
    claims = tuple(site.claims.values())
    grouper = _Grouper(_reports_of)
    first, last_claim = claims[0], claims[-1]
    elsewhere = next(a.id for a in site.articles if a.id not in {e.article for e in first.evidence})
    steps = [
        (*claims, replace(first, id="c-new", evidence=(Evidence(elsewhere, 1, "A new report."),))),
        tuple(replace(first, evidence=(*first.evidence, Evidence(elsewhere, 2, "Another."))) if c is first else c
              for c in claims),
        tuple(c for c in claims if c is not last_claim),
        tuple(replace(c) if c is first else c for c in claims),
    ]
    before = grouper(claims)
    assert before == grouper._whole(claims)
    for step in steps:
        after = grouper(step)
        assert after == grouper._whole(step)
        changed = [c for c in step if not any(c is d for d in claims)] + \
            [c for c in claims if not any(c is d for d in step)]
        reached = {e.article for c in changed for e in c.evidence}
        assert all(after[a] is before[a] for a in after.keys() - reached)
        before = grouper(claims)

"""The claims analyser on small stories of its own (issue 6): each story folder holds
articles and an expected.yaml of actor surfaces (standing in for the actors analyser) and
the claims the ledger must hold."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from edits import appended

import sitegen.analyse.claims as claims_module
from sitegen.analyse.claims import analyse_claims
from sitegen.cache import KEY_ENV
from sitegen.load import load_article
from sitegen.model import Actor, Article, Claim, Mention, SourceAnalysis
from sitegen.runner import ArticleRunner, open_runner
from sitegen.warm import each_by_value

STORIES = Path(__file__).parent / "stories"
CLAIM_STORIES = sorted(p.name for p in STORIES.glob("claims-*") if p.is_dir())


def _load(story: str) -> tuple[tuple[Article, ...], tuple[Actor, ...], dict[str, Any]]:
    root = STORIES / story
    problems: list[Any] = []
    articles = tuple(a for p in sorted(root.glob("*.md"))
                     if (a := load_article(p, root, problems)) is not None)
    assert not problems
    expected = yaml.safe_load((root / "expected.yaml").read_text(encoding="utf-8"))
    actors = []
    for spec in expected["actors"]:
        mentions = []
        for article in articles:
            for par in article.paragraphs:
                for surface in spec["surfaces"]:
                    for m in re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", par.text):
                        mentions.append(Mention(article.id, par.number, m.start(), m.end(),
                                                surface))
        actors.append(Actor(spec["id"], spec["surfaces"][0], spec["type"], None, None,
                            tuple(sorted(set(spec["surfaces"]))),
                            tuple(sorted(mentions, key=lambda m: (m.article, m.paragraph,
                                                                  m.start)))))
    return articles, tuple(actors), expected


def _analyse(story: str) -> tuple[tuple[Claim, ...], dict[str, Any], tuple[Article, ...]]:
    articles, actors, expected = _load(story)
    sources = SourceAnalysis((), {a.id: None for a in articles})
    return analyse_claims(articles, actors, sources), expected, articles


def _find(claims: tuple[Claim, ...], want: dict[str, Any]) -> Claim | None:
    for c in claims:
        if c.kind != want["kind"]:
            continue
        if want["kind"] == "number":
            if c.number is not None and abs(c.number - want["number"]) < 1e-6 and \
                    c.speaker == want["speaker"] and c.number_max == want.get("number_max"):
                return c
        elif want["text"].lower() in c.text.lower() or any(
                want["text"].lower() in e.text.lower() for e in c.evidence) and \
                c.speaker == want["speaker"]:
            return c
    return None


def _cases() -> list[tuple[str, int]]:
    out = []
    for story in CLAIM_STORIES:
        expected = yaml.safe_load((STORIES / story / "expected.yaml").read_text(encoding="utf-8"))
        out += [(story, i) for i in range(len(expected["claims"]))]
    return out


@pytest.mark.parametrize(("story", "index"), _cases())
def test_story_claim_is_in_the_ledger(story: str, index: int) -> None:
    claims, expected, _ = _analyse(story)
    want = expected["claims"][index]
    found = _find(claims, want)
    assert found is not None, f"no {want['kind']} claim like {want}"
    assert found.speaker == want["speaker"]
    assert {e.article for e in found.evidence} == set(want["articles"])
    for field in ("unit", "hedge", "status"):
        if field in want:
            assert getattr(found, field) == want[field], field
    if "surface" in want:
        assert want["surface"] in (found.speaker_surface or "")
    if want.get("denial"):
        assert found.denial


@pytest.mark.parametrize("story", CLAIM_STORIES)
def test_figures_of_one_measure_share_a_key_and_others_do_not(story: str) -> None:
    claims, expected, _ = _analyse(story)
    keys: dict[str, set[str | None]] = {}
    for want in expected["claims"]:
        if "measure" in want:
            found = _find(claims, want)
            assert found is not None
            keys.setdefault(want["measure"], set()).add(found.measure)
    for label, got in keys.items():
        assert len(got) == 1 and None not in got, (label, got)
    flat = [next(iter(v)) for v in keys.values()]
    assert len(set(flat)) == len(flat), keys


@pytest.mark.parametrize("story", CLAIM_STORIES)
def test_evidence_is_verbatim_sorted_and_claims_come_in_order_of_first_report(story: str) -> None:
    claims, _, articles = _analyse(story)
    paragraphs = {(a.id, p.number): p.text for a in articles for p in a.paragraphs}
    assert len({c.id for c in claims}) == len(claims)
    firsts = [min((e.article, e.paragraph) for e in c.evidence) for c in claims]
    assert firsts == sorted(firsts)
    for claim in claims:
        assert re.fullmatch(r"c-[0-9a-f]{8}", claim.id)
        assert claim.evidence
        for e in claim.evidence:
            assert e.text in paragraphs[(e.article, e.paragraph)]
        keys = [(e.article, e.paragraph) for e in claim.evidence]
        assert keys == sorted(keys)


@pytest.mark.parametrize("story", CLAIM_STORIES)
def test_claim_ids_stay_when_an_article_is_added_or_dropped(story: str) -> None:
    """A link to claims.html#c-… made today must point at the same claim tomorrow."""
    articles, actors, _ = _load(story)
    everything = {_identity_of(c): c.id for c in analyse_claims(articles, actors, _independent(articles))}
    for dropped in articles:
        kept = tuple(a for a in articles if a is not dropped)
        for claim in analyse_claims(kept, actors, _independent(kept)):
            if _identity_of(claim) in everything:
                assert claim.id == everything[_identity_of(claim)], (dropped.id, claim.text)


def _independent(articles: tuple[Article, ...]) -> SourceAnalysis:
    return SourceAnalysis((), {a.id: None for a in articles})


def _identity_of(claim: Claim) -> tuple[object, ...]:
    return (claim.kind, claim.speaker, claim.speaker_surface, claim.text, claim.number, claim.number_max,
            claim.measure)


@pytest.mark.parametrize("story", CLAIM_STORIES)
def test_analysis_is_deterministic(story: str) -> None:
    first, _, _ = _analyse(story)
    second, _, _ = _analyse(story)
    assert first == second


@pytest.mark.parametrize("story", CLAIM_STORIES)
def test_runner_path_gives_the_same_ledger(story: str, tmp_path: Path) -> None:
    from sitegen.cache import DiskCache

    articles, actors, _ = _load(story)
    sources = SourceAnalysis((), {a.id: None for a in articles})
    direct = analyse_claims(articles, actors, sources)
    with ArticleRunner(jobs=1, cache=DiskCache(tmp_path)) as runner:
        first = analyse_claims(articles, actors, sources, runner=runner)
        again = analyse_claims(articles, actors, sources, runner=runner)
        assert runner.computed == len(articles) + 2  # and the join and ledger; the second run came from the cache
    assert first == direct
    assert again == direct


def test_through_the_cache_claims_are_joined_and_counted_again_only_when_they_or_origins_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Joining claims across articles is kept, keyed on the claims, and so is the last
    ledger, with the claims' key and the articles' origins: an edit that changes no claim
    (or adds only a figure without a unit, which is dropped) makes neither again, nor even
    reads the other articles' claims back to prepare a join (`_prepared`); a new quote
    makes both; a new origin (one article found to rewrite another, and then not) recounts
    the last ledger's claims without reading or joining any (`_recounted`). Each time the
    ledger is that of an analysis without a cache."""
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "cache-key"))
    calls: list[str] = []

    def counted(name: str) -> None:
        real = getattr(claims_module, name)

        def call(*args: Any) -> Any:
            calls.append(name)
            return real(*args)

        monkeypatch.setattr(claims_module, name, call)

    counted("_groups")
    counted("_ledger")
    counted("_prepared")
    articles, actors, _ = _load("claims-flood-toll")
    first_id = articles[0].id

    def ledger(articles: tuple[Article, ...], runner: ArticleRunner | None = None,
               rewrite: bool = False) -> tuple[Claim, ...]:
        origins = {a.id: first_id if rewrite and a.id != first_id else None for a in articles}
        return analyse_claims(articles, actors, SourceAnalysis((), origins), runner=runner)

    def cached(articles: tuple[Article, ...], rewrite: bool = False) -> tuple[tuple[Claim, ...], list[str]]:
        """The ledger through the cache, and which cross-article steps ran for it."""
        calls.clear()
        with open_runner(1, tmp_path / "cache") as runner:
            return ledger(articles, runner, rewrite), sorted(calls)

    *kept, last = articles
    assert cached(articles) == (ledger(articles), ["_groups", "_ledger", "_prepared"])
    for unchanged in ("It rained again later that day.", "The page was updated at 1733000000046."):
        edited = (*kept, appended(last, unchanged))
        assert cached(edited) == (ledger(edited), [])
    counted("_recounted")
    assert cached(articles, rewrite=True) == (ledger(articles, rewrite=True), ["_recounted"])
    assert ledger(articles, rewrite=True) != ledger(articles)
    assert cached(articles) == (ledger(articles), ["_recounted"])
    quoted = (*kept, appended(last, '"We will not leave our homes," one resident said.'))
    assert cached(quoted) == (ledger(quoted), ["_groups", "_ledger", "_prepared"])
    assert any("We will not leave our homes" in c.text for c in ledger(quoted))


def test_a_warm_process_keeps_the_claims_an_edit_left_as_the_very_objects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an edit that adds a claim, a process that builds again and again gets the
    claims the edit left as they were back as the very objects of its last ledger (what it
    made from each is kept by identity); the ledger is what a fresh analysis gives."""
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "cache-key"))
    articles, actors, _ = _load("claims-flood-toll")
    *kept, last = articles
    memory: dict[str, dict[str, object]] = {}
    origins = SourceAnalysis((), {a.id: None for a in articles})

    def build(articles: tuple[Article, ...]) -> tuple[Claim, ...]:
        with open_runner(1, tmp_path / "cache", None, memory) as runner:
            return analyse_claims(articles, actors, origins, runner=runner)

    before = build(articles)
    edited = (*kept, appended(last, "Officials said 40 more homes had been evacuated."))
    after = build(edited)
    assert after == analyse_claims(edited, actors, origins)
    same = [c for c in after if c in before]
    assert len(after) > len(before) and same
    assert all(any(c is b for b in before) for c in same)


def test_a_warm_process_keeps_the_joined_groups_through_edits_that_change_no_claim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sitegen serve` keeps what a build used in memory and drops the rest. A build that
    finds its ledger by the claims' key never reads the joined groups, yet they must stay:
    the next build whose origins change makes its ledger from them, not from a new join."""
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "cache-key"))
    groups_made: list[int] = []
    real_groups = claims_module._groups
    monkeypatch.setattr(claims_module, "_groups", lambda *args: groups_made.append(1) or real_groups(*args))
    articles, actors, _ = _load("claims-flood-toll")
    *kept, last = articles
    memory: dict[str, dict[str, object]] = {}

    def build(articles: tuple[Article, ...], rewrite: bool = False) -> tuple[Claim, ...]:
        origins = {a.id: articles[0].id if rewrite and a.id != articles[0].id else None for a in articles}
        with open_runner(1, tmp_path / "cache", None, memory) as runner:
            return analyse_claims(articles, actors, SourceAnalysis((), origins), runner=runner)

    build(articles)
    build((*kept, appended(last, "It rained again later that day.")))
    assert any(name.startswith(claims_module.GROUPS_LABEL) and kept_groups for name, kept_groups in memory.items())
    rewritten = build(articles, rewrite=True)
    assert groups_made == [1]
    assert rewritten == analyse_claims(articles, actors, SourceAnalysis((), {
        a.id: articles[0].id if a.id != articles[0].id else None for a in articles}))


@pytest.mark.parametrize("story", CLAIM_STORIES)
def test_a_warm_process_builds_again_only_the_claims_an_edit_changed(
    story: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process that builds again and again makes a group's claim again only where what
    it is made from changed (`claims._built_again`). Dropping an article, then bringing it
    back, changes other claims than its own (which figures another speaker contradicts,
    what a denial disowns), and so does finding the others to be rewrites of the first
    (how many independent sources report them): each ledger is what a fresh analysis of
    the same articles gives."""
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "cache-key"))
    built: list[object] = []
    monkeypatch.setattr(claims_module, "_built_again",
                        each_by_value(lambda reading: built.append(reading) or claims_module._build(reading)))
    articles, actors, _ = _load(story)
    memory: dict[str, dict[str, object]] = {}

    def analysis(articles: tuple[Article, ...], rewrites: bool, runner: ArticleRunner | None = None
                 ) -> tuple[Claim, ...]:
        first = articles[0].id
        origins = SourceAnalysis((), {a.id: first if rewrites and a.id != first else None for a in articles})
        return analyse_claims(articles, actors, origins, runner=runner)

    def build(articles: tuple[Article, ...], rewrites: bool) -> tuple[Claim, ...]:
        with open_runner(1, tmp_path / "cache", None, memory) as runner:
            return analysis(articles, rewrites, runner)

    whole = build(articles, False)
    assert len(built) == len(whole)
    for dropped in articles:
        rest = tuple(a for a in articles if a is not dropped)
        for edited, rewrites in ((rest, False), (articles, False), (rest, True), (articles, False)):
            built.clear()
            assert build(edited, rewrites) == analysis(edited, rewrites)
            assert 0 < len(built) < len(whole)


@pytest.mark.parametrize("story", CLAIM_STORIES)
def test_a_warm_process_that_finds_the_ledger_stored_builds_its_claims_for_the_next_edit(
    story: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process that builds again and again, whose first build finds the ledger a build
    from the command line stored (`sitegen serve`'s warm-up), builds each claim then, so
    the first edit that changes the claims builds again only the claims it changed; a
    build from the command line builds none beyond its own ledger."""
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "cache-key"))
    built: list[object] = []
    monkeypatch.setattr(claims_module, "_built_again",
                        each_by_value(lambda reading: built.append(reading) or claims_module._build(reading)))
    articles, actors, _ = _load(story)
    origins = SourceAnalysis((), {a.id: None for a in articles})

    def build(articles: tuple[Article, ...], memory: dict[str, dict[str, object]] | None) -> tuple[Claim, ...]:
        with open_runner(1, tmp_path / "cache", None, memory) as runner:
            return analyse_claims(articles, actors, origins, runner=runner)

    whole = build(articles, None)
    assert built == [] and build(articles, None) == whole  # found by the command line: nothing built
    memory: dict[str, dict[str, object]] = {}
    found = build(articles, memory)
    assert found == whole and len(built) == len(whole)
    given = {id(claim) for _, claim, _ in claims_module._built_again._last.values()}
    assert all(id(claim) in given for claim in found)  # the ledger's own claims, by their readings
    built.clear()
    rest = articles[1:]
    after = build(rest, memory)
    assert after == analyse_claims(rest, actors, origins)
    assert 0 < len(built) < len(after)


def test_a_warm_process_builds_again_a_figure_whose_denial_was_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A figure another source denies is contested; when the article with the denial goes,
    the figure's claim, reported elsewhere and itself unchanged, is made again."""
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "cache-key"))
    articles, actors, _ = _load("claims-vaccine-recall")
    denying = next(a for a in articles if "denied that 40,000 doses" in a.body)
    other = next(a for a in articles if a is not denying)
    reported = tuple(appended(a, "A customs official said 40,000 doses had been exported.") if a is other else a
                     for a in articles)
    memory: dict[str, dict[str, object]] = {}
    origins = SourceAnalysis((), {a.id: None for a in articles})

    def build(articles: tuple[Article, ...]) -> tuple[Claim, ...]:
        with open_runner(1, tmp_path / "cache", None, memory) as runner:
            return analyse_claims(articles, actors, origins, runner=runner)

    def figure(claims: tuple[Claim, ...]) -> Claim:
        return next(c for c in claims if c.number == 40_000 and not c.denial)

    assert figure(build(reported)).status == "contested"
    without_denial = tuple(a for a in reported if a is not denying)
    after = build(without_denial)
    assert figure(after).status == "single-source"
    assert after == analyse_claims(without_denial, actors, origins)


def test_claims_whose_short_ids_collide_take_longer_ids() -> None:
    """Ids are the first digits of a hash of each claim's identity: where two claims' hashes
    share those, both take twice the digits; two claims of one identity, the second a
    suffix. A claim keeps the short id it was built with only where no other shares it."""
    articles, actors, _ = _load("claims-flood-toll")
    claims = analyse_claims(articles, actors, SourceAnalysis((), {a.id: None for a in articles}))[:5]
    digests = ["ab" * 32, "ab" * 4 + "cd" * 28, "ef" * 32, "ef" * 32, "12" * 32]
    built = [replace(c, id=claims_module._short_id(d)) for c, d in zip(claims, digests, strict=True)]
    with_ids = claims_module._with_ids(built, digests)
    assert [c.id for c in with_ids] == [
        "c-" + "ab" * 8, "c-" + "ab" * 4 + "cd" * 4, "c-" + "ef" * 8, "c-" + "ef" * 8 + "-2", "c-" + "12" * 4]
    assert with_ids[4] is built[4]

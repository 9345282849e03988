"""The tags' corpus step kept by a warm process (`sitegen/analyse/tag_corpus.py`): after
every kind of edit, its tallies updated article by article give the tags a whole corpus
step gives, and only the articles an edit changed are taken out and put in again."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from edits import appended
from test_tags import actors_for

from sitegen.analyse import tag_corpus
from sitegen.analyse.tag_corpus import StemParagraphs, TagCorpus
from sitegen.analyse.tags import analyse_tags
from sitegen.cache import KEY_ENV
from sitegen.load import load_article
from sitegen.model import Article
from sitegen.runner import open_runner

STORIES = Path(__file__).parent / "stories"


def load_stories() -> list[Article]:
    """Every story of tests/stories: several subjects, so candidates come and go."""
    articles = []
    for root in sorted(p for p in STORIES.iterdir() if p.is_dir()):
        problems: list[object] = []
        for path in sorted(root.glob("*.md")):
            article = load_article(path, root, problems)  # type: ignore[arg-type]
            if article is not None:
                articles.append(dataclasses.replace(article, id=f"{root.name}-{article.id}"))
    return articles


def edits(articles: list[Article]) -> list[tuple[str, list[Article]]]:
    """One corpus after another, each an edit of the one before."""
    first, second, *_ = articles
    out = []
    now = [appended(first, "The strike committee said the cranes would stay idle until the harbour master replied.")
           if a is first else a for a in articles]
    out.append(("a sentence added", now))
    now = [appended(a, "Wildfire smoke drifted over the container terminal.") if a.id == second.id else a for a in now]
    out.append(("another article edited", now))
    now = [a for a in now if a.id != second.id]
    out.append(("an article removed", now))
    copy = dataclasses.replace(articles[5], id="zz-follow-up", content_digest="")
    now = [*now, appended(copy, "Dockworkers in Rotterdam joined the protest on Friday.")]
    out.append(("an article added", now))
    now = [dataclasses.replace(a, title="A new title", content_digest="") if a.id == copy.id else a for a in now]
    out.append(("an article retitled", now))
    out.append(("the first corpus again", articles))
    return out


def test_updated_tallies_give_the_tags_of_a_whole_corpus_step(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "cache-key"))
    articles = load_stories()
    actors = actors_for(articles)
    memory: dict[str, dict[str, object]] = {}  # as `sitegen serve` keeps results: the very facts objects
    corpus = TagCorpus()
    unpacked: list[int] = []
    real_texts = StemParagraphs.texts

    def texts(self: StemParagraphs) -> list[str]:
        unpacked.append(1)
        return real_texts(self)

    monkeypatch.setattr(StemParagraphs, "texts", texts)

    def warm(now: list[Article]) -> tuple[object, ...]:
        with open_runner(1, tmp_path / "cache", None, memory) as runner:
            return analyse_tags(now, actors, runner, corpus=corpus)

    assert warm(articles) == analyse_tags(articles, actors)
    for edit, now in edits(articles):
        unpacked.clear()
        tags = warm(now)
        assert len(unpacked) <= 4, edit  # the old and new facts of the articles changed, not all
        assert tags == analyse_tags(now, actors), edit
        assert tallies(corpus) == tallies(fresh(corpus)), edit


def test_tags_an_update_left_as_they_were_are_the_very_tags_it_gave_before() -> None:
    """What keeps values by a record's identity (the digests of a build's records) finds a
    tag an edit did not change: the corpus step gives back the very object; a tag that
    changed is a new one, equal to the tag a whole corpus step gives."""
    articles = load_stories()
    actors = actors_for(articles)
    corpus = TagCorpus()
    first = {t.id: t for t in analyse_tags(articles, actors, corpus=corpus)}
    edited = [appended(articles[0], "The harbour master replied on Monday."), *articles[1:]]
    again = analyse_tags(edited, actors, corpus=corpus)
    assert again == analyse_tags(edited, actors)
    kept = [t for t in again if t.id in first and t == first[t.id]]
    assert len(kept) > 5 and all(t is first[t.id] for t in kept)
    assert all(t is not first.get(t.id) for t in again if t not in kept)


def fresh(corpus: TagCorpus) -> TagCorpus:
    """A corpus step's tallies made at once from the facts `corpus` holds."""
    made = TagCorpus()
    made.update(dict(corpus.facts))
    return made


def tallies(corpus: TagCorpus) -> dict[str, object]:
    """What `TagCorpus.tags` reads, in the order it reads it (sums add up in article order)."""
    return {
        "lower words": set(corpus._lower), "nouns": set(corpus._nouns),
        "ranked": {key: list(by_article.items()) for key, by_article in corpus._ranked.items()},
        "surfaces": {key: dict(surfaces) for key, surfaces in corpus._surfaces.items()},
        "carriers": dict(corpus._carriers),
    }


def test_many_new_candidates_are_found_in_every_article_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past `FEW_NEW_CANDIDATES`, candidates new to the tallies are looked for by setting
    each article's texts against them all; below, each by a search of each article's text.
    Both ways find the same carriers (checked against a whole step with either bound)."""
    articles = load_stories()
    actors = actors_for(articles)
    expected = analyse_tags(articles, actors)
    for bound in (0, 10_000):
        monkeypatch.setattr(tag_corpus, "FEW_NEW_CANDIDATES", bound)
        corpus = TagCorpus()
        assert analyse_tags(articles[:3], actors, corpus=corpus) == analyse_tags(articles[:3], actors)
        assert analyse_tags(articles, actors, corpus=corpus) == expected


def test_an_update_that_fails_leaves_no_tallies_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    """A build stopped half way through an update (an error, ^C in serve) must not leave
    tallies that count some of an edit's articles: the next build starts them afresh."""
    articles = load_stories()
    actors = actors_for(articles)
    corpus = TagCorpus()
    analyse_tags(articles, actors, corpus=corpus)
    edited = [appended(a, "Ferries to the islands were cancelled again.") if k % 3 == 0 else a
              for k, a in enumerate(articles)]
    calls = 0
    real = StemParagraphs.texts

    def failing(self: StemParagraphs) -> list[str]:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return real(self)

    monkeypatch.setattr(StemParagraphs, "texts", failing)
    with pytest.raises(KeyboardInterrupt):
        analyse_tags(edited, actors, corpus=corpus)
    monkeypatch.setattr(StemParagraphs, "texts", real)
    assert not corpus.facts
    assert analyse_tags(edited, actors, corpus=corpus) == analyse_tags(edited, actors)


def test_the_briefing_reads_distinct_tags_no_further_than_it_keeps() -> None:
    """`_distinct` is compared tag by tag against the tags kept before it, and the briefing
    keeps the first few dozen: a generator that stops being read there gives the same tags
    as dropping the repeats of the whole list first."""
    stems = ["troop", "border", "sanction", "missil", "launch", "talk", "deploy", "alli", "strike", "port"]
    keys = [(a, b) for a in stems for b in stems if a != b] + [(s,) for s in stems]
    scored = [(-1.0 / (n + 1), " ".join(key), key, ["a1"]) for n, key in enumerate(keys)]
    read = 0

    def counted() -> Iterator[tuple[float, str, tuple[str, ...], list[str]]]:
        nonlocal read
        for item in scored:
            read += 1
            yield item

    kept_all: list[tuple[str, ...]] = []
    for _, _, key, _ in scored:  # every repeat dropped from the whole list first
        if not any(tag_corpus.repeats(key, k) for k in kept_all):
            kept_all.append(key)
    size = 6
    chosen = tag_corpus._with_few_lone_words(tag_corpus._distinct(counted()), size)
    assert [key for _, _, key, _ in chosen] == kept_all[:size]
    assert read < len(scored) // 2


def kept_by_sorting(chosen: list[tuple[float, str, tuple[str, ...], list[str]]],
                    ranked: dict[tuple[str, ...], dict[str, float]]) -> dict[tuple[str, ...], list[str]]:
    """The rule `_kept_by_articles` follows, written out: each article sorts the chosen tags
    it carries by its relevance for them (0 where it does not rank one), then by the tag's
    score, label and stems, and keeps the first `PER_ARTICLE`."""
    mine: dict[str, list[tuple[float, float, str, tuple[str, ...]]]] = {}
    for neg_score, label, key, carried in chosen:
        for article_id in dict.fromkeys(carried):
            mine.setdefault(article_id, []).append((-ranked[key].get(article_id, 0.0), neg_score, label, key))
    kept: dict[tuple[str, ...], list[str]] = {key: [] for _, _, key, _ in chosen}
    for article_id in sorted(mine):
        for *_, key in sorted(mine[article_id])[:tag_corpus.PER_ARTICLE]:
            kept[key].append(article_id)
    return kept


@pytest.mark.parametrize("seed", range(40))
def test_articles_keep_the_tags_that_matter_most_to_them(seed: int) -> None:
    """Taking the carriers that do not rank a tag by sets gives what sorting each article's
    tags gives: ties in relevance go to the better tag, a tag an article does not rank comes
    after those it ranks above 0 and before any it ranks below (and an article listed twice
    among a tag's carriers counts once)."""
    import random
    pick = random.Random(seed)
    articles = [f"a{n:02}" for n in range(pick.randint(1, 30))]
    relevances = [0.0, -0.1, -0.3, 0.2, 0.5, 0.9, 1.0] if seed % 2 else [0.25, 0.5]
    chosen, ranked = [], {}
    for n in range(pick.randint(1, 3 * tag_corpus.PER_ARTICLE)):
        key = (f"stem{n}",)
        carried = sorted(pick.sample(articles, pick.randint((len(articles) + 1) // 2, len(articles))))
        if pick.random() < 0.2:
            carried.append(carried[0])
        ranked[key] = {a: pick.choice(relevances) for a in carried if pick.random() < 0.5}
        chosen.append((-pick.choice([1.0, 2.0, 3.5]), f"label {n}", key, carried))
    chosen.sort()
    assert tag_corpus._kept_by_articles(chosen, ranked) == kept_by_sorting(chosen, ranked)

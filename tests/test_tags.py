"""Tags (issue 7) on a story of our own: YAKE candidates, filtered and blended by corpus."""

from __future__ import annotations

import dataclasses
import os
import pickle
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from edits import appended
from held_memory import held_by
from yake.data import DataCore  # type: ignore[import-untyped]

import sitegen.analyse.tags as tags_module
from sitegen.analyse.actors import analyse_actors
from sitegen.analyse.keywords import (
    _EVERY,
    KEYWORD_SETTINGS,
    _deduplicated,
    _extractor,
    _in_stable_order,
    _scorer,
    article_keywords,
)
from sitegen.analyse.shingles import STOPWORDS, split_sentences, stem, tokens
from sitegen.analyse.tag_corpus import (
    BRIEFING_MAX,
    PER_ARTICLE,
    ArticleTagFacts,
    Key,
    StemParagraphs,
    TagCorpus,
    packed_words,
    unpacked_words,
)
from sitegen.analyse.tags import (
    CALENDAR,
    CORPUS_LABEL,
    FREQUENCY_SETTINGS,
    NUMBER_WORDS,
    _FactInputs,
    _NameFilter,
    analyse_tags,
    article_tag_facts,
    article_text,
    extract_keywords,
    tags_from_keywords,
    word_frequency,
)
from sitegen.cache import FILE_NAME, KEY_ENV
from sitegen.load import load_article
from sitegen.model import Actor, Article, Mention, Paragraph, Tag
from sitegen.runner import SERIAL_RUNNER, ArticleRunner, open_runner, step_label

STORY = Path(__file__).parent / "stories" / "tags-port-strike"
# The story's names, as an actors analyser would report them.
NAMES = (
    "Antwerp", "Jan van der Berg", "Sophie De Wilde", "De Wilde", "BTB", "Rotterdam",
    "Marieke Van den Broeck", "Belgium", "the Netherlands", "Germany", "Europe", "Scheldt",
)  # fmt: skip


def load_story() -> list[Article]:
    problems: list[object] = []
    articles = [load_article(p, STORY, problems) for p in sorted(STORY.glob("*.md"))]  # type: ignore[arg-type]
    assert not problems
    return [a for a in articles if a is not None]


def actors_for(articles: list[Article], names: tuple[str, ...] = NAMES) -> list[Actor]:
    actors = []
    for name in names:
        mentions = tuple(
            Mention(a.id, p.number, m.start(), m.end(), name)
            for a in articles
            for p in a.paragraphs
            for m in re.finditer(re.escape(name), p.text)
        )
        actor_id = re.sub(r"\W+", "-", name.lower())
        actors.append(Actor(actor_id, name, "other", None, None, (name,), mentions))
    return actors


@pytest.fixture(scope="module")
def story_tags() -> tuple[Tag, ...]:
    articles = load_story()
    return analyse_tags(articles, actors_for(articles))


def test_the_story_topics_become_tags_on_every_article_that_carries_them(
    story_tags: tuple[Tag, ...],
) -> None:
    by_label = {t.label: t for t in story_tags}
    for topic in ("dock workers", "automated cranes", "container terminals", "night-shift pay"):
        assert topic in by_label
    assert len(by_label["dock workers"].articles) == 4


def test_no_tag_is_a_name_a_number_a_date_or_starts_or_ends_with_a_stop_word(
    story_tags: tuple[Tag, ...],
) -> None:
    folded_names = {n.lower().removeprefix("the ") for n in NAMES}
    for tag in story_tags:
        words = tag.label.lower().split()
        assert tag.label.lower() not in folded_names
        assert not any(any(c.isdigit() for c in w) or w in CALENDAR for w in words)
        assert words[0] not in STOPWORDS and words[-1] not in STOPWORDS


def test_every_occurrence_is_a_paragraph_where_the_tag_words_stand_in_one_sentence(
    story_tags: tuple[Tag, ...],
) -> None:
    paragraphs = {(a.id, p.number): p.text for a in load_story() for p in a.paragraphs}
    for tag in story_tags:
        key = " ".join(stem(t) for t in tokens(tag.label))
        assert tag.occurrences
        for occ in tag.occurrences:
            assert occ.article in tag.articles
            sentences = split_sentences(paragraphs[(occ.article, occ.paragraph)])
            assert any(f" {key} " in " " + " ".join(stem(t) for t in tokens(s)) + " " for s in sentences)


def test_counts_per_article_and_per_briefing_stay_in_bounds(story_tags: tuple[Tag, ...]) -> None:
    per_article: dict[str, int] = {}
    for tag in story_tags:
        for article in tag.articles:
            per_article[article] = per_article.get(article, 0) + 1
    assert max(per_article.values()) <= PER_ARTICLE
    assert min(per_article.values()) >= 5
    assert len(story_tags) <= BRIEFING_MAX


def test_ids_are_slugs_sorted_and_unique(story_tags: tuple[Tag, ...]) -> None:
    ids = [t.id for t in story_tags]
    assert ids == sorted(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i) for i in ids)


def test_same_tags_whatever_the_input_order() -> None:
    articles = load_story()
    actors = actors_for(articles)
    assert analyse_tags(articles, actors) == analyse_tags(articles[::-1], actors[::-1])


def test_the_yake_step_returns_picklable_data_the_corpus_step_accepts() -> None:
    articles = load_story()
    found = {a.id: pickle.loads(pickle.dumps(article_keywords(article_text(a)))) for a in articles}
    assert all(isinstance(s, float) for kws in found.values() for _, s in kws)
    actors = actors_for(articles)
    assert tags_from_keywords(articles, actors, found) == analyse_tags(articles, actors)


def _texts_yake_reads() -> list[str]:
    """The seeds, every story of ours (as `article_text` gives YAKE an article), and a
    few texts that test YAKE's edges."""
    seeds = sorted((Path(__file__).parents[1] / "seeds").glob("*.txt"))
    stories = sorted((Path(__file__).parent / "stories").glob("*/*.md"))
    problems: list[object] = []
    articles = [load_article(p, p.parent, problems) for p in stories]  # type: ignore[arg-type]
    texts = [p.read_text(encoding="utf-8") for p in seeds] + [article_text(a) for a in articles if a]
    texts += ["", "A b c.", "Ukraine, Ukrainian, Ukrainians; U.K., UK and uk. US, U.S. and us.",
              # Short names with the same letters are duplicates whatever their ends.
              "Then the EU argued about IRA and the AIR and RAI. MTA and TAM met."]
    assert len(texts) > 40 and not problems
    return texts


def _yakes_own_ranking(text: str) -> list[tuple[str, float]]:
    """Every candidate YAKE's Python code scores, best first, before its dedup."""
    extractor = _extractor()
    config = extractor.config
    core = DataCore(text=text.replace("\n", " "), stopword_set=extractor.stopword_set,
                    config={"windows_size": config["window_size"], "n": config["n"]})
    core.build_single_terms_features(features=config["features"])
    core.build_mult_terms_features(features=config["features"])
    return [(c.kw, c.h) for c in sorted((c for c in core.candidates.values() if c.is_valid()), key=lambda c: c.h)]


def test_the_dedup_keeps_what_yakes_extract_keywords_keeps_float_for_float() -> None:
    """Given YAKE's own ranking, the blocked dedup keeps exactly what YAKE's
    extract_keywords keeps: in order, scores equal."""
    for text in _texts_yake_reads():
        expected = [(k, float(s)) for k, s in _extractor().extract_keywords(text)] if text.strip() else []
        assert _deduplicated(_yakes_own_ranking(text)) == expected, text[:60]


KEYWORDS_OF_STORIES = """
import sys
from pathlib import Path
from sitegen.analyse.keywords import article_keywords
print(repr([article_keywords(p.read_text(encoding="utf-8")) for p in sorted(Path(sys.argv[1]).glob("*/*.md"))]))
"""


def test_keywords_are_the_same_in_every_process() -> None:
    """yake-rust adds up in the order of hash maps each process seeds afresh, so its last
    digits and its order of equal scores change from process to process; the keywords
    (and so the tags, and a cold build's bytes) must not."""
    stories = Path(__file__).parent / "stories"
    runs = {subprocess.run([sys.executable, "-c", KEYWORDS_OF_STORIES, str(stories)], capture_output=True,
                           text=True, check=True, timeout=120).stdout for _ in range(4)}
    assert len(runs) == 1 and len(runs.pop()) > 10_000


def test_equal_scores_are_put_in_the_order_yake_meets_them() -> None:
    """Where a candidate's first occurrence ends, then its length; then its text."""
    text = "Beta met gamma. Alpha beta, alpha."
    noisy = [("beta", 0.1), ("Alpha beta", 0.1 * (1 + 2e-16)), ("gamma", 0.05), ("Alpha", 0.1 * (1 - 2e-16)),
             ("delta", 0.1)]
    def order(scored: list[tuple[str, float]]) -> list[str]:
        return [surface for surface, _ in _in_stable_order(scored, text)]

    assert order(noisy) == order(noisy[::-1]) == ["gamma", "beta", "Alpha", "Alpha beta", "delta"]
    assert order([("gamma", 0.1), ("beta", 0.1001)]) == ["gamma", "beta"]  # a real difference
    # YAKE never makes a candidate of more words than its n-grams, nor one its words do
    # not spell out: such a one (another tokeniser's) goes last of its run, where it is.
    longer = "Beta met gamma delta. Alpha beta, alpha."
    assert [s for s, _ in _in_stable_order([("beta met gamma delta", 0.1), ("Alpha", 0.1)], longer)] == \
        ["Alpha", "beta met gamma delta"]
    assert [s for s, _ in _in_stable_order([("gamma delta.", 0.1), ("alpha", 0.1)], longer)] == \
        ["alpha", "gamma delta."]
    assert [s for s, _ in _in_stable_order([("eta met", 0.1), ("alpha", 0.1)], longer)] == \
        ["alpha", "eta met"]  # words are matched whole: "eta" is not the end of "Beta"


HYPHENATED = re.compile(r"\w-\w")


def test_yake_rust_scores_the_candidates_yake_scores() -> None:
    """yake-rust finds every candidate YAKE does, and scores each as YAKE does; it differs
    only where it keeps a hyphenated word whole (YAKE drops it, which moves the
    neighbours' scores), and even then ranks the best twenty nearly alike."""
    texts = _texts_yake_reads()
    alike = 0
    for text in texts:
        ours = dict(_scorer().get_n_best(text.replace("\n", " "), n=_EVERY))
        yakes = dict(_yakes_own_ranking(text))
        assert yakes.keys() <= ours.keys(), text[:60]
        extra = ours.keys() - yakes.keys()
        assert all(HYPHENATED.search(k) for k in extra), (sorted(extra), text[:60])
        if not extra:
            alike += 1
            assert all(ours[k] == pytest.approx(s, rel=1e-9) for k, s in yakes.items()), text[:60]
        best = [k for k, _ in sorted(yakes.items(), key=lambda item: item[1])[:20]]
        ours_best = [k for k, _ in sorted(ours.items(), key=lambda item: item[1])[:20]]
        assert len(set(best) & set(ours_best)) >= 0.85 * len(best), text[:60]
    assert alike >= len(texts) - 5  # hyphenated candidates are rare


@pytest.mark.parametrize(
    ("candidate", "kept"),
    [
        ("dock workers", True),
        ("Jan van der Berg", False),  # an actor's name
        ("union leader Jan", False),  # overlaps a mention of one
        ("Sophie De", False),  # stops inside a name
        ("Monday", False),
        ("40 cargo ships", False),
        ("forty cargo ships", False),
        ("the strike", False),  # opens with a stop word
        ("raises the risk", False),  # a clause, not a topic
        ("cargo ships waiting", False),  # ends in a participle
    ],
)
def test_candidate_filter(candidate: str, kept: bool) -> None:
    article = load_story()[0]
    text = (
        "Union leader Jan van der Berg said dock workers will strike on Monday. "
        "Sophie De Wilde said 40 cargo ships were waiting, and this raises the risk of delays."
    )
    article = Article(
        article.id, article.source_file, article.title, None, None, None, None, text, 1,
        (type(article.paragraphs[0])(1, text, 1),),
    )  # fmt: skip
    found = {article.id: ((candidate, 0.01),)}
    tags = tags_from_keywords([article], actors_for([article]), found)
    assert bool(tags) == kept


def test_through_the_article_runner_the_result_is_the_same(story_tags: tuple[Tag, ...]) -> None:
    articles = load_story()
    assert analyse_tags(articles, actors_for(articles), runner=ArticleRunner(jobs=2)) == story_tags


@pytest.mark.parametrize("warm", [False, True], ids=["command line", "warm process"])
def test_with_the_same_names_only_an_edited_articles_filter_is_restricted_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, story_tags: tuple[Tag, ...], warm: bool
) -> None:
    """Through the disk cache, an edit that names no new actor restricts the name filter
    for the edited article alone; a new name (or one gone) restricts it again for the
    articles whose text has it. Either way the tags are those of a build without a cache.
    A process that builds again and again (`warm`) keeps each text as it searches it for
    the names, and finds the same articles."""
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "cache-key"))
    restricted: list[frozenset[str]] = []
    real = _NameFilter.restricted_to

    def counted(self: _NameFilter, *args: object) -> _NameFilter:
        restricted.append(self.names)
        return real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(_NameFilter, "restricted_to", counted)

    def cached_tags(articles: list[Article], actors: list[Actor]) -> tuple[tuple[Tag, ...], int]:
        """The tags through the cache, and for how many articles the filter was restricted."""
        restricted.clear()
        with open_runner(1, tmp_path / "cache", None, memory) as runner:
            assert runner.keeps_memory == warm
            return analyse_tags(articles, actors, runner=runner), len(restricted)

    memory: dict[str, dict[str, object]] | None = {} if warm else None

    articles = load_story()
    assert cached_tags(articles, actors_for(articles)) == (story_tags, len(articles))
    assert cached_tags(articles, actors_for(articles)) == (story_tags, 0)

    edited = [*articles[:-1], appended(articles[-1], "Dockers met again on Tuesday to vote on the offer.")]
    assert cached_tags(edited, actors_for(edited)) == (analyse_tags(edited, actors_for(edited)), 1)
    with open_runner(1, tmp_path / "cache") as runner:  # keywords not read back are kept all the same
        assert runner.missing(article_keywords, [article_text(a) for a in edited], KEYWORD_SETTINGS) == []

    # A new name: the filter is restricted again only for the articles whose text has it.
    naming = sum("dockers" in article_text(a).lower() for a in edited)
    assert 0 < naming < len(edited)
    more_names = (*NAMES, "Dockers")
    assert cached_tags(edited, actors_for(edited, more_names)) == (
        analyse_tags(edited, actors_for(edited, more_names)), naming)
    # And when it goes again.
    assert cached_tags(edited, actors_for(edited)) == (analyse_tags(edited, actors_for(edited)), naming)
    # A name in the text of articles the edit left as they were: those are restricted again.
    shipping = (*NAMES, "Shipping")
    naming = sum("shipping" in article_text(a).lower() for a in edited)
    assert 2 <= naming < len(edited) and "shipping" not in article_text(edited[-1]).lower()
    assert cached_tags(edited, actors_for(edited, shipping)) == (
        analyse_tags(edited, actors_for(edited, shipping)), naming)


def test_through_the_cache_a_word_frequency_is_looked_up_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, story_tags: tuple[Tag, ...]
) -> None:
    """The filter's word frequencies are kept in the cache: a new process rebuilding
    after an edit looks up only words no build looked up before (wordfreq is not even
    imported for an edit that brings none), and the tags are those of a build without
    a cache."""
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "cache-key"))
    looked_up: list[str] = []
    real = tags_module.word_frequency

    def counted(word: str) -> float:
        looked_up.append(word)
        return real(word)

    monkeypatch.setattr(tags_module, "word_frequency", counted)

    def cached_tags(articles: list[Article]) -> tuple[Tag, ...]:
        """The tags through the cache, in a process that has looked up no word yet."""
        looked_up.clear()
        monkeypatch.setattr(tags_module, "_ZIPF", {})
        tags_module._topic_words.cache_clear()  # it remembers what the frequencies decided
        with open_runner(1, tmp_path / "cache") as runner:
            return analyse_tags(articles, actors_for(articles), runner=runner)

    articles = load_story()
    assert cached_tags(articles) == story_tags
    first = set(looked_up)
    assert len(first) == len(looked_up) > 20
    edited = [*articles[:-1], appended(articles[-1], "The harbour master spoke of a costly backlog of vessels.")]
    expected = analyse_tags(edited, actors_for(edited))
    assert cached_tags(edited) == expected
    assert looked_up and not first & set(looked_up)  # the edit's new words only
    reverted = cached_tags(articles)
    assert reverted == story_tags and looked_up == []

def test_from_the_command_line_the_corpus_step_takes_up_the_last_builds_tallies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, story_tags: tuple[Tag, ...]
) -> None:
    """A build with a cache leaves the corpus step's tallies for the next (`_LastCorpus`),
    which takes out and puts in the facts of the articles whose key changed alone: after
    an edit, an added article and a removed one, the tags are those of a build without a
    cache."""
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "cache-key"))
    put_in: list[list[str]] = []
    update = TagCorpus.update

    def noted(corpus: TagCorpus, facts: Mapping[str, ArticleTagFacts]) -> None:
        put_in.append(sorted(a for a, f in facts.items() if corpus.facts.get(a) is not f))
        update(corpus, facts)

    monkeypatch.setattr(TagCorpus, "update", noted)
    searched: list[StemParagraphs] = []  # each article whose occurrences were found afresh
    some = StemParagraphs.some

    def noted_search(paragraphs: StemParagraphs, keys: Iterable[Key]) -> dict[Key, tuple[int, ...]]:
        searched.append(paragraphs)
        return some(paragraphs, keys)

    monkeypatch.setattr(StemParagraphs, "some", noted_search)

    def cached_tags(articles: list[Article]) -> tuple[tuple[Tag, ...], list[str]]:
        """The tags through the cache, as a new process (a build from the command line),
        and the articles whose facts it put in the tallies."""
        with open_runner(1, tmp_path / "cache") as runner:
            return analyse_tags(articles, actors_for(articles), runner=runner), put_in[-1]

    articles = load_story()
    assert cached_tags(articles) == (story_tags, sorted(a.id for a in articles))
    edited = [*articles[:-1], appended(articles[-1], "The harbour master spoke of a costly backlog of vessels.")]
    searched.clear()
    assert cached_tags(edited) == (analyse_tags(edited, actors_for(edited)), [articles[-1].id])
    assert len(searched) == len(articles) + 1  # the edited article's, then every one's without a cache
    added = [*edited, dataclasses.replace(articles[0], id="port-strike-copy", source_file="copy.md")]
    assert cached_tags(added) == (analyse_tags(added, actors_for(added)), ["port-strike-copy"])
    assert cached_tags(edited[1:]) == (analyse_tags(edited[1:], actors_for(edited[1:])), [])
    with open_runner(1, tmp_path / "cache") as runner:  # stored without the facts: each article's is stored already
        stored = runner.latest(CORPUS_LABEL)
        assert stored.keys.keys() == {a.id for a in edited[1:]}  # type: ignore[attr-defined]
        corpus = stored.corpus  # type: ignore[attr-defined]
        assert corpus._ranked and corpus._paragraphs and not corpus.facts
        assert all(facts is None for facts, _, _ in corpus._paragraphs.values())
    # Tallies whose counted facts are gone from the cache are not taken up: every article is added up.
    with sqlite3.connect(tmp_path / "cache" / FILE_NAME) as db:
        db.execute("DELETE FROM entries WHERE ns LIKE ?", (f"{step_label(article_tag_facts)}|%",))
    assert cached_tags(articles) == (story_tags, sorted(a.id for a in articles))


_TEST_PROCESS = os.getpid()


def _frequency_in_a_worker(word: str) -> float:
    assert os.getpid() != _TEST_PROCESS, f"{word!r} was looked up outside the pool"
    return word_frequency(word)


def test_when_the_step_runs_in_the_pool_its_workers_look_the_words_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, story_tags: tuple[Tag, ...]
) -> None:
    """With many articles to filter (a cold build), the words' frequencies are looked up
    by the pool's workers, which load wordfreq for the step anyway, never by the process
    running the stage; every word the step needs is then known to it, and kept."""
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "cache-key"))
    monkeypatch.setattr(tags_module, "MIN_POOL_ITEMS", 1)  # the story's few articles count as many
    monkeypatch.setattr(tags_module, "word_frequency", _frequency_in_a_worker)
    monkeypatch.setattr(tags_module, "_ZIPF", {})
    tags_module._topic_words.cache_clear()
    articles = load_story()
    with open_runner(2, tmp_path / "cache") as runner:
        assert analyse_tags(articles, actors_for(articles), runner=runner) == story_tags
        words = sorted({t for found in extract_keywords(articles, runner) for surface, _ in found
                        for t in tags_module._phrase_tokens(surface)})
        assert len(words) > 20
        # kept under the step's name: here the stand-in's
        assert runner.missing(_frequency_in_a_worker, words, FREQUENCY_SETTINGS, keys=words) == []


def test_an_article_without_text_gets_no_tags_and_breaks_nothing(story_tags: tuple[Tag, ...]) -> None:
    articles = load_story()
    empty = Article("empty", "empty.md", "Empty", None, None, None, None, "", 1, ())
    tags = analyse_tags([*articles, empty], actors_for(articles))
    assert all("empty" not in t.articles for t in tags)
    assert {t.label for t in tags} == {t.label for t in story_tags}


def article_of(article_id: str, paragraphs: list[str]) -> Article:
    numbered = tuple(Paragraph(k + 1, text, k + 1) for k, text in enumerate(paragraphs))
    return Article(article_id, f"{article_id}.md", article_id, None, None, None, None, "", 1, numbered)


@pytest.mark.parametrize(
    ("extra", "kept"),
    [
        ([], False),  # ranked first in one article, but met once: a turn of wording
        (["Island residents plan a protest."], True),  # ranked first there and said again
    ],
)
def test_a_tag_of_one_article_needs_a_high_rank_there_and_to_recur(extra: list[str], kept: bool) -> None:
    first = article_of("a", ["The ferry operators raised fares.", "Island residents say so.", *extra])
    second = article_of("b", ["The ferry operators blamed fuel costs.", "Prices rose."])
    found = {"a": (("island residents", 0.01), ("ferry operators", 0.02)), "b": (("ferry operators", 0.01),)}
    labels = {t.label for t in tags_from_keywords([first, second], [], found)}
    assert "ferry operators" in labels
    assert ("island residents" in labels) == kept


SMALL_STORY = Path(__file__).parent / "stories" / "tags-wildfire"


def test_a_two_article_story_still_gets_a_few_clean_tags_per_article() -> None:
    """The corpus rules want several articles to agree; with two, each article's own best
    candidates must still give it tags, and the per-article filters still hold."""
    problems: list[object] = []
    articles = [load_article(p, SMALL_STORY, problems) for p in sorted(SMALL_STORY.glob("*.md"))]  # type: ignore[arg-type]
    assert not problems
    loaded = [a for a in articles if a is not None]
    assert len(loaded) == 2
    actors = analyse_actors(loaded, ())
    tags = analyse_tags(loaded, actors)
    names = {n.lower().removeprefix("the ") for a in actors for n in (a.name, *a.aliases)}
    name_words = {w for n in names for w in n.split()}
    for article in loaded:
        assert sum(article.id in t.articles for t in tags) >= 3
    for tag in tags:
        words = tag.label.lower().split()
        assert tag.label.lower() not in names
        assert not (len(words) == 1 and words[0] in name_words)
        assert not any(any(c.isdigit() for c in w) or w in NUMBER_WORDS or w in CALENDAR for w in words)
        assert words[0] not in STOPWORDS and words[-1] not in STOPWORDS
    assert len(tags) <= BRIEFING_MAX


@pytest.mark.parametrize(
    ("text", "candidate", "label"),
    [
        ("A cyclone swept the coast. The cyclone damaged piers.", "cyclone swept", "cyclone"),  # a verb ends it
        ("Crews cleared olive groves north of the town.", "olive groves north", "olive groves"),
        ("Two dredging barges arrived. The dredging barges left.", "dredging barges", "dredging barges"),
        ("Dredging barges arrived late.", "dredging barges", None),  # an -ing word opening a clause
        ("The harbour master said the quay was shut.", "harbour master", None),  # only ever a source
        ("Officials told harbour master staff to wait.", "harbour master", None),
    ],
)
def test_per_article_filter_on_phrase_edges(text: str, candidate: str, label: str | None) -> None:
    article = article_of("a", [text])
    labels = [t.label for t in tags_from_keywords([article], [], {"a": ((candidate, 0.01),)})]
    assert labels == ([label] if label else [])


def test_stem_paragraphs_pack_and_read_back_as_the_mapping_they_came_from() -> None:
    """What the tag facts cache holds of an article's stem sequences: packed in two
    strings, read back key for key, through a pickle too (as the cache stores it)."""
    found = {("dock", "worker"): [1, 3], ("strike",): [2], ("port", "of", "rotterdam"): [12, 14, 15],
             ("union",): []}
    packed = StemParagraphs.of(found)
    for value in (packed, pickle.loads(pickle.dumps(packed))):
        assert dict(value) == {key: tuple(paragraphs) for key, paragraphs in found.items()}
        assert sorted(value.texts()) == sorted(" ".join(key) for key in found)
        assert len(value) == len(found)
        assert value == packed
    with pytest.raises(KeyError):
        packed[("harbour",)]
    assert dict(StemParagraphs.of({})) == {} and StemParagraphs.of({}).texts() == []


def test_tag_facts_read_back_from_the_cache_take_about_their_pickled_size() -> None:
    """The tags stage holds every article's facts until the corpus step: at 10,000 articles
    the word sets held as frozensets took 370 MB, each word a string of its own."""
    articles = load_story()
    inputs = _FactInputs(articles, actors_for(articles), SERIAL_RUNNER)
    stored = [pickle.dumps(article_tag_facts(*item)) for item in inputs.items(list(range(len(articles))))]
    facts, held = held_by(lambda: [pickle.loads(blob) for blob in stored])
    assert all("workers" in unpacked_words(f.lower_words) for f in facts[:4])
    # With the word sets as frozensets: 7.0 times here; packed, 2.8 (short articles, whose
    # candidates weigh more).
    assert held < 3.5 * sum(map(len, stored)), (held, sum(map(len, stored)))


def test_packed_words_read_back_as_the_set_they_came_from() -> None:
    for words in ({"dock", "worker's", "10,000", "ça"}, {"strike"}, set()):
        assert unpacked_words(packed_words(words)) == sorted(words)
    assert packed_words(["b", "a"]) == packed_words(("a", "b"))


@pytest.mark.parametrize("missing", [("port",), ("port", "of"), ("of", "rotterdam"), ("rotterdam",), ("dock",),
                                     ("worker",), ("strike", "union"), ()])
def test_stem_paragraphs_find_a_whole_key_only(missing: tuple[str, ...]) -> None:
    """A key is looked up by its whole line: a key that begins, ends or joins other
    keys' lines is not found in them, whichever line (first, middle, last) they are on."""
    found = {("dock", "worker"): [1, 3], ("port", "of", "rotterdam"): [12, 14], ("strike",): [2], ("union",): []}
    packed = StemParagraphs.of(found)
    for key, paragraphs in found.items():
        assert packed[key] == tuple(paragraphs)
    assert packed.some(found) == {key: tuple(paragraphs) for key, paragraphs in found.items()}
    with pytest.raises(KeyError):
        packed[missing]
    with pytest.raises(KeyError):
        packed.some([("strike",), missing])
    with pytest.raises(KeyError):
        StemParagraphs.of({})[missing]
    alone = StemParagraphs.of({("strike",): [2]})
    assert alone[("strike",)] == (2,)
    with pytest.raises(KeyError):
        alone[missing]


CAPITAL_RUNS = [
    "Greek coast guard Commander Nikos said",
    "the U.S. Navy and its\tAl-Shabaab allies",
    "he told \u201cReuters Agency that",
    "Kyiv's mayor, Vitali  Klitschko\n said",
    "a Mid-level official_X said; NATO  chiefs",
    "\u00c9lys\u00e9e Palace: Macron 2024 Olympics",
    "x\nA \n b",
]


@pytest.mark.parametrize("text", CAPITAL_RUNS)
def test_a_capitalised_word_before_a_span_is_found_as_the_regex_finds_it(text: str) -> None:
    """Read backwards in place of a regex search to the end of all the text before: the
    same answer at every position."""
    regex = re.compile(r"(?<![.!?:;,\u201c\u201d\"])[A-Z][\w\-]*[ \t]+$")
    for start in range(len(text) + 1):
        assert tags_module._capitalised_word_before(text, start) == bool(regex.search(text[:start])), start


@pytest.mark.parametrize("words", [("North", "Korean"), ("troops",), ("Kim", "Jong-Un"), ("U.S.", "aid"), ("-led",)])
def test_a_phrase_is_found_where_the_pattern_without_its_lookahead_finds_it(words: tuple[str, ...]) -> None:
    text = ("North Korean troops, north korean TROOPS and North Korea's Korean troops; Kim Jong-Un's "
            "kim jong-un; the U.S. aid and U.S.-led aid, US-led and a -led.")
    plain = re.compile(r"(?<![\w'\u2019])" + r"(?:['\u2019]s)?\W+".join(re.escape(w) for w in words)
                       + r"(?:['\u2019]s)?(?!\w)", re.IGNORECASE)
    found = [m.span() for m in tags_module._phrase_pattern(words).finditer(text)]
    assert found == [m.span() for m in plain.finditer(text)] and found


@pytest.mark.parametrize("text", ["he told reporters", "He TOLD  the\tpaper", "according to the union",
                                  "x, according\tto\nthe", "foretold the", "told\n", "accord\u0130ng to the",
                                  "said; told  \n the"])
def test_told_before_a_span_is_found_as_a_search_from_the_paragraphs_start_finds_it(text: str) -> None:
    for end in range(len(text) + 1):
        whole = tags_module._TOLD_BEFORE.search(text, 0, end) is not None
        assert tags_module._told_before(text, end) == whole, end

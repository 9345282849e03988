"""Rewrite detection (issue 5) on real texts: own stories on other subjects, and the seeds."""

from __future__ import annotations

import dataclasses
import pickle
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from edits import appended
from held_memory import held_by

from sitegen.analyse import lsh, shingles, sources
from sitegen.analyse.shingles import ArticleText, article_text, split_sentences, strip_quotations
from sitegen.analyse.sources import (
    LINK_SCORE,
    analyse_sources,
    analyse_sources_with,
    score_pairs,
)
from sitegen.cache import KEY_ENV
from sitegen.load import load_article
from sitegen.model import Article, Paragraph, SourceAnalysis
from sitegen.runner import ArticleRunner, open_runner, step_label

STORIES = Path(__file__).parent / "stories"
SOURCE_STORIES = sorted(p.name for p in STORIES.glob("sources-*") if p.is_dir())
SEEDS = Path(__file__).parent.parent / "seeds"


def load_story(name: str) -> list[Article]:
    root = STORIES / name
    problems: list[object] = []
    articles = [load_article(p, root, problems) for p in sorted(root.glob("*.md"))]  # type: ignore[arg-type]
    assert not problems
    return [a for a in articles if a is not None]


def expected_origins(name: str) -> dict[str, str | None]:
    data = yaml.safe_load((STORIES / name / "expected.yaml").read_text(encoding="utf-8"))
    origins = data.get("origins") or {}
    return {a.id: origins.get(a.id) for a in load_story(name)}


def load_seeds() -> list[Article]:
    """The seed texts as the import makes them: one paragraph per non-blank line."""
    articles = []
    for path in sorted(SEEDS.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        paragraphs = []
        for number, line in enumerate(lines, start=1):
            if line.strip():
                paragraphs.append(Paragraph(len(paragraphs) + 1, line.strip(), number))
        articles.append(Article(path.stem, path.name, path.stem, None, None, None, None, "", 1, tuple(paragraphs)))
    return articles


@pytest.mark.parametrize("story", SOURCE_STORIES)
def test_story_origins_come_out_as_annotated(story: str) -> None:
    result = analyse_sources(load_story(story))
    assert dict(result.origin_of) == expected_origins(story)


@pytest.mark.parametrize("story", SOURCE_STORIES)
def test_lsh_candidates_give_the_same_result_as_all_pairs(story: str) -> None:
    articles = load_story(story)
    assert analyse_sources_with(articles, use_lsh=True) == analyse_sources_with(articles, use_lsh=False)


def test_articles_quoting_one_long_statement_score_zero() -> None:
    (pair,) = score_pairs(load_story("sources-shared-quote"))
    assert pair.score == 0.0


def test_each_cut_links_to_the_wire_not_to_the_other_cut() -> None:
    result = analyse_sources(load_story("sources-wire-cuts"))
    assert {(link.copy, link.origin) for link in result.links} == {
        ("cut-daily", "wire"),
        ("cut-portal", "wire"),
    }


def test_shared_passages_pair_a_cut_paragraph_with_the_wire_paragraph_it_came_from() -> None:
    articles = {a.id: a for a in load_story("sources-wire-cuts")}
    link = next(x for x in analyse_sources(list(articles.values())).links if x.copy == "cut-portal")
    pairs = {(p.copy_paragraph, p.origin_paragraph) for p in link.passages}
    # The portal's 3rd paragraph is the wire's 5th (rains), its 4th the wire's 6th (shelter).
    assert {(3, 5), (4, 6)} <= pairs
    for passage in link.passages:
        assert passage.copy_text == articles["cut-portal"].paragraphs[passage.copy_paragraph - 1].text
        assert passage.origin_text == articles["wire"].paragraphs[passage.origin_paragraph - 1].text
    assert link.score >= LINK_SCORE
    assert 0.8 <= link.containment <= 1.0


def test_a_copy_of_a_copy_has_the_first_article_as_origin() -> None:
    articles = {a.id: a for a in load_story("sources-wire-cuts")}
    daily = articles["cut-daily"]
    recut = dataclasses.replace(daily, id="recut", date="2025-03-09", paragraphs=daily.paragraphs[:3])
    result = analyse_sources([articles["wire"], daily, recut])
    assert result.origin_of == {"wire": None, "cut-daily": "wire", "recut": "wire"}


def test_an_earlier_date_makes_the_shorter_text_the_origin() -> None:
    articles = {a.id: a for a in load_story("sources-wire-cuts")}
    early_cut = dataclasses.replace(articles["cut-daily"], date="2025-03-01")
    result = analyse_sources([articles["wire"], early_cut])
    assert result.origin_of == {"wire": "cut-daily", "cut-daily": None}


def test_result_does_not_depend_on_input_order() -> None:
    articles = load_story("sources-wire-cuts") + load_story("sources-translation")
    assert analyse_sources(articles) == analyse_sources(articles[::-1])


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed texts not present")
def test_seeds_have_one_rewrite_pair_and_no_false_link() -> None:
    seeds = load_seeds()
    result = analyse_sources(seeds)
    linked = {k: v for k, v in result.origin_of.items() if v}
    assert len(linked) == 1
    ((copy, origin),) = linked.items()
    assert (copy[:3], origin[:3]) == ("003", "001")
    assert analyse_sources_with(seeds, use_lsh=True) == result
    scores = sorted(p.score for p in score_pairs(seeds))
    assert scores[-1] >= LINK_SCORE > scores[-2]


@pytest.mark.parametrize(
    ("text", "outside"),
    [
        ("He said: \u201cWe will act. We will not wait.\u201d Then he left.", ["He said: ", " Then he left."]),
        ('She said "no deal" twice.', ["She said ", " twice."]),
        # A quote that runs on into the next paragraph has no closing mark.
        ("The minister added: \u201cThis is only the start", ["The minister added: "]),
        # Apostrophes are not quotation marks.
        ("Russia\u2019s army and the farmers\u2019 union", ["Russia\u2019s army and the farmers\u2019 union"]),
        ("A \u2018soft\u2019 landing, \u00abpas de panique\u00bb.", ["A ", " landing, ", "."]),
    ],
)
def test_quotations_are_taken_out(text: str, outside: list[str]) -> None:
    assert strip_quotations(text) == outside


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("He arrived on Oct. 21 in the U.S. and left. Then Dr. Ruiz spoke.", 2),
        ("It ended. \u201cWe won,\u201d she said. The end?", 3),
        ("The Sud-Rail union said so. It was late.", 2),
    ],
)
def test_sentences_split_at_ends_not_abbreviations(text: str, sentences: int) -> None:
    assert len(split_sentences(text)) == sentences


def test_through_the_article_runner_the_result_is_the_same() -> None:
    articles = load_story("sources-wire-cuts") + load_story("sources-translation")
    assert analyse_sources(articles, runner=ArticleRunner(jobs=2)) == analyse_sources(articles)


def test_lsh_and_batched_bounds_keep_every_link_of_a_mixed_corpus() -> None:
    articles = [a for story in SOURCE_STORIES for a in load_story(story)]
    if SEEDS.is_dir():
        articles += load_seeds()
    exhaustive = analyse_sources_with(articles, use_lsh=False, batch=False)
    assert analyse_sources_with(articles, use_lsh=True, batch=True) == exhaustive
    assert analyse_sources_with(articles, use_lsh=False, batch=True) == exhaustive
    assert len(exhaustive.links) == 4


def test_bounds_against_an_articles_own_candidates_keep_every_pair_that_links() -> None:
    """`_worth_verifying` with each article set against its candidates alone (MinHash's):
    it passes on every pair that links and only candidate pairs, whichever of its two
    articles a pair is set from (after an edit, the edited one, often the later)."""
    articles = [a for story in SOURCE_STORIES for a in load_story(story)] + load_seeds()
    prepared = [sources._prepare(a) for a in sorted(articles, key=lambda a: a.id)]
    pairs = [(i, j) for i in range(len(prepared)) for j in range(i + 1, len(prepared))]
    linking = {p for p in pairs if sources._compare(prepared[p[0]], prepared[p[1]]).score >= LINK_SCORE}
    assert len(linking) == 5  # the 4 links, and cut ~ cut (each keeps the wire as origin)
    kept = sources._worth_verifying(prepared, pairs, batch=True, whole_corpus=False)
    assert linking <= set(kept) <= set(pairs) and len(kept) < len(pairs) // 2
    for edited in range(len(prepared)):
        theirs = [p for p in pairs if edited in p]
        kept = sources._worth_verifying(prepared, theirs, batch=True, whole_corpus=False)
        assert linking & set(theirs) <= set(kept) <= set(theirs)


def test_after_an_edit_only_the_texts_of_pairs_compared_again_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the cache, with MinHash candidates (as above 300 articles), an edit reads
    back the texts of the edited article and of its candidates, not of every article, and
    searches candidates again for the articles its sketch can reach, not for every article
    (`lsh.partners_after`); the others stay in the cache for later builds, and the result
    is that of a build without a cache."""
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "cache-key"))
    read: list[int] = []
    searched: list[int] = []
    real_of, real_search = sources._Texts.of, lsh.search

    def counted(self: sources._Texts, indices: Iterable[int]) -> list[ArticleText]:
        found = real_of(self, indices)
        read.append(len(self._read))
        return found

    def search(*args: Any, **kwargs: Any) -> lsh.Partners:
        owners = kwargs.get("owners")
        searched.append(len(args[1]) if owners is None else len(owners))
        return real_search(*args, **kwargs)

    monkeypatch.setattr(sources._Texts, "of", counted)
    monkeypatch.setattr(lsh, "search", search)

    def cached(articles: list[Article]) -> tuple[SourceAnalysis, int]:
        """The analysis through the cache, and how many articles' texts it read."""
        read.clear()
        with open_runner(1, tmp_path / "cache") as runner:
            return analyse_sources_with(articles, use_lsh=True, runner=runner), max(read, default=0)

    articles = [a for story in SOURCE_STORIES for a in load_story(story)] + load_seeds()
    assert cached(articles) == (analyse_sources_with(articles, use_lsh=True), len(articles))
    wire = next(i for i, a in enumerate(articles) if a.id == "wire")
    edited = [*articles]
    edited[wire] = appended(articles[wire], "The port authority said the cranes would stay idle until Monday.")
    searched.clear()
    result, texts_read = cached(edited)
    assert searched and 1 <= searched[0] < len(articles) // 2
    assert result == analyse_sources_with(edited, use_lsh=True)
    assert 1 < texts_read < len(articles) // 2
    with open_runner(1, tmp_path / "cache") as runner:
        digests = sources.text_digests(sorted(edited, key=lambda a: a.id))
        assert runner.missing_keyed(step_label(article_text), digests, sources.TEXT_SETTINGS) == []


def test_an_article_read_from_its_file_is_named_by_the_file_and_an_edit_renames_it_alone(tmp_path: Path) -> None:
    """`text_digests` names an article read from a file by the file's digest: an edit of its
    text gives it a new name and leaves every other article's; an article made in code is
    named by its paragraphs, so two with the same text share a name."""
    root = tmp_path / "story"
    root.mkdir()
    for path in sorted((STORIES / "sources-wire-cuts").glob("*.md")):
        (root / path.name).write_bytes(path.read_bytes())

    def loaded() -> list[Article]:
        problems: list[object] = []
        articles = [load_article(p, root, problems) for p in sorted(root.glob("*.md"))]  # type: ignore[arg-type]
        return sorted((a for a in articles if a is not None), key=lambda a: a.id)

    before = loaded()
    assert all(a.content_digest for a in before)
    first = sorted(root.glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nThe union said talks would resume on Monday.\n",
                     encoding="utf-8")
    after = loaded()
    moved = [a.id for a, x, y in zip(after, sources.text_digests(before), sources.text_digests(after), strict=True)
             if x != y]
    assert moved == [after[0].id]
    made = [dataclasses.replace(a, content_digest="") for a in before[:2]]
    twin = dataclasses.replace(made[0], content_digest="")
    assert sources.text_digests([made[0], twin, made[1]])[:2] == sources.text_digests([made[0]]) * 2
    assert len(set(sources.text_digests(made))) == 2


def test_an_article_without_text_is_independent_and_breaks_nothing() -> None:
    wire = next(a for a in load_story("sources-wire-cuts") if a.id == "wire")
    empty = dataclasses.replace(wire, id="empty", paragraphs=())
    result = analyse_sources([wire, empty])
    assert result.origin_of == {"wire": None, "empty": None}
    assert result.links == ()


MINHASH_ALONE = """
import sys
from sitegen.analyse import lsh, sources
from sitegen.analyse.shingles import article_text
from sitegen.load import load_article
from pathlib import Path
root = Path(sys.argv[1])
article = load_article(sorted(root.glob("*.md"))[0], root, [])
text = article_text(article.id, [(p.number, p.text) for p in article.paragraphs])
alone = sources._sketch(text)
print(sorted(name for name in ("datasketch", "scipy") if name in sys.modules))
import datasketch  # the package in full, after its module alone
m = datasketch.MinHash(num_perm=lsh.LSH_BANDS * lsh.LSH_ROWS, seed=1, hashfunc=int)
m.update_batch(sources._bigrams(text).tolist())
print(datasketch.MinHash is sources._minhash_class(), m.hashvalues.astype("<u8").tobytes() == alone)
"""


def test_a_sketch_imports_minhash_without_scipy_and_equals_datasketchs_own() -> None:
    """The sources stage imports datasketch's MinHash module alone (its package's `__init__`
    brings SciPy, 0.4 s of an edit); importing the package afterwards still works and gives
    the same class, and the sketch is the one the package's MinHash makes."""
    import subprocess
    import sys

    story = STORIES / SOURCE_STORIES[0]
    run = subprocess.run([sys.executable, "-c", MINHASH_ALONE, str(story)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:2] == ["[]", "True True"]


def test_article_texts_read_back_take_about_their_pickled_size() -> None:
    """The sources stage holds every article's comparable text at once (cold, 10,000
    articles: as tuples of ints and frozensets of words, 630 MB); packed as arrays' bytes,
    about what the cache holds."""
    articles = [a for story in SOURCE_STORIES for a in load_story(story)] + load_seeds()
    stored = [pickle.dumps(article_text(a.id, [(p.number, p.text) for p in a.paragraphs])) for a in articles]
    texts, held = held_by(lambda: [pickle.loads(blob) for blob in stored])
    assert sum(len(t.sentences) for t in texts) > 100
    # As tuples and frozensets: 7 times their pickled size on the synthetic corpus.
    assert held < 2 * sum(map(len, stored)), (held, sum(map(len, stored)))


def _blocks_in_first_order(rng: random.Random) -> list[tuple[int, int, int, float]]:
    """Blocks as the sources stage makes them: sorted in the first article, none overlapping
    the next there; anywhere in the second, overlapping or not."""
    blocks, position = [], 0
    for _ in range(rng.randint(0, 30)):
        position += rng.randint(0, 4)
        length = rng.randint(1, 6)
        blocks.append((position, rng.randint(0, 60), length, float(rng.choice((length, rng.randint(1, 40))))))
        position += length
    return blocks


def test_the_chain_weight_is_that_of_the_heaviest_chain() -> None:
    rng = random.Random(9)
    for _ in range(3000):
        blocks = _blocks_in_first_order(rng)
        assert sources._chain_weight(blocks) == sources._weight(sources._heaviest_chain(blocks)), blocks


@pytest.mark.parametrize("head", ["He met Gen.", "in the U.S.", "(see No.", "U.S.A.", "a J.", "troops.", "Oct.\u201d",
                                  "x.Jan.", "the 2024.", "etc.)", "she said.\"", "Mr", "", "sept."])
def test_an_abbreviation_at_a_sentence_end_is_found_as_a_search_of_the_whole_sentence_finds_it(head: str) -> None:
    whole = shingles._ABBREVIATION_RE.search(head.rstrip('"\u201d\u2019)]')) is not None
    assert shingles._ends_with_abbreviation(head) == whole

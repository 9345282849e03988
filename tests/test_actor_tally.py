"""Tallies of candidates (`actor_tally`): counting an article out and in again is counting
afresh, which is what lets a warm process update the largest actors instead of recounting."""

from __future__ import annotations

from pathlib import Path

from sitegen.analyse.actor_tally import Tally, best_role, tally
from sitegen.analyse.aliases import Placed
from sitegen.analyse.candidates import ArticleNames
from sitegen.analyse.names import find_names
from sitegen.load import load_article

STORIES = Path(__file__).parent / "stories"


def _story_names() -> list[ArticleNames]:
    """The names found in every test story's articles, ids made unique, in id order."""
    problems: list[object] = []
    out = []
    for story in sorted(p for p in STORIES.iterdir() if p.is_dir()):
        for path in sorted(story.glob("*.md")):
            article = load_article(path, story, problems)  # type: ignore[arg-type]
            assert article is not None
            found = find_names(article)
            out.append(ArticleNames(f"{story.name}-{article.id}", found.candidates, found.acronyms))
    return sorted(out, key=lambda r: r.article)


def _placed(results: list[ArticleNames]) -> list[Placed]:
    return [Placed(r.article, i, c) for r in results for i, c in enumerate(r.candidates)]


def test_articles_counted_out_and_in_again_give_the_tally_made_afresh() -> None:
    results = _story_names()
    whole = tally(_placed(results))
    assert whole.count == sum(len(r.candidates) for r in results) and whole.titled and whole.untitled
    out = results[::3]
    counted = whole.copy()
    for r in out:
        counted.add(r.article, list(enumerate(r.candidates)), -1)
    assert counted == tally(_placed([r for r in results if r not in out]))
    assert whole == tally(_placed(results))  # a copy's changes leave the original as it was
    for r in out:
        counted.add(r.article, list(enumerate(r.candidates)))
    assert counted != whole  # the articles counted in again stand last in each list of roles
    counted.in_order()
    assert counted == whole
    assert best_role(counted) == best_role(whole)


def test_an_article_counted_out_leaves_no_name_at_zero() -> None:
    (first, *_) = _story_names()
    counted = tally(_placed([first]))
    counted.add(first.article, list(enumerate(first.candidates)), -1)
    assert counted == Tally() and not counted.names and not counted.titled

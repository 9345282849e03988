"""Per-article cache keys that a process building again and again keeps for the articles an
edit left as they were (`warm.ArticleKeys`), in the claims and tags steps (issue 9)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitegen.analyse import claims, tags
from sitegen.analyse.actors import analyse_actors
from sitegen.analyse.claims import ClaimInputs
from sitegen.analyse.keywords import KEYWORD_SETTINGS, article_keywords
from sitegen.analyse.tags import analyse_tags, article_text
from sitegen.cache import KEY_ENV
from sitegen.load import LoadedSite, load_site
from sitegen.runner import item_key, open_runner, plain_key
from sitegen.warm import ArticleKeys

SHIPPED = Path(__file__).resolve().parents[1]
ADDED = "\nOfficials later said 300 more troops had arrived at the border.\n"


def _shipped_copy(root: Path) -> LoadedSite:
    shutil.copytree(SHIPPED / "content", root / "content")
    return load_site(root)


def _edit_third(root: Path) -> tuple[str, LoadedSite]:
    """The third article's file with a sentence added, and the site loaded again."""
    path = sorted((root / "content" / "articles").glob("*.md"))[2]
    path.write_text(path.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    after = load_site(root)
    return next(a.id for a in after.articles if a.source_file.endswith(path.name)), after


def test_keys_are_kept_by_each_articles_file(tmp_path: Path) -> None:
    before = _shipped_copy(tmp_path)
    kept = ArticleKeys()
    made: list[int] = []

    def make(articles: tuple[object, ...]) -> object:
        def key(index: int) -> str:
            made.append(index)
            return item_key(b"", articles[index])
        return key

    first = kept.of(before.articles, make(before.articles))
    assert len(made) == len(before.articles)
    made.clear()
    assert kept.of(before.articles, make(before.articles)) == first and made == []
    edited, after = _edit_third(tmp_path)
    second = kept.of(after.articles, make(after.articles))
    assert [after.articles[i].id for i in made] == [edited]
    assert second == [item_key(b"", a) for a in after.articles]
    made.clear()
    kept.of(after.articles[:1], make(after.articles))  # only the last call's articles are kept
    kept.of(after.articles, make(after.articles))
    assert made == list(range(1, len(after.articles)))


def test_claims_keys_kept_are_the_keys_made_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _shipped_copy(tmp_path)
    actors = analyse_actors(before.articles, before.curated)
    first = ClaimInputs(before.articles, actors).keys()
    edited, after = _edit_third(tmp_path)
    made: list[object] = []

    def counted(prefix: bytes, value: object) -> str:
        if prefix == b"claims input":
            made.append(value)
        return plain_key(prefix, value)

    monkeypatch.setattr(claims, "plain_key", counted)
    second = ClaimInputs(after.articles, actors).keys()  # the very actors: their keys kept
    assert len(made) == 1
    monkeypatch.undo()
    assert second == claims._ActorInputs(actors).keys_of(after.articles)  # as made afresh
    assert [a.id for a, old, new in zip(after.articles, first, second, strict=True) if old != new] == [edited]


def test_tags_keys_kept_give_the_tags_made_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "cache-key"))
    before = _shipped_copy(tmp_path)
    actors = analyse_actors(before.articles, before.curated)
    memory: dict[str, dict[str, object]] = {}  # as `sitegen serve` keeps results

    def warm(site: LoadedSite) -> tuple[object, ...]:
        with open_runner(1, tmp_path / "cache", None, memory) as runner:
            return analyse_tags(site.articles, actors, runner)

    warm(before)
    _, after = _edit_third(tmp_path)
    made: list[bytes] = []

    def counted(prefix: bytes, value: object) -> str:
        made.append(prefix)
        return item_key(prefix, value)

    monkeypatch.setattr(tags, "item_key", counted)
    found = warm(after)
    assert made.count(b"tag facts by all names") == 1
    monkeypatch.undo()
    assert found == analyse_tags(after.articles, actors)
    with open_runner(1, tmp_path / "cache") as runner:  # every article's keywords stay stored
        texts = [article_text(a) for a in after.articles]
        assert runner.missing(article_keywords, texts, KEYWORD_SETTINGS) == []

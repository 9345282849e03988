"""The Atom feed (`sitegen/feeds.py`): a process that builds again and again makes again
only the entries of the articles an edit changed, and writes the feed a build from
scratch writes."""

from __future__ import annotations

import dataclasses

import pytest
from edits import appended
from test_tag_corpus import load_stories

from sitegen import feeds
from sitegen.feeds import atom_feed
from sitegen.link import Site, link
from sitegen.model import Analysis, Article, Briefing, SourceAnalysis
from sitegen.warm import PerRecord


def site_of(articles: list[Article], base_url: str | None) -> Site:
    briefing = Briefing(title="Harbour & <strikes>", description=None, base_url=base_url)
    return link(briefing, tuple(articles), Analysis(actors=(), claims=(), sources=SourceAnalysis((), {}), tags=()))


@pytest.mark.parametrize("base_url", [None, "https://example.org/briefing/"])
def test_a_warm_feed_remakes_only_the_entries_an_edit_changed(monkeypatch: pytest.MonkeyPatch,
                                                              base_url: str | None) -> None:
    articles = load_stories()
    assert len(articles) >= 6
    entries = PerRecord()
    made: list[str] = []
    real_entry = feeds._entry

    def counted(base: str | None, feed_id: str, article: Article) -> str:
        made.append(article.id)
        return real_entry(base, feed_id, article)

    monkeypatch.setattr(feeds, "_entry", counted)
    first = atom_feed(site_of(articles, base_url), entries)
    assert sorted(made) == sorted(a.id for a in articles)
    edited = [appended(a, "The harbour master replied on Monday.") if k == 2 else a for k, a in enumerate(articles)]
    retitled = [dataclasses.replace(a, title="A new <title> & more") if k == 4 else a for k, a in enumerate(edited)]
    for now, remade in ((edited, 1), (retitled, 1), ([*retitled[:3], *retitled[4:]], 0)):
        made.clear()
        warm = atom_feed(site_of(now, base_url), entries)
        assert len(made) == remade  # the article the edit changed, none for one removed
        assert warm == atom_feed(site_of(now, base_url))  # as a build from scratch writes it
    assert warm != first
    made.clear()
    atom_feed(site_of(articles, "https://elsewhere.example/" if base_url is None else None), entries)
    assert len(made) == len(articles)  # another address: every entry's links are new

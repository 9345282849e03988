"""The search index's rows kept by a warm process (`search.search_records` with `kept`):
what it gives must be what rows made afresh give, whatever changed between two builds."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from edits import analysis_of, relinked

from sitegen.build import BuildOptions, build
from sitegen.cache import KEY_ENV
from sitegen.link import Site
from sitegen.search import search_records
from sitegen.warm import PerRecord

STORY = Path(__file__).parent / "stories" / "claims-election"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "user-cache" / "cache-key"))
    root = tmp_path / "site"
    shutil.copytree(STORY, root / "content" / "articles")
    report = build(BuildOptions(root=root, output=root / "public", jobs=1, use_cache=False))
    assert report.site is not None
    return report.site


def test_kept_rows_are_the_rows_made_afresh_after_a_speaker_is_renamed(site: Site) -> None:
    """A claim's row names its speaker, another record: when the speaker's actor is renamed
    and the claim stays the very same object, the kept row must name the new name."""
    kept = PerRecord()
    assert search_records(site, kept) == search_records(site)
    speaker = next(c.speaker for c in site.claims.values() if c.speaker)
    assert speaker is not None
    analysis = analysis_of(site)
    renamed = replace(site.actors[speaker], name="Renamed Speaker")
    edited = relinked(site, analysis=replace(analysis, actors=tuple(
        renamed if a.id == speaker else a for a in analysis.actors)))
    assert edited.claims[next(iter(edited.claims))] is site.claims[next(iter(site.claims))]
    again = search_records(edited, kept)
    assert again == search_records(edited)
    assert sum(row[0] == "claim" and row[2] == "Renamed Speaker" for row in again) > 0
    assert ["actor", "Renamed Speaker"] in [row[:2] for row in again]


def test_rows_are_kept_for_the_very_records_only(site: Site) -> None:
    """Rows of unchanged records are the last build's own objects; a record replaced by an
    equal copy gets a row made for it."""
    kept = PerRecord()
    first = search_records(site, kept)
    second = search_records(site, kept)
    assert all(a is b for a, b in zip(first, second, strict=True) if a[0] in ("article", "actor"))
    article = site.articles[0]
    copy = replace(article)
    edited = relinked(site, articles=(copy, *site.articles[1:]))
    rows = search_records(edited, kept)
    assert rows == search_records(edited)
    assert next(r for r in rows if r[0] == "article" and r[1] == copy.title) is not \
        next(r for r in second if r[0] == "article" and r[1] == article.title)

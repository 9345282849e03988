"""The claims step's per-article keys (`ClaimInputs.keys`), which a process that builds
again and again keeps for the articles an edit left as they were (issue 9)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitegen.analyse import claims
from sitegen.analyse.actors import analyse_actors
from sitegen.analyse.claims import ClaimInputs
from sitegen.load import load_site
from sitegen.runner import plain_key

SHIPPED = Path(__file__).resolve().parents[1]


def test_kept_keys_are_the_keys_made_afresh_and_an_edit_makes_one(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(SHIPPED / "content", tmp_path / "content")
    before = load_site(tmp_path)
    actors = analyse_actors(before.articles, before.curated)
    first = ClaimInputs(before.articles, actors).keys()

    edited = sorted((tmp_path / "content" / "articles").glob("*.md"))[2]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOfficials later said 300 more troops had arrived.\n",
                      encoding="utf-8")
    after = load_site(tmp_path)
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
    changed = [a.id for a, old, new in zip(after.articles, first, second, strict=True) if old != new]
    assert changed == [a.id for a in after.articles if a.source_file.endswith(edited.name)]

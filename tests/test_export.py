"""briefing.json's records made ahead of the file (`export.encode_records`): what holding
them costs. At 10,000 articles the actors' and claims' lines are 157 MB of text, held from
the analysis to the end of the build (and, in `sitegen serve`, from one build to the next)."""

from __future__ import annotations

import orjson
import pytest
from held_memory import held_by
from test_actors import SEEDS, _seed_articles

from sitegen.analyse.actors import analyse_actors
from sitegen.export import encode_records
from sitegen.warm import PerRecord


@pytest.mark.skipif(SEEDS is None, reason="needs the seeds")
def test_lines_kept_for_briefing_json_take_about_their_own_size() -> None:
    actors = analyse_actors(_seed_articles(), ())
    kept = PerRecord()
    _, held = held_by(lambda: encode_records(actors, None, kept))
    lines = kept.values("actors", actors, lambda _: pytest.fail("a line was not kept"))
    text = sum(len(line) for line in lines)
    assert len(lines) > 30 and text > 10_000
    assert [orjson.loads(line)["id"] for line in lines] == [a.id for a in actors]
    # Each line is a bytes object of its own length, beside PerRecord's entry for it (the
    # seeds' lines are short, 850 bytes on average); orjson's own result is its working
    # buffer, 6x the text here.
    assert held < 2 * text, (held, text)

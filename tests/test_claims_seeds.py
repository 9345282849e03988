"""The claims ledger on the five seed articles, measured by the shared scorer (issue 6).

This test reads the seed files and their gold annotation only through the scorer; the
analyser under test holds nothing of them. Skipped where ../shared/eval is not beside the
repository."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.cli import main

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval"
SEEDS = REPO / "seeds"
TARGETS = {
    "quotes_recall": 90, "quote_attribution": 85, "numbers_recall": 90,
    "number_attribution": 80, "statements_recall": 60, "evidence_coverage": 85,
}

pytestmark = pytest.mark.skipif(not (EVAL / "score.py").exists() or not SEEDS.is_dir(),
                                reason="needs ../shared/eval and seeds/")


@pytest.fixture(scope="module")
def metrics(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    site = tmp_path_factory.mktemp("seedsite")
    subprocess.run([sys.executable, str(EVAL / "make_content.py"), "--seeds", str(SEEDS),
                    str(site), "--force"], check=True, capture_output=True)
    assert main(["build", "--root", str(site), "--output", str(site / "public"), "--quiet"]) == 0
    out = site / "score.json"
    subprocess.run([sys.executable, str(EVAL / "score.py"), str(EVAL / "seeds-gold.yaml"),
                    str(site / "public" / "briefing.json"), "--json", str(out)],
                   check=True, capture_output=True)
    result: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))["metrics"]
    return result


@pytest.mark.parametrize(("metric", "floor"), sorted(TARGETS.items()))
def test_seed_claims_meet_the_issue_targets(metrics: dict[str, object], metric: str,
                                           floor: int) -> None:
    value = metrics[metric]
    assert isinstance(value, (int, float)) and value >= floor, (metric, value)


def test_every_measure_with_several_figures_is_grouped(metrics: dict[str, object]) -> None:
    grouped = metrics["numbers_grouped"]
    assert isinstance(grouped, (int, float)) and grouped == 100, grouped

"""Time each analysis stage of a rebuild, with every per-article result in memory.

    .venv/bin/python bench/stages.py SITE_ROOT [--runs 3]

What a rebuild spends outside the per-article work: the cross-article steps (merging names,
pairing near-duplicates, grouping claims, choosing tags) run again on results read from
memory, in one process, one stage at a time. The first pass fills memory from the site's
`.sitegen-cache/` (build the site once first, or it computes everything); then the best of
`--runs` passes is printed per stage, with a digest of each stage's result, so two commits
can be compared for speed and for identical output (run it with `PYTHONPATH` pointing at a
`git archive` of the other commit; the cache then misses, as its key covers the code).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from sitegen.analyse.actors import analyse_actors
from sitegen.analyse.claims import analyse_claims
from sitegen.analyse.sources import analyse_sources
from sitegen.analyse.tags import analyse_tags
from sitegen.load import load_site
from sitegen.pipeline import parse_through
from sitegen.runner import CACHE_DIR, item_key, open_runner
from sitegen.warm import WarmState

STAGES = ("actors", "sources", "claims", "tags")


def one_pass(root: Path, warm: WarmState) -> tuple[int, dict[str, float], dict[str, object]]:
    """The number of articles, and the seconds and result of each stage in pipeline order,
    reading per-article results from `warm` (from the disk cache what it does not hold yet)."""
    seconds: dict[str, float] = {}
    results: dict[str, object] = {}

    def timed(stage: str, step: Callable[[], object]) -> Any:
        start = time.perf_counter()
        results[stage] = step()
        seconds[stage] = time.perf_counter() - start
        return results[stage]

    with open_runner(1, root / CACHE_DIR, None, warm.results) as runner:
        loaded = load_site(root, warm.articles, partial(parse_through, runner))
        articles = loaded.articles
        actors = timed("actors", lambda: analyse_actors(articles, loaded.curated, runner=runner))
        sources = timed("sources", lambda: analyse_sources(articles, runner=runner))
        timed("claims", lambda: analyse_claims(articles, actors, sources, runner=runner))
        timed("tags", lambda: analyse_tags(articles, actors, runner=runner))
    return len(articles), seconds, results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    warm = WarmState()
    one_pass(args.root, warm)  # fills memory
    best: dict[str, float] = {}
    for _ in range(max(1, args.runs)):
        articles, seconds, results = one_pass(args.root, warm)
        best = {stage: min(best.get(stage, seconds[stage]), seconds[stage]) for stage in STAGES}
    print(f"{articles} articles, best of {args.runs} passes with every per-article result in memory")
    for stage in STAGES:
        digest = item_key(b"", results[stage])[:12]  # sets and dicts in a fixed order
        print(f"  {stage:8} {best[stage]:7.3f} s   result {digest}")


if __name__ == "__main__":
    main()

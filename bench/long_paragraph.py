#!/usr/bin/env python3
"""Time a build whose one article is a single very long paragraph (a hearing's transcript
pasted without breaks), beside two ordinary ones.

    .venv/bin/python bench/long_paragraph.py [--sentences 800] [--commit REV]

A step that reads all the text before each position (a search to the end of `text[:i]`,
a copy of the rest after each figure) costs the square of a paragraph's length: the
synthetic corpora of `run.py` never show it, their paragraphs being short. Prints the
paragraph's length and the stage times of a serial build without cache (`--no-cache
--jobs 1 -v`), of the work tree or of `--commit` (unpacked apart, as `run.py` does).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from run import PYTHON, REPO, snapshot

NAMES = ("María Fernández", "Gen. Tomas Okafor", "the U.S. Navy", "Harbour Authority", "Mayor Lina Berg")


def transcript(sentences: int) -> str:
    """Pairs of a reported figure and a quotation, on one line: 98 characters a sentence."""
    rng = random.Random(3)
    said = []
    for i in range(sentences // 2):
        name = rng.choice(NAMES)
        said.append(f"{name} said on Oct. {i % 28 + 1} that {rng.randint(2, 90) * 100} dockworkers had joined the "
                    f"strike at the Port of Valmare. \"We will stay out until the contract is signed,\" "
                    f"{name.split()[-1]} told reporters, according to the union.")
    return " ".join(said)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=800)
    parser.add_argument("--commit", default=None, help="a sitegen commit to measure (default: the work tree)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        articles = site / "content" / "articles"
        shutil.copytree(REPO / "tests" / "sites" / "minimal" / "content", site / "content")
        body = transcript(args.sentences)
        (articles / "transcript.md").write_text(
            "---\ntitle: Strike hearing transcript\noutlet: Harbour Gazette\ndate: 2025-03-04\n"
            f"url: https://example.org/hearing\n---\n\n{body}\n\nThe hearing ended at noon.\n", encoding="utf-8")
        print(f"one paragraph of {len(body):,} characters, beside {len(list(articles.glob('*.md'))) - 1} articles")
        env = snapshot(args.commit) if args.commit else None
        # Run from outside the work tree: `python -m` puts the current folder first on the path.
        run = subprocess.run([str(PYTHON), "-m", "sitegen", "build", "--root", str(site), "--no-cache",
                              "--jobs", "1", "-v"], capture_output=True, text=True, env=env, cwd=tmp)
        print(run.stdout + run.stderr, end="")
        return run.returncode


if __name__ == "__main__":
    sys.exit(main())

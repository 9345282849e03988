"""A progress bar for long analysis steps, on a terminal only (issue 9).

tqdm's `delay` keeps quick steps silent: a bar appears only once a step has run for
`DELAY` seconds, so a warm rebuild prints nothing and a cold 10,000-article one shows how
far YAKE has got. Off with --quiet and whenever stderr is not a terminal (CI logs, pipes).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sitegen.runner import Progress

DELAY = 2.0
"""Seconds a step runs before its bar is drawn."""


@contextmanager
def _bar(label: str, total: int) -> Iterator[Callable[[int], object]]:
    from tqdm import tqdm  # type: ignore[import-untyped]

    tqdm.monitor_interval = 0  # no monitor thread: the pool forks from this process
    with tqdm(total=total, desc=label, unit="article", delay=DELAY, leave=False,
              file=sys.stderr, dynamic_ncols=True) as bar:
        yield bar.update


def terminal_progress(quiet: bool) -> Progress | None:
    """The bar factory for a build, or None when nothing should be drawn."""
    if quiet or not sys.stderr.isatty():
        return None
    return _bar

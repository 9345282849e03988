"""`build(options) -> BuildReport`: skip if nothing changed, else run the pipeline and write.

content/ --load--> articles --analyse--> Analysis --link--> Site --render--> pages --write--> public/

The stages are `pipeline.site_output`; pages are rendered as they are written to a staging
folder, which replaces the output only once every file is there, so bad input (or a broken
theme) leaves the previous output untouched.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sitegen.finishing import wait_for_finishing
from sitegen.runner import CACHE_DIR, frozen_heap
from sitegen.uptodate import (
    LastBuild,
    forget_last_build,
    input_fingerprint,
    output_stamps,
    page_reuse,
    read_last_build,
    records_path,
    save_last_build,
    theme_fingerprint,
    unchanged_since,
)
from sitegen.write import write_output

if TYPE_CHECKING:
    from sitegen.link import Site
    from sitegen.warm import WarmState

BUILTIN_THEME = Path(__file__).parent / "theme"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BuildOptions:
    root: Path
    """Site folder: has content/ and maybe themes/."""
    output: Path
    """Where the site is written (usually root/"public")."""
    jobs: int | None = None
    """Worker processes for per-article analysis; None: every core."""
    use_cache: bool = True
    """Read and write per-article results in root/.sitegen-cache/."""
    progress: bool = False
    """Draw a progress bar on long steps (when stderr is a terminal)."""
    skip_if_unchanged: bool = True
    """With the cache on, do nothing when no input changed and the output is untouched
    (`uptodate.py`); off when the caller needs the analysed site itself."""
    warm: WarmState | None = None
    """Parsed articles and analysis results a long-running process (`sitegen serve`) keeps
    between its builds; used only with the cache on."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    output: Path
    pages: Mapping[str, int]
    """Pages written, by kind (article, actor, tag, …)."""
    seconds: float
    changed: tuple[str, ...]
    """Output paths whose bytes changed in this build."""
    removed: tuple[str, ...] = ()
    kept_foreign: tuple[str, ...] = ()
    stages: Mapping[str, float] = field(default_factory=dict)
    """Seconds spent in each stage, in pipeline order."""
    site: Site | None = None
    computed: int = 0
    """Analysis results (per article, per pair of articles) computed in this build; the
    rest came from the cache."""
    reused: int = 0
    rendered: int = 0
    """Pages rendered in this build; the others had the same view as in the last build."""
    viewed: int = 0
    """Pages whose view was built; the others had the same inputs as in the last build."""
    up_to_date: bool = False
    """Nothing had changed since the last build, so nothing was done (`uptodate.py`)."""

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {kind}" for kind, n in self.pages.items())
        if self.up_to_date:
            return (f"{self.output} is up to date ({sum(self.pages.values())} pages): "
                    f"no input changed since the last build; checked in {self.seconds:.2f} s")
        return (f"built {sum(self.pages.values())} pages ({kinds}) into {self.output} "
                f"in {self.seconds:.2f} s; {len(self.changed)} files changed")


class Timer:
    """Records how long each stage takes, for --verbose and the benchmark."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        """Count `seconds` in stage `name` (a stage timed where it ran, in another process)."""
        self.stages[name] = self.stages.get(name, 0.0) + seconds

    def run(self, name: str, step: Callable[[], T]) -> T:
        with self.stage(name):
            return step()

    def in_order(self) -> dict[str, float]:
        """The stages' times in the pipeline's order (`STAGE_ORDER`), whatever order they
        were counted in (stages run side by side, and some start before others end)."""
        rank = {name: k for k, name in enumerate(STAGE_ORDER)}
        return dict(sorted(self.stages.items(), key=lambda item: rank.get(item[0], len(rank))))


STAGE_ORDER = ("check", "load", "actors", "sources", "claims", "tags", "link", "render", "write")


YOUNG_OBJECTS_PER_COLLECTION = 50_000
"""Python's default is 700: a build allocates millions of objects that live until it ends
(articles, mentions, cached results) and makes almost no cyclic garbage, and each full
collection walks all of them: 1.1 s of an edit rebuild at 1,000 articles went to 11 full
collections; with this, 0.4 s in all."""


@contextmanager
def rare_collections(warm: bool = False) -> Iterator[None]:
    """Collect cyclic garbage less often while a build runs (and in the processes it forks);
    the process's own setting is restored after, as `sitegen serve` goes on running.

    In a `warm` process, what it held before the build (the last build's articles and
    results: 3.7 million objects at 10,000 articles) is left out of the build's collections
    and handed back to the collector after it (`gc.freeze`): they walked all of it, 5.2 s of
    an edit rebuilt in `sitegen serve` at 10,000 articles, 3.1 s without it (one run each)."""
    before = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS_PER_COLLECTION, *before[1:])
    try:
        with frozen_heap() if warm else nullcontext():
            yield
    finally:
        gc.set_threshold(*before)


def theme_dirs(root: Path) -> list[Path]:
    """The site's own theme (themes/default) first, then the built-in one."""
    own = root / "themes" / "default"
    dirs = [own] if own.is_dir() and own.resolve() != BUILTIN_THEME.resolve() else []
    return [*dirs, BUILTIN_THEME]


def build(options: BuildOptions) -> BuildReport:
    """Build the site; raises SitegenError (every problem found) and writes nothing on bad input.

    All of it collects garbage rarely (`rare_collections`), the up-to-date check and the
    record of the build too: each makes a few objects a page (51,000 pages at 10,000
    articles), enough to set off full collections of everything a warm process holds
    (`sitegen serve`: 2-2.5 s of an edit rebuilt at 10,000 articles).

    Results stored by other processes (`finishing.py`) are waited for at the end of a
    build; a process that builds again and again (`options.warm`) serves the new pages
    first and waits for them at the start of its next build, or as it stops."""
    with rare_collections(warm=options.warm is not None):
        wait_for_finishing()
        try:
            return _build(options)
        finally:
            if options.warm is None:
                wait_for_finishing()


def _build(options: BuildOptions) -> BuildReport:
    started = time.perf_counter()
    timer = Timer()
    dirs = theme_dirs(options.root)
    cache = options.root / CACHE_DIR if options.use_cache else None
    files, written = (options.warm.files, options.warm.written) if options.warm else (None, None)
    last, theme, inputs = None, "", ""
    if cache is not None:
        with timer.stage("check"):
            theme = theme_fingerprint(dirs)
            inputs = input_fingerprint(options.root, theme, options.output, files)
            last = read_last_build(cache, options.output, written)
            current = unchanged_since(last, options.output, inputs) if options.skip_if_unchanged else None
        if current is not None:
            return BuildReport(output=options.output, pages=current.pages,
                               seconds=time.perf_counter() - started, changed=(),
                               kept_foreign=current.kept_foreign, stages=timer.in_order(), up_to_date=True)
    # Imported only now: the analysers, YAKE and the gazetteers take most of a second to
    # import, which an up-to-date check does not need.
    from sitegen.carried import read_records, save_records
    from sitegen.pipeline import site_output

    reuse = page_reuse(last, options.output, theme) if cache is not None else None
    # The digests of the last build's records, beside those of its pages' inputs: pages an
    # edit cannot have changed keep the latter (`carried.carried_inputs`).
    records = read_records(records_path(cache, options.output), last.inputs, written) if (
        cache is not None and reuse and last is not None) else None
    out = site_output(options, dirs, cache, timer, reuse,
                      (records, last.page_inputs) if records is not None and last is not None else None, theme)
    if cache is not None:
        forget_last_build(cache, options.output)
    rendering = timer.stages.get("render", 0.0)
    with timer.stage("write"):
        result = write_output(out.files, options.output)
    # Pages are rendered while they are written: count that time as render, not write.
    timer.stages["write"] -= timer.stages["render"] - rendering
    kinds = dict(sorted(Counter(p.kind for p in out.pages).items()))
    if cache is not None:
        with timer.stage("write"):
            # A page not rendered again was found untouched (its stamp as recorded) to be kept.
            kept = {p.path: last.stamps[p.path] for p in out.pages if not p.rendered} if last else {}
            record = LastBuild(inputs, output_stamps(options.output, result.files, kept), kinds, result.kept_foreign,
                               theme, {p.path: p.view_digest for p in out.pages},
                               {p.path: p.inputs_digest for p in out.pages if p.inputs_digest})
            if out.records is not None:  # first: the record it belongs to says the build is complete
                save_records(records_path(cache, options.output), inputs, out.records, written)
            save_last_build(cache, options.output, record, written)
    return BuildReport(
        output=options.output,
        pages=kinds,
        seconds=time.perf_counter() - started,
        changed=result.changed, removed=result.removed, kept_foreign=result.kept_foreign,
        stages=timer.in_order(), site=out.site, computed=out.computed, reused=out.reused,
        rendered=sum(p.rendered for p in out.pages),
        viewed=sum(p.viewed for p in out.pages),
    )

"""`build(options) -> BuildReport`: the stages in order, timed, with no logic of their own.

content/ --load--> articles --analyse--> Analysis --link--> Site --render--> pages --write--> public/

Nothing is written until every page has rendered (MkDocs' "first gather all data"), so bad
input leaves the previous output untouched.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sitegen.analyse.actors import analyse_actors
from sitegen.analyse.claims import analyse_claims
from sitegen.analyse.sources import analyse_sources
from sitegen.analyse.tags import analyse_tags
from sitegen.export import briefing_json
from sitegen.feeds import atom_feed, sitemap
from sitegen.link import Site, link
from sitegen.load import LoadedSite, load_site
from sitegen.model import Analysis
from sitegen.progress import terminal_progress
from sitegen.render import BUILTIN_THEME, render_site
from sitegen.runner import CACHE_DIR, ArticleRunner, open_runner
from sitegen.search import search_index_js
from sitegen.write import OutputFile, write_output

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
    """Per-article analysis results computed in this build (the rest came from the cache)."""
    reused: int = 0

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {kind}" for kind, n in self.pages.items())
        return (f"built {sum(self.pages.values())} pages ({kinds}) into {self.output} "
                f"in {self.seconds:.2f} s; {len(self.changed)} files changed")


class _Timer:
    """Records how long each stage takes, for --verbose and the benchmark."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - start

    def run(self, name: str, step: Callable[[], T]) -> T:
        with self.stage(name):
            return step()


def theme_dirs(root: Path) -> list[Path]:
    """The site's own theme (themes/default) first, then the built-in one."""
    own = root / "themes" / "default"
    dirs = [own] if own.is_dir() and own.resolve() != BUILTIN_THEME.resolve() else []
    return [*dirs, BUILTIN_THEME]


def static_files(dirs: list[Path]) -> list[OutputFile]:
    """Theme assets (CSS), the first theme holding a path winning."""
    found: dict[str, bytes] = {}
    for theme in reversed(dirs):
        static = theme / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    found[path.relative_to(static).as_posix()] = path.read_bytes()
    return [OutputFile(p, found[p]) for p in sorted(found)]


def analyse(loaded: LoadedSite, timer: _Timer, runner: ArticleRunner) -> Analysis:
    actors = timer.run("actors", lambda: analyse_actors(loaded.articles, loaded.curated, runner=runner))
    sources = timer.run("sources", lambda: analyse_sources(loaded.articles, runner=runner))
    claims = timer.run("claims", lambda: analyse_claims(loaded.articles, actors, sources, runner=runner))
    tags = timer.run("tags", lambda: analyse_tags(loaded.articles, actors, runner=runner))
    return Analysis(actors=actors, claims=claims, sources=sources, tags=tags)


def build(options: BuildOptions) -> BuildReport:
    """Build the site; raises SitegenError (every problem found) and writes nothing on bad input."""
    started = time.perf_counter()
    timer = _Timer()
    loaded = timer.run("load", lambda: load_site(options.root))
    cache = options.root / CACHE_DIR if options.use_cache else None
    with open_runner(options.jobs, cache, terminal_progress(quiet=not options.progress)) as runner:
        analysis = analyse(loaded, timer, runner)
    computed, reused = runner.computed, runner.reused
    site = timer.run("link", lambda: link(loaded.briefing, loaded.articles, analysis))
    dirs = theme_dirs(options.root)
    pages = timer.run("render", lambda: render_site(site, dirs))
    with timer.stage("render"):
        files = [OutputFile(p.path, p.content) for p in pages]
        files.append(OutputFile("briefing.json", briefing_json(site).encode("utf-8")))
        files.append(OutputFile("search-index.js", search_index_js(site).encode("utf-8")))
        files.append(OutputFile("feed.xml", atom_feed(site).encode("utf-8")))
        site_map = sitemap(site, [p.path for p in pages])
        if site_map is not None:
            files.append(OutputFile("sitemap.xml", site_map.encode("utf-8")))
        files.extend(static_files(dirs))
    result = timer.run("write", lambda: write_output(files, options.output))
    return BuildReport(
        output=options.output,
        pages=dict(sorted(Counter(p.kind for p in pages).items())),
        seconds=time.perf_counter() - started,
        changed=result.changed, removed=result.removed, kept_foreign=result.kept_foreign,
        stages=timer.stages, site=site, computed=computed, reused=reused,
    )

"""The stages from content/ to the bytes of every output file: load, analyse, link, render.

Split from `build.py` so that importing the analysers (YAKE, the gazetteers, numpy) is paid
only by a build that has something to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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
from sitegen.render import Page, PageReuse, render_site
from sitegen.runner import ArticleRunner, open_runner
from sitegen.search import search_index_js
from sitegen.write import OutputFile

if TYPE_CHECKING:
    from sitegen.build import BuildOptions, Timer


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


def analyse(loaded: LoadedSite, timer: Timer, runner: ArticleRunner) -> Analysis:
    actors = timer.run("actors", lambda: analyse_actors(loaded.articles, loaded.curated, runner=runner))
    sources = timer.run("sources", lambda: analyse_sources(loaded.articles, runner=runner))
    claims = timer.run("claims", lambda: analyse_claims(loaded.articles, actors, sources, runner=runner))
    tags = timer.run("tags", lambda: analyse_tags(loaded.articles, actors, runner=runner))
    return Analysis(actors=actors, claims=claims, sources=sources, tags=tags)


def site_files(
    options: BuildOptions, dirs: list[Path], cache: Path | None, timer: Timer, reuse: PageReuse | None = None
) -> tuple[Site, list[OutputFile], list[Page], tuple[int, int]]:
    """Every output file of the site, with the linked site, its pages and the analysis
    results (computed, reused from the cache); `reuse` supplies pages whose view did not
    change since the last build. Raises SitegenError on bad input."""
    loaded = timer.run("load", lambda: load_site(options.root))
    with open_runner(options.jobs, cache, terminal_progress(quiet=not options.progress)) as runner:
        analysis = analyse(loaded, timer, runner)
    site = timer.run("link", lambda: link(loaded.briefing, loaded.articles, analysis))
    pages = timer.run("render", lambda: render_site(site, dirs, reuse) if reuse else render_site(site, dirs))
    with timer.stage("render"):
        files = [OutputFile(p.path, p.content) for p in pages]
        files.append(OutputFile("briefing.json", briefing_json(site).encode("utf-8")))
        files.append(OutputFile("search-index.js", search_index_js(site).encode("utf-8")))
        files.append(OutputFile("feed.xml", atom_feed(site).encode("utf-8")))
        site_map = sitemap(site, [p.path for p in pages])
        if site_map is not None:
            files.append(OutputFile("sitemap.xml", site_map.encode("utf-8")))
        files.extend(static_files(dirs))
    return site, files, pages, (runner.computed, runner.reused)

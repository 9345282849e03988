"""The stages from content/ to the bytes of every output file: load, analyse, link, render.

Split from `build.py` so that importing the analysers (YAKE, the gazetteers, numpy) is paid
only by a build that has something to do.
"""

from __future__ import annotations

import importlib
import itertools
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sitegen.analyse.actor_build import MergeMemory
from sitegen.analyse.actors import analyse_actors
from sitegen.analyse.claims import analyse_claims, claim_ledger, join_claims
from sitegen.analyse.gazetteer import load_gazetteer_through
from sitegen.analyse.keywords import Keyword
from sitegen.analyse.sources import analyse_sources
from sitegen.analyse.tag_corpus import TagCorpus
from sitegen.analyse.tags import (
    actor_names,
    analyse_tags,
    keywords_ahead,
    load_word_frequencies,
    uncached_keywords,
)
from sitegen.background import Pending, Stages, first_done, forks
from sitegen.carried import CarriedInputs, SiteRecords, analysis_digests, carried_inputs, site_records
from sitegen.compiled_templates import load_templates
from sitegen.export import briefing_json_parts, encode_records
from sitegen.feeds import FEED_FILE, atom_feed, sitemap
from sitegen.imports import import_alone
from sitegen.link import Site, co_mentions, index_actors, link
from sitegen.load import LoadedSite, Parsed, file_digest, load_site, parse_articles
from sitegen.model import Actor, Analysis, Claim, SourceAnalysis, Tag
from sitegen.pagination import Layout, layout
from sitegen.progress import terminal_progress
from sitegen.render import Page, PageReuse, rendered_site, theme_environment
from sitegen.runner import ArticleRunner, default_jobs, open_runner
from sitegen.search import INDEX_FILE, search_index_js
from sitegen.warm import PerRecord, WarmState
from sitegen.write import Chunks, KeptFiles, OutputFile

if TYPE_CHECKING:
    import jinja2

    from sitegen.build import BuildOptions, Timer

T = TypeVar("T")


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


def analyse(loaded: LoadedSite, timer: Timer, runner: ArticleRunner, lines: PerRecord,
            tag_corpus: TagCorpus | None = None, parsed: int | None = None,
            actor_memory: MergeMemory | None = None) -> Analysis:
    """The four analysers, as many at a time as their inputs allow (`background.py`):
    sources beside actors, then tags and claims as soon as actors are in (claims are
    joined across articles before they wait for the sources, which count their origins;
    while tags still run, the main process makes the link stage's actor indexes, the
    digests of actors and claims the next build compares (`carried.analysis_digests`) and,
    into `lines`, the actors' and claims' lines of briefing.json. What is made from the
    actors or the claims alone (these, who appears with whom, the claims' and the tags'
    inputs) is read back from the cache with the actors and claims it was made from when
    an edit left those as they were (`ArticleRunner.derived`). When an edit changed
    the claims, their groups are made again in a child of their own, beside the tags and
    the actors' indexes (0.4 s at 1,000 articles, 4 s at 10,000), and sent back as numbers:
    the ledger is made here, as sending its claims back took longer than making them
    (6.6 s at 10,000). A warm process passes the
    tags' `tag_corpus` it keeps: the tags are then made here, after the claims join while
    the sources still run, by updating its tallies for the articles an edit changed; and
    its `actor_memory`, the facts of the last merge of names, which the next updates.
    When many articles need YAKE (a cold build), it starts first, beside both
    (`_cold_analyse`); `parsed`, how many articles this build parsed afresh (None: not
    known), bounds how many can (the cache keeps every article's keywords), so after an
    edit their keys are not even looked up. Each stage's time is its own, so with several
    jobs the stage times add up to more than the build's."""
    articles = loaded.articles
    with Stages(runner, len(articles)) as stages:
        if stages.forking and (parsed is None or parsed >= EARLY_KEYWORDS) and \
                uncached_keywords(articles, runner) >= EARLY_KEYWORDS:
            return _cold_analyse(loaded, timer, runner, stages, lines)
        pending_sources = stages.start(lambda child: analyse_sources(articles, runner=child))
        actors = timer.run("actors", lambda: analyse_actors(articles, loaded.curated, runner, actor_memory))
        # Made here rather than in the stage's child, which inherits them: a process that
        # builds again and again keeps them while the actors stay as they were.
        timer.run("tags", lambda: actor_names.through(runner, actors, made_here=runner.keeps_memory))
        pending_tags = stages.start(lambda child: analyse_tags(articles, actors, runner=child)) if (
            tag_corpus is None) else None
        joined = timer.run("claims", lambda: join_claims(articles, actors, runner, group_now=not stages.forking))
        pending_groups = None
        if joined.to_group and stages.forking:  # an edit changed the claims: grouped in a child
            pending_groups = stages.start(lambda child: joined.through(child).group())
        tags = None if tag_corpus is None else timer.run(
            "tags", lambda: analyse_tags(articles, actors, runner, corpus=tag_corpus))
        _made_from(actors, None, timer, runner, lines)
        if pending_groups is not None:
            timer.run("claims", joined.prepared)  # what the ledger reads besides the groups
            joined.grouped_as(pending_groups.result())
            timer.add("claims", pending_groups.seconds)
        sources = pending_sources.result()
        timer.add("sources", pending_sources.seconds)
        claims = timer.run("claims", lambda: claim_ledger(joined, sources.origin_of, runner))
        _made_from(None, claims, timer, runner, lines)
        if pending_tags is not None:
            tags = pending_tags.result()
            timer.add("tags", pending_tags.seconds)
    assert tags is not None
    return Analysis(actors=actors, claims=claims, sources=sources, tags=tags)


def _cold_analyse(loaded: LoadedSite, timer: Timer, runner: ArticleRunner, stages: Stages,
                  lines: PerRecord) -> Analysis:
    """`analyse` when YAKE has most of the articles to do: it starts at once in a stage of
    its own (it needs no actors), beside sources and actors; then claims start in a child
    as soon as sources are in, and tags as soon as YAKE is, whichever comes first, so
    neither waits for the other and no core sits idle behind one stage.
    Actors are found in a child too, which sends back the merged actors alone: the
    main process never holds every article's names, nor the heap their merge leaves
    (430 MB at 10,000 articles), which the tags and claims children, forked after it,
    would inherit. The gazetteer is loaded first, here, for them to inherit. While the
    stages run, the main process makes what the next build reads back with the actors and
    the claims (`ArticleRunner.derived`): their digests and lines of briefing.json (into
    `lines`); the tags' child keeps its name filter likewise."""
    articles = loaded.articles
    early = stages.start(lambda child: keywords_ahead(articles, child))
    pending_sources = stages.start(lambda child: analyse_sources(articles, runner=child))
    timer.run("actors", lambda: load_gazetteer_through(runner, len(articles)))
    pending_actors = stages.start(lambda child: analyse_actors(articles, loaded.curated, runner=child))
    actors = pending_actors.result()
    timer.add("actors", pending_actors.seconds)

    def claims_after(sources: SourceAnalysis) -> Pending[tuple[Claim, ...]]:
        return stages.start(lambda child: analyse_claims(articles, actors, sources, runner=child))

    def tags_after(keywords: Sequence[Sequence[Keyword]] | None) -> Pending[tuple[Tag, ...]]:
        return stages.start(lambda child: analyse_tags(articles, actors, child, keywords))

    if first_done([pending_sources, early]) == 0:
        pending_claims = claims_after(pending_sources.result())
        pending_tags = tags_after(early.result())
    else:
        pending_tags = tags_after(early.result())
        pending_claims = claims_after(pending_sources.result())
    _made_from(actors, None, timer, runner, lines)  # while the stages run
    sources = pending_sources.result()
    timer.add("sources", pending_sources.seconds)
    claims = pending_claims.result()
    timer.add("claims", pending_claims.seconds)
    _made_from(None, claims, timer, runner, lines)
    tags = pending_tags.result()
    timer.add("tags", early.seconds + pending_tags.seconds)
    return Analysis(actors=actors, claims=claims, sources=sources, tags=tags)


def _made_from(actors: tuple[Actor, ...] | None, claims: tuple[Claim, ...] | None, timer: Timer,
               runner: ArticleRunner, lines: PerRecord) -> None:
    """What later stages take from the actors or the claims alone (either None: not yet),
    made now, while other stages still run: the link stage's actor indexes, into `lines`
    the records' lines of briefing.json, and (only a build that keeps its records for the
    next needs them) their digests. Each is read back from the cache with the actors and
    claims it was made from when it can be (`ArticleRunner.derived`); who appears with
    whom first, so that the indexes, which take it, find it so."""
    if actors is not None:
        timer.run("link", lambda: co_mentions.through(runner, actors))
        timer.run("link", lambda: index_actors(actors))
    timer.run("render", lambda: encode_records(actors, claims, lines, runner))
    if runner.cache is not None:
        timer.run("render", lambda: analysis_digests(actors, claims, runner))


EARLY_KEYWORDS = 20
"""From this many articles without cached keywords (a second of YAKE), YAKE starts first."""


STAGE_LIBRARIES = ("datasketch.minhash", "yake", "yake_rust", "wordfreq")
"""What analysers import on first use, inside their stage (MinHash sketches, keywords, word
frequencies): a build that finds every article in the cache never pays for them. Each is
imported as `imports.import_alone` does (datasketch's MinHash without the package's SciPy)."""
GROUPING_LIBRARY = "scipy.sparse.csgraph"
"""SciPy's sparse graphs, with which claims are grouped (`rare_pairs.components`), imported
whole, as a stage library is: 0.17 s of every rebuild whose claims an edit changed, in the
child that groups them."""


def import_stage_libraries(runner: ArticleRunner, articles: int) -> None:
    """In a process that builds again and again (`sitegen serve`): import `STAGE_LIBRARIES`
    and `GROUPING_LIBRARY` now, before stages fork, so each rebuild's stages inherit them. Otherwise every child
    started after an edit imports them afresh: 0.3 s of a rebuild at 1,000 articles (YAKE
    with networkx and segtok; 0.6 s while datasketch's MinHash came with SciPy). Only where
    stages fork; in one process the first import stays.
    wordfreq's English list is loaded too (0.1 s, 34 MB): a child loaded it afresh for any
    edit that brought a keyword word no build had looked up, most edits that add text."""
    if forks(runner, articles):
        for name in STAGE_LIBRARIES:
            import_alone(name)
        importlib.import_module(GROUPING_LIBRARY)
        load_word_frequencies()


PARSE_STEP = "sitegen.load.parse_articles"


def parse_through(runner: ArticleRunner, files: Sequence[tuple[str, str]]) -> list[Parsed]:
    """Article files parsed, or unpickled from the cache by a hash of their path and text
    (about a tenth of the time of parsing the Markdown again); problems are kept with them,
    so a broken file is reported again."""
    keys = [file_digest(shown, text) for shown, text in files]
    return runner.keyed(PARSE_STEP, keys, lambda todo: parse_articles([files[i] for i in todo]))


@dataclass
class SiteOutput:
    """An analysed site and its output files, produced one at a time as they are written."""

    site: Site
    records: SiteRecords | None
    """Digests of `site`'s records, for the next build's `carried_inputs` (None without a cache)."""
    files: Iterator[OutputFile | KeptFiles]
    pages: list[Page]
    """Each page once its file has been produced, without its bytes (those go to disk)."""
    computed: int = 0
    """Analysis results computed in this build; the rest came from the cache."""
    reused: int = 0


def site_output(
    options: BuildOptions, dirs: list[Path], cache: Path | None, timer: Timer, reuse: PageReuse | None = None,
    last: tuple[SiteRecords, Mapping[str, str]] | None = None, theme: str = "",
) -> SiteOutput:
    """Load, analyse and link the site now (raising SitegenError on bad input); its files
    are rendered as `files` is consumed, with the time spent counted as "render". `reuse`
    supplies pages whose view did not change since the last build; `last`, the digests of
    that build's records and of its pages' inputs, which the pages reading no record an
    edit changed keep (`carried.carried_inputs`);
    `theme`, the theme's fingerprint, under which a warm process keeps its templates."""
    warm = options.warm if cache is not None else None
    lines = warm.export_lines if warm else PerRecord()
    with open_runner(options.jobs, cache, terminal_progress(quiet=not options.progress),
                     warm.results if warm else None, warm.cache_keys if warm else None,
                     warm.payload_digests if warm else None) as runner:
        computed = runner.computed
        loaded = timer.run("load", lambda: load_site(options.root, warm.articles if warm else None,
                                                     partial(parse_through, runner), warm.files if warm else None))
        parsed = runner.computed - computed  # texts new to the cache (and to a warm process)
        if warm is not None:
            # Articles a warm process holds were not parsed, nor read from the cache: their
            # entries stay for the next build from the command line (the digest is their key).
            runner.keep_keyed(PARSE_STEP, [a.content_digest for a in loaded.articles])
            import_stage_libraries(runner, len(loaded.articles))
        if warm is not None and warm.tag_corpus is None:
            warm.tag_corpus = TagCorpus()
        if warm is not None and warm.actor_memory is None:
            warm.actor_memory = MergeMemory()
        analysis = analyse(loaded, timer, runner, lines, warm.tag_corpus if warm else None, parsed,
                           warm.actor_memory if warm else None)
        environment = _theme_environment(warm, theme, dirs)
        timer.run("render", lambda: load_templates(environment, runner))
    site = timer.run("link", lambda: link(loaded.briefing, loaded.articles, analysis))
    split = timer.run("render", lambda: layout(site))
    records = timer.run("render", lambda: site_records(site, split, analysis)) if cache is not None else None
    carried = timer.run("render", lambda: carried_inputs(last[0], records, site, split, last[1])) if (
        last and records) else None
    pages: list[Page] = []
    files = _timed(timer, "render", _files(site, split, environment, dirs, reuse, options.jobs or default_jobs(),
                                           pages, with_inputs=cache is not None, lines=lines, carried=carried,
                                           records=records, last_files=last[0].whole_files if last else None,
                                           search_rows=warm.search_rows if warm else None,
                                           feed_entries=warm.feed_entries if warm else None))
    return SiteOutput(site, records, files, pages, computed=runner.computed, reused=runner.reused)


def _theme_environment(warm: WarmState | None, theme: str, dirs: list[Path]) -> jinja2.Environment:
    """The theme's templates: a warm process's own while the theme is as it was."""
    if warm is None or not theme:
        return theme_environment(dirs)
    if warm.theme is None or warm.theme[0] != theme:
        warm.theme = (theme, theme_environment(dirs))
    return warm.theme[1]


def _files(site: Site, split: Layout, environment: jinja2.Environment, dirs: list[Path], reuse: PageReuse | None,
           jobs: int, pages: list[Page], with_inputs: bool, lines: PerRecord, carried: CarriedInputs | None,
           records: SiteRecords | None = None, last_files: Mapping[str, str] | None = None,
           search_rows: PerRecord | None = None, feed_entries: PerRecord | None = None
           ) -> Iterator[OutputFile | KeptFiles]:
    """The site's files: its pages (rendered as they are asked for), the files made from the
    whole site and the theme's static files. `last_files`: the digests of the whole-site
    files the last build wrote (`SiteRecords.whole_files`); one whose digest `records` gives
    again, and whose file `reuse` finds untouched, is kept rather than made again."""
    rendered = rendered_site(site, dirs, reuse, jobs, with_inputs, carried, environment, split, records)
    # Asking for the first page starts the render workers; this process makes the
    # whole-site files while they go on, instead of after (a fifth of a rebuild's render
    # at 1,000 articles, where it waited for them), and writes them after the pages.
    first = next(rendered.others, None)
    whole_site = [OutputFile("briefing.json", Chunks.of(briefing_json_parts(site, lines)))]
    kept_whole: list[str] = []
    for path, make in ((INDEX_FILE, partial(search_index_js, site, search_rows)),
                       (FEED_FILE, partial(atom_feed, site, feed_entries))):
        if (records is not None and last_files is not None and reuse is not None
                and last_files.get(path) == records.whole_files[path] and reuse.untouched(path)):
            kept_whole.append(path)
        else:
            whole_site.append(OutputFile(path, make().encode("utf-8")))
    pages += rendered.kept
    yield KeptFiles([page.path for page in rendered.kept] + kept_whole)
    for page in itertools.chain([first] if first is not None else [], rendered.others):
        # A page kept from the last build has no bytes already (all but a few after an edit).
        pages.append(page if page.content is None else page._replace(content=None))
        yield OutputFile(page.path, page.content)
    yield from whole_site
    site_map = sitemap(site, [p.path for p in pages])
    if site_map is not None:
        yield OutputFile("sitemap.xml", site_map.encode("utf-8"))
    yield from static_files(dirs)


def _timed(timer: Timer, stage: str, items: Iterator[T]) -> Iterator[T]:
    """`items`, with the time spent producing each counted in `stage` (read from the clock
    here: `Timer.stage`, a context manager, took 9 of the 7,150 files' 10 ms at 1,000 articles)."""
    while True:
        start = time.perf_counter()
        item = next(items, None)
        timer.add(stage, time.perf_counter() - start)
        if item is None:
            return
        yield item

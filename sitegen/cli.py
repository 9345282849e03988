"""The `sitegen` command: argparse in, an exit code out; each command a few lines.

Errors in the user's input are printed as `path:line: message; hint` and exit 1, never as a
traceback (Black's report sets the exit code the same way).
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import shutil
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from sitegen import __version__


def _add_site_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="site folder holding content/ (default: the current folder)")
    parser.add_argument("--output", type=Path, default=None,
                        help="where to write the site (default: ROOT/public)")
    loud = parser.add_mutually_exclusive_group()
    loud.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    loud.add_argument("-v", "--verbose", action="store_true", help="also print per-stage times")


def _output(args: argparse.Namespace) -> Path:
    return Path(args.output) if args.output is not None else Path(args.root) / "public"


def _print_problems(error: Exception) -> int:
    from sitegen.errors import SitegenError

    if isinstance(error, SitegenError):
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        count = len(error.problems)
        print(f"sitegen: {count} problem{'s' if count != 1 else ''}; nothing was written", file=sys.stderr)
    else:
        print(f"error: {error}", file=sys.stderr)
    return 1


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: object = None, line: str | None = None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from sitegen.build import BuildOptions, build
    from sitegen.cache import CacheWarning
    from sitegen.errors import SitegenError

    options = BuildOptions(root=args.root, output=_output(args), jobs=args.jobs,
                           use_cache=not args.no_cache, progress=not args.quiet,
                           skip_if_unchanged=not args.report)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default", CacheWarning)  # said once, the build goes on
            warnings.showwarning = _show_warning
            report = build(options)
    except (SitegenError, OSError) as error:
        return _print_problems(error)
    if not args.quiet:
        print(report.summary())
        for path in report.kept_foreign:
            print(f"note: kept {path} in the output: sitegen did not write it", file=sys.stderr)
    if args.verbose:
        for stage, seconds in report.stages.items():
            print(f"  {stage:<8} {seconds:8.3f} s")
        if not report.up_to_date:
            print(f"  analysis: {report.computed} results computed, {report.reused} from the cache")
            print(f"  pages: {report.rendered} of {sum(report.pages.values())} rendered, "
                  f"the others unchanged since the last build ({report.viewed} views built)")
        for path in report.removed:
            print(f"  removed {path} (no longer produced)")
    if args.report and report.site is not None:
        from sitegen.actor_report import actor_table

        print(actor_table(list(report.site.actors.values())))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from sitegen.errors import SitegenError
    from sitegen.import_texts import import_texts

    try:
        result = import_texts(args.files, args.root / "content" / "articles", force=args.force)
    except SitegenError as error:
        return _print_problems(error)
    for path in result.written:
        print(f"wrote {path}")
    for path in result.skipped:
        print(f"skipped {path}: it exists (use --force to overwrite)", file=sys.stderr)
    return 0


def cmd_actors(args: argparse.Namespace) -> int:
    from sitegen.actor_report import actor_table
    from sitegen.analyse.actors import analyse_actors
    from sitegen.errors import SitegenError
    from sitegen.load import load_site

    try:
        loaded = load_site(args.root)
        actors = analyse_actors(loaded.articles, loaded.curated)
    except SitegenError as error:
        return _print_problems(error)
    print(actor_table(actors))
    return 0


def cmd_clean(args: argparse.Namespace) -> int:
    """Remove the build output and the analysis cache."""
    for folder in (_output(args), args.root / ".sitegen-cache"):
        if folder.is_dir():
            shutil.rmtree(folder)
            if not args.quiet:
                print(f"removed {folder}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from sitegen.serve import run_serve  # the server and watcher: only for this command

    return run_serve(args)


def cmd_check(args: argparse.Namespace) -> int:
    from sitegen.check import run_check

    return run_check(args)


def make_parser() -> argparse.ArgumentParser:
    """Every command's arguments. Their modules are imported when the command runs: the
    preview server and watcher alone took 70 ms of every `sitegen build` (a quarter of an
    up-to-date check)."""
    parser = argparse.ArgumentParser(
        prog="sitegen", description="Turn news articles about one story into a cross-linked briefing site.")
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build the site into public/")
    _add_site_arguments(build)
    build.add_argument("--jobs", type=int, default=None, help="worker processes for analysis (default: all cores)")
    build.add_argument("--no-cache", action="store_true", help="ignore and do not write .sitegen-cache/")
    build.add_argument("--report", action="store_true", help="also print the actor table")
    build.set_defaults(run=cmd_build)

    serve = commands.add_parser("serve", help="build, serve on 127.0.0.1 and rebuild on every change")
    _add_site_arguments(serve)
    serve.add_argument(
        "--host", default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 shares it)")
    serve.add_argument(
        "--port", type=int, default=8000,
        help="port to try first; the next free one is used when it is busy (default 8000)")
    serve.add_argument(
        "--base-path", default="/",
        help="serve the site under this path, as a static host would (e.g. /briefing/)")
    serve.add_argument("--no-watch", action="store_true", help="build once and serve; do not rebuild on changes")
    serve.set_defaults(run=cmd_serve)

    check = commands.add_parser("check", help="check the built site's internal links and anchors")
    _add_site_arguments(check)  # all that check needs
    check.set_defaults(run=cmd_check)

    imp = commands.add_parser("import", help="turn raw article texts into content/articles/*.md")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE.txt")
    imp.add_argument("--root", type=Path, default=Path("."), help="site folder (default: current folder)")
    imp.add_argument("--force", action="store_true", help="overwrite articles that exist")
    imp.set_defaults(run=cmd_import)

    actors = commands.add_parser("actors", help="print the actor table (names, aliases, counts) for curation")
    actors.add_argument("--root", type=Path, default=Path("."), help="site folder (default: current folder)")
    actors.set_defaults(run=cmd_actors)

    clean = commands.add_parser("clean", help="remove public/ and .sitegen-cache/")
    _add_site_arguments(clean)
    clean.set_defaults(run=cmd_clean)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command `argv` (the process's own arguments by default); its exit code."""
    return _run(make_parser().parse_args(argv))


def console() -> NoReturn:
    """The `sitegen` command itself (the console script, `python -m sitegen`).

    After a build the process leaves by `os._exit` once its output is flushed, instead of
    tearing the interpreter down: freeing what the build held object by object (articles,
    analysis, site, page records) took 0.27 s of every rebuild at 1,000 articles, a tenth
    of an edit rebuilt from the command line. Nothing is skipped that matters: by then the
    build has written and closed its files, committed the cache and saved its record, and
    when a child process is somehow still alive the usual exit runs. Other commands (serve
    with its threads) exit as usual.

    For the same reason a build here collects no cyclic garbage, nor do the processes it
    forks: a build makes almost none (20,000 objects in an edit at 1,000 articles), and its
    collections walked the millions of objects it keeps: 0.07-0.12 s of an edit's main
    process, rarely as they ran (`build.rare_collections`); in a forked child a collection
    also copied every inherited page it wrote a header on (a cold build at 10,000 articles:
    its largest process 1,347 -> 1,300 MB without)."""
    args = make_parser().parse_args()
    if args.run is cmd_build:
        gc.disable()  # the process ends with the build; a `build()` called in-process collects as usual
    code = _run(args)
    if args.run is cmd_build and not multiprocessing.active_children():
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:  # `sitegen build -v | head`: the reader left
            pass
        os._exit(code)
    sys.exit(code)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `sitegen actors | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0


if __name__ == "__main__":
    console()

"""`sitegen serve`: build, serve the output, rebuild on every saved edit, reload open pages.

The server sends exactly what `sitegen build` wrote (plus a reload script in HTML responses,
added on the way out); watching is `watchfiles`, HTTP is the stdlib. See issue 8.
"""

from __future__ import annotations

import argparse
import errno
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import watchfiles

from sitegen.errors import Problem, SitegenError
from sitegen.preview import BuildState, PreviewServer, normalise_base_path
from sitegen.warm import WarmState

PORT_TRIES = 20
"""Ports tried, counting up from --port, before giving up."""

WATCHED_DIRS = ("content", "themes")
CONFIG_SUFFIXES = (".yaml", ".yml", ".toml")
"""Top-level files of the site folder that count as its config."""

QUIET = 0.05
"""Seconds without a new change before a burst of saves is built (watchfiles debounces too)."""

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class ServeOptions:
    root: Path
    output: Path
    host: str = "127.0.0.1"
    port: int = 8000
    base_path: str = "/"
    watch: bool = True
    jobs: int | None = None
    verbose: bool = False


def options_from_args(args: argparse.Namespace) -> ServeOptions:
    root = Path(args.root)
    return ServeOptions(
        root=root,
        output=Path(args.output) if args.output else root / "public",
        host=args.host,
        port=args.port,
        base_path=normalise_base_path(args.base_path),
        watch=not args.no_watch,
        jobs=getattr(args, "jobs", None),
        verbose=bool(getattr(args, "verbose", False)),
    )


def run_serve(args: argparse.Namespace) -> int:
    try:
        options = options_from_args(args)
    except ValueError as error:
        print(f"sitegen serve: {error}", file=sys.stderr)
        return 2
    quiet = bool(getattr(args, "quiet", False))

    def say(message: str) -> None:
        if not quiet:
            print(message, flush=True)

    # A previous build is served at once while this one runs; without one, wait for it.
    try:
        preview = Preview.start(options, say, build_first=not options.output.is_dir())
    except OSError as error:
        print(f"sitegen serve: cannot listen on {options.host}: {error}", file=sys.stderr)
        return 1
    # The URL is printed even with --quiet: without it the command is useless.
    print(f"Serving {options.output} at {preview.url}  (Ctrl-C stops)", flush=True)
    if options.host in ("0.0.0.0", "::", ""):
        print(f"note: listening on every network interface ({options.host or 'all'}): "
              "other machines can read this site", flush=True)
    previous = signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops as cleanly as Ctrl-C
    try:
        preview.server.serve_forever()
    except KeyboardInterrupt:
        say("\nstopping")
    finally:
        signal.signal(signal.SIGTERM, previous)
        preview.stop()
    return 0


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


# ---------------------------------------------------------------- building


def rebuild(options: ServeOptions, state: BuildState, say: Say, warm: WarmState) -> None:
    """One build; its outcome goes to `state` (and so to open pages). Never raises.
    `warm` carries parsed articles and analysis results from one build to the next."""
    from sitegen.build import BuildOptions, build  # the lead's pipeline, imported when used

    started = time.monotonic()
    try:
        report = build(BuildOptions(root=options.root, output=options.output, jobs=options.jobs, warm=warm))
    except SitegenError as error:
        _failed(state, [str(problem) for problem in error.problems])
        return
    except Exception as error:  # a bug in a stage or a theme must not take the preview down
        traceback.print_exc()
        _failed(state, [str(crash_problem(error, options.root))])
        return
    state.record(report.changed, ())
    seconds = time.monotonic() - started
    say(f"built in {seconds:.2f} s: {len(report.changed)} output files changed")
    if options.verbose:
        for stage, spent in report.stages.items():
            say(f"  {stage:<8} {spent:8.3f} s")
        for path in report.changed:
            say(f"  changed {path}")


def warm_up(options: ServeOptions, warm: WarmState) -> None:
    """Fill `warm` when the first build left it without what the next starts from
    (`WarmState.holds_last_build`): a full build, in the background, that finds every
    result in the cache and every page as it was (nothing is written). Without it the first
    edit after starting would rebuild from disk, like the command line (8 s instead of 5.5
    at 1,000 articles), or, after a cold first build, merge every name again (an edit
    naming someone at 1,000 articles: 4.0 s instead of 2.2, after a warm-up of 1.8 s in
    the background). A failure is left to the next rebuild to report."""
    from sitegen.build import BuildOptions, build

    try:
        build(BuildOptions(root=options.root, output=options.output, jobs=options.jobs, warm=warm,
                           skip_if_unchanged=False))
    except Exception:  # reported by the rebuild that follows the next save
        warm.results.clear()


def _failed(state: BuildState, problems: list[str]) -> None:
    state.record((), problems)
    # Printed even with --quiet, which keeps errors.
    print("build failed; still serving the last good site:", file=sys.stderr)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr, flush=True)


def crash_problem(error: BaseException, root: Path) -> Problem:
    """An unexpected error as `path:line: message`, at the site's own file if one was running.

    A theme template that fails (jinja2 puts template frames in the traceback) is the user's to
    fix, so the overlay names the template and line rather than a sitegen module.
    """
    message = f"{type(error).__name__}: {error}"
    site = root.resolve()
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = Path(frame.filename)
        if not path.is_absolute() or not path.resolve().is_relative_to(site):
            continue
        relative = path.resolve().relative_to(site)
        if relative.parts and relative.parts[0] in WATCHED_DIRS:
            return Problem(relative.as_posix(), frame.lineno, message,
                           "fix the template; the terminal has the whole traceback")
    return Problem("sitegen", None, f"crashed while building: {message}",
                   "this is a bug in sitegen; the terminal has the traceback")


class _Either:
    """Set when either event is: watchfiles' stop_event only needs `is_set()`."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


@dataclass(frozen=True, slots=True)
class Watcher:
    """What `sitegen serve` watches: content/ and themes/ in depth, config files at the top.

    Two watchers rather than the whole site folder in depth, so a site kept in a repository
    does not put a watch on every folder of .git or a virtualenv. When content/ or themes/
    appears or goes, the deep watcher starts over on the folders that exist.
    """

    root: Path
    output: Path
    changes: queue.Queue[set[str]]
    stop: threading.Event
    restart: threading.Event = field(default_factory=threading.Event)

    def threads(self) -> list[threading.Thread]:
        return [
            threading.Thread(target=self._deep, name="sitegen-watch-deep", daemon=True),
            threading.Thread(target=self._top, name="sitegen-watch-top", daemon=True),
        ]

    def _in_site(self, path: Path) -> bool:
        return not path.is_relative_to(self.output) and not any(
            part.startswith(".") for part in path.relative_to(self.root).parts
        )

    def _at_top(self, path: Path) -> bool:
        if path.parent != self.root or path.name.startswith("."):
            return False
        return path.name in WATCHED_DIRS or path.suffix.lower() in CONFIG_SUFFIXES

    def _batches(
        self, paths: list[Path], recursive: bool, stop: _Either, polling: bool
    ) -> Iterator[set[str]]:
        keep = self._in_site if recursive else self._at_top
        # watchfiles' default filter drops editor swap and backup files (`x.md~`, `.swp`).
        junk = watchfiles.DefaultFilter()
        for batch in watchfiles.watch(
            *paths,
            watch_filter=lambda change, path: junk(change, path) and keep(Path(path)),
            recursive=recursive,
            stop_event=stop,
            debounce=1600,
            step=50,
            rust_timeout=500,
            raise_interrupt=False,
            force_polling=polling,
            poll_delay_ms=300,
        ):
            yield {path for _, path in batch}

    def _keep_watching(self, paths: Callable[[], list[Path]], recursive: bool) -> None:
        """Watch until stopped, surviving what would silently end live reload otherwise.

        A watched folder deleted mid-watch and an exhausted inotify limit (shared by every
        process of the user) raise inside watchfiles; the first makes us look again, the
        second switches to polling, and both are said on the terminal.
        """
        polling = False
        while not self.stop.is_set():
            if recursive:
                self.restart.clear()
            found = paths()
            if not found:
                self.restart.wait(0.5)
                continue
            stop = _Either(self.stop, self.restart) if recursive else _Either(self.stop)
            try:
                for batch in self._batches(found, recursive, stop, polling):
                    if not recursive and any(Path(p).name in WATCHED_DIRS for p in batch):
                        self.restart.set()
                    self.changes.put(batch)
            except (OSError, RuntimeError) as error:
                if not polling and all(path.is_dir() for path in found):
                    polling = True
                    print(f"warning: file watching failed ({error}); polling instead",
                          file=sys.stderr, flush=True)
                self.stop.wait(0.5)

    def _deep(self) -> None:
        self._keep_watching(
            lambda: [self.root / n for n in WATCHED_DIRS if (self.root / n).is_dir()], True
        )

    def _top(self) -> None:
        self._keep_watching(lambda: [self.root], False)


def _build_loop(
    options: ServeOptions,
    state: BuildState,
    changes: queue.Queue[set[str]],
    stop: threading.Event,
    say: Say,
    initial: bool,
    warm: WarmState,
) -> None:
    if initial:
        rebuild(options, state, say, warm)
    if not warm.holds_last_build():
        warm_up(options, warm)
    while not stop.is_set():
        try:
            paths = changes.get(timeout=0.2)
        except queue.Empty:
            continue
        # The two watchers report separately; one build covers a whole burst.
        while True:
            try:
                paths |= changes.get(timeout=QUIET)
            except queue.Empty:
                break
        root = options.root.resolve()
        shown = sorted(Path(p).relative_to(root).as_posix() for p in paths)
        more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
        say(f"changed: {', '.join(shown[:5])}{more}")
        rebuild(options, state, say, warm)


# ---------------------------------------------------------------- the running preview


def bind(options: ServeOptions, state: BuildState, say: Say) -> PreviewServer:
    """A server on --port, or the next free port after it (saying so)."""
    port = options.port
    for attempt in range(PORT_TRIES):
        try:
            return PreviewServer((options.host, port), options.output, options.base_path, state)
        except OSError as error:
            if error.errno != errno.EADDRINUSE or port == 0 or attempt == PORT_TRIES - 1:
                raise
            say(f"port {port} is busy; trying {port + 1}")
            port += 1
    raise AssertionError("unreachable")


@dataclass(slots=True)
class Preview:
    """A running preview: the server plus, when watching, the watcher and build threads."""

    server: PreviewServer
    stop_event: threading.Event
    threads: list[threading.Thread]
    warm: WarmState
    """What the builds keep in memory from one to the next."""

    @property
    def url(self) -> str:
        return self.server.url

    @classmethod
    def start(cls, options: ServeOptions, say: Say, build_first: bool = True) -> Preview:
        """Build, bind, start watching. The caller runs `server.serve_forever()`.

        With `build_first` False the first build runs in the background while the previous
        output is served (a large briefing takes minutes to build); open pages reload when it
        lands, like after any rebuild.
        """
        state = BuildState()
        warm = WarmState()
        say(f"building {options.root} ...")
        if build_first:
            rebuild(options, state, say, warm)
        server = bind(options, state, say)
        stop = threading.Event()
        threads: list[threading.Thread] = []
        if options.watch:
            changes: queue.Queue[set[str]] = queue.Queue()
            watcher = Watcher(options.root.resolve(), options.output.resolve(), changes, stop)
            threads = watcher.threads()
            threads.append(
                threading.Thread(
                    target=_build_loop,
                    args=(options, state, changes, stop, say, not build_first, warm),
                    name="sitegen-build",
                    daemon=True,
                )
            )
        elif not build_first:
            threads.append(threading.Thread(
                target=rebuild, args=(options, state, say, warm), name="sitegen-build", daemon=True
            ))
        for thread in threads:
            thread.start()
        return cls(server, stop, threads, warm)

    def stop(self) -> None:
        """Stop watching, let a running build finish (never leave a half-swapped output),
        and the results the last build left to other processes be stored."""
        from sitegen.finishing import wait_for_finishing

        self.stop_event.set()
        self.server.state.close()
        for thread in self.threads:
            thread.join()
        wait_for_finishing()
        self.server.server_close()

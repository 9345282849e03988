#!/usr/bin/env python3
"""sitegen against Hugo, Pelican and MkDocs on the same synthetic corpora, in one run (issue 9).

    .venv/bin/python bench/run.py [--sizes 100 1000 10000] [--runs 3] [--out bench/results.md]

For each size N it makes the corpus with ../shared/bench/run_peers.sh (which also installs the
peers), copies it to a scratch site, and times, each as a whole process under GNU time (wall
seconds, peak RSS of the largest process, CPU seconds of the whole tree) with a sampler
adding up the proportional set size (PSS) of every process of the build (the pool's workers
included):
- sitegen: cold (no cache, no output), warm with nothing changed, after editing one article,
  after adding one, per-stage times (`sitegen build -v`), and two edits of one article
  rebuilt inside a warm process (what `sitegen serve` does);
- YAKE alone, `extract_keywords(n=3, top=10)` over a sample, as the issue measures it, right
  after each cold build, so the cold build is compared with YAKE time / cores measured on the
  same machine in the same moments;
  and sitegen's own keyword step on the same sample (yake-rust's scores, YAKE's dedup), what
  "everything except YAKE" leaves out of the cold build's CPU;
- Hugo, Pelican and MkDocs cold, with the commands `run_peers.sh cmd TOOL N` prints.
Below 10,000 articles every row is the median of `--runs` runs (one at 10,000): sitegen's
edits in rounds, each round after a Hugo cold build, which the edit targets are set against.
Then it prints the ratios the issue sets targets for. Markdown on stdout and in --out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_BENCH = REPO.parent / "shared" / "bench"
RUN_PEERS = SHARED_BENCH / "run_peers.sh"
PYTHON = REPO / ".venv" / "bin" / "python"
CORPUS_ROOT = Path(os.environ.get("CORPUS_ROOT", "/tmp/corpus"))
WORK_ROOT = Path(os.environ.get("BENCH_WORK", "/tmp/sitegen-bench"))
PEERS = ("hugo", "mkdocs", "pelican")
STAGE_LINE = re.compile(r"^\s+(\w+)\s+([\d.]+) s$")
YAKE_SAMPLE = 150


@dataclass
class Measure:
    wall: float
    max_rss_kb: int
    """Peak RSS of the largest single process (GNU time %M), as run_peers.sh reports peers."""
    cpu: float
    """User + system seconds of the process and every child it waited for."""
    tree_pss_kb: int
    """Highest sum of PSS over the build's processes, sampled every 200 ms."""
    stages: dict[str, float] = field(default_factory=dict)


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.scandir(f"/proc/{pid}/task"):
            out += [int(c) for c in Path(task.path, "children").read_text().split()]
    except OSError:
        pass
    return out


def _tree_pss_kb(root: int) -> int:
    """Sum of PSS of `root` and its descendants (from /proc, following children lists)."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(_children(pid))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            pass
    return total


def snapshot(commit: str) -> dict[str, str]:
    """The sitegen package as of `commit`, unpacked apart, and the environment that runs it.

    Others edit the work tree while a benchmark runs; the cache key covers the code, so a
    benchmark of the live tree would measure their edits as cache misses. Its modules are
    compiled to bytecode, as `pip install` compiles a package: where PYTHONDONTWRITEBYTECODE
    is set (it is on the machines these figures come from) every build would otherwise
    compile sitegen's modules from source, 70-80 ms a run that no installed copy pays.
    """
    code = WORK_ROOT / f"code-{commit}"
    if not code.exists():
        code.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "sitegen", "themes"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
        subprocess.run([str(PYTHON), "-m", "compileall", "-q", str(code)], check=True)
    return {**os.environ, "PYTHONPATH": str(code)}


ENV: dict[str, str] = dict(os.environ)
"""Set by main() to the snapshot's environment."""


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[Measure, str]:
    """Run `command` under GNU time; returns the figures and its stdout."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        # Run from the work folder: Python puts the current folder first on sys.path, so from
        # the repository `python -m sitegen` would import the work tree, not the snapshot.
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%e %M %U %S", "-o", out.name, *command],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                cwd=WORK_ROOT)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.2):
                peak[0] = max(peak[0], _tree_pss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stdout, stderr = proc.communicate()
        done.set()
        sampler.join()
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n{stderr[-2000:]}")
        wall, rss, user, system = out.read().split()[-4:]
    return Measure(float(wall), int(rss), float(user) + float(system), peak[0], _stages(stdout.splitlines())), stdout


def _stages(lines: Iterable[str]) -> dict[str, float]:
    """The per-stage seconds `sitegen build -v` prints, by stage."""
    return {m[1]: float(m[2]) for line in lines if (m := STAGE_LINE.match(line))}


def median_measure(measures: list[Measure]) -> Measure:
    mid = sorted(measures, key=lambda m: m.wall)[len(measures) // 2]
    return Measure(statistics.median(m.wall for m in measures),
                   int(statistics.median(m.max_rss_kb for m in measures)),
                   statistics.median(m.cpu for m in measures),
                   int(statistics.median(m.tree_pss_kb for m in measures)), mid.stages)


# ------------------------------------------------------------------ sitegen scenarios


def _edit_one(site: Path, n: int) -> None:
    """Append a sentence to the middle article (what a desk's correction does)."""
    article = site / "content" / "articles" / f"{max(1, n // 2):05d}.md"
    article.write_text(article.read_text(encoding="utf-8")
                       + f"\nThis article was updated at {time.time_ns()} with a correction.\n",
                       encoding="utf-8")


SYLLABLES = ("ka", "lo", "mi", "ne", "ro", "su", "ta", "vi", "do", "re")


def _edit_naming(site: Path, n: int) -> None:
    """Append to the middle article a sentence naming someone no article named before, with
    a figure: what most real edits bring (a new actor and a new claim), which `_edit_one`'s
    sentence does not."""
    digits = f"{time.time_ns() // 1000:06d}"[-6:]
    surname = "".join(SYLLABLES[int(d)] for d in digits).capitalize()
    article = site / "content" / "articles" / f"{max(1, n // 2):05d}.md"
    article.write_text(article.read_text(encoding="utf-8")
                       + f"\nAnalyst Mara {surname} said 40 more officials had resigned.\n", encoding="utf-8")


def _add_one(site: Path) -> None:
    """A new article: the first one's text under a new name and title, with one new sentence."""
    articles = site / "content" / "articles"
    text = (articles / "00001.md").read_text(encoding="utf-8")
    text = text.replace("title: ", "title: Follow-up to ", 1)
    (articles / f"added-{time.time_ns()}.md").write_text(
        text + "\nA follow-up report added the same afternoon.\n", encoding="utf-8")


HUGO_BETWEEN = "hugo cold, between sitegen's edits"
"""Hugo cold, timed once before each round of sitegen's edits: the edit targets set an edit
against Hugo's cold build, a second or less at 1,000 articles, where a slow moment of the
machine for one side alone moved a ratio from 1.57 to 3.25 (session 42). Timed in the same
moments, the two medians share them."""


@dataclass
class SitegenRuns:
    """What `sitegen_runs` measured: every run of each scenario, and the keyword baselines."""

    rows: dict[str, list[Measure]]
    """Each scenario's runs, in order."""
    yake: list[float] = field(default_factory=list)
    """YAKE alone, CPU seconds an article, timed right after each cold build."""
    keyword_step: list[float] = field(default_factory=list)
    """sitegen's keyword step, likewise."""


def sitegen_runs(n: int, jobs: int | None, runs: int = 1, hugo: str | None = None) -> SitegenRuns:
    """Every sitegen scenario `runs` times (the edits in rounds, each round after a Hugo
    cold run when `hugo`, its command line, is given), and after each cold build the
    baselines it is set against: YAKE alone and sitegen's keyword step on a sample. Timed
    at the end of the run instead, YAKE alone fell in a slow spell at 10,000 articles in
    session 43 (51.7 ms an article, against 30-38 in other runs) and the cold target
    read 1.06."""
    site = WORK_ROOT / f"site{n}"
    if site.exists():
        shutil.rmtree(site)
    shutil.copytree(CORPUS_ROOT / f"c{n}" / "content", site / "content")
    build = [str(PYTHON), "-m", "sitegen", "build", "--root", str(site), "-v"]
    if jobs is not None:
        build += ["--jobs", str(jobs)]
    out = SitegenRuns({})

    def record(name: str, measure: Measure) -> None:
        out.rows.setdefault(name, []).append(measure)
        # said at once: a 10,000-article run may be stopped before the table
        print(f"<!-- {n} {name}: {measure} -->", file=sys.stderr, flush=True)

    for _ in range(runs):
        for made in (site / "public", site / ".sitegen-cache"):
            shutil.rmtree(made, ignore_errors=True)
        record("cold", timed(build, ENV)[0])
        out.yake.append(yake_seconds_per_article(n))
        out.keyword_step.append(keyword_step_seconds_per_article(n))
    for _ in range(runs):
        record("warm, no change", timed(build, ENV)[0])
    if hugo is not None:
        timed(["sh", "-c", hugo])  # warm-up, untimed, as run_peers.sh does (its first run is the slowest)
    for _ in range(runs):
        if hugo is not None:
            record(HUGO_BETWEEN, timed(["sh", "-c", hugo])[0])
        _edit_one(site, n)
        record("edit one", timed(build, ENV)[0])
        _edit_naming(site, n)
        record(NAMING, timed(build, ENV)[0])
        _add_one(site)
        record("add one", timed(build, ENV)[0])
        first, again, naming, naming_again = serve_edits(site, n)
        record(SERVE_EDIT, first)
        record(SERVE_AGAIN, again)
        record(SERVE_NAMING, naming)
        record(SERVE_NAMING_AGAIN, naming_again)
    return out


def peer_command(tool: str, n: int) -> str:
    """The command line `run_peers.sh` gives for a cold build by `tool` of the corpus of `n`."""
    return subprocess.run(["sh", str(RUN_PEERS), "cmd", tool, str(n)], check=True,
                          capture_output=True, text=True).stdout.strip()


SERVE_SNIPPET = """
import sys, time
from pathlib import Path
from sitegen.build import BuildOptions, build
from sitegen.finishing import wait_for_finishing
from sitegen.serve import ServeOptions, warm_up
from sitegen.warm import WarmState
sys.path.insert(0, {bench!r})
from run import _edit_naming, _edit_one
site = Path({site!r})
options = BuildOptions(root=site, output=site / "public", warm=WarmState())  # as serve keeps it
build(options)
if not options.warm.results:  # up to date: as serve does then, load the site into memory
    warm_up(ServeOptions(root=site, output=site / "public"), options.warm)
wait_for_finishing()
for edit in (_edit_one, _edit_one, _edit_naming, _edit_naming):
    edit(site, {n})
    start = time.perf_counter()
    report = build(options)
    print(f"WALL {{time.perf_counter() - start:.4f}}")
    for stage, seconds in report.stages.items():
        print(f"  {{stage}} {{seconds:.4f}} s")
    start = time.perf_counter()
    wait_for_finishing()  # the results stored while the user reads the page (`finishing.py`)
    print(f"  stored {{time.perf_counter() - start:.4f}} s")
"""

SERVE_EDIT = "edit one, in a warm process (serve)"
SERVE_AGAIN = "edit it again, in the same process"
"""A second edit of the same article in the same process: two samples of a serve edit.
Both append to the article the command-line edit changed first; that first sentence added
a figure (its claims changed), the later ones usually change its text alone, which serve
rebuilds on a shorter path (`page_inputs.carried_inputs`)."""


NAMING = "edit one, naming someone new"
SERVE_NAMING = "edit one, naming someone new, in serve"
SERVE_NAMING_AGAIN = "naming someone new again, in serve"
"""`_edit_naming`'s edits: a new actor and a new claim, which the actors, claims and tags
stages cannot take from the last build as they are (`_edit_one`'s sentence changes none)."""


def serve_edits(site: Path, n: int) -> tuple[Measure, Measure, Measure, Measure]:
    """Four edits of one article rebuilt by a process that has built once already, as
    `sitegen serve` does, two by `_edit_one` and two by `_edit_naming`: each with its own
    wall time (until its pages are written) and stages; peak memory and CPU are the
    process's, so every row shows the same. The process storing an edit's results for the
    next build runs on after its pages are out (`finishing.py`); each edit comes once it is
    done, as after a user has read the page, and how long it ran on is the row's "stored"."""
    code = SERVE_SNIPPET.format(bench=str(Path(__file__).parent), site=str(site), n=n)
    measure, stdout = timed([str(PYTHON), "-c", code], ENV)
    edits = []
    for block in stdout.split("WALL ")[1:]:
        wall, *lines = block.splitlines()
        edits.append(Measure(float(wall), measure.max_rss_kb, measure.cpu, measure.tree_pss_kb, _stages(lines)))
    first, again, naming, naming_again = edits
    return first, again, naming, naming_again


YAKE_SNIPPET = """
import sys, time
from pathlib import Path
import yake
files = sorted(Path({articles!r}).glob("*.md"))[:{k}]
bodies = [f.read_text(encoding="utf-8").split("\\n---\\n", 1)[1] for f in files]
extractor = yake.KeywordExtractor(lan="en", n=3, top=10)
start = time.process_time()
for body in bodies:
    extractor.extract_keywords(body)
print(f"{{(time.process_time() - start) / len(bodies):.6f}}")
"""


KEYWORD_STEP_SNIPPET = """
import sys, time
from pathlib import Path
from sitegen.analyse.keywords import article_keywords  # the snapshot's (PYTHONPATH)
files = sorted(Path({articles!r}).glob("*.md"))[:{k}]
bodies = [f.read_text(encoding="utf-8").split("\\n---\\n", 1)[1] for f in files]
article_keywords(bodies[0])  # imports and YAKE's stop words, paid once a process
start = time.process_time()
for body in bodies:
    article_keywords(body)
print(f"{{(time.process_time() - start) / len(bodies):.6f}}")
"""


def yake_seconds_per_article(n: int) -> float:
    """CPU seconds YAKE takes on one article of this corpus (a sample, one process)."""
    return _seconds_per_article(YAKE_SNIPPET, n)


def keyword_step_seconds_per_article(n: int) -> float:
    """CPU seconds sitegen's keyword step (`article_keywords`) takes on one article."""
    return _seconds_per_article(KEYWORD_STEP_SNIPPET, n)


def _seconds_per_article(snippet: str, n: int) -> float:
    code = snippet.format(articles=str(CORPUS_ROOT / f"c{n}" / "content" / "articles"),
                          k=min(n, YAKE_SAMPLE))
    return float(subprocess.run([str(PYTHON), "-c", code], check=True, capture_output=True, cwd=WORK_ROOT,
                                text=True, env=ENV).stdout.strip())


# ------------------------------------------------------------------ peers


def peer_runs(n: int, runs: int) -> dict[str, list[Measure]]:
    out = {}
    for tool in PEERS:
        line = peer_command(tool, n)
        if runs > 1:
            timed(["sh", "-c", line])  # warm-up, untimed, as run_peers.sh does
        out[f"{tool} cold"] = [timed(["sh", "-c", line])[0] for _ in range(runs)]
        shutil.rmtree(Path(os.environ.get("OUT_ROOT", "/tmp/peer-out")), ignore_errors=True)
    return out


# ------------------------------------------------------------------ report


def load() -> str:
    return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine(commit: str) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    return (f"{cpu}, {len(os.sched_getaffinity(0))} cores, {mem} MiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, sitegen {commit}, "
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {load()} at the start")


def mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def table(n: int, rows: dict[str, Measure]) -> list[str]:
    stages = list(dict.fromkeys(s for m in rows.values() for s in m.stages))
    head = ["build", "wall s", "peak RSS (largest process)", "PSS, all processes", "CPU s", *stages]
    lines = [f"### {n:,} articles", "", "| " + " | ".join(head) + " |",
             "|---" + "|---:" * (len(head) - 1) + "|"]
    for name, m in rows.items():
        cells = [name, f"{m.wall:.2f}", mb(m.max_rss_kb), mb(m.tree_pss_kb), f"{m.cpu:.1f}",
                 *(f"{m.stages[s]:.3f}" if s in m.stages else "" for s in stages)]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def _ratio(a: float, b: float) -> str:
    """a / b, or "n/a" when b was not measured (a run shorter than the 200 ms PSS sampler)."""
    return f"{a / b:.2f}" if b else "n/a"


def ratios(n: int, rows: dict[str, Measure], yake: float, keyword_step: float, cores: int) -> list[str]:
    cold = rows["cold"]
    out = [f"Ratios, {n:,} articles (target in brackets; < 1 is faster or smaller than the peer):", ""]
    yake_total = yake * n
    out.append(f"- YAKE alone: {yake * 1000:.1f} ms an article, {yake_total:.1f} s on one core, "
               f"{yake_total / cores:.1f} s / {cores} cores; cold build / that: "
               f"{cold.wall / (yake_total / cores):.2f} (<= 1.1)")
    other = (cold.cpu - keyword_step * n) / n * 1000
    out.append(f"- sitegen's keyword step (yake-rust, YAKE's dedup, 300 kept): {keyword_step * 1000:.1f} ms an "
               f"article; everything except it, CPU of the cold build minus its: {other:.2f} ms an article "
               f"(<= 1; minus YAKE alone's instead: {(cold.cpu - yake_total) / n * 1000:.2f})")
    for peer in PEERS:
        p = rows.get(f"{peer} cold")
        if p is None:
            continue
        out.append(f"- vs {peer} cold ({p.wall:.2f} s, {mb(p.max_rss_kb)}): sitegen cold {cold.wall / p.wall:.1f}x "
                   f"time, {cold.max_rss_kb / p.max_rss_kb:.2f}x peak RSS (largest process), "
                   f"{_ratio(cold.tree_pss_kb, p.tree_pss_kb)}x PSS of all processes; warm no-change "
                   f"{rows['warm, no change'].wall / p.wall:.2f}x; edit one {rows['edit one'].wall / p.wall:.2f}x; "
                   f"edit one in serve {rows[SERVE_EDIT].wall / p.wall:.2f}x, "
                   f"again {rows[SERVE_AGAIN].wall / p.wall:.2f}x; naming someone new "
                   f"{rows[NAMING].wall / p.wall:.2f}x, in serve {rows[SERVE_NAMING].wall / p.wall:.2f}x, "
                   f"again {rows[SERVE_NAMING_AGAIN].wall / p.wall:.2f}x")
    hugo, mkdocs = rows.get("hugo cold"), rows.get("mkdocs cold")
    if hugo:
        beside = rows.get(HUGO_BETWEEN)
        edits_against = beside or hugo
        out.append(f"- targets: cold peak RSS / Hugo's {cold.max_rss_kb / hugo.max_rss_kb:.2f} "
                   f"(< 1; all processes' PSS / Hugo's {_ratio(cold.tree_pss_kb, hugo.tree_pss_kb)}); "
                   f"edit one / Hugo cold {rows['edit one'].wall / edits_against.wall:.2f} (<= 3 at 1,000); "
                   f"in serve {rows[SERVE_EDIT].wall / edits_against.wall:.2f}, "
                   f"again {rows[SERVE_AGAIN].wall / edits_against.wall:.2f} (<= 1 at 1,000)"
                   + (f"; the edits against Hugo timed between them ({beside.wall:.2f} s)" if beside else ""))
    if mkdocs:
        out.append(f"- target: warm no-change / MkDocs cold {rows['warm, no change'].wall / mkdocs.wall:.2f} "
                   "(< 1 at 10,000)")
    return [*out, ""]


SPREAD_ROWS = ("cold", "edit one", SERVE_EDIT, SERVE_AGAIN, HUGO_BETWEEN, "hugo cold")
"""The rows whose every sample is printed: those the targets read."""


def spread(samples: dict[str, list[Measure]], ours: SitegenRuns) -> list[str]:
    """Each sample of the rows the targets read (the table and the ratios give their
    medians), so that a reader sees how far apart the runs fell."""
    cells = [f"{name} " + ", ".join(f"{m.wall:.2f}" for m in samples[name])
             for name in SPREAD_ROWS if len(samples.get(name, ())) > 1]
    if len(ours.yake) > 1:
        cells.append("YAKE alone after each cold build, ms an article, "
                     + ", ".join(f"{y * 1000:.1f}" for y in ours.yake))
    return ["- each run, wall s (the table gives the medians): " + "; ".join(cells)] if cells else []


def output_sizes(n: int, largest: int = 5) -> list[str]:
    """What a reader downloads: the built site's size and its largest pages (the index
    pages and the most mentioned actors' pages grow with the corpus; a page of tens of
    megabytes is slow to open as well as to render again)."""
    public = WORK_ROOT / f"site{n}" / "public"
    sizes = sorted(((p.stat().st_size, p.relative_to(public).as_posix()) for p in public.rglob("*.html")),
                   reverse=True)
    total = sum(p.stat().st_size for p in public.rglob("*") if p.is_file())
    top = ", ".join(f"{path} {size / 1e6:.1f} MB" for size, path in sizes[:largest])
    return [f"- output: {total / 1e6:.0f} MB in all; {len(sizes):,} pages, the largest {top}"]


def growth(results: dict[int, dict[str, Measure]]) -> list[str]:
    """How each stage of a cold build, and of a rebuild after one edit, grows between
    consecutive sizes (a warm build with nothing changed is only the up-to-date check)."""
    sizes = sorted(results)
    out = []
    for small, big in itertools.pairwise(sizes):
        factor = big / small
        out += [f"Stage growth {small:,} -> {big:,} ({factor:.0f}x the articles; linear = {factor:.0f}x):", ""]
        for scenario in ("cold", "warm, no change", "edit one"):
            a, b = results[small][scenario].stages, results[big][scenario].stages
            cells = [f"{s} {b[s] / a[s]:.1f}x" for s in a if s in b and a[s] > 0]
            out.append(f"- {scenario}: " + ", ".join(cells))
        out.append("")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=3,
                        help="timed runs of every row below 10,000 articles, sitegen's and the peers' (one at 10,000)")
    parser.add_argument("--jobs", type=int, default=None, help="sitegen --jobs (default: every core)")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--no-sitegen", action="store_true", help="time the peers only")
    parser.add_argument("--out", type=Path, default=None, help="also write the Markdown here")
    parser.add_argument("--commit", default="HEAD", help="the sitegen commit to measure (default HEAD)")
    args = parser.parse_args()
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", args.commit],
                            check=True, capture_output=True, text=True).stdout.strip()
    ENV.update(snapshot(commit))

    subprocess.run(["sh", str(RUN_PEERS), "setup", *map(str, args.sizes)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cores = args.jobs or len(os.sched_getaffinity(0))
    lines = ["## sitegen benchmark", "", f"Machine: {machine(commit)}", "",
             f"Command: `{' '.join([Path(sys.executable).name, *sys.argv])}`", ""]
    print("\n".join(lines), flush=True)
    results: dict[int, dict[str, Measure]] = {}
    for n in args.sizes:
        runs = args.runs if n < 10000 else 1
        hugo = None if args.no_peers or args.no_sitegen else peer_command("hugo", n)
        ours = None if args.no_sitegen else sitegen_runs(n, args.jobs, runs, hugo)
        samples = dict(ours.rows) if ours else {}
        if not args.no_peers:
            samples.update(peer_runs(n, runs))
        rows = {name: median_measure(measures) for name, measures in samples.items()}
        results[n] = rows
        part = table(n, rows)
        if ours:
            part += (ratios(n, rows, statistics.median(ours.yake), statistics.median(ours.keyword_step), cores)
                     + spread(samples, ours) + output_sizes(n))
        part += [f"({load()} after)", ""]
        print("\n".join(part), flush=True)
        lines += part
    part = [] if args.no_sitegen else growth(results)
    print("\n".join(part), flush=True)
    lines += part
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`sitegen build` end to end: pages, links, briefing.json, determinism, atomic output."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from sitegen.cache import KEY_ENV
from sitegen.urls import relative_url

PAGE_KINDS = ["index.html", "claims.html", "sources.html", "actors/index.html", "tags/index.html"]


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def parse(path: Path) -> HTMLParser:
    return HTMLParser(path.read_text(encoding="utf-8"))


def resolve(page: Path, href: str) -> tuple[Path, str]:
    target, _, fragment = href.partition("#")
    return (page.parent / target).resolve() if target else page, fragment


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped seed briefing, built once for the read-only checks below."""
    from sitegen.cli import main

    root = tmp_path_factory.mktemp("seed")
    out = root / "public"
    assert main(["build", "--root", str(Path(__file__).parent.parent), "--output", str(out), "-q"]) == 0
    return out


def test_every_page_kind_exists_for_the_seeds(seed_site: Path) -> None:
    for page in PAGE_KINDS:
        assert (seed_site / page).is_file(), page
    data = json.loads((seed_site / "briefing.json").read_text(encoding="utf-8"))
    assert len(data["articles"]) == 5
    for kind in ("articles", "actors", "tags"):
        assert data[kind], f"no {kind}"
        for row in data[kind]:
            assert (seed_site / row["page"]).is_file(), row["page"]
    assert data["claims"], "no claims"


def test_every_internal_link_and_anchor_resolves(seed_site: Path) -> None:
    checked = 0
    for page in seed_site.rglob("*.html"):
        for node in parse(page).css("a[href], link[href]"):
            href = node.attributes["href"] or ""
            if href.startswith(("http://", "https://")):
                continue
            assert not href.startswith("/"), f"{page}: root-relative link {href}"
            target, fragment = resolve(page, href)
            assert target.is_file(), f"{page}: broken link {href}"
            if fragment:
                assert parse(target).css_first(f'[id="{fragment}"]') is not None, f"{page}: no #{fragment} in {href}"
            checked += 1
    assert checked > 100


def test_paragraphs_are_anchored_in_order(seed_site: Path) -> None:
    data = json.loads((seed_site / "briefing.json").read_text(encoding="utf-8"))
    for article in data["articles"]:
        ids = [n.attributes["id"] for n in parse(seed_site / article["page"]).css(".article-body [id]")]
        assert ids == [f"p{i}" for i in range(1, article["paragraphs"] + 1)]


def test_article_mentions_link_to_actor_pages_and_back(seed_site: Path) -> None:
    data = json.loads((seed_site / "briefing.json").read_text(encoding="utf-8"))
    actor = max(data["actors"], key=lambda a: len(a["mentions"]))
    mention = actor["mentions"][0]
    article = next(a for a in data["articles"] if a["id"] == mention["article"])
    page = seed_site / article["page"]
    paragraph = parse(page).css_first(f'[id="p{mention["paragraph"]}"]')
    hrefs = [a.attributes["href"] for a in paragraph.css("a.mention")]
    assert relative_url(article["page"], actor["page"]) in hrefs
    back = [a.attributes["href"] for a in parse(seed_site / actor["page"]).css(".mentions a")]
    assert relative_url(actor["page"], f'{article["page"]}#p{mention["paragraph"]}') in back


def test_claim_markers_are_numbered_as_the_article_lists_its_claims(seed_site: Path) -> None:
    checked = 0
    for page in sorted((seed_site / "articles").glob("*.html")):
        tree = parse(page)
        listed = [node.css_first("a[href*='claims.html#']").attributes["href"]
                  for node in tree.css("ol.claim-list > li")]
        markers = tree.css(".article-body a.claim-ref")
        assert {m.attributes["href"] for m in markers} == set(listed), page.name
        for marker in markers:
            assert listed[int(marker.text()) - 1] == marker.attributes["href"], page.name
            checked += 1
    assert checked > 50


def test_briefing_json_follows_the_spec(seed_site: Path) -> None:
    data = json.loads((seed_site / "briefing.json").read_text(encoding="utf-8"))
    assert list(data) == ["schema", "title", "articles", "actors", "claims", "tags"]
    assert data["schema"] == "sitegen.briefing/1"
    paragraphs = {}
    for article in data["articles"]:
        text = (Path(__file__).parent.parent / article["source_file"]).read_text(encoding="utf-8")
        paragraphs[article["id"]] = [p for p in text.split("---\n", 2)[2].split("\n") if p.strip()]
        assert len(paragraphs[article["id"]]) == article["paragraphs"]
    ids = {kind: [row["id"] for row in data[kind]] for kind in ("actors", "claims", "tags")}
    for kind, values in ids.items():
        assert values == sorted(set(values)), f"{kind} not sorted or not unique"
    for actor in data["actors"]:
        assert actor["affiliation"] is None or actor["affiliation"] in ids["actors"]
        for m in actor["mentions"]:
            assert paragraphs[m["article"]][m["paragraph"] - 1][m["start"]:m["end"]] == m["surface"]
    for claim in data["claims"]:
        assert claim["speaker"] is None or claim["speaker"] in ids["actors"]
        for e in claim["evidence"]:
            assert e["text"] in paragraphs[e["article"]][e["paragraph"] - 1]
    for article in data["articles"]:
        assert set(article["actors"]) <= set(ids["actors"])
        assert set(article["claims"]) <= set(ids["claims"])
        assert set(article["tags"]) <= set(ids["tags"])


def test_briefing_json_has_a_record_a_line_in_plain_utf8(seed_site: Path) -> None:
    """Each article, actor, claim and tag is one line (a diff of two builds names the
    records that changed), and text is UTF-8 as written, not \\u escapes."""
    raw = (seed_site / "briefing.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    records = [json.loads(line.rstrip(",")) for line in raw.splitlines() if line.startswith("{\"id\"")]
    assert records == [r for kind in ("articles", "actors", "claims", "tags") for r in data[kind]]
    assert "\\u" not in raw and any(ord(c) > 127 for c in raw)


def test_two_builds_are_byte_identical(site_copy, sitegen) -> None:
    root = site_copy("repo")
    assert sitegen("build", "--root", root, "--output", root / "one", "-q").code == 0
    assert sitegen("build", "--root", root, "--output", root / "two", "-q").code == 0
    assert tree_digest(root / "one") == tree_digest(root / "two")


def test_minimal_site_builds_with_metadata_and_canonical_links(site_copy, sitegen) -> None:
    root = site_copy("minimal")
    run = sitegen("build", "--root", root)
    assert run.code == 0, run.err
    assert re.match(r"built \d+ pages \(.*\d+ article.*\) into .* in [\d.]+ s", run.out)
    page = parse(root / "public/articles/strike-begins.html")
    assert page.css_first("h1").text() == "Dockworkers walk out at the harbour"
    assert page.css_first(".outlet").text() == "Harbour Gazette"
    assert page.css_first('a[href="https://example.org/news/strike"]') is not None
    assert page.css_first('link[rel="canonical"]').attributes["href"] == \
        "https://example.org/briefing/articles/strike-begins.html"
    order = [a.text() for a in parse(root / "public/index.html").css(".sources li > a")]
    assert order == ["Dockworkers walk out at the harbour", "Strike enters second day"]


def test_quiet_prints_nothing_and_verbose_prints_stages(site_copy, sitegen) -> None:
    root = site_copy("minimal")
    assert sitegen("build", "--root", root, "--quiet").out == ""
    assert "is up to date" in sitegen("build", "--root", root, "--verbose").out
    verbose = sitegen("build", "--root", root, "--verbose", "--no-cache").out
    for stage in ("load", "actors", "claims", "sources", "tags", "render", "write"):
        assert re.search(rf"^\s+{stage}\s+[\d.]+ s$", verbose, re.M), stage


def test_version_and_help_are_real(sitegen) -> None:
    with pytest.raises(SystemExit) as exit_info:
        sitegen("--version")
    assert exit_info.value.code == 0
    with pytest.raises(SystemExit):
        sitegen("--help")


INVALID = sorted(p.name for p in (Path(__file__).parent / "sites").iterdir() if (p / "expected-errors.txt").exists())


@pytest.mark.parametrize("name", INVALID)
def test_bad_input_names_file_and_line_and_writes_nothing(name: str, site_copy, sitegen) -> None:
    root = site_copy(name)
    if name == "non-utf8":  # keep the fixture's bytes exactly as written
        pass
    run = sitegen("build", "--root", root)
    expected = (root / "expected-errors.txt").read_text(encoding="utf-8").splitlines()
    assert run.code == 1
    assert run.err.splitlines()[:-1] == expected
    assert "Traceback" not in run.err
    assert not (root / "public").exists()
    assert not list(root.glob(".public*")), "a staging folder was left behind"


def test_failed_build_leaves_previous_output_byte_for_byte(site_copy, sitegen) -> None:
    root = site_copy("minimal")
    assert sitegen("build", "--root", root, "-q").code == 0
    before = tree_digest(root / "public")
    article = root / "content/articles/strike-begins.md"
    article.write_text(article.read_text(encoding="utf-8").replace("date: 2025-03-02", "date: March 2"),
                       encoding="utf-8")
    assert sitegen("build", "--root", root, "-q").code == 1
    assert tree_digest(root / "public") == before


def test_a_theme_error_half_way_through_writing_leaves_previous_output_byte_for_byte(
        site_copy, sitegen) -> None:
    """Pages are written as they render, so the error comes after some are staged."""
    root = site_copy("minimal")
    assert sitegen("build", "--root", root, "-q").code == 0
    before = tree_digest(root / "public")
    broken = root / "themes/default/templates/tag.html"
    broken.parent.mkdir(parents=True)
    broken.write_text('{% extends "base.html" %}{% block main %}{{ missing.value }}{% endblock %}\n',
                      encoding="utf-8")
    run = sitegen("build", "--root", root)
    assert run.code == 1 and "themes/default/templates/tag.html:1: template error" in run.err
    assert "Traceback" not in run.err
    assert tree_digest(root / "public") == before
    assert not list(root.glob(".public*"))


def test_files_the_build_did_not_write_are_kept_and_reported(site_copy, sitegen) -> None:
    root = site_copy("minimal")
    assert sitegen("build", "--root", root, "-q").code == 0
    (root / "public/CNAME").write_text("briefing.example.org\n", encoding="utf-8")
    run = sitegen("build", "--root", root)
    assert run.code == 0
    assert (root / "public/CNAME").read_text(encoding="utf-8") == "briefing.example.org\n"
    assert "kept CNAME" in run.err


def test_symlinks_put_in_the_output_are_kept_as_links_not_followed(site_copy, sitegen) -> None:
    root = site_copy("minimal")
    assert sitegen("build", "--root", root, "-q").code == 0
    (root / "downloads").mkdir()
    (root / "downloads" / "report.pdf").write_bytes(b"%PDF-1.4 desk copy")
    os.symlink(root / "downloads", root / "public" / "downloads")
    os.symlink(root / "downloads" / "report.pdf", root / "public" / "report.pdf")
    run = sitegen("build", "--root", root, "--no-cache")
    assert run.code == 0
    for name in ("downloads", "report.pdf"):
        assert (root / "public" / name).is_symlink(), name
        assert f"kept {name}" in run.err
    assert not (root / "public" / "downloads" / "report.pdf").is_symlink()  # the folder was not entered
    assert (root / "public" / "report.pdf").read_bytes() == b"%PDF-1.4 desk copy"


def test_unchanged_pages_are_not_rewritten(site_copy, sitegen) -> None:
    root = site_copy("minimal")
    assert sitegen("build", "--root", root, "-q").code == 0
    index = root / "public/index.html"
    before = index.stat().st_mtime_ns
    run = sitegen("build", "--root", root, "--no-cache")  # a full build, past the up-to-date check
    assert index.stat().st_mtime_ns == before
    assert run.out.rstrip().endswith("0 files changed")


def test_hostile_text_is_escaped(site_copy, sitegen) -> None:
    root = site_copy("hostile")
    assert sitegen("build", "--root", root, "-q").code == 0
    for page in (root / "public").rglob("*.html"):
        tree = parse(page)
        for script in tree.css("script"):  # only the theme's own search scripts, nothing inline
            assert script.attributes.get("src") in ("search-index.js", "search.js"), page
            assert script.text().strip() == "", page
        assert tree.css("iframe") == [], page
        assert tree.css("img") == [], page
        for a in tree.css("a[href]"):
            assert not (a.attributes["href"] or "").lower().startswith("javascript:"), page
    article = parse(root / "public/articles/hostile.html")
    assert article.css_first("h1").text() == '<script>alert("title")</script>'


def test_output_path_from_content_cannot_escape(site_copy, sitegen) -> None:
    root = site_copy("minimal")
    (root / "content/articles/..%2F..%2Fescape.md").write_text("---\ntitle: Sneaky\n---\n\nText.\n",
                                                               encoding="utf-8")
    assert sitegen("build", "--root", root, "-q").code == 0
    written = {p.resolve() for p in root.rglob("*.html")}
    assert all((root / "public").resolve() in p.parents for p in written)
    assert (root / "public/articles/2f-2fescape.html").is_file()


@pytest.mark.parametrize("bad", ["../outside.html", "a/../../outside.html", "/tmp/outside.html",
                                 "a//b.html", "a\\..\\b.html", "", "a/", ".", "a/./b.html", "..", "a\0b.html"])
def test_writer_refuses_a_path_outside_the_output(tmp_path: Path, bad: str) -> None:
    from sitegen.errors import SitegenError
    from sitegen.write import KeptFiles, OutputFile, write_output

    out = tmp_path / "site" / "public"
    write_output([OutputFile("index.html", b"old")], out)
    with pytest.raises(SitegenError, match="escapes the output folder"):
        write_output([OutputFile("ok/page.html", b"new"), OutputFile(bad, b"x")], out)
    with pytest.raises(SitegenError, match="escapes the output folder"):  # nor listed as kept as it is
        write_output([OutputFile("ok/page.html", b"new"), KeptFiles(["index.html", bad])], out)
    assert (out / "index.html").read_bytes() == b"old"
    assert not (out / "ok").exists() and not (tmp_path / "site" / "outside.html").exists()
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["public"]  # no staging left


def test_import_never_overwrites_without_force(tmp_path: Path, sitegen) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text("Flood waters rose in the valley on Sunday. Residents fled.\n\nSecond paragraph.\n",
                   encoding="utf-8")
    assert sitegen("import", raw, "--root", tmp_path).code == 0
    article = tmp_path / "content/articles/raw.md"
    assert "title: Flood waters rose in the valley on Sunday." in article.read_text(encoding="utf-8")
    article.write_text("---\ntitle: Edited by hand\n---\n\nMine.\n", encoding="utf-8")
    run = sitegen("import", raw, "--root", tmp_path)
    assert "skipped" in run.err and "--force" in run.err
    assert "Edited by hand" in article.read_text(encoding="utf-8")
    assert sitegen("import", raw, "--root", tmp_path, "--force").code == 0
    assert "Flood waters" in article.read_text(encoding="utf-8")


def test_imported_seeds_match_shipped_content(tmp_path: Path, sitegen) -> None:
    repo = Path(__file__).parent.parent
    seeds = sorted((repo / "seeds").glob("*.txt"))
    assert len(seeds) == 5
    assert sitegen("import", *seeds, "--root", tmp_path).code == 0
    for seed in seeds:
        shipped = (repo / "content/articles" / f"{seed.stem}.md").read_text(encoding="utf-8")
        assert (tmp_path / "content/articles" / f"{seed.stem}.md").read_text(encoding="utf-8") == shipped


def test_site_theme_overrides_the_builtin_one_file_by_file(site_copy, sitegen) -> None:
    root = site_copy("minimal")
    static = root / "themes/default/static"
    static.mkdir(parents=True)
    (static / "style.css").write_text("body { color: teal; }\n", encoding="utf-8")
    templates = root / "themes/default/templates"
    templates.mkdir(parents=True)
    builtin = (Path(__file__).parent.parent / "themes/default/templates/article.html").read_text(encoding="utf-8")
    assert "<h1>{{ title }}</h1>" in builtin
    (templates / "article.html").write_text(builtin.replace("<h1>{{ title }}</h1>",
                                                            '<h1 class="house-style">{{ title }}</h1>'),
                                            encoding="utf-8")
    assert sitegen("build", "--root", root, "-q").code == 0
    assert (root / "public/style.css").read_text(encoding="utf-8") == "body { color: teal; }\n"
    assert (root / "public/search.js").is_file()  # still from the built-in theme
    article = parse(root / "public/articles/strike-begins.html")
    assert article.css_first("h1.house-style").text() == "Dockworkers walk out at the harbour"
    assert parse(root / "public/index.html").css_first("h1.house-style") is None


def test_a_process_that_builds_again_renders_with_a_template_edited_between_its_builds(site_copy) -> None:
    """The theme's templates are not reloaded within a build (jinja2's auto_reload is off);
    a warm process's next build still sees an edited one."""
    from sitegen.build import BuildOptions, build
    from sitegen.warm import WarmState

    root = site_copy("minimal")
    templates = root / "themes/default/templates"
    templates.mkdir(parents=True)
    builtin = (Path(__file__).parent.parent / "themes/default/templates/article.html").read_text(encoding="utf-8")
    (templates / "article.html").write_text(builtin, encoding="utf-8")
    options = BuildOptions(root=root, output=root / "public", warm=WarmState())
    build(options)
    assert parse(root / "public/articles/strike-begins.html").css_first("h1.house-style") is None
    (templates / "article.html").write_text(builtin.replace("<h1>{{ title }}</h1>",
                                                            '<h1 class="house-style">{{ title }}</h1>'),
                                            encoding="utf-8")
    build(options)
    article = parse(root / "public/articles/strike-begins.html")
    assert article.css_first("h1.house-style").text() == "Dockworkers walk out at the harbour"


def test_import_names_each_bad_file_and_writes_nothing(tmp_path: Path, sitegen) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"First line.\nCaf\xe9 society.\n")
    run = sitegen("import", latin, tmp_path / "missing.txt", "--root", tmp_path)
    assert run.code == 1
    assert run.err.splitlines()[:2] == [
        f"error: {latin}:2: byte 0xe9 is not UTF-8; save the file as UTF-8",
        f"error: {tmp_path / 'missing.txt'}: no such file; check the path",
    ]
    assert not (tmp_path / "content").exists()


def test_a_build_does_not_import_the_preview_server(site_copy, tmp_path: Path) -> None:
    """`sitegen build` pays only for building: the server and watcher are serve's (70 ms of
    every build while the CLI imported them to define serve's options)."""
    root = site_copy("minimal")
    code = ("import sys; from sitegen.cli import main; "
            f"assert main(['build', '--root', {str(root)!r}, '-q']) == 0; "
            "print(sorted(m for m in ('sitegen.serve', 'sitegen.preview', 'watchfiles', 'sitegen.check')"
            " if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={**os.environ, KEY_ENV: str(tmp_path / "key")})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


CONSOLE = """
import atexit, sys
from sitegen.cli import console
atexit.register(print, "interpreter torn down")
sys.argv = ["sitegen", *sys.argv[1:]]
console()
"""


def test_the_command_leaves_at_once_after_a_build_with_its_output_and_cache_complete(
        site_copy, tmp_path: Path) -> None:
    """`sitegen build` skips the interpreter's teardown (0.27 s of an edit at 1,000 articles):
    no exit handler runs after it, yet its printed report, its exit code, the cache and
    the build record are all there (the next build finds nothing to do); a bad input
    still exits 1 with its message, and other commands exit as usual."""
    root = site_copy("minimal")
    # Output to a pipe is buffered (unless PYTHONUNBUFFERED says otherwise): it must be flushed.
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}, KEY_ENV: str(tmp_path / "key")}

    def console(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", CONSOLE, *args], capture_output=True, text=True,
                              timeout=300, env=env)

    first = console("build", "--root", str(root), "-v")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("built ") and "  analysis: " in first.stdout
    assert "interpreter torn down" not in first.stdout
    again = console("build", "--root", str(root))
    assert again.returncode == 0 and "up to date" in again.stdout, again.stdout + again.stderr
    broken = next((root / "content" / "articles").glob("*.md"))
    broken.write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    failed = console("build", "--root", str(root))
    assert failed.returncode == 1 and f"{broken.name}:" in failed.stderr
    assert "interpreter torn down" not in failed.stdout
    cleaned = console("clean", "--root", str(root))
    assert cleaned.returncode == 0 and "interpreter torn down" in cleaned.stdout


COLLECTIONS_SAID = """
import gc, os, sys
from pathlib import Path
import sitegen.build
from sitegen.cli import console
gc.callbacks.append(lambda phase, info: phase == "stop" and os.write(2, b"collected\\n"))
build = sitegen.build.build
sitegen.build.build = lambda options: os.write(2, b"building\\n") and build(options)
if sys.argv[1] == "command":
    sys.argv = ["sitegen", "build", "--root", sys.argv[2], "-q"]
    console()
sitegen.build.build(sitegen.build.BuildOptions(root=Path(sys.argv[2]), output=Path(sys.argv[2]) / "public"))
"""


def test_the_command_collects_no_garbage_while_it_builds_but_a_build_called_in_a_process_does(
        site_copy, tmp_path: Path) -> None:
    """`sitegen build` ends with its process, so it and the processes it forks leave cyclic
    garbage to the exit (`cli.console`); `build()` called in a process that goes on (a
    test, `sitegen serve`) collects as before. Each process says each collection it makes
    once the build has started."""
    env = {**os.environ, KEY_ENV: str(tmp_path / "key")}
    for way in ("command", "function"):
        root = site_copy("repo") if way == "command" else tmp_path / "again"
        if way == "function":
            shutil.copytree(tmp_path / "repo" / "content", root / "content")
        run = subprocess.run([sys.executable, "-c", COLLECTIONS_SAID, way, str(root)], capture_output=True,
                             text=True, timeout=300, env=env)
        assert run.returncode == 0, run.stderr
        assert (root / "public/index.html").is_file()
        during = run.stderr.partition("building\n")[2]
        assert ("collected" in during) == (way == "function"), (way, run.stderr[-500:])


def test_a_widely_reported_claim_lists_every_report_on_a_page_of_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The seeds' claims have at most six reports; with one shown, those with more get a page.
    from sitegen import render
    from sitegen.cli import main

    monkeypatch.setattr(render, "EVIDENCE_SHOWN", 1)
    out = tmp_path / "public"
    repo = Path(__file__).parent.parent
    assert main(["build", "--root", str(repo), "--output", str(out), "--no-cache", "-q"]) == 0
    claims = json.loads((out / "briefing.json").read_text(encoding="utf-8"))["claims"]
    summary = parse(out / "claims.html")
    own_pages = 0
    for claim in claims:
        block = summary.css_first(f'[id="{claim["id"]}"]')
        shown = block.css(".evidence li")
        more = block.css_first("p.more a")
        page = out / "claims" / f"{claim['id']}.html"
        if len(claim["evidence"]) <= 1:
            assert len(shown) == len(claim["evidence"]) and more is None and not page.exists()
            continue
        own_pages += 1
        assert len(shown) == 1 and more is not None
        assert resolve(out / "claims.html", more.attributes["href"])[0] == page
        assert more.text() == f"All {len(claim['evidence'])} reports of this claim"
        listed = parse(page).css(f'[id="{claim["id"]}"] .evidence li')
        assert len(listed) == len(claim["evidence"])
        # The summary shows the first reports of the full list, in its order.
        assert [resolve(page, li.css_first("a").attributes["href"]) for li in listed[:1]] == \
            [resolve(out / "claims.html", li.css_first("a").attributes["href"]) for li in shown]
    assert own_pages >= 3
    for page in [out / "claims.html", *sorted((out / "claims").glob("*.html"))]:
        for node in parse(page).css("a[href]"):
            href = node.attributes["href"] or ""
            if not href.startswith(("http://", "https://")):
                target, fragment = resolve(page, href)
                assert target.is_file(), f"{page}: broken link {href}"
                assert not fragment or parse(target).css_first(f'[id="{fragment}"]') is not None, href


def test_a_new_report_of_a_claim_leaves_the_claim_lists_of_other_articles_alone(site_copy, sitegen) -> None:
    # How many outlets report a claim moves with every article that reports it; shown on the
    # pages of every article listing the claim, one new article would change them all.
    root = site_copy("repo")
    articles = root / "content" / "articles"
    assert sitegen("build", "--root", root, "-q").code == 0
    source = sorted(articles.glob("*.md"))[0]

    def claim_lists() -> dict[str, str]:
        return {page.name: "".join(node.html or "" for node in parse(page).css("ol.claim-list"))
                for page in sorted((root / "public" / "articles").glob("*.html"))}

    before, claims_before = claim_lists(), (root / "public" / "claims.html").read_bytes()
    text = source.read_text(encoding="utf-8").replace("title: ", "title: Syndicated - ", 1)
    text = text.replace("# outlet: ", "outlet: Syndicate Daily", 1)
    (articles / "zz-syndicated.md").write_text(text, encoding="utf-8")
    assert sitegen("build", "--root", root, "-q").code == 0
    after = claim_lists()
    assert (root / "public" / "claims.html").read_bytes() != claims_before, "the claims page shows the new report"
    unchanged = {name for name in before if name != f"{source.stem.replace('_', '-')}.html"}
    assert sum(1 for name in unchanged if before[name]) >= 3
    assert {name: after[name] for name in unchanged if name in after} == {name: before[name] for name in unchanged}


def test_templates_read_a_views_keys_first_and_still_reach_attributes_and_methods() -> None:
    """Views are dicts: `x.name` is their key (even one named like a dict method), an
    object's attribute or a dict's method otherwise, and a missing key is an error."""
    import jinja2

    from sitegen.render import theme_environment

    env = theme_environment([])
    template = env.from_string("{{ d.href }}|{{ d.items }}|{{ o.real }}|{{ e.items()|list|length }}")
    assert template.render(d={"href": "a.html", "items": 3}, o=2.5, e={"x": 1}) == "a.html|3|2.5|1"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ d.missing }}").render(d={})

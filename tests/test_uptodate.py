"""A build with nothing to do does nothing, and anything that changes the output is noticed."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from edits import checked_against_fresh, records

from sitegen import build as build_module
from sitegen import carried as carried_module
from sitegen import export as export_module
from sitegen import link as link_module
from sitegen import pipeline as pipeline_module
from sitegen import render
from sitegen.analyse import claims as claims_module
from sitegen.analyse import tags as tags_module
from sitegen.build import YOUNG_OBJECTS_PER_COLLECTION, BuildOptions, BuildReport, build, rare_collections, theme_dirs
from sitegen.cache import FILE_NAME, KEY_ENV
from sitegen.carried import carried_inputs, read_records
from sitegen.errors import SitegenError
from sitegen.link import Site
from sitegen.model import Actor, Claim
from sitegen.pagination import layout
from sitegen.render import view_digest
from sitegen.runner import CACHE_DIR
from sitegen.uptodate import read_last_build, records_path
from sitegen.warm import PerRecord, WarmState, by_identity, each_by_value

STORY = Path(__file__).parent / "stories" / "tags-port-strike"
REWRITES_STORY = Path(__file__).parent / "stories" / "sources-wire-cuts"


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "user-cache" / "cache-key"))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(STORY, site / "content" / "articles")
    (site / "content" / "briefing.yaml").write_text("title: Port strike\n", encoding="utf-8")
    return site


def built(root: Path, **options: object) -> BuildReport:
    return build(BuildOptions(root=root, output=root / "public", jobs=1, **options))  # type: ignore[arg-type]


def inodes(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_second_build_with_nothing_changed_does_nothing(root: Path) -> None:
    first = built(root)
    before = inodes(root / "public")
    second = built(root)
    assert not first.up_to_date and second.up_to_date
    assert second.changed == () and second.pages == first.pages
    assert "load" not in second.stages, "an up-to-date build still loaded the content"
    assert inodes(root / "public") == before
    assert "is up to date" in second.summary()


def _edit_article(root: Path) -> None:
    article = sorted((root / "content" / "articles").glob("*.md"))[0]
    article.write_text(article.read_text(encoding="utf-8") + "\nDock workers met again on Friday.\n",
                       encoding="utf-8")


def _edit_theme(root: Path) -> None:
    css = root / "themes" / "default" / "static" / "extra.css"
    css.parent.mkdir(parents=True)
    css.write_text("body { margin: 0 }\n", encoding="utf-8")


def _touch_output(root: Path) -> None:
    page = root / "public" / "index.html"
    page.write_bytes(page.read_bytes() + b"<!-- edited by hand -->")


def _touch_article_page(root: Path) -> None:
    """A page whose inputs the next build carries over (`carried_inputs`), edited by hand:
    found by its stamp, not kept."""
    page = sorted((root / "public" / "articles").glob("*.html"))[0]
    before = page.read_bytes()
    page.write_bytes(before.replace(b"</main>", b"<p>edited by hand</p></main>"))
    assert page.read_bytes() != before


def _delete_output(root: Path) -> None:
    (root / "public" / "sources.html").unlink()


def _corrupt_record(root: Path) -> None:
    for record in (root / CACHE_DIR).glob("last-build-*.json"):
        record.write_text("{not json", encoding="utf-8")


def _add_curated_actors(root: Path) -> None:
    (root / "content" / "actors.yaml").write_text("[]\n", encoding="utf-8")


@pytest.mark.parametrize("change", [_edit_article, _edit_theme, _touch_output, _touch_article_page, _delete_output,
                                    _corrupt_record, _add_curated_actors])
def test_any_change_to_inputs_or_output_builds_again(root: Path, change: Callable[[Path], None]) -> None:
    built(root)
    change(root)
    again = built(root)
    assert not again.up_to_date and "load" in again.stages
    fresh = build(BuildOptions(root=root, output=root.parent / "fresh", jobs=1, use_cache=False))
    assert fresh.pages == again.pages
    assert inodes_free_tree(root / "public") == inodes_free_tree(root.parent / "fresh")
    assert built(root).up_to_date


def inodes_free_tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_no_cache_always_builds(root: Path) -> None:
    built(root)
    assert not built(root, use_cache=False).up_to_date


def test_a_build_into_another_folder_is_not_skipped(root: Path, tmp_path: Path) -> None:
    built(root)
    other = build(BuildOptions(root=root, output=tmp_path / "elsewhere", jobs=1))
    assert not other.up_to_date and (tmp_path / "elsewhere" / "index.html").is_file()


def test_a_failed_build_is_not_remembered_as_current(root: Path) -> None:
    built(root)
    article = sorted((root / "content" / "articles").glob("*.md"))[0]
    good = article.read_bytes()
    article.write_bytes(b"---\ntitle: [unclosed\n---\nText.\n")
    with pytest.raises(Exception, match="unclosed|flow|YAML|yaml|title"):
        built(root)
    article.write_bytes(good)
    assert built(root).up_to_date, "restoring the article should match the last good build again"
    os.utime(article)  # a newer mtime with the same bytes is no change
    assert built(root).up_to_date


def test_after_an_edit_only_pages_whose_view_changed_are_rendered(root: Path) -> None:
    first = built(root)
    assert first.rendered == sum(first.pages.values())
    _edit_article(root)
    again = built(root)
    assert 0 < again.rendered < sum(again.pages.values()) // 2
    build(BuildOptions(root=root, output=root.parent / "fresh", jobs=1, use_cache=False))
    assert inodes_free_tree(root / "public") == inodes_free_tree(root.parent / "fresh")


def test_after_an_edit_the_record_holds_every_output_file_as_it_is(root: Path) -> None:
    """Pages kept from the last build are recorded with the stamps checked when they were
    kept, the rest as written: either way the file as it is, so a build with nothing
    changed after it is skipped, and a hand edit after it is not."""
    built(root)
    _edit_article(root)
    assert built(root).rendered > 0
    record = read_last_build(root / CACHE_DIR, root / "public")
    assert record is not None
    files = {p.relative_to(root / "public").as_posix(): p.lstat() for p in (root / "public").rglob("*") if p.is_file()}
    assert record.stamps == {path: (info.st_size, info.st_mtime_ns) for path, info in files.items()}
    assert built(root).up_to_date
    _touch_output(root)
    assert not built(root).up_to_date


def _articles(root: Path) -> list[Path]:
    return sorted((root / "content" / "articles").glob("*.md"))


def _front(article: Path, field: str, value: str) -> None:
    text = article.read_text(encoding="utf-8")
    article.write_text(re.sub(rf"(?m)^{field}: .*$", f"{field}: {value}", text, count=1), encoding="utf-8")


def _retitle_article(root: Path) -> None:
    _front(_articles(root)[0], "title", "A retitled report")


def _redate_article(root: Path) -> None:
    _front(_articles(root)[-1], "date", "2025-01-01")


def _add_a_rewrite(root: Path) -> None:
    copy = root / "content" / "articles" / "zz-copy.md"
    shutil.copy(_articles(root)[0], copy)
    _front(copy, "outlet", "Another Outlet")


def _remove_article(root: Path) -> None:
    _articles(root)[-1].unlink()


def _reword_a_quote(root: Path) -> None:
    for article in _articles(root):
        text = article.read_text(encoding="utf-8")
        reworded = re.sub(r'([“"])(\w+ \w+)', r"\1\2 and more", text, count=1)
        if reworded != text:
            article.write_text(reworded, encoding="utf-8")
            return
    raise AssertionError("no quote to reword")


def _reword_after_a_name(root: Path) -> None:
    """Words just after a mention change, the mention's place does not: only the snippets
    that quote its paragraph on other pages show it."""
    article = root / "content" / "articles" / "cut-portal.md"
    text = article.read_text(encoding="utf-8")
    assert "Red Cross set up a kitchen" in text
    article.write_text(text.replace("Red Cross set up a kitchen", "Red Cross set up two kitchens"), encoding="utf-8")


def _curate_an_actor(root: Path) -> None:
    actors = json.loads((root / "public" / "briefing.json").read_text(encoding="utf-8"))["actors"]
    chosen = max(actors, key=lambda a: (len(a["mentions"]), a["id"]))
    (root / "content" / "actors.yaml").write_text(
        json.dumps([{"name": chosen["name"], "type": chosen["type"], "role": "Named by the desk",
                     "aliases": ["The desk's pick"]}]), encoding="utf-8")


def _rename_an_actor(root: Path) -> None:
    """The desk names the most mentioned actor its own way: its name and page change on
    every page that links to it (the source index lists each article's actors)."""
    actors = json.loads((root / "public" / "briefing.json").read_text(encoding="utf-8"))["actors"]
    chosen = max(actors, key=lambda a: (len(a["mentions"]), a["id"]))
    (root / "content" / "actors.yaml").write_text(
        json.dumps([{"name": "The Desk's Name", "type": chosen["type"], "aliases": [chosen["name"]]}]),
        encoding="utf-8")


def _add_a_claim(root: Path) -> None:
    """A new quote: one article reports one more claim (the source index counts them)."""
    article = _articles(root)[-1]
    article.write_text(article.read_text(encoding="utf-8")
                       + '\n"We will reopen the valley road within a month," the regional governor said.\n',
                       encoding="utf-8")


def _retitle_briefing(root: Path) -> None:
    (root / "content" / "briefing.yaml").write_text("title: A retitled briefing\n", encoding="utf-8")


def _rain_in(root: Path, name: str) -> None:
    article = root / "content" / "articles" / name
    article.write_text(article.read_text(encoding="utf-8") + "\nIt was raining again by evening.\n",
                       encoding="utf-8")


def _reword_an_origin(root: Path) -> None:
    """Text only: a sentence added to the wire story the other reports rewrite, naming no
    one and reporting nothing, so only its text changes (`carried.carried_inputs`)."""
    _rain_in(root, "wire.md")


def _reword_a_local_report(root: Path) -> None:
    """Text only, in the one report that rewrites nothing and is rewritten by none."""
    _rain_in(root, "local-report.md")


CHANGES = [
    (_edit_article, False), (_retitle_article, False), (_redate_article, False), (_add_a_rewrite, False),
    (_remove_article, False), (_reword_a_quote, False), (_reword_after_a_name, False), (_curate_an_actor, False),
    (_rename_an_actor, False), (_add_a_claim, False), (_reword_an_origin, False),
    (_retitle_briefing, True),  # every page shows the briefing's title
]


def _rewrites_story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The story has rewrites, and (with one report shown on the claims page) claims with
    pages of their own."""
    monkeypatch.setattr(render, "EVIDENCE_SHOWN", 1)
    root = tmp_path / "site"
    shutil.copytree(REWRITES_STORY, root / "content" / "articles", ignore=shutil.ignore_patterns("*.yaml"))
    (root / "content" / "briefing.yaml").write_text("title: Landslide\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("warm", [False, True])
@pytest.mark.parametrize(("change", "every_page"), CHANGES)
def test_pages_kept_for_unchanged_inputs_are_what_a_fresh_build_makes(
        tmp_path: Path, change: Callable[[Path], None], every_page: bool, warm: bool,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A page of an article, actor, tag or claim, or the claims, sources or actors pages, whose inputs hash as
    in the last build is kept without its view being built (`page_inputs.py`): after each kind of change, the
    output equals a fresh `--no-cache` build byte for byte, so no input a view reads was
    left out of its page's digest. Pages an edit cannot have changed keep their digests
    without being hashed (`carried.carried_inputs`): the same holds."""
    root = _rewrites_story(tmp_path, monkeypatch)
    memory = WarmState() if warm else None
    first = built(root, warm=memory)
    assert first.pages["claim"] > 1 and first.site is not None and first.site.copy_link_of
    assert built(root, skip_if_unchanged=False, warm=memory).viewed == 2  # the tags index and search
    change(root)
    again = built(root, warm=memory)
    assert (again.viewed == sum(again.pages.values())) is every_page
    build(BuildOptions(root=root, output=tmp_path / "fresh", jobs=1, use_cache=False))
    assert inodes_free_tree(root / "public") == inodes_free_tree(tmp_path / "fresh")


@pytest.mark.parametrize("warm", [False, True])
def test_a_page_changed_in_the_output_is_made_again_though_its_inputs_are_carried(
        tmp_path: Path, warm: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page whose inputs an edit left as they were is kept only while its file is as the
    last build wrote it: each page of actors and tags spoiled by hand is written again."""
    root = _rewrites_story(tmp_path, monkeypatch)
    memory = WarmState() if warm else None
    built(root, warm=memory)
    spoiled = sorted((root / "public" / "actors").glob("*.html")) + sorted((root / "public" / "tags").glob("*.html"))
    for page in spoiled:
        page.write_bytes(page.read_bytes() + b"<!-- mine -->")
    _edit_article(root)
    again = built(root, warm=memory)
    assert again.rendered < sum(again.pages.values())  # most pages were kept
    build(BuildOptions(root=root, output=tmp_path / "fresh", jobs=1, use_cache=False))
    assert inodes_free_tree(root / "public") == inodes_free_tree(tmp_path / "fresh")


def _rain_in_first_paragraph(root: Path) -> None:
    """Words added at the end of an article's first paragraph, which its feed entry quotes."""
    article = root / "content" / "articles" / "local-report.md"
    front, _, body = article.read_text(encoding="utf-8").partition("\n---\n")
    first, _, rest = body.strip("\n").partition("\n\n")
    article.write_text(f"{front}\n---\n\n{first} It was raining.\n\n{rest}\n", encoding="utf-8")


@pytest.mark.parametrize("warm", [False, True])
def test_the_search_index_and_the_feed_are_made_again_only_when_what_they_show_moved(
        tmp_path: Path, warm: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build keeps the search index and the feed as the last build wrote them when the
    digests of what they show are as they were (`search.search_inputs`, `feeds.feed_inputs`):
    words added at the end of an article leave both; words in its first paragraph move the
    feed (and here the tags, which the index lists); a new title both. Each time the output
    is what a fresh build makes."""
    root = _rewrites_story(tmp_path, monkeypatch)
    made: list[str] = []
    for name in ("search_index_js", "atom_feed"):
        real = getattr(pipeline_module, name)
        monkeypatch.setattr(pipeline_module, name, lambda *args, real=real, name=name: made.append(name) or real(*args))
    memory = WarmState() if warm else None
    built(root, warm=memory)
    assert made == ["search_index_js", "atom_feed"]
    for change, remade in ((_reword_a_local_report, set()), (_rain_in_first_paragraph, {"atom_feed"}),
                           (_retitle_article, {"search_index_js", "atom_feed"})):
        made.clear()
        change(root)
        built(root, warm=memory)
        assert remade <= set(made) and (remade or not made), change.__name__
        fresh = tmp_path / f"fresh-{change.__name__}"
        build(BuildOptions(root=root, output=fresh, jobs=1, use_cache=False))
        assert inodes_free_tree(root / "public") == inodes_free_tree(fresh)
    (root / "public" / "feed.xml").write_text("mine", encoding="utf-8")
    made.clear()
    _reword_a_local_report(root)
    built(root, warm=memory)
    assert made == ["atom_feed"]  # kept only while its file is as the last build wrote it


NOT_CARRYING = {_redate_article}
"""The edits here that change what every page reads, or the articles' order (`carried.SiteRecords.shared`,
`.ranks`); the briefing's title, which every page shows, is not among those parametrized."""


@pytest.mark.parametrize("change", [change for change, every_page in CHANGES if not every_page]
                         + [_reword_a_local_report])
def test_inputs_carried_over_an_edit_are_the_inputs_hashed_afresh(
        tmp_path: Path, change: Callable[[Path], None], monkeypatch: pytest.MonkeyPatch) -> None:
    """The oracle of `carried_inputs`: after each kind of edit, every digest it carries
    over from the last build is the one hashing the page's inputs afresh gives, and the
    pages it hashes again include every page whose inputs did change, over edits of text,
    titles, figures, actors (curated, renamed under a new id, one gone with the article
    removed), articles added and removed. An edit of the articles' order (the article
    redated) carries nothing."""
    root = _rewrites_story(tmp_path, monkeypatch)
    built(root)
    last = read_last_build(root / CACHE_DIR, root / "public")
    assert last is not None
    kept = read_records(records_path(root / CACHE_DIR, root / "public"), last.inputs)
    assert kept is not None
    change(root)
    site = built(root).site
    assert site is not None
    carried = carried_inputs(kept, records(site), site, layout(site), last.page_inputs)
    assert (carried is None) is (change in NOT_CARRYING)
    if carried is None:
        return
    changed, kept = checked_against_fresh(carried, last.page_inputs, site)
    assert changed
    assert kept


def test_site_records_malformed_or_of_another_build_are_not_trusted(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The digests of the site's records are kept beside the build's record, read only
    after an edit: the up-to-date check never needs them. Malformed (a table that is not a
    mapping of ids), or kept by a build of other inputs, they are not trusted: the build
    after an edit hashes every page's inputs, and makes what a fresh build makes."""
    root = _rewrites_story(tmp_path, monkeypatch)
    built(root)
    path = records_path(root / CACHE_DIR, root / "public")
    last = read_last_build(root / CACHE_DIR, root / "public")
    assert last is not None and read_records(path, last.inputs) is not None
    assert read_records(path, "another build's inputs") is None
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["records"]["texts"]
    data["records"]["texts"] = ["not", "a", "mapping"]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert read_records(path, last.inputs) is None
    assert built(root).up_to_date
    _reword_an_origin(root)
    again = built(root)
    assert not again.up_to_date and again.rendered
    build(BuildOptions(root=root, output=tmp_path / "fresh", jobs=1, use_cache=False))
    assert inodes_free_tree(root / "public") == inodes_free_tree(tmp_path / "fresh")


def test_a_warm_process_rebuilds_an_edit_as_a_fresh_build_would(root: Path) -> None:
    """`sitegen serve` keeps parsed articles and analysis results between builds: the
    unchanged articles are the very objects of the last build, the edited one is parsed
    again, and the output equals a fresh `--no-cache` build byte for byte."""
    warm = WarmState()
    built(root, warm=warm)
    before = {path: article for (path, _), article in warm.articles.items()}
    _edit_article(root)
    again = built(root, warm=warm)
    assert 0 < again.computed < again.reused
    after = {path: article for (path, _), article in warm.articles.items()}
    assert sorted(after) == sorted(before) and len(warm.articles) == len(before)
    edited = sorted(before)[0]
    assert after[edited] is not before[edited] and after[edited].body != before[edited].body
    assert all(after[path] is before[path] for path in sorted(before)[1:])
    build(BuildOptions(root=root, output=root.parent / "fresh", jobs=1, use_cache=False))
    assert inodes_free_tree(root / "public") == inodes_free_tree(root.parent / "fresh")
    # Articles taken from memory keep their parsed form in the disk cache for the command line,
    # which computes nothing but the tags' corpus tallies it leaves for the next (a warm
    # process keeps its own in memory: `tags._LastCorpus`).
    assert built(root, skip_if_unchanged=False).computed == 1
    assert built(root, skip_if_unchanged=False).computed == 0


def test_a_warm_process_remakes_the_actor_indexes_only_when_an_actor_changes(root: Path) -> None:
    """Indexes made from the actors alone are kept by a warm process while edits leave
    every actor as it was (`warm.by_identity`), and made again once an actor changes; after
    each edit the output equals a fresh build's byte for byte."""
    warm = WarmState()
    first = built(root, warm=warm).site
    article = sorted((root / "content" / "articles").glob("*.md"))[0]
    article.write_text(article.read_text(encoding="utf-8") + "\nThe talks went on late into the night.\n",
                       encoding="utf-8")  # no name: every actor stays as it was
    second = built(root, warm=warm).site
    assert first is not None and second is not None and second is not first
    assert second.mentions_in_article is first.mentions_in_article
    assert second.co_mentions is first.co_mentions
    build(BuildOptions(root=root, output=root.parent / "fresh", jobs=1, use_cache=False))
    assert inodes_free_tree(root / "public") == inodes_free_tree(root.parent / "fresh")
    article = sorted((root / "content" / "articles").glob("*.md"))[1]
    article.write_text(article.read_text(encoding="utf-8")
                       + "\nHarbour master Ingrid Solberg met Sophie De Wilde on Friday.\n", encoding="utf-8")
    third = built(root, warm=warm).site
    assert third is not None and third.mentions_in_article is not second.mentions_in_article
    assert "ingrid-solberg" in third.actors and "ingrid-solberg" in dict(third.co_mentions["sophie-de-wilde"])
    build(BuildOptions(root=root, output=root.parent / "fresh2", jobs=1, use_cache=False))
    assert inodes_free_tree(root / "public") == inodes_free_tree(root.parent / "fresh2")


def test_a_warm_process_keeps_the_claim_indexes_while_the_claims_stay(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Indexes made from the claims alone (`link.index_claims`) are kept by a warm process
    while an edit leaves the claims as they were, and each claim's count of outlets is
    counted again when an article's outlet changes; the output equals a fresh build's."""
    root = _rewrites_story(tmp_path, monkeypatch)
    warm = WarmState()
    first = built(root, warm=warm).site
    articles = sorted((root / "content" / "articles").glob("*.md"))
    articles[0].write_text(articles[0].read_text(encoding="utf-8") + "\nThe talks went on late into the night.\n",
                           encoding="utf-8")  # no claim: the claims stay as they were
    second = built(root, warm=warm).site
    assert first is not None and second is not None
    assert second.claims_of_article is first.claims_of_article and second.outlets_of_claim is first.outlets_of_claim
    # A claim two outlets report, one of which now takes the other's name.
    claim = next(c for c in second.claims.values() if second.outlets_of_claim[c.id] == 2)
    one, other = sorted({e.article for e in claim.evidence}, key=lambda a: second.article_by_id[a].outlet or "")[:2]
    path = root / "content" / "articles" / f"{other}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"outlet: {second.article_by_id[other].outlet}",
                                 f"outlet: {second.article_by_id[one].outlet}"), encoding="utf-8")
    third = built(root, warm=warm).site
    assert third is not None and third.claims_of_article is second.claims_of_article
    assert third.outlets_of_claim[claim.id] == 1
    build(BuildOptions(root=root, output=root.parent / "fresh", jobs=1, use_cache=False))
    assert inodes_free_tree(root / "public") == inodes_free_tree(root.parent / "fresh")


def test_a_build_after_an_edit_that_left_actors_and_claims_reads_what_they_give_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From the command line (no warm process), the actors' and claims' digests and lines
    of briefing.json, who appears with whom, the tags' name filter and the claims' inputs
    from the actors (with each article's key) are kept in the cache with what the actors
    and claims were made from (`ArticleRunner.derived`): a build after an edit that left
    both as they were reads them back and makes none (nor any key but the edited
    article's); one after an edit that names someone new makes the actors' again.
    Each time the output equals a fresh build's byte for byte."""
    root = _rewrites_story(tmp_path, monkeypatch)
    made = _noting_kept_products(monkeypatch)
    built(root)
    assert set(made) == KEPT_PRODUCTS
    articles = sorted((root / "content" / "articles").glob("*.md"))
    made.clear()
    real_key = claims_module.plain_key
    monkeypatch.setattr(claims_module, "plain_key", lambda prefix, value: made.append(prefix.decode()) or real_key(
        prefix, value))  # an article's claims key is made with "claims input"
    articles[0].write_text(articles[0].read_text(encoding="utf-8") + "\nThe talks went on late into the night.\n",
                           encoding="utf-8")  # no name, no claim
    assert built(root).computed > 0 and made.count("claims input") == 1  # the edited article's alone
    assert not KEPT_PRODUCTS & set(made)
    build(BuildOptions(root=root, output=tmp_path / "fresh", jobs=1, use_cache=False))
    assert inodes_free_tree(root / "public") == inodes_free_tree(tmp_path / "fresh")
    articles[1].write_text(articles[1].read_text(encoding="utf-8")
                           + "\nHarbour master Ingrid Solberg met the mayor on Friday.\n", encoding="utf-8")
    site = built(root).site
    assert site is not None and "ingrid-solberg" in site.actors
    assert {"_actor_digests", "_actor_inputs_of", "_actor_line", "_actor_names", "_co_mentions"} <= set(made)
    build(BuildOptions(root=root, output=tmp_path / "fresh2", jobs=1, use_cache=False))
    assert inodes_free_tree(root / "public") == inodes_free_tree(tmp_path / "fresh2")


def test_a_warm_process_leaves_the_kept_products_for_the_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm process that holds what it made from the actors and claims still counts those
    kept in the cache as used (`ArticleRunner.keep_derived`), so they stay there: a build
    from the command line after its edits reads every one back."""
    root = _rewrites_story(tmp_path, monkeypatch)
    warm = WarmState()
    article = sorted((root / "content" / "articles").glob("*.md"))[0]
    for line in ("The talks went on late into the night.", "Both sides met again at dawn."):  # no name, no claim
        built(root, warm=warm)
        article.write_text(article.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    built(root, warm=warm)
    made = _noting_kept_products(monkeypatch)
    article.write_text(article.read_text(encoding="utf-8") + "\nThe port stayed shut.\n", encoding="utf-8")
    assert built(root).computed > 0 and made == []


def test_a_warm_process_that_read_the_actors_digests_back_hashes_only_the_actors_an_edit_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm process whose first build finds the actors and claims, and their digests, in
    the cache (`sitegen serve`'s warm-up) hashes each actor and claim all the same
    (`carried.analysis_digests`), so that its first edit naming someone new hashes only the
    actors that edit made again, not all of them. The output equals a fresh build's."""
    root = _rewrites_story(tmp_path, monkeypatch)
    built(root)
    warm = WarmState()
    built(root, warm=warm, skip_if_unchanged=False)
    hashed: list[str] = []
    real = carried_module._digest
    monkeypatch.setattr(carried_module, "_digest", lambda value: (
        hashed.append(value.id) if isinstance(value, Actor) else None, real(value))[1])
    article = sorted((root / "content" / "articles").glob("*.md"))[1]
    article.write_text(article.read_text(encoding="utf-8")
                       + "\nHarbour master Ingrid Solberg met the mayor on Friday.\n", encoding="utf-8")
    site = built(root, warm=warm).site
    assert site is not None and "ingrid-solberg" in site.actors
    assert "ingrid-solberg" in hashed and len(hashed) < len(site.actors) / 2
    build(BuildOptions(root=root, output=tmp_path / "fresh", jobs=1, use_cache=False))
    assert inodes_free_tree(root / "public") == inodes_free_tree(tmp_path / "fresh")


def test_a_warm_process_that_read_the_actors_back_makes_spans_and_rows_for_the_edited_articles_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warm process whose first build finds the actors, and what the tags and claims take
    from them, in the cache (`sitegen serve`'s warm-up) makes those all the same, from the
    groups of mentions (`ByIdentity`'s `keeping`): its first edit naming someone new then
    makes each article's name spans (tags) and mention rows (claims) for the articles that
    edit changed, not for all. The output equals a fresh build's."""
    root = _rewrites_story(tmp_path, monkeypatch)
    built(root)
    _as_in_a_new_process(monkeypatch)
    warm = WarmState()
    built(root, warm=warm, skip_if_unchanged=False)
    made: list[str] = []
    monkeypatch.setattr(tags_module, "_spans_of", _noting("spans", tags_module._spans_of, made))
    monkeypatch.setattr(claims_module, "reading_order", _noting("rows", claims_module.reading_order, made))
    article = sorted((root / "content" / "articles").glob("*.md"))[1]
    article.write_text(article.read_text(encoding="utf-8")
                       + "\nHarbour master Ingrid Solberg met the mayor on Friday.\n", encoding="utf-8")
    site = built(root, warm=warm).site
    assert site is not None and "ingrid-solberg" in site.actors
    assert made.count("spans") == made.count("rows") == 1  # the edited article's
    build(BuildOptions(root=root, output=tmp_path / "fresh", jobs=1, use_cache=False))
    assert inodes_free_tree(root / "public") == inodes_free_tree(tmp_path / "fresh")


def test_a_warm_process_that_makes_the_tags_names_itself_reads_their_article_keys_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tags' names and spans, made in a warm process's first build although the cache
    holds them (`ByIdentity.through(made_here=True)`), count as the ones stored: what is kept
    with them, each article's key by the whole filter (`tags._article_keys`), is read back,
    not made again."""
    root = _rewrites_story(tmp_path, monkeypatch)
    built(root)
    _as_in_a_new_process(monkeypatch)
    made: list[int] = []
    real = tags_module._FactInputs._by_all_names_key
    monkeypatch.setattr(tags_module._FactInputs, "_by_all_names_key",
                        lambda self, *args: (made.append(1), real(self, *args))[1])
    built(root, warm=WarmState(), skip_if_unchanged=False)  # `sitegen serve`'s warm-up
    assert made == []


def _as_in_a_new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the tags and claims keep of the actors between builds, as a new process has it
    (a build earlier in this one would have made it)."""
    for product in (tags_module.actor_names, tags_module._article_keys, claims_module._actor_inputs):
        monkeypatch.setattr(product, "_last", None)
    for module, kept in ((tags_module, "_SPANS"), (claims_module, "_ROWS")):
        monkeypatch.setattr(module, kept, PerRecord())


KEPT_PRODUCTS = {"_actor_digests", "_actor_inputs_of", "_actor_line", "_claim_digests", "_claim_line", "_actor_names",
                 "_co_mentions"}
"""What a build keeps in the cache with the actors and claims (`_noting_kept_products`)."""


def _noting_kept_products(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each of `KEPT_PRODUCTS` as it is made from here on (each actor's and
    claim's line of briefing.json by the function that encodes one)."""
    made: list[str] = []
    for product in (carried_module._actor_digests, carried_module._claim_digests, tags_module.actor_names,
                    claims_module._actor_inputs, link_module.co_mentions):
        monkeypatch.setattr(product, "_make", _noting(product.__name__, product._make, made))
        if product._update is not None:  # made from the last: made all the same
            update = product._update
            monkeypatch.setattr(product, "_update", lambda value, *last, name=product.__name__, update=update: (
                made.append(name), update(value, *last))[1])
    for line in ("_actor_line", "_claim_line"):
        monkeypatch.setattr(export_module, line, _noting(line, getattr(export_module, line), made))
    return made


def _noting(name: str, make: Callable[[object], object], made: list[str]) -> Callable[[object], object]:
    def noted(value: object) -> object:
        made.append(name)
        return make(value)
    return noted


def test_by_identity_runs_again_for_another_object_even_if_equal() -> None:
    calls: list[tuple[int, ...]] = []

    @by_identity
    def total(values: tuple[int, ...]) -> int:
        calls.append(values)
        return sum(values)

    first = (1, 2, 3)
    assert total(first) == 6 and total(first) == 6 and len(calls) == 1
    equal = tuple([1, 2, 3])
    assert equal == first and equal is not first
    assert total(equal) == 6 and len(calls) == 2
    assert total(first) == 6 and len(calls) == 3  # only the last argument is remembered


def test_each_by_value_makes_each_value_of_the_last_call_once() -> None:
    made: list[tuple[str, int]] = []

    @each_by_value
    def digest(row: tuple[str, int]) -> str:
        made.append(row)
        return f"{row[0]}:{row[1]}"

    assert digest([("a", 1), ("b", 2), ("a", 1)]) == ["a:1", "b:2", "a:1"]
    assert made == [("a", 1), ("b", 2)]
    assert digest([("b", 2), ("c", 3)]) == ["b:2", "c:3"]
    assert made[2:] == [("c", 3)]  # an equal row, even a new tuple, is not made again
    assert digest([("a", 1)]) == ["a:1"]
    assert made[3:] == [("a", 1)]  # only the last call's rows are remembered


def test_per_record_values_are_kept_for_the_very_same_records() -> None:
    made: list[list[int]] = []

    def total(values: list[int]) -> int:
        made.append(values)
        return sum(values)

    kept = PerRecord()
    first, second = [1, 2], [3]
    listed = kept.values("totals", [first, second], total)
    assert listed == [3, 3] and len(made) == 2
    assert kept.values("totals", [first, second], total) is listed  # the very records: the very list
    equal = [3]
    assert kept.values("totals", [first, equal], total) == [3, 3] and len(made) == 3  # an equal one: made again
    assert kept.values("others", [first], total) == [3] and len(made) == 4  # each name keeps its own
    first.append(4)  # (records are immutable; this shows the value is not looked up by content)
    assert kept.values("totals", [equal, first], total) == [3, 3] and len(made) == 4  # each kept by identity
    assert kept.values("totals", [first], total) == [3] and len(made) == 4
    assert kept.values("totals", [equal], total) == [3] and len(made) == 5  # only the last call's are kept


def test_a_warm_rebuild_keeps_the_briefing_lines_of_records_an_edit_left_alone(root: Path) -> None:
    """briefing.json's line of each actor and claim an edit left as they were (the very
    records, from the warm state) is the very one the last build made: none is made again
    (a list emptied by a call for the other kind had them all remade after each rebuild)."""
    warm = WarmState()

    def records(site: Site | None) -> tuple[list[Actor], list[Claim]]:
        assert site is not None
        return list(site.actors.values()), sorted(site.claims.values(), key=lambda c: c.id)

    def lines(site: Site | None) -> tuple[list[bytes], list[bytes]]:
        actors, claims = records(site)
        kept = warm.export_lines
        return (kept.values("actors", actors, lambda _: pytest.fail("an actor's line was not kept")),
                kept.values("claims", claims, lambda _: pytest.fail("a claim's line was not kept")))

    first = built(root, warm=warm)
    before = lines(first.site)
    article = sorted((root / "content" / "articles").glob("*.md"))[0]  # words that name no one, in its last paragraph
    article.write_text(article.read_text(encoding="utf-8").rstrip("\n") + " and the talks went on late.\n",
                       encoding="utf-8")
    again = built(root, warm=warm)
    after = lines(again.site)
    kept_actors = {id(a) for a in records(first.site)[0]} & {id(a) for a in records(again.site)[0]}
    assert len(kept_actors) > 3  # (this story's claims are all made again: the edit moves their reports)
    for old_records, new_records, old, new in zip(records(first.site), records(again.site), before, after,
                                                  strict=True):
        made = {id(r): line for r, line in zip(old_records, old, strict=True)}
        assert all(line is made[id(r)] for r, line in zip(new_records, new, strict=True) if id(r) in made)


def test_a_warm_process_reports_a_broken_article_and_recovers(root: Path) -> None:
    warm = WarmState()
    built(root, warm=warm)
    kept = dict(warm.articles)
    article = sorted((root / "content" / "articles").glob("*.md"))[1]
    good = article.read_text(encoding="utf-8")
    article.write_text(re.sub(r"(?m)^date: .*$", "date: 2024-13-45", good, count=1), encoding="utf-8")
    with pytest.raises(SitegenError, match="not YYYY-MM-DD"):
        built(root, warm=warm)
    assert warm.articles == kept  # a failed build changes nothing kept
    article.write_text(good, encoding="utf-8")
    assert built(root, warm=warm).computed == 0


def test_an_input_change_no_page_shows_renders_nothing(root: Path) -> None:
    """The second build's analysis comes from the cache: equal values built from other
    objects must give equal view digests (a default pickle records shared objects)."""
    built(root)
    briefing = root / "content" / "briefing.yaml"
    briefing.write_text(briefing.read_text(encoding="utf-8") + "# checked by the desk\n", encoding="utf-8")
    again = built(root)
    assert not again.up_to_date
    assert again.rendered == 0


def test_view_digest_depends_on_values_not_on_shared_objects() -> None:
    shared = "".join(["Port ", "strike"])
    equal = "".join(["Port ", "str", "ike"])
    assert shared is not equal
    assert view_digest("page.html", {"a": shared, "b": shared}) == view_digest("page.html", {"a": shared, "b": equal})
    assert view_digest("page.html", {"a": shared}) != view_digest("other.html", {"a": shared})


def test_a_theme_change_renders_every_page(root: Path) -> None:
    built(root)
    template = root / "themes" / "default" / "templates" / "base.html"
    template.parent.mkdir(parents=True)
    builtin = Path(__file__).parents[1] / "sitegen" / "theme" / "templates" / "base.html"
    template.write_text(builtin.read_text(encoding="utf-8").replace("</footer>", "Desk copy</footer>"),
                        encoding="utf-8")
    again = built(root)
    assert again.rendered == sum(again.pages.values())
    assert "Desk copy" in (root / "public" / "index.html").read_text(encoding="utf-8")


def test_a_warm_process_keeps_its_templates_until_the_theme_changes(root: Path) -> None:
    """`sitegen serve` keeps the compiled templates across edits of the content, and makes
    them anew once the theme changes, even when the change is a template added to a theme
    folder it already read (compiled from the built-in theme, the old one would stay)."""
    (root / "themes" / "default" / "static").mkdir(parents=True)
    (root / "themes" / "default" / "static" / "extra.css").write_text("p { margin: 0 }\n", encoding="utf-8")
    warm = WarmState()
    built(root, warm=warm)
    assert warm.theme is not None
    templates = warm.theme[1]
    _edit_article(root)
    built(root, warm=warm)
    assert warm.theme[1] is templates
    own = root / "themes" / "default" / "templates" / "base.html"
    own.parent.mkdir()
    builtin = Path(__file__).parents[1] / "sitegen" / "theme" / "templates" / "base.html"
    for mark in ("Desk copy", "Night desk copy"):
        own.write_text(builtin.read_text(encoding="utf-8").replace("</footer>", f"{mark}</footer>"),
                       encoding="utf-8")
        built(root, warm=warm)
        assert f"{mark}</footer>" in (root / "public" / "index.html").read_text(encoding="utf-8")
    assert warm.theme[1] is not templates


def test_parsed_articles_come_from_the_cache_and_a_broken_one_is_reported_again(root: Path) -> None:
    """Article files are parsed once and read back by a hash of their path and text; a file
    with a problem keeps its problem, so every build reports it until it is fixed."""
    first = built(root)
    articles = len(list((root / "content" / "articles").glob("*.md")))
    with sqlite3.connect(root / CACHE_DIR / FILE_NAME) as db:
        (stored,) = db.execute("SELECT COUNT(*) FROM entries WHERE ns LIKE 'sitegen.load.parse_articles|%'").fetchone()
        (entries,) = db.execute("SELECT COUNT(*) FROM entries").fetchone()
    assert stored == articles and first.computed > 0
    again = built(root, skip_if_unchanged=False)
    assert again.computed == 0 and again.reused > 0
    with sqlite3.connect(root / CACHE_DIR / FILE_NAME) as db:  # each entry was used again: none was pruned
        assert db.execute("SELECT COUNT(*) FROM entries").fetchone() == (entries,)
    article = sorted((root / "content" / "articles").glob("*.md"))[1]
    article.write_text(re.sub(r"(?m)^date: .*$", "date: 2024-13-45", article.read_text(encoding="utf-8"),
                              count=1), encoding="utf-8")
    reported = rf"{re.escape(article.name)}:\d+: date \"2024-13-45\" is not YYYY-MM-DD"
    for _ in range(2):  # the second time from the cache
        with pytest.raises(SitegenError, match=reported):
            built(root)


def test_a_build_leaves_the_collector_setting_as_it_found_it(root: Path) -> None:
    """A build collects garbage rarely (`build.rare_collections`), and `sitegen serve` goes
    on running after it, failed or not, with its own setting."""
    import gc

    before = gc.get_threshold()
    with rare_collections():
        assert gc.get_threshold() == (YOUNG_OBJECTS_PER_COLLECTION, *before[1:])
    assert gc.get_threshold() == before
    built(root)
    assert gc.get_threshold() == before
    article = sorted((root / "content" / "articles").glob("*.md"))[0]
    article.write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    with pytest.raises(SitegenError):
        built(root)
    assert gc.get_threshold() == before


def test_a_warm_build_leaves_what_the_process_held_out_of_its_collections(
        root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a warm process (`sitegen serve`) what it held before a build (the last build's
    articles and results) is frozen while the build runs, so the build's collections do not
    walk it, and handed back to the collector after; a command-line build (one job: nothing
    forked) freezes nothing."""
    import gc

    warm = WarmState()
    built(root, warm=warm)
    monkeypatch.setattr(build_module, "YOUNG_OBJECTS_PER_COLLECTION", 100)  # collect often, to look
    frozen: list[int] = []

    def look(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            frozen.append(gc.get_freeze_count())

    gc.callbacks.append(look)
    try:
        _edit_article(root)
        built(root, warm=warm)
        in_warm_build = list(frozen)
        frozen.clear()
        _edit_article(root)
        built(root)
    finally:
        gc.callbacks.remove(look)
    assert in_warm_build and min(in_warm_build) > 0
    assert frozen and max(frozen) == 0
    assert gc.get_freeze_count() == 0


def test_page_inputs_are_hashed_only_for_a_build_that_keeps_them(root: Path) -> None:
    """A `--no-cache` build keeps no record for a next build, so it hashes no page's inputs."""
    site = build(BuildOptions(root=root, output=root / "public", jobs=1, use_cache=False)).site
    assert site is not None

    def every_page(with_inputs: bool) -> list[render.Page]:
        rendered = render.rendered_site(site, theme_dirs(root), with_inputs=with_inputs)
        return [*rendered.kept, *rendered.others]

    kept = {p.kind for p in every_page(with_inputs=True) if p.inputs_digest}
    assert kept == {"article", "actor", "tag", "index", "claims", "sources", "actors"}
    assert not any(p.inputs_digest for p in every_page(with_inputs=False))

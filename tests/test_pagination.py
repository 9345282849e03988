"""Long claims and source lists split into pages (issue 9): every claim and article on one
page of its status or day, links from elsewhere landing on it, the split stable as the
briefing grows, and a rebuild after an edit the same as a cold build.

The corpus is the seeds and every test story built as one briefing (38 articles, over 300
claims, 28 days), with `page_size: 10` so both lists split."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from test_build import parse, resolve, tree_digest

from sitegen.build import BuildOptions, build
from sitegen.check import check_output
from sitegen.cli import main
from sitegen.model import Article, Claim, ClaimStatus, Evidence
from sitegen.page_inputs import Inputs
from sitegen.pagination import CLAIM_STATUSES, articles_by_page, claims_by_page, content_pages, layout

REPO = Path(__file__).parent.parent
STORIES = Path(__file__).parent / "stories"


def _corpus(root: Path, page_size: int = 10) -> Path:
    shutil.copytree(REPO / "content", root / "content")
    for article in sorted(STORIES.glob("*/*.md")):
        shutil.copy(article, root / "content" / "articles" / article.name)
    briefing = root / "content" / "briefing.yaml"
    briefing.write_text(briefing.read_text(encoding="utf-8") + f"page_size: {page_size}\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def split_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _corpus(tmp_path_factory.mktemp("split"))
    assert main(["build", "--root", str(root), "--no-cache", "-q"]) == 0
    return root / "public"


def _listed_ids(page: Path, selector: str) -> list[str]:
    return [node.attributes["id"] or "" for node in parse(page).css(selector)]


def test_every_claim_is_on_one_page_of_its_status_and_links_to_it_land_there(split_site: Path) -> None:
    claims = json.loads((split_site / "briefing.json").read_text(encoding="utf-8"))["claims"]
    assert len(claims) > 200
    on_page: dict[str, Path] = {}
    for page in sorted((split_site / "claims").glob("*.html")):
        if page.stem.startswith("c-"):
            continue  # a widely reported claim's own page
        for claim_id in _listed_ids(page, "div.claim[id]"):
            assert claim_id not in on_page, f"{claim_id} on {on_page.get(claim_id)} and {page}"
            on_page[claim_id] = page
    assert set(on_page) == {c["id"] for c in claims}
    for claim in claims:
        page = on_page[claim["id"]].stem
        assert page == claim["status"] or page.startswith(claim["status"] + "-"), (claim["id"], page)
    # Every status but the smallest is split; no page holds more than a few pages' worth.
    pages = {s: sorted(p.stem for p in (split_site / "claims").glob(f"{s}*.html")) for s in CLAIM_STATUSES}
    assert len(pages["single-source"]) >= 8 and len(pages["single-source"]) & (len(pages["single-source"]) - 1) == 0
    # An article page's claim list links each claim to the page that shows it in full.
    followed = 0
    for article in sorted((split_site / "articles").glob("*.html")):
        for node in parse(article).css("ol.claim-list a[href*='#c-']"):
            target, fragment = resolve(article, node.attributes["href"] or "")
            assert target == on_page[fragment].resolve(), (article.name, fragment)
            followed += 1
    assert followed > 200


def test_the_claims_page_keeps_a_summary_and_links_every_page(split_site: Path) -> None:
    summary = parse(split_site / "claims.html")
    assert summary.css("div.claim[id]") == [], "claims are shown in full on their status's pages only"
    for status in CLAIM_STATUSES:
        section = summary.css_first(f"section#{status}")
        assert len(section.css("ol.claim-list li")) <= 10
        linked = {resolve(split_site / "claims.html", a.attributes["href"] or "")[0]
                  for a in section.css("nav.pager a")}
        assert linked == {p.resolve() for p in (split_site / "claims").glob(f"{status}*.html")}
    assert summary.css_first("section#numbers table") is not None


def test_figure_tables_of_a_split_briefing_show_the_most_widely_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The test stories' measures hold a few figures each; with two shown, the larger are cut.
    from sitegen import render

    monkeypatch.setattr(render, "MEASURE_ROWS", 2)
    root = _corpus(tmp_path)
    assert main(["build", "--root", str(root), "--no-cache", "-q"]) == 0
    claims = json.loads((root / "public" / "briefing.json").read_text(encoding="utf-8"))["claims"]
    by_measure: dict[str, list[dict]] = {}
    for claim in claims:
        if claim["measure"] and claim["number"] is not None:
            by_measure.setdefault(claim["measure"], []).append(claim)
    cut = 0
    for table in parse(root / "public" / "claims.html").css("section#numbers section.measure"):
        measure = (table.attributes["aria-label"] or "").removeprefix("Figures for ")
        every = by_measure[measure]
        shown = [resolve(root / "public" / "claims.html", a.attributes["href"] or "")[1]
                 for a in table.css("tbody tr td:first-child a")]
        assert len(shown) == min(2, len(every))
        if len(every) > 2:
            cut += 1
            assert f"The 2 most widely reported of {len(every)} figures" in table.text()
            ranks = sorted((-c["independent_sources"], -len(c["evidence"]), c["id"]) for c in every)
            assert sorted(shown) == sorted(r[2] for r in ranks[:2])
    assert cut >= 3


def test_every_article_is_on_the_page_of_its_day_with_what_it_rewrites(split_site: Path) -> None:
    data = json.loads((split_site / "briefing.json").read_text(encoding="utf-8"))
    on_page: dict[str, str] = {}
    for page in sorted((split_site / "sources").glob("*.html")):
        for section_id in _listed_ids(page, "section.source[id]"):
            on_page[section_id.removeprefix("src-")] = page.stem
    assert set(on_page) == {a["id"] for a in data["articles"]}
    for article in data["articles"]:
        assert on_page[article["id"]] == (article["date"] or "undated")
    rewrites = [a for a in data["articles"] if a["origin"]]
    assert rewrites, "the test stories hold rewrites"
    for article in rewrites:
        page = parse(split_site / "sources" / f"{on_page[article['id']]}.html")
        evidence = page.css_first(f'section[id="src-{article["id"]}"] details.copy-evidence')
        assert evidence is not None and evidence.css("table.side-by-side tbody tr")
    index = parse(split_site / "sources.html")
    days = {resolve(split_site / "sources.html", a.attributes["href"] or "")[0] for a in index.css("ul.sources a")}
    assert days == {p.resolve() for p in (split_site / "sources").glob("*.html")}
    assert index.css("section.source") == [] and index.css("details.copy-evidence") == []
    # The overview lists the latest articles, and its timeline links each day to its page.
    overview = parse(split_site / "index.html")
    latest = [a for a in data["articles"] if a["date"]][-20:]
    assert [li.css("a")[0].text() for li in overview.css("section[aria-labelledby=h-sources] ol.sources li")] == \
        [a["title"] for a in latest]
    timeline = {resolve(split_site / "index.html", a.attributes["href"] or "")[0]
                for a in overview.css("section[aria-labelledby=h-timeline] tbody a")}
    assert timeline == {p.resolve() for p in (split_site / "sources").glob("*.html") if p.stem != "undated"}


@pytest.mark.parametrize("site", ["split_site", "fine_site"])
def test_the_source_summary_lists_a_page_of_the_origins_rewritten_most(site: str,
                                                                        request: pytest.FixtureRequest) -> None:
    public: Path = request.getfixturevalue(site)
    data = json.loads((public / "briefing.json").read_text(encoding="utf-8"))
    page_size = 10 if site == "split_site" else 2
    rewrites: dict[str, int] = {}
    for article in data["articles"]:
        if article["origin"]:
            rewrites[article["origin"]] = rewrites.get(article["origin"], 0) + 1
    summary = public / "sources.html"
    rows = parse(summary).css("h2 + p + div.table-wrap tbody tr")
    listed = {resolve(summary, row.css_first("a").attributes["href"] or "")[0].stem: int(row.css("td")[3].text())
              for row in rows}
    assert len(rewrites) > 2, "the test stories hold rewrites of several origins"
    assert len(listed) == min(page_size, len(rewrites)) and all(rewrites[o] == n for o, n in listed.items())
    assert min(listed.values()) >= max((n for o, n in rewrites.items() if o not in listed), default=0)
    assert parse(summary).css_first("h2 + p").text().startswith(f"{len(rewrites)} origins are rewritten")


def test_the_split_site_has_no_broken_link_or_anchor(split_site: Path) -> None:
    result = check_output(split_site)
    assert result.problems == () and result.pages > 400


@pytest.mark.parametrize("page_size", [10, 2])
def test_a_rebuild_after_an_edit_and_an_addition_equals_a_cold_build(tmp_path: Path, page_size: int) -> None:
    root = _corpus(tmp_path / "site", page_size)
    assert main(["build", "--root", str(root), "-q"]) == 0
    articles = root / "content" / "articles"

    def anchors() -> dict[str, tuple[str, str]]:
        """Each claim an article page lists: (its status, the page its link goes to)."""
        out: dict[str, tuple[str, str]] = {}
        for page in sorted((root / "public" / "articles").glob("*.html")):
            for item in parse(page).css("ol.claim-list li"):
                link = item.css_first("a[href*='#c-']")
                target, fragment = resolve(page, link.attributes["href"] or "")
                out[fragment] = ((item.css_first(".status").text()), target.name)
        return out

    before = anchors()
    edited = articles / "flood-day2.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("\n\n", "\n\nRescuers said 40 people are missing.\n\n",
                                                                   1), encoding="utf-8")
    added = (articles / "quake.md").read_text(encoding="utf-8")
    added = re.sub(r"^date: .*$", "date: 2027-01-05", added, count=1, flags=re.M)
    (articles / "zz-quake-follow-up.md").write_text(added.replace("title: ", "title: Follow-up, ", 1), encoding="utf-8")
    assert main(["build", "--root", str(root), "-q"]) == 0
    cold = tmp_path / "cold"
    assert main(["build", "--root", str(root), "--output", str(cold), "--no-cache", "-q"]) == 0
    assert tree_digest(root / "public") == tree_digest(cold)
    after = anchors()
    # An article moved to the first day reorders its day pages, and its actors' and tags' pages.
    moved = articles / "summit.md"
    moved.write_text(re.sub(r"^date: .*$", "date: 2020-01-01", moved.read_text(encoding="utf-8"), count=1,
                            flags=re.M), encoding="utf-8")
    assert main(["build", "--root", str(root), "-q"]) == 0
    assert main(["build", "--root", str(root), "--output", str(cold), "--no-cache", "-q"]) == 0
    assert tree_digest(root / "public") == tree_digest(cold)
    kept = [c for c in before if c in after and after[c][0] == before[c][0]]
    assert len(kept) > 200
    assert {c: after[c] for c in kept} == {c: before[c] for c in kept}, "a claim's page moved"


@pytest.fixture(scope="module")
def fine_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same briefing with two items to a page: every long list is split."""
    root = _corpus(tmp_path_factory.mktemp("fine"), page_size=2)
    assert main(["build", "--root", str(root), "--no-cache", "-q"]) == 0
    return root / "public"


def _numbered(folder: Path, prefix: str) -> list[Path]:
    return sorted(folder.glob(f"{prefix}*.html"), key=lambda p: int(p.stem.removeprefix(prefix)))


def _linked_pages(pages: list[Path], label: str = "Pages", nearby: bool = False) -> list[HTMLParser]:
    """The pages of one list, parsed, after checking each links to all and marks itself
    (in its pagers whose label starts with `label`: an actor's page has two lists). With
    `nearby` (an actor's mentions, a tag's articles), only the first links to all; each
    further page links to the first and to those beside it, with a gap marked before them
    when they do not follow the first, and its title names its number alone: it shows
    nothing of how many pages follow but whether one does."""
    parsed = []
    for number, page in enumerate(pages, start=1):
        html = parse(page)
        pager = f'nav.pager[aria-label^="{label}"]'
        linked = {resolve(page, a.attributes["href"] or "")[0] for a in html.css(f"{pager} a")}
        if nearby and number > 1:
            assert linked == {p.resolve() for p in {pages[0], *pages[number - 2:number + 1]}}
            gaps = html.css(f"{pager} li.gap")
            assert len(gaps) == (2 if number > 3 else 0)  # in both pagers of the page, or in neither
            assert html.css_first("title").text().split(" · ")[0].endswith(f", page {number}")
        else:
            assert linked == {p.resolve() for p in pages}
        assert html.css_first(f"{pager} a[aria-current=page]").text() == str(number)
        parsed.append(html)
    return parsed


def test_an_actor_with_many_mentions_lists_them_a_page_at_a_time(fine_site: Path) -> None:
    data = json.loads((fine_site / "briefing.json").read_text(encoding="utf-8"))
    order = [a["id"] for a in data["articles"]]
    split = 0
    for actor in data["actors"]:
        own = fine_site / "actors" / f"{actor['id']}.html"
        pages = [own, *_numbered(fine_site / "actors" / actor["id"], "mentions-")]
        named_in = len({m["article"] for m in actor["mentions"]})
        assert (len(pages) > 1) == (len(actor["mentions"]) > 2 and named_in > 1), actor["id"]
        if len(pages) == 1:
            continue
        split += 1
        listed: list[str] = []
        for page, html in zip(pages, _linked_pages(pages, "Pages of mentions", nearby=True), strict=True):
            shown = [resolve(page, a.attributes["href"] or "")[0].stem for a in html.css("ul.mentions li a")]
            assert len(shown) <= 2 or len(set(shown)) == 1, "a page holds a page of mentions, or one article's"
            listed += shown
        # Every mention once, across the pages, in the briefing's reading order.
        assert listed == sorted((m["article"] for m in actor["mentions"]), key=order.index)
        assert f"{len(actor['mentions'])} in {named_in} article" in parse(own).css_first("dl.facts").text()
    assert split >= 10
    assert check_output(fine_site).problems == ()


def test_an_actor_with_many_claims_lists_them_a_page_at_a_time(fine_site: Path, split_site: Path) -> None:
    data = json.loads((fine_site / "briefing.json").read_text(encoding="utf-8"))

    def claims_on(page: Path, html: HTMLParser) -> list[str]:
        return [resolve(page, a.attributes["href"] or "")[1] for a in html.css("div.claim a[href*='#c-']")]

    split = 0
    for actor in data["actors"]:
        made = sorted(c["id"] for c in data["claims"] if c["speaker"] == actor["id"])
        own = fine_site / "actors" / f"{actor['id']}.html"
        pages = [own, *_numbered(fine_site / "actors" / actor["id"], "claims-")]
        # At most two to a page, at least one (where its content ends a page: `content_pages`).
        assert (len(pages) > 1) == (len(made) > 2) and len(pages) <= max(1, len(made)), actor["id"]
        if len(pages) == 1 or len(made) > 10:
            continue
        split += 1
        listed: list[str] = []
        for page, html in zip(pages, _linked_pages(pages, "Pages of claims"), strict=True):
            listed += claims_on(page, html)
            assert 1 <= len(claims_on(page, html)) <= 2
        # Every claim once, in the order of the actor's one page at page_size 10.
        one_page = split_site / "actors" / f"{actor['id']}.html"
        assert listed == claims_on(one_page, parse(one_page)) and sorted(listed) == made
    assert split >= 5


SPOKESMAN_SAID = ["the divers would resume at dawn", "a second vessel had been chartered",
                  "the weather had improved overnight", "two lifeboats were still unaccounted for",
                  "the ferry company had handed over its manifest", "helicopters from the air base had joined",
                  "the strait would stay closed to shipping", "survivors were being treated at the district hospital",
                  "sonar had located part of the hull", "the fishing fleet had offered its boats",
                  "the inquiry would begin next week", "fuel had leaked near the harbour mouth",
                  "the captain had been questioned"]


def _spokesman_report(articles: Path, n: int, said: str) -> None:
    (articles / f"ferry-{n:02d}.md").write_text(
        f"---\ntitle: Ferry search, report {n}\noutlet: Outlet {n}\ndate: 2025-04-{n:02d}\n---\n\n"
        f"Rescue boats from Pier {n} joined the search on day {n} of the operation.\n\n"
        f"Coastguard spokesman Lars Berg said {said}.\n", encoding="utf-8")


def test_an_actors_pages_of_claims_after_an_edit_and_an_addition_equal_a_cold_build(tmp_path: Path) -> None:
    root = tmp_path / "site"
    articles = root / "content" / "articles"
    articles.mkdir(parents=True)
    (root / "content" / "briefing.yaml").write_text("title: Ferry search\npage_size: 5\n", encoding="utf-8")
    for n, said in enumerate(SPOKESMAN_SAID[:-1], start=1):
        _spokesman_report(articles, n, said)
    assert main(["build", "--root", str(root), "-q"]) == 0
    pages = root / "public" / "actors" / "lars-berg"
    assert len(list(pages.glob("claims-*.html"))) >= 2  # 12 claims, at most 5 to a page
    cold = tmp_path / "cold"
    for change in (lambda: _spokesman_report(articles, 11, "the inquiry would report within a month"),  # a later page
                   lambda: _spokesman_report(articles, 13, SPOKESMAN_SAID[-1])):  # one claim more
        change()
        assert main(["build", "--root", str(root), "-q"]) == 0
        assert main(["build", "--root", str(root), "--output", str(cold), "--no-cache", "-q"]) == 0
        assert tree_digest(root / "public") == tree_digest(cold)
        assert any("report within a month" in p.read_text(encoding="utf-8") for p in pages.glob("claims-*.html"))


def test_an_actor_page_lists_a_page_of_the_actors_it_appears_with_most(fine_site: Path, split_site: Path) -> None:
    def appears_with(page: Path) -> tuple[list[tuple[str, str]], str]:
        table = parse(page).css_first("h2 + div.table-wrap table")
        if table is None:
            return [], ""
        rows = [(row.css("td")[0].text(), row.css("td")[1].text()) for row in table.css("tbody tr")]
        return rows, table.css_first("caption").text()

    cut = 0
    for page in sorted((split_site / "actors").glob("*.html")):
        if page.name == "index.html":
            continue
        every, caption = appears_with(page)
        if len(every) <= 2 or not caption.startswith("Actors named in the same paragraphs"):
            continue  # with page_size 10, the pages listing every actor it appears with (10 or fewer)
        cut += 1
        shown, cut_caption = appears_with(fine_site / "actors" / page.name)
        assert shown == every[:2], page.name  # the two named most often with it, in order
        assert cut_caption.startswith(f"The 2 actors named most often in the same paragraphs, of {len(every)}")
    assert cut >= 10
    capped = [p for p in (split_site / "actors").glob("*.html") if appears_with(p)[1].startswith("The 10 actors")]
    assert capped and all(len(appears_with(p)[0]) == 10 for p in capped)


def test_the_actors_index_lists_a_page_of_each_type_and_links_the_rest(fine_site: Path) -> None:
    actors = json.loads((fine_site / "briefing.json").read_text(encoding="utf-8"))["actors"]
    index = fine_site / "actors" / "index.html"
    split = 0
    for actor_type in ["person", "organisation", "state", "media", "other"]:
        expected = [a["name"] for a in sorted((a for a in actors if a["type"] == actor_type),
                                              key=lambda a: (-len(a["mentions"]), a["name"]))]
        if len(expected) <= 2:
            continue
        split += 1
        section = parse(index).css_first(f'section[aria-labelledby="h-{actor_type}"]')
        pages = [index, *_numbered(fine_site / "actors" / "by-type", f"{actor_type}-")]
        assert len(pages) == (len(expected) + 1) // 2
        listed = [a.text() for a in section.css("tbody td:first-child a")]
        for page in pages[1:]:
            html = parse(page)
            assert resolve(page, html.css_first("nav.pager a").attributes["href"] or "") == (index, f"h-{actor_type}")
            assert html.css_first("nav.pager a[aria-current=page]").text() == str(pages.index(page) + 1)
            listed += [a.text() for a in html.css("tbody td:first-child a")]
        assert listed == expected, actor_type
        assert section.css_first("h2 .note").text() == f"({len(expected)})"
    assert split >= 3


def test_a_tag_found_in_many_articles_lists_them_a_page_at_a_time(fine_site: Path) -> None:
    data = json.loads((fine_site / "briefing.json").read_text(encoding="utf-8"))
    order = [a["id"] for a in data["articles"]]
    split = 0
    for tag in data["tags"]:
        pages = [fine_site / tag["page"], *_numbered(fine_site / "tags" / tag["id"], "page-")]
        assert (len(pages) > 1) == (len(tag["articles"]) > 2) and len(pages) <= len(tag["articles"]), tag["id"]
        if len(pages) == 1:
            continue
        split += 1
        listed: list[str] = []
        for number, (page, html) in enumerate(zip(pages, _linked_pages(pages, nearby=True), strict=True), start=1):
            shown = [resolve(page, a.attributes["href"] or "")[0].stem for a in html.css("section.tag-article h2 a")]
            lede = html.css_first("main p")
            if number == 1:
                assert lede.text().startswith(f"{len(tag['articles'])} articles, {len(shown)} on this page")
            else:  # not the tag's count, which each article added would change on every page
                assert lede.text().startswith(f"{len(shown)} article{'' if len(shown) == 1 else 's'} on this page")
                assert resolve(page, lede.css_first("a").attributes["href"] or "")[0] == pages[0]
            listed += shown
        assert listed == sorted(tag["articles"], key=order.index)
    assert split >= 10


def _ferry_story(root: Path, reports: int, page_size: int) -> Path:
    """A story where every article repeats the coastguard's figure: a claim with `reports`
    reports (the shipped briefing's claims have a handful each)."""
    articles = root / "content" / "articles"
    articles.mkdir(parents=True)
    (root / "content" / "briefing.yaml").write_text(f"title: Ferry search\npage_size: {page_size}\n",
                                                     encoding="utf-8")
    for n in range(1, reports + 1):
        _ferry_report(articles, n)
    return root


def _ferry_report(articles: Path, n: int) -> None:
    outlets = ["Harbour Post", "Island Times", "Coastal Wire", "Bay Herald", "Strait Ledger"]
    harbour = f"Pier {n}"
    (articles / f"ferry-{n:02d}.md").write_text(
        f"---\ntitle: Ferry search, report {n}\noutlet: {outlets[n % len(outlets)]}\ndate: 2025-04-{n:02d}\n---\n\n"
        f"Rescue boats from {harbour} joined the search on day {n} of the operation.\n\n"
        "The coastguard said 40 people were missing after the ferry sank in the strait.\n\n"
        f"Families gathered at the {harbour} office, where volunteers handed out blankets and tea.\n",
        encoding="utf-8")


def _listed_reports(public: Path, claim_id: str) -> list[tuple[str, str]]:
    """(article, paragraph anchor) of every report listed on a claim's pages, in order,
    after checking the pages link each other."""
    pages = [public / "claims" / f"{claim_id}.html", *_numbered(public / "claims" / claim_id, "reports-")]
    listed: list[tuple[str, str]] = []
    for page, html in zip(pages, _linked_pages(pages), strict=True) if len(pages) > 1 else []:
        for link in html.css("ul.evidence li a"):
            target, fragment = resolve(page, link.attributes["href"] or "")
            listed.append((target.stem, fragment))
    return listed


def test_a_claim_reported_by_many_articles_lists_its_reports_a_page_at_a_time(tmp_path: Path) -> None:
    root = _ferry_story(tmp_path, reports=13, page_size=5)
    assert main(["build", "--root", str(root), "--no-cache", "-q"]) == 0
    public = root / "public"
    claims = json.loads((public / "briefing.json").read_text(encoding="utf-8"))["claims"]
    split = [c for c in claims if len(c["evidence"]) > 10]
    assert split, "the coastguard's figure, in every article"
    for claim in split:
        expected = sorted((e["article"], f"p{e['paragraph']}") for e in claim["evidence"])
        assert _listed_reports(public, claim["id"]) == expected  # every report once, in order
        assert len(list((public / "claims" / claim["id"]).glob("reports-*.html"))) == 2  # 5 + 5 + 3
        own = parse(public / "claims" / f"{claim['id']}.html").css_first("p.lede").text()  # says how many
        assert own.startswith(f"{len(expected)} reports, by article and paragraph, 5 on this page")
        last = public / "claims" / claim["id"] / "reports-3.html"
        lede = parse(last).css_first("p.lede")
        # Not the claim's counts, which each report added would change on every page of them.
        assert lede.text().startswith("3 reports on this page, by article and paragraph")
        own_page = public / "claims" / f"{claim['id']}.html"
        assert resolve(last, lede.css_first("a").attributes["href"] or "")[0] == own_page
        assert "independent origin" not in parse(last).css_first("main").text()
    assert check_output(public).problems == ()


def test_a_claims_pages_of_reports_after_an_added_report_equal_a_cold_build(tmp_path: Path) -> None:
    root = _ferry_story(tmp_path / "site", reports=14, page_size=5)
    assert main(["build", "--root", str(root), "-q"]) == 0
    articles = root / "content" / "articles"
    cold = tmp_path / "cold"

    def same_as_cold() -> bool:
        assert main(["build", "--root", str(root), "-q"]) == 0
        assert main(["build", "--root", str(root), "--output", str(cold), "--no-cache", "-q"]) == 0
        return tree_digest(root / "public") == tree_digest(cold)

    def report_pages() -> list[str]:
        return sorted(p.name for p in (root / "public" / "claims").glob("c-*/*.html"))

    # A fifteenth report fills the third page: the second lists the same reports and, saying
    # nothing of how many there are, keeps its bytes.
    second = {p: p.read_bytes() for p in (root / "public" / "claims").glob("c-*/reports-2.html")}
    _ferry_report(articles, 15)
    assert same_as_cold() and report_pages() == sorted(["reports-2.html", "reports-3.html"] * 2)
    assert second and all(page.read_bytes() == old for page, old in second.items())
    _ferry_report(articles, 16)  # a fourth page
    assert same_as_cold() and "reports-4.html" in report_pages()
    (articles / "ferry-16.md").unlink()  # and back: the fourth page goes
    assert same_as_cold() and "reports-4.html" not in report_pages()


def test_pages_follow_from_status_and_id_and_a_long_day_goes_on() -> None:
    def claim(n: int, status: ClaimStatus) -> Claim:
        return Claim(f"c-{n:08x}", "statement", None, None, f"claim {n}", None, None, None, None, None,
                     (Evidence("a000", 1, f"claim {n}"),), 1, status)

    def article(n: int) -> Article:
        return Article(f"a{n:03}", f"content/articles/a{n:03}.md", f"A {n}", None,
                       "2024-10-01" if n < 25 else None, None, None, "", 1, ())

    claims = [claim(n, "single-source") for n in range(100)] + [claim(n, "contested") for n in range(100, 105)]
    pages = claims_by_page(claims, 10)
    assert list(pages) == ["contested", *(f"single-source-{n}" for n in range(1, 17))]
    assert sum(len(ids) for ids in pages.values()) == 105
    grown = claims_by_page([*claims, *(claim(n, "single-source") for n in range(200, 250))], 10)
    assert {c: k for k, ids in pages.items() for c in ids} == \
        {c: k for k, ids in grown.items() for c in ids if c in {c.id for c in claims}}, "150 still fit 16 pages"
    assert {k: len(ids) for k, ids in articles_by_page([article(n) for n in range(30)], 10).items()} == \
        {"2024-10-01": 10, "2024-10-01-2": 10, "2024-10-01-3": 5, "undated": 5}


@pytest.mark.parametrize("value", ["0", "-5", "ten", "true", "250.5"])
def test_a_bad_page_size_is_an_error_on_its_line(site_copy, sitegen, value: str) -> None:
    root = site_copy("repo")
    briefing = root / "content" / "briefing.yaml"
    text = briefing.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    briefing.write_text(text + f"page_size: {value}\n", encoding="utf-8")
    run = sitegen("build", "--root", root, "-q")
    assert run.code == 1
    assert f"content/briefing.yaml:{line}: page_size" in run.err and "Traceback" not in run.err
    assert not (root / "public").exists()


def _list_of(n: int, seed: int) -> tuple[list[str], dict[str, int]]:
    """`n` item ids with weights of 1 to 6 (an article's mentions of one actor), drawn from `seed`."""
    draw = random.Random(seed)
    items = [f"{seed}-{k:05d}" for k in range(n)]
    return items, {item: draw.choice((1, 1, 1, 2, 2, 3, 4, 6)) for item in items}


def _moved(before: tuple[tuple[str, ...], ...], after: tuple[tuple[str, ...], ...]) -> int:
    """How many pages of `after` list other items than any page of `before`."""
    return len(set(after) - set(before))


def test_content_pages_hold_at_most_a_page_in_order_and_mostly_full() -> None:
    for page_size in (5, 50, 250):
        items, weights = _list_of(3000, page_size)
        pages = content_pages(items, weights, page_size)
        assert [item for page in pages for item in page] == items
        assert all(sum(weights[i] for i in page) <= page_size or len(page) == 1 for page in pages)
        fills = [sum(weights[i] for i in page) / page_size for page in pages[:-1]]
        # Less than half full only where the next item would not have fit.
        assert all(fill >= 0.5 or fill * page_size + weights[after[0]] > page_size
                   for fill, after in zip(fills, pages[1:], strict=True))
        assert 0.7 < sum(fills) / len(fills) < 0.8 or page_size < 6
        assert sum(weights[i] for i in pages[-2] + pages[-1]) > page_size  # what fits goes on the last page
    for n in range(11, 60):
        pages = content_pages([f"short-{n}-{k}" for k in range(n)], None, 10)
        assert len(pages[-2] + pages[-1]) > 10, n  # what fits goes on the last page
    heavy = content_pages(["a", "b", "c"], {"a": 1, "b": 9, "c": 1}, 5)
    assert heavy == (("a",), ("b",), ("c",))  # an item heavier than a page has one of its own
    assert content_pages([], None, 5) == ()


def test_an_item_added_or_reweighed_anywhere_moves_its_own_page_not_the_ones_after() -> None:
    """Filling pages one after another moved every later page of an unweighted list (a tag's
    articles) and, at 10,000 bench articles, 72 of an actor's pages of mentions."""
    items, weights = _list_of(5000, 1)
    before = content_pages(items, weights, 50)
    moved = []
    for k in range(0, 5000, 97):
        added = content_pages([*items[:k], "new", *items[k:]], {**weights, "new": 3}, 50)
        reweighed = content_pages(items, {**weights, items[k]: weights[items[k]] + 2}, 50)
        moved += [_moved(before, added), _moved(before, reweighed)]
    assert max(moved) <= 20 and sum(moved) / len(moved) < 2.5  # of 336 pages (filled in turn: 23.5, at most 167)
    tags = [f"article-{k:05d}" for k in range(5000)]
    before = content_pages(tags, None, 50)
    moved = [_moved(before, content_pages([*tags[:k], "new", *tags[k:]], None, 50)) for k in range(0, 5000, 97)]
    assert max(moved) <= 20 and sum(moved) / len(moved) < 2.5  # filled in turn: 52, every page after


def test_content_pages_are_the_same_in_every_process() -> None:
    """The ends are drawn from a hash of each id, not Python's salted `hash`."""
    items, weights = _list_of(400, 2)
    code = ("import json, sys; from sitegen.pagination import content_pages; "
            "items, weights = json.load(sys.stdin); print(json.dumps(content_pages(items, weights, 20)))")
    runs = [subprocess.run([sys.executable, "-c", code], input=json.dumps([items, weights]), capture_output=True,
                           text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")]
    assert runs[0] == runs[1] == json.dumps(content_pages(items, weights, 20)) + "\n"


def _harbour_report(articles: Path, n: int, day: str, mentions: int) -> None:
    """A report naming the harbour master `mentions` times, dated `day`."""
    said = " ".join(f"Harbour master Ines Calder said berth {n}-{k} had been cleared." for k in range(mentions))
    (articles / f"harbour-{n:03d}.md").write_text(
        f"---\ntitle: Harbour clearance, report {n}\noutlet: Outlet {n}\ndate: {day}\n---\n\n"
        f"Crews worked through the night at the northern quay on day {n}.\n\n{said}\n", encoding="utf-8")


def _mention_pages_of(actor_dir: Path) -> dict[str, tuple[str, ...]]:
    """Each page of an actor's mentions (by file name) with the articles it lists."""
    return {page.name: tuple(resolve(page, a.attributes["href"] or "")[0].stem for a in parse(page).css("main h3 a"))
            for page in actor_dir.glob("mentions-*.html")}


def test_an_article_added_mid_story_moves_few_pages_of_mentions(tmp_path: Path) -> None:
    """An article dated early in an actor's mentions goes on one of its pages of them and
    leaves the pages after as they were; a rebuild equals a cold build."""
    root = tmp_path / "site"
    articles = root / "content" / "articles"
    articles.mkdir(parents=True)
    (root / "content" / "briefing.yaml").write_text("title: Harbour clearance\npage_size: 30\n", encoding="utf-8")
    for n in range(1, 81):  # two mentions each: pages filled in turn would all move after the new one
        _harbour_report(articles, n, f"2025-{1 + (n - 1) // 28:02d}-{1 + (n - 1) % 28:02d}", 2)
    assert main(["build", "--root", str(root), "-q"]) == 0
    actor = root / "public" / "actors" / "ines-calder"
    before = _mention_pages_of(actor)
    assert len(before) >= 5
    _harbour_report(articles, 81, "2025-01-15", 2)  # in the first fifth of the story
    assert main(["build", "--root", str(root), "-q"]) == 0
    after = _mention_pages_of(actor)
    assert sum("harbour-081" in listed for listed in after.values()) == 1
    assert len(set(after.values()) - set(before.values())) <= 2  # all 5 after it, filled in turn
    cold = tmp_path / "cold"
    assert main(["build", "--root", str(root), "--output", str(cold), "--no-cache", "-q"]) == 0
    assert tree_digest(root / "public") == tree_digest(cold)


def test_an_article_that_opens_a_page_of_mentions_changes_the_last_page_alone(tmp_path: Path) -> None:
    """Articles added at the end of an actor's mentions until one opens a new page: the
    further pages before the last tell nothing of how many follow (`render.nearby_pager`),
    so their files keep their bytes; the last page gains a link to the new one. Each
    rebuild equals a cold build."""
    root = tmp_path / "site"
    articles = root / "content" / "articles"
    articles.mkdir(parents=True)
    (root / "content" / "briefing.yaml").write_text("title: Harbour clearance\npage_size: 30\n", encoding="utf-8")
    for n in range(1, 81):
        _harbour_report(articles, n, f"2025-{1 + (n - 1) // 28:02d}-{1 + (n - 1) % 28:02d}", 2)
    assert main(["build", "--root", str(root), "-q"]) == 0
    actor = root / "public" / "actors" / "ines-calder"
    for n in range(81, 121):  # a page holds 15 to 30 mentions, two an article
        before = {page.name: page.read_bytes() for page in actor.glob("mentions-*.html")}
        _harbour_report(articles, n, f"2025-04-{n - 80:02d}", 2)  # the latest article
        assert main(["build", "--root", str(root), "-q"]) == 0
        after = {page.name: page.read_bytes() for page in actor.glob("mentions-*.html")}
        if len(after) > len(before):
            break
    else:
        pytest.fail("forty articles added at the end opened no page of mentions")
    last = f"mentions-{len(before) + 1}.html"
    assert {name for name in before if before[name] != after[name]} == {last}
    assert f"mentions-{len(after) + 1}.html" in after[last].decode("utf-8")
    cold = tmp_path / "cold"
    assert main(["build", "--root", str(root), "--output", str(cold), "--no-cache", "-q"]) == 0
    assert tree_digest(root / "public") == tree_digest(cold)


def test_a_later_page_of_reports_keeps_its_inputs_when_a_report_is_added_after_it(tmp_path: Path) -> None:
    """The inputs of a claim's later pages of reports hold none of its counts, so a report
    added on its last page leaves the pages before as they were: not even viewed again."""
    root = _ferry_story(tmp_path, reports=14, page_size=5)

    def digests() -> dict[tuple[str, int], str]:
        site = build(BuildOptions(root=root, output=root / "public", jobs=1)).site
        assert site is not None
        pages = layout(site)
        inputs = Inputs(site, pages)
        return {(claim, n): inputs.of("claim-reports", f"{claim}/{n}")
                for claim, count in pages.report_pages.items() for n in range(1, count + 1)}

    before = digests()
    _ferry_report(root / "content" / "articles", 15)  # on the third page
    after = digests()
    assert before.keys() == after.keys() and {n for _, n in before} == {1, 2, 3}
    assert all((before[key] == after[key]) is (key[1] == 2) for key in before)

"""Reading the briefing: search from file://, the Atom feed, the sitemap."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"


def test_search_works_opened_from_disk(site_copy, sitegen, chromium) -> None:
    root = site_copy("minimal")
    assert sitegen("build", "--root", root, "-q").code == 0
    data = json.loads((root / "public/briefing.json").read_text(encoding="utf-8"))
    title = data["articles"][0]["title"]
    page = chromium.new_page()
    try:
        page.goto((root / "public/search.html").as_uri() + "?q=" + title.split()[0])
        page.wait_for_selector("#search-results li a", timeout=10_000)
        links = page.eval_on_selector_all("#search-results li a", "els => els.map(e => [e.textContent, e.href])")
        assert [title, (root / "public" / data["articles"][0]["page"]).as_uri()] in links
        assert page.is_hidden("#search-nojs")
    finally:
        page.close()


def test_atom_feed_lists_articles_newest_first(site_copy, sitegen) -> None:
    root = site_copy("minimal")
    assert sitegen("build", "--root", root, "-q").code == 0
    feed = ET.parse(root / "public/feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Strike enters second day",
                                                             "Dockworkers walk out at the harbour"]
    assert feed.findtext(f"{ATOM}updated") == "2025-03-03T00:00:00Z"
    assert entries[0].find(f"{ATOM}link").attrib["href"] == \
        "https://example.org/briefing/articles/strike-day-two.html"


def test_sitemap_only_when_base_url_is_set(site_copy, sitegen) -> None:
    with_base = site_copy("minimal")
    assert sitegen("build", "--root", with_base, "-q").code == 0
    locs = [e.text for e in ET.parse(with_base / "public/sitemap.xml").getroot().iter()
            if e.tag.endswith("loc")]
    assert "https://example.org/briefing/index.html" in locs
    without = site_copy("hostile")
    assert sitegen("build", "--root", without, "-q").code == 0
    assert not (without / "public/sitemap.xml").exists()
    assert (without / "public/feed.xml").is_file()


def test_the_feed_of_hostile_text_parses_and_keeps_it_as_text(site_copy, sitegen) -> None:
    """Titles, outlets and paragraphs with markup and quotes are escaped in feed.xml, so it
    parses and each field reads back exactly as the article wrote it."""
    root = site_copy("hostile")
    (root / "content" / "briefing.yaml").write_text('title: "<b>Hostile</b> & co"\nbase_url: https://example.org/a&b/\n',
                                                  encoding="utf-8")
    assert sitegen("build", "--root", root, "-q").code == 0
    feed = ET.parse(root / "public/feed.xml").getroot()
    assert feed.findtext(f"{ATOM}title") == "<b>Hostile</b> & co"
    entry = feed.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == '<script>alert("title")</script>'
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "<img src=x onerror=alert(1)>"
    assert entry.findtext(f"{ATOM}summary").startswith('A paragraph with <script>alert("body")</script>')
    assert entry.find(f"{ATOM}link").attrib["href"] == "https://example.org/a&b/articles/hostile.html"
    assert "https://example.org/a&b/index.html" in [e.text for e in ET.parse(root / "public/sitemap.xml").iter()]

"""Atom feed of the articles (`feed.xml`) and, when `base_url` is set, `sitemap.xml`.

No wall clock: the feed's `updated` is the newest article date, so builds stay
byte-identical. Entry ids are tag URIs made from the briefing's base URL when set, else
`urn:sitegen:` ids that are stable across builds.
"""

from __future__ import annotations

import html
from functools import partial

from sitegen.link import Site
from sitegen.model import Article
from sitegen.urls import article_page, slug
from sitegen.warm import PerRecord

EPOCH = "1970-01-01"


def escape(text: str) -> str:
    """XML character data: `&`, `<` and `>` escaped, as `xml.sax.saxutils.escape` does
    (that module imports `urllib.request`: 9 ms of every build)."""
    return html.escape(text, quote=False)


def quoteattr(value: str) -> str:
    """An XML attribute value, escaped and in double quotes (both quotes escaped too)."""
    return '"' + html.escape(value) + '"'


FEED_FILE = "feed.xml"
SUMMARY_CHARS = 400
"""How much of an article's first paragraph its entry quotes."""


def feed_inputs(site: Site) -> tuple[object, ...]:
    """What `atom_feed` reads of the site, as plain values (as `search.search_inputs` is for
    the search index): the briefing's title and address, and each article's fields an
    entry shows, with the start of its first paragraph."""
    return (site.briefing.title, site.briefing.base_url,
            [(a.id, a.title, a.date, a.author, a.outlet, a.paragraphs[0].text[:SUMMARY_CHARS] if a.paragraphs else None)
             for a in site.articles])


def _stamp(date: str | None) -> str:
    return f"{date or EPOCH}T00:00:00Z"


def atom_feed(site: Site, entries: PerRecord | None = None) -> str:
    """The feed, newest article first. `entries`: where a process that builds again and
    again keeps each article's entry (`warm.PerRecord`), made again only for the articles
    an edit changed (every entry made again took 4-12 ms of a rebuild at 1,000 articles)."""
    base = site.briefing.base_url
    newest = max((a.date for a in site.articles if a.date), default=None)
    feed_id = f"{base}feed.xml" if base else f"urn:sitegen:{slug(site.briefing.title)}"
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom">',
             f"<title>{escape(site.briefing.title)}</title>",
             f"<id>{escape(feed_id)}</id>",
             f"<updated>{_stamp(newest)}</updated>",
             f'<link rel="alternate" href={quoteattr((base or "") + "index.html")}/>']
    if base:
        lines.append(f'<link rel="self" href={quoteattr(base + "feed.xml")}/>')
    ordered = sorted(site.articles, key=lambda a: (a.date or "", a.id), reverse=True)
    make = partial(_entry, base, feed_id)
    lines += entries.values(f"atom entries {feed_id}", ordered, make) if entries is not None else map(make, ordered)
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def _entry(base: str | None, feed_id: str, article: Article) -> str:
    """One article's `<entry>`, its lines joined."""
    href = (base or "") + article_page(article.id)
    entry_id = href if base else f"{feed_id}:{article.id}"
    lines = ["<entry>",
             f"<title>{escape(article.title)}</title>",
             f"<id>{escape(entry_id)}</id>",
             f"<updated>{_stamp(article.date)}</updated>",
             f"<link rel=\"alternate\" href={quoteattr(href)}/>",
             f"<author><name>{escape(article.author or article.outlet or 'Unknown')}</name></author>"]
    if article.paragraphs:
        lines.append(f"<summary>{escape(article.paragraphs[0].text[:SUMMARY_CHARS])}</summary>")
    lines.append("</entry>")
    return "\n".join(lines)


def sitemap(site: Site, pages: list[str]) -> str | None:
    """`sitemap.xml` listing every page, only when the site knows its own address."""
    base = site.briefing.base_url
    if not base:
        return None
    urls = "".join(f"<url><loc>{escape(base + p)}</loc></url>\n" for p in sorted(pages))
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n")

"""Which pages' inputs an edit left as they were, told from digests of the site's records
that the last build kept (issue 9).

After an edit, a build hashes the inputs of every article, actor, tag and claim page
(`page_inputs.Inputs`, 7,100 pages at 1,000 articles, 52,000 at 10,000) to find the few
dozen an edit changed. Most of those digests can be carried from the last build instead,
when it is known which records changed: the last build keeps a digest of each record a
page reads (`SiteRecords`, in a file beside its record, `uptodate.records_path`); this
build makes its own, and a page is hashed again only if it reads a record whose digest moved.

The records, and the pages reading each (`Inputs` is the reference: whatever a page's
inputs hold must be covered here):
- what every page may read (`SiteRecords.shared`): the briefing and how many pages of
  claims each status has. When it moves, nothing is carried; nor when an actor kept from
  the last build has another name or type (`SiteRecords.names`: every page naming it), nor
  when the articles kept are in another order (`SiteRecords.ranks`: a date moved), which
  splits lists anew. An actor new or gone is in the records of the pages showing it;
- an article's listing (title, outlet, date, address, author), or the article itself, new
  or gone: like its text, and the pages of the claims it reports, the claims pages listing
  them, and the source index;
- an actor (its role, names it goes by, mentions) with the actors it appears with and its
  members: its own page; of the further pages of its mentions, those listing other
  articles than before (or now followed by a page, or no longer: `SiteRecords.mention_pages`)
  or an article whose mentions moved (its row, below);
- an article's text: its own page, the pages of the articles it rewrites or is rewritten
  by, and the pages of the actors and tags that quote its paragraphs (those that quote a
  paragraph the edit changed, when the records were made by this process, which holds the
  last build's articles with them: `SiteRecords.held_articles`);
- what an article's page shows of other records (its origin and copy links, the actors it
  mentions and where, its tags and where they occur, the claims it reports and where): its
  own page, and the source index;
- a claim (its reports, status, independent sources and outlets): its pages, the claims
  pages, the pages of the articles reporting it and of the actor that made it;
- the list of an actor's claims: its own page and the pages of its claims;
- a tag (its label, score, articles and occurrences): its own page, and of the further
  pages of its articles those an actor's would be hashed again for (`SiteRecords.tag_pages`);
- the overview reads what the claims, sources and actors index pages read (and how many
  tags there are, which the articles' rows of the source index show).
The search index and the feed are kept as the last build wrote them while a digest of the
values they show is as it was (`SiteRecords.whole_files`).

A page reading one of these in a way not named here would keep a stale digest:
tests/test_carried.py compares every carried digest with one hashed afresh, over edits of
text, mentions, roles, figures, rewrites, tags, titles and articles added.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from sitegen.analyse.mentions_by_article import actors_in
from sitegen.feeds import FEED_FILE, feed_inputs
from sitegen.file_memo import WrittenFiles, write_whole
from sitegen.link import Site, index_actors, index_claims
from sitegen.model import Actor, Analysis, Article, Claim
from sitegen.runner import ArticleRunner, plain_key
from sitegen.search import INDEX_FILE, search_inputs
from sitegen.warm import PerRecord, by_identity, each_by_value

if TYPE_CHECKING:
    from sitegen.pagination import Layout, Parts


@dataclass(frozen=True)
class SiteRecords:
    """Digests of one site's records, by which the next build tells what an edit changed."""

    shared: str
    """What any page may read: the briefing and the claims' pages by status."""
    names: Mapping[str, str]
    """Actor id -> digest of its name and type, which every page naming it shows."""
    ranks: Mapping[str, str]
    """Article id -> its place in the briefing's order."""
    listings: Mapping[str, str]
    """Article id -> digest of its listing: title, outlet, date, address, author."""
    source_pages: Mapping[str, str]
    """Page key -> digest of the articles it lists, for each page of a split source index."""
    mention_pages: Mapping[str, str]
    """Page key ("<actor id>/<n>") -> digest of the articles it lists and whether a page
    follows, for each further page of an actor's mentions (`_further_pages`)."""
    tag_pages: Mapping[str, str]
    """The same for each further page of a tag's articles, with the tag's label."""
    actors: Mapping[str, str]
    """Actor id -> digest of its record, the actors it appears with and its members."""
    texts: Mapping[str, str]
    """Article id -> digest of its text (its file's, `Article.content_digest`, when read from one)."""
    articles: Mapping[str, str]
    """Article id -> digest of what its page shows of other records."""
    claims: Mapping[str, str]
    """Claim id -> digest of the claim as its pages show it."""
    claim_lines: Mapping[str, str]
    """Claim id -> digest of the claim as lists of claims show it (article and actor pages)."""
    claim_order: str
    """The claims' ids in the ledger's order (the claims pages' order)."""
    claim_pages: Mapping[str, str]
    """Page key -> digest of the claims it lists, for each page of a split claims list."""
    actor_claims: Mapping[str, str]
    """Actor id -> digest of the list of its claims, for each actor that made one."""
    tags: Mapping[str, str]
    """Tag id -> digest of the tag."""
    whole_files: Mapping[str, str]
    """Path -> digest of what a file made from the whole site shows, for the search index
    and the feed (`search.search_inputs`, `feeds.feed_inputs`): such a file whose digest is
    as in the last build, and whose bytes are as that build wrote them, is kept as it is.
    Made again by every build from the command line, the two took 0.37 s of an edit at
    10,000 articles, though most edits change neither."""
    held_articles: Mapping[str, Article] | None = field(default=None, compare=False)
    """The articles themselves, by id, while the process that made these records holds
    them (never written: None when read back from disk). An edited article's paragraphs
    are set against its last version's, so only the actor and tag pages quoting one it
    changed are hashed again (an edit at 1,000 articles hashed 33 such pages, 48 ms, to
    find every one as it was)."""

    def to_json(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) if f.name in _STRINGS else dict(getattr(self, f.name))
                for f in fields(self) if f.name not in _HELD}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> SiteRecords:
        """The records `to_json` wrote; KeyError, TypeError or AttributeError when malformed."""
        def value(name: str) -> object:
            found = data[name]
            if name in _STRINGS:
                return str(found)
            if not isinstance(found, dict):
                raise TypeError(name)
            return {str(k): str(v) for k, v in found.items()}
        return cls(**{f.name: value(f.name) for f in fields(cls) if f.name not in _HELD})  # type: ignore[arg-type]


_STRINGS = frozenset({"shared", "claim_order"})
"""The fields of `SiteRecords` that are one digest; the others map ids to digests, but:"""
_HELD = frozenset({"held_articles"})
"""The fields of `SiteRecords` kept in memory only."""

RECORDS_FORMAT = "sitegen-site-records 3"


def save_records(path: Path, inputs: str, records: SiteRecords, written: WrittenFiles | None = None) -> None:
    """Keep `records` for the next build, under the `uptodate.input_fingerprint` of the
    build that made them (the one its record of page digests is saved under); a file that
    cannot be written only costs the next build time. `written`: a long-running process's,
    which keeps them for its next build."""
    if not write_whole(path, orjson.dumps({"format": RECORDS_FORMAT, "inputs": inputs, "records": records.to_json()})):
        return
    if written is not None:
        written.wrote(path, (inputs, records))


def read_records(path: Path, inputs: str, written: WrittenFiles | None = None) -> SiteRecords | None:
    """The records `save_records` kept, if readable and made by the build whose input
    fingerprint is `inputs`; else None (a malformed or foreign file is not trusted).
    `written`, a long-running process's, holds those it saved, which are not read again."""
    if written is not None:
        kept_inputs, records = written.read(path, lambda: (inputs, _read_records(path, inputs)))
        return records if kept_inputs == inputs else None
    return _read_records(path, inputs)


def _read_records(path: Path, inputs: str) -> SiteRecords | None:
    try:
        data = orjson.loads(path.read_bytes())
        if data.get("format") != RECORDS_FORMAT or data.get("inputs") != inputs:
            return None
        return SiteRecords.from_json(data["records"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _digest(value: object) -> str:
    return plain_key(b"", value)


_KEPT = PerRecord()
"""Digests of the actors, claims, copy links and tags of the last build, by their identity."""
_row_digests = each_by_value(_digest)
"""What each article's page shows of the site's records, hashed: kept by value for the
rows of the last build (`warm.each_by_value`), as are:"""
_listing_digests = each_by_value(_digest)
"""each article's listing;"""
_list_digests = each_by_value(_digest)
"""and each actor's list of claims."""


def claim_line(claim: Claim) -> tuple[object, ...]:
    """A claim as lists of claims show it (`render.Views.claim_view` without its reports
    or counts); `page_inputs.Inputs` hashes it with its speaker's name."""
    c = claim
    return (c.id, c.kind, c.text, c.speaker, c.speaker_surface, c.number, c.number_max, c.unit, c.hedge,
            c.measure, c.status, c.denial)


def claim_digest(claim: Claim) -> str:
    """A claim as its pages show it (`SiteRecords.claims`)."""
    return _digest(claim)


def claim_line_digest(claim: Claim) -> str:
    """A claim as lists of claims show it (`SiteRecords.claim_lines`)."""
    return _digest(claim_line(claim))


@dataclass(frozen=True)
class _Digests:
    """Digests made from the actors or from the claims alone, kept for the very same tuple
    (`by_identity`): a warm process whose edit left them as they were makes them once."""

    records: dict[str, str]
    """Each actor or claim (`SiteRecords.actors`, `.claims`)."""
    by_article: dict[str, str]
    """What each article's page shows of them: the actors it mentions and where, or the
    claims it reports and where."""
    shown: dict[str, str]
    """Each as other records' pages show it: an actor's name and type (`SiteRecords.names`),
    a claim as lists of claims show it (`SiteRecords.claim_lines`)."""


@by_identity
def _actor_digests(actors: tuple[Actor, ...]) -> _Digests:
    """Each actor hashed by its identity (`_KEPT`): after an edit naming someone new, a warm
    process gets most actors back as the very objects they were (`actor_build`); and what
    each article's page shows of them by its group of mentions, which such an edit leaves
    the very tuple it was for every other article (`mentions_by_article`)."""
    indexes = index_actors(actors)
    own = _KEPT.values("actors", actors, _digest)
    return _Digests(
        records={a.id: _digest((digest, indexes.co_mentions.get(a.id, ()), indexes.members_of.get(a.id, ())))
                 for a, digest in zip(actors, own, strict=True)},
        by_article=_KEPT.by_key("actor mentions of article", indexes.mentions_in_article,
                                lambda rows: _digest((actors_in(rows), rows))),
        shown={a.id: _digest((a.name, a.type)) for a in actors},
    )


@by_identity
def _claim_digests(claims: tuple[Claim, ...]) -> _Digests:
    """How many outlets report a claim, which its pages show too, follows from its reports
    and the articles' listings (shared). Each article's reports are the site's own index
    (`index_claims`, made once for the very same tuple). Each claim is hashed by its
    identity (`_KEPT`): a warm process gets those an edit left back as the very objects;
    each article's reports by their group (`reports_by_article`), likewise."""
    reports = index_claims(claims).evidence_in_article
    ids = [c.id for c in claims]
    return _Digests(records=dict(zip(ids, _KEPT.values("claims", claims, claim_digest), strict=True)),
                    by_article=_KEPT.by_key("claim reports of article", reports, _digest),
                    shown=dict(zip(ids, _KEPT.values("claim lines", claims, claim_line_digest), strict=True)))


def analysis_digests(actors: tuple[Actor, ...] | None, claims: tuple[Claim, ...] | None,
                     runner: ArticleRunner) -> None:
    """Hash the actors and claims (either None: not yet) now (`site_records` finds them
    hashed when given the very same tuples): a build calls this while its tags stage is
    still running in a child, time its main process would spend waiting. The digests are
    kept in the cache with what the actors and claims were made from
    (`ArticleRunner.derived`): a build from the command line after an edit that left them
    as they were reads them back (3 ms at 1,000 articles) instead of hashing them again
    (80 and 60 ms). A process that builds again and again makes them even so, for the
    digest of each actor and claim it keeps (`_KEPT`): when its first build reads them back
    (`sitegen serve`'s warm-up), its first edit that changes the actors hashed them all
    (3.4 s of the first edit naming someone new at 10,000 articles, 0.35 s of the next)."""
    if actors is not None:
        _actor_digests.through(runner, actors, made_here=runner.keeps_memory)
    if claims is not None:
        _claim_digests.through(runner, claims, made_here=runner.keeps_memory)


def site_records(site: Site, pages: Layout, analysis: Analysis) -> SiteRecords:
    """The digests of the records of `site`, linked from `analysis` (its lists split as
    `pages` says)."""
    actors, claims = _actor_digests(analysis.actors), _claim_digests(analysis.claims)
    tags = site.tags
    # Copy links and tags hashed by their identity: a warm process gets the very ones back
    # while an edit leaves them as they were, and hashing their passages and occurrences as
    # part of each article's row, by value, was most of the rows' time.
    link_digest = dict(zip(map(id, site.copy_link_of.values()),
                           _KEPT.values("links", site.copy_link_of.values(), _digest), strict=True))
    return SiteRecords(
        shared=_digest((site.briefing, pages.claim_pages_by_status)),
        names=actors.shown,
        ranks={a.id: str(rank) for rank, a in enumerate(site.articles)},
        listings=dict(zip((a.id for a in site.articles), _listing_digests(
            (a.title, a.outlet, a.date, a.url, a.author) for a in site.articles), strict=True)),
        source_pages=_part_digests(pages.sources),
        mention_pages=_further_pages(pages.mentions),
        tag_pages=_further_pages(pages.tags, {t: tags[t].label for t in pages.tags}),
        actors=actors.records,
        texts={a.id: a.content_digest or _digest((a.body, a.paragraphs)) for a in site.articles},
        articles=dict(zip((a.id for a in site.articles), _row_digests((
            actors.by_article.get(a.id, ""), claims.by_article.get(a.id, ""),
            site.origin_of.get(a.id), link_digest.get(id(site.copy_link_of.get(a.id))),
            tuple(link_digest[id(link)] for link in site.copies_of.get(a.id, ())),
            tuple((t, tags[t].label) for t in site.tags_of_article.get(a.id, ())),
            site.tag_paragraphs_in_article.get(a.id, ()),
        ) for a in site.articles), strict=True)),
        claims=claims.records,
        claim_lines=claims.shown,
        claim_order=_digest(tuple(site.claims)),
        claim_pages=_part_digests(pages.claims),
        actor_claims=dict(zip(site.claims_of_actor, _list_digests(site.claims_of_actor.values()), strict=True)),
        tags=_KEPT.by_key("tags", tags, _digest),
        whole_files={INDEX_FILE: _digest(search_inputs(site)), FEED_FILE: _digest(feed_inputs(site))},
        held_articles=site.article_by_id,
    )


@dataclass(frozen=True)
class CarriedInputs:
    """The last build's inputs digests, for the pages an edit cannot have changed
    (`carried_inputs`)."""

    digests: Mapping[str, str]
    """The last build's inputs digest of each page, by path (`LastBuild.page_inputs`)."""
    stale: Mapping[str, frozenset[str]]
    """Page kind -> the entities whose pages of that kind may have changed: a page's own
    entity ("<actor id>/<n>" for page n of an actor's mentions, "" for the claims or the
    sources page), or the owner of all its pages ("<claim id>" for every page of a claim's
    reports)."""

    def digest(self, path: str, kind: str, entity: str) -> str | None:
        """The page's inputs digest when they are as in the last build, else None."""
        stale = self.stale.get(kind, frozenset())
        if entity in stale or ("/" in entity and entity.rpartition("/")[0] in stale):
            return None
        return self.digests.get(path)


def carried_inputs(last: SiteRecords, now: SiteRecords, site: Site, pages: Layout, digests: Mapping[str, str]
                   ) -> CarriedInputs | None:
    """What the pages of `site` (whose records are `now`, its lists split as `pages` says)
    can take from the last build's (whose records were `last`, its pages' inputs hashing
    to `digests`): every page reading no record that moved keeps its digest, without its
    inputs being gathered and hashed again. None when what every page may read moved (the
    briefing), an actor kept has another name, or the articles kept come in another order."""
    if last.shared != now.shared or not _same_order(last.ranks, now.ranks) or any(
            last.names[a] != now.names[a] for a in last.names.keys() & now.names.keys()):
        return None
    listed = _moved(last.listings, now.listings)  # new, gone, or retitled, redated...
    shown = _moved(last.texts, now.texts) | listed  # shown anew wherever they are quoted
    rows = _moved(last.articles, now.articles)
    claims = _moved(last.claims, now.claims) | {c for a in listed for c in site.claims_of_article.get(a, ())}
    lines = _moved(last.claim_lines, now.claim_lines)
    claim_lists = _moved(last.actor_claims, now.actor_claims)
    moved_actors = _moved(last.actors, now.actors)
    claim_lists |= {c.speaker for c in map(site.claims.get, lines) if c is not None and c.speaker is not None}
    articles = shown | rows | _showing_whole(site, shown) | {
        article_id for article_id, ids in site.claims_of_article.items() if not lines.isdisjoint(ids)}
    reworded = _reworded_paragraphs(last.held_articles, site, shown - listed)
    whole = shown - reworded.keys()  # every paragraph counts as changed
    quoting_actors = {a for article_id in whole for a in site.actors_of_article.get(article_id, ())} | {
        actor_id for article_id, numbers in reworded.items()
        for actor_id, mention in site.mentions_in_article.get(article_id, ()) if mention.paragraph in numbers}
    actors, actor_mentions = _pages_quoting(shown, quoting_actors, pages.mentions)
    quoting_tags = {t.id for t in site.tags.values() if not whole.isdisjoint(t.articles)} | {
        tag_id for article_id, numbers in reworded.items()
        for tag_id, number in site.tag_paragraphs_in_article.get(article_id, ()) if number in numbers}
    tags, tag_articles = _pages_quoting(shown, quoting_tags, pages.tags)
    moved_tags = _moved(last.tags, now.tags)
    # Of the further pages of a moved actor's mentions or tag's articles, only those whose
    # articles or rows moved: an addition at 10,000 articles hashed 2,900 pages of mentions
    # again (0.9 s) where a few showed anything new.
    actor_mentions |= _further_pages_moved(moved_actors, last.mention_pages, now.mention_pages, pages.mentions, rows)
    tag_articles |= _further_pages_moved(moved_tags, last.tag_pages, now.tag_pages, pages.tags, rows)
    claim_pages = _moved(last.claim_pages, now.claim_pages) | _parts_listing(pages.claims, claims)
    in_rows = rows | listed | {a for a, origin in site.origin_of.items() if origin in listed}
    source_pages = _moved(last.source_pages, now.source_pages) | _parts_listing(pages.sources, in_rows)
    return CarriedInputs(
        digests=digests,
        stale={"article": frozenset(articles),
               "actor": frozenset(actors | claim_lists | moved_actors),
               "actor-mentions": frozenset(actor_mentions),
               "actor-claims": frozenset(claim_lists),
               "tag": frozenset(tags | moved_tags), "tag-articles": frozenset(tag_articles),
               "claim": frozenset(claims), "claim-reports": frozenset(claims),
               "claims-list": frozenset(claim_pages), "sources-list": frozenset(source_pages),
               "claims": _one_page(bool(claims) or last.claim_order != now.claim_order),
               "sources": _one_page(bool(in_rows)),
               "actors": _one_page(bool(moved_actors)),
               # A tag new or gone moves the rows of the articles carrying it (`in_rows`).
               "index": _one_page(bool(claims) or last.claim_order != now.claim_order or bool(in_rows)
                                  or bool(moved_actors)),
               "actors-list": frozenset(pages.actor_lists) if moved_actors else frozenset()},
    )


def _reworded_paragraphs(held: Mapping[str, Article] | None, site: Site, edited: set[str]) -> dict[str, set[int]]:
    """For each of the `edited` articles (their text changed, their listing did not) whose
    last version `held` holds, the numbers of the paragraphs the edit changed: reworded,
    added or gone. An actor or tag page quotes an article by its listing and the text of
    the paragraphs it names there (`page_inputs.Inputs._quoting`), so only those quoting
    one of these can have changed."""
    if held is None:
        return {}
    found = {}
    for article_id in edited:
        before, now = held.get(article_id), site.article_by_id.get(article_id)
        if before is None or now is None:
            continue
        old, new = [p.text for p in before.paragraphs], [p.text for p in now.paragraphs]
        found[article_id] = {n for n in range(1, max(len(old), len(new)) + 1)
                             if n > min(len(old), len(new)) or old[n - 1] != new[n - 1]}
    return found


def _one_page(stale: bool) -> frozenset[str]:
    """The entities of a kind with one page ("index", "claims", "sources", whose entity is "")."""
    return frozenset({""}) if stale else frozenset()


def _same_order(last: Mapping[str, str], now: Mapping[str, str]) -> bool:
    """Whether the articles in both builds come in the same order in each (ranks as strings)."""
    common = last.keys() & now.keys()
    return sorted(common, key=lambda a: int(last[a])) == sorted(common, key=lambda a: int(now[a]))


def _pages_quoting(edited: set[str], owners: set[str], chunks: Mapping[str, tuple[tuple[str, ...], ...]]
                   ) -> tuple[set[str], set[str]]:
    """The pages of these actors or tags (`owners`) that quote an edited article: their own
    page ("<id>"), which shows the articles of the first page of their split list
    (`chunks`), or all of them; and each further page of the list showing one ("<id>/<n>")."""
    own, further = set(), set()
    for owner in owners:
        split = chunks.get(owner)
        if not split:
            own.add(owner)
            continue
        for number, articles in enumerate(split, start=1):
            if not edited.isdisjoint(articles):
                if number == 1:
                    own.add(owner)
                else:
                    further.add(f"{owner}/{number}")
    return own, further


def _further_pages(chunks: Mapping[str, tuple[tuple[str, ...], ...]], labels: Mapping[str, str] | None = None
                   ) -> dict[str, str]:
    """Page key ("<owner>/<n>") -> digest of what a further page of an actor's mentions or
    a tag's articles (n from 2) shows of its list besides the articles' rows: which
    articles, whether a page follows (`render.nearby_pager`), and the owner's label (a
    tag's; an actor's name is `SiteRecords.names`)."""
    labels = labels or {}
    return {f"{owner}/{number}": _digest((labels.get(owner), number < len(split), members))
            for owner, split in chunks.items() for number, members in enumerate(split[1:], start=2)}


def _further_pages_moved(owners: set[str], last: Mapping[str, str], now: Mapping[str, str],
                         chunks: Mapping[str, tuple[tuple[str, ...], ...]], rows: set[str]) -> set[str]:
    """The further pages of these actors' or tags' lists (`owners`: their records moved)
    that may show something new: those whose `_further_pages` digest moved, and those
    listing an article whose row moved (`rows`: its mentions, its tags' paragraphs). The
    others list the same articles, each as before (an edited text is `_pages_quoting`'s)."""
    found = set()
    for owner in owners:
        for number, members in enumerate(chunks.get(owner, ())[1:], start=2):
            key = f"{owner}/{number}"
            if last.get(key) != now[key] or not rows.isdisjoint(members):
                found.add(key)
    return found


def _part_digests(parts: Parts | None) -> dict[str, str]:
    """Page key -> digest of what it lists, for each page of a split list."""
    return {key: _digest(members) for key, members in parts.members.items()} if parts else {}


def _parts_listing(parts: Parts | None, items: set[str]) -> set[str]:
    """The keys of the pages of a split list that list one of `items`."""
    return {key for key, members in (parts.members.items() if parts else ()) if not items.isdisjoint(members)}


def _moved(last: Mapping[str, str], now: Mapping[str, str]) -> set[str]:
    """The keys whose digest differs, or which are in one only."""
    return {k for k, digest in now.items() if last.get(k) != digest} | (last.keys() - now.keys())


def _showing_whole(site: Site, edited: Iterable[str]) -> set[str]:
    """The articles whose pages show an edited article's text beside their own: those it
    rewrites or is rewritten by (`Inputs._article_page`)."""
    edited = set(edited)
    if not edited:
        return set()
    found = set()
    for article_id in site.article_by_id:
        link = site.copy_link_of.get(article_id)
        if site.origin_of.get(article_id) in edited or (link is not None and link.origin in edited) or any(
                edge.copy in edited for edge in site.copies_of.get(article_id, ())):
            found.add(article_id)
    return found

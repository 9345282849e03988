"""What the page of one article, actor, tag or claim is made from, hashed without building
its view (issue 9).

After an edit, a build learns which pages changed by building the view of every page and
comparing its digest with the last build's (`render.view_digest`): 6,700 views at 1,000
articles, 57,000 at 10,000, most of a rebuild's render stage, to find the few dozen pages an
edit touches. A page's inputs are far cheaper to hash than its view is to build (no links,
snippets or spans are made): each record is hashed once per build, and a page's digest
joins the digests of the records its view reads. A page whose inputs hash as in the last
build has the same view, and so the same bytes; only the others have their view built.

`Inputs` mirrors `render.Views` kind by kind: whatever a view reads from the site, the
page's inputs must read too (a value left out here would leave a page stale after an edit
that changes only that value). Of the index pages the claims page has its inputs hashed
(every claim), and so have the sources page (every article's row, every copy link) and
the actors index and its lists (every actor's row); the others (overview, tags) read more
of the site and always have their view built.

After an edit even that is not done for most pages: those reading no record the edit
changed keep the last build's digests (`carried.carried_inputs`), so an edit hashes a few
dozen pages' inputs.
"""

from __future__ import annotations

import functools
import hashlib
import io
import pickle
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace

from sitegen.carried import SiteRecords, claim_digest, claim_line_digest
from sitegen.link import Site
from sitegen.model import Claim, Mention, TagOccurrence
from sitegen.pagination import Layout, actors_index_order, matrix_actors
from sitegen.runner import plain_key


def value_digest(value: object) -> str:
    """Hash of a value's pickle. Without the pickler's memo: a default pickle writes an
    object met twice as a back-reference, so equal values built from cached and from fresh
    objects would hash differently."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(value)
    return hashlib.sha256(out.getvalue()).hexdigest()


def _digest(value: object) -> str:
    """Hash of records as JSON (`runner.plain_key`): orjson writes the model's dataclasses
    in C where a pickle calls each record's `__reduce__` (all page inputs at 1,000 articles
    0.43 s against 0.60 s). Page inputs hold records and plain values only; views hold
    Markup, which JSON would not tell from a str, and are hashed by `value_digest`."""
    return plain_key(b"", value)


class Inputs:
    """Digests of the inputs of every article, actor, tag and claim page of one Site, and
    of its claims and sources pages.

    A page's own record (its actor, tag or claim) is hashed whole; records shared by many
    pages (an article's text, a claim as lists show it) are hashed once, on first use, and
    pages join their digests."""

    def __init__(self, site: Site, pages: Layout, carried: Mapping[tuple[str, str], str] | None = None,
                 records: SiteRecords | None = None) -> None:
        """`carried`: the digests of pages whose inputs an edit left as they were, by kind
        and entity (`carried.carried_inputs`), given back by `of` without hashing: the
        overview's digest is made from three pages' digests, which are mostly carried.
        `records`: this site's `carried.site_records`, whose digest of each claim the claims
        pages join instead of hashing every claim again (made here without them)."""
        self.site = site
        self.pages = pages
        self._records = records
        # Which page each claim is on follows from its status (in each claim's record) and
        # how many pages each status has, here: every link to a claim depends on it.
        self._briefing = _digest((site.briefing, pages.claim_pages_by_status))
        self._article = functools.cache(self._article_digest)
        self._listing = functools.cache(self._listing_digest)
        self._paragraphs = functools.cache(self._paragraph_digests)
        self._claim_line = functools.cache(self._claim_line_digest)
        self._mentions_by_article = functools.cache(self._actor_mentions_by_article)
        self._source_row = functools.cache(self._source_row_digest)
        self._actor_row = functools.cache(self._actor_row_digest)
        self._tag_paragraphs = functools.cache(lambda tag_id: paragraphs_by_article(site.tags[tag_id].occurrences))
        self._pages_hashed: dict[tuple[str, str], str] = dict(carried or {})

    def of(self, kind: str, entity_id: str) -> str:
        """The digest of the page of `kind` ("article", "actor", "tag", "claim") for
        `entity_id`; of the overview, or the claims, sources or actors index page
        ("index", "claims", "sources" or "actors", ""); or of one page of a split list
        ("claims-list", "sources-list", "actors-list", "actor-mentions", "actor-claims",
        "tag-articles", "claim-reports", with the page's key, as `render._pages` names it).
        Kept for the build (the overview's digest is made from three others), or carried."""
        key = (kind, entity_id)
        if key not in self._pages_hashed:
            parts = getattr(self, f"_{kind.replace('-', '_')}_page")(entity_id)
            self._pages_hashed[key] = _digest((kind, entity_id, self._briefing, parts))
        return self._pages_hashed[key]

    def _index_page(self, _: str) -> tuple[object, ...]:
        """The overview (`Views.index`) shows the most reported claims and the measures on
        which sources disagree, chosen among every claim as the claims page reads them; the
        most mentioned actors, among the actors index's rows; the latest articles and the
        timeline's days, from the source index's rows and its split by day; how many claims
        each day's articles report; and how many tags there are."""
        site = self.site
        return (self.of("claims", ""), self.of("actors", ""), self.of("sources", ""),
                tuple((a.date, site.claims_of_article.get(a.id, ())) for a in site.articles if a.date),
                len(site.tags))

    # -- records shared by pages ---------------------------------------------------------

    def _article_digest(self, article_id: str) -> str:
        """An article's fields: its title, outlet and date in links and lists; its text in
        snippets and paragraphs quoted on other pages; its id and date order lists."""
        a = self.site.article_by_id[article_id]
        return _digest((a.id, a.title, a.outlet, a.date, a.url, a.author, a.body))

    def _listing_digest(self, article_id: str) -> str:
        """An article as a list of its mentions shows it: title, outlet and date; its id and
        date also place it in the list."""
        a = self.site.article_by_id[article_id]
        return _digest((a.id, a.title, a.outlet, a.date))

    def _paragraph_digests(self, article_id: str) -> tuple[str, ...]:
        """Each paragraph's text, as snippets on other pages quote it."""
        return tuple(_digest(p.text) for p in self.site.article_by_id[article_id].paragraphs)

    def _quoting(self, article_id: str, paragraphs: Iterable[int]) -> tuple[str, tuple[str, ...]]:
        """An article as an actor or tag page shows it: a link, and snippets of these
        paragraphs (an edit elsewhere in the article leaves it as it was)."""
        texts = self._paragraphs(article_id)
        return self._listing(article_id), tuple(texts[n - 1] for n in sorted(paragraphs))

    def _claim_line_digest(self, claim_id: str) -> str:
        """A claim as article and actor pages list it (`Views.claim_view` without reports
        or counts), with its speaker's name."""
        c = self.site.claims[claim_id]
        return _digest((self._line_of(c), self._name(c.speaker)))

    def _line_of(self, claim: Claim) -> str:
        """`carried.claim_line_digest` of the claim, from this site's records when given."""
        return self._records.claim_lines[claim.id] if self._records else claim_line_digest(claim)

    def _record_of(self, claim: Claim) -> str:
        """`carried.claim_digest` of the claim (all of it), from this site's records when given."""
        return self._records.claims[claim.id] if self._records else claim_digest(claim)

    def _name(self, actor_id: str | None) -> str | None:
        return self.site.actors[actor_id].name if actor_id else None

    def _names(self, actor_ids: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        return tuple((a, self.site.actors[a].name) for a in actor_ids)

    # -- pages (`Views.article`, `.actor`, `.tag`, `.claim`) --------------------------------

    def _article_page(self, article_id: str) -> tuple[object, ...]:
        site = self.site
        origin = site.origin_of.get(article_id)
        copy_link = site.copy_link_of.get(article_id)
        tags = site.tags_of_article.get(article_id, ())
        return (
            self._article(article_id),
            (origin, self._article(origin)) if origin else None,
            self._names(site.actors_of_article.get(article_id, ())),
            tuple((t, site.tags[t].label) for t in tags),
            tuple((actor_id, m.paragraph, m.start, m.end, site.actors[actor_id].name, site.actors[actor_id].type)
                  for actor_id, m in site.mentions_in_article.get(article_id, ())),
            tuple((t, paragraph, site.tags[t].label) for t, paragraph in site.tag_paragraphs_in_article.get(
                article_id, ())),
            tuple((c, e.paragraph, e.text) for c, e in site.evidence_in_article.get(article_id, ())),
            tuple(self._claim_line(c) for c in site.claims_of_article.get(article_id, ())),
            (copy_link, self._article(copy_link.origin)) if copy_link else None,
            tuple((edge, self._article(edge.copy)) for edge in site.copies_of.get(article_id, ())),
        )

    def _actor_page(self, actor_id: str) -> tuple[object, ...]:
        site = self.site
        actor = site.actors[actor_id]
        paragraphs = paragraphs_by_article(actor.mentions)
        chunks = self.pages.mentions.get(actor_id)
        if chunks:  # the page shows how many mentions, and the first page of them
            by_article = self._mentions_by_article(actor_id)
            shown = sorted(chunks[0])
            record: object = (replace(actor, mentions=()), len(actor.mentions), len(paragraphs),
                              tuple(by_article[a] for a in shown))
        else:
            shown, record = sorted(paragraphs), actor
        return (
            record,
            tuple(self._quoting(a, paragraphs[a]) for a in shown), len(chunks or ()),
            self._name(actor.affiliation),
            self._names(site.members_of.get(actor_id, ())),
            self._actor_claims(actor_id, 1),
            tuple((other, n, site.actors[other].name)  # as many as `Views._co_mentions_shown` shows
                  for other, n in site.co_mentions.get(actor_id, ())[:site.briefing.page_size]),
            len(site.co_mentions.get(actor_id, ())),
        )

    def _actors_page(self, _: str) -> tuple[object, ...]:
        """`Views.actors_index`: every actor's row, in the index's order, how the longer
        types are split into pages, and who appears with whom among the most mentioned."""
        site = self.site
        top = matrix_actors(site.actors.values())
        return (tuple(self._actor_row(a.id) for a in sorted(site.actors.values(), key=actors_index_order)),
                tuple(sorted(self.pages.actor_lists.items())),
                tuple((a, site.co_mentions.get(a, ())) for a in top))

    def _actors_list_page(self, key: str) -> tuple[object, ...]:
        """Page n of the actors of one type ("<type>/<n>", `Views.actors_list`): their rows,
        and how many pages the type has."""
        actor_type, _, number = key.partition("/")
        chunks = self.pages.actor_lists[actor_type]
        return tuple(self._actor_row(a) for a in chunks[int(number) - 1]), len(chunks)

    def _actor_row_digest(self, actor_id: str) -> str:
        """An actor as the actors index lists it (`Views._actor_row`)."""
        a = self.site.actors[actor_id]
        return _digest((a.id, a.name, a.type, a.role, a.aliases, len(a.mentions), len({m.article for m in a.mentions})))

    def _actor_mentions_page(self, key: str) -> tuple[object, ...]:
        """Page n of an actor's mentions ("<actor id>/<n>", `Views.actor_mentions`): its name,
        its mentions in that page's articles, and whether a page follows (`nearby_pager`)."""
        actor_id, _, number = key.rpartition("/")
        chunks = self.pages.mentions[actor_id]
        by_article = self._mentions_by_article(actor_id)
        articles = sorted(chunks[int(number) - 1])
        return (self.site.actors[actor_id].name, tuple(by_article[a] for a in articles),
                tuple(self._quoting(a, {m.paragraph for m in by_article[a]}) for a in articles),
                int(number) < len(chunks))

    def _actor_claims(self, actor_id: str, number: int) -> tuple[object, ...]:
        """Page `number` of an actor's claims as its pages list them, and how many claims
        and pages there are (`Views._actor_claims_on`)."""
        made = self.site.claims_of_actor.get(actor_id, ())
        return (tuple(self._claim_line(c) for c in self.pages.claims_of(actor_id, made, number)), len(made),
                len(self.pages.actor_claims.get(actor_id, ())))

    def _actor_claims_page(self, key: str) -> tuple[object, ...]:
        """Page n of an actor's claims ("<actor id>/<n>", `Views.actor_claims`): its name and
        that page's claims."""
        actor_id, _, number = key.rpartition("/")
        return self.site.actors[actor_id].name, self._actor_claims(actor_id, int(number))

    def _actor_mentions_by_article(self, actor_id: str) -> dict[str, tuple[Mention, ...]]:
        """An actor's mentions, by article: each page of its mentions takes a few articles'."""
        return mentions_by_article(self.site.actors[actor_id].mentions)

    def _claims_page(self, _: str) -> tuple[object, ...]:
        """The claims page: every claim in the ledger's order (its figures' tables are made
        from them), its speaker's name, how many outlets report it, and the articles its
        reports link to."""
        site = self.site
        claims = tuple(site.claims.values())
        if self.pages.claims is not None:
            # Split (`Views.claims_summary`): every claim as a list shows it and what ranks it;
            # the claims with figures in full, for their tables. Joined from each claim's
            # digest in the records (a claim's line hashed afresh, with its speaker's name,
            # took 273 ms at 10,000 articles after an edit that moved any claim).
            ranked = tuple((self._line_of(c), self._name(c.speaker), c.independent_sources, len(c.evidence),
                            site.outlets_of_claim[c.id]) for c in claims)
            return ranked, self._in_full(tuple(c for c in claims if c.measure and c.number is not None))
        return self._in_full(claims)

    def _in_full(self, claims: tuple[Claim, ...]) -> tuple[object, ...]:
        """Claims as the claims pages show them: each record, its speaker's name, how many
        outlets report it, and the articles its reports link to."""
        site = self.site
        return (tuple(self._record_of(c) for c in claims), tuple(self._name(c.speaker) for c in claims),
                tuple(site.outlets_of_claim[c.id] for c in claims),
                tuple(self._listing(a) for a in sorted({e.article for c in claims for e in c.evidence})))

    def _claims_list_page(self, key: str) -> tuple[object, ...]:
        """One page of the split claims list (`Views.claims_list`): its claims as the claims
        page shows them, and the pages of their status."""
        assert self.pages.claims is not None
        claims = tuple(self.site.claims[c] for c in self.pages.claims.members[key])
        return self._in_full(claims), self.pages.claim_pages_by_status

    def _sources_page(self, _: str) -> tuple[object, ...]:
        """The sources page (`Views.sources`): each article's row in the source index (its
        listing, address, author, origin, the names of its actors and tags, how many claims
        it reports), in order, and every copy link with its passages. Its view is the
        largest of the site (73 MB of HTML at 10,000 articles), built on every build before.
        Split by day (`Views.sources_summary`), it lists the days' pages too."""
        site = self.site
        days = tuple((k, len(ids)) for k, ids in self.pages.sources.members.items()) if self.pages.sources else None
        return (tuple(self._source_row(a.id) for a in site.articles),
                tuple(site.copy_link_of[a.id] for a in site.articles if a.id in site.copy_link_of), days)

    def _sources_list_page(self, key: str) -> tuple[object, ...]:
        """One day's page of the split source index (`Views.sources_list`): its articles'
        rows, and each rewrite's copy link with the title of its origin."""
        assert self.pages.sources is not None
        site = self.site
        members = self.pages.sources.members[key]
        edges = tuple(site.copy_link_of.get(a) for a in members)
        return (tuple(self._source_row(a) for a in members),
                tuple((edge, self._listing(edge.origin)) if edge else None for edge in edges))

    def _source_row_digest(self, article_id: str) -> str:
        """An article's row in the source index (`Views.source_row`), on its page of the
        index and in the summary's digest."""
        site = self.site
        a = site.article_by_id[article_id]
        origin = site.origin_of.get(article_id)
        return _digest((self._listing(article_id), a.url, a.author, origin,
                        self._listing(origin) if origin else None,
                        self._names(site.actors_of_article.get(article_id, ())),
                        tuple((t, site.tags[t].label) for t in site.tags_of_article.get(article_id, ())),
                        len(site.claims_of_article.get(article_id, ()))))

    def _tag_page(self, tag_id: str) -> tuple[object, ...]:
        tag = self.site.tags[tag_id]
        paragraphs = self._tag_paragraphs(tag_id)
        chunks = self.pages.tags.get(tag_id)
        if chunks:  # the page shows how many articles, and the first page of them
            return (replace(tag, articles=(), occurrences=()), len(tag.articles), len(chunks),
                    tuple((a, sorted(paragraphs[a]), self._quoting(a, paragraphs[a])) for a in sorted(chunks[0])))
        return (tag, tuple(self._quoting(a, paragraphs[a]) for a in tag.articles))

    def _tag_articles_page(self, key: str) -> tuple[object, ...]:
        """Page n of a tag's articles ("<tag id>/<n>", `Views.tag_articles`): its label,
        whether a page follows (`nearby_pager`), and the page's articles."""
        tag_id, _, number = key.rpartition("/")
        tag = self.site.tags[tag_id]
        chunks = self.pages.tags[tag_id]
        paragraphs = self._tag_paragraphs(tag_id)
        return (tag.label, int(number) < len(chunks),
                tuple((a, sorted(paragraphs[a]), self._quoting(a, paragraphs[a]))
                      for a in sorted(chunks[int(number) - 1])))

    def _claim_page(self, claim_id: str) -> tuple[object, ...]:
        return self._claim_reports_page(f"{claim_id}/1")

    def _claim_reports_page(self, key: str) -> tuple[object, ...]:
        """Page n of a claim's reports ("<claim id>/<n>", `Views.claim`; page 1 is the
        claim's own page): the claim, its speaker's name, the page's reports (quoted from
        the claim's record) with the articles they link to, and how many pages there are;
        on its own page, how many outlets and reports there are and its independent origins."""
        claim_id, _, number = key.rpartition("/")
        site = self.site
        claim = site.claims[claim_id]
        shown = tuple(self.pages.reports(claim, int(number)))
        listed = tuple(self._listing(a) for a in sorted({e.article for e in shown}))
        pages = self.pages.report_pages.get(claim_id, 1)
        if number != "1":  # a later page: none of the claim's counts (`Views.claim`)
            return replace(claim, evidence=(), independent_sources=0), self._name(claim.speaker), shown, listed, pages
        return (replace(claim, evidence=()), self._name(claim.speaker), site.outlets_of_claim[claim_id],
                shown, listed, len(claim.evidence), pages)


def mentions_by_article(mentions: Iterable[Mention]) -> dict[str, tuple[Mention, ...]]:
    """Mentions grouped by article, each article's in their order."""
    grouped: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        grouped[m.article].append(m)
    return {article: tuple(ms) for article, ms in grouped.items()}


def paragraphs_by_article(spots: Iterable[Mention | TagOccurrence]) -> dict[str, set[int]]:
    """The paragraphs of each article that mentions or tags fall in."""
    paragraphs: dict[str, set[int]] = defaultdict(set)
    for spot in spots:
        paragraphs[spot.article].add(spot.paragraph)
    return paragraphs

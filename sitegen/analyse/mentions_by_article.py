"""Every actor's mentions (and every claim's reports) by article, made again only for the
articles an edit changed.

Four steps of a build read the actors' mentions article by article: the claims' inputs
(which actors each article can name), the tags' name spans, the article pages' links and
their digests. Each went through every mention of every actor again whenever the tuple of
actors changed, which an edit naming someone new does: 720,000 mentions at 10,000 articles,
0.5-1 s each in a warm process. Yet such an edit changes the mentions of one article or
a few. Here the mentions are grouped once; after that, a process that builds again and
again (`sitegen serve`) updates the groups of the articles whose mentions changed and keeps
every other article's group as the very tuple it was, so each step can keep what it made
from a group by the group's identity (`warm.PerRecord`). A claim's reports are grouped
the same way (`reports_by_article`), for the article pages' claims and their digests.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Generic, Protocol, TypeVar

from sitegen.model import Actor, Claim, Evidence, Mention
from sitegen.warm import came_and_went

ArticleMentions = tuple[tuple[str, Mention], ...]
"""(actor id, mention) for every mention in one article, in the order of the actors, then
of each actor's mentions."""

MentionRow = tuple[int, int, int, str]
"""A mention as (paragraph, start, end, actor id): a plain tuple, cheap to make and to hash."""

MOST_CHANGED = 4
"""When more than one record in this many is not the very record of the last tuple, the
groups are made again whole: comparing would cost as much."""


def actors_in(group: ArticleMentions) -> tuple[str, ...]:
    """The ids of the actors an article mentions, most mentioned first (ties by id)."""
    counts = Counter(actor_id for actor_id, _ in group)
    return tuple(actor_id for actor_id, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def reading_order(group: ArticleMentions) -> tuple[MentionRow, ...]:
    """An article's mentions as (paragraph, start, end, actor id), in reading order (ties
    in the actors' order)."""
    return tuple(sorted(((m.paragraph, m.start, m.end, actor_id) for actor_id, m in group), key=itemgetter(0, 1, 2)))


class _Record(Protocol):
    @property
    def id(self) -> str: ...


class _Row(Protocol):
    @property
    def article(self) -> str: ...


Rec = TypeVar("Rec", bound=_Record)
Row = TypeVar("Row", bound=_Row)


class _Grouper(Generic[Rec, Row]):
    """Records' rows (an actor's mentions, a claim's reports) by article: (record id, row)
    for each, in the records' order, then each record's. Holds the last records and their
    groups, and for another tuple of records makes again only the groups of the articles
    where a record that is not the very one of the last tuple has other rows (`_updated`)."""

    def __init__(self, rows_of: Callable[[Rec], Sequence[Row]]) -> None:
        self._rows_of = rows_of
        self._last: tuple[tuple[Rec, ...], dict[str, tuple[tuple[str, Row], ...]]] | None = None

    def __call__(self, records: tuple[Rec, ...]) -> dict[str, tuple[tuple[str, Row], ...]]:
        if self._last is not None and self._last[0] is records:
            return self._last[1]
        groups = self._updated(records, *self._last) if self._last is not None else None
        if groups is None:
            groups = self._whole(records)
        self._last = (records, groups)
        return groups

    def _whole(self, records: Sequence[Rec]) -> dict[str, tuple[tuple[str, Row], ...]]:
        """Every article's rows, grouped from every record."""
        found: dict[str, list[tuple[str, Row]]] = defaultdict(list)
        for record in records:
            for row in self._rows_of(record):
                found[row.article].append((record.id, row))
        return {article_id: tuple(rows) for article_id, rows in found.items()}

    def _updated(self, records: tuple[Rec, ...], last: tuple[Rec, ...],
                 groups: dict[str, tuple[tuple[str, Row], ...]]) -> dict[str, tuple[tuple[str, Row], ...]] | None:
        """`_whole(records)` from the groups of the `last` records: the groups of the
        articles where a record that is not the very one of `last` has other rows than it
        had are made again, the others kept. None where most records changed or the ids of
        both are in another order (a group lists its records in the tuple's order)."""
        came, went = came_and_went(records, last)
        if (len(came) + len(went)) * MOST_CHANGED > len(records):
            return None
        changed_ids = {r.id for r in came} | {r.id for r in went}
        both = {r.id for r in records} & {r.id for r in last}
        if [r.id for r in records if r.id in both] != [r.id for r in last if r.id in both]:
            return None
        then = {r.id: self._by_article(r) for r in went}
        came_by_article = {r.id: self._by_article(r) for r in came}
        touched: set[str] = set()
        for record_id in changed_ids:
            old, new = then.get(record_id, {}), came_by_article.get(record_id, {})
            touched.update(article for article in old.keys() | new.keys() if old.get(article) != new.get(article))
        if not touched:
            return groups
        place = {r.id: n for n, r in enumerate(records)}
        out = dict(groups)
        for article_id in touched:
            rows = [row for row in groups.get(article_id, ()) if row[0] not in changed_ids]
            rows += [(record_id, row) for record_id, found in came_by_article.items()
                     for row in found.get(article_id, ())]
            rows.sort(key=lambda row: place[row[0]])  # stable: each record's rows stay in its order
            if rows:
                out[article_id] = tuple(rows)
            else:
                out.pop(article_id, None)
        return out

    def _by_article(self, record: Rec) -> dict[str, tuple[Row, ...]]:
        found: dict[str, list[Row]] = defaultdict(list)
        for row in self._rows_of(record):
            found[row.article].append(row)
        return {article_id: tuple(rows) for article_id, rows in found.items()}


def _mentions_of(actor: Actor) -> tuple[Mention, ...]:
    return actor.mentions


def _reports_of(claim: Claim) -> tuple[Evidence, ...]:
    return claim.evidence


mentions_by_article: _Grouper[Actor, Mention] = _Grouper(_mentions_of)
"""Article id -> its `ArticleMentions`, for a tuple of actors: the groups of the last tuple
where their articles' mentions are as they were (the very tuples), the others made again.
Callers must not change the result."""

reports_by_article: _Grouper[Claim, Evidence] = _Grouper(_reports_of)
"""Article id -> (claim id, evidence) for every report in it, for a tuple of claims, kept
as `mentions_by_article` keeps the mentions."""

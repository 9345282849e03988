"""Every actor's mentions, by article, made again only for the articles an edit changed.

Four steps of a build read the actors' mentions article by article: the claims' inputs
(which actors each article can name), the tags' name spans, the article pages' links and
their digests. Each went through every mention of every actor again whenever the tuple of
actors changed, which an edit naming someone new does: 720,000 mentions at 10,000 articles,
0.5-1 s each in a warm process. Yet such an edit changes the mentions of one article or
a few. Here the mentions are grouped once; after that, a process that builds again and
again (`sitegen serve`) updates the groups of the articles whose mentions changed and keeps
every other article's group as the very tuple it was, so each step can keep what it made
from a group by the group's identity (`warm.PerRecord`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from operator import itemgetter

from sitegen.model import Actor, Mention

ArticleMentions = tuple[tuple[str, Mention], ...]
"""(actor id, mention) for every mention in one article, in the order of the actors, then
of each actor's mentions."""

MentionRow = tuple[int, int, int, str]
"""A mention as (paragraph, start, end, actor id): a plain tuple, cheap to make and to hash."""

MOST_CHANGED = 4
"""When more than one actor in this many is not the very actor of the last tuple, the
groups are made again whole: comparing would cost as much."""


def actors_in(group: ArticleMentions) -> tuple[str, ...]:
    """The ids of the actors an article mentions, most mentioned first (ties by id)."""
    counts = Counter(actor_id for actor_id, _ in group)
    return tuple(actor_id for actor_id, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def reading_order(group: ArticleMentions) -> tuple[MentionRow, ...]:
    """An article's mentions as (paragraph, start, end, actor id), in reading order (ties
    in the actors' order)."""
    return tuple(sorted(((m.paragraph, m.start, m.end, actor_id) for actor_id, m in group), key=itemgetter(0, 1, 2)))


def _whole(actors: Sequence[Actor]) -> dict[str, ArticleMentions]:
    """Every article's mentions, grouped from every actor."""
    rows: dict[str, list[tuple[str, Mention]]] = defaultdict(list)
    for actor in actors:
        for mention in actor.mentions:
            rows[mention.article].append((actor.id, mention))
    return {article_id: tuple(found) for article_id, found in rows.items()}


def _updated(actors: tuple[Actor, ...], last: tuple[Actor, ...],
             groups: dict[str, ArticleMentions]) -> dict[str, ArticleMentions] | None:
    """`_whole(actors)` from the groups of the `last` actors: the groups of the articles
    where an actor that is not the very one of `last` has other mentions than it had are
    made again, the others kept. None where most actors changed or the ids of both are in
    another order (a group lists its actors in the tuple's order)."""
    before = {id(a) for a in last}
    now = {id(a) for a in actors}
    came = [a for a in actors if id(a) not in before]
    went = [a for a in last if id(a) not in now]
    if (len(came) + len(went)) * MOST_CHANGED > len(actors):
        return None
    changed_ids = {a.id for a in came} | {a.id for a in went}
    both = {a.id for a in actors} & {a.id for a in last}
    if [a.id for a in actors if a.id in both] != [a.id for a in last if a.id in both]:
        return None
    then = {a.id: _by_article(a.mentions) for a in went}
    came_by_article = {a.id: _by_article(a.mentions) for a in came}
    touched: set[str] = set()
    for actor_id in changed_ids:
        old, new = then.get(actor_id, {}), came_by_article.get(actor_id, {})
        touched.update(article for article in old.keys() | new.keys() if old.get(article) != new.get(article))
    if not touched:
        return groups
    place = {a.id: n for n, a in enumerate(actors)}
    out = dict(groups)
    for article_id in touched:
        rows = [row for row in groups.get(article_id, ()) if row[0] not in changed_ids]
        rows += [(actor_id, m) for actor_id, found in came_by_article.items() for m in found.get(article_id, ())]
        rows.sort(key=lambda row: place[row[0]])  # stable: each actor's mentions stay in its order
        if rows:
            out[article_id] = tuple(rows)
        else:
            out.pop(article_id, None)
    return out


def _by_article(mentions: Iterable[Mention]) -> dict[str, tuple[Mention, ...]]:
    found: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        found[m.article].append(m)
    return {article_id: tuple(ms) for article_id, ms in found.items()}


class _Grouper:
    """`mentions_by_article`, holding the last actors and their groups."""

    def __init__(self) -> None:
        self._last: tuple[tuple[Actor, ...], dict[str, ArticleMentions]] | None = None

    def __call__(self, actors: tuple[Actor, ...]) -> dict[str, ArticleMentions]:
        if self._last is not None and self._last[0] is actors:
            return self._last[1]
        groups = _updated(actors, *self._last) if self._last is not None else None
        if groups is None:
            groups = _whole(actors)
        self._last = (actors, groups)
        return groups


mentions_by_article = _Grouper()
"""Article id -> its `ArticleMentions`, for a tuple of actors: the groups of the last tuple
where their articles' mentions are as they were (the very tuples), the others made again.
Callers must not change the result."""


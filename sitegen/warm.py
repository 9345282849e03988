"""What a long-running process (`sitegen serve`) keeps in memory from one build to the next.

A build from the command line starts from disk: it parses every article and reads every
analysis result back from the cache (sqlite, an HMAC check and an unpickle each), over a
second at 1,000 articles before any work is done. A process that rebuilds after each saved
edit keeps both here instead. Nothing here can go stale: an article is kept under its file's
exact text, and a result under the same key the disk cache uses (a hash of everything it
depends on); the values are immutable. After each build only what that build used is kept,
so memory stays the size of the site.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from sitegen.file_memo import FileMemo, WrittenFiles
from sitegen.model import Article

if TYPE_CHECKING:
    import jinja2

    from sitegen.analyse.actor_build import MergeMemory
    from sitegen.analyse.tag_corpus import TagCorpus
    from sitegen.runner import ArticleRunner

class _Record(Protocol):
    @property
    def id(self) -> str: ...


A = TypeVar("A")
H = TypeVar("H", bound=Hashable)
K = TypeVar("K")
R = TypeVar("R")
Rec = TypeVar("Rec", bound=_Record)


class PerRecord:
    """Values made from one immutable record each (a line of `briefing.json`, a row of the
    search index), kept from one build to the next by the records' identity: after an edit
    that leaves the actors and claims as they were, a warm process gets the very records
    back from `WarmState.results`, so their values need not be made again. A value is only
    ever returned for the very object it was made from (held here, so its id is not
    reused). Each list of values (`values`) is kept as its last call made it."""

    def __init__(self) -> None:
        self._lists: dict[str, tuple[tuple[object, ...], list[object]]] = {}

    def keep(self, name: str, records: tuple[A, ...], values: list[R]) -> None:
        """Hold `values`, made elsewhere, as `values(name, records, ...)` would give them."""
        self._lists[name] = (records, values)  # type: ignore[assignment]

    def values(self, name: str, records: Iterable[A], make: Callable[[A], R]) -> list[R]:
        """`[make(r) for r in records]`, kept under `name`: the very list the last call
        gave when every record is the very object it was then (told apart in C: asking for
        each record's value in turn was 23 ms of a rebuild at 1,000 articles, 0.4 s at
        10,000), else each record's value where that call made one for it. Callers must
        not change the list, nor the values."""
        records = tuple(records)
        last_records, last_values = self._lists.get(name, ((), []))
        if len(records) == len(last_records) and all(map(operator.is_, records, last_records)):
            return last_values  # type: ignore[return-value]
        # The last call's records are held here, so an id among theirs is one of them.
        known = {id(r): v for r, v in zip(last_records, last_values, strict=True)}
        values = [known[id(r)] if id(r) in known else make(r) for r in records]
        self._lists[name] = (records, values)
        return values  # type: ignore[return-value]

    def by_key(self, name: str, records: Mapping[K, A], make: Callable[[A], R]) -> dict[K, R]:
        """`values` of a mapping's records, under the mapping's keys."""
        return dict(zip(records, self.values(name, records.values(), make), strict=True))


@dataclass
class WarmState:
    """Owned by one process and used by one build at a time."""

    articles: dict[tuple[str, str], Article] = field(default_factory=dict)
    """Parsed articles by (source file relative to the root, the file's text)."""
    files: FileMemo = field(default_factory=FileMemo)
    """Each input file's digest and text as last read, while its stat is as it was."""
    written: WrittenFiles = field(default_factory=WrittenFiles)
    """The record of the last build and its records' digests, as this process wrote them."""
    results: dict[str, dict[str, object]] = field(default_factory=dict)
    """Analysis results by cache namespace, then by full cache key (`runner.ArticleRunner.keyed`)."""
    cache_keys: dict[str, set[str]] = field(default_factory=dict)
    """The keys the last build used and left in the disk cache, by namespace (empty before
    the first): the next prunes the cache of those it does not use (`cache.DiskCache.prune`)."""
    payload_digests: dict[str, dict[str, str]] = field(default_factory=dict)
    """Digests of stored results the last build read without unpickling them, by namespace
    and key (`runner.ArticleRunner.stored_digests`)."""
    export_lines: PerRecord = field(default_factory=PerRecord)
    """Each actor's and claim's encoded line of `briefing.json` (`export.briefing_json_parts`)."""
    search_rows: PerRecord = field(default_factory=PerRecord)
    """Each article's, actor's and claim's row of the search index (`search.search_records`)."""
    feed_entries: PerRecord = field(default_factory=PerRecord)
    """Each article's entry of the Atom feed (`feeds.atom_feed`)."""
    tag_corpus: TagCorpus | None = None
    """The tags' corpus step tallies, updated for the articles each build changed."""
    actor_memory: MergeMemory | None = None
    """What the last merge of names made each actor from (`actor_build.build_actors_after`)."""
    theme: tuple[str, jinja2.Environment] | None = None
    """The theme's template environment, its templates compiled as pages first used them,
    with the `uptodate.theme_fingerprint` it was made for: compiling the templates an edit
    renders took ~0.04 s of each rebuild. Any change to the theme folders (or to sitegen)
    makes a new one, so a template added in the site's own theme is never shadowed by one
    compiled from the built-in theme."""

    def holds_last_build(self) -> bool:
        """Whether the next build can start from what this process holds. Not after a
        build that found the site up to date (it loaded nothing), nor after a cold one,
        which merged the names in a child (`pipeline._cold_analyse`) that kept the merge's
        facts: the first edit would merge every name again (an edit naming someone at 10,000
        articles took 34 s so, 19 s after the warm-up)."""
        return bool(self.results) and self.actor_memory is not None and self.actor_memory.last is not None


class ByIdentity(Generic[A, R]):
    """`make`, remembering its last argument and result: called again with that very
    object, it returns the same result without running (`by_identity`)."""

    def __init__(self, make: Callable[[A], R], update: Callable[[A, A, R], R] | None = None,
                 keeping: Callable[[A], R] | None = None) -> None:
        functools.update_wrapper(self, make)
        self._make = make
        self._update = update
        self._keeping = keeping
        """`make` as a process that builds again and again makes its first result
        (`through(made_here=True)`): keeping what it makes of each record (`PerRecord`),
        which the next `update` takes instead of making it again."""
        self.label = f"{make.__module__}.{make.__qualname__}"
        """The name its results are kept under in the cache (`through`)."""
        self._last: tuple[A, R] | None = None

    def __call__(self, value: A) -> R:
        if self._last is not None and self._last[0] is value:
            return self._last[1]
        if self._update is not None and self._last is not None:
            result = self._update(value, *self._last)
        else:
            result = self._make(value)
        self._last = (value, result)
        return result

    def keep(self, value: A, result: R) -> None:
        """Remember `result` as what `value` gives, made elsewhere."""
        self._last = (value, result)

    def through(self, runner: ArticleRunner, value: A, made_here: bool = False) -> R:
        """`self(value)`, kept in the cache with what `value` was made from, and read back
        from there when it can be (`ArticleRunner.derived`). A result this process holds for
        that very value is not read again. `made_here`: made even where the cache holds it
        (the first time with `keeping`), for what is kept of each record (`PerRecord`), which
        a result read back leaves empty; the next call then takes each record's value from
        there. What is derived from the result is kept in the cache as from the stored one."""
        if self._last is not None and self._last[0] is value:
            runner.keep_derived(self.label, value)
            return self._last[1]
        if made_here:
            result = self._keeping(value) if self._keeping is not None and self._last is None else self(value)
            stored = runner.derived(self.label, value, lambda: result)  # stored, where the cache lacks it
            origin = runner.origin_of(stored)
            if origin is not None:
                runner.made_from(result, origin)
        else:
            result = runner.derived(self.label, value, lambda: self(value))
        self.keep(value, result)
        return result


def came_and_went(records: Iterable[A], last: Iterable[A]) -> tuple[list[A], list[A]]:
    """The records that are not the very objects of `last`, and those of `last` that are
    not among `records`: what changed between two tuples of records, by identity (an
    equal record made again counts as both)."""
    records, last = list(records), list(last)
    before, now = {id(r) for r in last}, {id(r) for r in records}
    return [r for r in records if id(r) not in before], [r for r in last if id(r) not in now]


def kept_when_equal(records: Iterable[Rec], last: Iterable[Rec]) -> list[Rec]:
    """`records`, each equal to the record of `last` with its id given back as that very
    object: what a process that builds again and again made from a record is kept by the
    record's identity (`PerRecord`), so a record an edit left as it was should stay the
    one it made it from (the actors of `actor_build`, the claims of the ledger)."""
    by_id = {r.id: r for r in last}
    return [found if (found := by_id.get(r.id)) is r or found == r else r for r in records]


def by_identity(make: Callable[[A], R], update: Callable[[A, A, R], R] | None = None,
                keeping: Callable[[A], R] | None = None) -> ByIdentity[A, R]:
    """`make`, remembering its last argument and result: called again with that very
    object, it returns the same result without running.

    For indexes made from the actors alone (who is mentioned where, who appears with whom,
    every actor's name words). When an edit leaves every actor as it was (most edits do), a
    warm process gets the very tuple of actors back from `WarmState.results`, and the
    indexes need not be made again (4 s of a profiled rebuild's main process at 10,000
    articles; a rebuild in `sitegen serve` 21-27 -> 15-20 s in all). A build from
    the command line makes each once, as before. The argument must be immutable (a tuple
    of frozen records) and callers must not change the result, but for a memo it holds of
    what it is made from (`ArticleKeys`).

    With `update`, a call with another value makes the result by `update(value, last
    value, last result)`, which may take from the last result what the change left as
    it was (`_ActorInputs.after`); a process's first call makes it whole (with `keeping`
    when it keeps what it makes of each record: `ByIdentity.through`), and a build from
    the command line makes one call."""
    return ByIdentity(make, update, keeping)


class EachByValue(Generic[H, R]):
    """`make` of each of many values, remembering the results for the values of the last
    call (`each_by_value`)."""

    def __init__(self, make: Callable[[H], R]) -> None:
        functools.update_wrapper(self, make)
        self._make = make
        self._last: dict[H, R] = {}

    def __call__(self, values: Iterable[H]) -> list[R]:
        now: dict[H, R] = {}
        out = []
        last = self._last
        for value in values:
            result = now.get(value, _MISSING)
            if result is _MISSING:
                result = last.get(value, _MISSING)
                if result is _MISSING:
                    result = self._make(value)
                now[value] = result  # type: ignore[assignment]
            out.append(result)
        self._last = now
        return out  # type: ignore[return-value]

    @property
    def remembers(self) -> bool:
        """Whether a call has left results to give back (a process's first call has not)."""
        return bool(self._last)

    def remap(self, change: Callable[[R], R]) -> None:
        """Put `change(result)` in place of each result remembered (an equal one: the
        caller keeps another object for it)."""
        self._last = {value: change(result) for value, result in self._last.items()}


def each_by_value(make: Callable[[H], R]) -> EachByValue[H, R]:
    """`make` of each of many values, remembering the results for the values of the last
    call: a value equal to one of those gets the same result without running.

    For digests of rows made afresh each build from records that mostly stay as they were
    (what each article's page shows: at 1,000 articles hashing every row was 23 ms of a
    rebuild in `sitegen serve`; finding it by value, a hash of the tuple, takes a few). The
    values must be hashable, and equal only where `make` gives the same result (one type
    in each place: `1 == 1.0 == True` would otherwise share a result)."""
    return EachByValue(make)


_MISSING = object()


class ArticleKeys:
    """Cache keys made from each article and values that are the same for every article
    (the actors' names, say), kept by the article's file digest for the articles of the
    last call. Held with those shared values (`by_identity`), a process that builds again
    and again gets them back while an edit leaves the values as they were, and then makes
    the keys of the articles the edit changed alone. In an edit rebuilt by `sitegen serve`
    at 1,000 articles the claims' join went 0.09-0.10 -> 0.04-0.05 s and the tags stage
    0.16-0.20 -> 0.12 s. An article with no file digest (made in code) has its key made
    each time."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], str] = {}

    def without(self, article_ids: Iterable[str]) -> ArticleKeys:
        """A copy that keeps the keys of every article but these (whose inputs changed)."""
        stale = set(article_ids)
        copy = ArticleKeys()
        copy._kept = {known: key for known, key in self._kept.items() if known[0] not in stale}
        return copy

    def of(self, articles: Sequence[Article], make: Callable[[int], str]) -> list[str]:
        """Each article's key: kept, or `make(index)`."""
        kept, self._kept = self._kept, {}
        keys = []
        for index, article in enumerate(articles):
            known = (article.id, article.content_digest) if article.content_digest else None
            key = kept.get(known) if known else None
            if key is None:
                key = make(index)
            if known:
                self._kept[known] = key
            keys.append(key)
        return keys

"""Tags: keywords that describe the story, not one article's quirks (issue 7).

YAKE proposes candidates per article (`keywords.py`); here they are filtered and blended
with a corpus signal, as the EU JRC's news indexing does with YAKE + KPMiner:

1. per article, drop candidates that are numbers or dates, start or end with a stop
   word, do not occur inside one sentence of the text (so cross a sentence boundary),
   are an actor's name or a fragment of one (actors have their own pages), or repeat a
   better-ranked candidate (same stems, or one's stems contain the other's);
2. across articles, a tag's score is the sum of its per-article relevance plus a little
   for every further article whose text carries its words, so tags many articles share
   rise; a tag only one article carries is kept only if it ranks high there;
3. the briefing keeps the best `BRIEFING_MAX`; each article keeps the `PER_ARTICLE` of
   those that matter most to it;
4. steps 2-3 need several articles to agree, so on a story of two or three articles they
   keep little: an article left with fewer than `PER_ARTICLE_FLOOR` tags takes its own
   best-ranked candidates that passed step 1.

Step 1 is here; steps 2-4 are `tag_corpus.py`. Matching is on stems within sentences
("troop deployments" finds "troop deployment").
Deterministic: every ranking breaks ties by text.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from sitegen.analyse.keywords import KEYWORD_SETTINGS, Keyword, article_keywords
from sitegen.analyse.mentions_by_article import ArticleMentions, mentions_by_article
from sitegen.analyse.shingles import STOPWORDS, split_sentences, stem, tokens
from sitegen.analyse.tag_corpus import (
    ArticleTagFacts,
    Candidate,
    Key,
    StemParagraphs,
    TagCorpus,
    packed_words,
    repeats,
    tags_from_facts,
)
from sitegen.model import Actor, Article, Tag
from sitegen.runner import MIN_POOL_ITEMS, SERIAL_RUNNER, ArticleRunner, in_batches, item_key, step_label
from sitegen.warm import ArticleKeys, PerRecord, by_identity

ARTICLE_CANDIDATES = 20
"""Filtered candidates kept per article; relevance falls linearly from 1 to 1/20."""
UNIGRAM_MAX_ZIPF = 4.5
"""A lone word must be rarer in general English (wordfreq's Zipf scale: 4.5 is about 30
per million words) than "situation" (5.1), "military" (5.2) or "soldiers" (4.7); it
keeps "escalation" (3.3), "withdrawal" (4.1), "cranes" (3.3)."""
PHRASE_MAX_ZIPF = 5.0
"""A phrase needs one word rarer than this ("international community" has none)."""
# Calendar words: "Monday", "Oct." say when, not what. Generic English.
CALENDAR = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec week weekend month year""".split()  # noqa: SIM905
)
NUMBER_WORDS = frozenset(
    """one two three four five six seven eight nine ten eleven twelve twenty thirty forty
    fifty hundred hundreds thousand thousands million millions billion billions dozen
    dozens half""".split()  # noqa: SIM905
)
"""Figures written out ("four brigades") are numbers too."""
DETERMINERS = frozenset(
    "the a an its their his her our your this these those of".split()  # noqa: SIM905
)
"""Words a noun follows: a lone-word tag must be seen after one somewhere in the corpus."""
INNER_WORDS = frozenset({"of", "and"})
"""The only stop words a tag may hold inside ("rule of law", "search and rescue")."""
EXTRA_STOPWORDS = frozenset(
    """according reportedly told added noted stated also new last first next later alongside
    despite regarding following concerning beyond behind besides near inside outside
    throughout""".split()  # noqa: SIM905
)

def article_text(article: Article) -> str:
    """The text YAKE reads: paragraphs as blocks, so none runs into the next."""
    return "\n\n".join(p.text for p in article.paragraphs)


def analyse_tags(
    articles: Sequence[Article], actors: Sequence[Actor], runner: ArticleRunner | None = None,
    keywords: Sequence[Sequence[Keyword]] | None = None, corpus: TagCorpus | None = None,
) -> tuple[Tag, ...]:
    """Tags for the briefing, each with the articles and paragraphs that carry it.

    With a `runner`, YAKE and the per-article filter run through it (cached, in a process
    pool); each is a function of one article and the names that bear on its candidates.
    `keywords`: each article's `extract_keywords` result, if it was run already; `corpus`:
    the corpus step's tallies a warm process keeps from its last build (`TagCorpus`)."""
    runner = runner or SERIAL_RUNNER
    if keywords is None and runner.cache is None:  # no item can be found by its key: every one is made
        keywords = extract_keywords(articles, runner)
    return _tags(articles, actors, keywords, runner, corpus)


def uncached_keywords(articles: Sequence[Article], runner: ArticleRunner) -> int:
    """How many articles' YAKE keywords `analyse_tags` would have to compute."""
    return len(runner.missing(article_keywords, [article_text(a) for a in articles], settings=KEYWORD_SETTINGS))


def extract_keywords(articles: Sequence[Article], runner: ArticleRunner) -> list[tuple[Keyword, ...]]:
    """YAKE's keywords of each article (cached, pooled)."""
    return runner.map(article_keywords, [article_text(a) for a in articles], settings=KEYWORD_SETTINGS)


def keywords_ahead(articles: Sequence[Article], runner: ArticleRunner) -> list[tuple[Keyword, ...]] | None:
    """`extract_keywords` before actors are known: of the tags, the one step that needs
    none, and most of a cold build's CPU, so a build can start it first. The keywords are
    left in the cache, where `analyse_tags` finds them, and returned only without one:
    300 an article, held by the process that asked, are 400 MB at 10,000 articles."""
    found = extract_keywords(articles, runner)
    return found if runner.cache is None else None


def tags_from_keywords(
    articles: Sequence[Article],
    actors: Sequence[Actor],
    keywords_of: Callable[[Article], Sequence[Keyword]] | Mapping[str, Sequence[Keyword]],
) -> tuple[Tag, ...]:
    """The tags, given each article's YAKE keywords (a function, or a mapping by article
    id): steps 1-4 on keywords chosen by hand."""
    found = [keywords_of[a.id] if isinstance(keywords_of, Mapping) else keywords_of(a) for a in articles]
    return _tags(articles, actors, found, SERIAL_RUNNER)


def _tags(
    articles: Sequence[Article], actors: Sequence[Actor], found: Sequence[Sequence[Keyword]] | None,
    runner: ArticleRunner, corpus: TagCorpus | None = None,
) -> tuple[Tag, ...]:
    """Steps 1-4. A build from the command line (no warm `corpus`) takes up the corpus
    step's tallies the last build left in the cache (`_LastCorpus`): the articles whose
    facts' keys changed are taken out and put in again, as a warm process does."""
    inputs = _FactInputs(articles, actors, runner, found)
    keys = inputs.keys()
    label = step_label(article_tag_facts)
    inputs.look_up_frequencies(runner.missing_keyed(label, keys, FACT_SETTINGS))
    facts = dict(zip((a.id for a in articles),
                     runner.starmap_lazily(article_tag_facts, keys, inputs.items, settings=FACT_SETTINGS), strict=True))
    if corpus is not None or runner.cache is None:
        return tags_from_facts(facts, corpus)
    keyed = dict(zip((a.id for a in articles), keys, strict=True))
    last = _LastCorpus.read(runner)
    used = (last.taken_up(runner, facts, keyed) if last is not None else None) or TagCorpus()
    tags = tags_from_facts(facts, used)
    same = last is not None and last.corpus is used and last.keys == keyed  # kept as it was: not stored again
    runner.keep_latest(CORPUS_LABEL, last if same else _LastCorpus(keyed, used))
    return tags


CORPUS_LABEL = f"{__name__}._LastCorpus"


@dataclass(frozen=True, slots=True)
class _LastCorpus:
    """The corpus step's tallies a build from the command line leaves for the next
    (`ArticleRunner.keep_latest`; pickled without the facts they count, 1 MB at 1,000
    articles), with the key of each article's facts they count. The next build takes
    them up (`taken_up`) and updates them for the articles an edit changed instead of
    adding up every article again (0.13 s at 1,000 articles)."""

    keys: dict[str, str]
    """Article id -> the key of the facts `corpus` counts for it (`_FactInputs.keys`)."""
    corpus: TagCorpus

    @staticmethod
    def read(runner: ArticleRunner) -> _LastCorpus | None:
        last = runner.latest(CORPUS_LABEL)
        return last if isinstance(last, _LastCorpus) else None

    def taken_up(self, runner: ArticleRunner, facts: Mapping[str, ArticleTagFacts],
                 keys: Mapping[str, str]) -> TagCorpus | None:
        """The tallies, counting again the facts they were made from: this build's `facts`
        (by article id) where an article's key (`keys`) is as it was, the others read back
        by their old key; None when one of those is no longer in the cache."""
        changed = sorted(a for a, key in self.keys.items() if keys.get(a) != key)
        old = runner.lookup(step_label(article_tag_facts), [self.keys[a] for a in changed], FACT_SETTINGS)
        gone = {a: f for a, f in zip(changed, old, strict=True) if isinstance(f, ArticleTagFacts)}
        if len(gone) < len(changed):
            return None
        self.corpus.counting({a: gone[a] if a in gone else facts[a] for a in self.keys})
        return self.corpus


FACT_SETTINGS = (f"tag-facts/3 {ARTICLE_CANDIDATES} {UNIGRAM_MAX_ZIPF} {PHRASE_MAX_ZIPF} "
                 f"{sorted(CALENDAR | NUMBER_WORDS | DETERMINERS | INNER_WORDS | EXTRA_STOPWORDS)}")
"""Part of `article_tag_facts`' cache key (with the code's own hash)."""

_FactItem = tuple[Article, Sequence[Keyword], Mapping[int, Sequence[tuple[int, int]]], "_NameFilter"]

_KEYS_LABEL = f"{__name__}._FactInputs.keys"
_KEYS_SETTINGS = f"{FACT_SETTINGS} {KEYWORD_SETTINGS}"
_NAMES_LABEL = f"{__name__}._FactInputs.names"
"""The last build's whole name filter (`ArticleRunner.latest`), for `_FactInputs._kept_keys`."""
_MAX_CHANGED_NAMES = 200
"""More names and name words than this came or went (curated actors edited, a new batch
of articles): every article's key is made again rather than each text searched for them."""


def _actor_names(actors: tuple[Actor, ...]) -> tuple[_NameFilter, dict[str, dict[int, list[tuple[int, int]]]]]:
    """What the tags take from the actors: their names (no tag is an actor's name), and
    where each article mentions them (spans, by paragraph). A process that builds again
    and again makes them before it forks the tags stage, so the stage inherits them."""
    mentions: dict[str, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for actor in actors:
        for m in actor.mentions:
            mentions[m.article][m.paragraph].append((m.start, m.end))
    spans = {article_id: {n: sorted(found) for n, found in sorted(by_paragraph.items())}
             for article_id, by_paragraph in mentions.items()}
    return _NameFilter.of(actors), spans


def _actor_names_by_groups(actors: tuple[Actor, ...]
                           ) -> tuple[_NameFilter, dict[str, dict[int, list[tuple[int, int]]]]]:
    """`_actor_names` in a process that builds again and again: each article's spans from
    its group of mentions (`mentions_by_article`), kept by the group, which an edit changes
    for the articles it changed alone."""
    groups = mentions_by_article(actors)
    spans = _SPANS.by_key("spans", groups, _spans_of)
    return _NameFilter.of(actors), spans


def _actor_names_after(actors: tuple[Actor, ...], _last_actors: tuple[Actor, ...], _last: object
                       ) -> tuple[_NameFilter, dict[str, dict[int, list[tuple[int, int]]]]]:
    """`_actor_names_by_groups`, whose kept spans are what it takes from the last build."""
    return _actor_names_by_groups(actors)


def _spans_of(group: ArticleMentions) -> dict[int, list[tuple[int, int]]]:
    """Where an article names actors: (start, end) spans by paragraph, in order."""
    by_paragraph: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for _, m in group:
        by_paragraph[m.paragraph].append((m.start, m.end))
    return {n: sorted(found) for n, found in sorted(by_paragraph.items())}


_FOLDED = PerRecord()
"""Each article's `_folded_text`, kept by the article's identity in a process that builds
again and again: folding every text again was 0.5-0.7 s of each edit naming someone new at
10,000 articles (`_FactInputs._kept_keys`), for 50 MB held."""


def _folded_text(article: Article) -> bytes:
    """The article's text lowered, curly apostrophes straightened, as UTF-8, in which a name
    written in the text is found whatever its case: a string is in another exactly when its
    UTF-8 bytes are in the other's."""
    return article_text(article).lower().replace("\u2019", "'").encode()


_SPANS = PerRecord()
"""Each article's spans, kept by its group of mentions (`mentions_by_article`), which an
edit changes for the articles it changed alone."""

actor_names = by_identity(_actor_names, update=_actor_names_after, keeping=_actor_names_by_groups)
"""The tags' names and spans (`_actor_names`), made once for the very same tuple of actors,
and in a process that builds again and again from the groups of mentions: its first build
(`sitegen serve`'s warm-up) keeps each group's spans for its first edit."""


@by_identity
def _article_keys(named: tuple[_NameFilter, object]) -> tuple[ArticleKeys, ArticleKeys]:
    """Each article's key by the whole name filter, and its text's key (`_FactInputs.keys`),
    kept with the very names and mentions (`actor_names`) the first were made from; and in
    the cache with them (`ByIdentity.through`), pickled when the runner closes with the keys
    that build made, so a build from the command line after an edit that left the actors
    as they were makes the edited article's alone (1,000 of each took 0.05-0.08 s)."""
    return ArticleKeys(), ArticleKeys()


class _FactInputs:
    """Each article's input to `article_tag_facts`, and its cache key.

    An item holds the article, its keywords, where actors are mentioned in it and the actor
    names its keywords could be (`_NameFilter.restricted_to`), so an edit elsewhere leaves
    the item, and its key, as it was. Restricting the filter to an article's keywords is
    most of what making its key costs (0.9 of the 1.7 s the tags step of a rebuild took at
    1,000 articles), so the key is first looked up by a cheaper one made with the whole
    filter's digest instead: while no actor name comes or goes, every article but an
    edited one finds its key there and its filter is never restricted. That key names the
    article rather than its keywords (which its text and YAKE's settings determine), so
    those are not even read back. Without a cache no key is looked up, so none is made."""

    def __init__(self, articles: Sequence[Article], actors: Sequence[Actor], runner: ArticleRunner,
                 found: Sequence[Sequence[Keyword]] | None = None) -> None:
        self.articles = articles
        self._runner = runner
        self._found = {i: tuple(kws) for i, kws in enumerate(found)} if found is not None else {}
        named = actor_names.through(runner, tuple(actors))
        self.names, spans = named
        self._article_keys = _article_keys.through(runner, named)
        self._named_parts = functools.cache(self.names.named_parts)  # keywords recur from article to article
        self._restricted: dict[int, _NameFilter] = {}
        self._words: set[str] = set()
        """Every word of the keywords read so far, for `look_up_frequencies`."""
        self._words_of: set[int] = set()
        """The articles whose keywords' words are in `_words`."""
        self.spans = [spans.get(a.id, {}) for a in articles]

    def keys(self) -> list[str]:
        """Each item's `item_key`, found by the whole filter where a build with the same
        names made it, else made from the restricted item, unless the names that came or
        went since the last build are not even in the article's text (`_kept_keys`)."""
        if self._runner.cache is None:
            return [""] * len(self.articles)
        last = self._runner.latest(_NAMES_LABEL, _KEYS_SETTINGS)
        last_names = last if isinstance(last, _NameFilter) else None

        def restricted_keys(todo: list[int]) -> list[str]:
            found = self._kept_keys(todo, last_names) if last_names is not None else {}
            rest = [i for i in todo if i not in found]
            for batch in in_batches(rest):
                found.update(zip(batch, [item_key(b"", item) for item in self.items(batch)], strict=True))
            return [found[i] for i in todo]

        by_all_names, by_text = self._article_keys
        names_digest = functools.cache(lambda: item_key(b"", self.names))
        keys = self._runner.keyed(
            _KEYS_LABEL, by_all_names.of(self.articles, lambda i: self._by_all_names_key(i, names_digest())),
            restricted_keys, settings=_KEYS_SETTINGS)
        self._runner.keep_latest(_NAMES_LABEL, last if last == self.names else self.names, _KEYS_SETTINGS)
        # Kept for the next build, which will need an article's keywords if its names change
        # (the keys `extract_keywords` looks them up by).
        text_keys = by_text.of(self.articles, lambda i: item_key(b"", article_text(self.articles[i])))
        self._runner.keep_keyed(step_label(article_keywords), text_keys, KEYWORD_SETTINGS)
        return keys

    def _by_all_names(self, names: _NameFilter, indices: Iterable[int]) -> list[str]:
        """The keys of articles `indices` by the whole filter `names`."""
        digest = item_key(b"", names)
        return [self._by_all_names_key(i, digest) for i in indices]

    def _by_all_names_key(self, index: int, names_digest: str) -> str:
        return item_key(b"tag facts by all names", (self.articles[index], self.spans[index], names_digest))

    def _kept_keys(self, todo: Sequence[int], last: _NameFilter) -> dict[int, str]:
        """The keys, by index, of those articles `todo` that the last build (whose filter was
        `last`) keyed and whose text has none of the names or name words that came or went
        since: their restricted filters, and so their items, are as they were (a name a
        keyword holds is written in the text, word for word). An edit that names someone
        new changes the whole filter, and every article's key would otherwise be made
        again: its keywords read back, its filter restricted, its item hashed (0.5 s at
        1,000 articles)."""
        changed_names = last.names ^ self.names.names
        changed_words = last.name_words ^ self.names.name_words
        if not (changed_names or changed_words) or len(changed_names) + len(changed_words) > _MAX_CHANGED_NAMES:
            return {}
        words = [[w.encode() for w in name.split()] for name in changed_names]
        name_words = [w.encode() for w in changed_words]
        folded = _FOLDED.values("texts", self.articles, _folded_text) if self._runner.keeps_memory else None

        def may_name(index: int) -> bool:
            text = folded[index] if folded is not None else _folded_text(self.articles[index])
            return any(w in text for w in name_words) or any(all(w in text for w in name) for name in words)

        untouched = [i for i in todo if not may_name(i)]
        stored = self._runner.lookup(_KEYS_LABEL, self._by_all_names(last, untouched), _KEYS_SETTINGS)
        return {i: key for i, key in zip(untouched, stored, strict=True) if isinstance(key, str)}

    def _keywords(self, indices: Sequence[int]) -> None:
        """YAKE's keywords of these articles, read back or computed together (pooled)."""
        todo = [i for i in indices if i not in self._found]
        if todo:
            self._found.update(zip(todo, extract_keywords([self.articles[i] for i in todo], self._runner),
                                   strict=True))

    def _keyword_words(self, index: int) -> Iterator[str]:
        """The words of article `index`'s keywords (read), as the tag filter rates them."""
        return (t for surface, _ in self._found[index] for t in _phrase_tokens(surface))

    def look_up_frequencies(self, indices: Sequence[int]) -> None:
        """The Zipf frequency of every word of these articles' keywords, put in `_ZIPF`
        before their step runs (here, or in workers forked after): read from the cache
        where a build looked a word up before, so an edit does not import wordfreq for the
        few dozen words of one article. When the keys were made from these very articles'
        keywords (a cold build), their words were noted then, and are not read again."""
        if not indices:
            return
        if set(indices) == self._words_of:
            words = sorted(self._words)
        else:
            found: set[str] = set()
            for batch in in_batches(indices):
                self._keywords(batch)
                for i in batch:
                    found.update(self._keyword_words(i))
                self._release(batch)
            words = sorted(found)
        if len(indices) >= MIN_POOL_ITEMS:
            # The step will run in the pool (a cold build): its workers load wordfreq (50 MB)
            # for it anyway, so they look the words up; this process does not load it.
            values = self._runner.map(word_frequency, words, FREQUENCY_SETTINGS, keys=words)
        else:
            values = self._runner.keyed(step_label(word_frequency), words,
                                        lambda todo: [word_frequency(words[i]) for i in todo], FREQUENCY_SETTINGS)
        _ZIPF.update(zip(words, values, strict=True))

    def items(self, indices: list[int]) -> list[_FactItem]:
        """These articles' items; each filter is restricted once, for its key and its step
        alike. Their keywords are read together, and left to the items (`_release`); their
        words are noted the first time (`_words`, for `look_up_frequencies`)."""
        self._keywords(indices)
        made: list[_FactItem] = []
        for index in indices:
            found = self._found[index]
            if index not in self._words_of:
                self._words_of.add(index)
                self._words.update(self._keyword_words(index))
            restricted = self._restricted.get(index)
            if restricted is None:
                restricted = self._restricted[index] = self.names.restricted_to(
                    (surface for surface, _ in found), self._named_parts)
            made.append((self.articles[index], found, self.spans[index], restricted))
        self._release(indices)
        return made

    def _release(self, indices: Sequence[int]) -> None:
        """Let go of these articles' keywords, where they can be read back from the cache
        (a process memory's or the disk's): 300 an article, 500 MB at 10,000 articles if
        all were held, which the tags stage did from making its keys to its last item."""
        if self._runner.cache is not None:
            for index in indices:
                self._found.pop(index, None)


def article_tag_facts(
    article: Article,
    found: Sequence[Keyword],
    spans: Mapping[int, Sequence[tuple[int, int]]],
    names: _NameFilter,
) -> ArticleTagFacts:
    """The per-article step: filter one article's YAKE candidates (step 1)."""
    index = _StemIndex(article)
    candidates = _filter(found, index, names, _NameSpans(article, spans))
    return ArticleTagFacts(
        candidates=tuple(candidates),
        nouns=packed_words(index.after_determiner),
        lower_words=packed_words({t for p in article.paragraphs for t in _words(p.text) if t.islower()}),
        topical=StemParagraphs.of(index.paragraphs_of(index.topical | {c.key for c in candidates})),
    )


def _filter(found: Sequence[Keyword], index: _StemIndex, names: _NameFilter, spans: _NameSpans) -> list[Candidate]:
    """One article's usable candidates, best first, with relevance in (0, 1]."""
    kept: list[tuple[Key, str]] = []
    said: list[Key] = []  # kept candidates as YAKE wrote them, before `_headed` trimmed them
    for surface, _ in found:
        surface_words = _usable(surface.split(), index, names)
        if surface_words is None:
            continue
        whole = _stems(surface)
        words = _headed(surface_words, index, names)
        surface = " ".join(words)
        key = _stems(surface)
        if any(repeats(key, k) for k in said) or any(repeats(key, k) for k, _ in kept):
            continue
        if spans.touches_name(words, index.paragraphs_with(key)):  # the costliest checks last
            continue
        if whole != key and spans.touches_name(surface_words, index.paragraphs_with(whole)):
            continue  # trimmed from a name or a source ("harbour master said" is no "harbour")
        kept.append((key, surface))
        said.append(whole)
        if len(kept) == ARTICLE_CANDIDATES:
            break
    return [Candidate(key, surface, 1.0 - rank / ARTICLE_CANDIDATES) for rank, (key, surface) in enumerate(kept)]


# Keywords recur from article to article (a story's phrases, YAKE's common words), and
# each is tokenised, stemmed, looked up and matched several times per article: memoised.
@functools.lru_cache(maxsize=1 << 16)
def _phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(tokens(phrase))


@functools.lru_cache(maxsize=1 << 16)
def _stems(phrase: str) -> Key:
    return tuple(stem(t) for t in _phrase_tokens(phrase))


_ZIPF: dict[str, float] = {}
"""Words' Zipf frequencies known to this process: looked up, or read from the cache before
a step runs (`_FactInputs.look_up_frequencies`)."""


def _zipf(word: str) -> float:
    known = _ZIPF.get(word)
    if known is None:
        known = _ZIPF[word] = word_frequency(word)
    return known


def word_frequency(word: str) -> float:
    """wordfreq's Zipf frequency of an English word. Importing wordfreq and loading its
    list takes 0.25 s, so only for words no build has looked up before."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def load_word_frequencies() -> None:
    """Load wordfreq's English list now (it loads on first use), for processes forked later."""
    word_frequency("the")


FREQUENCY_SETTINGS = "zipf/1 en"
"""Part of the cache key of a word's frequency (wordfreq's version is in the code's hash)."""


@functools.lru_cache(maxsize=1 << 14)
def _phrase_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """The words as written in a text, any case, a possessive allowed after each (YAKE
    drops one: "Russia's plans" -> "Russia plans")."""
    return re.compile(  # the lookahead on the first character lets the search skip to it
        rf"(?=[{re.escape(words[0][:1])}])(?<![\w'\u2019])"
        + r"(?:['\u2019]s)?\W+".join(re.escape(w) for w in words) + r"(?:['\u2019]s)?(?!\w)",
        re.IGNORECASE,
    )


@functools.lru_cache(maxsize=1 << 16)
def _plain(word: str) -> bool:
    """A word that may open or close a topic: no stop word, no figure."""
    return word not in _STOP and not any(c.isdigit() for c in word)


def _usable(words: list[str], index: _StemIndex, names: _NameFilter) -> list[str] | None:
    """`words` if they can name a topic of this article on their own, else None."""
    phrase = " ".join(words)
    if _topic_words(phrase) is None or _verb_edge(words, index) or names.is_name(words):
        return None
    if not index.paragraphs_with(_stems(phrase)):
        return None  # not inside one sentence of this article
    return words


@functools.lru_cache(maxsize=1 << 16)
def _topic_words(phrase: str) -> tuple[str, ...] | None:
    """The phrase's tokens if its words alone allow a topic, whatever the article."""
    words = phrase.split()
    toks = _phrase_tokens(phrase)
    if not words or len(toks) != len(words) or not all(w[0].isalnum() for w in words):
        return None  # stray punctuation ("Korea 's involvement")
    if any(any(c.isdigit() for c in t) or t.strip(".") in CALENDAR or t in NUMBER_WORDS for t in toks):
        return None
    if toks[0] in _STOP or toks[-1] in _STOP:
        return None
    if any(t in _STOP and t not in INNER_WORDS for t in toks[1:-1]):
        return None  # a clause ("raises the risk"), not a name for a topic
    if _too_common(toks):
        return None
    return toks


def _headed(words: list[str], index: _StemIndex, names: _NameFilter) -> list[str]:
    """A phrase ends on its head noun. When its last word is never written after an
    article, "of" or a number in this article ("pine forests north", "wildfire swept"),
    the phrase without it names the topic better, if that is usable on its own (and,
    for a lone word, is seen as a noun). A plural ("troop deployments") is a noun that
    English often writes bare, so it stays."""
    while len(words) > 1 and not _plural(words[-1]) and stem(words[-1].lower()) not in index.after_determiner:
        shorter = _usable(words[:-1], index, names)
        if shorter is None or (len(shorter) == 1 and stem(shorter[0].lower()) not in index.after_determiner):
            break
        words = shorter
    return words


def _plural(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _too_common(toks: Sequence[str]) -> bool:
    """Words any text uses ("situation", "reports") describe no story."""
    zipf = [_zipf(t) for t in toks]
    if len(zipf) == 1:
        return zipf[0] >= UNIGRAM_MAX_ZIPF
    return min(zipf) >= PHRASE_MAX_ZIPF


def _verb_edge(words: Sequence[str], index: _StemIndex) -> bool:
    """A phrase that ends or opens with a participle ("troops discussed", "confirming",
    "providing covert support", "destroyed rose") is mostly a clause, not a topic. This also drops some
    good nouns ("shelling", "training exercises"): without a part-of-speech tagger we
    prefer missing a tag to showing a clause. An -ing word the text writes after an article
    or a number ("two firefighting planes") is a modifier, and may open a phrase. A
    participle inside a phrase ("homes destroyed rose") marks a clause, and so does one
    opening it when the last word is not seen as a noun ("destroyed rose", but
    "automated cranes")."""
    lowered = [w.lower() for w in words]
    last = lowered[-1]
    if len(last) > 5 and last.endswith(("ed", "ing")):
        return True
    if any(len(w) > 5 and w.endswith("ed") for w in lowered[1:-1]):
        return True
    first = lowered[0]
    if len(words) == 1 or len(first) <= 5 or first in index.modifiers:
        return False
    if first.endswith("ing"):
        return True
    return first.endswith("ed") and not _plural(last) and stem(last) not in index.after_determiner


def _words(text: str) -> list[str]:
    return [w.strip(".,;:!?\"'()[]\u201c\u201d\u2018\u2019") for w in text.split()]


@dataclass(frozen=True, slots=True)
class _NameFilter:
    """Actor names and their fragments: "Mark Rutte", "General Mark", "NATO"."""

    names: frozenset[str]
    name_words: frozenset[str]

    @classmethod
    def of(cls, actors: Sequence[Actor]) -> _NameFilter:
        names = frozenset(_fold(n) for a in actors for n in (a.name, *a.aliases))
        return cls(names, frozenset(w for n in names for w in n.split()))

    def restricted_to(
        self, surfaces: Iterable[str], named_parts: Callable[[str], tuple[frozenset[str], frozenset[str]]] | None = None
    ) -> _NameFilter:
        """The part that can answer `is_name` for words taken from `surfaces` (whole, or
        cut at either end): the same answers, from a filter that does not change when an
        actor the surfaces never name does. `named_parts`: `self.named_parts`, memoised by
        a caller that restricts the filter to many articles' keywords."""
        parts_of = named_parts or self.named_parts
        spans: set[str] = set()
        words: set[str] = set()
        for surface in surfaces:
            surface_spans, surface_words = parts_of(surface)
            if surface_spans:  # most keywords name no actor
                spans.update(surface_spans)
            if surface_words:
                words.update(surface_words)
        return _NameFilter(frozenset(spans), frozenset(words))

    def named_parts(self, surface: str) -> tuple[frozenset[str], frozenset[str]]:
        """The names and name words `is_name` may look up for words taken from `surface`
        (for most keywords none: one shared pair then, as a build keeps one per keyword).

        Every word of a folded run of the surface's words is one of its words lowered,
        with or without a final "'s": a surface with none of those among the name words
        folds to no name, and its runs (most of this method's work) are not made."""
        words, lowered = _folded_words(surface)
        name_words = self.name_words & words
        if not name_words and self.name_words.isdisjoint(lowered):
            return _NO_NAMED_PARTS
        names = self.names & _folded_runs(lowered)
        return (names, name_words) if names or name_words else _NO_NAMED_PARTS

    def is_name(self, words: Sequence[str]) -> bool:
        if _fold(" ".join(words)) in self.names:
            return True
        capitalised = all(w[0].isupper() for w in words)
        if capitalised and len(words) == 1:
            return True  # a lone proper word is a name or a fragment of one
        return capitalised and any(_fold(w) in self.name_words for w in words)


_NO_NAMED_PARTS: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


@functools.lru_cache(maxsize=1 << 16)
def _folded_words(surface: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """A keyword's words as `_fold` folds each (a lone word has no "the " to drop), and
    all its words lowered, in order, before any "'s" is cut. Cached: keywords recur in
    article after article."""
    lowered = tuple(surface.lower().replace("\u2019", "'").split())
    return frozenset(w[:-2] if w.endswith("'s") else w for w in lowered), lowered


def _folded_runs(lowered: Sequence[str]) -> frozenset[str]:
    """Each run of a keyword's words (whole, or cut at either end) as `_fold` folds it,
    from its lowered words: what `is_name` may look up."""
    runs = set()
    for i in range(len(lowered)):
        for j in range(i + 1, len(lowered) + 1):
            words = list(lowered[i + 1:j] if j - i > 1 and lowered[i] == "the" else lowered[i:j])
            last = words[-1]
            if last.endswith("'s"):
                if last == "'s":
                    words.pop()
                else:
                    words[-1] = last[:-2]
            runs.add(" ".join(words))
    return frozenset(runs)


class _NameSpans:
    """Where names stand in one article's text. A candidate that overlaps an actor mention
    ("chief Kyrylo Budanov") is about a name; one that everywhere stops inside a run of
    capitalised words ("withdrawal of North" before "Korean") is a fragment of one, and
    one always followed by the same content word is a fragment of a longer phrase. One
    only ever written as who said something ("the foreign ministry said") names a
    source, as an actor's name does, not a topic."""

    def __init__(self, article: Article, spans: Mapping[int, Sequence[tuple[int, int]]]) -> None:
        self._paragraphs = {p.number: (p.text, spans.get(p.number, []), bool(_TOLD_WORDS.search(p.text)))
                            for p in article.paragraphs}

    def touches_name(self, words: Sequence[str], paragraphs: Sequence[int]) -> bool:
        """Looks in `paragraphs` only: those where the candidate's stems occur."""
        pattern = _phrase_pattern(tuple(words))
        seen = cut = cited = 0
        next_words: set[str | None] = set()
        for text, spans, told in (self._paragraphs[number] for number in paragraphs):
            for m in pattern.finditer(text):
                if any(start < m.end() and m.start() < end for start, end in spans):
                    return True
                seen += 1
                cut += _cuts_capitalised_run(text, m.start(), m.end())
                cited += bool(_SAID_AFTER.match(text, m.end()) or (told and _told_before(text, m.start())))
                next_words.add(_next_content_word(text, m.end()))
        if seen and cut == seen:
            return True
        if seen and cited == seen:
            return True  # only ever a source ("Greek authorities said", "told state broadcaster")
        # Met twice or more and always followed by the same content word ("grave security"
        # before "threat"): a piece of a longer phrase. Once is no evidence: a subject is
        # followed by its verb ("ferry operators raised").
        return seen >= 2 and len(next_words) == 1 and None not in next_words


def _told_before(text: str, end: int) -> bool:
    """Whether `_TOLD_BEFORE` matches just before `end`. A match is letters and blanks (and
    a newline ending it), so the search starts where the run of them before `end` does,
    not at the paragraph's start: on a paragraph of 78,000 characters searching from its
    start took a second of the tags stage."""
    start = end - 1 if end and text[end - 1] == "\n" else end
    while start and (text[start - 1].isalpha() or text[start - 1] in " \t"):
        start -= 1
    return _TOLD_BEFORE.search(text, start, end) is not None


def _next_content_word(text: str, end: int) -> str | None:
    """The content word right after `end`, with no punctuation between, if any."""
    after = _NEXT_LOWER_WORD.match(text, end)
    if after and after.group(1).lower() not in _STOP:
        return after.group(1).lower()
    return None


def _cuts_capitalised_run(text: str, start: int, end: int) -> bool:
    """True when the span starts or ends between two capitalised words of one name."""
    after = _NEXT_WORD.match(text, end)
    if after and text[end - 1].isalpha() and _is_capital_word(text, start, end, last=True):
        return True
    return _capitalised_word_before(text, start) and _is_capital_word(text, start, end, last=False)


def _capitalised_word_before(text: str, start: int) -> bool:
    """Whether a capitalised word, not a possessive nor after a sentence's end, stands
    right before `start` with only blanks between: what the regex this replaced found by
    searching all of `text[:start]` (a capital, word characters or hyphens, then spaces or
    tabs up to the end, or to a newline ending it; not after `_SENTENCE_OR_QUOTE`), read
    here backwards from `start`."""
    end = start - 1 if start and text[start - 1] == "\n" else start  # `$` allows a final newline
    blank = end
    while blank and text[blank - 1] in " \t":
        blank -= 1
    word = blank
    while word and (text[word - 1].isalnum() or text[word - 1] in "_-"):
        word -= 1
    if blank == end or word == blank:
        return False
    if "A" <= text[word] <= "Z" and not (word and text[word - 1] in _SENTENCE_OR_QUOTE):
        return True
    return any("A" <= c <= "Z" for c in text[word + 1:blank])


def _is_capital_word(text: str, start: int, end: int, last: bool) -> bool:
    words = text[start:end].split()
    return bool(words) and words[-1 if last else 0][:1].isupper()


_SAID_AFTER = re.compile(r"['\u2019]?s?,?[ \t]+(?:said|says|say|told|added|stated|noted)\b", re.IGNORECASE)
_TOLD_BEFORE = re.compile(r"\b(?:told|according[ \t]+to)[ \t]+(?:the[ \t]+)?$", re.IGNORECASE)
"""A reporting verb right after a span, or "told"/"according to" right before it."""
_NEXT_LOWER_WORD = re.compile(r"[ \t]+([a-z][\w\-]*)")
_NEXT_WORD = re.compile(r"[ \t]+[A-Z]")
"""A capitalised word right after a span (no punctuation between)."""
_SENTENCE_OR_QUOTE = ".!?:;,\u201c\u201d\""
"""What may not come right before a capitalised word that continues a name (`_capitalised_word_before`)."""
_TOLD_WORDS = re.compile(r"told|according", re.IGNORECASE)
"""What a paragraph must hold for `_TOLD_BEFORE` to match anywhere in it."""


def _fold(text: str) -> str:
    text = text.lower().replace("\u2019", "'")
    if text.startswith("the "):
        text = text[4:]
    if text.endswith("'s"):
        text = text[:-2]
    return " ".join(text.split())


def _is_number(token: str) -> bool:
    return token[:1].isdigit() or token in NUMBER_WORDS


class _StemIndex:
    """Where each sequence of one to three stems occurs in an article, by paragraph."""

    def __init__(self, article: Article) -> None:
        self._paragraph_keys: list[tuple[int, set[Key]]] = []
        """Each paragraph's number and every sequence in it: made in C a sentence at a
        time (zip, set updates), where a dict of every sequence's paragraphs took a Python
        step per word and length, 40% of `article_tag_facts`. Looked up on demand."""
        self._paragraphs: dict[Key, list[int]] = {}
        self.after_determiner: set[str] = set()
        """Stems written right after a determiner, "of" or a number: evidence of a noun."""
        self.topical: set[Key] = set()
        """Sequences written somewhere as `_usable` words could be: no stop word at either
        end, only "of" or "and" inside, no figure. Only these can become tags."""
        self.modifiers: set[str] = set()
        """Words written between an article or a number and another word ("two firefighting
        planes"): an -ing word there qualifies a noun rather than opening a clause."""
        for p in article.paragraphs:
            keys: set[Key] = set()
            for sentence in split_sentences(p.text):
                words = tokens(sentence)
                stems = [stem(t) for t in words]
                for k in range(len(words) - 1):
                    if words[k] in DETERMINERS or _is_number(words[k]):
                        self.after_determiner.add(stems[k + 1])
                        if words[k] != "of" and k + 2 < len(words):
                            self.modifiers.add(words[k + 1])
                plain = [_plain(w) for w in words]
                inner = [ok or w in INNER_WORDS for ok, w in zip(plain, words, strict=True)]
                ones = list(zip(stems, strict=True))
                twos = list(itertools.pairwise(stems))
                threes = list(zip(stems, stems[1:], stems[2:], strict=False))
                keys.update(ones, twos, threes)
                # Topical: plain at both ends, and for three, an inner word in the middle.
                self.topical.update(itertools.compress(ones, plain))
                self.topical.update(itertools.compress(twos, map(operator.and_, plain, plain[1:])))
                self.topical.update(itertools.compress(
                    threes, map(operator.and_, map(operator.and_, plain, inner[1:]), plain[2:])))
            self._paragraph_keys.append((p.number, keys))

    def paragraphs_with(self, key: Key) -> list[int]:
        found = self._paragraphs.get(key)
        if found is None:
            found = self._paragraphs[key] = [number for number, keys in self._paragraph_keys if key in keys]
        return found

    def paragraphs_of(self, keys: set[Key]) -> dict[Key, list[int]]:
        """`paragraphs_with` of each of `keys`, found a paragraph at a time (a set
        intersection each) rather than a key at a time: the article's facts keep the
        paragraphs of every topical sequence, some 500 of them."""
        found: dict[Key, list[int]] = {key: [] for key in keys}
        for number, present in self._paragraph_keys:
            for key in keys & present:
                found[key].append(number)
        return found


_STOP = STOPWORDS | EXTRA_STOPWORDS

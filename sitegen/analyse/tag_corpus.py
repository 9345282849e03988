"""The corpus step of tags (steps 2-4 of `tags.py`): what every article's filtered
candidates add up to across the briefing, and which tags it keeps.

It reads each article's `ArticleTagFacts` (made and cached per article by `tags.py`). Its
tallies (`TagCorpus`: which articles rank or carry each candidate, the words written in
lower case or after a determiner) are sums over articles, so a process that builds again
and again (`sitegen serve`) keeps them and, after an edit, takes the edited article's
old facts out and puts its new ones in, instead of adding up every article again; what
the tallies decide is then worked out as for a whole corpus, with the same result.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from sitegen.model import Tag, TagOccurrence
from sitegen.pickling import pickled_by_value
from sitegen.urls import slug

SINGLE_ARTICLE_RELEVANCE = 0.8
"""A tag carried by one article only must be in that article's top fifth (top 4) and
recur there (in two paragraphs): a phrase met once is an incident of wording."""
OCCURRENCE_WEIGHT = 0.25
"""What an article adds to a tag's score when its text carries the tag's words but YAKE
did not rank it: a quarter of a top-ranked candidate."""
UNIGRAM_WEIGHT = 0.5
"""A lone word ("security") names a topic less precisely than a phrase; YAKE ranks lone
words high, so they count half."""
UNIGRAM_ARTICLE_SHARE = 0.1
"""A lone word must be ranked by YAKE in a tenth of the articles (and at least two)."""
UNIGRAM_SHARE = 0.25
"""At most a quarter of the briefing's tags are lone words: phrases say more."""


PER_ARTICLE = 8
"""Tags shown on one article (5-8 is typical when the article is long enough)."""
PER_ARTICLE_FLOOR = 5
"""Tags an article gets from its own best candidates when the corpus rules, which need
several articles to agree, leave it fewer (a story of two or three articles)."""
BRIEFING_MIN = 15
BRIEFING_MAX = 40
BRIEFING_PER_ARTICLE = 4
"""Briefing size grows with the corpus, 4 per article, within [15, 40]."""


Key = tuple[str, ...]
"""A tag's identity: the stems of its words, in order."""
_Scored = tuple[float, str, Key, list[str]]
"""(minus the corpus score, label, key, ids of the articles whose text carries it)."""


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate that passed one article's filters (step 1), with its relevance there."""

    key: Key
    surface: str
    relevance: float


@pickled_by_value
@dataclass(frozen=True, slots=True)
class ArticleTagFacts:
    """What the corpus step needs of one article: its filtered candidates and a little of
    its text, small enough to cache, so an unchanged article is never filtered again."""

    candidates: tuple[Candidate, ...]
    """Usable candidates, best first (`_filter`)."""
    nouns: str
    """Stems written after a determiner, "of" or a number (`_StemIndex.after_determiner`),
    packed (`packed_words`)."""
    lower_words: str
    """Words the article writes in lower case, for choosing a tag's label, packed."""
    topical: StemParagraphs
    """Paragraphs of each stem sequence that could be a tag (`_StemIndex.topical`): where the
    corpus step finds the articles that carry a tag another article proposed."""


def packed_words(words: Iterable[str]) -> str:
    """A set of words (tokens: no spaces) as one string, sorted and joined by spaces. As a
    frozenset each word was a string of its own, shared with no other article once
    unpickled: an article's lower-case words took 30 KB (30 MB at 1,000 articles), packed 6."""
    return " ".join(sorted(words))


def unpacked_words(packed: str) -> list[str]:
    """The words `packed_words` packed."""
    return packed.split(" ") if packed else []


class StemParagraphs(Mapping[Key, tuple[int, ...]]):
    """Paragraphs by stem sequence, packed in two strings, unpacked on demand.

    An article has some 560 of these sequences; as a dict of tuples they took most of the
    time an edit-one rebuild spent loading tag facts from the cache (1,000 articles: 0.37 s;
    packed, a string each). The corpus step reads them all only as key texts (`texts`),
    and the paragraphs of a few."""

    __slots__ = ("_keys", "_paragraphs")

    def __init__(self, keys: str, paragraphs: str) -> None:
        self._keys = keys
        """Each sequence's stems joined by spaces (stems are word tokens), one per line."""
        self._paragraphs = paragraphs
        """Its paragraph numbers joined by commas, on the matching line."""

    @classmethod
    def of(cls, found: Mapping[Key, Iterable[int]]) -> StemParagraphs:
        keys = sorted(found)
        return cls("\n".join(" ".join(k) for k in keys),
                   "\n".join(",".join(map(str, found[k])) for k in keys))

    def __reduce__(self) -> tuple[type[StemParagraphs], tuple[str, str]]:
        return (StemParagraphs, (self._keys, self._paragraphs))

    def texts(self) -> list[str]:
        """Every sequence as its stems joined by spaces."""
        return self._keys.split("\n") if self._keys else []

    def __getitem__(self, key: Key) -> tuple[int, ...]:
        # The corpus step looks up a few keys of each article, of hundreds: the key's line
        # is searched for in the packed strings, and nothing is kept. A dict of every key,
        # made on the first lookup, grew the step's process by 630 MB at 10,000 articles
        # (now 32 MB) and took a tenth of its time.
        n = self._line_of_key(key)
        return _numbers(self._paragraphs.split("\n", n + 1)[n])

    def some(self, keys: Iterable[Key]) -> dict[Key, tuple[int, ...]]:
        """The paragraphs of each of `keys` (each must be here), the packed paragraphs split
        once for all of them: the corpus step asks an article for each tag it keeps
        (80,000 lookups at 10,000 articles, each splitting the packed string again)."""
        lines = self._paragraphs.split("\n")
        found = {}
        for key in keys:
            found[key] = _numbers(lines[self._line_of_key(key)])
        return found

    def carries(self, text: str) -> bool:
        """Whether `text` (stems joined by spaces) is one of the sequences."""
        return self._line_of(text) >= 0

    def _line_of_key(self, key: Key) -> int:
        """The number of `key`'s line; KeyError when it is not here."""
        n = self._line_of(" ".join(key)) if key else -1
        if n < 0:
            raise KeyError(key)
        return n

    def _line_of(self, text: str) -> int:
        """The number of the line of `_keys` that is `text`, or -1."""
        keys = self._keys
        if not keys:
            return -1
        if keys == text or keys.startswith(text + "\n"):
            return 0
        at = keys.find(f"\n{text}\n")
        if at < 0 and keys.endswith(f"\n{text}"):
            at = len(keys) - len(text) - 1
        return keys.count("\n", 0, at) + 1 if at >= 0 else -1

    def __iter__(self) -> Iterator[Key]:
        return (tuple(text.split(" ")) for text in self.texts())

    def __len__(self) -> int:
        return len(self.texts())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StemParagraphs):
            return (self._keys, self._paragraphs) == (other._keys, other._paragraphs)
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]  # a mapping


def _numbers(line: str) -> tuple[int, ...]:
    """A line of `StemParagraphs._paragraphs`: paragraph numbers joined by commas."""
    return tuple(int(p) for p in line.split(",")) if line else ()




FEW_NEW_CANDIDATES = 16
"""Up to this many candidates new to the tallies, each is looked for in every article's
packed texts (a string search each); more, and every article's texts are unpacked once."""


def _remove_sorted(items: list[str], value: str) -> None:
    """Take `value` out of the sorted list `items` by bisection: `list.remove` compares it
    with every id before it, which an edit naming someone new did for a third of the
    articles' carried texts at 10,000 articles (1.5 s)."""
    at = bisect.bisect_left(items, value)
    if at == len(items) or items[at] != value:
        raise ValueError(f"{value!r} is not in the list")
    del items[at]


class TagCorpus:
    """The tallies the corpus step makes over every article's facts, kept up to date
    article by article (`update`), and the tags they give (`tags`)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Count nothing (the next `update` adds every article up)."""
        self.facts: dict[str, ArticleTagFacts] = {}
        self._lower: Counter[str] = Counter()
        """Articles writing each word in lower case (for a tag's label)."""
        self._nouns: Counter[str] = Counter()
        """Articles writing each stem after a determiner."""
        self._ranked: dict[Key, dict[str, float]] = {}
        """Each candidate's relevance in each article that ranks it, in article id order."""
        self._surfaces: dict[Key, Counter[str]] = {}
        """How often each candidate is written each way (one count an article)."""
        self._carriers: dict[Key, list[str]] = {}
        """For each ranked candidate: the articles whose text carries its stems, in id order."""
        self._tags: dict[str, Tag] = {}
        """The tags the last `tags` gave, by id."""
        self._paragraphs: dict[str, tuple[ArticleTagFacts, tuple[Key, ...], dict[Key, tuple[TagOccurrence, ...]]]] = {}
        """The occurrences of the tags each article kept, by the facts and tags they came from."""

    def __getstate__(self) -> dict[str, object]:
        """The tallies, pickled for the next build from the command line (`tags._LastCorpus`),
        with the occurrences `tags` found in each article (finding them all again was three
        quarters of its time there, 0.1 s at 1,000 articles), but not the facts they count
        and were found in: every article's is in the cache already (with them the pickle
        was 14 MB at 1,000 articles, and making it took the tags' process 42 MB more).
        `counting` gives the facts back."""
        return {**self.__dict__, "facts": {}, "_tags": {},
                "_paragraphs": {a: (None, keys, found) for a, (_, keys, found) in self._paragraphs.items()}}

    def counting(self, facts: Mapping[str, ArticleTagFacts]) -> None:
        """Take `facts` (by article id) as the facts the tallies count, and the occurrences
        kept of each article were found in: those they were made from, read back for
        tallies unpickled without them."""
        self.facts = dict(facts)
        self._paragraphs = {a: (self.facts[a], keys, found) for a, (_, keys, found) in self._paragraphs.items()}

    def update(self, facts: Mapping[str, ArticleTagFacts]) -> None:
        """Make the tallies those of `facts` (every article's, by id): the articles whose
        facts are not the very objects counted already are taken out and put in again."""
        gone = [a for a, f in self.facts.items() if facts.get(a) is not f]
        came = sorted(a for a, f in facts.items() if self.facts.get(a) is not f)
        before = {" ".join(key): key for key in self._ranked}
        touched: set[Key] = set()
        for article_id in gone:
            old = self.facts.pop(article_id)
            self._lower.subtract(unpacked_words(old.lower_words))
            self._nouns.subtract(unpacked_words(old.nouns))
            for cand in old.candidates:
                touched.add(cand.key)
                del self._ranked[cand.key][article_id]
                self._surfaces[cand.key][cand.surface] -= 1
            for text in before.keys() & old.topical.texts():
                _remove_sorted(self._carriers[before[text]], article_id)
        for article_id in came:
            new = self.facts[article_id] = facts[article_id]
            self._lower.update(unpacked_words(new.lower_words))
            self._nouns.update(unpacked_words(new.nouns))
            for cand in new.candidates:
                touched.add(cand.key)
                ranked = self._ranked.get(cand.key)
                if ranked is None:
                    ranked = self._ranked[cand.key] = {}
                    self._surfaces[cand.key] = Counter()
                ranked[article_id] = cand.relevance
                self._surfaces[cand.key][cand.surface] += 1
        for key in touched & set(before.values()):  # a new one holds `came` alone, in order
            ranked = self._ranked[key]
            if not ranked:
                del self._ranked[key], self._surfaces[key], self._carriers[key]
            else:  # in article id order, as the sums in `tags` add them up
                self._ranked[key] = dict(sorted(ranked.items()))
                self._surfaces[key] = +self._surfaces[key]
        if gone:
            self._lower, self._nouns = +self._lower, +self._nouns
        kept = {text: key for text, key in before.items() if key in self._ranked}
        for article_id in came if kept else ():
            for text in kept.keys() & self.facts[article_id].topical.texts():
                bisect.insort(self._carriers[kept[text]], article_id)
        fresh = {" ".join(key): key for key in self._ranked if key not in self._carriers}
        ids = sorted(self.facts)
        if len(fresh) <= FEW_NEW_CANDIDATES:  # after an edit: each searched for in every article's text
            for text, key in fresh.items():
                self._carriers[key] = [a for a in ids if self.facts[a].topical.carries(text)]
        else:  # every article's texts set against the new candidates' at once
            for key in fresh.values():
                self._carriers[key] = []
            for article_id in ids:
                for text in fresh.keys() & self.facts[article_id].topical.texts():
                    self._carriers[fresh[text]].append(article_id)

    def tags(self) -> tuple[Tag, ...]:
        """Steps 2-4 from the tallies: the same tags as for the whole corpus at once."""
        facts = self.facts
        ordered = sorted(facts)
        lower_seen = self._lower.keys()
        ranked, surfaces = self._ranked, self._surfaces
        scored: list[_Scored] = []
        spare: list[_Scored] = []  # set aside by the corpus rules; `_floor` may take them back
        for key, by_article in ranked.items():
            carried = self._carriers[key]
            if len(key) == 1 and key[0] not in self._nouns:
                continue  # never written after "the", "a", "its", "of", a number: a verb ("confirm"), not a topic
            extra = len(set(carried) - by_article.keys())
            score = sum(by_article.values()) + OCCURRENCE_WEIGHT * extra
            if len(key) == 1:
                score *= UNIGRAM_WEIGHT
            item = (-score, _label(surfaces[key], lower_seen), key, carried)
            if len(carried) < min(2, len(ordered)) and not (
                max(by_article.values()) >= SINGLE_ARTICLE_RELEVANCE and len(facts[carried[0]].topical[key]) >= 2
            ):
                spare.append(item)  # one article's wording, unless it ranks high and recurs there
            elif len(key) == 1 and len(by_article) < min(len(ordered), max(2, UNIGRAM_ARTICLE_SHARE * len(ordered))):
                spare.append(item)  # a lone word must be ranked by several articles to say something
            else:
                scored.append(item)
        scored.sort()
        size = min(BRIEFING_MAX, max(BRIEFING_MIN, BRIEFING_PER_ARTICLE * len(ordered)))
        chosen = _with_few_lone_words(_distinct(scored), size)

        kept = _kept_by_articles(chosen, ranked)
        _floor(ordered, ranked, sorted(scored + spare), chosen, kept)

        tags: dict[str, Tag] = {}
        paragraphs = self._kept_paragraphs(kept)
        for neg_score, label, key, _ in chosen:
            if not kept[key]:
                continue
            tag_id = slug(label, fallback="tag")
            if tag_id in tags:
                continue
            occurrences = tuple(itertools.chain.from_iterable(paragraphs[article_id][key] for article_id in kept[key]))
            tag = Tag(
                id=tag_id,
                label=label,
                articles=tuple(kept[key]),
                occurrences=occurrences,
                score=round(-neg_score, 4),
            )
            last = self._tags.get(tag_id)
            tags[tag_id] = last if last == tag else tag  # the very tag, for what keeps values by identity
        self._tags = tags
        return tuple(tags[k] for k in sorted(tags))

    def _kept_paragraphs(self, kept: Mapping[Key, list[str]]) -> dict[str, dict[Key, tuple[TagOccurrence, ...]]]:
        """The paragraphs of each kept tag in each article that keeps it, by article then
        tag: an article whose facts and kept tags are as in the last `tags` is not read
        again, and its occurrences are the very ones made then (18,800 new at 1,000
        articles took a fifth of the step's time)."""
        keys_of: dict[str, list[Key]] = defaultdict(list)
        for key, article_ids in kept.items():
            for article_id in article_ids:
                keys_of[article_id].append(key)
        out = {}
        for article_id, keys in keys_of.items():
            facts, last_keys, found = self._paragraphs.get(article_id, (None, (), {}))
            if facts is not self.facts[article_id] or last_keys != tuple(keys):
                found = {key: tuple(TagOccurrence(article_id, number) for number in numbers)
                         for key, numbers in self.facts[article_id].topical.some(keys).items()}
                self._paragraphs[article_id] = (self.facts[article_id], tuple(keys), found)
            out[article_id] = found
        for article_id in self._paragraphs.keys() - keys_of.keys():
            del self._paragraphs[article_id]
        return out


def tags_from_facts(facts: Mapping[str, ArticleTagFacts], corpus: TagCorpus | None = None) -> tuple[Tag, ...]:
    """The corpus step over every article's facts (by id): with `corpus`, the tallies a
    warm process kept from its last build, brought up to date."""
    corpus = corpus if corpus is not None else TagCorpus()
    try:
        corpus.update(facts)
        return corpus.tags()
    except BaseException:
        corpus.reset()  # half-updated tallies would mislead every later build
        raise


def _kept_by_articles(chosen: Sequence[_Scored], ranked: Mapping[Key, Mapping[str, float]]) -> dict[Key, list[str]]:
    """The articles that keep each chosen tag (in id order): each article keeps the
    `PER_ARTICLE` tags it carries that matter most to it, by its own relevance for the tag
    (0 where it does not rank it), then by the tag's place in `chosen` (best first).

    The carriers that do not rank a tag are told apart from the others by sets: among them
    the tag's place alone decides, so they are taken tag after tag until each article has
    its fill, with no entry made or sorted for each."""
    ahead: dict[str, list[tuple[float, int]]] = defaultdict(list)  # ranked higher than 0: first
    behind: dict[str, list[tuple[float, int]]] = defaultdict(list)  # below 0 (never, with YAKE's): last
    unranked: list[set[str]] = []
    for place, (_, _, key, carried) in enumerate(chosen):
        carriers = set(carried)
        relevance = ranked[key]
        ranking = [a for a in relevance.keys() & carriers if relevance[a] != 0.0]
        for article_id in ranking:
            (ahead if relevance[article_id] > 0 else behind)[article_id].append((-relevance[article_id], place))
        unranked.append(carriers.difference(ranking))
    picked: list[list[str]] = [[] for _ in chosen]
    taken: dict[str, int] = {}
    for article_id, mine in ahead.items():
        best = sorted(mine)[:PER_ARTICLE]
        for _, place in best:
            picked[place].append(article_id)
        taken[article_id] = len(best)
    full = {article_id for article_id, n in taken.items() if n >= PER_ARTICLE}
    for place, carriers in enumerate(unranked):
        these = carriers - full
        picked[place].extend(these)
        for article_id in these:
            n = taken[article_id] = taken.get(article_id, 0) + 1
            if n == PER_ARTICLE:
                full.add(article_id)
    for article_id, mine in behind.items():
        for _, place in sorted(mine)[:PER_ARTICLE - taken.get(article_id, 0)]:
            picked[place].append(article_id)
    kept: dict[Key, list[str]] = defaultdict(list)
    for (_, _, key, _), article_ids in zip(chosen, picked, strict=True):
        kept[key] = sorted(article_ids)
    return kept


def _floor(
    ordered: Sequence[str],
    ranked: Mapping[Key, Mapping[str, float]],
    candidates: Sequence[_Scored],
    chosen: list[_Scored],
    kept: dict[Key, list[str]],
) -> None:
    """Give each article at least `PER_ARTICLE_FLOOR` tags, from its own best-ranked
    candidates, when the corpus rules left it fewer. Those rules need several articles to
    agree, so on a small story they keep little or nothing; an article's top YAKE
    phrases that passed every per-article filter still describe it.

    Each article's tags are counted and its candidates listed once, up front: asking every
    article about every tag and every candidate was quadratic (0.6 s of an edit rebuild at
    1,000 articles, most of half a minute at 10,000)."""
    have = Counter(article_id for ids in kept.values() for article_id in ids)
    ranked_by: dict[str, list[_Scored]] = defaultdict(list)
    for item in candidates:
        for article_id in ranked[item[2]]:
            ranked_by[article_id].append(item)
    for article_id in ordered:
        if have[article_id] >= PER_ARTICLE_FLOOR:
            continue
        mine = sorted((-ranked[item[2]][article_id], item) for item in ranked_by[article_id])
        for _, item in mine:
            if have[article_id] >= PER_ARTICLE_FLOOR:
                break
            key = item[2]
            if any(repeats(key, k) for _, _, k, _ in chosen):
                continue
            chosen.append(item)
            kept[key].append(article_id)
            have[article_id] += 1


def _with_few_lone_words(scored: Iterable[_Scored], size: int) -> list[_Scored]:
    """The best `size` tags, of which at most `UNIGRAM_SHARE` lone words (`scored` is read
    no further than it takes)."""
    out: list[_Scored] = []
    lone = 0
    for item in scored:
        if len(item[2]) == 1:
            if lone >= UNIGRAM_SHARE * size:
                continue
            lone += 1
        out.append(item)
        if len(out) == size:
            break
    return out


def _distinct(scored: Iterable[_Scored]) -> Iterator[_Scored]:
    """`scored` less each tag whose stems contain, or are contained in, a better-scored
    tag's. A generator: each is compared with every one kept before it, and the briefing
    takes the first `BRIEFING_MAX` or so (at 1,000 articles 209 of 341 were kept, in 19 ms,
    to use 40)."""
    out: list[Key] = []
    for item in scored:
        if any(repeats(item[2], k) for k in out):
            continue
        out.append(item[2])
        yield item


def repeats(key: Key, better: Key) -> bool:
    """`key` says again what `better` says: one's stems contain the other's, or two
    phrases share two of three stems ("North Korean troops" / "North Korean soldiers")."""
    a, b = set(key), set(better)
    if a <= b or a >= b:
        return True
    if len(key) > 1 and len(better) > 1 and (key[1:] == better[:-1] or key[:-1] == better[1:]):
        return True  # two windows on one longer phrase ("grave security" / "security threat")
    shared = len(a & b)
    return shared >= 2 and shared * 3 >= 2 * max(len(a), len(b))


def _label(surfaces: Counter[str], lower_seen: Container[str]) -> str:
    """The most common surface, with words the texts also write in lower case lowered
    ("South Korean President" stays; "Troop Deployment" at a sentence start does not)."""
    surface = min(surfaces, key=lambda s: (-surfaces[s], s))
    return " ".join(w.lower() if w.lower() in lower_seen and not w.isupper() else w for w in surface.split())

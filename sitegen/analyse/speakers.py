"""From a speaker phrase to an actor, through the actors analyser's mention spans.

A phrase resolves to the head of its first noun phrase: among the mentions that form it
("Brazil's Deputy Finance Minister Ana Lima"), a person, else the last mention that
is not a possessive. Pronouns go to the last person mentioned before; descriptions ("the
Chilean president", "the ministry") to the actor whose names share its words, or the
last institution mentioned; anonymous sources ("a senior official who spoke on condition
of anonymity") keep their surface and no actor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from sitegen.analyse.reporting import REPORTING_VERB, word_before
from sitegen.analyse.sentences import Span, sentence_at, split_sentences
from sitegen.pickling import pickled_as_tuple

_PREPOSITIONS = frozenset(
    """with to of from by for against about between on in at over than into toward towards
    including like via among under behind across alongside""".split()
)
_GAP_STOP = frozenset(
    """that who which whom and or but from with to by in on at of for as when while said
    says told""".split()
)
PERSON_PRONOUNS = frozenset("he she him her his".split())
_OTHER_PRONOUNS = frozenset("it they them its their this that we i you".split())
ANONYMITY = re.compile(
    r"\b(?:anonymity|anonymous(?:ly)?|unnamed|not authori[sz]ed|insiders?|sources?|"
    r"people familiar|person familiar|familiar with|not to be (?:named|identified)|"
    r"(?:declined|refused) to be (?:named|identified))\b",
    re.IGNORECASE,
)
_VAGUE_GROUP = re.compile(
    r"^(?:some|several|many|other|others|certain|a number of|two|three|various|most)\b|"
    r"\b(?:analysts|experts|observers|critics|commentators|outlets|media|reports|"
    r"witnesses|residents|officials|authorities|investigators|diplomats|rescuers|doctors|"
    r"activists|lawmakers|economists|scientists|researchers)\b",
    re.IGNORECASE,
)
_DETERMINER = re.compile(r"^(?:the|a|an|this|that|these|those)\s+", re.IGNORECASE)
_PERSON_HEADS = frozenset(
    """president minister spokesman spokeswoman spokesperson secretary chief leader ambassador
    envoy commander general official editor analyst senator governor mayor premier chancellor
    director head chairman chairwoman chair candidate lawmaker deputy prosecutor judge
    king queen prince pope dictator prime""".split()
)
_SPOKESPERSON = re.compile(
    r"(?:(?:a|an|the|two|several|senior|other)\s+)*(?:[a-z]+\s+)?"
    r"(?:spokes(?:man|woman|person|people)|representatives?|officials?|aides?|advisers?|"
    r"advisors?|members?|staff)\s+(?:for|of|at|from|with|in|to)\s+(?P<org>\S.*)$",
    re.IGNORECASE,
)

@pickled_as_tuple
class ActorRef(NamedTuple):
    """What attribution needs to know of an actor. A named tuple rebuilt in C when
    unpickled (`pickling.pickled_as_tuple`), as `model.Mention` is: a build from the command
    line reads every actor's back with the claims' inputs (37,000 at 10,000 articles)."""

    id: str
    type: str
    words: tuple[str, ...]
    """Lower-cased words of its names and role, sorted (a frozenset would pickle in hash
    order, and the per-article cache keys on the pickled item)."""
    affiliation: str | None


@dataclass(frozen=True, slots=True)
class MentionSpan:
    """An actor's mention in one paragraph of the article being analysed."""

    paragraph: int
    start: int
    end: int
    actor: str


@dataclass(frozen=True, slots=True)
class Speaker:
    """A resolved speaker: an actor id (None when anonymous or unknown) and its phrase."""

    actor: str | None
    surface: str | None


@dataclass(frozen=True)
class ArticleContext:
    """One article's paragraphs and mentions, plus the corpus actors: plain, picklable data.

    The indexes over them are worked out on first use, where the article is analysed: an
    article whose result is cached never needs them (and they are no part of its key)."""

    paragraphs: Mapping[int, str]
    mentions: tuple[MentionSpan, ...]
    actors: Mapping[str, ActorRef]

    @cached_property
    def word_index(self) -> dict[str, tuple[str, ...]]:
        """Lower-cased word -> ids of the actors whose names or role hold it."""
        return word_index(self.actors)

    @cached_property
    def by_paragraph(self) -> dict[int, tuple[MentionSpan, ...]]:
        """The mentions of each paragraph, in reading order (an outer one before the inner)."""
        grouped: dict[int, list[MentionSpan]] = {}
        for m in self.mentions:
            grouped.setdefault(m.paragraph, []).append(m)
        return {k: tuple(sorted(v, key=lambda m: (m.start, -m.end))) for k, v in grouped.items()}

    def in_span(self, paragraph: int, start: int, end: int) -> list[MentionSpan]:
        """Mentions inside [start, end) of a paragraph, nested ones dropped."""
        inside = [m for m in self.by_paragraph.get(paragraph, ())
                  if m.start >= start and m.end <= end]
        return [m for m in inside
                if not any(o is not m and o.start <= m.start and o.end >= m.end
                           and (o.end - o.start) > (m.end - m.start) for o in inside)]

    def type_of(self, actor: str) -> str:
        ref = self.actors.get(actor)
        return ref.type if ref else "other"

    def antecedent(self, paragraph: int, offset: int) -> str | None:
        """The person "he" or "she" at (paragraph, offset) stands for: the first person
        named in its own sentence before it, else in the last sentence that names one (the
        subject of a news sentence comes first: "Yusuf met Lima. She said …")."""
        for p in sorted((p for p in self.by_paragraph if p <= paragraph), reverse=True):
            text = self.paragraphs.get(p, "")
            people = [m for m in self.by_paragraph[p] if self.type_of(m.actor) == "person"
                      and (p < paragraph or m.end <= offset)]
            if not people:
                continue
            spans = split_sentences(text)
            last = max(people, key=lambda m: m.start)
            sentence = sentence_at(spans, last.start) if spans else Span(0, len(text))
            inside = [m for m in people if sentence.start <= m.start < sentence.end]
            subjects = [m for m in inside if word_before(text, m.start) not in _PREPOSITIONS]
            return (subjects or inside)[0].actor
        return None

    def last_before(self, paragraph: int, offset: int, types: frozenset[str]) -> str | None:
        """The last actor of one of `types` mentioned before (paragraph, offset)."""
        for p in sorted((p for p in self.by_paragraph if p <= paragraph), reverse=True):
            for m in reversed(self.by_paragraph[p]):
                if (p < paragraph or m.end <= offset) and self.type_of(m.actor) in types:
                    return m.actor
        return None


def word_index(actors: Mapping[str, ActorRef]) -> dict[str, tuple[str, ...]]:
    """Word -> actor ids, so a description is matched against a few actors, not all."""
    index: dict[str, list[str]] = {}
    for ref in actors.values():
        for w in ref.words:
            index.setdefault(w, []).append(ref.id)
    return {w: tuple(sorted(index[w])) for w in sorted(index)}


# ------------------------------------------------------------------ noun phrase -> actor


def _possessive(text: str, m: MentionSpan) -> bool:
    surface = text[m.start : m.end]
    return surface.endswith(("'s", "’s")) or bool(re.match(r"[’'](?:s\b|\s)", text[m.end :]))


def _group(ctx: ArticleContext, paragraph: int, mentions: list[MentionSpan],
           phrase_start: int) -> tuple[MentionSpan, int]:
    """The head mention and the start of the first noun phrase formed by `mentions`: the
    first mention that is not the object of a preposition inside the phrase ("a statement by X" falls
    back to X), extended over the mentions that only titles separate from it."""
    text = ctx.paragraphs[paragraph]
    first = next((i for i, m in enumerate(mentions)
                  if m.start <= phrase_start or word_before(text, m.start) not in _PREPOSITIONS),
                 0)
    group = [mentions[first]]
    for m in mentions[first + 1 :]:
        gap = text[group[-1].end : m.start]
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", gap)}
        if len(gap) > 45 or re.search(r"[.;:\"“”]", gap) or words & _GAP_STOP or \
                REPORTING_VERB.search(gap):
            break
        group.append(m)
    persons = [m for m in group if ctx.type_of(m.actor) == "person"]
    if persons:
        return persons[-1], group[0].start
    heads = [m for m in group if not _possessive(text, m)]
    return (heads or group)[-1], group[0].start


def _describe(ctx: ArticleContext, phrase: str, paragraph: int, offset: int,
              owner: str | None = None) -> str | None:
    """The actor a description such as "the Chilean president" or "its intelligence
    agency" stands for: the one whose names and role share most of its words, the person
    types for a personal title, and among equals the last mentioned."""
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", phrase)]
    content = [w for w in words if w not in _PREPOSITIONS and w not in {"the", "a", "an",
                                                                        "former", "new"}]
    if not content:
        return None
    want_person = any(w in _PERSON_HEADS for w in content)
    best: tuple[int, int, str] | None = None
    recency = _recency(ctx, paragraph, offset)
    candidates = {a for w in content for a in ctx.word_index.get(w, ())}
    for ref in (ctx.actors[a] for a in sorted(candidates)):
        if (ref.type == "person") != want_person:
            continue
        if not any(w in ref.words for w in content):
            continue
        score = sum(w in ref.words for w in content) + (2 if owner and ref.affiliation == owner
                                                        else 0)
        rank = (score, recency.get(ref.id, -1), ref.id)
        if best is None or rank[:2] > best[:2]:
            best = rank
    if best is None:
        return None
    if best[1] < 0 and best[0] < 2:
        return None  # not in this article, and too weak a match to reach across the corpus
    return best[2]


_INSTITUTION_HEADS = frozenset({"government", "country", "state", "authorities", "cabinet"})
_ORG_HEADS = frozenset(
    """ministry department company firm agency council party group police army military court
    bank union committee commission office authority authorities administration campaign
    alliance bloc organisation organization institute service regulator parliament""".split()
)


def _institution(ctx: ArticleContext, phrase: str, paragraph: int, offset: int) -> str | None:
    """"the ministry", "the company", "the government": the last organisation (or state)
    mentioned before, when no actor's names share the description's words."""
    words = re.findall(r"[a-z]+", phrase.lower())
    if not words or len(words) > 4 or not _DETERMINER.match(phrase):
        return None
    head = words[-1]
    if head in _INSTITUTION_HEADS:  # "the government": a state before an organisation
        return (ctx.last_before(paragraph, offset, frozenset({"state"}))
                or ctx.last_before(paragraph, offset, frozenset({"organisation"})))
    if head in _ORG_HEADS:
        return ctx.last_before(paragraph, offset, frozenset({"organisation"}))
    return None


def _by_name(ctx: ArticleContext, phrase: str, paragraph: int, offset: int) -> str | None:
    """A name the actors analyser left unmarked here ("Lima stated"): the actor whose names
    hold its last capitalised word, the last mentioned in this article first, else the one
    person of the corpus of that name."""
    names = re.findall(r"\b[A-Z][\w’'-]+", phrase)
    if not names or _DETERMINER.match(phrase):
        return None
    word = names[-1].lower()
    recency = _recency(ctx, paragraph, offset)
    ranked = sorted((ref for ref in (ctx.actors[a] for a in ctx.word_index.get(word, ()))),
                    key=lambda r: (-recency.get(r.id, -1), r.type != "person", r.id))
    if not ranked:
        return None
    if recency.get(ranked[0].id, -1) >= 0:
        return ranked[0].id
    # Not mentioned in this article: only a bare name ("Ibarra told …") that one person
    # of the corpus answers to.
    persons = [r for r in ranked if r.type == "person"]
    bare = re.fullmatch(r"(?:[A-Z][\w’'-]+\s*){1,3}", phrase.strip())
    return persons[0].id if bare and len(persons) == 1 else None


def _recency(ctx: ArticleContext, paragraph: int, offset: int) -> dict[str, int]:
    order: dict[str, int] = {}
    n = 0
    for p in sorted(ctx.by_paragraph):
        for m in ctx.by_paragraph[p]:
            if p > paragraph or (p == paragraph and m.start >= offset):
                continue
            n += 1
            order[m.actor] = n
    return order


def resolve_phrase(ctx: ArticleContext, paragraph: int, start: int, end: int) -> Speaker | None:
    """Resolve the speaker phrase text[start:end] of a paragraph, or None if it names
    nobody (so that a caller can try its next rule)."""
    text = ctx.paragraphs[paragraph]
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not (text[end - 1].isalnum() or text[end - 1] in ")"):
        end -= 1
    if start >= end:
        return None
    phrase = text[start:end]
    first_word = re.match(r"[\w’']+", phrase)
    first = first_word.group(0).lower() if first_word else ""
    mentions = ctx.in_span(paragraph, start, end)
    if ANONYMITY.search(phrase):
        return Speaker(None, phrase)
    if not mentions and _VAGUE_GROUP.search(phrase):
        return Speaker(None, phrase)
    agent = _SPOKESPERSON.match(phrase)
    if agent and not ANONYMITY.search(phrase):
        # "a spokesperson for the ministry", "officials at the central bank"
        found = resolve_phrase(ctx, paragraph, start + agent.start("org"), end)
        if found is not None and found.actor is not None:
            return Speaker(found.actor, phrase)
    if first in PERSON_PRONOUNS:
        actor = ctx.antecedent(paragraph, start)
        return Speaker(actor, first_word.group(0) if first_word else phrase) if actor else None
    if first in _OTHER_PRONOUNS:
        return None
    if mentions:
        head, group_start = _group(ctx, paragraph, mentions, start)
        actor = head.actor
        if _possessive(text, head) and ctx.type_of(actor) != "organisation":
            owned = re.match(r"[’']s?\s+((?:[a-z]+\s+){0,3}[a-z]+)", text[head.end : end])
            if owned:
                described = _describe(ctx, owned.group(1), paragraph, start, owner=actor)
                if described:
                    return Speaker(described, phrase)
        surface = phrase if _possessive(text, head) else text[group_start : head.end]
        return Speaker(actor, surface.rstrip(" ,("))
    if _DETERMINER.match(phrase) or not mentions:
        np = re.split(r"[,(]| who | which | that ", phrase)[0]
        actor = (_by_name(ctx, np, paragraph, start) or _describe(ctx, np, paragraph, start)
                 or _institution(ctx, np, paragraph, start))
        if actor:
            return Speaker(actor, phrase)
        if _DETERMINER.match(phrase):
            return Speaker(None, phrase) if re.search(r"\bofficials?\b", phrase) else None
    return None

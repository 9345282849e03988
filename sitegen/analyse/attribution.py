"""Who said it: find the speaker phrase of a quote, figure or statement and resolve it to
an actor through the actors analyser's mention spans.

Rules, in order, each a common news-writing pattern:
- right after a quote: `"…," Rutte said` / `"…," said a senior official who …`;
- the subject of the last reporting verb before the words (`X said: "…"`, `X warned that …`,
  `X, calling it a "…"`), skipping an introductory phrase (`In a statement, X …`);
- `according to X`, `… is claimed by X`, `…, X said.` at the sentence end;
- otherwise a quote continues the speaker of the quote before it.

A speaker phrase resolves to the head of its first noun phrase: among the mentions that
form it ("South Korea's Vice Foreign Minister Kim Hong-kyun"), a person, else the last
mention that is not a possessive. Pronouns go to the last person mentioned before;
descriptions ("the South Korean president") to the actor whose names share its words;
anonymous sources ("a senior official who spoke on condition of anonymity") keep their
surface and no actor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sitegen.analyse.sentences import Span

_VERB_WORDS = """
say says said saying state states stated stating tell tells told telling add adds added adding
note notes noted noting warn warns warned warning write writes wrote writing argue argues
argued arguing claim claims claimed claiming insist insists insisted insisting explain
explains explained commented remarked assert asserts asserted declare
declares declared announce announces announced announcing stress stresses stressed stressing
emphasize emphasizes emphasized emphasizing emphasise emphasised emphasising urge urges urged
urging suggest suggests suggested believe believes believed acknowledge acknowledges
acknowledged admit admits admitted deny denies denied denying confirm confirms confirmed
reply replied respond responded conclude concluded observe observed predict predicted
estimated mention mentions mentioned tweeted posted
called calling describe describes described describing term termed characterize characterized
characterise characterised promise promised promising pledge pledged vow vowed condemn
condemns condemned condemning accuse accuses accused accusing express expresses expressed
expressing contend contends contended indicate indicates indicated reassure reassured caution
cautioned assure assured allege alleges alleged
deem deemed deeming request requested requesting reported dismiss
dismissed reject rejected rejecting refute refuted dispute disputes disputed disputing
concede concedes conceded reveal reveals revealed disclose discloses disclosed highlighted
signalled signaled hinted threaten threatens threatened demand demands demanded criticised
criticized criticises criticizes blame blames blamed praised hailed questioned doubted
projected forecast hopes hoped fears feared agreed proclaimed certified welcomed recognised
recognized
""".split()
REPORTING_VERB = re.compile(r"\b(?:" + "|".join(sorted(set(_VERB_WORDS), key=len, reverse=True))
                            + r")\b")
_AUX = re.compile(
    r"(?:\s+(?:has|have|had|was|were|is|are|will|would|also|later|then|previously|repeatedly|"
    r"reportedly|allegedly|again|further|once|publicly|earlier|not|never|been|had))+\s*$"
)
_INTRO = frozenset(
    """while although though in during after before following as when despite amid later earlier
    meanwhile however on at since if even for last yesterday today asked speaking writing
    responding separately similarly still instead elsewhere""".split()
)
_PREPOSITIONS = frozenset(
    """with to of from by for against about between on in at over than into toward towards
    including like via among under behind across alongside""".split()
)
_GAP_STOP = frozenset(
    """that who which whom and or but from with to by in on at of for as when while said
    says told""".split()
)
_PERSON_PRONOUNS = frozenset("he she him her his".split())
_OTHER_PRONOUNS = frozenset("it they them its their this that we i you".split())
_ANONYMITY = re.compile(
    r"\b(?:anonymity|anonymous(?:ly)?|unnamed|not authori[sz]ed|insiders?|sources?|"
    r"people familiar|person familiar|familiar with|not to be (?:named|identified)|"
    r"(?:declined|refused) to be (?:named|identified))\b",
    re.IGNORECASE,
)
_VAGUE_GROUP = re.compile(
    r"^(?:some|several|many|other|others|certain|a number of|two|three|various|most)\b|"
    r"\b(?:analysts|experts|observers|critics|commentators|outlets|media|reports|"
    r"witnesses|residents)\b",
    re.IGNORECASE,
)
_DETERMINER = re.compile(r"^(?:the|a|an|this|that|these|those)\s+", re.IGNORECASE)
_PERSON_HEADS = frozenset(
    """president minister spokesman spokeswoman spokesperson secretary chief leader ambassador
    envoy commander general official editor analyst senator governor mayor premier chancellor
    director head chairman chairwoman chair candidate lawmaker deputy prosecutor judge
    king queen prince pope dictator prime""".split()
)
_ACCORDING = re.compile(r"\baccording to\s+", re.IGNORECASE)
_SPOKESPERSON = re.compile(
    r"(?:(?:a|an|the|two|several|senior|other)\s+)*(?:[a-z]+\s+)?"
    r"(?:spokes(?:man|woman|person|people)|representatives?|officials?|aides?|advisers?|"
    r"advisors?|members?|staff)\s+(?:for|of|at|from|with|in|to)\s+(?P<org>\S.*)$",
    re.IGNORECASE,
)
_BY_AGENT = re.compile(r"\b(?:claimed|reported|estimated|said|stated|described|cited|"
                       r"put forward|given|announced|published|released|issued)\s+by\s+",
                       re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ActorRef:
    """What attribution needs to know of an actor."""

    id: str
    type: str
    words: frozenset[str]
    """Lower-cased words of its names and role, for matching descriptions."""
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
    """One article's paragraphs and mentions, plus the corpus actors: plain, picklable data."""

    paragraphs: Mapping[int, str]
    mentions: tuple[MentionSpan, ...]
    actors: Mapping[str, ActorRef]
    word_index: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Lower-cased word -> ids of the actors whose names or role hold it."""
    by_paragraph: dict[int, tuple[MentionSpan, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        grouped: dict[int, list[MentionSpan]] = {}
        for m in self.mentions:
            grouped.setdefault(m.paragraph, []).append(m)
        self.by_paragraph.update({k: tuple(sorted(v, key=lambda m: (m.start, -m.end)))
                                  for k, v in grouped.items()})

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
    return {w: tuple(sorted(ids)) for w, ids in index.items()}


# ------------------------------------------------------------------ noun phrase -> actor


def _word_before(text: str, pos: int) -> str:
    m = re.search(r"([\w’']+)\W*$", text[max(0, pos - 40) : pos])
    return m.group(1).lower() if m else ""


def _possessive(text: str, m: MentionSpan) -> bool:
    surface = text[m.start : m.end]
    return surface.endswith(("'s", "’s")) or bool(re.match(r"[’'](?:s\b|\s)", text[m.end :]))


def _group(ctx: ArticleContext, paragraph: int, mentions: list[MentionSpan],
           phrase_start: int) -> tuple[MentionSpan, int]:
    """The head mention and the start of the first noun phrase formed by `mentions`: the head actor of the first noun phrase formed by `mentions`: the first mention
    that is not the object of a preposition inside the phrase ("a statement by X" falls
    back to X), extended over the mentions that only titles separate from it."""
    text = ctx.paragraphs[paragraph]
    first = next((i for i, m in enumerate(mentions)
                  if m.start <= phrase_start or _word_before(text, m.start) not in _PREPOSITIONS),
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
    """The actor a description such as "the South Korean president" or "its intelligence
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
    """A name the actors analyser left unmarked here ("Kim stated"): the actor whose names
    hold its last capitalised word, the last mentioned in this article first."""
    names = re.findall(r"\b[A-Z][\w’'-]+", phrase)
    if not names or _DETERMINER.match(phrase):
        return None
    word = names[-1].lower()
    recency = _recency(ctx, paragraph, offset)
    ranked = sorted((ref for ref in (ctx.actors[a] for a in ctx.word_index.get(word, ()))),
                    key=lambda r: (-recency.get(r.id, -1), r.type != "person", r.id))
    if not ranked or recency.get(ranked[0].id, -1) < 0:
        return None  # never mentioned in this article: too weak to guess
    return ranked[0].id


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
    if _ANONYMITY.search(phrase):
        return Speaker(None, phrase)
    if not mentions and _VAGUE_GROUP.search(phrase):
        return Speaker(None, phrase)
    agent = _SPOKESPERSON.match(phrase)
    if agent and not _ANONYMITY.search(phrase):
        # "a spokesperson for the ministry", "officials at the central bank"
        found = resolve_phrase(ctx, paragraph, start + agent.start("org"), end)
        if found is not None and found.actor is not None:
            return Speaker(found.actor, phrase)
    if first in _PERSON_PRONOUNS:
        actor = ctx.last_before(paragraph, start, frozenset({"person"}))
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


# ------------------------------------------------------------------ finding the phrase


def _main_clause_start(text: str, start: int, limit: int) -> int:
    """Skip an introductory phrase ("In a statement, ", "While X, ") before `limit`."""
    chunk = text[start:limit]
    first = re.match(r"\s*([\w’']+)", chunk)
    if not first:
        return start
    word = first.group(1)
    comma = chunk.find(",")
    if comma < 0:
        return start
    if word.lower() in _INTRO or (word[0].isupper() and word.lower().endswith("ing")):
        return start + comma + 1
    return start


_TRAILING = (r"(?:\s+(?:in|on|at|to|after|during|late|early|last|this|yesterday|today|"
             r"earlier|later)\b[^,;]{0,40})?(?:,\s+(?:as|while|when|after|before|adding|"
             r"with|citing|though|although)\b.*)?\s*[.!?]?[”\"]?\s*")
"""What may follow a verb that closes its sentence: "said on Monday.", "told reporters."."""


def _clause_start(text: str, sent_start: int, pos: int) -> int:
    """Start of the clause that contains `pos`: after the last `;`, `, but`, `, while`,
    `, and` before it (never before the sentence start)."""
    best = sent_start
    for m in re.finditer(r";|,\s+(?:but|while|whereas|and|with|though|although)\b|\s+but\b",
                         text[sent_start:pos]):
        best = sent_start + m.end()
    return best


def subject_of(ctx: ArticleContext, paragraph: int, sentence: Span, verb_start: int,
               ) -> Speaker | None:
    """The speaker named as the subject of the verb at `verb_start`."""
    text = ctx.paragraphs[paragraph]
    clause = _clause_start(text, sentence.start, verb_start)
    clause = _main_clause_start(text, clause, verb_start)
    verb = REPORTING_VERB.match(text, verb_start)
    closing = re.search(r",\s*([^,;]{1,80})$", text[clause:verb_start])
    if verb and closing and re.fullmatch(_TRAILING, text[verb.end() : sentence.end]):
        clause += closing.start(1)  # "…, the agency said on Monday."
    end = verb_start
    aux = _AUX.search(text[clause:end])
    if aux:
        end = clause + aux.start()
    speaker = _immediate_subject(ctx, paragraph, clause, end)
    if speaker is None and end > clause:
        speaker = resolve_phrase(ctx, paragraph, clause, end)
    if speaker is None and clause > sentence.start and not text[clause:end].strip(" ,"):
        # "…, and said it posed a threat": the sentence's subject.
        main = _main_clause_start(text, sentence.start, verb_start)
        speaker = resolve_phrase(ctx, paragraph, main, _first_break(text, main, verb_start))
    return speaker


def _immediate_subject(ctx: ArticleContext, paragraph: int, start: int, end: int,
                       ) -> Speaker | None:
    """A pronoun or a person's name right before the verb ("what he termed",
    "…, Kyrylo Budanov, mentioned")."""
    text = ctx.paragraphs[paragraph]
    before = text[start:end].rstrip(" ,")
    word = re.search(r"([\w’']+)$", before)
    if word and word.group(1).lower() in _PERSON_PRONOUNS and word.start(1) > 0:
        pos = start + word.start(1)
        actor = ctx.last_before(paragraph, pos, frozenset({"person"}))
        return Speaker(actor, word.group(1)) if actor else None
    near = [m for m in ctx.by_paragraph.get(paragraph, ())
            if start <= m.start and start + len(before) - 1 <= m.end <= start + len(before)]
    if near and ctx.type_of(near[-1].actor) == "person":
        return Speaker(near[-1].actor, text[near[-1].start : near[-1].end])
    return None


def _first_break(text: str, start: int, limit: int) -> int:
    m = REPORTING_VERB.search(text, start, limit)
    return m.start() if m else limit


def _phrase_end(text: str, start: int, limit: int) -> int:
    """End of a speaker phrase that runs from `start` to at most `limit`."""
    m = re.search(r";|,\s+[a-z]|"
                  r"\s+(?:on|in|at|after|during|following)\s+(?:[A-Z]|social|a\b|the\b)",
                  text[start:limit])
    return start + m.start() if m else limit


def after_quote(ctx: ArticleContext, paragraph: int, sentence: Span, quote_end: int,
                ) -> Speaker | None:
    """`"…," Rutte said` or `"…," said a senior official who …` right after a quote."""
    text = ctx.paragraphs[paragraph]
    tail = text[quote_end : sentence.end]
    m = re.match(r"\s*[”\"»]?\s*[,.!?—–-]?\s*[”\"»]?\s*", tail)
    pos = quote_end + (m.end() if m else 0)
    rest = text[pos : sentence.end]
    by_agent = re.match(r"by\s+", rest)
    if by_agent:
        start = pos + by_agent.end()
        end = _phrase_end(text, start, sentence.end)
        return resolve_phrase(ctx, paragraph, start, end) or Speaker(None, text[start:end])
    verb_first = re.match(r"(?:" + REPORTING_VERB.pattern + r")\s+", rest)
    if verb_first:
        start = pos + verb_first.end()
        whole = text[start : sentence.end].rstrip(" .")
        if _ANONYMITY.search(whole):  # "… said an official who spoke on condition of anonymity"
            return Speaker(None, whole)
        return resolve_phrase(ctx, paragraph, start, _phrase_end(text, start, sentence.end))
    # The speaker phrase before the verb names someone ("Rutte", "chief executive X",
    # "Yusuf, 54,"), not a clause ("affirming that London …, as reported by").
    np_verb = re.match(r"((?![a-z]+ing\b|(?:as|and|but|while|which|who|that|according|in|on|"
                       r"after|before|with)\b)[^.;“”\"]{1,90}?)\s+(?:also\s+|later\s+|then\s+)?"
                       + REPORTING_VERB.pattern, rest)
    if np_verb and not re.search(r"\bthat\b", np_verb.group(1)):
        return resolve_phrase(ctx, paragraph, pos, pos + len(np_verb.group(1)))
    return None


def according_to(ctx: ArticleContext, paragraph: int, sentence: Span) -> Speaker | None:
    """`according to X` or `… claimed by X` anywhere in the sentence. A sentence that
    opens with "According to X," has X end at the first comma."""
    text = ctx.paragraphs[paragraph]
    for pattern in (_ACCORDING, _BY_AGENT):
        for m in pattern.finditer(text, sentence.start, sentence.end):
            start = m.end()
            end = _phrase_end(text, start, sentence.end)
            if m.start() == sentence.start and "," in text[start:end]:
                end = text.index(",", start)
            speaker = resolve_phrase(ctx, paragraph, start, end)
            if speaker is not None:
                return speaker
    return None


_NOUN_BEFORE = frozenset(
    "the a an this that his her its their such our your one any no all new further more".split()
)
_NOUN_OR_VERB = frozenset("claims claim reports denies calls".split())
"""Forms that are nouns as often as verbs: a verb only when a "that" clause follows."""


def reporting_verbs(text: str, start: int, end: int,
                    skip: Sequence[tuple[int, int]] = ()) -> list[re.Match[str]]:
    """Reporting verbs in text[start:end], outside the `skip` spans (quotes), leaving out
    the same words used as nouns or adjectives ("the claims", "the reported deployment")."""
    return [m for m in REPORTING_VERB.finditer(text, start, end)
            if not any(s <= m.start() < e for s, e in skip)
            and _word_before(text, m.start()) not in _NOUN_BEFORE
            and (m.group(0) not in _NOUN_OR_VERB or re.match(r"\s+that\b", text[m.end() :]))]


def verb_before(text: str, sentence: Span, pos: int,
                skip: Sequence[tuple[int, int]] = ()) -> list[re.Match[str]]:
    """Reporting verbs between the sentence start and `pos`, outside the `skip` spans."""
    return reporting_verbs(text, sentence.start, pos, skip)


def speaker_of(ctx: ArticleContext, paragraph: int, sentence: Span, anchor: int,
               skip: Sequence[tuple[int, int]] = ()) -> Speaker | None:
    """The speaker of words at `anchor` (a figure or a reported clause) in a sentence."""
    text = ctx.paragraphs[paragraph]
    for verb in reversed(verb_before(text, sentence, anchor, skip)):
        agent = re.match(r"\s+by\s+", text[verb.end() : sentence.end])
        if agent:  # "the result was disputed by the opposition"
            start = verb.end() + agent.end()
            speaker = resolve_phrase(ctx, paragraph, start, _phrase_end(text, start, sentence.end))
        else:
            speaker = subject_of(ctx, paragraph, sentence, verb.start())
        if speaker is not None:
            return speaker
    found = according_to(ctx, paragraph, sentence)
    if found is not None:
        return found
    tail = re.search(r",\s*([^,;]{1,60}?)\s+(?:" + REPORTING_VERB.pattern
                     + r")(?:\s+(?:in|on|at|to|after|during|late|early|last)\b[^,;]{0,40})?"
                     r"\.?[”\"]?$", text[sentence.start : sentence.end])
    if tail:
        start = sentence.start + tail.start(1)
        return resolve_phrase(ctx, paragraph, start, start + len(tail.group(1)))
    return None

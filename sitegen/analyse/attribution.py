"""Who said it: find the speaker phrase of a quote, figure or statement and resolve it to
an actor through the actors analyser's mention spans.

Rules, in order, each a common news-writing pattern:
- right after a quote: `"…," Okafor said` / `"…," said a senior official who …`;
- the subject of the last reporting verb before the words (`X said: "…"`, `X warned that …`,
  `X, calling it a "…"`), skipping an introductory phrase (`In a statement, X …`);
- `according to X`, `… is claimed by X`, `…, X said.` at the sentence end;
- otherwise a quote continues the speaker of the quote before it.

`speakers.py` turns the phrase into an actor.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sitegen.analyse.reporting import REPORTING_VERB, reporting_verbs
from sitegen.analyse.sentences import Span
from sitegen.analyse.speakers import (
    ANONYMITY,
    PERSON_PRONOUNS,
    ArticleContext,
    Speaker,
    resolve_phrase,
)

_AUX = re.compile(
    r"(?:\s+(?:has|have|had|was|were|is|are|will|would|also|later|then|previously|repeatedly|"
    r"reportedly|allegedly|again|further|once|publicly|earlier|not|never|been|had))+\s*$"
)
_INTRO = frozenset(
    """while although though in during after before following as when despite amid later earlier
    meanwhile however on at since if even for last yesterday today asked speaking writing
    responding separately similarly still instead elsewhere""".split()
)
_ACCORDING = re.compile(r"\baccording to\s+", re.IGNORECASE)
_BY_AGENT = re.compile(r"\b(?:claimed|reported|estimated|said|stated|described|cited|"
                       r"put forward|given|announced|published|released|issued)\s+by\s+",
                       re.IGNORECASE)


# ------------------------------------------------------------------ finding the phrase


_DATELINE = re.compile(r"[A-Z][A-Z .’'-]{2,}(?:,\s*[A-Z][\w .]*)?\s*(?:\([^)]{1,20}\))?\s*[—–-]+\s+")


def main_clause_start(text: str, start: int, limit: int) -> int:
    """Skip a dateline ("KYIV, Ukraine (AP) — ") and an introductory phrase ("In a
    statement, ", "While X, ") before `limit`."""
    dateline = _DATELINE.match(text, start, limit)
    if dateline:
        start = dateline.end()
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
    clause = main_clause_start(text, clause, verb_start)
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
        main = main_clause_start(text, sentence.start, verb_start)
        speaker = resolve_phrase(ctx, paragraph, main, _first_break(text, main, verb_start))
    return speaker


def _immediate_subject(ctx: ArticleContext, paragraph: int, start: int, end: int,
                       ) -> Speaker | None:
    """A pronoun or a person's name right before the verb ("what he termed",
    "…, Ana Lima, mentioned")."""
    text = ctx.paragraphs[paragraph]
    before = text[start:end].rstrip(" ,")
    word = re.search(r"([\w’']+)$", before)
    if word and word.group(1).lower() in PERSON_PRONOUNS and word.start(1) > 0:
        pos = start + word.start(1)
        actor = ctx.antecedent(paragraph, pos)
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
    """`"…," Okafor said` or `"…," said a senior official who …` right after a quote."""
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
        if ANONYMITY.search(whole):  # "… said an official who spoke on condition of anonymity"
            return Speaker(None, whole)
        return resolve_phrase(ctx, paragraph, start, _phrase_end(text, start, sentence.end))
    # The speaker phrase before the verb names someone ("Okafor", "chief executive X",
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

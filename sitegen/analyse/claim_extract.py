"""Per-article claim extraction: the quotes, figures and reported statements of one
article, each with its speaker, as plain picklable values.

This stage sees one article only (and the corpus actor table), so it can run in a
process pool or be cached per article; `claims.py` groups the results across articles.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from sitegen.analyse.attribution import (
    according_to,
    after_quote,
    main_clause_start,
    speaker_of,
    subject_of,
    verb_before,
)
from sitegen.analyse.numbers import find_figures
from sitegen.analyse.quotes import QuoteSpan, find_quotes
from sitegen.analyse.sentences import Span, sentence_at, split_sentences
from sitegen.analyse.speakers import (
    ActorRef,
    ArticleContext,
    MentionSpan,
    Speaker,
    resolve_phrase,
)
from sitegen.analyse.statements import (
    is_denial,
    is_reported_speech,
    is_unverified,
    statement_cue,
)
from sitegen.model import Actor, Article, ClaimKind
from sitegen.pickling import pickled_as_tuple


@pickled_as_tuple
class RawClaim(NamedTuple):
    """One claim as one article reports it, before grouping across articles. A named tuple
    rebuilt in C (`pickling.pickled_as_tuple`), as `model.Mention` is: an edit that changes
    the claims has every article's read back from the cache to group them again (25,000 at
    1,000 articles, 248,000 at 10,000)."""

    kind: ClaimKind
    article: str
    paragraph: int
    start: int
    evidence: str
    """Verbatim span of the paragraph (the sentence or sentences that carry the claim)."""
    text: str
    speaker: str | None
    speaker_surface: str | None
    number: float | None = None
    number_max: float | None = None
    unit: str | None = None
    hedge: str | None = None
    modifier: str | None = None
    qualifier: str | None = None
    of_what: str | None = None
    unverified: bool = False
    denial: bool = False


def actor_refs(actors: Sequence[Actor]) -> dict[str, ActorRef]:
    """The attribution view of every actor (names and role words, type, affiliation)."""
    refs = {}
    for a in actors:
        words: set[str] = set()
        for name in (a.name, *a.aliases, a.role or ""):
            words.update(w.lower() for w in re.findall(r"[A-Za-z]+", name))
        refs[a.id] = ActorRef(a.id, a.type, tuple(sorted(words)), a.affiliation)
    return refs


def article_context(article: Article, mentions: Sequence[MentionSpan],
                    refs: Mapping[str, ActorRef]) -> ArticleContext:
    """The plain data `extract_article` needs for one article."""
    return ArticleContext({p.number: p.text for p in article.paragraphs},
                          tuple(sorted(mentions, key=lambda m: (m.paragraph, m.start, m.end))), refs)


def _evidence(text: str, sentences: tuple[Span, ...], start: int, end: int) -> tuple[int, str]:
    first = sentence_at(sentences, start)
    last = sentence_at(sentences, max(start, end - 1))
    return first.start, text[first.start : last.end]


_DOCUMENT = re.compile(r"(?:The|This|That|His|Her|Its|Their) (?:statement|report|letter|post|"
                       r"message|communiqu[eé]|note|release|remarks?)\b")
"""A sentence about what was just said ("The statement also emphasized …") has its speaker."""
MIN_QUOTE_SENTENCE_WORDS = 4
"""A quotation of several sentences becomes one quote claim per sentence of at least this
many words, so that outlets quoting different parts of the same remarks line up."""


def _quote_sentences(text: str, quote: QuoteSpan) -> list[tuple[int, int]]:
    pieces = [(quote.start + s.start, quote.start + s.end) for s in split_sentences(quote.text)]
    if len(pieces) < 2 or any(len(re.findall(r"\w+", text[a:b])) < MIN_QUOTE_SENTENCE_WORDS
                              for a, b in pieces):
        return [(quote.start, quote.end)]
    return pieces


def _quote_speaker(ctx: ArticleContext, paragraph: int, sentences: tuple[Span, ...],
                   quote: QuoteSpan, quotes: Sequence[tuple[int, int]],
                   previous: Speaker | None) -> Speaker | None:
    text = ctx.paragraphs[paragraph]
    first = sentence_at(sentences, quote.start)
    last = sentence_at(sentences, max(quote.start, quote.end - 1))
    if quote.closed:
        found = after_quote(ctx, paragraph, last, quote.end)
        if found is not None:
            return found
    for verb in reversed(verb_before(text, first, quote.start, quotes)):
        found = subject_of(ctx, paragraph, first, verb.start())
        if found is not None:
            return found
    found = according_to(ctx, paragraph, first)
    if found is not None:
        return found
    lead_in = text[first.start : quote.start].strip(" \"“")
    if lead_in.endswith(":"):
        # "Yusuf was defiant: “…”": the subject of the clause the colon closes.
        start = main_clause_start(text, first.start, quote.start)
        found = resolve_phrase(ctx, paragraph, start, text.rindex(":", start, quote.start))
        if found is not None:
            return found
    if previous is not None and (not lead_in or quote.start <= 1 or not quote.opened
                                 or verb_before(text, first, quote.start, quotes)):
        return previous  # a quote that carries on, or a second quote of the same remarks
    return None


def _outside_quotes(ctx: ArticleContext, quotes: dict[int, tuple[QuoteSpan, ...]],
                    ) -> ArticleContext:
    """The context without the mentions inside quotation marks: a name a speaker quotes
    ("“I met Okafor,” he said") is never the speaker, nor what "he" stands for."""
    kept = tuple(m for m in ctx.mentions
                 if not any(q.start <= m.start < q.end for q in quotes.get(m.paragraph, ())))
    return ArticleContext(ctx.paragraphs, kept, ctx.actors)


def extract_article(article_id: str, ctx: ArticleContext) -> tuple[RawClaim, ...]:
    """Every quote, figure and reported statement of one article."""
    out: list[RawClaim] = []
    previous: Speaker | None = None
    last_said: Speaker | None = None
    all_quotes = {p: find_quotes(t) for p, t in ctx.paragraphs.items()}
    ctx = _outside_quotes(ctx, all_quotes)
    for paragraph in sorted(ctx.paragraphs):
        text = ctx.paragraphs[paragraph]
        sentences = split_sentences(text)
        if not sentences:
            continue
        quotes = all_quotes[paragraph]
        spans = [(q.start, q.end) for q in quotes]
        quote_speakers: list[tuple[QuoteSpan, Speaker | None]] = []
        for quote in quotes:
            speaker = _quote_speaker(ctx, paragraph, sentences, quote, spans, previous)
            if speaker is not None and speaker.actor is not None:
                previous = speaker
            quote_speakers.append((quote, speaker))
            if speaker is not None and speaker.actor is not None:
                last_said = speaker
            for start, end in _quote_sentences(text, quote):
                _, evidence = _evidence(text, sentences, start, end)
                out.append(RawClaim(
                    "quote", article_id, paragraph, start, evidence,
                    text[start:end].rstrip(" ,"), speaker.actor if speaker else None,
                    speaker.surface if speaker else None,
                    unverified=is_reported_speech(text, sentence_at(sentences, quote.start),
                                                  spans),
                    denial=is_denial(text, sentence_at(sentences, quote.start), spans)))
        for fig in find_figures(text):
            sentence = sentence_at(sentences, fig.start)
            inside = next((sp for q, sp in quote_speakers if q.start <= fig.start < q.end), None)
            speaker = inside or speaker_of(ctx, paragraph, sentence, fig.start, spans)
            evidence = text[sentence.start : sentence.end]
            cue = statement_cue(text, sentence, spans)
            claim_text = cue.clause if cue and fig.surface in cue.clause else evidence
            out.append(RawClaim(
                "number", article_id, paragraph, fig.start, evidence,
                claim_text, speaker.actor if speaker else None,
                speaker.surface if speaker else None, fig.value, fig.value_max, fig.unit,
                fig.hedge, fig.modifier, fig.qualifier, fig.of_what,
                unverified=is_unverified(text, sentence, spans),
                denial=is_denial(text, sentence, spans)))
        for sentence in sentences:
            cue = statement_cue(text, sentence, spans)
            if cue is None:
                continue
            speaker = None if cue.unattributed else speaker_of(ctx, paragraph, sentence,
                                                               cue.cue_end, spans)
            document = _DOCUMENT.match(text, sentence.start)
            if speaker is None and document and last_said is not None:
                speaker = Speaker(last_said.actor, document.group(0))  # "The statement also …"
            surface = speaker.surface if speaker else (
                text[cue.cue_start : cue.cue_end] if cue.unattributed else None)
            out.append(RawClaim(
                "statement", article_id, paragraph, sentence.start,
                text[sentence.start : sentence.end], cue.clause,
                speaker.actor if speaker else None, surface,
                unverified=is_unverified(text, sentence, spans),
                denial=is_denial(text, sentence, spans)))
            if speaker is not None and speaker.actor is not None:
                last_said = speaker
        if not quotes:
            previous = previous if paragraph_mentions_only(ctx, paragraph, previous) else None
    return tuple(out)


def paragraph_mentions_only(ctx: ArticleContext, paragraph: int, previous: Speaker | None) -> bool:
    """Keep a quote's speaker across a paragraph without quotes only when that paragraph
    still talks about the same actor (or names nobody)."""
    if previous is None or previous.actor is None:
        return False
    actors = {m.actor for m in ctx.by_paragraph.get(paragraph, ())
              if ctx.type_of(m.actor) == "person"}
    return not actors or previous.actor in actors

"""Turn an article's paragraphs into the units text-reuse detection compares.

Two views of the same text, both with quotations taken out (issue 5: two articles that
quote one public statement are not copies of each other, so quoted words are never
evidence of copying):

- word shingles (k consecutive tokens, stop words kept) with their positions, for exact
  and near-exact copies (wire copy, cuts);
- per-sentence bags of stemmed content words, for paraphrase (a rewrite that keeps the
  facts and their order but changes the wording, as a translation does).

Pure functions of the text; `ArticleText` is plain picklable data.
"""

from __future__ import annotations

import functools
import hashlib
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sitegen.pickling import pickled_by_value

SHINGLE_WORDS = 5
"""Tokens per shingle. Five keeps shingles made only of the story's common vocabulary
("north korean troops in ukraine") rare while a verbatim sentence still yields many."""

MIN_SENTENCE_CONTENT = 4
"""A sentence with fewer content words ("Share.") says nothing about its source."""

# Quotation spans: curly double, straight double, guillemets, and curly single quotes
# that open after a space or bracket (so the apostrophe in "Russia's" is not one).
# An opening mark with no closing one runs to the end of the paragraph, as a quote
# continued in the next paragraph is written in news style.
_QUOTE_RE = re.compile(
    r"\u201c[^\u201d]*(?:\u201d|$)"
    r'|"[^"]*(?:"|$)'
    r"|«[^»]*(?:»|$)"
    r"|(?:^|(?<=[\s(\[]))\u2018[^\u2019]*(?:\u2019(?![A-Za-z])|$)",
)
_LETTERS_AND_DOTS = frozenset(string.ascii_letters + ".")
"""What an abbreviation at a sentence's end is made of (`_ends_with_abbreviation`)."""
_TOKEN_RE = re.compile(r"\w+(?:[.,\u2019'\-]\w+)*")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"\u201d\u2019)\]]*\s+(?=[\"\u201c\u2018(\[]?[A-Z0-9])")
# A full stop after these does not end a sentence: titles, months, initials, "U.S.".
_ABBREVIATION_RE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Gen|Col|Lt|Sgt|Capt|Cmdr|Adm|Gov|Sen|Rep|Rev|Fr"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|No|Nos|Inc|Co|Corp|Ltd|vs|etc|approx)"
    r"|\b[A-Z]|\b(?:[A-Za-z]\.)+[A-Za-z])\.$"
)

# Function words: shingles keep them (they carry a writer's phrasing) but sentence bags
# drop them (a paraphrase changes them first). Generic English, no story vocabulary.
STOPWORDS = frozenset(
    """a about above across after again against all almost also although am among amid an
    and another any are around as at be because been before being below between both but
    by can could did do does doing down during each either even ever every few for from
    further had has have having he her here hers herself him himself his how however i if
    in including into is it its itself just least less many may me might more most much
    must my myself neither no nor not now of off often on once one only or other others
    our ours ourselves out over own per quite rather s said say says same she should since
    so some still such than that the their theirs them themselves then there these they
    this those though through thus to too toward towards under until up upon us very via
    was we were what when where whether which while who whom whose why will with within
    without would yet you your yours""".split()  # noqa: SIM905
)


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence outside quotations, as a bag of stemmed content words."""

    paragraph: int
    word_keys: bytes
    """The `word_key` of each of its distinct words, sorted, as little-endian uint64s. The
    sources stage holds every article's sentences at once: as frozensets of the words they
    took 39 KB an article (390 MB at 10,000 articles), packed 5."""

    @property
    def size(self) -> int:
        """How many distinct content words it has."""
        return len(self.word_keys) // 8


@pickled_by_value
@dataclass(frozen=True, slots=True)
class ArticleText:
    """The comparable units of one article, quotations removed."""

    id: str
    shingles: bytes
    """Shingle hashes in reading order (repeats kept), as little-endian uint64s (a tuple
    of ints took five times as much)."""
    shingle_paragraphs: bytes
    """The paragraph number of each shingle, index for index, as little-endian uint32s."""
    sentences: tuple[Sentence, ...]
    """Sentences with at least `MIN_SENTENCE_CONTENT` content words, in reading order."""
    words: int
    """Tokens outside quotations: how long the text is, the last tie-break of direction."""
    specifics: int
    """Distinct figures and names (capitalised words never written in lower case there) in
    the whole text: how much detail it carries, since a rewrite drops detail more often than
    it adds any."""


QUOTE_MARK = "\u2029"
"""Stands in for a quotation in masked text: no shingle or sentence bag spans it."""


def mask_quotations(text: str) -> str:
    """`text` with every quotation replaced by `QUOTE_MARK`.

    Done on the whole paragraph, before sentence splitting, so a quote of several
    sentences is removed as one span.
    """
    return _QUOTE_RE.sub(QUOTE_MARK, text)


def strip_quotations(text: str) -> list[str]:
    """The stretches of `text` outside quotation marks, in order."""
    return [part for part in mask_quotations(text).split(QUOTE_MARK) if part.strip()]


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; digit groups are joined ("10,000" -> "10000"). Curly
    apostrophes are made straight in the whole text at once: `_TOKEN_RE` takes either
    inside a word, so the tokens are the same."""
    return [tok.replace(",", "") if tok[0].isdigit() else tok[:-2] if tok.endswith("'s") else tok
            for tok in _TOKEN_RE.findall(text.lower().replace("\u2019", "'"))]


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light suffix stripper: enough that "troops"/"troop", "summoned"/"summon" meet."""
    if word[0].isdigit() or len(word) <= 4:
        return word
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: len(word) - len(suffix)] + keep
    return word


def split_sentences(text: str) -> list[str]:
    """Split at sentence ends, not after abbreviations such as "Oct." or "U.S."."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END_RE.finditer(text):
        if _ends_with_abbreviation(text[start : m.start()]):
            continue
        out.append(text[start : m.start()])
        start = m.end()
    out.append(text[start:])
    return [s for s in out if s.strip()]


def _ends_with_abbreviation(head: str) -> bool:
    """Whether `head` (a sentence up to its full stop, closing quotes allowed) ends on an
    abbreviation (`_ABBREVIATION_RE`). Such an ending is letters and dots, so the search
    starts where the last run of them does, not at every position of the sentence."""
    stripped = head.rstrip('"\u201d\u2019)]')
    start = len(stripped)
    while start and stripped[start - 1] in _LETTERS_AND_DOTS:
        start -= 1
    return _ABBREVIATION_RE.search(stripped, start) is not None


def shingle_digests(toks: Sequence[str]) -> list[bytes]:
    """Each run of `SHINGLE_WORDS` tokens as a stable 64-bit hash, big-endian (Python's
    `hash` of str changes between runs); an article's are read as one array at its end."""
    return [hashlib.blake2b(" ".join(toks[i:i + SHINGLE_WORDS]).encode(), digest_size=8).digest()
            for i in range(len(toks) - SHINGLE_WORDS + 1)]


@functools.lru_cache(maxsize=1 << 16)
def word_key(word: str) -> int:
    """A stable 64-bit hash of one content word."""
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")


def article_text(article_id: str, paragraphs: Sequence[tuple[int, str]]) -> ArticleText:
    """Build the comparable units of one article from (paragraph number, text) pairs."""
    shingles: list[bytes] = []
    shingle_paragraphs: list[int] = []
    sentences: list[Sentence] = []
    words = 0
    every = [t[:-2] if t.endswith(("'s", "\u2019s")) else t for _, text in paragraphs for t in _TOKEN_RE.findall(text)]
    lowered = {t for t in every if t.islower()}
    specifics = {t for t in every if t[0].isdigit() or (t[0].isupper() and t.lower() not in lowered)}
    for number, text in paragraphs:
        for sentence in split_sentences(mask_quotations(text)):
            bag: set[str] = set()
            for part in sentence.split(QUOTE_MARK):
                toks = tokens(part)
                words += len(toks)
                bag.update(stem(t) for t in toks if t not in STOPWORDS)
                found = shingle_digests(toks)
                shingles += found
                shingle_paragraphs += [number] * len(found)
            if len(bag) >= MIN_SENTENCE_CONTENT:
                sentences.append(Sentence(number, np.array(sorted(map(word_key, bag)), "<u8").tobytes()))
    return ArticleText(
        article_id,
        np.frombuffer(b"".join(shingles), ">u8").astype("<u8").tobytes(),
        np.array(shingle_paragraphs, "<u4").tobytes(),
        tuple(sentences),
        words,
        len(specifics),
    )

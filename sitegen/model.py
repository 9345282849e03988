"""The values that flow through the build pipeline: frozen, typed, no I/O.

content/ --load--> Article --analyse--> Analysis --link--> Site --render--> pages --write--> public/

Objects refer to each other by id (an article id, an actor id), never by holding each
other; `link.py` builds the indexes that resolve ids. Offsets (`start`, `end`) are
character offsets into a paragraph's plain text (`Paragraph.text`), as in
`shared/spec/briefing-json.md`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from sitegen.pickling import pickled_as_tuple, pickled_by_value, pickled_with_texts

ActorType = Literal["person", "organisation", "state", "media", "other"]
ClaimKind = Literal["quote", "statement", "number"]
ClaimStatus = Literal["corroborated", "single-source", "contested", "unverified"]


@pickled_with_texts("text")
@dataclass(frozen=True, slots=True)
class Paragraph:
    """One block of an article's text: the unit of citation (`#p<number>`)."""

    number: int
    """1-based position in the article; the page anchor is `p<number>`."""
    text: str
    """Plain text of the paragraph (inline Markdown rendered to text, no markup)."""
    line: int
    """1-based line in the source file where the paragraph starts."""


@pickled_with_texts("body")
@dataclass(frozen=True, slots=True)
class Article:
    """One source article as loaded from `content/articles/*.md`."""

    id: str
    """Slug, unique in the briefing and stable across builds (from the file name)."""
    source_file: str
    """Path relative to the site root, with forward slashes."""
    title: str
    outlet: str | None
    date: str | None
    """YYYY-MM-DD or None."""
    url: str | None
    author: str | None
    body: str
    """The Markdown body, after the front matter."""
    body_line: int
    """1-based line of the file on which `body` starts (for error messages)."""
    paragraphs: tuple[Paragraph, ...]
    content_digest: str = field(default="", compare=False, repr=False)
    """Hash of the source file's path and text, which every other field is parsed from:
    what names the article in cache keys (`runner._KeyPickler`) instead of its fields
    hashed one by one. Empty for an article made in code (the fields are hashed then)."""


@pickled_as_tuple
class Mention(NamedTuple):
    """An exact span of a paragraph that names an actor.

    A named tuple, not a frozen dataclass as the other records are: a build reads every
    actor's mentions back from the cache (710,000 at 10,000 articles), and a tuple is
    rebuilt in C (`pickling.pickled_as_tuple`) where a frozen dataclass runs its `__init__`,
    setting each field through `object.__setattr__`. Its fields, hashed as JSON
    (`runner.plain_key`), are written as a dataclass's are."""

    article: str
    paragraph: int
    start: int
    end: int
    surface: str
    """The paragraph text from `start` to `end`, exactly as written."""


@dataclass(frozen=True, slots=True)
class CuratedActor:
    """An entry of `content/actors.yaml`; wins over extraction where they meet."""

    name: str
    type: ActorType | None
    role: str | None
    affiliation: str | None
    """The *name* of another actor, resolved to an id by the actors analyser."""
    aliases: tuple[str, ...]
    line: int
    """Line in actors.yaml, for error messages."""


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Actor:
    """A person, organisation, state or outlet, with every name it goes by."""

    id: str
    name: str
    type: ActorType
    role: str | None
    affiliation: str | None
    """Actor id of the state or organisation it belongs to."""
    aliases: tuple[str, ...]
    """Every surface seen or curated, exactly as written, sorted."""
    mentions: tuple[Mention, ...]
    """Sorted by article, paragraph, start."""
    curated: bool = False
    role_source: str | None = None
    """The text the role and affiliation were read from (e.g. an appositive), to show where
    they came from; None when curated or unknown."""


@pickled_as_tuple
class Evidence(NamedTuple):
    """Where one article reports a claim: a verbatim span of one paragraph. A named tuple,
    as `Mention` is: the claims' ledger, read back by every build, holds 25,000 of them at
    1,000 articles."""

    article: str
    paragraph: int
    text: str


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Claim:
    """Something a speaker said or a figure reported, with every article that reports it."""

    id: str
    kind: ClaimKind
    speaker: str | None
    """Actor id, or None for anonymous and unattributed claims."""
    speaker_surface: str | None
    """How the text names the speaker ("a senior official who spoke on condition of anonymity")."""
    text: str
    number: float | None
    number_max: float | None
    unit: str | None
    hedge: str | None
    measure: str | None
    """Claims about the same quantity share a measure key and are set side by side."""
    evidence: tuple[Evidence, ...]
    independent_sources: int
    status: ClaimStatus
    denial: bool = False
    """True when the claim denies or disowns a figure or statement."""


@pickled_by_value
@dataclass(frozen=True, slots=True)
class SharedPassage:
    """A stretch of text two articles share, shown as evidence that one rewrites the other."""

    copy_paragraph: int
    origin_paragraph: int
    copy_text: str
    origin_text: str


@pickled_by_value
@dataclass(frozen=True, slots=True)
class CopyLink:
    """Evidence that article `copy` rewrites, condenses or copies article `origin`."""

    copy: str
    origin: str
    score: float
    """The overlap figure the decision was made on (0..1), shown on the sources page."""
    containment: float
    """Share of the copy's shingles found in the origin."""
    passages: tuple[SharedPassage, ...]


@dataclass(frozen=True, slots=True)
class SourceAnalysis:
    """Which articles rewrite which, and each article's independent origin."""

    links: tuple[CopyLink, ...]
    origin_of: Mapping[str, str | None] = field(default_factory=dict)
    """Article id -> the id of the article it ultimately rewrites (None: independent)."""


@pickled_as_tuple
class TagOccurrence(NamedTuple):
    """A paragraph in which a tag's words occur (a named tuple, as `Mention` is)."""

    article: str
    paragraph: int


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Tag:
    """A keyword that describes the story, from YAKE plus corpus-level filtering."""

    id: str
    label: str
    articles: tuple[str, ...]
    occurrences: tuple[TagOccurrence, ...]
    score: float
    """Higher is more descriptive of the briefing; orders the tag index."""


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the analysers found, before links and pages are made."""

    actors: tuple[Actor, ...]
    claims: tuple[Claim, ...]
    sources: SourceAnalysis
    tags: tuple[Tag, ...]


DEFAULT_PAGE_SIZE = 250
MIN_PAGE_SIZE = 1


@dataclass(frozen=True, slots=True)
class Briefing:
    """`content/briefing.yaml`."""

    title: str
    description: str | None
    base_url: str | None
    page_size: int = DEFAULT_PAGE_SIZE
    """Items listed on one page before a long list is split into pages of its own: the
    claims, the source index, an actor's mentions, a tag's articles (`pagination`)."""

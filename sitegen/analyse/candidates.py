"""What name detection hands on: plain, picklable records of the names in one article.

`names.py` makes them, `cues.py` and `resolve.py` refine them within the article, and
`aliases.py` merges them across articles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from sitegen.analyse.roles import Role
from sitegen.pickling import pickled_as_tuple, pickled_by_value

CandidateKind = Literal["person", "single", "organisation", "media", "acronym", "state", "office"]



@pickled_as_tuple
class Candidate(NamedTuple):
    """One place in one paragraph that names an actor.

    A named tuple (changed with `_replace`), rebuilt in C when unpickled
    (`pickling.pickled_as_tuple`): an edit that names someone reads every article's
    candidates back from the cache to merge them again (71,000 at 1,000 articles, 710,000
    at 10,000), and as a frozen dataclass each ran an `__init__` setting its 19 fields
    through `object.__setattr__` (71,000: 177 -> 46 ms)."""

    paragraph: int
    start: int
    end: int
    surface: str
    """Exactly `text[start:end]`: the name with its title when it has one."""
    name: str
    """The bare name ("Mark Rutte"), the acronym, or for a state its common name."""
    kind: CandidateKind
    state: str | None = None
    """ISO code when the candidate names a state (its name, capital or seat of power)."""
    role: Role | None = None
    person_cue: bool = False
    """A title or a speech verb says this is a person ("Zinoviev acknowledged")."""
    media_cue: bool = False
    loose_media: bool = False
    """The only outlet cue is one a person fits as well ("told X", "X reported"): a surname
    of a person named in the article wins over it."""
    sentence_initial: bool = False
    resolved: str | None = None
    """For a bare surname: the full name in this article it stands for."""
    owner: str | None = None
    """For an office ("Yoon's office"): the name of its holder."""
    common: bool = False
    """A lone word the article also writes in lower case ("the Government"): a common noun."""
    thing: bool = False
    """A lone word followed by a disease or thing noun ("Zika virus"): not an actor."""
    modifier: bool = False
    """A lone word opening a sentence before a noun ("Young people", "Border intelligence"):
    not a surname to resolve."""
    weak: bool = False
    """Found where capitals prove nothing (a headline in Title Case) or a generic word left
    unresolved ("the Council"): joins an actor other mentions make, never makes one."""
    short: str | None = None
    """For an organisation named with its state ("US Federal Trade Commission"): the name
    without it, which its acronym abbreviates."""


@pickled_by_value
@dataclass(frozen=True, slots=True)
class ArticleNames:
    """Everything `names.py` found in one article."""

    article: str
    candidates: tuple[Candidate, ...]
    """Sorted by paragraph and start; no two overlap."""
    acronyms: tuple[tuple[str, str], ...]
    """(acronym, expansion) pairs the article defines: "National Intelligence Service (NIS)"."""

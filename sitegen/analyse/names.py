"""Find the names of actors in one article: people, organisations, outlets and states.

Runs on one `Article` and returns plain, picklable `ArticleNames`, so a process pool or a
cache can run it per article; `aliases.py` merges the results across articles.

A name is a run of capitalised words (with particles such as "de la", "bin", "al-" and, in
organisation names, "of the"). Each run is split into what it holds, left to right: an
affiliation ("South Korean", "NATO"), a title ("Vice Foreign Minister"), a name ("Kim
Hong-kyun"); or it is a whole organisation ("National Intelligence Service"), an outlet
("Defence Express"), a state or its capital ("Seoul"), or a place and dropped ("Kursk
Oblast"). Then `cues.py` reads the words around each name and `resolve.py` resolves shorter
forms to the nearest full name of the same article.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from sitegen.analyse.candidates import ArticleNames, Candidate, CandidateKind
from sitegen.analyse.cues import defined_acronym, mark_cues
from sitegen.analyse.gazetteer import SEATS_OF_POWER, Gazetteer, fold, load_gazetteer
from sitegen.analyse.lexicon import (
    EVENT_HEADS,
    HONORIFICS,
    MEDIA_HEADS,
    NOT_ACRONYMS,
    NOT_NAMES,
    ORG_HEADS,
    PLACE_HEADS,
    SPEECH_VERBS,
    calendar_words,
    is_role_head,
    is_title_word,
    particles,
    stopwords,
)
from sitegen.analyse.resolve import compass_states, resolve_surnames
from sitegen.analyse.roles import Role, split_title
from sitegen.analyse.tokens import Token, tokenize
from sitegen.model import Article

_CONNECTORS = ("of", "for", "on")
_INITIALS = re.compile(r"^(?:[A-Z]\.?){1,3}$")
_MAX_TITLE_WORDS = 6


def find_names(article: Article) -> ArticleNames:
    """Every candidate actor name in one article, surnames resolved within it."""
    gaz = load_gazetteer()
    found: list[Candidate] = []
    acronyms: set[tuple[str, str]] = set()
    tokenized = [(para, tokenize(para.text)) for para in article.paragraphs]
    runs = [_runs(toks) for _, toks in tokenized]
    # Words that stand alone, capitalised, mid-sentence: names in their own right ("Hamas").
    singles = Counter((toks[i].text, toks[i].sentence_initial)
                      for (_, toks), spans in zip(tokenized, runs, strict=True) for i, j in spans if j == i + 1)
    mid_caps = frozenset(w for (w, initial), n in singles.items()
                         if not initial or n + singles[(w, False)] >= 2)
    for (para, tokens), spans in zip(tokenized, runs, strict=True):
        cands, defs = _paragraph_names(para.number, para.text, tokens, spans, gaz, mid_caps)
        if _is_headline(para.text, tokens):
            cands = [c if c.kind in ("state", "acronym") else c._replace(weak=True) for c in cands]
        found.extend(cands)
        acronyms.update(defs)
    found.sort(key=lambda c: (c.paragraph, c.start, c.end))
    lower = {t.text for _, toks in tokenized for t in toks if t.text.islower()}
    found = [c._replace(common=True) if _common(c, lower) else c for c in found]
    found = compass_states(article, found)
    return ArticleNames(article.id, tuple(resolve_surnames(found)), tuple(sorted(acronyms)))


def _common(c: Candidate, lower: set[str]) -> bool:
    """Whether a candidate is made of words the article also writes in lower case: a lone
    capitalised noun ("the Government") or a concept with no cue of a person ("Defence
    Intelligence", "Human Rights"); "Mark Rutte" is not, "rutte" is never lower case."""
    words = c.name.split()
    if c.kind in ("single", "organisation", "media") and len(words) == 1:
        return c.name.lower() in lower
    return (c.kind == "person" and not c.person_cue and (c.role is None or c.role.title is None)
            and c.resolved is None
            and len(words) > 1 and all(w.lower() in lower for w in words))


def _is_headline(text: str, tokens: list[Token]) -> bool:
    """A line in Title Case with no closing full stop ("Rutte Warns Of Serious Escalation"):
    its capitals are typography, not names."""
    words = [t for t in tokens if t.text.isalpha() and t.lower not in stopwords()]
    if len(words) < 3 or text.rstrip().endswith((".", "!", "?", ".”", '."')):
        return False
    return sum(t.text[:1].isupper() for t in words) >= 0.8 * len(words)



# ----------------------------------------------------------------------------- runs


def _runs(tokens: list[Token]) -> list[tuple[int, int]]:
    """[i, j) token ranges of capitalised words joined by single spaces."""
    runs: list[tuple[int, int]] = []
    i, n = 0, len(tokens)
    while i < n:
        lead = _leading_particles(tokens, i)
        if not lead and not _can_start(tokens[i]):
            i += 1
            continue
        j = i + lead + 1
        while j < n and (not tokens[j - 1].possessive or _plural_possessive(tokens, j)):
            t = tokens[j]
            if (t.gap not in (" ", " & ") and not (t.gap == ". " and tokens[j - 1].lower in HONORIFICS)) or (
                    tokens[j - 1].text.endswith(".") and t.lower in stopwords()):
                break
            if _name_word(t) and not _calendar_break(tokens, i, j):
                j += 1
                continue
            if _middle_initial(tokens, j):
                j += 2  # "George W. Bush": the initial and the name after it
                continue
            if t.gap == ". " and tokens[j - 1].lower in HONORIFICS and _name_word(t):
                j += 1  # "Dr. Amina Kiplagat"
                continue
            # "de la", "bin", "van der" inside a name; "of the" inside an organisation or title.
            k = j
            while k < n and tokens[k].gap == " " and not tokens[k].capitalised and (
                tokens[k].lower in particles() or tokens[k].lower in _CONNECTORS
                or (tokens[k].lower == "and" and k == j)
                or (tokens[k].lower == "the" and k > j and tokens[k - 1].lower in _CONNECTORS)
            ):
                k += 1
            if k == j or k >= n or tokens[k].gap != " " or not _can_start(tokens[k]):
                break
            inner = [tokens[x].lower for x in range(j, k)]
            if any(w in _CONNECTORS for w in inner) and not _joins_connector(tokens, i, j, inner):
                break
            if inner == ["and"] and not _joins_and(tokens, i, j, k):
                break
            j = k + 1
        runs.append((i, j))
        i = j
    return runs


def _plural_possessive(tokens: list[Token], j: int) -> bool:
    """"Republican People's Party": a plural noun's possessive inside an organisation name."""
    if tokens[j - 1].lower not in ("people", "women", "men", "children", "workers", "peoples"):
        return False
    end = j
    while end < len(tokens) and tokens[end].gap == " " and _name_word(tokens[end]):
        end += 1
    return end > j and tokens[end - 1].lower in ORG_HEADS


def _middle_initial(tokens: list[Token], j: int) -> bool:
    """A one-letter initial between two names: "George W. Bush"."""
    t = tokens[j]
    return (len(t.text) == 1 and t.text.isupper() and j + 1 < len(tokens)
            and tokens[j + 1].gap == ". " and _name_word(tokens[j + 1]) and not tokens[j + 1].possessive)


def _leading_particles(tokens: list[Token], i: int) -> int:
    """How many lower-case particles open a name at i: "von der Leyen said", "de Mistura"."""
    k = i
    while k < len(tokens) and not tokens[k].capitalised and tokens[k].lower in particles() and (
            k == i or tokens[k].gap == " "):
        k += 1
    if k == i or k >= len(tokens) or tokens[k].gap != " " or not _can_start(tokens[k]):
        return 0
    if i > 0 and tokens[i].gap == " " and _can_start(tokens[i - 1]):
        return 0  # inside a name, handled by the run that holds it
    return k - i


def _can_start(t: Token) -> bool:
    return _name_word(t) and t.lower not in calendar_words()


def _name_word(t: Token) -> bool:
    return t.capitalised and len(t.text) > 1


def _calendar_break(tokens: list[Token], i: int, j: int) -> bool:
    """Day and month names end a run ("Monday"), but "Theresa May" is a name."""
    return tokens[j].lower in calendar_words() and tokens[j].text not in ("May", "March", "August", "June")


def _joins_and(tokens: list[Token], i: int, j: int, k: int) -> bool:
    """"and" joins two capitalised parts of one organisation only when both sides are
    parts of it: "Relief and Works Agency", not "European Union and Japan"."""
    words = [t.lower for t in tokens[i:j]]
    at = max((n for n, w in enumerate(words) if w in _CONNECTORS), default=None)
    if at is not None and any(w in ORG_HEADS for w in words[:at]) and not is_title_word(tokens[k].text):
        # "Centers for Disease Control and Prevention", "Ministry of Trade and Industry", but
        # not "Ministry of Health and WHO".
        end = k
        while end + 1 < len(tokens) and tokens[end + 1].gap == " " and _name_word(tokens[end + 1]):
            end += 1
        return end - k < 3 and not any(t.acronym for t in tokens[k : end + 1])
    if at is not None and any(is_role_head(w) for w in words[:at]) and len(words) - at - 1 <= 2 \
            and not is_title_word(tokens[k].text):
        return True  # "Minister of Culture and Islamic Guidance Abbas Salehi"
    if not any(w in ORG_HEADS for w in words):
        return False
    end = k
    while end + 1 < len(tokens) and tokens[end + 1].gap == " " and _name_word(tokens[end + 1]):
        end += 1
    return tokens[end].lower in ORG_HEADS and tokens[j - 1].lower not in ORG_HEADS


def _joins_connector(tokens: list[Token], i: int, j: int, inner: list[str]) -> bool:
    """"of" joins two capitalised parts when the first is a title or an organisation head:
    "Secretary General of the ...", "Ministry of Foreign Affairs", "Committee on Finance"."""
    words = [t.lower for t in tokens[i:j]]
    if words[-1] in ORG_HEADS or words[-1] in MEDIA_HEADS or (len(words) == 1 and (
            words[0] in PLACE_HEADS or words[0] in EVENT_HEADS)):
        return True
    return "on" not in inner and is_role_head(words[-1])


# ----------------------------------------------------------------------------- pieces


@dataclass(frozen=True, slots=True)
class _Gaz:
    """A gazetteer match at the start of a run."""

    length: int
    """Tokens matched."""
    kind: Literal["state", "demonym", "seat-org", "region", "city"]
    code: str | None


def _gazetteer_match(tokens: list[Token], i: int, j: int, gaz: Gazetteer) -> _Gaz | None:
    """Longest state, capital, seat, demonym, region or city name at tokens[i:]."""
    t = tokens[i]
    if t.acronym:
        bare = t.text.replace(".", "")
        if bare in gaz.codes and ("." in t.text or len(bare) >= 2):
            return _Gaz(1, "state", gaz.codes[bare])
        if j == i + 1:
            return None  # an acronym is not a city ("NIS" is not Niš)
    for k in range(min(j, i + 6), i, -1):
        if k - 1 > i and tokens[k - 2].possessive:
            continue
        phrase = fold(" ".join(x.text for x in tokens[i:k]))
        if any(x.gap != " " for x in tokens[i + 1 : k]):
            continue
        code = gaz.state_of(phrase)
        if code:
            return _Gaz(k - i, "state", code)
        seat = SEATS_OF_POWER.get(phrase)
        if seat and seat.kind == "organisation":
            return _Gaz(k - i, "seat-org", seat.state)
        if phrase in gaz.demonyms:
            return _Gaz(k - i, "demonym", gaz.demonyms[phrase])
        if phrase in gaz.regions:
            return _Gaz(k - i, "region", None)
        if k - i == j - i and (phrase in gaz.big_cities or (k - i > 1 and phrase in gaz.cities)):
            return _Gaz(k - i, "city", None)
    return None


def _paragraph_names(
    number: int, text: str, tokens: list[Token], runs: list[tuple[int, int]], gaz: Gazetteer,
    mid_caps: frozenset[str],
) -> tuple[list[Candidate], set[tuple[str, str]]]:
    """The candidates of one paragraph, from its capitalised `runs` (`_runs(tokens)`)."""
    out: list[Candidate] = []
    defs: set[tuple[str, str]] = set()
    sw = stopwords()
    for i, j in runs:
        # Leading function words of a sentence ("The", "While", "For") are not names.
        while i < j and tokens[i].lower in sw and not tokens[i].acronym and not (
                tokens[i].lower in HONORIFICS and j > i + 1):
            i += 1
        if i >= j:
            continue
        out.extend(_classify_run(number, text, tokens, i, j, gaz, mid_caps))
    out = _extend_titles(number, text, tokens, out, gaz, mid_caps)
    out = mark_cues(text, tokens, out)
    for c in out:
        expansion = defined_acronym(text, c)
        if expansion:
            defs.add(expansion)
    return _drop_overlaps(out), defs


def _span(number: int, text: str, tokens: list[Token], i: int, j: int) -> tuple[int, int, str]:
    start, end = tokens[i].start, tokens[j - 1].end
    return start, end, text[start:end]


def _make(number: int, text: str, tokens: list[Token], i: int, j: int, kind: CandidateKind,
          *, name: str | None = None, state: str | None = None, role: Role | None = None,
          owner: str | None = None) -> Candidate:
    start, end, surface = _span(number, text, tokens, i, j)
    return Candidate(number, start, end, surface, name or surface, kind, state=state, role=role,
                     sentence_initial=tokens[i].sentence_initial, owner=owner)


def _classify_run(number: int, text: str, tokens: list[Token], i: int, j: int,
                  gaz: Gazetteer, mid_caps: frozenset[str]) -> list[Candidate]:
    """Split one run of capitalised words into the candidates it holds."""
    run = tokens[i:j]
    words = [t.lower for t in run]
    last = words[-1].rsplit("-", 1)[-1]
    if not run[0].capitalised and run[0].lower in particles():
        # "von der Leyen": a surname with its particles, known from its full name elsewhere.
        return [_make(number, text, tokens, i, j, "person")]
    g = _gazetteer_match(tokens, i, j, gaz)
    if g and g.length == j - i:
        if g.kind == "state":
            assert g.code is not None
            return [_make(number, text, tokens, i, j, "state", name=gaz.states[g.code].name, state=g.code)]
        if g.kind == "seat-org":
            return [_make(number, text, tokens, i, j, "organisation",
                          role=Role(None, g.code, None, None))]
        return []  # a demonym, region or city: not an actor
    if last in EVENT_HEADS or (len(words) > 1 and last in PLACE_HEADS and not _has_org_head(words[:-1])):
        return []
    if any(w in EVENT_HEADS for w in words) and not _has_org_head(words) and not _has_role(words):
        return []  # "World War II"
    if len(words) == 2 and words[0] in NOT_NAMES:
        return []  # "West Bank", "North Sea": a compass word and a noun is a place
    if len(words) > 2 and (words[0] in PLACE_HEADS or words[0] in EVENT_HEADS) and words[1] in _CONNECTORS:
        return []  # "Port of Valmare", "Strait of Hormuz"
    if any(w in NOT_NAMES for w in words) and not _has_org_head(words) and not _has_role(words):
        return []
    if _has_org_head(words) and not _has_role(words) and words[0] not in particles():
        heads = [k for k, w in enumerate(words) if w in ORG_HEADS or w in MEDIA_HEADS]
        if heads[-1] == len(words) - 1 or words[heads[-1] + 1] in _CONNECTORS:
            media = last in MEDIA_HEADS and last not in ORG_HEADS
            return [_org(number, text, tokens, i, j, "media" if media else "organisation", gaz)]
    if g and g.kind == "demonym" and g.length < len(run) and not _has_role(words) \
            and all(_name_part(run, x) for x in range(g.length, len(run))):
        # "Pakistani Taliban", "Chinese Communist Youth": a demonym before a name makes a group.
        return [_org(number, text, tokens, i, j, "organisation", gaz)]
    name_start = _name_tail(run)
    if 0 < name_start == len(run) - 1 and run[name_start - 1].lower in (*_CONNECTORS, "and") and _has_role(words):
        # "Minister of Culture", "Nature Protection Minister of Armenia", "Chief Medical Officer
        # of the Centers for Disease Control and Prevention": a title, no name; what follows
        # "of" may be a state or an organisation.
        tail = _gazetteer_match(tokens, j - 1, j, gaz)
        if tail and tail.kind == "state" and tail.code:
            return [_make(number, text, tokens, j - 1, j, "state", name=gaz.states[tail.code].name,
                          state=tail.code)]
        at = next(n for n, w in enumerate(words) if w in _CONNECTORS)
        start = at + 1 + (words[at + 1 : at + 2] == ["the"])
        if start < len(run) and _has_org_head(words[start:]):
            return [_org(number, text, tokens, i + start, j, "organisation", gaz)]
        return []
    if 0 < name_start < len(run) - 2 and any(t.lower in _CONNECTORS for t in run[:name_start]):
        # "Prime Minister of Japan Shigeru Ishiba", "Secretary of State Marco Rubio": after
        # "of", the last two words are the name and the rest belongs to the title.
        name_start = len(run) - 2
        while name_start > 0 and run[name_start - 1].lower in particles():
            name_start -= 2 if name_start > 1 else 1
    if name_start == 0 or (name_start == len(run) and not _has_org_head(words) and not _has_role(words)):
        return _plain_run(number, text, tokens, i, j, gaz)
    title = run[:name_start]
    if name_start < len(run) and all(t.lower in HONORIFICS for t in title):
        return _plain_run(number, text, tokens, i + name_start, j, gaz, honorific=i)
    if name_start == 1 and run[0].acronym and not _has_role(words):
        return [_org(number, text, tokens, i, j, "organisation", gaz)]  # "CNN Türk"
    if name_start < len(run) and any(is_role_head(t.text) for t in title):
        role = split_title(text, title, gaz, mid_caps)
        name_i = i + name_start
        start, end, surface = _span(number, text, tokens, i, j)
        name = text[tokens[name_i].start : tokens[j - 1].end]
        out = [Candidate(number, start, end, surface, name, "person", role=role, person_cue=True,
                         sentence_initial=tokens[i].sentence_initial)]
        return out
    if last in MEDIA_HEADS or words[-1] in MEDIA_HEADS:
        return [_org(number, text, tokens, i, j, "media", gaz)]
    if last in ORG_HEADS or words[-1] in ORG_HEADS:
        return [_org(number, text, tokens, i, j, "organisation", gaz)]
    if g and g.kind in ("state", "demonym") and name_start == g.length:
        if _after_the(tokens, i, j):  # "the US Geological Survey"
            return [_org(number, text, tokens, i, j, "organisation", gaz)]
        return _plain_run(number, text, tokens, i + g.length, j, gaz)
    return []


def _has_org_head(words: list[str]) -> bool:
    return any(w in ORG_HEADS or w in MEDIA_HEADS for w in words)


def _has_role(words: list[str]) -> bool:
    return any(is_role_head(w) for w in words)


def _name_tail(run: list[Token]) -> int:
    """Index where the trailing personal name of a run begins (len(run) if none)."""
    k = len(run)
    while k > 0 and _name_part(run, k - 1):
        k -= 1
    while k < len(run) and run[k].lower in particles() and not run[k].capitalised:
        k += 1
    return k


def _name_part(run: list[Token], k: int) -> bool:
    """Whether run[k] can belong to a personal name: not a title, head noun or acronym;
    a particle or an initial ("W.", "J.D.") only inside the name."""
    t, w = run[k], run[k].lower
    inside = k < len(run) - 1
    if inside and (w in particles() or (_INITIALS.match(t.text) and (k > 0 or "." in t.text))):
        return True
    if not t.capitalised or t.acronym or w in stopwords():
        return False
    if is_title_word(t.text) or is_role_head(t.text):
        return False
    # A place noun ends a place ("Victory Park") but may open a name ("Park Geun-hye").
    return w not in ORG_HEADS and w not in MEDIA_HEADS and (w not in PLACE_HEADS or k < len(run) - 1)


def _org(number: int, text: str, tokens: list[Token], i: int, j: int, kind: CandidateKind,
         gaz: Gazetteer) -> Candidate:
    """An organisation or outlet; a leading demonym or state is its affiliation."""
    g = _gazetteer_match(tokens, i, j, gaz)
    role = Role(None, g.code, None, None) if g and g.kind in ("state", "demonym") and g.code else None
    c = _make(number, text, tokens, i, j, kind, role=role)
    short = text[tokens[i + g.length].start : tokens[j - 1].end] if role and g and i + g.length < j else None
    return c._replace(media_cue=kind == "media", short=short)


def _adjectival(word: str) -> bool:
    """"the Korean", "the European": a demonym or adjective of place, not a name."""
    w = fold(word)
    return w in load_gazetteer().demonyms or w.endswith(("ean", "ian", "ese", "ish", "ern", "ic"))


def _after_the(tokens: list[Token], i: int, j: int) -> bool:
    """"the Red Cross said", "the Taliban, which": a name after "the" that is not used as a
    modifier ("the Biden administration") is an organisation, not a person."""
    if i == 0 or tokens[i - 1].lower != "the" or tokens[i].gap != " ":
        return False
    if j >= len(tokens) or tokens[j - 1].possessive:
        return j >= len(tokens)
    nxt = tokens[j]
    return nxt.gap.strip() != "" or nxt.lower in stopwords() or nxt.lower in SPEECH_VERBS


def _plain_run(number: int, text: str, tokens: list[Token], i: int, j: int,
               gaz: Gazetteer, honorific: int | None = None) -> list[Candidate]:
    """A run with no title and no head word: a person's name, an acronym or a lone word.
    `honorific`: where a "Mr." or "Dr." in front of the name starts (a person for sure)."""
    if i >= j:
        return []
    if honorific is not None:
        start, end = tokens[honorific].start, tokens[j - 1].end
        name = text[tokens[i].start : end]
        return [Candidate(number, start, end, text[start:end], name, "person", person_cue=True,
                          sentence_initial=tokens[honorific].sentence_initial)]
    run = tokens[i:j]
    if len(run) == 1:
        t = run[0]
        if t.acronym:
            bare = t.text.replace(".", "")
            if bare in NOT_ACRONYMS or (len(bare) >= 5 and fold(bare) in gaz.cities | gaz.capitals.keys()):
                return []  # "BRUSSELS (Reuters) -": a dateline, not an organisation
            return [_make(number, text, tokens, i, j, "acronym", name=bare)]
        if len(t.text) < 2 or t.lower in stopwords() or t.lower in calendar_words() or any(
                ch.isdigit() for ch in t.text):
            return []  # "Covid-19", "F-16": not a name
        named = _after_the(tokens, i, j) and not _adjectival(t.text) and "-" not in t.text
        return [_make(number, text, tokens, i, j, "organisation" if named else "single")]
    if run[0].acronym and all(t.acronym for t in run):
        return []
    if all(t.acronym for t in run):
        return []
    phrase = fold(" ".join(t.text for t in run))
    if phrase in gaz.cities or phrase in gaz.regions:
        return []
    if _after_the(tokens, i, j) or (run[0].lower in _ARTICLES and not run[0].sentence_initial):
        # "Le Monde", "El Comercio", "Der Spiegel": a foreign article starts a title, not a person.
        return [_make(number, text, tokens, i, j, "organisation")]
    return [_make(number, text, tokens, i, j, "person")]


# ----------------------------------------------------------------------------- titles


def _extend_titles(number: int, text: str, tokens: list[Token], found: list[Candidate],
                   gaz: Gazetteer, mid_caps: frozenset[str]) -> list[Candidate]:
    """Take a lower-case title in front of a name into its mention: "military intelligence
    chief Kyrylo Budanov", "Kremlin spokesperson Dmitry Peskov", and the comma form after a
    possessive or determiner: "Ukraine's military intelligence chief, Kyrylo Budanov"."""
    by_start = {t.start: k for k, t in enumerate(tokens)}
    out: list[Candidate] = []
    for c in found:
        if c.kind not in ("person", "single") or c.role is not None:
            out.append(c)
            continue
        k = by_start[c.start]
        head = k - 1
        comma = False
        if head >= 0 and tokens[k].gap == ", ":
            comma = True
        elif head < 0 or tokens[k].gap != " ":
            out.append(c)
            continue
        if comma and tokens[head].capitalised and not is_role_head(tokens[head].text):
            # "Nature Protection Minister of Armenia, Artsvik Minasyan": the head is further back.
            back = head
            while back > 0 and head - back < 4 and (tokens[back].capitalised or tokens[back].lower in _CONNECTORS) \
                    and not is_role_head(tokens[back].text) and tokens[back].gap == " ":
                back -= 1
            if is_role_head(tokens[back].text) and tokens[back].capitalised:
                first = _title_start(tokens, back)
                role = split_title(text, tokens[first : head + 1], gaz, mid_caps)
                start = tokens[first].start
                out.append(c._replace(start=start, surface=text[start : c.end], kind="person", role=role,
                                      person_cue=True, sentence_initial=tokens[first].sentence_initial))
                continue
        if (tokens[head].capitalised and not comma) or not is_role_head(tokens[head].text):
            out.append(c)
            continue
        first = _title_start(tokens, head)
        before = tokens[first - 1] if first > 0 else None
        if comma and before is not None and not before.possessive and before.lower not in _DETERMINERS:
            out.append(c)  # "said the chief, Mark": not a title of Mark
            continue
        role = split_title(text, tokens[first : head + 1], gaz, mid_caps)
        start = tokens[first].start
        out.append(c._replace(start=start, surface=text[start : c.end], kind="person", role=role,
                              person_cue=True, sentence_initial=tokens[first].sentence_initial))
    return out


_ARTICLES = frozenset({"le", "la", "les", "el", "los", "las", "il", "der", "die", "das", "de"})
_DETERMINERS = frozenset({"the", "a", "an", "its", "his", "her", "their", "our", "whose"})
# -ed words that describe rather than act ("retired general"); other -ed words are verbs.
_ED_ADJECTIVES = frozenset({"retired", "embattled", "exiled", "ousted", "deposed", "jailed", "detained"})
_VERBS = frozenset({"met", "meets", "told", "tells", "asked", "asks", "thanked", "visited", "replaced",
                    "named", "became", "urges", "urged", "is", "was", "are", "were", "has", "had"})


def _title_start(tokens: list[Token], head: int) -> int:
    """Walk back from a role noun over the words of its title; stop at function words,
    verbs, adverbs, punctuation and possessives (a possessive is an affiliation)."""
    first = head
    sw = stopwords()
    while first - 1 >= 0 and head - first < _MAX_TITLE_WORDS:
        prev = tokens[first - 1]
        if tokens[first].gap not in (" ", "-", " & ") or prev.possessive:
            break
        w = prev.lower
        if prev.capitalised:
            if prev.sentence_initial and w in sw:
                break
        elif is_title_word(w) and w not in _VERBS:
            pass  # "former", "deputy", "acting"
        elif (w in sw or w.endswith("ly") or w in SPEECH_VERBS or w in _VERBS or not w.isalpha()
              or (w.endswith("ed") and w not in _ED_ADJECTIVES)):
            break
        first -= 1
    return first



def _drop_overlaps(found: list[Candidate]) -> list[Candidate]:
    """Longer candidates win (a title takes in the state it names)."""
    kept: list[Candidate] = []
    for c in sorted(found, key=lambda c: (-(c.end - c.start), c.start)):
        if all(c.end <= k.start or c.start >= k.end for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: c.start)



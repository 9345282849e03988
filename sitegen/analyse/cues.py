"""The words around a name that say what it is: a speech verb after it (a person), an
outlet noun before or after it (media), "shares" after it (a company), an appositive, a
possessive owner in front ("Seoul's"), "X's office", and an acronym defined in brackets.
An outlet cue only reaches the name it touches, never across a verb; "told X" and "X reported"
fit a person too, so they mark `loose_media` and resolve.py lets a full name of the article win.
"""

from __future__ import annotations

import re
from dataclasses import replace

from sitegen.analyse.candidates import Candidate
from sitegen.analyse.lexicon import (
    MEDIA_CUES,
    MEDIA_VERBS,
    NEWS_NOUNS,
    ORG_HEADS,
    SPEECH_VERBS,
    THING_NOUNS,
    VERB_FORMS,
    is_role_head,
    stopwords,
)
from sitegen.analyse.roles import Role, appositive_role
from sitegen.analyse.tokens import Token


def mark_cues(text: str, tokens: list[Token], found: list[Candidate]) -> list[Candidate]:
    """Speech verbs after a name mark a person; outlet words around it mark media; a
    possessive state in front gives an affiliation; "X's office" is an organisation."""
    by_end = {t.end: k for k, t in enumerate(tokens)}
    by_start = {t.start: k for k, t in enumerate(tokens)}
    out: list[Candidate] = []
    for n, c in enumerate(found):
        k_end = by_end.get(c.end)
        k_start = by_start.get(c.start)
        nxt = tokens[k_end + 1] if k_end is not None and k_end + 1 < len(tokens) else None
        prev = tokens[k_start - 1] if k_start else None
        if c.kind in ("person", "single") and nxt is not None and k_end is not None:
            if tokens[k_end].possessive and nxt.lower == "office" and nxt.gap == " ":
                start, end = c.start, nxt.end
                out.append(Candidate(c.paragraph, start, end, text[start:end], text[start:end],
                                     "office", owner=c.name, sentence_initial=c.sentence_initial))
                continue
            if nxt.lower in SPEECH_VERBS and not tokens[k_end].possessive and nxt.gap.strip() in ("", ","):
                c = c._replace(person_cue=True)
        if c.kind in ("single", "acronym", "person", "organisation") and not c.role and (
                _MEDIA_APPOSITIVE.match(text, c.end)):
            c = c._replace(kind="media", media_cue=True)
        elif c.kind in ("single", "acronym", "person", "organisation") and not c.role and (
                nxt is not None and nxt.lower in MEDIA_VERBS and nxt.gap == " " and not c.resolved):
            c = c._replace(kind="media", media_cue=True, loose_media=c.kind in ("single", "person"))
        elif c.kind in ("person", "single") and not c.role and not c.resolved and _COMPANY_AFTER.match(text, c.end):
            c = c._replace(kind="organisation")  # "Time Warner shares fell"
        elif c.kind == "single" and not c.resolved and (m := _ORG_APPOSITIVE.match(text, c.end)) and not any(
                is_role_head(w) for w in m.group().split()):
            c = c._replace(kind="organisation")  # "Frontex, the EU border agency,"
        if c.kind in ("single", "acronym", "organisation", "person") and k_end is not None:
            before2 = tokens[k_start - 2] if k_start is not None and k_start >= 2 else None
            media_after = _media_after(text, c.end)
            adjacent = prev is not None and c.start - prev.end == 1
            media_before = adjacent and prev is not None and (
                prev.lower in MEDIA_CUES
                or (prev.lower in NEWS_NOUNS and before2 is not None and before2.lower == "news"))
            # "told X": X may be an outlet or a person; only the object, never the subject.
            told = (adjacent and prev is not None and prev.lower == "told"
                    and not c.person_cue and c.kind != "person")
            if media_after or media_before or told:
                loose = told and not (media_after or media_before) and (
                    c.loose_media or c.kind not in ("media", "organisation", "acronym"))
                c = c._replace(kind="media" if c.kind != "person" or not c.person_cue else c.kind,
                               media_cue=True, loose_media=loose)
        if c.kind == "single" and c.sentence_initial and nxt is not None and nxt.gap == " " \
                and _noun_like(nxt.text) and k_end is not None and not tokens[k_end].possessive:
            c = c._replace(modifier=True)
        if c.kind == "single" and _THING_AFTER.match(text, c.end):
            c = c._replace(thing=True)  # "the Zika virus", "Ebola, a deadly disease"
        bare = c.role is None or (c.role.state is None and c.role.organisation is None)
        if c.kind in ("person", "single") and bare and k_end is not None and not (
                c.kind == "single" and c.sentence_initial):
            role = appositive_role(text, c.end, found[n + 1 :])
            if role and c.role is not None:
                # "Seismologist Naci Görür of Istanbul Technical University": title before,
                # affiliation after.
                role = replace(c.role, state=role.state, organisation=role.organisation,
                               source=f"{c.role.source} … {role.source}")
            if role:
                c = c._replace(role=role, person_cue=True)
        if prev is not None and prev.possessive and c.start - prev.end == 3 and c.kind != "state":
            # "Seoul's Vice Foreign Minister ...", "the Commission's competition chief, ...".
            owner = [o for o in found if o.end == prev.end and o.kind in ("state", "organisation", "acronym", "media")]
            if owner and (owner[0].state or c.kind == "person"):
                base = c.role or Role(None, None, None, None)
                if base.state is None and base.organisation is None:
                    c = c._replace(role=replace(base, state=owner[0].state) if owner[0].state
                                   else replace(base, organisation=owner[0].name))
        out.append(c)
    return out


_MEDIA_APPOSITIVE = re.compile(
    r",\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}(?:" + "|".join(sorted(MEDIA_CUES))
    + r"|news\s+(?:" + "|".join(sorted(NEWS_NOUNS)) + r"))\b")
_COMPANY_AFTER = re.compile(
    r"(?:(?:['’]s)? (?:shares|stock|share price|stake|shareholders|subsidiary)"
    r"| (?:party|group|movement|militia|faction|coalition|alliance|organisation|organization)(?!['’]))\b")
_THING_AFTER = re.compile(r",? (?:(?:a|an|the) )?(?:[a-z-]+ ){0,2}(?:" + "|".join(sorted(THING_NOUNS)) + r")\b")
_MEDIA_AFTER = re.compile(  # "the Yonhap news agency", "Tabriz Men local news agency"
    r" (?:[a-z-]+ ){0,2}(?:" + "|".join(sorted(MEDIA_CUES)) + r"|news (?:" + "|".join(sorted(NEWS_NOUNS)) + r"))\b")
_ORG_APPOSITIVE = re.compile(
    r",\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}(?:" + "|".join(sorted(ORG_HEADS - {"international"})) + r")\s*[,.;]")


def _media_after(text: str, end: int) -> bool:
    """An outlet noun after a name with only modifiers between ("Yonhap news agency"), not
    across a verb: in "Costa told public broadcaster RTP" the outlet is the object of "told"."""
    m = _MEDIA_AFTER.match(text, end)
    if m is None:
        return False
    between = m.group().split()[:-1]
    return not any(w in SPEECH_VERBS or w in MEDIA_VERBS or w in VERB_FORMS for w in between)


def defined_acronym(text: str, c: Candidate) -> tuple[str, str] | None:
    """"National Intelligence Service (NIS)": the acronym in brackets right after a name."""
    if c.kind not in ("organisation", "media", "person"):
        return None
    rest = text[c.end : c.end + 14]
    if not rest.startswith(" ("):
        return None
    close = rest.find(")")
    acr = rest[2:close].replace(".", "") if close > 2 else ""
    if not (len(acr) >= 2 and acr.isalpha() and acr.isupper()):
        return None
    if c.kind in ("organisation", "media"):
        return acr, c.name  # foreign acronyms need not match: "Republican People's Party (CHP)"
    for name in (c.name, c.short):
        initials = "".join(w[0] for w in (name or "").replace("-", " ").split() if w[:1].isupper())
        if initials[:1] == acr[0]:
            return acr, c.name
    return None




def _noun_like(word: str) -> bool:
    """A lower-case word that is not a verb form: the word before it modifies it."""
    w = word.lower()
    if not word.islower() or not word.isalpha() or w in stopwords() or w in SPEECH_VERBS:
        return False
    return w not in VERB_FORMS and not w.endswith("ed")

"""Word lists the actor detector reads: generic English, never a story's names.

Function words come from YAKE's English stopword list and titles from nameparser (both
already project dependencies); day and month names from `calendar`. The cue-word lists below
are generic newsroom English: the head nouns that make a capitalised phrase an organisation
("... Committee"), an outlet ("... News"), or a place ("... Oblast").
"""

from __future__ import annotations

import calendar
import functools
import importlib.util
from pathlib import Path

from nameparser.config import CONSTANTS


def _words(text: str) -> frozenset[str]:
    """A word list written as text, one or more words a line."""
    return frozenset(text.split())


# Nouns that end the name of an organisation ("National Intelligence Service").
ORG_HEADS = _words("""
academy administration agency airlines airways alliance army assembly association authority
bank bloc board brigade brigades brotherhood bureau cabinet caucus center centre chamber church
coalition college command commission committee company congress conference consortium corp
corporation council court courts delegation department directorate division embassy exchange
faculty federation force forces foundation front fund group guard guards holdings hospital
inc institute institution international league legion ltd militia ministry mission movement
navy network office organisation organization parliament partners party police presidency
regiment regulator school secretariat senate service services society staff summit
syndicate tribunal trust union university unit nations watch
biotech therapeutics pharmaceuticals pharma motors technologies technology systems energy labs
laboratories industries enterprises ventures capital investments securities logistics
communications telecom petroleum mining resources solutions llc plc gmbh
shipping insurance foods electronics automotive aerospace chemicals oil gas utilities
cross crescent republic state endowment forum initiative project programme program observatory
""")

# Plurals name organisations too ("Centers for Disease Control", "National Institutes of Health").
# ("Banks" is a surname first.)
ORG_HEADS = ORG_HEADS | frozenset(w + "s" for w in ORG_HEADS if not w.endswith("s") and w != "bank")

# Words that make a name an outlet ("Defence Express", "Korea Times").
MEDIA_HEADS = _words("""
broadcasting broadcaster channel chronicle courier daily dispatch express gazette guardian herald
journal ledger magazine media monitor news newspaper observer post press radio review telegraph
television times tribune tv wire
""")

# Nouns that, in front of or after a name, say it is an outlet ("news agency Tass").
MEDIA_CUES = _words("""
broadcaster channel daily magazine newspaper outlet paper publication tabloid weekly
""")

# Nouns that name an outlet only after "news" ("news agency", "news website").
NEWS_NOUNS = frozenset(["agency", "service", "network", "website", "site", "outlet", "channel", "wire"])

# Heads of place names: the phrase is somewhere, not someone ("Kursk Oblast").
PLACE_HEADS = _words("""
airport avenue basin border bridge canal coast county crossing desert district gulf heights
highway island islands isthmus mountains oblast ocean peninsula plains plateau port prefecture
province raion region river sea square strait street strip territory territories township
valley village park stadium hotel museum mosque cathedral temple gardens
""")
# Not "Hill", "Bay", "Lake", "Beach" or "Town": they end people's names as often ("Fiona Hill").

# Historical periods and events that look like names ("Cold War").
EVENT_HEADS = _words("""
war wars revolution crisis election elections games cup olympics summit accord accords treaty
agreement protocol act era age prize award day festival holiday marathon championship
championships pandemic emergency
""")

# Role nouns nameparser lacks, as they appear before a name ("spokesperson Dmitry Peskov").
_EXTRA_ROLES = _words("""
adviser advisor aide analyst campaigner candidate chairman chairperson chairwoman chief
commander dictator envoy founder head lawmaker leader legislator negotiator official owner
prosecutor spokesman spokesperson spokeswoman strongman minister president premier
secretary-general president-elect vice-president deputy congressman congresswoman
councilman councilwoman assemblyman assemblywoman mp
""")

# Title words that modify a role but are not one by themselves ("Vice", "Foreign").
_MODIFIER_ONLY = _words("""
acting assistant associate deputy designated first former foreign grand high interim
prime rear senior supreme vice
""")

# nameparser's titles include words that are far more often parts of other names
# ("United", "National", "Police"); they never count as a role here.
_NOT_ROLES = _words("""
army british business civil computer credit criminal customs discovery district division docket
english family federal field film financial flag flying group high information intelligence
international kingdom knowledge law legal literary marketing mathematics military mystery
national navy police political radio right risk rock royal security social software special
state states strategy supreme tax technical television theater theatre travel uk united us
voice wing model host player count met bench banner bearer blues canon charge classical comic
corporate field grand opera operating pioneer principal printer prior private pro soccer baseball
ballet burlesque master marcher resident servant superior venerable warrant blessed award-winning
biblical behavioral excellent hereditary honorable honourable judicial municipal petty presiding
rear most first designated sister brother mother father uncle aunt auntie family familie
""")


@functools.cache
def stopwords() -> frozenset[str]:
    """English function words (YAKE's list), lower case. Found through the package's spec,
    not `resources.files("yake")`, which would import YAKE (and networkx) on every build."""
    spec = importlib.util.find_spec("yake")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("yake is not installed; reinstall sitegen (pip install -e .)")
    text = Path(spec.origin).parent / "core" / "StopwordsList" / "stopwords_en.txt"
    words = {w.strip().lower() for w in text.read_text(encoding="utf-8").split()}
    return frozenset(w for w in words if w)


@functools.cache
def calendar_words() -> frozenset[str]:
    """Day and month names and their abbreviations, lower case."""
    words: set[str] = set()
    for seq in (calendar.day_name, calendar.day_abbr, calendar.month_name, calendar.month_abbr):
        words.update(w.lower() for w in seq if w)
    words.add("sept")
    return frozenset(words)


@functools.cache
def role_words() -> frozenset[str]:
    """Nouns that can stand right before a name as its title ("President", "chief")."""
    titles = {t.lower() for t in CONSTANTS.titles if t.isascii() and t.replace("-", "").isalpha()}
    return frozenset((titles | _EXTRA_ROLES) - _NOT_ROLES - stopwords() - ORG_HEADS - MEDIA_HEADS)


@functools.cache
def title_words() -> frozenset[str]:
    """Words that may make up a title, heads and modifiers ("Vice", "Foreign", "Minister")."""
    return role_words() | _MODIFIER_ONLY


# Endings of nouns for occupations ("seismologist", "politician", "photographer"); not a
# bare "-ist", which ends surnames too ("Lindqvist").
_ROLE_ENDINGS = ("ologist", "ician", "ographer", "strategist", "lobbyist", "specialist", "columnist")


def is_role_head(word: str) -> bool:
    """Whether a word can end a title: "Minister" yes, "Vice" no."""
    w = word.lower()
    last = w.rsplit("-", 1)[-1]
    if w in _MODIFIER_ONLY or (last in _MODIFIER_ONLY and last == w):
        return False
    return w in role_words() or last in role_words() or (len(last) > 5 and last.endswith(_ROLE_ENDINGS))


def is_title_word(word: str) -> bool:
    w = word.lower()
    return w in title_words() or all(p in title_words() for p in w.split("-") if p)


@functools.cache
def particles() -> frozenset[str]:
    """Lower-case name particles: "de", "la", "bin", "van", "al-" (nameparser's prefixes),
    less the ones that are also common English words ("do", "bar")."""
    common = stopwords() | {"bar", "bat", "op", "te", "heer", "het", "tho", "thoe", "ua", "vel"}
    return frozenset(p.lower() for p in CONSTANTS.prefixes if (p.isascii() and p.lower() not in common)
                     or p.lower() in {"de", "da", "di", "du", "la", "le", "van", "von", "al", "el", "bin"})


# Words that speech or reporting follows: "Zinoviev acknowledged", "Kim stated".
SPEECH_VERBS = _words("""
said says told added stated noted warned argued wrote acknowledged asserted claimed insisted
announced urged called confirmed denied explained replied responded commented suggested
stressed emphasized emphasised declared tweeted posted mentioned believes believed
expressed condemned characterized characterised reassured estimated
""")

# Nouns that, right after a lone capitalised word, make it a disease or a thing, not an actor
# ("the Zika virus", "the Ebola outbreak").
THING_NOUNS = _words("""
virus viruses disease outbreak outbreaks epidemic pandemic vaccine vaccines variant strain fever
flu syndrome infection infections cases
""")

# Verbs that follow a surname at a sentence start ("Quispe told", "Ben-David spoke"); with the
# -ed forms and the speech verbs they tell a surname from a modifier ("Young people").
VERB_FORMS = _words("""
is was has had will would could should can may might must does did says tells adds wants plans
thinks believes warns argues insists claims hopes expects faces visits meets leads heads remains
spoke met told said made took gave went came left won lost wrote sent held led flew saw knew
sought brought thought kept began became ran stood fell rose struck fought also later
""")

# Verbs that make the name before them an outlet ("Reuters reported").
MEDIA_VERBS = frozenset({"reported", "reports", "reporting"})

# Forms of address that stand between a title and a name ("Prime Minister Sheikh ...").
HONORIFICS = _words("""
mr mrs ms miss mx dr sir dame sheikh sheik shaikh shaykh lord lady prof rev hon
""")

# Capitalised words that are never a name by themselves: compass adjectives, "Western".
NOT_NAMES = _words("""
eastern western northern southern central middle north south east west upper lower greater
""")

# Upper-case words that are not organisations ("CEO", "GDP").
NOT_ACRONYMS = _words("""
AI AM PM GDP CEO CFO COO CTO HIV AIDS DNA ID TV UTC GMT OK PS PR FAQ USD EUR GBP COVID
II III IV VI VII VIII IX XI XII HTML URL PDF HTTP HTTPS API USB GPS SMS CCTV FAQ
""")

"""The actors analyser (issue 4): detection cases, gazetteer, curated overrides, the actor
table, and the invariants the spec states (exact spans, sorted, deterministic), checked on
the development seeds and on the test stories."""

from __future__ import annotations

import itertools
import pickle
import pickletools
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from edits import appended

import sitegen.analyse.actors as actors_module
from sitegen.actor_report import actor_table
from sitegen.analyse import actor_build, aliases
from sitegen.analyse.actor_build import LastActors, build_actors, build_actors_after
from sitegen.analyse.actors import analyse_actors, apply_curated, slugify
from sitegen.analyse.candidates import ArticleNames
from sitegen.analyse.gazetteer import fold, load_gazetteer
from sitegen.analyse.names import find_names
from sitegen.analyse.resolve import part_of
from sitegen.cache import KEY_ENV
from sitegen.errors import SitegenError
from sitegen.load import load_article
from sitegen.model import Actor, Article, CuratedActor, Paragraph
from sitegen.runner import ArticleRunner, item_key, open_runner

REPO = Path(__file__).parent.parent
SEEDS = next((p for p in (REPO / "seeds", REPO.parent / "shared" / "seeds") if p.is_dir()), None)
STORIES = Path(__file__).parent / "stories"


def _article(aid: str, *paragraphs: str) -> Article:
    return Article(aid, f"content/articles/{aid}.md", aid, None, None, None, None,
                   "\n\n".join(paragraphs), 1,
                   tuple(Paragraph(n, text, n) for n, text in enumerate(paragraphs, 1)))


def _seed_articles() -> list[Article]:
    assert SEEDS is not None
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        out.append(_article(path.stem, *lines))
    return out


def _story_articles(name: str) -> list[Article]:
    root = STORIES / name
    problems: list[object] = []
    return [a for p in sorted(root.glob("*.md")) if (a := load_article(p, root, problems))]  # type: ignore[arg-type]


def _corpora() -> list[tuple[str, list[Article]]]:
    out = [(p.name, _story_articles(p.name)) for p in sorted(STORIES.glob("actors-*"))]
    if SEEDS is not None:
        out.append(("seeds", _seed_articles()))
    return out


def _holder(actors: tuple[Actor, ...], surface: str) -> Actor | None:
    return next((a for a in actors if any(m.surface == surface for m in a.mentions)), None)


# ----------------------------------------------------------------------------- detection

# (paragraph, surfaces that must be mentions of an actor of that type, surfaces no actor holds)
DETECTION = [
    ("Talks resumed on Monday in Geneva under the Treaty of Lisbon.", [],
     ["Monday", "Geneva", "Talks", "Lisbon", "Treaty of Lisbon"]),
    ("Troops massed near the Kharkiv Oblast border and the Black Sea coast.", [],
     ["Kharkiv Oblast", "Black Sea", "Troops"]),
    ("The Sahel Security Council met in Bamako.", [("Sahel Security Council", "organisation"), ("Bamako", "state")],
     ["The"]),
    ("Brazilian President Ana Duarte met Mr. Tomasz Wierzbicki in Warsaw.",
     [("Brazilian President Ana Duarte", "person"), ("Mr. Tomasz Wierzbicki", "person"), ("Warsaw", "state")],
     ["Mr", "Brazilian"]),
    ("The Instituto de Estudios Andinos (IEA) said the vote was clean.",
     [("Instituto de Estudios Andinos", "organisation"), ("IEA", "organisation")], []),
    ("Asked about the Indo-Pacific, Ngozi Okafor-Bello said nothing.", [("Ngozi Okafor-Bello", "person")],
     ["Indo-Pacific", "Asked"]),
    ("According to the Lagos Courier newspaper, turnout fell.", [("Lagos Courier", "media")], ["According"]),
    ("NAIROBI (Lakeside Post) - The Red Cross said the Taliban, which took power, had met the Kowalski campaign.",
     [("Red Cross", "organisation"), ("Taliban", "organisation")], ["NAIROBI", "Kowalski"]),
    ("Senator Mary K. Oduya met J.R. Castellanos. Castellanos later told Die Rundschau it went well.",
     [("Senator Mary K. Oduya", "person"), ("J.R. Castellanos", "person"), ("Castellanos", "person"),
      ("Die Rundschau", "media")], ["Mary", "K"]),
    ("Dockworkers Protest New Contract At Valmare Port", [], ["Dockworkers Protest New Contract"]),
    ("WHO Director-General Dr. Amina Kiplagat spoke to CNN Türk about the Republican People's Party (CHP).",
     [("WHO Director-General Dr. Amina Kiplagat", "person"), ("CNN Türk", "organisation"),
      ("Republican People's Party", "organisation"), ("CHP", "organisation")], ["Dr", "Republican People"]),
    ("Minister of Culture and Islamic Guidance Reza Tabrizi met Mr. Karimi in Victory Park, the Daryan Post "
     "daily news website said. Water Minister of Armenia, Aram Sarkissian, joined.",
     [("Minister of Culture and Islamic Guidance Reza Tabrizi", "person"), ("Mr. Karimi", "person"),
      ("Daryan Post", "media"), ("Water Minister of Armenia, Aram Sarkissian", "person")],
     ["Victory Park", "Culture", "Islamic Guidance Reza Tabrizi"]),
    ("Shares of Halden Inc. fell after the Nordic Ledger reported a probe; Kessler & Company analyst Ida Berg "
     "said Halden faced an AT&T-style fight. Moravia Steel shares rose, the Ledger reported.",
     [("Halden Inc", "organisation"), ("Halden", "organisation"), ("Nordic Ledger", "media"), ("Ledger", "media"),
      ("Kessler & Company analyst Ida Berg", "person"), ("Moravia Steel", "organisation")], ["Ida"]),
    ("Somali Al-Shabaab fighters attacked; the Government said the Kanem Unity party would talk to the "
     "government, and government troops held Kismayo.",
     [("Somali Al-Shabaab", "organisation"), ("Kanem Unity", "organisation")], ["Government", "Kismayo"]),
    ("The Centres for Marine Safety and Rescue (CMSR) and the Lusaka Ministry of Health and WHO tracked the "
     "Kivu virus. Kivu spread; Kivu cases rose. I am Dr. Ana Pires, Chief Officer of the Centres for Marine "
     "Safety and Rescue.",
     [("Centres for Marine Safety and Rescue", "organisation"), ("CMSR", "organisation"),
      ("WHO", "organisation"), ("Dr. Ana Pires", "person")], ["Kivu", "Rescue"]),
    ("Kenya's Border Intelligence (KBI) and Human Rights monitors met. Border intelligence and human rights "
     "officials agreed at the border.", [("KBI", "organisation")], ["Human Rights", "Border Intelligence", "Border"]),
    ("Port director Nils Ahlqvist and Dr. Eva Lindquist said the Port of Tarvik was closed.",
     [("Port director Nils Ahlqvist", "person"), ("Dr. Eva Lindquist", "person")], ["Port", "Tarvik"]),
    ("Seismologist Naci Görür of Istanbul Technical University met President Luz Arce of Paraguay.",
     [("Seismologist Naci Görür", "person"), ("Istanbul Technical University", "organisation"),
      ("President Luz Arce", "person"), ("Paraguay", "state")], ["Seismologist Naci Görür of Istanbul"]),
]


@pytest.mark.parametrize(("text", "want", "unwanted"), DETECTION, ids=[d[0][:40] for d in DETECTION])
def test_detection_cases(text: str, want: list[tuple[str, str]], unwanted: list[str]) -> None:
    actors = analyse_actors([_article("a", text)], ())
    for surface, kind in want:
        actor = _holder(actors, surface)
        assert actor is not None and actor.type == kind, (surface, actors)
    for surface in unwanted:
        assert _holder(actors, surface) is None, surface
        assert all(a.name != surface for a in actors)


def test_acronym_defined_in_brackets_is_recorded() -> None:
    names = find_names(_article("a", "The Instituto de Estudios Andinos (IEA) said so."))
    assert names.acronyms == (("IEA", "Instituto de Estudios Andinos"),)


def test_gazetteer_knows_capitals_demonyms_and_initialisms_from_package_data() -> None:
    gaz = load_gazetteer()
    assert gaz.capitals["lima"] == "PE" and gaz.capitals["washington"] == "US"
    assert gaz.demonyms["south african"] == "ZA" and gaz.demonyms["peruvians"] == "PE"
    assert gaz.codes["UK"] == "GB" and gaz.codes["US"] == "US"
    assert "IN" not in gaz.codes and "IS" not in gaz.codes  # words, not states
    assert gaz.state_of("kremlin") == "RU" and gaz.state_of("white house") == "US"


@pytest.mark.parametrize("name, folded", [
    ("  Kim   Jong-Un ", "kim jong-un"), ("Nicolás MADURO", "nicolas maduro"), ("Kim Jong\u2010Un", "kim jong-un"),
    ("O\u2019Brien", "o'brien"), ("Łukasz Straße", "lukasz strasse"), ("İlham\u00a0Aliyev", "ilham aliyev"),
])
def test_a_name_folds_to_case_accent_and_space_blind_ascii(name: str, folded: str) -> None:
    assert fold(name) == folded


def test_plain_ascii_names_fold_as_the_full_unicode_path_folds_them() -> None:
    """`fold` skips decomposition for ASCII text: the same key as decomposing it would give."""
    def decomposed(text: str) -> str:
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        return " ".join(text.split()).casefold()

    names = {line.strip() for story in STORIES.glob("*/*.md") for line in story.read_text().splitlines()}
    assert len(names) > 100
    assert all(fold(n) == decomposed(n) for n in names if n.isascii())


def test_slugs_are_lowercase_ascii_with_hyphens() -> None:
    assert slugify("Rafael Sánchez de la Vega") == "rafael-sanchez-de-la-vega"
    assert slugify("Khalid bin Saud al-Nuaimi") == "khalid-bin-saud-al-nuaimi"
    assert slugify("Fatma Yıldız") == "fatma-yildiz" and slugify("Łukasz Størmer") == "lukasz-stormer"


# ----------------------------------------------------------------------------- merging


def test_surname_goes_to_nearest_full_name_and_namesakes_stay_apart() -> None:
    actors = analyse_actors([_article(
        "a",
        "Finance minister Olu Adeyemi met central bank governor Kemi Adeyemi on Friday.",
        "Adeyemi said the bank would hold rates.",
        "Later, Olu Adeyemi told parliament the budget was on track. Adeyemi added that taxes would not rise.",
    )], ())
    first, second = _holder(actors, "Olu Adeyemi"), _holder(actors, "central bank governor Kemi Adeyemi")
    assert first is not None and second is not None and first.id != second.id
    lone = [(m.paragraph, m.start) for m in second.mentions if m.surface == "Adeyemi"]
    assert lone == [(2, 0)]  # nearest before it: the governor
    assert any(m.surface == "Adeyemi" and m.paragraph == 3 for m in first.mentions)


def test_lone_surname_without_full_name_in_article_joins_the_only_actor_with_it() -> None:
    actors = analyse_actors([
        _article("a", "Chilean President Ignacio Valdés Rojas spoke on Tuesday."),
        _article("b", "Valdés Rojas left early. Reporters asked whether Valdés would return."),
    ], ())
    actor = _holder(actors, "Chilean President Ignacio Valdés Rojas")
    assert actor is not None
    assert {m.surface for m in actor.mentions} >= {"Valdés Rojas", "Valdés"}
    assert actor.affiliation == "chile" and actor.role == "President"


def test_lone_word_joins_the_organisation_it_begins_unless_it_is_a_common_word() -> None:
    actors = analyse_actors([
        _article("a", "The National Fisheries Service and Tarvane Shipping said so."),
        _article("b", "It was a national scandal, National said. Tarvane said it would appeal."),
    ], ())
    shipping = _holder(actors, "Tarvane Shipping")
    assert shipping is not None and shipping.type == "organisation" and _holder(actors, "Tarvane") is shipping
    assert _holder(actors, "National") is None


def test_people_named_like_places_and_words_opening_a_sentence() -> None:
    actors = analyse_actors([_article(
        "a", "Former president Min Ji-ho met Fiona Hill near Central Park. Park Soo-ah and Hill spoke. "
             "Young people marched. Chris Young said the march was peaceful.")], ())
    hill = _holder(actors, "Fiona Hill")
    assert hill is not None and _holder(actors, "Hill") is hill
    assert _holder(actors, "Park Soo-ah") is not None and _holder(actors, "Central Park") is None
    young = _holder(actors, "Chris Young")
    assert young is not None and all(m.surface != "Young" for m in young.mentions)


def test_surname_with_particles_joins_the_full_name() -> None:
    actors = analyse_actors([
        _article("a", "Commission President Greta van der Berghe spoke on Friday."),
        _article("b", "On Monday van der Berghe said the plan was de facto dead."),
    ], ())
    greta = _holder(actors, "Commission President Greta van der Berghe")
    assert greta is not None and _holder(actors, "van der Berghe") is greta


def test_spelling_variants_and_capitals_merge() -> None:
    actors = analyse_actors([
        _article("a", "Nicolás Ferreyra arrived in Buenos Aires.", "Argentina said it welcomed him."),
        _article("b", "Nicolas Ferreyra left Argentina; Buenos Aires denied any deal."),
    ], ())
    person = _holder(actors, "Nicolás Ferreyra")
    assert person is not None and _holder(actors, "Nicolas Ferreyra") is person
    state = _holder(actors, "Argentina")
    assert state is not None and state.type == "state" and _holder(actors, "Buenos Aires") is state


def test_affiliation_from_of_and_acronym_defined_in_another_language() -> None:
    actors = analyse_actors([_article(
        "a", "Seismologist Naci Görür of Istanbul Technical University met President Luz Arce of Paraguay.",
        "The Republican People's Party (CHP) said the CHP would vote against it.")], ())
    gorur, arce = _holder(actors, "Seismologist Naci Görür"), _holder(actors, "President Luz Arce")
    assert gorur is not None and gorur.role == "Seismologist" and gorur.affiliation == "istanbul-technical-university"
    assert arce is not None and arce.affiliation == "paraguay"
    party = _holder(actors, "Republican People's Party")
    assert party is not None and _holder(actors, "CHP") is party


def test_titles_with_of_keep_the_name_and_the_affiliation_apart() -> None:
    actors = analyse_actors([_article(
        "a", "Secretary of State Lena Ortiz met Prime Minister of Japan Kenji Mori and "
             "Minister of Foreign Affairs Chen Wei after World War II talks in the West Bank.")], ())
    ortiz = _holder(actors, "Secretary of State Lena Ortiz")
    mori = _holder(actors, "Prime Minister of Japan Kenji Mori")
    chen = _holder(actors, "Minister of Foreign Affairs Chen Wei")
    assert ortiz is not None and ortiz.name == "Lena Ortiz" and ortiz.role == "Secretary of State"
    assert mori is not None and mori.name == "Kenji Mori" and mori.affiliation == "japan"
    assert chen is not None and chen.name == "Chen Wei" and chen.role == "Minister of Foreign Affairs"
    assert {a.id for a in actors} == {"lena-ortiz", "kenji-mori", "chen-wei", "japan"}


def test_demonyms_give_affiliation_but_are_not_actors() -> None:
    actors = analyse_actors([_article("a", "Kenyan Foreign Minister Amani Otieno met Ethiopian officials.")], ())
    assert _holder(actors, "Kenyan Foreign Minister Amani Otieno") is not None
    assert not any(a.name in ("Kenyan", "Ethiopian") for a in actors)
    kenya = next(a for a in actors if a.id == "kenya")
    assert kenya.type == "state"


# ----------------------------------------------------------------------------- invariants


@pytest.mark.parametrize(("name", "articles"), _corpora(), ids=[c[0] for c in _corpora()])
def test_mentions_are_exact_sorted_and_disjoint(name: str, articles: list[Article]) -> None:
    text = {(a.id, p.number): p.text for a in articles for p in a.paragraphs}
    actors = analyse_actors(articles, ())
    assert [a.id for a in actors] == sorted(a.id for a in actors)
    assert len({a.id for a in actors}) == len(actors)
    ids = {a.id for a in actors}
    spans: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for actor in actors:
        assert actor.affiliation is None or actor.affiliation in ids
        keys = [(m.article, m.paragraph, m.start) for m in actor.mentions]
        assert keys == sorted(keys)
        assert list(actor.aliases) == sorted(set(actor.aliases))
        for m in actor.mentions:
            assert text[(m.article, m.paragraph)][m.start : m.end] == m.surface
            spans.setdefault((m.article, m.paragraph), []).append((m.start, m.end))
    for found in spans.values():
        found.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(found)), found


@pytest.mark.parametrize(("name", "articles"), _corpora(), ids=[c[0] for c in _corpora()])
def test_same_input_same_actors_whatever_the_article_order(name: str, articles: list[Article]) -> None:
    assert analyse_actors(articles, ()) == analyse_actors(list(reversed(articles)), ())


@pytest.mark.parametrize(("name", "articles"), _corpora()[:1], ids=[c[0] for c in _corpora()[:1]])
def test_pool_runner_gives_the_serial_result(name: str, articles: list[Article]) -> None:
    many = [replace(a, id=f"{a.id}-{k}") for k in range(15) for a in articles]  # enough for the pool
    with ArticleRunner(jobs=2) as runner:
        assert analyse_actors(many, (), runner=runner) == analyse_actors(many, ())


@pytest.mark.skipif(SEEDS is None, reason="seeds not present")
def test_seeds_two_kims_stay_two_actors() -> None:
    actors = analyse_actors(_seed_articles(), ())
    vice = _holder(actors, "Vice Foreign Minister Kim Hong-kyun")
    leader = _holder(actors, "North Korean leader Kim Jong Un")
    assert vice is not None and leader is not None and vice.id != leader.id
    assert _holder(actors, "Kim") is vice
    assert _holder(actors, "North Korean dictator Kim Jong-Un") is leader


# ----------------------------------------------------------------------------- curation

STRIKE = [
    _article("a", "Union leader María Fernández said the Harbour Authority must pay.",
             "The union said Fernández would speak on Friday."),
]


def test_curated_entry_wins_and_keeps_extracted_mentions() -> None:
    curated = [CuratedActor("Maria Fernandez", "person", "General secretary", "Harbour Authority",
                            ("the union leader",), 3)]
    actors = analyse_actors(STRIKE, curated)
    actor = next(a for a in actors if a.curated)
    assert actor.name == "Maria Fernandez" and actor.role == "General secretary"
    assert {m.surface for m in actor.mentions} == {"Union leader María Fernández", "Fernández"}
    authority = next(a for a in actors if a.id == actor.affiliation)
    assert authority.name == "Harbour Authority"


def test_curated_alias_the_extractor_misses_is_found_in_the_text() -> None:
    curated = [CuratedActor("Dockworkers' Union", "organisation", None, None, ("The union",), 1)]
    actors = analyse_actors(STRIKE, curated)
    union = next(a for a in actors if a.curated)
    assert [(m.paragraph, m.surface) for m in union.mentions] == [(2, "The union")]


def test_through_the_cache_names_are_merged_again_only_when_an_articles_names_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merge is cached on what `find_names` found in each article: an edit that leaves
    every article's names as they were reuses it (the edited article's names are found
    again, nothing is merged); a new name merges again, and so does an edit of the texts
    a curated entry looks for its aliases in. Either way the actors are those of an
    analysis without a cache."""
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "cache-key"))
    merges: list[int] = []
    for name in ("build_actors", "build_actors_after"):
        monkeypatch.setattr(actors_module, name, _counted(getattr(actors_module, name), merges))

    def cached(articles: list[Article], curated: list[CuratedActor]) -> tuple[tuple[Actor, ...], int]:
        """The actors through the cache, and how many times names were merged for them."""
        merges.clear()
        with open_runner(1, tmp_path / "cache") as runner:
            return analyse_actors(articles, curated, runner=runner), len(merges)

    def uncached(articles: list[Article], curated: list[CuratedActor]) -> tuple[Actor, ...]:
        return analyse_actors(articles, curated)

    articles = _story_articles("actors-summit")
    *kept, last = articles
    assert cached(articles, []) == (uncached(articles, []), 1)
    assert cached(articles, []) == (uncached(articles, []), 0)
    no_new_name = [*kept, appended(last, "It rained again later that day.")]
    assert cached(no_new_name, []) == (uncached(no_new_name, []), 0)
    new_name = [*kept, appended(last, "Ingrid Solberg, the mayor of Bergen, said she would attend.")]
    assert cached(new_name, []) == (uncached(new_name, []), 1)

    curated = [CuratedActor("Ingrid Solberg", "person", "Mayor", None, ("the mayor",), 1)]
    assert cached(no_new_name, curated) == (uncached(no_new_name, curated), 1)
    alias_only = [*kept, appended(last, "It rained again; the mayor stayed home.")]
    assert cached(alias_only, curated) == (uncached(alias_only, curated), 1)


def _counted(fn: Callable[..., object], calls: list[int]) -> Callable[..., object]:
    def counted(*args: object) -> object:
        calls.append(1)
        return fn(*args)
    return counted


def _every_story_article() -> list[Article]:
    """Every test story's articles (ids made unique across stories) and the seeds'."""
    stories = [replace(a, id=f"{story.name}-{a.id}") for story in sorted(STORIES.iterdir()) if story.is_dir()
               for a in _story_articles(story.name)]
    return sorted(stories + (_seed_articles() if SEEDS is not None else []), key=lambda a: a.id)


@pytest.mark.parametrize("tally_min", [actor_build.TALLY_MIN, 1])
def test_a_merge_after_edits_remakes_only_the_actors_they_touched_and_equals_a_whole_merge(
        tally_min: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """`build_actors_after` takes the last merge's facts for every cluster whose keys and
    candidates stayed as they were, and updates the tallies of large ones: after an edit
    naming someone new and someone known, an article removed (whose actors others name
    too) and one added, it gives exactly what merging every article again gives, and every
    actor as it was (most) is the very object of before, those the changed articles name
    among them. With `tally_min` 1 every cluster is updated so."""
    monkeypatch.setattr(actor_build, "TALLY_MIN", tally_min)
    articles = _every_story_article()
    names = {a.id: find_names(a) for a in articles}
    assert len(names) >= 30

    def merged(found: dict[str, ArticleNames], last: LastActors | None) -> tuple[list[Actor], LastActors]:
        results = [found[k] for k in sorted(found)]
        actors, now = build_actors_after(results, frozenset(), [item_key(b"", r) for r in results], last)
        assert actors == build_actors(results)
        assert now is not None
        return actors, now

    before, last = merged(names, None)
    known = max(before, key=lambda a: len({m.article for m in a.mentions}))
    target = next(a for a in articles if a.id not in {m.article for m in known.mentions})
    edited = appended(target, f"Analyst Mara Kalomine said {known.name} had been consulted.")
    removed = next(a.id for a in articles if a.id != target.id and a.id in {m.article for m in known.mentions})
    steps: list[dict[str, ArticleNames]] = [
        {**names, target.id: find_names(edited)},
        {k: v for k, v in names.items() if k != removed},
        {**names, "zz-copy": replace(names[removed], article="zz-copy")},
    ]
    for found in steps:
        changed = {k for k in found.keys() | names.keys() if found.get(k) != names.get(k)}
        after, now = merged(found, last)
        kept = [a for a in after if any(a is b for b in before)]
        assert len(kept) > len(after) / 2
        last_of = {b.id: b for b in before}
        # An actor as it was is the very object, even one a changed article names.
        assert all((a is last_of.get(a.id)) == (a == last_of.get(a.id)) for a in after)
        if found is steps[0]:  # the edit leaves the others the edited article names as they were
            assert [a for a in kept if changed & {m.article for m in a.mentions}]
        remade = next(a for a in after if a.id == known.id)
        assert not any(remade is b for b in before)
        before, last, names = after, now, found


def test_curation_and_a_warm_first_build_keep_the_very_actors_they_leave_as_they_were() -> None:
    """What a warm process makes from an actor (its line of briefing.json, its search row)
    is kept by the actor's identity, so an actor nothing changed stays the very object:
    through curation, and in the facts a process's first build keeps (`LastActors.holding`:
    the actors it read back from the cache, equal to those it merged)."""
    articles = _every_story_article()
    results = [find_names(a) for a in articles]
    actors, last = build_actors_after(results, frozenset(), [item_key(b"", r) for r in results])
    assert last is not None
    curated = [CuratedActor("Maria Fernandez", "person", "General secretary", None, (), 1)]
    out = apply_curated(actors, curated, articles)
    assert sum(any(a is b for b in actors) for a in out) == len(out) - 1
    read_back = pickle.loads(pickle.dumps(actors))
    held = [a for _, a in last.holding(read_back).actors.values()]
    assert held == actors and all(any(a is b for b in read_back) for a in held)


def test_unknown_curated_affiliations_are_all_reported_with_lines() -> None:
    curated = [CuratedActor("María Fernández", "person", None, "Nowhere Council", (), 1),
               CuratedActor("Harbour Authority", None, None, "Atlantis", (), 6)]
    with pytest.raises(SitegenError) as err:
        analyse_actors(STRIKE, curated)
    assert [(p.path, p.line, p.message) for p in err.value.problems] == [
        ("content/actors.yaml", 1, 'affiliation "Nowhere Council" is not a known actor'),
        ("content/actors.yaml", 6, 'affiliation "Atlantis" is not a known actor'),
    ]
    assert err.value.problems[0].hint == 'add an entry named "Nowhere Council" or fix the spelling'


def test_actor_table_lists_every_actor_with_aliases_and_counts() -> None:
    actors = analyse_actors(STRIKE, ())
    table = actor_table(actors).splitlines()
    assert table[0].split() == ["id", "name", "type", "role", "affiliation", "mentions", "aliases"]
    row = next(line for line in table if line.startswith("maria-fernandez"))
    assert "person" in row and " 2  " in row and "Fernández; Union leader María Fernández" in row
    assert table[-1] == f"{len(actors)} actors; * = curated in content/actors.yaml"


def _full_name_groups(join: Callable[[aliases._UnionFind, list[str]], None], names: list[str]) -> list[list[str]]:
    keys = sorted("p:" + aliases.name_key(n) for n in names)
    uf = aliases._UnionFind()
    for key in keys:
        uf.add(key)
    join(uf, keys)
    groups: dict[str, list[str]] = {}
    for key in keys:
        groups.setdefault(uf.find(key), []).append(key)
    return sorted(groups.values())


def test_full_names_join_as_checking_every_name_sharing_an_end_would() -> None:
    """`_join_full_names` looks a shorter name up by its first and last word together; the
    groups are those of checking it against every name that shares its first or its last
    word (the definition, written out here)."""

    def every_sharer(uf: aliases._UnionFind, keys: list[str]) -> None:
        people = sorted((k[2:].split() for k in keys), key=lambda w: (len(w), w))
        for short in people:
            longer = [w for w in people if len(w) > len(short) and part_of(short, w)]
            roots = {uf.find("p:" + " ".join(w)) for w in longer}
            if len(roots) == 1:
                uf.union("p:" + " ".join(short), roots.pop())

    names = ["Rafael Sánchez", "Rafael Sánchez de la Vega", "Sánchez de la Vega", "Vladimir Putin",
             "Vladimir Vladimirovich Putin", "Kim Jong Un", "Kim Jong", "Kim Yo Jong", "Kim Un", "Yo Jong",
             "Mark Rutte", "Mark Alan Rutte", "Mark Smith Rutte", "Ana Maria Lopez", "Ana Lopez",
             "Maria Lopez", "Maria Lopez Garcia", "Lopez Garcia", "Jan van der Berg", "Jan Berg",
             "van der Berg", "Berg Jan", "Ngozi Okonjo Iweala", "Ngozi Okonjo-Iweala", "Okonjo Iweala"]
    expected = _full_name_groups(every_sharer, names)
    assert _full_name_groups(aliases._join_full_names, names) == expected
    assert ["p:rafael sanchez", "p:rafael sanchez de la vega", "p:sanchez de la vega"] in expected
    assert ["p:mark rutte"] in expected  # two longer names hold it: it joins neither


def test_cached_names_pickle_as_constructor_calls() -> None:
    """Every record in an article's cached names (candidates, their roles) is pickled as a
    call of its class, never through dataclasses' Python-level `__setstate__` (a BUILD
    in the stream): 100,000 roles in the names of 10,000 articles unpickled 10-15% slower so."""
    names = find_names(_article("a", "French President Emmanuel Macron met union leader Sophie Binet on Monday.",
                                "Macron told the German Chancellor that talks would resume."))
    assert {c.role.title for c in names.candidates if c.role} >= {"President", "union leader"}
    blob = pickle.dumps(names, protocol=pickle.HIGHEST_PROTOCOL)
    assert pickle.loads(blob) == names
    assert "BUILD" not in {op.name for op, _, _ in pickletools.genops(blob)}

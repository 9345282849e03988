"""Site to `briefing.json` (shared/spec/briefing-json.md): the briefing as data.

Rendered from the same `Site` as the HTML, so the two never disagree. Keys in the spec's
order, lists sorted as it states, UTF-8 without escapes, byte-identical for the same input.
Encoded by orjson: json's C encoder took 0.3 s of every rebuild at 1,000 articles (4 s at
10,000), orjson a third of that, most of it now making the records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import orjson

from sitegen.link import Site
from sitegen.model import Actor, Article, Claim, Tag
from sitegen.runner import ArticleRunner
from sitegen.urls import actor_page, article_page, tag_page
from sitegen.warm import PerRecord

SCHEMA = "sitegen.briefing/1"

R = TypeVar("R", Actor, Claim)


def _number(value: float | None) -> int | float | None:
    """12000.0 -> 12000, so figures read as people write them."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _article(site: Site, article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "source_file": article.source_file,
        "title": article.title,
        "outlet": article.outlet,
        "date": article.date,
        "url": article.url,
        "page": article_page(article.id),
        "paragraphs": len(article.paragraphs),
        "origin": site.origin_of.get(article.id),
        "actors": sorted(site.actors_of_article.get(article.id, ())),
        "claims": list(site.claims_of_article.get(article.id, ())),
        "tags": list(site.tags_of_article.get(article.id, ())),
    }


def _actor(actor: Actor) -> dict[str, Any]:
    mentions = sorted(actor.mentions, key=lambda m: (m.article, m.paragraph, m.start))
    return {
        "id": actor.id,
        "name": actor.name,
        "type": actor.type,
        "role": actor.role,
        "affiliation": actor.affiliation,
        "aliases": list(actor.aliases),
        "mentions": [{"article": m.article, "paragraph": m.paragraph, "surface": m.surface,
                      "start": m.start, "end": m.end} for m in mentions],
        "page": actor_page(actor.id),
        "curated": actor.curated,
    }


def _claim(claim: Claim) -> dict[str, Any]:
    evidence = sorted(claim.evidence, key=lambda e: (e.article, e.paragraph))
    return {
        "id": claim.id,
        "kind": claim.kind,
        "speaker": claim.speaker,
        "speaker_surface": claim.speaker_surface,
        "text": claim.text,
        "number": _number(claim.number),
        "number_max": _number(claim.number_max),
        "unit": claim.unit,
        "hedge": claim.hedge,
        "measure": claim.measure,
        "evidence": [{"article": e.article, "paragraph": e.paragraph, "text": e.text} for e in evidence],
        "independent_sources": claim.independent_sources,
        "status": claim.status,
    }


def _tag(tag: Tag) -> dict[str, Any]:
    return {"id": tag.id, "label": tag.label, "articles": sorted(tag.articles), "page": tag_page(tag.id)}


def briefing_json_parts(site: Site, kept: PerRecord | None = None) -> list[bytes]:
    """The file's bytes in pieces, to be written one after another (`write.Chunks`). Each
    record is made and encoded in turn, never all as dicts at once (at 10,000 articles, a
    million mention records held beside the text). `kept` (a warm process's): actors' and
    claims' lines, each made from its record alone, are taken from the last build for the
    very same records (most of the file's time: 10,000 of 11,000 records at 1,000 articles)."""
    kept = kept or PerRecord()
    return _one_record_a_line({
        "schema": SCHEMA,
        "title": site.briefing.title,
        "articles": (_encoded(_article(site, a)) for a in site.articles),
        "actors": iter(_actor_lines(site.actors.values(), kept)),
        "claims": iter(_claim_lines(site.claims.values(), kept)),
        "tags": (_encoded(_tag(t)) for t in site.tags.values()),
    })


def encode_records(actors: Iterable[Actor] | None, claims: Iterable[Claim] | None, kept: PerRecord,
                   runner: ArticleRunner | None = None) -> None:
    """Make the actors' and claims' lines of `briefing.json` now (either None: not yet),
    into `kept`, where `briefing_json_parts` finds them (the same records): a build does
    this while its tags stage still runs in a child, time its main process would spend
    waiting. With a `runner`, the lines are kept in the cache with what the actors and
    claims were made from (`ArticleRunner.derived`): a build from the command line after
    an edit that left them as they were reads them back (2 ms at 1,000 articles, 6.8 MB)
    instead of encoding them again (50-60 ms, and 30-50 for the claims')."""
    if actors is not None:
        _encoded_lines("actors", actors, tuple(sorted(actors, key=_id)), _actor_line, kept, runner)
    if claims is not None:
        _encoded_lines("claims", claims, tuple(sorted(claims, key=_id)), _claim_line, kept, runner)


def _encoded_lines(name: str, records: object, ordered: tuple[R, ...], line: Callable[[R], bytes],
                   kept: PerRecord, runner: ArticleRunner | None) -> None:
    """The lines of `ordered` (`records` in id order) into `kept` under `name`."""
    def make() -> list[bytes]:
        return kept.values(name, ordered, line)

    kept.keep(name, ordered, runner.derived(f"{__name__}.{name}_lines", records, make) if runner else make())


def _actor_lines(actors: Iterable[Actor], kept: PerRecord) -> list[bytes]:
    """Each actor's line, in the order given (id order, as `link.Site.actors` holds them)."""
    return kept.values("actors", tuple(actors), _actor_line)


def _claim_lines(claims: Iterable[Claim], kept: PerRecord) -> list[bytes]:
    """Each claim's line, in id order."""
    return kept.values("claims", sorted(claims, key=_id), _claim_line)


def _id(record: Actor | Claim) -> str:
    return record.id


def _actor_line(actor: Actor) -> bytes:
    return _encoded(_actor(actor))


def _claim_line(claim: Claim) -> bytes:
    return _encoded(_claim(claim))


def _one_record_a_line(data: dict[str, Any]) -> list[bytes]:
    """JSON with each article, actor, claim and tag (an iterator's lines, encoded) on a
    line of its own: a diff of two builds shows which records changed, and each line is
    encoded compactly in one call (json's `indent` fell back to pure Python, a second and
    a half at 1,000 articles)."""
    parts: list[bytes] = []
    for key, value in data.items():
        parts.append(b",\n" if parts else b"{\n")
        parts.append(_encoded(key) + b":")
        if not isinstance(value, Iterator):
            parts.append(_encoded(value))
            continue
        opened = len(parts)
        for line in value:
            parts.append(b"[\n" if len(parts) == opened else b",\n")
            parts.append(line)
        parts.append(b"[]" if len(parts) == opened else b"\n]")
    parts.append(b"\n}\n")
    return parts


def _encoded(value: object) -> bytes:
    """`value` as compact JSON, copied out of orjson's result: orjson hands back its whole
    working buffer (8 KB for a line of 1.3 KB), and the lines are held until the file is
    written (a warm process keeps them between builds). At 10,000 articles the actors' and
    claims' lines took 547 MB for 157 MB of text; a copy costs 0.2 µs a line."""
    return bytes(memoryview(orjson.dumps(value)))

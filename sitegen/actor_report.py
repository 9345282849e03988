"""The actor table `sitegen actors` prints, for analysts curating content/actors.yaml.

One row per actor, most mentioned first, so the names that matter are checked first; every
alias is listed, since a wrong merge shows up as an alias that belongs to someone else.
"""

from __future__ import annotations

from collections.abc import Sequence

from sitegen.model import Actor

_COLUMNS = ("id", "name", "type", "role", "affiliation", "mentions", "aliases")
_WIDTH = {"id": 28, "name": 28, "type": 12, "role": 28, "affiliation": 22, "mentions": 8}


def _cell(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def actor_table(actors: Sequence[Actor]) -> str:
    """A plain-text table: id, name, type, role, affiliation, mention count, aliases."""
    rows = sorted(actors, key=lambda a: (-len(a.mentions), a.id))
    lines = []
    header = [c.ljust(_WIDTH[c]) if c in _WIDTH else c for c in _COLUMNS]
    lines.append("  ".join(header).rstrip())
    lines.append("  ".join("-" * _WIDTH[c] if c in _WIDTH else "-" * 7 for c in _COLUMNS))
    for a in rows:
        name = a.name + (" *" if a.curated else "")
        cells = [
            _cell(a.id, _WIDTH["id"]).ljust(_WIDTH["id"]),
            _cell(name, _WIDTH["name"]).ljust(_WIDTH["name"]),
            a.type.ljust(_WIDTH["type"]),
            _cell(a.role or "-", _WIDTH["role"]).ljust(_WIDTH["role"]),
            _cell(a.affiliation or "-", _WIDTH["affiliation"]).ljust(_WIDTH["affiliation"]),
            str(len(a.mentions)).rjust(_WIDTH["mentions"]),
            "; ".join(a.aliases) or "-",
        ]
        lines.append("  ".join(cells).rstrip())
    lines.append(f"{len(rows)} actors; * = curated in content/actors.yaml")
    return "\n".join(lines)

"""Inline SVG charts: readable without JS, with a text alternative, not colour alone.

Built as strings from escaped parts (markupsafe), so a speaker's name from an article cannot
inject markup into the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from sitegen.model import Claim
from sitegen.urls import slug

WIDTH, ROW, LEFT, RIGHT = 640, 26, 210, 60


def format_number(number: float | None, number_max: float | None = None) -> str | None:
    """12000 -> "12,000"; a range keeps both ends: "10,000–12,000"."""
    if number is None:
        return None

    def one(value: float) -> str:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")

    return one(number) if number_max is None else f"{one(number)}–{one(number_max)}"


def dot_chart(measure: str, claims: Sequence[Claim], label: Callable[[Claim], str]) -> Markup:
    """A dot (or range bar) per claim on one shared axis from 0 to the largest figure."""
    figures = [c for c in claims if c.number is not None]
    if not figures:
        return Markup("")
    top = max((c.number_max or c.number or 0) for c in figures) or 1.0
    span = WIDTH - LEFT - RIGHT
    height = ROW * len(figures) + 30

    def x(value: float) -> float:
        return round(LEFT + span * value / top, 1)

    summary = "; ".join(f"{label(c)}: {format_number(c.number, c.number_max)}" for c in figures)
    parts = [f'<svg class="dot-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-labelledby="chart-{escape(slug(measure))}">',
             f'<title id="chart-{escape(slug(measure))}">{escape(measure)}: {escape(summary)}</title>',
             f'<line x1="{LEFT}" y1="{height - 22}" x2="{LEFT + span}" y2="{height - 22}" class="axis"/>',
             f'<text x="{LEFT}" y="{height - 6}" class="tick">0</text>',
             f'<text x="{LEFT + span}" y="{height - 6}" class="tick" text-anchor="end">'
             f'{escape(format_number(top))}</text>']
    for row, claim in enumerate(figures):
        y = ROW * row + 16
        name = label(claim)
        short = name if len(name) <= 28 else name[:27] + "…"
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4}" class="label" text-anchor="end">{escape(short)}</text>')
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + span}" y2="{y}" class="grid"/>')
        if claim.number_max is not None:
            parts.append(f'<line x1="{x(claim.number or 0)}" y1="{y}" x2="{x(claim.number_max)}" y2="{y}" '
                         f'class="range"/>')
        shape = "dot-hedged" if claim.hedge else "dot"
        parts.append(f'<circle cx="{x(claim.number or 0)}" cy="{y}" r="6" class="{shape}"/>')
        parts.append(f'<text x="{x(claim.number_max or claim.number or 0) + 10}" y="{y + 4}" class="value">'
                     f'{escape(format_number(claim.number, claim.number_max))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


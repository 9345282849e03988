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



def timeline(days: Sequence[tuple[str, int, int]]) -> Markup:
    """Articles (bars) and claims reported (dots) per day, oldest left; `days` = (date, articles, claims)."""
    if not days:
        return Markup("")
    width, height, left, bottom = WIDTH, 150, 40, 40
    step = (width - left - 20) / max(len(days), 1)
    top = max(max(a for _, a, _ in days), 1)
    top_claims = max(max(c for _, _, c in days), 1)
    plot = height - bottom - 10
    summary = "; ".join(f"{d}: {a} articles, {c} claims" for d, a, c in days)
    parts = [f'<svg class="timeline" viewBox="0 0 {width} {height}" role="img" aria-labelledby="timeline-title">',
             f'<title id="timeline-title">Articles and claims by date: {escape(summary)}</title>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" class="axis"/>']
    for index, (day, articles, claims) in enumerate(days):
        x = left + step * index + step / 2
        bar = plot * articles / top
        parts.append(f'<rect x="{x - min(step / 3, 14):.1f}" y="{height - bottom - bar:.1f}" '
                     f'width="{min(2 * step / 3, 28):.1f}" height="{bar:.1f}" class="bar"/>')
        if claims:
            y = height - bottom - plot * claims / top_claims
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" class="dot-hedged"/>')
        if len(days) <= 12 or index % max(1, len(days) // 8) == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" class="tick" text-anchor="middle">'
                         f'{escape(day[5:])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))

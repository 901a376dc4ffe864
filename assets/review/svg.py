"""Three small inline SVG charts, by hand.

Why no chart library: the review needs two plain bar charts and a line inside one offline HTML
file.
pygal's SVG links its tooltip script from a CDN by default and adds ~1 MB with lxml-free
fallbacks; matplotlib would add ~40 MB, a font cache and a second or more per chart (a 52-week
backfill is 104 charts). A few dozen lines of SVG give deterministic bytes, no network, no
script, and print well.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 480
BAR = 18
GAP = 8
LABEL = 120
INK = "#1f2937"
BAR_FILL = "#2563eb"
AVG_INK = "#f59e0b"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _amount(value: float) -> str:
    return f"{value:,.0f}"


def category_bars(rows: Sequence[tuple[str, float, float]], title: str) -> str:
    """Horizontal bars (label, this week, average): the bar is the week, the tick the average."""
    if not rows:
        return ""
    top = max(max(a, b) for _, a, b in rows) or 1.0
    span = WIDTH - LABEL - 90
    height = len(rows) * (BAR + GAP) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, amount, average) in enumerate(rows):
        y = 20 + i * (BAR + GAP)
        w = span * amount / top
        x_avg = LABEL + span * average / top
        parts += [
            f'<text x="{LABEL - 6}" y="{_num(y + BAR * 0.75)}" text-anchor="end" '
            f'font-size="12" fill="{INK}">{escape(label)}</text>',
            f'<rect x="{LABEL}" y="{y}" width="{_num(w)}" height="{BAR}" fill="{BAR_FILL}"/>',
            f'<line x1="{_num(x_avg)}" x2="{_num(x_avg)}" y1="{y - 3}" y2="{y + BAR + 3}" '
            f'stroke="{AVG_INK}" stroke-width="3"/>',
            f'<text x="{_num(LABEL + w + 6)}" y="{_num(y + BAR * 0.75)}" font-size="12" '
            f'fill="{INK}">{_amount(amount)}</text>',
        ]
    parts.append(
        f'<text x="{LABEL}" y="12" font-size="11" fill="{INK}">bar: this week · '
        f'<tspan fill="{AVG_INK}">|</tspan> average of the 4 weeks before</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def daily_bars(rows: Sequence[tuple[str, float]], title: str) -> str:
    """Vertical bars, one per day (label, amount)."""
    if not rows:
        return ""
    top = max(a for _, a in rows) or 1.0
    height, base = 180, 150
    step = WIDTH / len(rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="0" x2="{WIDTH}" y1="{base}" y2="{base}" stroke="{INK}"/>',
    ]
    for i, (label, amount) in enumerate(rows):
        h = (base - 20) * amount / top
        x = i * step + step * 0.2
        parts += [
            f'<rect x="{_num(x)}" y="{_num(base - h)}" width="{_num(step * 0.6)}" '
            f'height="{_num(h)}" fill="{BAR_FILL}"/>',
            f'<text x="{_num(x + step * 0.3)}" y="{base + 16}" text-anchor="middle" '
            f'font-size="12" fill="{INK}">{escape(label)}</text>',
            f'<text x="{_num(x + step * 0.3)}" y="{_num(base - h - 4)}" text-anchor="middle" '
            f'font-size="11" fill="{INK}">{_amount(amount)}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


OUTAGE_FILL = "#fee2e2"
WEEK_HOURS = 7 * 24


def charge_timeline(
    points: Sequence[tuple[float | None, float | None, bool | None]], title: str
) -> str:
    """Charge (0-100 %) over the week's 168 hours: a line broken at gaps (None rows), with a red
    band behind each stretch on battery."""
    if not any(p[0] is not None for p in points):
        return ""
    height, top, base, left = 150, 10, 120, 30
    span = WIDTH - left - 10
    x = lambda h: _num(left + span * h / WEEK_HOURS)  # noqa: E731
    y = lambda c: _num(base - (base - top) * c / 100)  # noqa: E731
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    # Bands on battery: consecutive on-battery points, one half-hour slot wide at least.
    for hours, _, battery in points:
        if battery:
            parts.append(
                f'<rect x="{x(hours)}" y="{top}" width="{_num(span * 0.5 / WEEK_HOURS)}" '
                f'height="{base - top}" fill="{OUTAGE_FILL}"/>'
            )
    runs: list[list[str]] = [[]]
    for hours, charge, _ in points:
        if hours is None:
            runs.append([])
        else:
            runs[-1].append(f"{x(hours)},{y(charge)}")
    for run in runs:
        if run:
            parts.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{BAR_FILL}" '
                'stroke-width="1.5"/>'
            )
    parts.append(f'<line x1="{left}" x2="{WIDTH - 10}" y1="{base}" y2="{base}" stroke="{INK}"/>')
    for day, name in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")):
        parts.append(
            f'<text x="{x(day * 24 + 12)}" y="{base + 16}" text-anchor="middle" '
            f'font-size="11" fill="{INK}">{name}</text>'
        )
    for level in (0, 50, 100):
        parts.append(
            f'<text x="{left - 4}" y="{_num(float(y(level)) + 4)}" text-anchor="end" '
            f'font-size="10" fill="{INK}">{level}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

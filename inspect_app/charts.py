"""Charts as server-rendered SVG: no chart library, no script, no inline style (CSP-safe), readable offline
and with script off. Colours come from classes in app.css, so both themes apply; every value is written on
the chart, and each chart carries a text alternative.

* ``trend_chart``: a post's scores over rounds, each value labelled, on the grade bands
  (一级, 二级, 三级, 不合格);
* ``bar_chart``: values compared side by side (units' mean scores), on a stated baseline;
* ``pareto_chart``: what cost most points, largest first, with the cumulative share.

Callers pass translated words; this module knows no language.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

WIDTH = 360
LABEL_CHARS = 8


def _short(text: str, chars: int = LABEL_CHARS) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _svg(height: int, label: str, body: list[str], css: str) -> Markup:
    """Every text in ``body`` went through ``escape``; the rest are numbers formatted here."""
    return Markup(  # noqa: S704
        f'<svg class="chart {css}" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}" preserveAspectRatio="xMidYMin meet"><title>{escape(label)}</title>'
        + "".join(body)
        + "</svg>"
    )


def _floor_of(values: Sequence[Decimal], bands: Sequence[tuple[str, Decimal, str]]) -> Decimal:
    """The lowest score shown: the lowest band's floor minus 10, or lower to fit every value."""
    low = min((floor for _, floor, _ in bands), default=Decimal(70)) - 10
    while values and min(values) < low + 2:
        low -= 10
    return max(low, Decimal(0))


def trend_chart(
    points: Sequence[tuple[str, Decimal]], bands: Sequence[tuple[str, Decimal, str]], label: str
) -> Markup:
    """Scores oldest first as (x label, value), on bands (code, floor, name) from the highest floor down."""
    if not points:
        return Markup("")
    values = [v for _, v in points]
    high, low = Decimal(100), _floor_of(values, bands)
    left, right, top, bottom = 30, 34, 16, 30
    height = 210
    plot_w, plot_h = WIDTH - left - right, height - top - bottom

    def y(value: Decimal) -> float:
        clamped = min(max(value, low), high)
        return top + plot_h * float((high - clamped) / (high - low))

    body = []
    ceiling = high
    for code, floor, name in [*bands, ("below", low, "")]:
        y0, y1 = y(ceiling), y(max(floor, low))
        body.append(
            f'<rect class="band band-{code}" x="{left}" y="{y0:.1f}" width="{plot_w}" '
            f'height="{y1 - y0:.1f}"/>'
        )
        if name:
            body.append(f'<text class="band-name" x="{WIDTH - 2}" y="{(y0 + y1) / 2 + 4:.1f}" '
                        f'text-anchor="end">{escape(name)}</text>')  # fmt: skip
            body.append(
                f'<text class="axis" x="{left - 3}" y="{y1 + 4:.1f}" text-anchor="end">{floor:.0f}</text>'
            )
        ceiling = floor
    step = plot_w / max(len(points) - 1, 1)
    xs = [left + (i * step if len(points) > 1 else plot_w / 2) for i in range(len(points))]
    line = " ".join(f"{x:.1f},{y(v):.1f}" for x, v in zip(xs, values, strict=True))
    body.append(f'<polyline class="line" points="{line}"/>')
    every = 1 if len(points) <= 7 else 2  # more points: every other x label, values to one decimal
    for i, (x, (name, value)) in enumerate(zip(xs, points, strict=True)):
        body.append(f'<circle class="dot" cx="{x:.1f}" cy="{y(value):.1f}" r="4"/>')
        shown = f"{value:.2f}" if every == 1 else str(value.quantize(Decimal("0.1"), ROUND_HALF_UP))
        body.append(
            f'<text class="value" x="{x:.1f}" y="{y(value) - 8:.1f}" text-anchor="middle">{shown}</text>'
        )
        if i % every == 0 or i == len(points) - 1:
            body.append(
                f'<text class="axis" x="{x:.1f}" y="{height - 10}" text-anchor="middle">{escape(name)}</text>'
            )
    return _svg(height, label, body, "trend")


def bar_chart(rows: Sequence[tuple[str, Decimal]], label: str, baseline: Decimal | None = None) -> Markup:
    """One bar per (name, value), in the given order; bars start at ``baseline`` (default: a round number
    below the lowest value), written under the chart so a short bar is not read as a small value."""
    if not rows:
        return Markup("")
    values = [v for _, v in rows]
    low = baseline if baseline is not None else max(Decimal(0), (min(values) // 10) * 10 - 10)
    high = max(max(values), low + 1)
    name_w, value_w, row_h, top = 112, 52, 34, 6
    bar_w = WIDTH - name_w - value_w
    height = top + row_h * len(rows) + 18
    body = []
    for i, (name, value) in enumerate(rows):
        y = top + i * row_h
        width = bar_w * float((max(value, low) - low) / (high - low))
        body.append(f'<text class="name" x="{name_w - 6}" y="{y + 22}" text-anchor="end">'
                    f'<title>{escape(name)}</title>{escape(_short(name, 7))}</text>')  # fmt: skip
        body.append(
            f'<rect class="bar" x="{name_w}" y="{y + 5}" width="{max(width, 2):.1f}" height="{row_h - 10}"/>'
        )
        body.append(f'<text class="value" x="{name_w + width + 4:.1f}" y="{y + 22}">{value:.2f}</text>')
    body.append(f'<text class="axis" x="{name_w}" y="{height - 4}">{low:.0f}</text>')
    return _svg(height, label, body, "bars")


def pareto_chart(rows: Sequence[tuple[str, Decimal]], label: str, cumulative: str, top: int = 10) -> Markup:
    """The largest ``top`` of (name, points lost), largest first, each with the share of all points lost up to
    it (``cumulative`` is a format with ``{p}``, e.g. "累计 {p}%"); the cumulative line runs on the same
    width, 0–100 %."""
    ranked = sorted((r for r in rows if r[1] > 0), key=lambda r: (-r[1], r[0]))
    if not ranked:
        return Markup("")
    total = sum((v for _, v in ranked), Decimal(0))
    shown = ranked[:top]
    name_w, share_w, row_h, top_pad = 118, 78, 34, 6
    bar_w = WIDTH - name_w - share_w
    height = top_pad + row_h * len(shown) + 6
    biggest = shown[0][1]
    body, line = [], []
    running = Decimal(0)
    for i, (name, value) in enumerate(shown):
        y = top_pad + i * row_h
        running += value
        share = running / total
        width = bar_w * float(value / biggest) * 0.8
        body.append(f'<text class="name" x="{name_w - 6}" y="{y + 22}" text-anchor="end">'
                    f'<title>{escape(name)}</title>{escape(_short(name))}</text>')  # fmt: skip
        body.append(
            f'<rect class="bar" x="{name_w}" y="{y + 5}" width="{max(width, 2):.1f}" height="{row_h - 10}"/>'
        )
        body.append(f'<text class="value" x="{name_w + width + 4:.1f}" y="{y + 22}">{value:.2f}</text>')
        percent = int((share * 100).to_integral_value())
        body.append(f'<text class="share" x="{WIDTH - 2}" y="{y + 22}" text-anchor="end">'
                    f"{escape(cumulative.format(p=percent))}</text>")  # fmt: skip
        line.append(f"{name_w + bar_w * float(share):.1f},{y + row_h / 2:.1f}")
    body.append(f'<polyline class="cum" points="{" ".join(line)}"/>')
    return _svg(height, label, body, "pareto")

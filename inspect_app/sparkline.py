"""A trend as a tiny inline SVG line (no chart library, no script, no inline style: CSP-safe)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup

WIDTH, HEIGHT, PAD = 96, 24, 2


def sparkline(values: Sequence[Decimal], low: Decimal = Decimal(60), high: Decimal = Decimal(100)) -> Markup:
    """Scores oldest first on a fixed 60–100 scale (so lines of different posts compare); empty for < 2."""
    if len(values) < 2:
        return Markup("")
    span = high - low
    step = (WIDTH - 2 * PAD) / (len(values) - 1)
    points = []
    for i, value in enumerate(values):
        clamped = min(max(value, low), high)
        y = PAD + (HEIGHT - 2 * PAD) * float((high - clamped) / span)
        points.append(f"{PAD + i * step:.1f},{y:.1f}")
    label = " → ".join(f"{v:.2f}" for v in values)
    template = Markup(
        '<svg class="spark" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{label}">'
        '<polyline fill="none" stroke="currentColor" stroke-width="2" points="{points}"/></svg>'
    )
    return template.format(w=WIDTH, h=HEIGHT, label=label, points=" ".join(points))

"""年总评: a Party branch's year result from its posts, its monthly self-checks and its rectifications.
Pure; the weights come from the configuration (``ANNUAL_WEIGHTS``) and are printed on the 评分办法 page.

    branch score = Σ weight × part ÷ Σ weight (over the parts the branch has)
    posts           the mean of its posts' year results (roll-up of the year's sealed rounds)
    self_checks     100 × (months done on time + ½ × months done late) ÷ months due
    rectifications  100 × fixes closed by their deadline ÷ fixes raised in the year (none raised: no part)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
PARTS = ("posts", "self_checks", "rectifications")


def mean(values: Sequence[Decimal]) -> Decimal | None:
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, ROUND_HALF_UP) if values else None


def share(good: Decimal, total: int) -> Decimal | None:
    return (Decimal(100) * good / total).quantize(CENT, ROUND_HALF_UP) if total else None


def self_check_part(on_time: int, late: int, due: int) -> Decimal | None:
    return share(Decimal(on_time) + Decimal(late) / 2, due)


def branch_score(parts: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]) -> Decimal | None:
    """The weighted mean of the parts present (weights re-normalised over them); None without any."""
    present = {k: v for k, v in parts.items() if v is not None and weights.get(k, Decimal(0)) > 0}
    total = sum((weights[k] for k in present), Decimal(0))
    if not present or total == 0:
        return None
    return (sum((weights[k] * v for k, v in present.items()), Decimal(0)) / total).quantize(
        CENT, ROUND_HALF_UP
    )

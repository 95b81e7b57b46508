"""The numbers behind the ranking pages' charts (drawn by ``inspect_app.charts``): units compared and the
deduction Pareto, from the same aggregates the tables and exports use (an anonymous round counts only the
posts it rates, see ``aggregate.deduction_rows``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Round, StandardItem

from .aggregate import deduction_rows

CENT = Decimal("0.01")


def unit_means(scored: Iterable[tuple[str, Decimal | None]]) -> list[tuple[str, Decimal]]:
    """(unit, mean of its rated posts' scores), best first."""
    by_unit: dict[str, list[Decimal]] = defaultdict(list)
    for unit, score in scored:
        if score is not None:
            by_unit[unit].append(score)
    means = [
        (unit, (sum(found, Decimal(0)) / len(found)).quantize(CENT, ROUND_HALF_UP))
        for unit, found in by_unit.items()
    ]
    return sorted(means, key=lambda m: (-m[1], m[0]))


def item_losses(rounds: Sequence[Round]) -> list[tuple[str, Decimal]]:
    """(item as 序号 and requirement, points lost on it in all sheets of the rounds); one item of two
    standard versions worded alike counts as one."""
    lost: dict[int, Decimal] = defaultdict(Decimal)
    for rnd in rounds:
        for _post, item_id, _sheets, total in deduction_rows(rnd):
            lost[item_id] += total
    if not lost:
        return []
    items = db.session.execute(
        select(StandardItem.id, StandardItem.clause, StandardItem.requirement, StandardItem.scoring).where(
            StandardItem.id.in_(list(lost))
        )
    )
    by_label: dict[str, Decimal] = defaultdict(Decimal)
    for item_id, clause, requirement, scoring in items:
        by_label[f"{clause} {requirement or scoring}".strip()] += lost[item_id]
    return list(by_label.items())

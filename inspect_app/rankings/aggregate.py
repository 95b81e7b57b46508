"""Round standings computed in the database: one grouped pass, Python rounds and ranks.

Per round and post the database returns the number of sheets, their sum, lowest and highest score (a hash
aggregate, no sort): dropping one highest and one lowest sheet is then ``sum − max − min`` over ``n − 2``,
exactly the trimmed mean of ``domain.ranking``. Only one row per post and round leaves the database (500
rows for a 500-post round, not 7,500 sheets; one query for a whole year of rounds). The division, the
half-up rounding and the 1-2-2-4 ranks are the domain's; a test checks both paths agree on random rounds, on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from flask import current_app
from sqlalchemy import case, func, select, union_all

from inspect_app.domain.ranking import Rules, rank
from inspect_app.domain.scoring import CENT, round_points
from inspect_app.extensions import db
from inspect_app.models import AnonSheet, AnonSheetItem, Round, Sheet, SheetItem
from inspect_app.queries import SEALED, Standing, round_rules

Totals = dict[int, tuple[int, Decimal, Decimal, Decimal]]  # post → (sheets, sum, lowest, highest)


def _cents(value: object) -> Decimal:
    """PostgreSQL sums NUMERIC exactly; SQLite sums REALs, whose exact value is the nearest cent."""
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(CENT)


def _totals(round_ids: Sequence[int]) -> dict[int, Totals]:
    sheets = union_all(
        select(Sheet.round_id, Sheet.post_id, Sheet.score).where(Sheet.round_id.in_(round_ids)),
        select(AnonSheet.round_id, AnonSheet.post_id, AnonSheet.score).where(
            AnonSheet.round_id.in_(round_ids)
        ),
    ).subquery()
    stmt = select(
        sheets.c.round_id,
        sheets.c.post_id,
        func.count(),
        func.sum(sheets.c.score),
        func.min(sheets.c.score),
        func.max(sheets.c.score),
    ).group_by(sheets.c.round_id, sheets.c.post_id)
    out: dict[int, Totals] = defaultdict(dict)
    for round_id, post_id, n, total, low, high in db.session.execute(stmt):
        out[round_id][post_id] = (int(n), _cents(total), _cents(low), _cents(high))
    return out


def _standings(totals: Totals, rules: Rules) -> dict[int, Standing]:
    values: dict[int, Decimal | None] = {}
    for pid, (n, total, low, high) in totals.items():
        if n < max(rules.min_sheets, 1):
            values[pid] = None
        elif rules.trim and n >= 3:
            values[pid] = round_points((total - low - high) / (n - 2))
        else:
            values[pid] = round_points(total / n)
    places = rank(values)
    return {pid: Standing(pid, totals[pid][0], values[pid], places.get(pid)) for pid in totals}


def sql_standings(round_id: int, rules: Rules) -> dict[int, Standing]:
    """One round's standings under ``rules``."""
    return _standings(_totals([round_id]).get(round_id, {}), rules)


#: sealed rounds' standings kept per process: once sealed a round takes no sheet and its rules are fixed
#: (both change only in draft or while open), so its table never changes
_SEALED_CACHE = "inspect_sealed_standings"
SEALED_KEPT = 2000


def rounds_standings(rounds: Sequence[Round]) -> dict[int, dict[int, Standing]]:
    """Many rounds' standings, each under its own rules, from a single query for those not already known
    (a sealed round's table is computed once per process)."""
    cache: dict[int, dict[int, Standing]] = current_app.extensions.setdefault(_SEALED_CACHE, {})
    found = {r.id: cache[r.id] for r in rounds if r.status in SEALED and r.id in cache}
    todo = [r for r in rounds if r.id not in found]
    totals = _totals([r.id for r in todo]) if todo else {}
    for rnd in todo:
        found[rnd.id] = _standings(totals.get(rnd.id, {}), round_rules(rnd))
        if rnd.status in SEALED:
            if len(cache) >= SEALED_KEPT:
                cache.pop(next(iter(cache)))
            cache[rnd.id] = found[rnd.id]
    return found


def rated_in(table: dict[int, Standing]) -> set[int]:
    """The posts a standings table rates (an anonymous round: those with at least its quorum of sheets)."""
    return {pid for pid, standing in table.items() if standing.rank is not None}


def rated_posts(rnd: Round) -> set[int]:
    """The posts the round rates. Of an anonymous round, only these may show anything pooled from their sheets
    (deductions, remarks, photos): a pool below the quorum could be one inspector's sheet."""
    return rated_in(sql_standings(rnd.id, round_rules(rnd)))


def deduction_rows(rnd: Round) -> list[tuple[int, int, int, Decimal]]:
    """Per post and item of the round: (post, item, sheets that lost points on it, points lost in all).

    Aggregates only; an anonymous round lists only posts it rates (at least its quorum of sheets), so no row
    can stand for one inspector's sheet."""
    signed = (
        select(Sheet.post_id, SheetItem.item_id, SheetItem.deduction)
        .join(Sheet, Sheet.id == SheetItem.sheet_id)
        .where(Sheet.round_id == rnd.id)
    )
    anonymous = select(AnonSheetItem.post_id, AnonSheetItem.item_id, AnonSheetItem.deduction).where(
        AnonSheetItem.round_id == rnd.id
    )
    lines = union_all(signed, anonymous).subquery()
    stmt = (
        select(
            lines.c.post_id,
            lines.c.item_id,
            func.sum(case((lines.c.deduction > 0, 1), else_=0)),
            func.sum(lines.c.deduction),
        )
        .group_by(lines.c.post_id, lines.c.item_id)
        .having(func.sum(lines.c.deduction) > 0)
    )
    rated = rated_posts(rnd)
    return [
        (post_id, item_id, int(n), _cents(total))
        for post_id, item_id, n, total in db.session.execute(stmt)
        if not rnd.anonymous or post_id in rated
    ]

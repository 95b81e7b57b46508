"""A round's standings computed in the database: window functions trim and sum, Python rounds and ranks.

For every post: ``ROW_NUMBER`` over its sheets ordered by score marks the lowest and highest, ``COUNT`` over
the same window gives the number of sheets; one grouped pass returns the sum and count of the sheets kept.
Only one row per post leaves the database (500 rows for a 500-post round, not 7,500 sheets). The final
division, the half-up rounding and the 1-2-2-4 ranks are then exactly ``domain.ranking``'s: a test checks
both paths agree on random rounds, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import and_, case, func, literal, or_, select, union_all

from inspect_app.domain.ranking import Rules, rank
from inspect_app.domain.scoring import CENT, round_points
from inspect_app.extensions import db
from inspect_app.models import AnonSheet, Sheet
from inspect_app.queries import Standing


def sql_standings(round_id: int, rules: Rules) -> dict[int, Standing]:
    sheets = union_all(
        select(Sheet.post_id, Sheet.score).where(Sheet.round_id == round_id),
        select(AnonSheet.post_id, AnonSheet.score).where(AnonSheet.round_id == round_id),
    ).subquery()
    ordered = select(
        sheets.c.post_id,
        sheets.c.score,
        func.row_number().over(partition_by=sheets.c.post_id, order_by=sheets.c.score).label("pos"),
        func.count().over(partition_by=sheets.c.post_id).label("n"),
    ).subquery()
    kept = or_(
        literal(not rules.trim),
        ordered.c.n < 3,
        and_(ordered.c.pos > 1, ordered.c.pos < ordered.c.n),
    )
    totals = select(
        ordered.c.post_id,
        func.max(ordered.c.n),
        func.sum(case((kept, ordered.c.score), else_=0)),
        func.sum(case((kept, 1), else_=0)),
    ).group_by(ordered.c.post_id)
    counts: dict[int, int] = {}
    values: dict[int, Decimal | None] = {}
    for post_id, n, kept_sum, kept_n in db.session.execute(totals):
        counts[post_id] = int(n)
        if n < max(rules.min_sheets, 1):
            values[post_id] = None
        else:  # SQLite sums REALs: the exact total of 0.01-step scores is the nearest cent
            total = Decimal(str(kept_sum)).quantize(CENT)
            values[post_id] = round_points(total / int(kept_n))
    places = rank(values)
    return {pid: Standing(pid, counts[pid], values[pid], places.get(pid)) for pid in counts}

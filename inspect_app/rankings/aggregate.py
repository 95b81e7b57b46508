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
from typing import Any

from sqlalchemy import Select, Subquery, case, func, insert, select, union_all
from sqlalchemy.engine import Connection

from inspect_app import tenancy
from inspect_app.domain.ranking import Rules, rank
from inspect_app.domain.scoring import CENT, round_points
from inspect_app.extensions import db
from inspect_app.models import AnonSheet, AnonSheetItem, Round, RoundTotal, Sheet, SheetItem
from inspect_app.queries import SEALED, Standing, round_rules

Totals = dict[int, tuple[int, Decimal, Decimal, Decimal]]  # post → (sheets, sum, lowest, highest)


def _cents(value: object) -> Decimal:
    """PostgreSQL sums NUMERIC exactly; SQLite sums REALs, whose exact value is the nearest cent."""
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(CENT)


def _sheets() -> Subquery:
    """Every sheet's round, post and score, signed and anonymous alike."""
    return union_all(
        select(Sheet.round_id, Sheet.post_id, Sheet.score),
        select(AnonSheet.round_id, AnonSheet.post_id, AnonSheet.score),
    ).subquery()


def _grouped(sheets: Subquery) -> Select[Any]:
    return select(
        sheets.c.round_id,
        sheets.c.post_id,
        func.count().label("sheets"),
        func.sum(sheets.c.score).label("total"),
        func.min(sheets.c.score).label("lowest"),
        func.max(sheets.c.score).label("highest"),
    ).group_by(sheets.c.round_id, sheets.c.post_id)


def _totals(round_ids: Sequence[int]) -> dict[int, Totals]:
    sheets = _sheets()
    stmt = _grouped(sheets).where(sheets.c.round_id.in_(round_ids))
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
    """One round's standings under ``rules``, from its sheets."""
    return _standings(_totals([round_id]).get(round_id, {}), rules)


def store_standings(conn: Connection, rnd: Round) -> None:
    """Inside the sealing transaction, once no sheet can arrive any more: each post's totals and standing
    under the round's rules, which no longer change either."""
    sheets = _sheets()
    totals: Totals = {
        post_id: (int(n), _cents(total), _cents(low), _cents(high))
        for _, post_id, n, total, low, high in conn.execute(
            _grouped(sheets).where(sheets.c.round_id == rnd.id)
        )
    }
    table = _standings(totals, round_rules(rnd))
    rows = [
        {"round_id": rnd.id, "post_id": pid, "sheets": n, "total": total, "lowest": low, "highest": high,
         "score": table[pid].score, "rank": table[pid].rank}
        for pid, (n, total, low, high) in totals.items()
    ]  # fmt: skip
    if rows:
        conn.execute(insert(RoundTotal), rows)


_STORED = select(
    RoundTotal.round_id, RoundTotal.post_id, RoundTotal.sheets, RoundTotal.score, RoundTotal.rank
)


def _stored_standings(round_ids: Sequence[int]) -> dict[int, dict[int, Standing]]:
    """Standings stored at sealing, of those of ``round_ids`` that have them."""
    out: dict[int, dict[int, Standing]] = defaultdict(dict)
    for round_id, post_id, n, score, place in db.session.execute(
        _STORED.where(RoundTotal.round_id.in_(round_ids))
    ).all():
        out[round_id][post_id] = Standing(post_id, n, score, place)
    return out


#: sealed rounds' standings kept per process: once sealed a round takes no sheet and its rules are fixed
#: (both change only in draft or while open), so its table never changes
_SEALED_CACHE = "inspect_sealed_standings"
SEALED_KEPT = 2000


def rounds_standings(rounds: Sequence[Round]) -> dict[int, dict[int, Standing]]:
    """Many rounds' standings, each under its own rules: a sealed round's as stored when it was sealed (and
    then kept in the process), an open round's grouped from its sheets, in one query for all of them. A
    sealed round without stored standings (none of its posts had a sheet, or it was sealed by hand) is
    grouped from its sheets too."""
    cache: dict[int, dict[int, Standing]] = tenancy.state().setdefault(_SEALED_CACHE, {})
    found = {r.id: cache[r.id] for r in rounds if r.status in SEALED and r.id in cache}
    sealed = [r.id for r in rounds if r.status in SEALED and r.id not in found]
    found |= _stored_standings(sealed) if sealed else {}
    todo = [r for r in rounds if r.id not in found]
    totals = _totals([r.id for r in todo]) if todo else {}
    for rnd in todo:
        found[rnd.id] = _standings(totals.get(rnd.id, {}), round_rules(rnd))
    for rnd in rounds:
        if rnd.status in SEALED and rnd.id not in cache:
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

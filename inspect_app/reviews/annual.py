"""年总评: the year's results per post and per Party branch (``domain.annual``: its posts, its monthly
self-checks, its rectification record), and the committee's selection of 优秀党员示范岗 with its 表彰决定,
made once in one transaction."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from inspect_app.audit import Actor, record
from inspect_app.database import write_transaction
from inspect_app.domain.annual import PARTS, branch_score, mean, self_check_part, share
from inspect_app.domain.completion import SelfCheck
from inspect_app.domain.enums import PostStatus, RectStatus, Role
from inspect_app.domain.ranking import rank
from inspect_app.extensions import db
from inspect_app.i18n import grade_label
from inspect_app.models import AnnualChoice, AnnualReview, Branch, Notice, Rectification, Unit
from inspect_app.plans.completion import months_summary, year_summary
from inspect_app.rankings.period import PeriodRow, period_ranking, rollup_weights, warn_below

#: 优秀党员示范岗 chosen at most
MAX_CHOSEN = 10


class AnnualRefused(Exception):
    def __init__(self, code: str, status: int = 409) -> None:
        super().__init__(code)
        self.code, self.status = code, status


@dataclass(frozen=True)
class BranchResult:
    branch: str
    units: tuple[str, ...]
    posts: int
    parts: dict[str, Decimal | None]
    score: Decimal | None
    rank: int | None = None


def annual_weights() -> dict[str, Decimal]:
    return {k: Decimal(str(v)) for k, v in current_app.config["ANNUAL_WEIGHTS"].items() if k in PARTS}


def year_ranking(year: int) -> list[PeriodRow]:
    return period_ranking(date(year, 1, 1), date(year, 12, 31), rollup_weights(), warn_below())


def _self_checks(year: int, today: date) -> dict[int, Counter[str]]:
    """Per unit, how many months of the year (up to this one) ended in each state."""
    return {unit.id: counts for unit, counts in year_summary(year, today)}


def _fixes(year: int) -> dict[int, tuple[int, int]]:
    """Per unit, (fixes closed by their deadline, fixes raised) for fixes raised in the year."""
    return _fixes_between(date(year, 1, 1), date(year, 12, 31))


def _fixes_between(first: date, last: date) -> dict[int, tuple[int, int]]:
    stmt = select(
        Rectification.unit_id, Rectification.status, Rectification.closed_on, Rectification.deadline
    )
    stmt = stmt.where(Rectification.issued_on.between(first, last))
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for unit_id, status, closed_on, deadline in db.session.execute(stmt):
        found[unit_id][1] += 1
        if status == RectStatus.PASSED.value and closed_on is not None and closed_on <= deadline:
            found[unit_id][0] += 1
    return {u: (good, total) for u, (good, total) in found.items()}


def branch_results(year: int, today: date, ranking: Sequence[PeriodRow] | None = None) -> list[BranchResult]:
    """Every open branch with units, scored by ``domain.annual`` and ranked 1-2-2-4, best first."""
    rows = year_ranking(year) if ranking is None else ranking
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for row in rows:
        if row.score is not None and row.rank is not None:
            scores[row.post.unit_id].append(row.score)
    checks, fixes, weights = _self_checks(year, today), _fixes(year), annual_weights()
    branches = db.session.scalars(select(Branch).where(Branch.closed_on.is_(None)).order_by(Branch.name))
    units = defaultdict(list)
    for unit in db.session.scalars(select(Unit).where(Unit.branch_id.is_not(None)).order_by(Unit.name)):
        units[unit.branch_id].append(unit)
    results = []
    for branch in branches:
        mine = units.get(branch.id, [])
        if not mine:
            continue
        posts = [s for u in mine for s in scores.get(u.id, [])]
        counted = Counter[str]()
        for unit in mine:
            counted.update(checks.get(unit.id, Counter()))
        due = sum(
            counted[s.value] for s in (SelfCheck.DONE, SelfCheck.LATE, SelfCheck.PARTIAL, SelfCheck.MISSING)
        )
        good, raised = map(sum, zip(*(fixes.get(u.id, (0, 0)) for u in mine), strict=True))
        parts = {
            "posts": mean(posts),
            "self_checks": self_check_part(counted[SelfCheck.DONE.value], counted[SelfCheck.LATE.value], due),
            "rectifications": share(Decimal(good), raised),
        }
        results.append(
            BranchResult(
                branch.name, tuple(u.name for u in mine), len(posts), parts, branch_score(parts, weights)
            )
        )
    places = rank({r.branch: r.score for r in results})
    ranked = [
        BranchResult(r.branch, r.units, r.posts, r.parts, r.score, places.get(r.branch)) for r in results
    ]
    return sorted(ranked, key=lambda r: (r.rank is None, r.rank or 0, r.branch))


def annual_of(year: int) -> AnnualReview | None:
    return db.session.scalar(
        select(AnnualReview)
        .where(AnnualReview.year == year)
        .options(selectinload(AnnualReview.choices).selectinload(AnnualChoice.post))
    )


def choose(actor: Actor, year: int, decision: str, post_ids: Sequence[int], today: date) -> int:
    """The committee names the year's 优秀党员示范岗 (rated, still listed posts of the year's ranking) and
    the 表彰决定 is drafted as a notice to edit and publish. Once per year; returns the notice's id."""
    if actor.role != Role.COMMITTEE:
        raise AnnualRefused("committee_only", 403)
    if not decision.strip():
        raise AnnualRefused("decision_needed", 422)
    if not 1 <= len(set(post_ids)) <= MAX_CHOSEN:
        raise AnnualRefused("choose_count", 422)
    try:
        with write_transaction():
            if annual_of(year) is not None:
                raise AnnualRefused("chosen")
            rated = {r.post.id: r for r in year_ranking(year) if r.rank is not None}
            chosen = [rated.get(pid) for pid in dict.fromkeys(post_ids)]
            if any(r is None or r.post.status != PostStatus.LISTED.value for r in chosen):
                raise AnnualRefused("not_rated", 422)
            rows = sorted((r for r in chosen if r is not None), key=lambda r: r.rank or 0)
            choices = [AnnualChoice(post_id=r.post.id, score=r.score) for r in rows]
            annual = AnnualReview(year=year, decision=decision.strip(), closed_on=today, choices=choices)
            db.session.add(annual)
            db.session.flush()
            title = _("Decision on commending the excellent model posts of %(year)d", year=year)
            notice = Notice(
                annual_id=annual.id, title=title, praise=_decision_text(decision, rows), criticism=""
            )
            db.session.add(notice)
            db.session.flush()
            record(actor, "annual.choose", "annual", annual.id, None, {"posts": [r.post.id for r in rows]})
            record(actor, "notice.draft", "notice", notice.id, None, {"annual": annual.id})
            return notice.id
    except IntegrityError:
        raise AnnualRefused("chosen") from None


def _decision_text(decision: str, rows: Sequence[PeriodRow]) -> str:
    """The committee's words, then the posts commended with their year results."""
    lines = [decision.strip()]
    for i, r in enumerate(rows, 1):
        score = r.score or Decimal(0)
        lines.append(_("%(n)d. %(post)s (%(unit)s): %(score)s points, %(grade)s.", n=i, post=r.post.name,
                       unit=r.post.unit.name, score=f"{score:.2f}", grade=grade_label(score)))  # fmt: skip
    return "\n".join(lines)


@dataclass(frozen=True)
class MineSummary:
    """A mine's year as its group compares it: the same parts as a branch's (``domain.annual``), over the
    whole mine. Counts and rates only: nothing of a sheet."""

    posts: int  # posts rated in the year
    parts: dict[str, Decimal | None]
    score: Decimal | None
    best: Decimal | None
    lowest: Decimal | None


def mine_summary(first: date, last: date, today: date) -> MineSummary:
    """The mine's period (a year or a quarter) from its rounds ending in it, the self-check months it has
    begun up to today and the fixes raised in it."""
    rows = period_ranking(first, last, rollup_weights(), warn_below())
    scores = [r.score for r in rows if r.score is not None and r.rank is not None]
    months, month = [], first.replace(day=1)
    while month <= min(last, today):
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    counted = Counter[str]()
    for _unit, counts in months_summary(months):
        counted.update(counts)
    due = sum(
        counted[s.value] for s in (SelfCheck.DONE, SelfCheck.LATE, SelfCheck.PARTIAL, SelfCheck.MISSING)
    )
    good, raised = (sum(pair) for pair in zip((0, 0), *_fixes_between(first, last).values(), strict=False))
    parts = {
        "posts": mean(scores),
        "self_checks": self_check_part(counted[SelfCheck.DONE.value], counted[SelfCheck.LATE.value], due),
        "rectifications": share(Decimal(good), raised),
    }
    best, lowest = max(scores, default=None), min(scores, default=None)
    return MineSummary(len(scores), parts, branch_score(parts, annual_weights()), best, lowest)

"""季讲评 records: opened for a quarter, filled in at the meeting (decisions, attendance, minutes), closed
once — closing stores each decision with the result it was made on, revokes the posts the meeting revoked
through their lifecycle (the committee's step) and drafts the quarter's notice from the period results, all
in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from inspect_app.audit import SYSTEM_ACTOR, Actor, record
from inspect_app.database import Lock, hold_in_session, write_transaction
from inspect_app.domain.enums import PostStatus, Role
from inspect_app.domain.lifecycle import Action
from inspect_app.domain.review import Decision, decision_problems, default_decision, quarter_bounds
from inspect_app.extensions import db
from inspect_app.models import Notice, QuarterDecision, QuarterReview
from inspect_app.notices.services import ranked_line
from inspect_app.posts.services import PostRefused, step_within
from inspect_app.rankings.period import PeriodRow, period_ranking, rollup_weights, warn_below

#: who runs the review; only the committee may close it (revoking an honour is the committee's step)
REVIEWERS = frozenset({Role.ADMIN, Role.COMMITTEE, Role.HR})
PICK = 3


class ReviewRefused(Exception):
    def __init__(
        self, code: str, status: int = 409, detail: str = "", problems: dict[int, str] | None = None
    ):
        super().__init__(code)
        self.code, self.status, self.detail, self.problems = code, status, detail, problems or {}


@dataclass(frozen=True)
class Row:
    post_id: int
    name: str
    code: str
    unit: str
    rank: int | None
    score: Decimal | None
    warning: str
    decision: str
    reason: str


def all_reviews() -> list[QuarterReview]:
    return list(
        db.session.scalars(
            select(QuarterReview).order_by(QuarterReview.year.desc(), QuarterReview.quarter.desc())
        )
    )


def open_review(actor: Actor, year: int, quarter: int) -> int:
    """The quarter's record, made now if there is none (a twin request finds the one made first)."""
    if actor.role not in REVIEWERS:
        raise ReviewRefused("forbidden", 403)
    if not (2000 <= year <= 2999 and 1 <= quarter <= 4):
        raise ReviewRefused("no_quarter", 404)
    return open_review_record(year, quarter, actor)[0]


def open_review_record(year: int, quarter: int, actor: Actor = SYSTEM_ACTOR) -> tuple[int, bool]:
    """(the quarter's record, whether it was made now); the plan's run opens it when the quarter ends."""
    stmt = select(QuarterReview.id).where(QuarterReview.year == year, QuarterReview.quarter == quarter)
    try:
        with write_transaction():
            found = db.session.scalar(stmt)
            if found is not None:
                return found, False
            review = QuarterReview(year=year, quarter=quarter)
            db.session.add(review)
            db.session.flush()
            record(actor, "review.open", "review", review.id, None, {"quarter": f"{year}-Q{quarter}"})
            return review.id, True
    except IntegrityError:
        found = db.session.scalar(stmt)
        if found is None:
            raise
        return found, False


def notice_of(review_id: int) -> int | None:
    """The quarter's notice, drafted when the review was closed."""
    return db.session.scalar(select(Notice.id).where(Notice.review_id == review_id))


def load_review(review_id: int) -> QuarterReview:
    review = db.session.scalar(
        select(QuarterReview)
        .where(QuarterReview.id == review_id)
        .options(selectinload(QuarterReview.decisions).selectinload(QuarterDecision.post))
    )
    if review is None:
        raise ReviewRefused("no_review", 404)
    return review


def ranking(review: QuarterReview) -> list[PeriodRow]:
    """The quarter's rated posts that are still model posts (an honour revoked or expired since is not
    decided on again), best first."""
    rows = period_ranking(*quarter_bounds(review.year, review.quarter), rollup_weights(), warn_below())
    return [r for r in rows if r.rank is not None and r.post.status == PostStatus.LISTED.value]


def rows(review: QuarterReview) -> list[Row]:
    """The quarter's rated posts with their decision: as stored once closed, else as saved or by default."""
    saved = {d.post_id: d for d in review.decisions}
    if review.status == "closed":
        return [
            Row(
                d.post_id,
                d.post.name,
                d.post.code,
                d.post.unit.name,
                None,
                d.score,
                d.warning,
                d.decision,
                d.reason,
            )
            for d in sorted(review.decisions, key=lambda d: (d.score is None, -(d.score or 0), d.post.name))
        ]
    result = []
    for row in ranking(review):
        mine = saved.get(row.post.id)
        decision = mine.decision if mine else default_decision(row.warning).value
        result.append(Row(row.post.id, row.post.name, row.post.code, row.post.unit.name, row.rank, row.score,
                          row.warning or "", decision, mine.reason if mine else ""))  # fmt: skip
    return result


def _draft(actor: Actor, review_id: int) -> QuarterReview:
    hold_in_session(Lock.REVIEW, review_id)
    review = load_review(review_id)
    if actor.role not in REVIEWERS:
        raise ReviewRefused("forbidden", 403)
    if review.status != "draft":
        raise ReviewRefused("closed")
    return review


def save_review(
    actor: Actor, review_id: int, held_on: date | None, attendance: str, minutes: str,
    decisions: Mapping[int, tuple[str, str]],
) -> None:  # fmt: skip
    """Keep what the meeting has so far (a draft may be saved many times)."""
    problems = {k: v for k, v in decision_problems(decisions).items() if v != "reason_needed"}
    if problems:
        raise ReviewRefused("invalid", 422, problems=problems)
    with write_transaction():
        review = _draft(actor, review_id)
        _store(review, held_on, attendance, minutes, decisions, {})
        record(actor, "review.save", "review", review.id, None, {"decisions": len(decisions)})


def _store(
    review: QuarterReview, held_on: date | None, attendance: str, minutes: str,
    decisions: Mapping[int, tuple[str, str]], ranked: Mapping[int, PeriodRow],
) -> None:  # fmt: skip
    review.held_on, review.attendance, review.minutes = held_on, attendance, minutes
    by_post = {d.post_id: d for d in review.decisions}
    for post_id, (decision, reason) in decisions.items():
        row = ranked.get(post_id)
        found = by_post.get(post_id)
        if found is None:
            found = QuarterDecision(post_id=post_id)
            review.decisions.append(found)
        found.decision, found.reason = decision, reason.strip()
        found.score, found.warning = (
            (row.score, row.warning or "") if row else (found.score, found.warning or "")
        )


def close_review(
    actor: Actor, review_id: int, held_on: date | None, attendance: str, minutes: str,
    decisions: Mapping[int, tuple[str, str]], today: date,
) -> int:  # fmt: skip
    """Close the record: decisions stored with their results, revokes applied, the notice drafted. Returns
    the notice's id. Refused whole if a decision lacks its reason or a revoke cannot be made."""
    if actor.role != Role.COMMITTEE:
        raise ReviewRefused("committee_closes", 403)
    if held_on is None:
        raise ReviewRefused("held_on_needed", 422)
    problems = decision_problems(decisions)
    if problems:
        raise ReviewRefused("invalid", 422, problems=problems)
    with write_transaction():
        review = _draft(actor, review_id)
        ranked = {r.post.id: r for r in ranking(review)}
        missing = [r.post.name for pid, r in ranked.items() if pid not in decisions]
        if missing:
            raise ReviewRefused("decision_missing", 422, "、".join(missing))
        _store(review, held_on, attendance, minutes, decisions, ranked)
        for post_id, (decision, reason) in decisions.items():
            if decision == Decision.REVOKE and post_id in ranked:
                try:
                    step_within(actor, ranked[post_id].post.code, Action.REVOKE, reason)
                except PostRefused as refused:
                    raise ReviewRefused("revoke_refused", refused.status, ranked[post_id].post.name) from None
        review.status, review.closed_on = "closed", today
        notice = Notice(review_id=review.id, title=_("Notice on %(round)s", round=review.title),
                        **_notice_text(list(ranked.values()), decisions))  # fmt: skip
        db.session.add(notice)
        db.session.flush()
        record(actor, "review.close", "review", review.id, None, {"notice": notice.id})
        record(actor, "notice.draft", "notice", notice.id, None, {"review": review.id})
        return notice.id


def _notice_text(ranked: list[PeriodRow], decisions: Mapping[int, tuple[str, str]]) -> dict[str, str]:
    """表扬 the best kept posts, 批评 those warned (with the meeting's reason), 撤销 those revoked."""
    ordered = sorted(ranked, key=lambda r: r.rank or 0)
    kept = [r for r in ordered if decisions[r.post.id][0] == Decision.KEEP][:PICK]
    warned = [r for r in ordered if decisions[r.post.id][0] == Decision.WARN]
    revoked = [r for r in ordered if decisions[r.post.id][0] == Decision.REVOKE]
    return {
        "praise": "\n".join(ranked_line(i, r) for i, r in enumerate(kept, 1)),
        "criticism": "\n".join(ranked_line(i, r, decisions[r.post.id][1]) for i, r in enumerate(warned, 1)),
        "revocation": "\n".join(ranked_line(i, r, decisions[r.post.id][1]) for i, r in enumerate(revoked, 1)),
    }

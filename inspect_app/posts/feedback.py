"""职工监督意见: miners leave notes on a post anonymously; the post's branch secretary decides which are
shown. Storing keeps no author, address or time of day (see ``models.Feedback``); deciding is audited."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from inspect_app.audit import Actor, record
from inspect_app.database import write_transaction
from inspect_app.domain.enums import FeedbackStatus, Role
from inspect_app.domain.feedback import clean_feedback
from inspect_app.domain.text import form_text
from inspect_app.extensions import db
from inspect_app.models import Feedback, Post

from .services import PostRefused, may_manage

MAX_PENDING_PER_POST = 200  # beyond this the queue is flooded: refuse rather than bury the moderator


def submit_feedback(post_id: int, text: str, today: date) -> None:
    """Store a note as pending. Raises ``FeedbackRefused`` for bad text, ``PostRefused`` when flooded."""
    body = clean_feedback(text)
    with write_transaction():
        pending = db.session.scalar(
            select(db.func.count())
            .select_from(Feedback)
            .where(Feedback.post_id == post_id, Feedback.status == FeedbackStatus.PENDING.value)
        )
        if (pending or 0) >= MAX_PENDING_PER_POST:
            raise PostRefused("feedback_full", 429)
        db.session.add(Feedback(post_id=post_id, body=body, received_on=today))


def queue(actor: Actor, pending_only: bool = False) -> Select[Feedback]:
    """Notes a user may see for moderation, pending first; a secretary sees their own unit's."""
    stmt = (
        select(Feedback)
        .join(Post)
        .options(selectinload(Feedback.post))
        .order_by((Feedback.status == FeedbackStatus.PENDING.value).desc(), Feedback.id.desc())
        .limit(200)
    )
    if actor.role == Role.BRANCH_SECRETARY:
        stmt = stmt.where(Post.unit_id == actor.unit_id)
    if pending_only:
        stmt = stmt.where(Feedback.status == FeedbackStatus.PENDING.value)
    return stmt


def decide(actor: Actor, feedback_id: int, decision: str | None, reply: str) -> None:
    """The branch secretary of the post's unit publishes (``decision`` "approve") or rejects ("reject") a
    note, with an optional reply. Who may comes first: another unit's note is 403 whatever was sent."""
    if actor.role != Role.BRANCH_SECRETARY:
        raise PostRefused("forbidden", 403)
    with write_transaction():
        note = db.session.get(Feedback, feedback_id)
        if note is None:
            raise PostRefused("not_found", 404)
        if not may_manage(actor, note.post.unit_id):
            raise PostRefused("other_unit", 403)
        if decision not in ("approve", "reject"):
            raise PostRefused("no_decision", 400)
        reply, hidden = form_text(reply)
        if len(reply) > 300:
            raise PostRefused("reply_too_long", 422)
        if hidden:
            raise PostRefused("reply_hidden", 422)
        before = {"status": note.status, "reply": note.reply}
        note.status = (FeedbackStatus.APPROVED if decision == "approve" else FeedbackStatus.REJECTED).value
        note.reply = reply
        record(
            actor,
            "feedback.decide",
            "feedback",
            note.id,
            before,
            {"status": note.status, "reply": note.reply},
        )

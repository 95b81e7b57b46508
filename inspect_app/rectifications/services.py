"""整改 changes, each one transaction with its audit entry; and what the pages list and count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import selectinload

from inspect_app.audit import Actor, record
from inspect_app.database import write_transaction
from inspect_app.domain.ballots import Signer, may_recheck
from inspect_app.domain.enums import RectStatus, Role
from inspect_app.domain.rectification import (
    Recheck,
    RectAction,
    RectDraft,
    RectRefused,
    check_deadline,
    check_draft,
    clean_text,
    rect_step,
)
from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Member, Post, Rectification, RectificationPhoto, User
from inspect_app.notify import events
from inspect_app.photos.uploads import Upload, store_files
from inspect_app.rounds.services import may_organise

from .sources import Source, SourceLine

OPEN = (RectStatus.ISSUED.value, RectStatus.ASSIGNED.value, RectStatus.DONE.value)
LATE = (RectStatus.ISSUED.value, RectStatus.ASSIGNED.value)


def raise_rectifications(
    actor: Actor, source: Source, picks: Sequence[tuple[SourceLine, RectDraft]], today: date
) -> list[int]:
    """Several rectifications at once, from the chosen lines of one sheet or one post's round results."""
    if not picks:
        raise RectRefused("nothing_chosen")
    cleaned = [(line, check_draft(draft, today)) for line, draft in picks]
    with write_transaction():
        people = responsible_choices(source.post.unit_id)
        checkers = checker_choices()
        ids = []
        for line, draft in cleaned:
            rect = Rectification(
                post_id=source.post.id,
                unit_id=source.post.unit_id,
                round_id=source.round.id,
                sheet_id=line.sheet_id,
                item_id=line.item_id,
                clause=f"{line.clause} {line.category}"[:64],
                problem=draft.problem,
                measures=draft.measures,
                deadline=draft.deadline,
                responsible=draft.responsible,
                responsible_member_id=picked(draft.responsible, [(m.id, m.name) for m in people]),
                checker=draft.checker,
                checker_user_id=picked(draft.checker, [(u.id, u.display_name) for u in checkers]),
                issued_on=today,
            )
            assert draft.deadline is not None  # check_draft saw to it
            db.session.add(rect)
            db.session.flush()
            record(
                actor,
                "rectification.issue",
                "rectification",
                rect.id,
                None,
                {
                    "post": source.post.code,
                    "clause": rect.clause,
                    "deadline": draft.deadline.isoformat(),
                    "responsible_member_id": rect.responsible_member_id,
                    "checker_user_id": rect.checker_user_id,
                },  # fmt: skip
            )
            events.rectification(rect.id, "整改通知")
            ids.append(rect.id)
        return ids


def _managed(actor: Actor, rect_id: int) -> Rectification:
    rect = db.session.get(Rectification, rect_id)
    if rect is None:
        raise RectRefused("no_rectification")
    if not may_organise(actor, rect.unit_id):
        raise RectRefused("forbidden")
    return rect


def _move(rect: Rectification, action: RectAction) -> str:
    after = rect_step(RectStatus(rect.status), action)
    if after is None:
        raise RectRefused("wrong_state")
    before, rect.status = rect.status, after.value
    return before


def assign(actor: Actor, rect_id: int, responsible: str, deadline: date | None, today: date) -> None:
    """Name who answers for the fix (again after a failed re-check), optionally with a new deadline."""
    name = clean_text(responsible, "responsible", limit=60)
    new_deadline = check_deadline(deadline, today) if deadline is not None else None
    with write_transaction():
        rect = _managed(actor, rect_id)
        before = _move(rect, RectAction.ASSIGN)
        was = (rect.responsible, rect.deadline)
        rect.responsible = name
        rect.responsible_member_id = picked(name, [(m.id, m.name) for m in responsible_choices(rect.unit_id)])
        if new_deadline is not None:
            rect.deadline = new_deadline
        record(
            actor,
            "rectification.assign",
            "rectification",
            rect_id,
            {"status": before},
            {"status": rect.status, "responsible": name, "deadline": rect.deadline.isoformat()},
        )
        if name != was[0]:
            events.rectification(rect.id, "整改改派")
        elif rect.deadline != was[1]:
            events.rectification(rect.id, "整改期限调整")


def complete(actor: Actor, rect_id: int, note: str, photos: Sequence[Upload], today: date) -> None:
    """Report the fix done: a note of what was done and at least one after-photo."""
    text = clean_text(note, "note")
    if not photos:
        raise RectRefused("photo_missing", "photo")
    store_files(photos)  # before the transaction; the files are visible only through the rows
    with write_transaction():
        rect = _managed(actor, rect_id)
        before = _move(rect, RectAction.COMPLETE)
        rect.done_note, rect.done_on = text, today
        rect.photos.clear()
        db.session.flush()
        seen: set[str] = set()
        for n, upload in enumerate(photos):
            if upload.photo.sha256 not in seen:
                seen.add(upload.photo.sha256)
                rect.photos.append(
                    RectificationPhoto(
                        sha256=upload.photo.sha256,
                        position=n,
                        width=upload.photo.width,
                        height=upload.photo.height,
                    )
                )
        record(
            actor,
            "rectification.complete",
            "rectification",
            rect_id,
            {"status": before},
            {"status": rect.status, "photos": len(seen)},
        )


#: accounts a fix may name as its checker: those who sign checks of other units' posts (a branch secretary
#: signs only their own unit's, and a unit never re-checks its own fix)
CHECKER_ROLES = (Role.COMMITTEE.value, Role.HR.value, Role.INSPECTOR.value)


def responsible_choices(unit_id: int) -> list[Member]:
    """Who a fix of the unit may be assigned to: its open roster entries, by name."""
    stmt = select(Member).where(Member.unit_id == unit_id, Member.closed_on.is_(None)).order_by(Member.name)
    return list(db.session.scalars(stmt))


def checker_choices() -> list[User]:
    """Accounts that may be named as a fix's checker (复查人): active, of a role that signs checks."""
    stmt = select(User).where(User.active.is_(True), User.role.in_(CHECKER_ROLES)).order_by(User.display_name)
    return list(db.session.scalars(stmt))


def picked(written: str, choices: Sequence[tuple[int, str]]) -> int | None:
    """The id of the one choice ``written`` names: its whole name as listed, or the person's name at the end
    of it ("王建华" for "组织人事部 王建华"). None for a name outside the list or one that fits several."""
    found = {key for key, shown in choices if written and written in (shown, (shown.split() or [""])[-1])}
    return found.pop() if len(found) == 1 else None


@dataclass(frozen=True)
class Recheckers:
    """Who signs the sheet a re-check rides on, and the unit whose self-check the round is (if it is one)."""

    signer: Signer
    self_check_unit: int | None

    def may(self, checker: str, unit_id: int, checker_user_id: int | None = None) -> bool:
        return may_recheck(self.signer, checker, unit_id, self.self_check_unit, checker_user_id)


def apply_rechecks(
    conn: Connection,
    rechecks: Sequence[Recheck],
    post_id: int,
    sheet_id: int,
    who: Actor,
    by: Recheckers,
    today: date,
) -> int:
    """Pass or fail, at a signed check, the post's fixes awaiting re-check (inside the sheet's transaction).

    A line for a fix that is no longer awaiting re-check (a form kept offline while someone else re-checked
    it), or that the signer may not re-check (``domain.ballots.may_recheck``; the form never offers it), is
    skipped: the sheet itself must never be lost over it. Returns how many were applied."""
    allowed = {
        rect.id
        for rect in conn.execute(
            select(
                Rectification.id, Rectification.checker, Rectification.unit_id, Rectification.checker_user_id
            ).where(Rectification.id.in_([c.rect_id for c in rechecks]))
        )
        if by.may(rect.checker, rect.unit_id, rect.checker_user_id)
    }
    applied = 0
    for check in rechecks:
        if check.rect_id not in allowed:
            continue
        action = RectAction.PASS if check.passed else RectAction.FAIL
        after = rect_step(RectStatus.DONE, action)
        assert after is not None
        values: dict[str, object] = {
            "status": after.value,
            "recheck_note": check.note,
            "rechecked_on": today,
            "recheck_sheet_id": sheet_id,
        }
        if check.passed:
            values["closed_on"] = today
        else:
            values["returns"] = Rectification.returns + 1
        done = conn.execute(
            update(Rectification)
            .where(
                Rectification.id == check.rect_id,
                Rectification.post_id == post_id,
                Rectification.status == RectStatus.DONE.value,
            )
            .values(**values)
        )
        if done.rowcount:
            applied += 1
            if not check.passed:
                events.rectification(check.rect_id, "整改退回", (f"**复查意见**: {check.note}",), conn)
            conn.execute(
                insert(AuditEntry).values(
                    actor_id=who.id,
                    actor_name=who.name,
                    action=f"rectification.recheck_{action.value}",
                    entity="rectification",
                    entity_id=str(check.rect_id),
                    before={"status": "done"},
                    after={"status": after.value, "sheet": sheet_id, "note": check.note},
                )
            )
    return applied


# --- what the pages show --------------------------------------------------------------------------------


def _overdue(today: date) -> ColumnElement[bool]:
    return and_(Rectification.status.in_(LATE), Rectification.deadline < today)


def listed(
    actor: Actor, today: date, unit_id: int | None = None, post_code: str = "", state: str = ""
) -> list[Rectification]:
    """The rectifications this user may see: overdue first (longest overdue on top), then open ones by
    deadline, then closed ones, newest first."""
    stmt: Select[Rectification] = select(Rectification).options(
        selectinload(Rectification.post), selectinload(Rectification.unit)
    )
    if actor.role == Role.BRANCH_SECRETARY:
        stmt = stmt.where(Rectification.unit_id == actor.unit_id)
    if unit_id:
        stmt = stmt.where(Rectification.unit_id == unit_id)
    if post_code:
        stmt = stmt.join(Post, Post.id == Rectification.post_id).where(Post.code == post_code)
    overdue = _overdue(today)
    if state == "overdue":
        stmt = stmt.where(overdue)
    elif state == "open":
        stmt = stmt.where(Rectification.status.in_(OPEN))
    elif state == "closed":
        stmt = stmt.where(Rectification.status == RectStatus.PASSED.value)
    order = case((overdue, 0), (Rectification.status.in_(OPEN), 1), else_=2)
    closed_first = case((Rectification.status == RectStatus.PASSED.value, Rectification.id), else_=0)
    stmt = stmt.order_by(order, closed_first.desc(), Rectification.deadline, Rectification.id)
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class Counts:
    open: int
    overdue: int
    closed: int


def post_counts(post_id: int, today: date) -> Counts:
    stmt = select(
        func.count().filter(Rectification.status.in_(OPEN)),
        func.count().filter(_overdue(today)),
        func.count().filter(Rectification.status == RectStatus.PASSED.value),
    ).where(Rectification.post_id == post_id)
    row = db.session.execute(stmt).one()
    return Counts(int(row[0]), int(row[1]), int(row[2]))


def overdue_count(today: date, unit_id: int | None = None) -> int:
    stmt = select(func.count()).select_from(Rectification).where(_overdue(today))
    if unit_id is not None:
        stmt = stmt.where(Rectification.unit_id == unit_id)
    return int(db.session.scalar(stmt) or 0)


def overdue_by_post(today: date) -> dict[int, int]:
    stmt = select(Rectification.post_id, func.count()).where(_overdue(today)).group_by(Rectification.post_id)
    return {post_id: int(n) for post_id, n in db.session.execute(stmt)}


def awaiting_recheck(post_id: int, by: Recheckers) -> list[Rectification]:
    """The post's fixes awaiting re-check that this signer may pass or fail at this round."""
    stmt = (
        select(Rectification)
        .where(Rectification.post_id == post_id, Rectification.status == RectStatus.DONE.value)
        .options(selectinload(Rectification.photos))
        .order_by(Rectification.id)
    )
    return [r for r in db.session.scalars(stmt) if by.may(r.checker, r.unit_id, r.checker_user_id)]


def published_photos(post_id: int) -> list[tuple[Rectification, RectificationPhoto]]:
    """After-photos a re-check confirmed: shown on the post's public page."""
    stmt = (
        select(Rectification, RectificationPhoto)
        .join(RectificationPhoto, RectificationPhoto.rectification_id == Rectification.id)
        .where(Rectification.post_id == post_id, Rectification.status == RectStatus.PASSED.value)
        .order_by(Rectification.closed_on.desc(), Rectification.id.desc(), RectificationPhoto.position)
        .limit(12)
    )
    return [(r, p) for r, p in db.session.execute(stmt)]


def is_published_photo(sha256: str) -> bool:
    stmt = (
        select(RectificationPhoto.sha256)
        .join(Rectification, Rectification.id == RectificationPhoto.rectification_id)
        .where(RectificationPhoto.sha256 == sha256, Rectification.status == RectStatus.PASSED.value)
        .limit(1)
    )
    return db.session.scalar(stmt) is not None

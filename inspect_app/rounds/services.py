"""Running inspection rounds, each change one transaction with its audit entry: create and edit a draft,
open it (standard versions frozen), print and void ballot cards, seal (封箱) and publish.

Organisers are the Party committee, HR and admin for the whole mine, and a branch secretary for the
self-checks (自查) of their own unit. Audit entries name the organiser and the card serials, never a code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from inspect_app.audit import SYSTEM_ACTOR, Actor, record
from inspect_app.ballot import sealing
from inspect_app.database import Lock, hold, hold_in_session, write_transaction
from inspect_app.domain.ballots import (
    MAX_CARDS_PER_PRINT,
    RoundAction,
    card_digest,
    new_card_code,
    normalise_card,
    round_step,
)
from inspect_app.domain.enums import PostStatus, Role, RoundKind, RoundMode, RoundStatus
from inspect_app.domain.lifecycle import period_overlaps
from inspect_app.domain.mutual import pairing_problems
from inspect_app.extensions import db
from inspect_app.models import AnonSheet, BallotCard, Post, Round, RoundPairing, RoundPost, Sheet, Unit
from inspect_app.notify import events
from inspect_app.rankings.aggregate import store_standings

STAFF = frozenset({Role.ADMIN, Role.COMMITTEE, Role.HR})


class RoundRefused(Exception):
    """The change was not made; ``code`` names why for the UI, ``status`` is the HTTP status, ``detail``
    what the message names (e.g. the posts)."""

    def __init__(self, code: str, status: int = 409, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class RoundInput:
    title: str
    kind: RoundKind
    mode: RoundMode
    period_start: date
    period_end: date
    anonymous: bool
    post_ids: tuple[int, ...]
    min_sheets: int = 3
    trim: bool = True
    #: 互查: (inspecting unit, inspected unit); mutual rounds only (ignored otherwise)
    pairs: tuple[tuple[int, int], ...] = ()


def may_organise(actor: Actor, unit_id: int | None) -> bool:
    """Staff run any round; a branch secretary only their own unit's self-checks."""
    if actor.role in STAFF:
        return True
    return actor.role == Role.BRANCH_SECRETARY and unit_id is not None and unit_id == actor.unit_id


def may_view(actor: Actor, rnd: Round) -> bool:
    """Staff see every round; a branch secretary sees mine-wide rounds and their own unit's."""
    return actor.role in STAFF or (
        actor.role == Role.BRANCH_SECRETARY and rnd.unit_id in (None, actor.unit_id)
    )


def eligible_posts(actor: Actor) -> list[Post]:
    """Listed posts with a standard a round may include; a secretary's own unit only."""
    stmt = (
        select(Post)
        .where(Post.status == PostStatus.LISTED.value, Post.standard_version_id.is_not(None))
        .options(selectinload(Post.unit))
        .order_by(Post.unit_id, Post.name)
    )
    if actor.role == Role.BRANCH_SECRETARY:
        stmt = stmt.where(Post.unit_id == actor.unit_id)
    return list(db.session.scalars(stmt))


def _check_input(actor: Actor, data: RoundInput) -> list[Post]:
    if not data.post_ids:
        raise RoundRefused("no_posts", 422)
    allowed = {p.id: p for p in eligible_posts(actor)}
    if any(pid not in allowed for pid in data.post_ids):
        raise RoundRefused("post_not_eligible", 422)
    if actor.role == Role.BRANCH_SECRETARY and data.mode != RoundMode.SELF:
        raise RoundRefused("secretary_self_only", 403)
    posts = [allowed[pid] for pid in data.post_ids]
    _check_periods(posts, data.period_start, data.period_end)
    if data.mode == RoundMode.MUTUAL:
        check_pairs(data.pairs, {p.unit_id for p in posts})
    return posts


def check_pairs(pairs: Sequence[tuple[int, int]], inspected: set[int]) -> None:
    """Every unit whose posts a mutual round checks has at least one other open unit to check it."""
    units = {u.id: u.name for u in db.session.scalars(select(Unit).where(Unit.closed_on.is_(None)))}
    if any(a not in units or b not in units for a, b in pairs):
        raise RoundRefused("pairing_unknown_unit", 422)
    problems = [p for p in pairing_problems(pairs, inspected) if p[0] != "stray"]  # strays are dropped
    if problems:
        code = problems[0][0]
        names = "、".join(dict.fromkeys(units.get(u, "") for c, u in problems if c == code))
        raise RoundRefused(f"pairing_{code}", 422, names)


def _check_periods(posts: Sequence[Post], start: date, end: date) -> None:
    """A post is checked only while it is a model post: its 起止时间 must overlap the round's period (a post
    starting on 12-15 cannot be in a round ending on 12-13). What closes a round is sealing, not its end date:
    a phone underground may bring sheets scored in time days later, and an anonymous sheet carries no time."""
    outside = [p.name for p in posts if not period_overlaps(p.start_date, p.end_date, start, end)]
    if outside:
        raise RoundRefused("post_outside_period", 422, "、".join(outside))


def _fill(rnd: Round, unit_id: int | None, data: RoundInput, posts: Sequence[Post]) -> None:
    rnd.title, rnd.kind, rnd.mode = data.title, data.kind.value, data.mode.value
    rnd.period_start, rnd.period_end, rnd.anonymous = data.period_start, data.period_end, data.anonymous
    rnd.min_sheets, rnd.trim = data.min_sheets, data.trim
    rnd.unit_id = unit_id
    inspected = {p.unit_id for p in posts}
    mutual = data.mode == RoundMode.MUTUAL
    _fill_pairs(rnd, {(a, b) for a, b in data.pairs if b in inspected} if mutual else set())
    wanted = {p.id: p for p in posts}
    rnd.entries = [e for e in rnd.entries if e.post_id in wanted]
    have = {e.post_id for e in rnd.entries}
    for post in posts:
        if post.id not in have:
            assert post.standard_version_id is not None  # eligible_posts checked it
            rnd.entries.append(RoundPost(post=post, standard_version_id=post.standard_version_id))


def _fill_pairs(rnd: Round, wanted: set[tuple[int, int]]) -> None:
    """Keep the pairs still wanted, add the new ones (a pair removed and added again stays one row)."""
    rnd.pairings = [p for p in rnd.pairings if (p.inspecting_unit_id, p.inspected_unit_id) in wanted]
    have = {(p.inspecting_unit_id, p.inspected_unit_id) for p in rnd.pairings}
    for a, b in sorted(wanted - have):
        rnd.pairings.append(RoundPairing(inspecting_unit_id=a, inspected_unit_id=b))


def summary(rnd: Round) -> dict[str, object]:
    return {
        "title": rnd.title, "kind": rnd.kind, "mode": rnd.mode, "anonymous": rnd.anonymous,
        "period": f"{rnd.period_start}/{rnd.period_end}", "status": rnd.status,
        "posts": sorted(e.post_id for e in rnd.entries), "min_sheets": rnd.min_sheets, "trim": rnd.trim,
        "pairs": sorted([p.inspecting_unit_id, p.inspected_unit_id] for p in rnd.pairings),
    }  # fmt: skip


def create_round(actor: Actor, data: RoundInput) -> int:
    if not may_organise(actor, actor.unit_id if actor.role == Role.BRANCH_SECRETARY else None):
        raise RoundRefused("forbidden", 403)
    with write_transaction():
        rnd = Round(status=RoundStatus.DRAFT.value)
        _fill(rnd, _own_unit(actor), data, _check_input(actor, data))
        db.session.add(rnd)
        db.session.flush()
        record(actor, "round.create", "round", rnd.id, None, summary(rnd))
        return rnd.id


def _own_unit(actor: Actor) -> int | None:
    """The unit of a round an organiser makes: a branch secretary's self-checks are their unit's."""
    return actor.unit_id if actor.role == Role.BRANCH_SECRETARY else None


def create_planned(data: RoundInput, unit_id: int | None, plan_id: int, key: str) -> int | None:
    """A round the year's plan makes, created and opened in one transaction (standards frozen, periods and
    互查 checked as an organiser's would be). None: a twin run made it first (``plan_key`` is unique)."""
    try:
        with write_transaction():
            if db.session.scalar(select(Round.id).where(Round.plan_key == key)) is not None:
                return None
            posts = list(db.session.scalars(select(Post).where(Post.id.in_(data.post_ids)).order_by(Post.id)))
            if data.mode == RoundMode.MUTUAL:
                check_pairs(data.pairs, {p.unit_id for p in posts})
            rnd = Round(status=RoundStatus.OPEN.value, plan_id=plan_id, plan_key=key)
            _fill(rnd, unit_id, data, posts)
            _freeze(rnd)
            db.session.add(rnd)
            db.session.flush()
            record(SYSTEM_ACTOR, "round.create", "round", rnd.id, None, summary(rnd) | {"plan": plan_id})
            record(SYSTEM_ACTOR, "round.open", "round", rnd.id, {"status": "draft"}, {"status": "open"})
            events.round_opened(rnd)
            return rnd.id
    except IntegrityError:
        db.session.rollback()
        return None


def load_round(round_id: int) -> Round | None:
    stmt = (
        select(Round)
        .where(Round.id == round_id)
        .options(
            selectinload(Round.entries).selectinload(RoundPost.post).selectinload(Post.unit),
            selectinload(Round.pairings),
        )
    )
    return db.session.scalar(stmt)


def _locked(round_id: int, actor: Actor) -> Round:
    rnd = load_round(round_id)
    if rnd is None:
        raise RoundRefused("no_round", 404)
    if not may_organise(actor, rnd.unit_id):
        raise RoundRefused("forbidden", 403)
    return rnd


def edit_round(actor: Actor, round_id: int, data: RoundInput) -> None:
    with write_transaction():
        rnd = _locked(round_id, actor)
        if rnd.status != RoundStatus.DRAFT:
            raise RoundRefused("not_draft")
        before = summary(rnd)
        _fill(rnd, _own_unit(actor), data, _check_input(actor, data))
        record(actor, "round.edit", "round", rnd.id, before, summary(rnd))


@dataclass(frozen=True)
class Stepped:
    status: RoundStatus
    #: sealing an anonymous round could not finish forgetting arrival order now (busy readers); the daily
    #: `flask forget-order` will
    unfinished: bool = False


def step_round(actor: Actor, round_id: int, action: RoundAction) -> Stepped:
    """Open, seal or publish; opening freezes each post's current standard version into the round; sealing
    an anonymous round rewrites its sheets so nothing tells the order they arrived in (``ballot.sealing``)."""
    with write_transaction():
        rnd = _locked(round_id, actor)
        after = round_step(RoundStatus(rnd.status), action)
        if after is None:
            raise RoundRefused("step_not_allowed")
        if action == RoundAction.OPEN:
            _freeze(rnd)
        before = rnd.status
        rnd.status = after.value
        forget = action == RoundAction.SEAL and rnd.anonymous
        if action == RoundAction.SEAL:
            conn = db.session.connection()
            hold(conn, Lock.ROUND_SHEETS, round_id)  # waits for sheets being stored; later ones get 410
            store_standings(conn, rnd)
        if forget:
            sealing.rewrite_in_key_order(conn, round_id)
        record(actor, f"round.{action.value}", "round", rnd.id, {"status": before}, {"status": after.value})
        if action == RoundAction.OPEN:
            events.round_opened(rnd)
    if forget:
        return Stepped(after, unfinished=not sealing.finish(round_id))
    return Stepped(after)


def _freeze(rnd: Round) -> None:
    if not rnd.entries:
        raise RoundRefused("no_posts", 422)
    for entry in rnd.entries:
        post = entry.post
        if post.status != PostStatus.LISTED.value or post.standard_version_id is None:
            raise RoundRefused("post_not_eligible", 422)
        entry.standard_version_id = post.standard_version_id
    _check_periods([e.post for e in rnd.entries], rnd.period_start, rnd.period_end)
    if rnd.mode == RoundMode.MUTUAL:  # a unit closed since the draft was saved no longer checks anyone
        pairs = [(p.inspecting_unit_id, p.inspected_unit_id) for p in rnd.pairings]
        check_pairs(pairs, {e.post.unit_id for e in rnd.entries})


# --- ballot cards -------------------------------------------------------------------------------------


def print_cards(actor: Actor, round_id: int, count: int, key: bytes) -> tuple[Round, list[tuple[int, str]]]:
    """Make ``count`` new cards; return their serials and codes, which exist nowhere else from now on."""
    if not 1 <= count <= MAX_CARDS_PER_PRINT:
        raise RoundRefused("card_count", 422)
    with write_transaction():
        hold_in_session(Lock.CARD_SERIALS, round_id)  # serial numbers are max + 1
        rnd = _locked(round_id, actor)
        if not rnd.anonymous:
            raise RoundRefused("not_anonymous")
        if rnd.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
            raise RoundRefused("round_closed", 410)
        first = (
            db.session.scalar(select(func.max(BallotCard.serial)).where(BallotCard.round_id == round_id)) or 0
        ) + 1
        cards = [(first + i, new_card_code()) for i in range(count)]
        db.session.add_all(
            BallotCard(digest=card_digest(key, code), round_id=round_id, serial=serial)
            for serial, code in cards
        )
        record(actor, "round.cards", "round", round_id, None, {"serials": f"{first}–{first + count - 1}"})
        return rnd, cards


def void_card(actor: Actor, round_id: int, key: bytes, serial: int | None = None, code: str = "") -> int:
    """Void a card by the number printed on it, or by its code (a spare in hand); returns the serial."""
    with write_transaction():
        rnd = _locked(round_id, actor)
        if rnd.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
            raise RoundRefused(
                "void_closed", 410
            )  # sealed: no card counts any more, there is nothing to void
        stmt = select(BallotCard).where(BallotCard.round_id == round_id)
        if code:
            canonical = normalise_card(code)
            if canonical is None:
                raise RoundRefused("card_code_invalid", 422)
            stmt = stmt.where(BallotCard.digest == card_digest(key, canonical))
        elif serial is not None:
            stmt = stmt.where(BallotCard.serial == serial)
        else:
            raise RoundRefused("card_missing", 422)
        card = db.session.scalar(stmt)
        if card is None:
            raise RoundRefused("card_unknown", 404)
        if card.voided:
            raise RoundRefused("card_already_void")
        card.voided = True
        record(actor, "round.void_card", "round", round_id, None, {"serial": card.serial})
        return card.serial


@dataclass(frozen=True)
class CardCounts:
    printed: int
    voided: int


def card_counts(round_id: int) -> CardCounts:
    row = db.session.execute(
        select(func.count(), func.count().filter(BallotCard.voided)).where(BallotCard.round_id == round_id)
    ).one()
    return CardCounts(int(row[0]), int(row[1]))


def progress(rnd: Round) -> dict[int, int]:
    """Sheets per post so far: counts only, never content (what an organiser may watch live)."""
    table = AnonSheet if rnd.anonymous else Sheet
    rows = db.session.execute(
        select(table.post_id, func.count()).where(table.round_id == rnd.id).group_by(table.post_id)
    )
    return {post_id: int(n) for post_id, n in rows}


def visible_rounds(actor: Actor) -> list[Round]:
    stmt = (
        select(Round).options(selectinload(Round.unit)).order_by(Round.period_start.desc(), Round.id.desc())
    )
    if actor.role == Role.BRANCH_SECRETARY:
        stmt = stmt.where((Round.unit_id.is_(None)) | (Round.unit_id == actor.unit_id))
    return list(db.session.scalars(stmt.limit(200)))

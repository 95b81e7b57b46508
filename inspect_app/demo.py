"""Loads the demo mine from ``demo_data`` (taken from the seed report): units, members, standards, posts,
logins for every role, an open weekly round, and a few sheets from two inspectors so the ranking has rows.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from . import clock, tables
from . import demo_data as data
from .accounts.services import AccountInput, create_account, set_password
from .audit import SYSTEM_ACTOR, Actor
from .ballot import sealing
from .ballot.services import submit_anonymous_sheet
from .database import write_transaction
from .domain.ballots import HR_DEPARTMENT, MIN_SHEETS, Signer, card_digest, card_from_body, new_card_code
from .domain.codes import ALPHABET
from .domain.enums import PostStatus, Role, RoundKind, RoundMode, RoundStatus
from .domain.lifecycle import Action
from .domain.mine import MineFields
from .domain.roster import MEMBER_HEADERS, UNIT_HEADERS
from .domain.scoring import ItemEntry
from .domain.standards import check_items
from .extensions import db
from .field.services import submit_signed_sheet
from .models import (
    BallotCard,
    Member,
    Mine,
    Post,
    PostDemonstrator,
    PostEvent,
    Round,
    RoundPost,
    Standard,
    StandardVersion,
    Unit,
    User,
)
from .org.services import import_members, import_units
from .posts.services import snapshot
from .setup.services import FirstAdmin, init_mine
from .standards.services import build_version

DEMO_PASSWORD = "demo-2026"  # noqa: S105 — printed in the README; demo databases only
#: username, display name, role, unit code (branch secretaries only)
DEMO_USERS = (
    ("admin", "系统管理员", Role.ADMIN, None),
    ("dangwei", "党委书记 赵国强", Role.COMMITTEE, None),
    ("renshi", "组织人事部 王建华", Role.HR, None),
    ("shuji", "综采一区党支部书记", Role.BRANCH_SECRETARY, "zc1"),
    ("renshi2", "组织人事部 李卫东", Role.HR, None),
    ("renshi3", "组织人事部 周文斌", Role.HR, None),
    ("jiancha", "检查员 刘志刚", Role.INSPECTOR, None),
    ("jiancha2", "检查员 陈海涛", Role.INSPECTOR, None),
    ("jiancha3", "检查员 孙立新", Role.INSPECTOR, None),
)
#: posts of the open signed round (HR's 旬督导) that two HR assessors have already scored
PRESCORED = 3
#: posts of the open anonymous weekly round already scored with demo cards 1–5 (its quorum: they are rated)
PRESCORED_ANONYMOUS = 5
#: demo cards that scored them; the others are free for whoever tries the demo
PRESCORING_CARDS = 5
#: the open weekly round's printed cards; fixed so the README can list them (demo databases only)
DEMO_CARDS = 10
DEMO_CARD_SEED = 56804
#: a post of last week's round that got only two sheets: shown as unrated, never as a score
THIN_POST = "T4R8K"


#: the demo mine's names (invented; the seed report hides its mine's name)
DEMO_MINE = MineFields(
    name="示范矿业集团采矿公司",
    short_name="采矿公司",
    committee_name="中共采矿公司委员会",
    time_zone="Asia/Shanghai",
    base_url="",
    doc_code="采矿党发",
)


def name_an_older_demo() -> bool:
    """A demo database made before first-run setup existed has everything but the mine's row: give it the
    demo mine's names, so ``scripts/run`` keeps serving it instead of asking for setup. True if it did."""
    if db.session.get(Mine, 1) is not None:
        return False
    older = db.session.scalar(
        select(Unit.id).where(Unit.code == data.UNITS[0].code, Unit.name == data.UNITS[0].name)
    )
    if older is None:
        return False
    init_mine(DEMO_MINE, None)
    return True


def is_empty() -> bool:
    """No mine set up and no data: the demo never mixes into a real mine."""
    return db.session.get(Mine, 1) is None and not db.session.scalar(select(func.count()).select_from(Unit))


def load(today: date | None = None, with_sheets: bool = True) -> None:
    """Set up the demo mine the way a real mine is set up: first-run setup, the organisation department's
    units and roster imported from spreadsheets, accounts made by the administrator; then its standards,
    posts with their history, rounds and sheets."""
    today = today or clock.today()
    admin = DEMO_USERS[0]
    init_mine(DEMO_MINE, FirstAdmin(admin[0], admin[1], DEMO_PASSWORD))
    import_units(SYSTEM_ACTOR, "units.csv", tables.to_csv(UNIT_HEADERS, _unit_rows()))
    import_members(SYSTEM_ACTOR, "roster.csv", tables.to_csv(MEMBER_HEADERS, _member_rows()))
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    _demo_accounts(units)
    with write_transaction():
        units = {u.code: u for u in db.session.scalars(select(Unit))}
        members = {m.name: m for m in db.session.scalars(select(Member))}
        versions = {s.profession: _standard(s) for s in data.STANDARDS}
        posts = [_post(p, units, members, versions, today) for p in data.POSTS]
        pipeline = [(status, _post(p, units, members, versions, today)) for status, p in data.PIPELINE]
        db.session.flush()
        for post in posts:
            _listed_history(post, today)
        for status, post in pipeline:
            _pipeline_history(post, PostStatus(status), today)
    _demo_rounds(posts, today, with_sheets)


def _unit_rows() -> list[list[str]]:
    """The demo's units as an organisation department's sheet (单位名称, 类型, 专业, 所属党支部, 单位代码)."""
    return [[u.name, "区队", u.profession, u.branch, u.code] for u in data.UNITS]


def _member_rows() -> list[list[str]]:
    """The demo's roster as the organisation department keeps it (``MEMBER_HEADERS``)."""
    names = {u.code: u.name for u in data.UNITS}
    rows = []
    for m in data.MEMBERS:
        standing = "预备党员" if m.party_role == "预备党员" else "中共党员" if m.party_member else "群众"
        office = "" if m.party_role in ("党员", "预备党员") else m.party_role
        rows.append([m.name, "男", names[m.unit], m.job, standing, "", "", "", office])
    return rows


def _demo_accounts(units: dict[str, Unit]) -> None:
    """The administrator makes the other demo accounts; the demo then gives them its published password."""
    actor = Actor(None, DEMO_USERS[0][1], Role.ADMIN.value)
    for username, name, role, unit in DEMO_USERS[1:]:
        unit_id = units[unit].id if unit else None
        user_id, _one_time = create_account(actor, AccountInput(username, name, role.value, unit_id))
        set_password(user_id, DEMO_PASSWORD, must_change=False)


def demo_card_codes() -> list[str]:
    """The codes of the demo's open weekly round's cards, in serial order (the same for every demo)."""
    rng = random.Random(DEMO_CARD_SEED)  # noqa: S311 — demo cards are public by design
    return [card_from_body("".join(rng.choice(ALPHABET) for _ in range(17))) for _ in range(DEMO_CARDS)]


def _demo_rounds(posts: list[Post], today: date, with_sheets: bool) -> None:
    """Last week's anonymous weekly check (published), this week's (open, demo cards), HR's signed ten-day
    supervision (open, partly scored) and 综采一区's signed monthly self-check (open)."""
    monday = today - timedelta(days=today.weekday())
    listed = [p for p in posts if p.status == PostStatus.LISTED.value]
    with write_transaction():
        last_week = _round(monday - timedelta(days=7), [p for p in posts if p.code != data.EXPIRED])
        current = _round(monday, listed)
        hr_posts = [p for p in listed if HR_DEPARTMENT in p.assessor]
        ten_day = _round(monday, hr_posts, RoundKind.TEN_DAY, RoundMode.JOINT, anonymous=False)
        zc1 = [p for p in listed if p.unit.code == "zc1"]
        _round(monday.replace(day=1), zc1, RoundKind.MONTHLY, RoundMode.SELF, False, unit_id=zc1[0].unit_id)
        key = str(current_app.config["BALLOT_KEY"]).encode()
        old_cards = [new_card_code() for _ in range(6)]
        _cards(last_week, old_cards, key)
        _cards(current, demo_card_codes(), key)
    if with_sheets:
        _anonymous_sheets(last_week, old_cards, key, None)
        _anonymous_sheets(current, demo_card_codes()[:PRESCORING_CARDS], key, PRESCORED_ANONYMOUS)
        _signed_sheets(ten_day, PRESCORED)
    with write_transaction():
        db.session.get_one(Round, last_week).status = RoundStatus.PUBLISHED.value
        db.session.flush()
        sealing.rewrite_in_key_order(db.session.connection(), last_week)  # as sealing does (no photos here)


def _round(
    start: date,
    posts: list[Post],
    kind: RoundKind = RoundKind.WEEKLY,
    mode: RoundMode = RoundMode.JOINT,
    anonymous: bool = True,
    unit_id: int | None = None,
) -> int:
    titles = {
        RoundKind.WEEKLY: f"{start.year}年第{start.isocalendar().week}周党员示范岗联合检查",
        RoundKind.TEN_DAY: f"{start.year}年{start.month}月组织人事部旬督导",
        RoundKind.MONTHLY: f"{start.year}年{start.month}月综采一区党员示范岗月考核（自查）",
    }
    length = {RoundKind.WEEKLY: 6, RoundKind.TEN_DAY: 9, RoundKind.MONTHLY: 27}[kind]
    rnd = Round(
        title=titles[kind],
        kind=kind.value,
        mode=mode.value,
        period_start=start,
        period_end=start + timedelta(days=length),
        status=RoundStatus.OPEN.value,
        anonymous=anonymous,
        unit_id=unit_id,
        min_sheets=MIN_SHEETS if anonymous else 1,  # one or two assessors sign a supervision or a self-check
        trim=anonymous,
        entries=[RoundPost(post=p, standard_version=p.standard_version) for p in posts],
    )
    db.session.add(rnd)
    db.session.flush()
    return rnd.id


def _cards(round_id: int, codes: list[str], key: bytes) -> None:
    db.session.add_all(
        BallotCard(digest=card_digest(key, code), round_id=round_id, serial=i + 1)
        for i, code in enumerate(codes)
    )


def _event(post: Post, action: Action, to: PostStatus, who: str, when: date, note: str = "") -> None:
    post.events.append(
        PostEvent(
            action=action.value,
            from_status=post.status,
            to_status=to.value,
            actor_name=who,
            note=note,
            at=datetime.combine(when, time(2, 30), UTC),  # 10:30 at the mine
            snapshot=snapshot(post) if action in (Action.APPLY, Action.APPROVE) else None,
        )
    )
    post.status = to.value


def _apply_and_review(post: Post, when: date, rejections: tuple[str, ...] = ()) -> date:
    secretary = f"{post.unit.branch_name}书记"
    for reason in rejections:
        _event(post, Action.APPLY, PostStatus.APPLIED, secretary, when)
        _event(post, Action.REVIEW, PostStatus.REVIEW, DEMO_USERS[1][1], when + timedelta(days=3))
        _event(post, Action.REJECT, PostStatus.REJECTED, DEMO_USERS[1][1], when + timedelta(days=7), reason)
        post.status_reason = reason
        when += timedelta(days=14)
    _event(post, Action.APPLY, PostStatus.APPLIED, secretary, when)
    post.status_reason = ""
    _event(post, Action.REVIEW, PostStatus.REVIEW, DEMO_USERS[1][1], when + timedelta(days=3))
    return when + timedelta(days=7)


def _listed_history(post: Post, today: date) -> None:
    """申报 → 调研论证 → 挂牌 (rebuilt twice for one post), then revoked or expired for two of them."""
    assert post.start_date is not None  # listed demo posts have their dates
    post.status = PostStatus.DRAFT.value
    rejections = data.REJECTIONS if post.code == data.REBUILT_TWICE else ()
    when = post.start_date - timedelta(days=30 + 14 * len(rejections))
    reviewed = _apply_and_review(post, when, rejections)
    _event(
        post,
        Action.FINDINGS,
        PostStatus.REVIEW,
        DEMO_USERS[1][1],
        reviewed - timedelta(days=2),
        data.FINDINGS,
    )
    _event(post, Action.APPROVE, PostStatus.LISTED, DEMO_USERS[1][1], reviewed)
    post.revision = 1
    if post.code == data.REVOKED:
        _event(
            post,
            Action.REVOKE,
            PostStatus.REVOKED,
            DEMO_USERS[1][1],
            today - timedelta(days=2),
            data.REVOCATION,
        )
        post.status_reason = data.REVOCATION
    elif post.code == data.EXPIRED:
        post.end_date = today - timedelta(days=24)
        _event(post, Action.EXPIRE, PostStatus.EXPIRED, "", today - timedelta(days=23))


def _pipeline_history(post: Post, status: PostStatus, today: date) -> None:
    post.status = PostStatus.DRAFT.value
    if status != PostStatus.DRAFT:
        _apply_and_review(post, today - timedelta(days=10))
    if status == PostStatus.APPLIED:  # drop the review step again: this one waits for the committee
        post.events.pop()
        post.status = PostStatus.APPLIED.value


def _standard(s: data.DemoStandard) -> StandardVersion:
    """Through the import's checks, as a mine's file would go (the older simple template's columns)."""
    rows = [
        {"类别": i.category, "序号": i.clause, "标准分": f"{i.max_points}", "评分办法": i.rule,
         "每处扣分": "" if i.veto else f"{i.deduction}", "一票否决": "是" if i.veto else "否"}
        for i in s.items
    ]  # fmt: skip
    items = check_items(list(enumerate(rows, start=2)))
    return build_version(Standard(profession=s.profession, title=s.title), 1, items, "")


def _dates(p: data.DemoPost, today: date) -> tuple[date | None, date | None]:
    """The seed's dates, moved on by whole years if the demo is loaded after they ran out."""
    if not p.start or not p.end:
        return None, None
    start, end = date.fromisoformat(p.start), date.fromisoformat(p.end)
    while end < today:
        start, end = start.replace(year=start.year + 1), end.replace(year=end.year + 1)
    return start, end


def _post(
    p: data.DemoPost,
    units: dict[str, Unit],
    members: dict[str, Member],
    versions: dict[str, StandardVersion],
    today: date,
) -> Post:
    start, end = _dates(p, today)
    complete = bool(p.assessor)
    post = Post(
        code=p.code,
        name=p.name,
        area=p.area,
        unit=units[p.unit],
        profession=p.profession,
        standard_version=versions[p.profession] if complete else None,
        basis=data.BASIS if complete else "",
        assessor=p.assessor,
        assessment=data.ASSESSMENT if complete else "",
        duties=p.duties,
        commitment=p.commitments,
        achievements="\n".join(p.achievements),
        start_date=start,
        end_date=end,
        status=PostStatus.DRAFT.value,
    )
    post.demonstrators = [
        PostDemonstrator(member=members[name], position=i) for i, name in enumerate(p.demonstrators)
    ]
    db.session.add(post)
    return post


def _plans(round_id: int, count: int | None) -> list[tuple[str, list[tuple[int, bool]]]]:
    entries = db.session.scalars(
        select(RoundPost).where(RoundPost.round_id == round_id).join(Post).order_by(Post.code)
    ).all()
    return [(e.post.code, [(i.id, i.veto) for i in e.standard_version.items]) for e in entries[:count]]


def _sheet(rng: random.Random, code: str, items: list[tuple[int, bool]]) -> list[ItemEntry]:
    """A plausible sheet: a few defects; 802溜子道, whose honour is revoked, scores badly."""
    defects = (1, 2, 3) if code == data.REVOKED else (0, 0, 0, 1, 1, 2)
    return [ItemEntry(item_id, (0,) if veto else (rng.choice(defects),)) for item_id, veto in items]


def _anonymous_sheets(round_id: int, cards: list[str], key: bytes, count: int | None) -> None:
    """Each card scores the first ``count`` posts (fixed seed: the same demo each time)."""
    rng = random.Random(round_id * 7919)  # noqa: S311 — demo content, not security
    for code, items in _plans(round_id, count):
        for card in cards[:2] if code == THIN_POST else cards:
            sheet = _sheet(rng, code, items)
            submit_anonymous_sheet(
                round_id, code, card, sheet, key, str(uuid.UUID(int=rng.getrandbits(128), version=4))
            )


def _signed_sheets(round_id: int, count: int) -> None:
    """Two HR assessors sign the first ``count`` posts of HR's ten-day round."""
    rng = random.Random(56804)  # noqa: S311 — demo content, not security
    signers = db.session.execute(
        select(User.id, User.display_name)
        .where(User.username.in_(("renshi2", "renshi3")))
        .order_by(User.username)
    ).all()
    for code, items in _plans(round_id, count):
        for user_id, name in signers:
            signer = Signer(Role.HR, None, name)
            submit_signed_sheet(round_id, code, signer, user_id, uuid.uuid4(), _sheet(rng, code, items))

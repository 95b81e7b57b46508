"""Typed SQLAlchemy 2 models. Invariants are CHECK constraints and unique keys in the database too.

Times are stored in UTC; the mine's calendar (rounds, post dates) is stored as plain dates.
Points are ``Numeric(6, 2)`` and handled as ``Decimal``.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import clock
from .domain.deductions import Deduction, RuleKind
from .domain.enums import (
    STANDING_TITLES,
    FeedbackStatus,
    PostStatus,
    Profession,
    RectStatus,
    Role,
    RoundKind,
    RoundMode,
    RoundStatus,
    Standing,
    UnitKind,
    UnitProfession,
    values,
)
from .domain.notify import ChannelKind
from .domain.notify import State as NotifyState
from .domain.rectification import rect_number
from .extensions import Base

Points = Numeric(6, 2, asdecimal=True)


def _in(column: str, enum: type) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values(enum))})"


def utcnow() -> datetime:
    return clock.now()


def random_id() -> int:
    """A random key of 16 decimal digits (2**52 ≤ id < 2**53: exact in JavaScript, one length in URLs)."""
    return (1 << 52) | secrets.randbits(52)


class Mine(Base):
    """The mine this deployment serves: its names as printed on documents, its time zone and public address.

    Exactly one row (``id = 1``), written once by first-run setup (``setup.services.init_mine``); nothing
    else in the app is reachable before it exists.
    """

    __tablename__ = "mine"
    __table_args__ = (CheckConstraint("id = 1", name="single_mine"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: full name, e.g. 山东能源集团××煤矿
    name: Mapped[str] = mapped_column(String(128))
    #: short name for page titles and narrow screens, e.g. ××煤矿
    short_name: Mapped[str] = mapped_column(String(32))
    #: the Party committee as printed on letterheads, e.g. 中共××煤矿委员会
    committee_name: Mapped[str] = mapped_column(String(128))
    #: IANA zone of the mine's calendar: every date shown or stored as a date is local to it
    time_zone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    #: printed into QR codes, e.g. https://inspect.example.cn ('' = the address the request came in on)
    base_url: Mapped[str] = mapped_column(String(256), default="")
    #: 发文机关代字 of the committee's documents: 矿党发 in 矿党发〔2026〕3号 ('' = year and number only)
    doc_code: Mapped[str] = mapped_column(String(16), default="", server_default="")
    set_up_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Branch(Base):
    """A Party branch (党支部); one or more units belong to it. Closed, never deleted, once referenced."""

    __tablename__ = "party_branch"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    closed_on: Mapped[date | None] = mapped_column(Date)


class Unit(Base):
    """A unit of the mine: a production team (区队) or a department (科室), in one Party branch.

    Renames are kept in the audit log and documents keep the name they were made with; a unit with posts or
    members is closed (``closed_on``), never deleted.
    """

    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint(_in("kind", UnitKind), name="kind_known"),
        CheckConstraint(f"profession = '' OR {_in('profession', UnitProfession)}", name="profession_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: short ASCII code used in links (?unit=zc1); made from the id when the mine gives none
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=UnitKind.TEAM.value, server_default="team")
    #: 采煤, 掘进, 机电, 运输, 通风, 地测防治水 …; '' for a department without one
    profession: Mapped[str] = mapped_column(String(16), default="", server_default="")
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("party_branch.id"), index=True)
    closed_on: Mapped[date | None] = mapped_column(Date)

    branch: Mapped[Branch | None] = relationship()

    @property
    def branch_name(self) -> str:
        return self.branch.name if self.branch else ""


class Member(Base):
    """A person on the mine's roster (Party members, probationary members, activists, other staff); Party
    members can be demonstrators (示范者). Members who leave are closed, never deleted."""

    __tablename__ = "member"
    __table_args__ = (
        CheckConstraint("party_member OR party_role = ''", name="party_role_needs_member"),
        CheckConstraint(_in("standing", Standing), name="standing_known"),
        CheckConstraint(
            "party_member = (standing IN ('member', 'probationary'))", name="party_member_from_standing"
        ),
        CheckConstraint("gender IN ('', 'm', 'f')", name="gender_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    #: 政治面貌: 党员, 预备党员, 入党积极分子, 群众
    standing: Mapped[str] = mapped_column(String(16), default=Standing.MEMBER.value)
    #: kept equal to ``standing`` being 党员 or 预备党员 (a CHECK): who may demonstrate a post
    party_member: Mapped[bool]
    #: office in the Party: 党支部书记, 党支部委员, 党小组长 …; empty for none
    party_role: Mapped[str] = mapped_column(String(32), default="")
    #: 岗位/工种
    job: Mapped[str] = mapped_column(String(32), default="")
    #: 工号 (staff number) when the mine's roster has one: tells two people of one name apart in imports
    staff_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    gender: Mapped[str] = mapped_column(String(1), default="", server_default="")
    #: 入党时间 (for a probationary member, the date admitted)
    joined_on: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(20), default="", server_default="")
    closed_on: Mapped[date | None] = mapped_column(Date)
    #: small JPEG for the signboard's 亮身份 block, re-encoded on upload (no metadata kept)
    portrait: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    unit: Mapped[Unit] = relationship()

    @property
    def title(self) -> str:
        """What a signboard prints next to the name: the Party office, else the standing (党员 …)."""
        return self.party_role or STANDING_TITLES.get(Standing(self.standing), "")


class User(UserMixin, Base):
    """A login. A branch secretary is scoped to one unit; other roles see the whole mine."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(_in("role", Role), name="role_known"),
        CheckConstraint("role <> 'branch_secretary' OR unit_id IS NOT NULL", name="secretary_has_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    #: the roster entry of this person, when they are on it
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    #: set by an administrator's initial password or reset: nothing else is reachable until it is changed
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the 工作台's last view, and where its "since your last visit" counts from (``domain.desk.visit``)
    desk_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    desk_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: part of every session and remember cookie of this account; raised at logout, so a copied cookie dies
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    unit: Mapped[Unit | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        return session_id(self.id, self.session_version)


def session_id(user_id: int, version: int) -> str:
    """What a session or remember cookie names a login by: the account and its current session version."""
    return f"{user_id}.{version}"


class Standard(Base):
    """A checklist family (e.g. 采煤专业示范岗考核标准); its content lives in versions."""

    __tablename__ = "standard"
    __table_args__ = (CheckConstraint(_in("profession", Profession), name="profession_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profession: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(128), unique=True)

    versions: Mapped[list[StandardVersion]] = relationship(
        back_populates="standard", order_by="StandardVersion.number"
    )
    #: set when the group publishes this standard (group mode): the mine does not edit it
    from_group: Mapped[StandardFromGroup | None] = relationship()

    @property
    def group_standard_id(self) -> int | None:
        return self.from_group.group_standard_id if self.from_group else None


class StandardFromGroup(Base):
    """A standard the group publishes into this mine (``group/services.publish``): which of the group's it
    is, and the group's edition it has last taken (a twin publish finds it taken)."""

    __tablename__ = "standard_from_group"

    standard_id: Mapped[int] = mapped_column(ForeignKey("standard.id"), primary_key=True)
    group_standard_id: Mapped[int] = mapped_column(Integer, unique=True)
    group_version: Mapped[int]


class StandardVersion(Base):
    """An immutable edition of a standard; sheets keep the version they were scored against."""

    __tablename__ = "standard_version"
    __table_args__ = (
        UniqueConstraint("standard_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standard.id"))
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: what changed in this edition, shown in the version list
    note: Mapped[str] = mapped_column(Text, default="")

    standard: Mapped[Standard] = relationship(back_populates="versions")
    items: Mapped[list[StandardItem]] = relationship(
        back_populates="version", order_by="StandardItem.position"
    )

    @property
    def total_points(self) -> Decimal:
        return sum((item.max_points for item in self.items), Decimal(0))


class StandardItem(Base):
    """One line of the score sheet (评分表): requirement, points, how it is checked and how it is scored."""

    __tablename__ = "standard_item"
    __table_args__ = (
        UniqueConstraint("version_id", "position"),
        CheckConstraint("max_points >= 0", name="max_points_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: found through the unique key (version_id, position): a separate index would only slow writes
    version_id: Mapped[int] = mapped_column(ForeignKey("standard_version.id"))
    position: Mapped[int]
    #: the section (类别); a run of items of one category is a section with its own subtotal
    category: Mapped[str] = mapped_column(String(64))
    #: 序号 (条款), unique in the version
    clause: Mapped[str] = mapped_column(String(16))
    #: 项目: what the post must do or have
    requirement: Mapped[str] = mapped_column(Text, default="")
    #: 标准分; 0 for a pure veto line
    max_points: Mapped[Decimal] = mapped_column(Points)
    #: 检查方法 (查现场, 查资料…)
    method: Mapped[str] = mapped_column(String(200), default="")
    #: 评分办法 as written; ``rules`` are what is scored
    scoring: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[StandardVersion] = relationship(back_populates="items")
    rules: Mapped[list[StandardRule]] = relationship(
        order_by="StandardRule.position", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def deductions(self) -> tuple[Deduction, ...]:
        return tuple(Deduction(RuleKind(r.kind), r.amount, r.label) for r in self.rules)

    @property
    def veto(self) -> bool:
        """Whether any rule of the item is a veto (一票否决: the sheet scores 0)."""
        return any(r.kind == RuleKind.VETO for r in self.rules)

    @property
    def scoring_beyond_rules(self) -> bool:
        """Whether 评分办法 says more than its rules' labels (shown next to their counts on the form)."""
        return _bare(self.scoring) != _bare("".join(r.label for r in self.rules))

    @property
    def summary(self) -> str:
        """A line naming the item where its whole text would not fit (a rectification, a notice)."""
        text = self.requirement or self.scoring
        return text if len(text) <= 120 else text[:119] + "…"


def _bare(text: str) -> str:
    return re.sub(r"[\s。；;，,、！!…]+", "", text)


class StandardRule(Base):
    """One deduction rule of a line (每处扣0.5分, 缺一项扣1分, 不得分, 取消评审资格), in the line's order."""

    __tablename__ = "standard_rule"
    __table_args__ = (
        CheckConstraint(_in("kind", RuleKind), name="kind_known"),
        CheckConstraint(
            "(kind IN ('each', 'missing') AND amount > 0) OR (kind IN ('whole', 'veto') AND amount IS NULL)",
            name="amount_fits_kind",
        ),
        CheckConstraint("position >= 1", name="position_positive"),
    )

    item_id: Mapped[int] = mapped_column(ForeignKey("standard_item.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Decimal | None] = mapped_column(Points)
    #: the clause of 评分办法 the rule was read from, shown next to its count on the form
    label: Mapped[str] = mapped_column(String(200))


class PostDemonstrator(Base):
    """A demonstrator (示范者) of a post; position 0 is the post leader (岗长)."""

    __tablename__ = "post_demonstrator"

    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    member: Mapped[Member] = relationship()


class Post(Base):
    """A model post (党员示范岗) with its five clarities (五明确).

    A draft may lack any of them; applying (申报) requires all five (``domain.lifecycle.missing_clarities``).
    """

    __tablename__ = "post"
    __table_args__ = (
        CheckConstraint(_in("status", PostStatus), name="status_known"),
        CheckConstraint(_in("profession", Profession), name="profession_known"),
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        CheckConstraint("revision >= 0", name="revision_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable short code printed on the signboard and in its QR URL /p/<code>; replaced only by rotation
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    area: Mapped[str] = mapped_column(Text, default="")  # 明确区域
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    profession: Mapped[str] = mapped_column(String(16))
    #: 明确示范依据, e.g. 集团公司安全质量标准化标准
    basis: Mapped[str] = mapped_column(Text, default="")
    standard_version_id: Mapped[int | None] = mapped_column(ForeignKey("standard_version.id"))  # 示范标准
    assessor: Mapped[str] = mapped_column(String(128), default="")  # 明确考核人
    #: 考核标准: how and how often the assessor checks, e.g. 周检查、月考核
    assessment: Mapped[str] = mapped_column(Text, default="")
    duties: Mapped[str] = mapped_column(Text, default="")  # 亮职责
    commitment: Mapped[str] = mapped_column(Text, default="")  # public promise to the crew
    #: 亮业绩, one achievement per line
    achievements: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date | None] = mapped_column(Date)  # 明确起止时间
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.DRAFT.value)
    #: why it was last rejected (推倒重建) or revoked (取消示范荣誉); shown to the branch and the public
    status_reason: Mapped[str] = mapped_column(Text, default="")
    #: edition of the five clarities: 1 when first listed, +1 per adjustment (及时调整)
    revision: Mapped[int] = mapped_column(default=0)

    unit: Mapped[Unit] = relationship()
    standard_version: Mapped[StandardVersion | None] = relationship()
    demonstrators: Mapped[list[PostDemonstrator]] = relationship(
        order_by="PostDemonstrator.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[PostEvent]] = relationship(
        order_by="PostEvent.id", cascade="all, delete-orphan", back_populates="post"
    )

    @property
    def achievement_list(self) -> list[str]:
        return [line for line in self.achievements.splitlines() if line.strip()]


class PostEvent(Base):
    """One step of a post's life (申报, 调研论证, 挂牌, 推倒重建, 调整, 到期, 撤销), with the five clarities
    as
    they stood when they were submitted, listed or adjusted, so earlier versions stay readable."""

    __tablename__ = "post_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    #: NULL when the system acted (expiry)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    #: reason, site-visit findings or adjustment note
    note: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    post: Mapped[Post] = relationship(back_populates="events")


class RetiredCode(Base):
    """A board code replaced by rotation. It keeps naming its post so it can never open another post."""

    __tablename__ = "retired_code"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    retired_on: Mapped[date] = mapped_column(Date)


class Feedback(Base):
    """职工监督意见: a miner's short anonymous note on a post, public only once the branch approves it.

    Deliberately no author, address, user agent or time of day: only the day it arrived. The id is random
    (16 digits, not a sequence), so notes cannot be put in the order they arrived and matched to log lines.
    """

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint(_in("status", FeedbackStatus), name="status_known"),
        CheckConstraint("length(body) <= 300", name="body_short"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False, default=random_id
    )
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=FeedbackStatus.PENDING.value)
    #: the branch's public answer, optional
    reply: Mapped[str] = mapped_column(Text, default="")

    post: Mapped[Post] = relationship()


class AuditEntry(Base):
    """Who changed what, when, with the values before and after. Services write it; the committee reads it."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: kept as text so the entry reads the same after the account is renamed or removed
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(32))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Round(Base):
    """An inspection round (周检查 … 年总评) over a set of posts and a period of the mine's calendar."""

    __tablename__ = "round"
    __table_args__ = (
        CheckConstraint(_in("kind", RoundKind), name="kind_known"),
        CheckConstraint(_in("mode", RoundMode), name="mode_known"),
        CheckConstraint(_in("status", RoundStatus), name="status_known"),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
        CheckConstraint("min_sheets >= 1 AND min_sheets <= 50", name="min_sheets_sane"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=RoundStatus.DRAFT.value)
    #: 无记名打分 with ballot cards; signed rounds are scored by logged-in assessors
    anonymous: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: set for a branch's own self-check (自查): only that unit's posts, run by its branch secretary
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    #: 评分办法: sheets a post needs to be rated; whether one highest and one lowest sheet are dropped
    min_sheets: Mapped[int] = mapped_column(default=3, server_default="3")
    trim: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: made by the year's plan: the plan, and plan:period:unit, unique, so a twin run cannot make it twice
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("round_plan.id"))
    plan_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    unit: Mapped[Unit | None] = relationship()
    entries: Mapped[list[RoundPost]] = relationship(back_populates="round", cascade="all, delete-orphan")
    #: 互查: which units sign which units' posts (mutual rounds only)
    pairings: Mapped[list[RoundPairing]] = relationship(cascade="all, delete-orphan")


class RoundPairing(Base):
    """In a mutual check (互查), the people of ``inspecting_unit`` sign the posts of ``inspected_unit``."""

    __tablename__ = "round_pairing"
    __table_args__ = (CheckConstraint("inspecting_unit_id <> inspected_unit_id", name="not_self"),)

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), primary_key=True)
    inspected_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    inspecting_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)

    inspected_unit: Mapped[Unit] = relationship(foreign_keys=[inspected_unit_id], viewonly=True)
    inspecting_unit: Mapped[Unit] = relationship(foreign_keys=[inspecting_unit_id], viewonly=True)


class RoundPlan(Base):
    """检查计划: one line of the year's plan (weekly joint check on a weekday, ten-day supervision, monthly
    self-checks per branch …), in force from ``valid_from`` to ``valid_to``; ``flask run-plans`` makes and
    opens its rounds (``domain.plans``). Changed "from a date on": the old line ends the day before."""

    __tablename__ = "round_plan"
    __table_args__ = (
        CheckConstraint("kind IN ('weekly', 'ten_day', 'monthly', 'quarterly')", name="kind_planned"),
        CheckConstraint(_in("mode", RoundMode), name="mode_known"),
        CheckConstraint("scope IN ('all', 'hr', 'units')", name="scope_known"),
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_known"),
        CheckConstraint("min_sheets >= 1 AND min_sheets <= 50", name="min_sheets_sane"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    anonymous: Mapped[bool] = mapped_column(default=False)
    #: which posts: every listed post, the posts HR assesses (旬督导), or each unit's own (one round a unit)
    scope: Mapped[str] = mapped_column(String(8), default="all")
    #: weekly checks: the day of the week the round opens (0 = Monday)
    weekday: Mapped[int] = mapped_column(default=0)
    min_sheets: Mapped[int] = mapped_column(default=3)
    trim: Mapped[bool] = mapped_column(default=True)
    #: 互查: the ring of units turns one step each month (else the same neighbours all year)
    rotate: Mapped[bool] = mapped_column(default=False)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class RoundPost(Base):
    """A post included in a round, with the standard version frozen when it was added."""

    __tablename__ = "round_post"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), primary_key=True)
    standard_version_id: Mapped[int] = mapped_column(ForeignKey("standard_version.id"))

    round: Mapped[Round] = relationship(back_populates="entries")
    post: Mapped[Post] = relationship()
    standard_version: Mapped[StandardVersion] = relationship()


class Sheet(Base):
    """A signed score sheet: one per inspector per post per round (anonymous sheets get their own tables)."""

    __tablename__ = "sheet"
    __table_args__ = (
        UniqueConstraint("round_id", "post_id", "inspector_id"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_in_range"),
        CheckConstraint("deducted >= 0", name="deducted_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: made by the client; a replayed submission finds its first result instead of a second row
    submission_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    #: found through the unique key (round_id, post_id, inspector_id): no index of its own, one less to
    #: write with each of the storm's sheets (issue 22)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"))
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    standard_version_id: Mapped[int] = mapped_column(ForeignKey("standard_version.id"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    deducted: Mapped[Decimal] = mapped_column(Points)
    score: Mapped[Decimal] = mapped_column(Points)
    vetoed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    post: Mapped[Post] = relationship()
    round: Mapped[Round] = relationship()
    items: Mapped[list[SheetItem]] = relationship(cascade="all, delete-orphan")


class SheetItem(Base):
    """One answered checklist line: a defect count, or NULL for 不适用."""

    __tablename__ = "sheet_item"
    __table_args__ = (
        UniqueConstraint("sheet_id", "item_id"),
        CheckConstraint("defects IS NULL OR defects >= 0", name="defects_not_negative"),
        CheckConstraint("deduction >= 0", name="deduction_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: found through the unique key (sheet_id, item_id), which serves the cascade too
    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheet.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("standard_item.id"))
    #: instances over all the item's rules; NULL for 不适用
    defects: Mapped[int | None]
    #: the count of each rule, in the item's rule order; NULL for 不适用
    counts: Mapped[list[int] | None] = mapped_column(JSON)
    deduction: Mapped[Decimal] = mapped_column(Points)
    remark: Mapped[str] = mapped_column(String(500), default="")


class BallotCard(Base):
    """A one-time ballot card of an anonymous round, known only by a keyed hash of its printed code.

    ``serial`` is the number printed on the card so a lost or spare card can be voided by number; cards are
    shuffled and drawn from a box, so the serial says nothing about who holds it. Nothing records which card
    cast which sheet: sheets carry a per-post nullifier derived from the code, which the server never keeps.
    """

    __tablename__ = "ballot_card"
    __table_args__ = (
        UniqueConstraint("round_id", "serial"),
        CheckConstraint("serial >= 1", name="serial_positive"),
        {"sqlite_with_rowid": False},
    )

    digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    #: found through the unique key (round_id, serial)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    serial: Mapped[int]
    voided: Mapped[bool] = mapped_column(default=False)


class RoundTotal(Base):
    """A sealed round's sheets per post, summed once when it was sealed: how many, their sum, the lowest and
    the highest score (signed and anonymous sheets alike), and the post's score and place under the round's
    rules (None while unrated). A sealed round takes no sheet and its rules are fixed, so these never
    change; month, quarter and year rankings read them instead of grouping every sheet of every round."""

    __tablename__ = "round_total"

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), primary_key=True)
    sheets: Mapped[int]
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2, asdecimal=True))
    lowest: Mapped[Decimal] = mapped_column(Points)
    highest: Mapped[Decimal] = mapped_column(Points)
    score: Mapped[Decimal | None] = mapped_column(Points)
    rank: Mapped[int | None]


class AnonSheet(Base):
    """An anonymous score sheet (无记名). Deliberately without inspector, time, address, device or
    autoincrement key: its key is the round, the post and the nullifier HMAC(key, card, round, post), random
    to any reader. Rows of one round lie together (the key starts with the round), so sealing can rewrite
    just that round in key order and leave no trace of arrival order (``ballot.sealing``).
    """

    __tablename__ = "anon_sheet"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= 100", name="score_in_range"),
        CheckConstraint("deducted >= 0", name="deducted_not_negative"),
        {"sqlite_with_rowid": False},
    )

    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), primary_key=True)
    nullifier: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    standard_version_id: Mapped[int] = mapped_column(ForeignKey("standard_version.id"))
    deducted: Mapped[Decimal] = mapped_column(Points)
    score: Mapped[Decimal] = mapped_column(Points)
    vetoed: Mapped[bool] = mapped_column(default=False)
    #: HMAC(key, "receipt", submission id) while the round is open: tells the phone's replay (same id: 200)
    #: from a second sheet of the card (409) without comparing contents; erased at sealing
    receipt: Mapped[bytes | None] = mapped_column(LargeBinary(32))


_SHEET_FK = (
    ["round_id", "post_id", "nullifier"],
    ["anon_sheet.round_id", "anon_sheet.post_id", "anon_sheet.nullifier"],
)


class AnonSheetItem(Base):
    """One answered line of an anonymous sheet, keyed by its sheet's key and the item."""

    __tablename__ = "anon_sheet_item"
    __table_args__ = (
        CheckConstraint("defects IS NULL OR defects >= 0", name="defects_not_negative"),
        CheckConstraint("deduction >= 0", name="deduction_not_negative"),
        ForeignKeyConstraint(*_SHEET_FK, ondelete="CASCADE", name="fk_anon_sheet_item_sheet"),
        {"sqlite_with_rowid": False},
    )

    round_id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(primary_key=True)
    nullifier: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("standard_item.id"), primary_key=True)
    defects: Mapped[int | None]
    counts: Mapped[list[int] | None] = mapped_column(JSON)
    deduction: Mapped[Decimal] = mapped_column(Points)
    remark: Mapped[str] = mapped_column(String(500), default="")


class SheetPhoto(Base):
    """A clean evidence photo of a signed sheet, for one item or (``item_id`` NULL) the whole sheet.

    The file is content-addressed: ``sha256`` names the clean JPEG in the photo store.
    """

    __tablename__ = "sheet_photo"

    sheet_id: Mapped[int] = mapped_column(ForeignKey("sheet.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("standard_item.id"))
    width: Mapped[int]
    height: Mapped[int]


class AnonSheetPhoto(Base):
    """A clean evidence photo of an anonymous sheet: like ``SheetPhoto``, keyed by its sheet's key, with no
    time or sequence of its own. Its file is held out of the photo store until sealing (``ballot.sealing``).
    """

    __tablename__ = "anon_sheet_photo"
    __table_args__ = (
        ForeignKeyConstraint(*_SHEET_FK, ondelete="CASCADE", name="fk_anon_sheet_photo_sheet"),
        {"sqlite_with_rowid": False},
    )

    round_id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(primary_key=True)
    nullifier: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("standard_item.id"))
    width: Mapped[int]
    height: Mapped[int]


#: every table keyed by an anonymous sheet, parents first: sealing rewrites each of them, the structural test
#: pins their columns; a new one must be added here
ANONYMOUS_SHEET_TABLES: tuple[type[Base], ...] = (AnonSheet, AnonSheetItem, AnonSheetPhoto)


class Notice(Base):
    """通报: a round's praise of the best posts and criticism of the worst, drafted from the sealed results
    (or a quarter's, from its 季讲评: then also the honours revoked), edited by the organiser, then published
    with a number (〔year〕 seq) that never changes."""

    __tablename__ = "notice"
    __table_args__ = (
        UniqueConstraint("year", "seq"),
        CheckConstraint("status IN ('draft', 'published')", name="status_known"),
        CheckConstraint(
            "status = 'draft' OR (year IS NOT NULL AND seq IS NOT NULL)", name="published_numbered"
        ),
        CheckConstraint(
            "(CASE WHEN round_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN review_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN annual_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_source",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"), unique=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("quarter_review.id"), unique=True)
    #: a 年总评's 表彰决定 (a decision, not a 通报)
    annual_id: Mapped[int | None] = mapped_column(ForeignKey("annual_review.id"), unique=True)
    title: Mapped[str] = mapped_column(String(128))
    praise: Mapped[str] = mapped_column(Text, default="")  # 择优表扬
    criticism: Mapped[str] = mapped_column(Text, default="")  # 择差批评
    revocation: Mapped[str] = mapped_column(Text, default="", server_default="")  # 撤销示范岗 (季讲评)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    year: Mapped[int | None]
    seq: Mapped[int | None]
    published_on: Mapped[date | None] = mapped_column(Date)

    round: Mapped[Round | None] = relationship()
    review: Mapped[QuarterReview | None] = relationship()
    annual: Mapped[AnnualReview | None] = relationship()

    @property
    def unit_id(self) -> int | None:
        """The unit whose self-check the notice reports (None: mine-wide)."""
        return self.round.unit_id if self.round is not None else None

    @property
    def source(self) -> str:
        for found in (self.round, self.review, self.annual):
            if found is not None:
                return found.title
        return ""

    @property
    def number(self) -> str:
        return f"〔{self.year}〕{self.seq}号" if self.year and self.seq else ""


class Rectification(Base):
    """整改: a problem found at a check, what must be done about it by when and by whom, and how it closed.

    Raised from a signed sheet (``sheet_id``) or from a post's aggregated deductions in a sealed anonymous
    round (``sheet_id`` NULL: never traced to a sheet). Overdue is not stored: see
    ``domain.rectification.is_overdue``.
    """

    __tablename__ = "rectification"
    __table_args__ = (
        CheckConstraint(_in("status", RectStatus), name="status_known"),
        CheckConstraint("returns >= 0", name="returns_not_negative"),
        CheckConstraint("status != 'passed' OR closed_on IS NOT NULL", name="passed_closed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"))
    sheet_id: Mapped[int | None] = mapped_column(ForeignKey("sheet.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("standard_item.id"))
    clause: Mapped[str] = mapped_column(String(64), default="")  # 标准条款, as worded when raised
    problem: Mapped[str] = mapped_column(Text)
    measures: Mapped[str] = mapped_column(Text)  # 整改措施
    deadline: Mapped[date] = mapped_column(Date)  # 整改期限
    responsible: Mapped[str] = mapped_column(String(64))  # 责任人
    checker: Mapped[str] = mapped_column(String(64))  # 复查人
    #: the responsible person picked from the roster (``responsible`` keeps the name as written)
    responsible_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    #: the checker picked from the accounts (``checker`` keeps the name as written)
    checker_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(16), default=RectStatus.ISSUED.value, index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    done_note: Mapped[str] = mapped_column(Text, default="")
    #: failed re-checks (退回) so far
    returns: Mapped[int] = mapped_column(default=0)
    recheck_note: Mapped[str] = mapped_column(Text, default="")
    rechecked_on: Mapped[date | None] = mapped_column(Date)
    #: the signed sheet of the check that passed or failed it last
    recheck_sheet_id: Mapped[int | None] = mapped_column(ForeignKey("sheet.id"))
    closed_on: Mapped[date | None] = mapped_column(Date)

    post: Mapped[Post] = relationship()
    unit: Mapped[Unit] = relationship()
    round: Mapped[Round | None] = relationship()
    photos: Mapped[list[RectificationPhoto]] = relationship(
        order_by="RectificationPhoto.position", cascade="all, delete-orphan"
    )

    @property
    def number(self) -> str:
        return rect_number(self.issued_on.year, self.id)


class RectificationPhoto(Base):
    """An after-photo (整改后照片) of a reported fix; public on the post's page once the re-check passed."""

    __tablename__ = "rectification_photo"

    rectification_id: Mapped[int] = mapped_column(
        ForeignKey("rectification.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    width: Mapped[int]
    height: Mapped[int]


class QuarterReview(Base):
    """季讲评: a quarter's review meeting — the period ranking, the posts on 预警, a decision per post (keep,
    warn, revoke with reason: the revoke goes through the post's lifecycle), attendance and minutes. Closing
    it applies the decisions and drafts the quarter's notice (表扬 / 批评 / 撤销)."""

    __tablename__ = "quarter_review"
    __table_args__ = (
        UniqueConstraint("year", "quarter"),
        CheckConstraint("quarter >= 1 AND quarter <= 4", name="quarter_known"),
        CheckConstraint("status IN ('draft', 'closed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    quarter: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="draft")
    held_on: Mapped[date | None] = mapped_column(Date)
    attendance: Mapped[str] = mapped_column(Text, default="")  # 参会人员
    minutes: Mapped[str] = mapped_column(Text, default="")  # 会议纪要
    closed_on: Mapped[date | None] = mapped_column(Date)

    decisions: Mapped[list[QuarterDecision]] = relationship(cascade="all, delete-orphan")

    @property
    def title(self) -> str:
        return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度党员示范岗讲评"


class QuarterDecision(Base):
    """What a 季讲评 decided for one post, with the period result it was decided on."""

    __tablename__ = "quarter_decision"
    __table_args__ = (CheckConstraint("decision IN ('keep', 'warn', 'revoke')", name="decision_known"),)

    review_id: Mapped[int] = mapped_column(
        ForeignKey("quarter_review.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), primary_key=True)
    decision: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    warning: Mapped[str] = mapped_column(String(16), default="")

    post: Mapped[Post] = relationship()


class AnnualReview(Base):
    """年总评: the committee's selection of the year's 优秀党员示范岗, made once with its decision text; the
    branch results it was made beside are computed (``reviews.annual``), the chosen posts' results kept."""

    __tablename__ = "annual_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    decision: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[date] = mapped_column(Date)

    choices: Mapped[list[AnnualChoice]] = relationship(cascade="all, delete-orphan")

    @property
    def title(self) -> str:
        return f"{self.year}年度党员示范岗总评"


class AnnualChoice(Base):
    """A post chosen 优秀党员示范岗 at a 年总评, with the year result it was chosen on."""

    __tablename__ = "annual_choice"

    annual_id: Mapped[int] = mapped_column(
        ForeignKey("annual_review.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), primary_key=True)
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))

    post: Mapped[Post] = relationship()


class NotifyChannel(Base):
    """A work-chat group (企业微信 or 钉钉 robot) or a list of e-mail addresses the app writes to.

    ``unit_id`` names the unit whose group it is (its branch's group); None is a mine-wide group (党委,
    组织人事部), which also takes the unit events it subscribes to. Channels that have carried messages are
    switched off, never deleted, so the outbox keeps its history.
    """

    __tablename__ = "notify_channel"
    __table_args__ = (CheckConstraint(_in("kind", ChannelKind), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: the robot's webhook URL (its key is in it), or e-mail addresses separated by commas
    address: Mapped[str] = mapped_column(String(1024))
    #: 钉钉加签's secret (SEC…); '' for none
    secret: Mapped[str] = mapped_column(String(128), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    #: the events it takes, comma-separated ``domain.notify.Event`` values
    events: Mapped[str] = mapped_column(String(512), default="")
    active: Mapped[bool] = mapped_column(default=True)
    #: the robot said "too fast": nothing is sent to it before this time
    paused_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    unit: Mapped[Unit | None] = relationship()


class OutboxMessage(Base):
    """A message to one channel, written in the transaction of the event it tells (so none is lost and none
    is told of an event that rolled back), delivered by ``flask notify`` (``notify.sender``).

    ``key`` makes a reminder once per channel (``rect_due:12:2026-12-04``). Nothing here comes from an
    anonymous sheet, and no message is written while one is stored: its time would date the sheet.
    """

    __tablename__ = "notify_message"
    __table_args__ = (
        UniqueConstraint("channel_id", "key", name="once_per_channel"),
        CheckConstraint(_in("state", NotifyState), name="state_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: found through the unique key (channel_id, key)
    channel_id: Mapped[int] = mapped_column(ForeignKey("notify_channel.id"))
    event: Mapped[str] = mapped_column(String(32))
    key: Mapped[str | None] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(200))
    #: markdown lines, one per line
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(512), default="")
    #: mobile numbers to @, comma-separated
    mentions: Mapped[str] = mapped_column(String(256), default="")
    state: Mapped[str] = mapped_column(String(16), default=NotifyState.WAITING.value, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: when a sender took it (the rate limit counts these), and the sender's token
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claim: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the last answer: HTTP status and the robot's errcode/errmsg, or the error
    answer: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    channel: Mapped[NotifyChannel] = relationship()

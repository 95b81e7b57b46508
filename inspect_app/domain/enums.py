"""The closed vocabularies of the programme. Stored as their string values; the DB checks them too."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Who a login acts as. A branch secretary (党支部书记) is scoped to one unit."""

    ADMIN = "admin"
    COMMITTEE = "committee"  # 党委
    HR = "hr"  # 组织人事部
    BRANCH_SECRETARY = "branch_secretary"  # 党支部书记
    INSPECTOR = "inspector"  # 参检人员


class Profession(StrEnum):
    """Which safety-quality standard (安全质量标准化) family a post works to."""

    COAL = "coal"  # 采煤
    TUNNEL = "tunnel"  # 掘进
    ELECTRO = "electro"  # 机电
    TRANSPORT = "transport"  # 运输
    VENTILATION = "ventilation"  # 通风
    SERVICE_5E = "5e"  # 5E岗位标准


class UnitKind(StrEnum):
    TEAM = "team"  # 区队
    OFFICE = "office"  # 科室


class UnitProfession(StrEnum):
    """A unit's line of work (专业); wider than the standards' professions."""

    COAL = "coal"  # 采煤
    TUNNEL = "tunnel"  # 掘进
    ELECTRO = "electro"  # 机电
    TRANSPORT = "transport"  # 运输
    VENTILATION = "ventilation"  # 通风
    GEOLOGY = "geology"  # 地测防治水
    SAFETY = "safety"  # 安全
    SERVICE = "service"  # 后勤服务
    OTHER = "other"  # 其他


class Standing(StrEnum):
    """政治面貌 on the roster. 党员 and 预备党员 are Party members (may demonstrate a post)."""

    MEMBER = "member"  # 中共党员
    PROBATIONARY = "probationary"  # 中共预备党员
    ACTIVIST = "activist"  # 入党积极分子
    OTHER = "other"  # 群众


PARTY_STANDINGS = frozenset({Standing.MEMBER, Standing.PROBATIONARY})
#: as printed on signboards and rosters (Chinese documents whatever the screen language)
STANDING_TITLES = {
    Standing.MEMBER: "党员",
    Standing.PROBATIONARY: "预备党员",
    Standing.ACTIVIST: "入党积极分子",
    Standing.OTHER: "",
}


class PostStatus(StrEnum):
    """Life of a post; the transitions themselves belong to the lifecycle issue."""

    DRAFT = "draft"
    APPLIED = "applied"  # 申报
    REVIEW = "review"  # 调研论证
    LISTED = "listed"  # 挂牌
    REJECTED = "rejected"  # 推倒重建
    EXPIRED = "expired"  # 已到期
    REVOKED = "revoked"  # 取消示范荣誉


class RoundKind(StrEnum):
    WEEKLY = "weekly"  # 周检查
    TEN_DAY = "ten_day"  # 旬督导
    MONTHLY = "monthly"  # 月考核
    QUARTERLY = "quarterly"  # 季讲评
    ANNUAL = "annual"  # 年总评


class RectStatus(StrEnum):
    """A rectification (整改) on its way to closing; 退回 (a failed re-check) sends it back to ASSIGNED."""

    ISSUED = "issued"  # 已下发
    ASSIGNED = "assigned"  # 已指派
    DONE = "done"  # 已执行 (awaiting re-check)
    PASSED = "passed"  # 已复查 (closed)


class RoundMode(StrEnum):
    SELF = "self"  # 自查
    MUTUAL = "mutual"  # 互查
    JOINT = "joint"  # 联查


class RoundStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    SEALED = "sealed"  # 封箱
    PUBLISHED = "published"


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    """The stored values of an enum, for CHECK constraints and form choices."""
    return tuple(member.value for member in enum)


class FeedbackStatus(StrEnum):
    """职工监督意见 moderation: only approved notes are public."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

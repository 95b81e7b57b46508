"""Languages: Simplified Chinese by default, English on request (``?lang=en``, a cookie, or Accept-Language).

Also the on-screen names of the domain's enums, so templates show 周检查 rather than ``weekly``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import clock
from .domain.deductions import RuleKind, canonical
from .domain.enums import (
    FeedbackStatus,
    PostStatus,
    Profession,
    Role,
    RoundKind,
    RoundMode,
    RoundStatus,
    Standing,
    UnitKind,
    UnitProfession,
    values,
)
from .domain.lifecycle import Shown
from .domain.ranking import grade
from .domain.scoring import points_text
from .extensions import babel
from .sparkline import sparkline

LANG_COOKIE = "lang"
_ALIASES = {"zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "en": "en"}

LABELS: dict[str, Any] = {
    **{
        Role.ADMIN: _l("Administrator"),
        Role.COMMITTEE: _l("Party committee"),
        Role.HR: _l("Organisation & HR department"),
        Role.BRANCH_SECRETARY: _l("Branch secretary"),
        Role.INSPECTOR: _l("Inspector"),
    },
    **{
        Profession.COAL: _l("Coal mining"),
        Profession.TUNNEL: _l("Tunnelling"),
        Profession.ELECTRO: _l("Electromechanical"),
        Profession.TRANSPORT: _l("Transport"),
        Profession.VENTILATION: _l("Ventilation"),
        Profession.SERVICE_5E: _l("5E post standard"),
    },
    **{
        UnitProfession.GEOLOGY: _l("Geology, survey and water control"),
        UnitProfession.SAFETY: _l("Safety"),
        UnitProfession.SERVICE: _l("Services"),
    },
    **{UnitKind.TEAM: _l("Production team (区队)"), UnitKind.OFFICE: _l("Department (科室)")},
    **{
        PostStatus.DRAFT: _l("Draft"),
        PostStatus.APPLIED: _l("Applied"),
        PostStatus.REVIEW: _l("Under review"),
        PostStatus.LISTED: _l("Listed"),
        PostStatus.REJECTED: _l("Rejected for rebuilding"),
        PostStatus.EXPIRED: _l("Expired"),
        PostStatus.REVOKED: _l("Honour revoked"),
    },
    **{
        RoundKind.WEEKLY: _l("Weekly check"),
        RoundKind.TEN_DAY: _l("Ten-day supervision"),
        RoundKind.MONTHLY: _l("Monthly assessment"),
        RoundKind.QUARTERLY: _l("Quarterly review"),
        RoundKind.ANNUAL: _l("Annual evaluation"),
    },
    **{
        RoundMode.SELF: _l("Self-check"),
        RoundMode.MUTUAL: _l("Mutual check"),
        RoundMode.JOINT: _l("Joint check"),
    },
    **{
        RoundStatus.DRAFT: _l("Draft"),
        RoundStatus.OPEN: _l("Open"),
        RoundStatus.SEALED: _l("Sealed"),
        RoundStatus.PUBLISHED: _l("Published"),
    },
}


#: these share values with other enums ("listed", "rejected"), so they have their own tables
SHOWN = {
    Shown.UPCOMING: _l("Approved, not started yet"),
    Shown.LISTED: _l("Listed (挂牌中)"),
    Shown.EXPIRED: _l("Expired (已到期)"),
    Shown.REVOKED: _l("Honour revoked (已撤销)"),
    Shown.HIDDEN: _l("Not listed"),
}
#: 政治面貌; "other" is also a unit profession's value, so standings have their own table
STANDINGS = {
    Standing.MEMBER: _l("Party member"),
    Standing.PROBATIONARY: _l("Probationary Party member"),
    Standing.ACTIVIST: _l("Activist applying to join"),
    Standing.OTHER: _l("Not a Party member"),
}
UNIT_PROFESSIONS = {**{p: LABELS[p] for p in values(UnitProfession) if p in LABELS}, "other": _l("Other")}
FEEDBACK = {
    FeedbackStatus.PENDING: _l("Waiting"),
    FeedbackStatus.APPROVED: _l("Shown on the public page"),
    FeedbackStatus.REJECTED: _l("Rejected"),
}
GRADES = {
    "grade1": _l("Grade one (一级)"),
    "grade2": _l("Grade two (二级)"),
    "grade3": _l("Grade three (三级)"),
    "below": _l("Below standard"),
}


def local_time(value: datetime | None) -> str:
    """A stored UTC time as the mine reads it (its time zone), to the minute."""
    if value is None:
        return "—"
    return clock.local(value).strftime("%Y-%m-%d %H:%M")


def _supported(value: str | None) -> str | None:
    return _ALIASES.get(value.strip().lower()) if value else None


def select_locale() -> str:
    chosen = _supported(request.args.get("lang")) or _supported(request.cookies.get(LANG_COOKIE))
    if chosen:
        return chosen
    best = request.accept_languages.best_match(["zh", "zh-CN", "en"])
    return _supported(best) or "zh_CN"


def _remember_choice(response: Response) -> Response:
    chosen = _supported(request.args.get("lang"))
    if chosen and chosen != request.cookies.get(LANG_COOKIE):
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="Lax", httponly=True)
    response.vary.update(("Accept-Language", "Cookie"))
    return response


def label(value: str) -> str:
    """The translated on-screen name of an enum value (unknown values are shown as they are)."""
    return str(LABELS.get(value, value))


def points(value: Decimal | None) -> str:
    """A score as shown: two decimals, or a dash when there is none."""
    return "—" if value is None else f"{value:.2f}"


def number(value: Decimal) -> str:
    """A rule's points without padding zeros: 5, 0.5, 1.25."""
    return points_text(value)


def rule_words(rule: Any) -> str:
    """A stored deduction rule in the standard's own words: 每处扣0.5分, 缺一项扣1分, 不得分, 取消评审资格."""
    return canonical(RuleKind(rule.kind), rule.amount)


def warning_label(code: str) -> str:
    """预警 with its reason, for the quarterly review."""
    return {
        "below": _("Warning (预警): below the line"),
        "bottom": _("Warning (预警): bottom group in 2 of the last 3 checks"),
    }.get(code, code)


def grade_bounds() -> tuple[tuple[str, Decimal], ...]:
    """The configured grade floors (GRADE_BOUNDS), as ``domain.ranking.grade`` takes them."""
    floors = current_app.config["GRADE_BOUNDS"]
    return tuple(
        (code, Decimal(str(f))) for code, f in zip(("grade1", "grade2", "grade3"), floors, strict=True)
    )


def grade_bands() -> list[tuple[str, Decimal, str]]:
    """(code, floor, name) of each grade, highest first: the bands a trend chart is drawn on."""
    return [(code, floor, str(GRADES[code])) for code, floor in grade_bounds()]


def grade_label(score: Decimal) -> str:
    """一级, 二级, 三级 or 不合格 for a score, on the configured bounds."""
    return str(GRADES[grade(score, grade_bounds())])


def hidden_message() -> str:
    """For a form field holding invisible control or direction characters (``domain.text``)."""
    return _("This text contains invisible control characters (such as direction marks). Type it again.")


def init_app(app: Flask) -> None:
    babel.init_app(
        app, locale_selector=select_locale, timezone_selector=clock.zone_name
    )  # catalogues in inspect_app/translations
    app.after_request(_remember_choice)
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["points"] = points
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.globals["shown_label"] = lambda v: str(SHOWN.get(v, v))
    app.jinja_env.globals["feedback_label"] = lambda v: str(FEEDBACK.get(v, v))
    app.jinja_env.globals["standing_label"] = lambda v: str(STANDINGS.get(v, v))
    app.jinja_env.globals["unit_profession_label"] = lambda v: str(UNIT_PROFESSIONS.get(v, v)) if v else ""
    app.jinja_env.globals["grade_label"] = grade_label
    app.jinja_env.globals["rule_words"] = rule_words
    app.jinja_env.globals["sparkline"] = sparkline
    app.jinja_env.globals["warning_label"] = warning_label
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese stays readable in JSON

    @app.context_processor
    def _lang() -> dict[str, Any]:
        locale = get_locale()
        g.html_lang = "zh-CN" if locale and locale.language == "zh" else "en"
        return {"html_lang": g.html_lang}

"""Live ranking of a round; the table refreshes itself (htmx polling) on a supervisor's phone.

Fairness: an inspector sees a round's results only once it is sealed, never while sheets are still coming.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from inspect_app.domain.ballots import MIN_SHEETS, results_visible
from inspect_app.domain.enums import Role, RoundStatus
from inspect_app.domain.ranking import GRADES
from inspect_app.errors import refuse
from inspect_app.extensions import db
from inspect_app.htmx import render
from inspect_app.models import Round
from inspect_app.queries import open_rounds
from inspect_app.security import ALL_ROLES, public, roles_required

from .services import round_ranking

bp = Blueprint("rankings", __name__, url_prefix="/rankings")


@bp.get("/")
@roles_required(*ALL_ROLES)
def current() -> Response:
    """The newest open round's ranking."""
    rnd = db.session.scalars(open_rounds().limit(1)).first()
    if rnd is None or current_user.role == Role.INSPECTOR:
        return render("rankings/none.html")
    return redirect(url_for("rankings.show", round_id=rnd.id))


@bp.get("/rules")
@public
def rules() -> Response:
    """评分办法: how a sheet is scored and a round ranked, so anyone can redo a ranking by hand."""
    return render("rankings/rules.html", min_sheets=MIN_SHEETS, grades=GRADES)


@bp.get("/<int:round_id>")
@roles_required(*ALL_ROLES)
def show(round_id: int) -> Response:
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        abort(404)
    status = RoundStatus(rnd.status)
    if current_user.role == Role.INSPECTOR and status in (RoundStatus.DRAFT, RoundStatus.OPEN):
        refuse(403, _("Results are shown to inspectors once the round is sealed."))
    return render(
        "rankings/show.html",
        "ranking_table",
        round=rnd,
        rows=round_ranking(rnd),
        visible=results_visible(status, rnd.anonymous),
        min_sheets=MIN_SHEETS,
        live=status == RoundStatus.OPEN,
    )

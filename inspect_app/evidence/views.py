"""Evidence pages: one signed sheet's deductions, remarks and photos; a post's sheets in a round pooled by
item (the only view of anonymous sheets' contents, and only once sealed)."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from inspect_app.audit import actor_of
from inspect_app.errors import refuse
from inspect_app.htmx import render
from inspect_app.security import ALL_ROLES, SUPERVISORS, roles_required

from .services import Evidence, EvidenceRefused, post_evidence, sheet_evidence

bp = Blueprint("evidence", __name__, url_prefix="/evidence")


def _message(code: str) -> str:
    return {
        "not_found": _("There is no such sheet, round or post."),
        "forbidden": _("This evidence belongs to another unit."),
        "not_sealed": _("An anonymous round's sheets are shown only after it is sealed."),
        "too_few": _(
            "This post got fewer sheets than the round's quorum and stays unrated: its deductions are not "
            "shown, so that no single anonymous sheet can be read from them."
        ),
    }[code]


def _page(evidence: Evidence) -> Response:
    sections = [
        (name, list(lines)) for name, lines in groupby(evidence.lines, key=lambda line: line.item.category)
    ]
    return render("evidence/show.html", ev=evidence, sections=sections)


@bp.get("/sheets/<int:sheet_id>")
@roles_required(*ALL_ROLES)
def sheet(sheet_id: int) -> Response:
    """A signed sheet: for the one who signed it, and supervisors who see its post."""
    try:
        return _page(sheet_evidence(actor_of(current_user), sheet_id))
    except EvidenceRefused as refused:
        refuse(refused.status, _message(refused.code))


@bp.get("/rounds/<int:round_id>/<code>")
@roles_required(*SUPERVISORS)
def post(round_id: int, code: str) -> Response:
    try:
        return _page(post_evidence(actor_of(current_user), round_id, code))
    except EvidenceRefused as refused:
        refuse(refused.status, _message(refused.code))

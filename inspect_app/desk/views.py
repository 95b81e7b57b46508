"""工作台: every logged-in user's home, what is waiting for them with one tap to each."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from werkzeug.wrappers import Response

from inspect_app import clock
from inspect_app.audit import action_label, actor_of
from inspect_app.domain.ballots import Signer
from inspect_app.domain.enums import Role
from inspect_app.htmx import render
from inspect_app.security import ALL_ROLES, roles_required

from .messages import task_label
from .services import Viewer, changes, glance, mark_visit, todos

bp = Blueprint("desk", __name__, url_prefix="/desk")
bp.add_app_template_global(task_label, "task_label")
bp.add_app_template_global(action_label, "action_label_of")


@bp.get("/")
@roles_required(*ALL_ROLES)
def index() -> Response:
    signer = Signer(
        Role(current_user.role), current_user.home_unit_id, current_user.display_name, user_id=current_user.id
    )
    viewer = Viewer(actor_of(current_user), signer, clock.today())
    since = mark_visit(current_user.id, clock.now())
    return render(
        "desk/index.html",
        todos=todos(viewer),
        glance=glance(viewer),
        changes=changes(viewer, since),
        since=since,
    )

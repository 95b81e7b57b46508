"""What the standards pages say about a rejected edit or import, row by row."""

from __future__ import annotations

from flask_babel import gettext as _

from inspect_app.domain.standards import RowProblem

from .exchange import FileRefused


def problem(p: RowProblem) -> str:
    text = {
        "required": _("「%(col)s」 is required.", col=p.detail),
        "too_long": _("「%(col)s」 is too long.", col=p.detail),
        "hidden_chars": _("「%(col)s」 contains invisible control characters. Type it again.", col=p.detail),
        "veto_yes_no": _("「一票否决」 must be 是 or 否, not 「%(value)s」.", value=p.detail),
        "bad_number": _(
            "「%(col)s」 must be a number from 0 to 100 with at most two decimals.", col=p.detail
        ),
        "veto_has_points": _("A veto item carries no points: leave 分值 and 每处扣分 empty or 0."),
        "points_required": _("分值 and 每处扣分 must be above 0."),
        "deduction_above_max": _("每处扣分 cannot exceed the item's 分值."),
        "clause_repeated": _("This clause number already appears in row %(row)s.", row=p.detail),
        "too_many_rows": _("At most %(n)s items.", n=p.detail),
        "no_items": _("The standard has no items."),
        "total_not_100": _("The items' points add up to %(total)s; they must add up to 100.", total=p.detail),
    }.get(p.code, _("This row is not valid."))
    return _("Row %(row)d: %(text)s", row=p.row, text=text) if p.row else text


def file_problem(refused: FileRefused) -> str:
    return {
        "unreadable": _("The file could not be read. Save it as .xlsx or as UTF-8 .csv and try again."),
        "empty": _("The file is empty."),
        "headers_missing": _(
            "The first row must hold the column headers; missing: %(cols)s.", cols=refused.detail
        ),
        "unknown_type": _("Upload an .xlsx or .csv file."),
        "too_large": _(
            "The file is far larger than a standard needs (at most 2 MB, 16 MB unpacked). Save only the "
            "items sheet and try again."
        ),
    }.get(refused.code, _("The file could not be read."))

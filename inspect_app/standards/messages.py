"""What the standards pages say about a rejected edit or import, row by row."""

from __future__ import annotations

from flask_babel import gettext as _

from inspect_app.domain.standards import RowProblem

from .exchange import FileRefused


def problem(p: RowProblem) -> str:
    """One problem of an import or edit, naming the row, the column and the limit broken."""
    text = {
        "required": _("required."),
        "text_required": _("write the requirement (项目) or the scoring text (评分办法)."),
        "too_long": _("too long: at most %(n)s characters.", n=p.detail),
        "hidden_chars": _("contains invisible control characters. Type it again."),
        "yes_no": _("must be 是 or 否, not 「%(value)s」.", value=p.detail),
        "bad_number": _(
            "「%(value)s」 is not a number of points from 0 to 9999.99 with at most two decimals.",
            value=p.detail,
        ),
        "rules_unreadable": _(
            "no deduction rule found in 「%(value)s」: write them as 每处扣0.5分, 缺一项扣1分, 不得分 or "
            "取消评审资格.",
            value=p.detail[:60],
        ),
        "no_rule": _(
            "no deduction rule found: write it in 评分办法 (每处扣0.5分, 缺一项扣1分, 不得分, 取消评审资格), "
            "or in 扣分规则."
        ),
        "too_many_rules": _("at most %(n)s deduction rules per item.", n=p.detail),
        "points_required": _(
            "an item that deducts points needs points of its own (only a pure veto line has 0)."
        ),
        "clause_repeated": _("this number already appears in row %(row)s.", row=p.detail),
        "too_many_rows": _("at most %(n)s items.", n=p.detail),
        "no_items": _("the standard has no items."),
        "total_too_large": _("the items add up to %(total)s points; at most 9999.99.", total=p.detail),
        "no_points": _("no item carries points: there would be nothing to score."),
    }.get(p.code, _("not valid."))
    where = f"「{p.column}」" if p.column else ""
    if p.row:
        return _("Row %(row)d%(column)s: %(text)s", row=p.row, column=where, text=text)
    return f"{where}{text}" if where else text


def file_problem(refused: FileRefused) -> str:
    return {
        "unreadable": _("The file could not be read. Save it as .xlsx or as UTF-8 .csv and try again."),
        "empty": _("The file is empty."),
        "headers_missing": _(
            "The first row must hold the column headers; missing: %(cols)s.", cols=refused.detail
        ),
        "unknown_type": _("Upload an .xlsx or .csv file."),
        "too_large": _(
            "The file is far larger than a standard needs (at most 4 MB, 16 MB unpacked). Save only the "
            "items sheet and try again."
        ),
    }.get(refused.code, _("The file could not be read."))

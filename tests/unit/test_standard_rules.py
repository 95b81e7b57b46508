"""Checking a standard's items before they become a version, and the grades of a score; and miners' notes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain.deductions import Deduction, RuleKind
from inspect_app.domain.feedback import FeedbackRefused, clean_feedback
from inspect_app.domain.standards import ALIASES, StandardRejected, check_items, sections

LEGACY = ("类别", "条款", "分值", "每处扣分", "扣分标准", "一票否决")


def row(category: str = "顶板管理", clause: str = "1.1", pts: str = "50", per: str = "0.5", **over: str):  # type: ignore[no-untyped-def]
    """A row of the older simple template (its headers read through the aliases, as a file's would be)."""
    cells = dict(zip(LEGACY, (category, clause, pts, per, "支护不合格，一处扣0.5分", "否"), strict=True))
    cells.update({LEGACY[int(k[1:])]: v for k, v in over.items()})
    return {ALIASES.get(h, h): v for h, v in cells.items()}


def real(
    category: str = "通风系统", clause: str = "", pts: str = "10", scoring: str = "", **cells: str
) -> dict[str, str]:
    """A row of a real score sheet: 类别, 序号, 项目, 标准分, 检查方法, 评分办法 (扣分规则 optional)."""
    text = scoring or "无通风系统图不得分；图纸与实际不符，每处扣2分；资料缺一项扣0.5分"
    cells = {"类别": category, "序号": clause, "项目": "矿井有完整独立的通风系统", "标准分": pts} | cells
    return {"检查方法": "查现场", "评分办法": text} | cells


def valid() -> list[tuple[int, dict[str, str]]]:
    return [
        (2, row()),
        (3, {h: "" for h in LEGACY}),  # blank rows are skipped
        (4, row("文明生产", "2.1", "50", "1")),
        (5, row("安全", "9.1", "", "", c5="是")),
    ]


def problems(rows: list[tuple[int, dict[str, str]]]) -> list[tuple[int, str, str]]:
    with pytest.raises(StandardRejected) as rejected:
        check_items(rows)
    return [(p.row, p.code, p.column) for p in rejected.value.problems]


def test_the_older_simple_template_still_gives_items_in_order() -> None:
    items = check_items(valid())
    assert [i.clause for i in items] == ["1.1", "2.1", "9.1"]
    assert items[0].max_points == Decimal("50")
    assert items[0].deductions == (Deduction(RuleKind.EACH, Decimal("0.5"), "每处扣0.5分"),)
    assert items[0].scoring == "支护不合格，一处扣0.5分"
    assert items[2].veto
    assert items[2].max_points == 0


def test_a_real_sheet_row_gives_its_rules_from_the_scoring_text() -> None:
    (item,) = check_items([(2, real(clause="1.1"))])
    assert [(r.kind, r.amount) for r in item.deductions] == [
        (RuleKind.WHOLE, None),
        (RuleKind.EACH, Decimal("2")),
        (RuleKind.MISSING, Decimal("0.5")),
    ]
    assert item.deductions[1].label == "图纸与实际不符，每处扣2分"
    assert item.requirement == "矿井有完整独立的通风系统"
    assert item.method == "查现场"


def test_any_total_a_rule_above_the_item_and_long_texts_are_accepted() -> None:
    long_text = "检查通风设施是否完好，" * 160 + "每处扣5分"  # 1,765 characters
    rows = [(n, real(pts="100", scoring=long_text if n == 2 else "")) for n in range(2, 13)]
    items = check_items(rows)
    assert sum(i.max_points for i in items) == 1100
    small = check_items([(2, real(pts="2", scoring="一处不符合扣3分"))])
    assert small[0].deductions[0].amount == 3  # capped at the item when scored, not refused here


def test_blank_categories_continue_the_one_above_and_blank_numbers_are_made_per_section() -> None:
    rows = [(2, real("通风")), (3, real("")), (4, real("瓦斯")), (5, real("", clause="2.9")), (6, real(""))]
    items = check_items(rows)
    assert [i.category for i in items] == ["通风", "通风", "瓦斯", "瓦斯", "瓦斯"]
    assert [i.clause for i in items] == ["1.1", "1.2", "2.1", "2.9", "2.3"]
    assert [(s.name, s.points, s.count) for s in sections(items)] == [
        ("通风", Decimal(20), 2),
        ("瓦斯", Decimal(30), 3),
    ]


def test_rules_column_overrides_the_scoring_text() -> None:
    (item,) = check_items([(2, real(scoring="按规程执行", 扣分规则="每处扣1分；取消评审资格"))])
    assert [r.kind for r in item.deductions] == [RuleKind.EACH, RuleKind.VETO]


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (row(category=""), (2, "required", "类别")),
        (real(项目="", scoring="", 评分办法=""), (2, "text_required", "项目")),
        (real(scoring="按规程执行"), (2, "no_rule", "评分办法")),
        (real(扣分规则="酌情处理"), (2, "rules_unreadable", "扣分规则")),
        (row(category="类" * 65), (2, "too_long", "类别")),
        (real(项目="长" * 4001), (2, "too_long", "项目")),
        (row(c5="也许"), (2, "yes_no", "一票否决")),
        (row(pts="五十"), (2, "bad_number", "标准分")),
        (row(pts="-5"), (2, "bad_number", "标准分")),
        (row(pts="10000"), (2, "bad_number", "标准分")),
        (row(pts="50.005"), (2, "bad_number", "标准分")),
        (row(pts="NaN"), (2, "bad_number", "标准分")),
        (row(per="Infinity"), (2, "bad_number", "每处扣分")),
        (real(pts="0"), (2, "points_required", "标准分")),
        (real(scoring="；".join(f"第{n}条每处扣1分" for n in range(9))), (2, "too_many_rules", "评分办法")),
    ],
)
def test_each_bad_cell_is_named_with_its_row_and_column(
    bad: dict[str, str], expected: tuple[int, str, str]
) -> None:
    assert expected in problems([(2, bad), (4, row("文明生产", "2.1", "50", "1"))])


def test_every_problem_of_every_row_and_of_the_file_is_reported_in_one_pass() -> None:
    rows = [
        (2, row(pts="五十")),
        (3, row(clause="1.1", per="99", c5="也许")),
        (4, real(项目="", 评分办法="")),
    ]
    assert problems(rows) == [
        (2, "bad_number", "标准分"),
        (3, "yes_no", "一票否决"),
        (3, "clause_repeated", "序号"),  # reported although row 2 has a problem of its own
        (4, "text_required", "项目"),
        (4, "no_rule", "评分办法"),
    ]
    assert problems([(2, real(clause="1.1")), (3, real(clause="1.1"))]) == [(3, "clause_repeated", "序号")]
    assert problems([(2, {h: " " for h in LEGACY})]) == [(0, "no_items", "")]
    huge = [(n, real(pts="5000")) for n in (2, 3)]
    assert problems(huge) == [(0, "total_too_large", "标准分")]
    many = [(n, row(clause=str(n), pts="0.5", per="0.5")) for n in range(2, 303)]
    assert problems(many) == [(0, "too_many_rows", "")]


def test_notes_are_trimmed_and_normalised_markup_kept_as_text() -> None:
    assert clean_feedback("  巷道积水\r\n无人处理  ") == "巷道积水\n无人处理"
    assert clean_feedback("咖啡e\u0301") == "咖啡\u00e9"  # NFC
    assert clean_feedback("<script>alert(1)</script>") == "<script>alert(1)</script>"  # escaped when shown


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        (" \n ", "empty"),
        ("好", "too_short"),
        ("长" * 301, "too_long"),
        ("长" * 20_000, "too_long"),
        ("坏\x00人", "control_chars"),
        ("清屏\x1b[2J", "control_chars"),
        ("反\u202e向", "control_chars"),
    ],
)
def test_bad_notes_are_refused(text: str, code: str) -> None:
    with pytest.raises(FeedbackRefused) as refused:
        clean_feedback(text)
    assert refused.value.code == code


@given(st.text(max_size=400))
def test_any_accepted_note_is_short_and_free_of_control_characters(text: str) -> None:
    try:
        note = clean_feedback(text)
    except FeedbackRefused:
        return
    assert 2 <= len(note) <= 300
    assert all(ch == "\n" or ch.isprintable() or ch.isspace() for ch in note)

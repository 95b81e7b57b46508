"""Checking a standard's items before they become a version, and the grades of a score; and miners' notes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain.feedback import FeedbackRefused, clean_feedback
from inspect_app.domain.standards import HEADERS, StandardRejected, check_items


def row(category: str = "顶板管理", clause: str = "1.1", pts: str = "50", per: str = "0.5", **over: str):  # type: ignore[no-untyped-def]
    cells = dict(zip(HEADERS, (category, clause, pts, per, "支护不合格，一处扣0.5分", "否"), strict=True))
    cells.update({HEADERS[int(k[1:])]: v for k, v in over.items()})
    return cells


def valid() -> list[tuple[int, dict[str, str]]]:
    return [
        (2, row()),
        (3, {h: "" for h in HEADERS}),  # blank rows are skipped
        (4, row("文明生产", "2.1", "50", "1")),
        (5, row("安全", "9.1", "", "", c5="是")),
    ]


def problems(rows: list[tuple[int, dict[str, str]]]) -> list[tuple[int, str, str]]:
    with pytest.raises(StandardRejected) as rejected:
        check_items(rows)
    return [(p.row, p.code, p.detail) for p in rejected.value.problems]


def test_a_valid_table_gives_items_in_order() -> None:
    items = check_items(valid())
    assert [i.clause for i in items] == ["1.1", "2.1", "9.1"]
    assert items[0].max_points == Decimal("50")
    assert items[0].deduction == Decimal("0.5")
    assert items[2].veto
    assert items[2].max_points == 0


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (row(category=""), (2, "required", "类别")),
        (row(clause=""), (2, "required", "条款")),
        (row(c4=""), (2, "required", "扣分标准")),
        (row(category="类" * 65), (2, "too_long", "类别")),
        (row(c5="也许"), (2, "veto_yes_no", "也许")),
        (row(pts="五十"), (2, "bad_number", "分值")),
        (row(pts="-5"), (2, "bad_number", "分值")),
        (row(pts="101"), (2, "bad_number", "分值")),
        (row(pts="50.005"), (2, "bad_number", "分值")),
        (row(pts="NaN"), (2, "bad_number", "分值")),
        (row(per="Infinity"), (2, "bad_number", "每处扣分")),
        (row(c5="是"), (2, "veto_has_points", "")),
        (row(per="0"), (2, "points_required", "")),
        (row(per="60"), (2, "deduction_above_max", "")),
    ],
)
def test_each_bad_cell_is_named_with_its_row(bad: dict[str, str], expected: tuple[int, str, str]) -> None:
    assert expected in problems([(2, bad), (4, row("文明生产", "2.1", "50", "1"))])


def test_every_problem_of_every_row_is_reported_and_totals_checked_last() -> None:
    found = problems([(2, row(pts="五十")), (3, row(clause="1.1", per="99")), (4, row(category=""))])
    assert [(r, c) for r, c, _ in found] == [
        (2, "bad_number"),
        (3, "deduction_above_max"),
        (3, "clause_repeated"),
        (4, "required"),
        (4, "clause_repeated"),
    ]
    assert problems([(2, row(pts="30")), (3, row("文明", "2.1", "20", "1"))]) == [(0, "total_not_100", "50")]
    assert problems([(2, {h: " " for h in HEADERS})]) == [(0, "no_items", "")]
    many = [(n, row(clause=str(n), pts="0.5", per="0.5")) for n in range(2, 303)]
    assert problems(many) == [(0, "too_many_rows", "300")]


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

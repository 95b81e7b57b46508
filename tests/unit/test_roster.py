"""The roster rules (domain.roster): how departments write dates, phones, 政治面貌; which rows clash."""

from __future__ import annotations

from datetime import date

import pytest

from inspect_app.domain.roster import (
    FieldError,
    Known,
    MemberRecord,
    RosterRejected,
    check_member_row,
    check_member_rows,
    check_unit_rows,
    match_member,
    parse_date,
    parse_phone,
)

TODAY = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-07-01", date(2019, 7, 1)),
        ("2019/7/1", date(2019, 7, 1)),
        ("2019年7月1日", date(2019, 7, 1)),
        ("2019.07", date(2019, 7, 1)),
        ("2019.7.1", date(2019, 7, 1)),
        ("20190701", date(2019, 7, 1)),
        ("2019-7", date(2019, 7, 1)),
        ("2019年7月", date(2019, 7, 1)),
        ("２０１９-０７-０１", date(2019, 7, 1)),  # full-width digits from a Chinese keyboard
        (" 2019-07-01 ", date(2019, 7, 1)),
        ("", None),
        ("—", None),
    ],
)
def test_dates_are_read_in_every_shape_departments_write(text: str, expected: date | None) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2019-13-01", "bad_date"),
        ("2019-02-30", "bad_date"),
        ("1900-01-01", "bad_date"),  # before the Party was founded
        ("去年七月", "bad_date"),
        ("2019-07-01 08:00", "bad_date"),
        ("2026-03-02", "future_date"),
        ("2030年1月", "future_date"),
    ],
)
def test_impossible_and_future_dates_are_refused(text: str, code: str) -> None:
    with pytest.raises(FieldError) as refused:
        parse_date(text, TODAY)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 139 0000 1111", "13900001111"),
        ("１３８００１３８０００", "13800138000"),
        ("", ""),
        ("无", ""),
    ],
)
def test_mobile_numbers_are_normalised(text: str, expected: str) -> None:
    assert parse_phone(text) == expected


@pytest.mark.parametrize(
    "text", ["1380013800", "138001380001", "23800138000", "12800138000", "0351-1234567", "电话"]
)
def test_other_phone_numbers_are_refused(text: str) -> None:
    with pytest.raises(FieldError):
        parse_phone(text)


def row(**cells: str) -> dict[str, str]:
    base = {"姓名": "王建华", "性别": "男", "所在单位": "综采一区", "岗位/工种": "支架工",
            "政治面貌": "中共党员", "入党时间": "2015-07-01", "手机号": "", "工号": "",
            "党内职务": ""}  # fmt: skip
    return base | cells


@pytest.mark.parametrize(
    ("written", "standing", "party"),
    [
        ("中共党员", "member", True),
        ("党员", "member", True),
        ("中共预备党员", "probationary", True),
        ("预备党员", "probationary", True),
        ("入党积极分子", "activist", False),
        ("群众", "other", False),
    ],
)
def test_political_status_as_written(written: str, standing: str, party: bool) -> None:
    cells = row(政治面貌=written, 入党时间="" if not party else "2015-07-01")
    record, problems = check_member_row(2, cells, TODAY)
    assert problems == []
    assert record is not None
    assert (record.standing, record.party_member) == (standing, party)


def test_unknown_status_gender_and_office_of_a_non_member_are_refused_at_their_columns() -> None:
    _, problems = check_member_row(5, row(政治面貌="共青团员", 性别="M"), TODAY)
    assert {(p.row, p.column, p.code) for p in problems} == {
        (5, "政治面貌", "unknown_standing"),
        (5, "性别", "unknown_gender"),
    }
    _, problems = check_member_row(6, row(政治面貌="群众", 入党时间="", 党内职务="党小组长"), TODAY)
    assert [(p.column, p.code) for p in problems] == [("党内职务", "role_needs_member")]


def test_overlong_text_and_hidden_characters_are_refused() -> None:
    _, problems = check_member_row(3, row(姓名="王" * 33), TODAY)
    assert [(p.column, p.code) for p in problems] == [("姓名", "too_long")]
    _, problems = check_member_row(3, row(姓名="王\u202e建华"), TODAY)
    assert [(p.column, p.code) for p in problems] == [("姓名", "hidden_chars")]


def test_a_staff_number_twice_in_one_file_is_refused_at_the_second_row() -> None:
    rows = [(2, row(姓名="甲", 工号="K1")), (3, row(姓名="乙", 工号="K2")), (4, row(姓名="丙", 工号="K1"))]
    with pytest.raises(RosterRejected) as rejected:
        check_member_rows(rows, TODAY)
    assert [(p.row, p.column, p.code, p.detail) for p in rejected.value.problems] == [
        (4, "工号", "repeated", "2")
    ]


def test_one_name_twice_in_a_unit_needs_staff_numbers_on_both_rows() -> None:
    without = [(2, row(工号="K1")), (3, row())]
    with pytest.raises(RosterRejected) as rejected:
        check_member_rows(without, TODAY)
    assert [(p.row, p.column, p.code, p.detail) for p in rejected.value.problems] == [
        (3, "姓名", "name_twice", "2")
    ]
    assert len(check_member_rows([(2, row(工号="K1")), (3, row(工号="K2"))], TODAY)) == 2
    assert len(check_member_rows([(2, row()), (3, row(所在单位="掘进一区"))], TODAY)) == 2


def test_every_bad_row_is_reported_not_just_the_first() -> None:
    rows = [(2, row(手机号="123")), (3, row()), (4, row(入党时间="2099-01-01")), (5, row(所在单位=""))]
    with pytest.raises(RosterRejected) as rejected:
        check_member_rows([(n, r | {"姓名": f"人{n}"}) for n, r in rows], TODAY)
    assert [(p.row, p.column) for p in rejected.value.problems] == [
        (2, "手机号"),
        (4, "入党时间"),
        (5, "所在单位"),
    ]


def test_units_file_refuses_repeated_names_and_unknown_types() -> None:
    rows = [
        (2, {"单位名称": "综采一区", "类型": "区队", "专业": "采煤", "所属党支部": "综采一区党支部"}),
        (3, {"单位名称": "综采一区", "类型": "区队", "专业": "", "所属党支部": "综采一区党支部"}),
        (4, {"单位名称": "调度室", "类型": "部门", "专业": "调度", "所属党支部": "机关党支部"}),
    ]
    with pytest.raises(RosterRejected) as rejected:
        check_unit_rows(rows)
    assert [(p.row, p.column, p.code) for p in rejected.value.problems] == [
        (3, "单位名称", "repeated"),
        (4, "类型", "unknown_kind"),
        (4, "专业", "unknown_profession"),
    ]


def record(name: str = "王建华", staff_no: str | None = None) -> MemberRecord:
    return MemberRecord(2, name, "综采一区", "member", "", "", staff_no, "", None, "")


def test_a_row_is_matched_by_staff_number_then_by_name_within_the_unit() -> None:
    numbered = Known(1, "王建华", 7, "K1")
    by_staff = {"K1": numbered}
    assert match_member(record(staff_no="K1"), 9, by_staff, {}) == numbered  # moved to another unit
    plain = Known(2, "李明", 7, None)
    by_name = {(7, "李明"): [plain]}
    assert match_member(record("李明"), 7, {}, by_name) == plain
    assert match_member(record("李明", "K5"), 7, {}, by_name) == plain  # gets its 工号 now
    assert match_member(record("李明"), 8, {}, by_name) is None  # another unit's 李明 is someone else


def test_a_namesake_with_another_staff_number_is_another_person_and_two_namesakes_are_ambiguous() -> None:
    by_name = {(7, "张伟"): [Known(3, "张伟", 7, "K3")]}
    assert match_member(record("张伟", "K4"), 7, {}, by_name) is None
    twins = {(7, "张伟"): [Known(3, "张伟", 7, None), Known(4, "张伟", 7, None)]}
    with pytest.raises(FieldError):
        match_member(record("张伟"), 7, {}, twins)
    left = {(7, "张伟"): [Known(3, "张伟", 7, None, closed=True), Known(4, "张伟", 7, None)]}
    assert match_member(record("张伟"), 7, {}, left) == Known(4, "张伟", 7, None)

"""Reading deduction rules out of 评分办法 text, writing them back; the real-shape sheets built for tests."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from inspect_app.domain.deductions import Deduction, RuleKind, canonical, parse_rules, rules_text
from tests.real_sheets import (
    CHECK_NOTES,
    DEFECTS,
    DOCUMENTS,
    HEADERS,
    MAJOR,
    REQUIREMENTS,
    RULE_TEMPLATES,
    SECTION_NAMES,
    SERIOUS,
    real_sheet,
    to_csv_bytes,
    to_xlsx_bytes,
)

EACH, MISSING, WHOLE, VETO = RuleKind.EACH, RuleKind.MISSING, RuleKind.WHOLE, RuleKind.VETO


def kinds_amounts(text: str) -> list[tuple[RuleKind, D | None]]:
    return [(rule.kind, rule.amount) for rule in parse_rules(text)]


def round_trips(rules: list[Deduction]) -> bool:
    return parse_rules(rules_text(rules)) == rules


@pytest.mark.parametrize(
    ("text", "kind", "amount"),
    [
        ("每处扣0.5分", EACH, D("0.5")),
        ("一处不符合扣0.1分", EACH, D("0.1")),
        ("每次扣1分", EACH, D("1")),
        ("每人扣2分", EACH, D("2")),
        ("每条扣1分", EACH, D("1")),
        ("发现一处扣2分", EACH, D("2")),
        ("每项扣1分", EACH, D("1")),
        ("每台扣3分", EACH, D("3")),
        ("每个扣1分", EACH, D("1")),
        ("每块扣0.2分", EACH, D("0.2")),
        ("每米扣0.1分", EACH, D("0.1")),
        ("1处扣1分", EACH, D("1")),
        ("每发现一处通风设施不符合规定的扣2分", EACH, D("2")),
        ("不符合要求扣1分/处", EACH, D("1")),
        ("缺一项扣1分", MISSING, D("1")),
        ("每缺一项扣1分", MISSING, D("1")),
        ("少一项扣0.5分", MISSING, D("0.5")),
        ("缺1处扣1分", MISSING, D("1")),
        ("缺少一项扣2分", MISSING, D("2")),
        ("少一处扣0.5分", MISSING, D("0.5")),
        ("不得分", WHOLE, None),
        ("该项不得分", WHOLE, None),
        ("本项不得分", WHOLE, None),
        ("扣除该项全部分数", WHOLE, None),
        ("取消评审资格", VETO, None),
        ("取消本年度安全质量标准化评审资格", VETO, None),
        ("一票否决", VETO, None),
        ("实行一票否决", VETO, None),
    ],
)
def test_each_phrase_family_is_one_rule(text: str, kind: RuleKind, amount: D | None) -> None:
    assert parse_rules(text) == [Deduction(kind, amount, text)]


def test_several_rules_in_order_each_labelled_with_its_clause() -> None:
    text = "制度不健全，每缺一项扣1分；执行不到位，每处扣0.5分；未建立不得分；发生重大隐患取消评审资格"
    assert parse_rules(text) == [
        Deduction(MISSING, D("1"), "制度不健全，每缺一项扣1分"),
        Deduction(EACH, D("0.5"), "执行不到位，每处扣0.5分"),
        Deduction(WHOLE, None, "未建立不得分"),
        Deduction(VETO, None, "发生重大隐患取消评审资格"),
    ]


def test_two_rules_of_one_clause_share_its_label() -> None:
    label = "一处不合格扣0.5分，严重的不得分"
    assert parse_rules(f"{label}。") == [Deduction(EACH, D("0.5"), label), Deduction(WHOLE, None, label)]


def test_clauses_end_at_full_stops_semicolons_exclamations_and_line_breaks_not_commas() -> None:
    text = "甲，每处扣1分。乙, 每处扣2分;丙、每处扣3分！丁每处扣4分\r\n戊每处扣5分!己每处扣6分；"
    assert [r.label for r in parse_rules(text)] == [
        "甲，每处扣1分",
        "乙, 每处扣2分",
        "丙、每处扣3分",
        "丁每处扣4分",
        "戊每处扣5分",
        "己每处扣6分",
    ]


def test_labels_lose_outer_blanks_and_trailing_commas_only() -> None:
    assert [r.label for r in parse_rules("  ，每处扣1分，, 、\u3000；\t不得分 ")] == ["，每处扣1分", "不得分"]


def test_chinese_numerals_as_amounts() -> None:
    text = "每处扣一分；每处扣二分；每次扣两分；每人扣五分；每台扣十分；每条扣十五分；缺一项扣二十分"
    text += "；每项扣九十九分"
    assert [a for _, a in kinds_amounts(text)] == [D(n) for n in (1, 2, 2, 5, 10, 15, 20, 99)]


def test_full_width_digits_and_point_read_as_digits_but_the_label_keeps_them() -> None:
    assert parse_rules("一处不符合扣０．５分") == [Deduction(EACH, D("0.5"), "一处不符合扣０．５分")]
    assert kinds_amounts("缺１项扣１２分") == [(MISSING, D("12"))]


def test_amounts_lose_padding_zeros_and_may_have_blanks_around() -> None:
    assert kinds_amounts("每处扣0.50分；每处扣 2 分；每处扣02.25分") == [
        (EACH, D("0.5")),
        (EACH, D("2")),
        (EACH, D("2.25")),
    ]
    assert str(parse_rules("每处扣1.50分")[0].amount) == "1.5"


@pytest.mark.parametrize(
    "text",
    [
        "每处扣0.125分",  # more than 2 decimals
        "每处扣0分",
        "每处扣0.00分",
        "每处扣1.2.3分",
        "每处扣0.5～1分",  # a range is no one amount
        "扣分",
        "不合格扣分，扣完为止",
        "未建立扣5分",  # no count word: a fixed deduction, not per instance
        "第一项扣1分",
        "一次性扣5分",
        "每处扣12345分",
        "通风系统图与现场相符，按规定测风",
        "",
    ],
)
def test_no_rule_is_invented(text: str) -> None:
    assert parse_rules(text) == []


def test_a_phrase_that_is_no_rule_does_not_hide_the_next() -> None:
    assert kinds_amounts("每处扣0.125分，一处扣1分；每处扣0分，不得分") == [(EACH, D("1")), (WHOLE, None)]


def test_long_clause_label_is_cut_at_200_characters_but_its_rules_are_all_read() -> None:
    clause = "通风设施" * 60 + "，每处扣0.5分，严重的不得分"
    rules = parse_rules(f"{clause}。缺一项扣1分")
    assert [(r.kind, r.amount) for r in rules] == [(EACH, D("0.5")), (WHOLE, None), (MISSING, D("1"))]
    assert rules[0].label == rules[1].label == clause[:199] + "…"
    assert len(rules[0].label) == 200
    assert rules[2].label == "缺一项扣1分"
    assert round_trips(rules)


def test_a_clause_of_exactly_200_characters_is_not_cut() -> None:
    clause = "甲" * 194 + "每处扣1分"
    assert parse_rules(clause)[0].label == clause


@pytest.mark.parametrize(
    "phrase",
    ["每处扣0.5分", "一处风门未设闭锁装置扣2分", "每缺少一项扣 10.25 分", "不得分", "扣除该项全部分数"]
    + ["取消本年度标准化评审资格", "一票否决", "扣1分/处", "每处扣十五分", "缺１处扣１０分"],
)
def test_the_cut_never_splits_a_rule_phrase_and_still_round_trips(phrase: str) -> None:
    for offset in range(170, 205):
        for tail in ("", "，不得分", "，严重的每处扣3分" + "乙" * 30):
            clause = "甲" * offset + phrase + tail
            rules = parse_rules(clause)
            assert kinds_amounts(clause)[:1] == kinds_amounts(phrase)
            label = rules[0].label
            if len(clause) <= 200:
                assert label == clause
            else:
                kept = len(label) - 1
                assert label == clause[:kept] + "…"
                assert kept <= 199
                assert kept <= offset or kept >= offset + len(phrase)
            assert round_trips(rules), (offset, phrase, tail)


def test_canonical_phrases() -> None:
    assert canonical(EACH, D("0.5")) == "每处扣0.5分"
    assert canonical(EACH, D("2.50")) == "每处扣2.5分"
    assert canonical(EACH, D("10")) == "每处扣10分"
    assert canonical(MISSING, D("1.00")) == "缺一项扣1分"
    assert canonical(MISSING, D("2.25")) == "缺一项扣2.25分"
    assert canonical(WHOLE, None) == "不得分"
    assert canonical(VETO, None) == "取消评审资格"
    for kind, amount in [(EACH, None), (WHOLE, D(1)), (MISSING, D(0)), (EACH, D("0.125")), (EACH, D(-1))]:
        with pytest.raises(ValueError, match="does not fit"):
            canonical(kind, amount)


def test_a_deduction_refuses_an_amount_that_does_not_fit_its_kind() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        Deduction(VETO, D(1), "取消评审资格")
    with pytest.raises(ValueError, match="does not fit"):
        Deduction(EACH, None, "每处扣分")


def test_rules_text_joins_labels_writing_a_shared_label_once() -> None:
    rules = parse_rules("一处不合格扣0.5分，严重的不得分；每缺一项扣1分。")
    assert rules_text(rules) == "一处不合格扣0.5分，严重的不得分；每缺一项扣1分"
    assert round_trips(rules)


def test_rules_text_repeats_a_label_read_from_several_clauses() -> None:
    rules = parse_rules("不得分；不得分。每处扣1分")
    assert len(rules) == 3
    assert rules_text(rules) == "不得分；不得分；每处扣1分"
    assert round_trips(rules)


def test_rules_text_of_canonical_labels() -> None:
    rules = [Deduction(k, a, canonical(k, a)) for k, a in [(EACH, D("0.5")), (MISSING, D(1)), (VETO, None)]]
    assert rules_text(rules) == "每处扣0.5分；缺一项扣1分；取消评审资格"
    assert round_trips(rules)


def test_rules_whose_labels_do_not_hold_them_keep_kinds_and_amounts() -> None:
    rules = [Deduction(EACH, D("3"), "每处扣1分"), Deduction(VETO, None, "与规则无关的说明")]
    assert kinds_amounts(rules_text(rules)) == [(EACH, D("3")), (VETO, None)]


# --- properties -------------------------------------------------------------------------------------------

AMOUNTS = st.decimals(min_value=D("0.01"), max_value=D("9999.99"), places=2)
SMALL_AMOUNTS = st.decimals(min_value=D("0.01"), max_value=D("99.99"), places=2)
#: every character a rule phrase is made of (counts, units, numerals, 扣分, 不得分, 取消评审资格, 一票否决 …)
RULE_CHARS = set("每缺少失一二两三四五六七八九十1扣分取消评审资格不得票否决该本此全部除第性")
RULE_CHARS |= set("处项次条人台个块米件份名道组根部种张起点套架眼孔")
#: filler text: mine words without any character of a rule phrase
FILLER = "".join(
    sorted(
        set("矿井通风系统图局机实行挂牌管理门设置闭锁装瓦斯抽采监控防尘灭火爆破基础安质量标准化") - RULE_CHARS
    )
    + sorted(set("检查现场资料记录制度健执到位要求合规定的和及与班长密闭墙体漏隐患整改") - RULE_CHARS)
)
CLAUSE_ENDS = ["。", "；", ";", "！", "\n", "，", "、", " ", ""]
CHINESE = {D(1): "一", D(2): "两", D(3): "三", D(10): "十", D(15): "十五", D(20): "二十"}
FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
EACH_COUNTS = ["每处", "每项", "每次", "每条", "每人", "每台", "每个", "每块", "每米", "每一处", "一处"]
EACH_COUNTS += ["1处", "发现一处", "每发现一处", "一处不符合", "一处不合格"]
MISSING_COUNTS = ["缺一项", "每缺一项", "少一项", "缺少一项", "缺1处", "少一处", "每缺少一项"]
WHOLE_PHRASES = ["不得分", "该项不得分", "本项不得分", "扣除该项全部分数", "扣除本项全部分数"]
NOT_RULES = ["每处扣0.125分", "每处扣0分", "扣分", "扣完为止", "扣0.5分"]


@st.composite
def canonical_rules(draw: st.DrawFn) -> Deduction:
    kind = draw(st.sampled_from(list(RuleKind)))
    amount = draw(AMOUNTS) if kind in (EACH, MISSING) else None
    return Deduction(kind, amount, canonical(kind, amount))


@st.composite
def amount_texts(draw: st.DrawFn) -> tuple[D, str]:
    amount = draw(st.sampled_from(sorted(CHINESE)) | SMALL_AMOUNTS)
    forms = [f"{amount:f}", f"{amount:.2f}", f"{amount:.2f}".translate(FULL_WIDTH)]
    return amount, draw(st.sampled_from(forms + [CHINESE[amount]] if amount in CHINESE else forms))


@st.composite
def rule_phrases(draw: st.DrawFn) -> tuple[str, tuple[RuleKind, D | None] | None]:
    """A rule phrase as sheets write it and the rule it holds (None for a phrase that holds none)."""
    kind = draw(st.sampled_from([*RuleKind, None]))
    if kind is None:
        return draw(st.sampled_from(NOT_RULES)), None
    if kind is WHOLE:
        return draw(st.sampled_from(WHOLE_PHRASES)), (WHOLE, None)
    if kind is VETO:
        between = draw(st.sampled_from(["", "其", "本年度", "本年度安全质量标准化"]))
        return draw(st.sampled_from([f"取消{between}评审资格", "一票否决", "实行一票否决"])), (VETO, None)
    amount, text = draw(amount_texts())
    count = draw(st.sampled_from(EACH_COUNTS if kind is EACH else MISSING_COUNTS))
    gap = draw(st.text(FILLER, max_size=8))
    return f"{count}{gap}扣{text}分", (kind, amount)


FILLERS = st.text(FILLER, max_size=20) | st.text(FILLER, min_size=150, max_size=260)
PIECES = st.lists(st.tuples(FILLERS, rule_phrases(), st.sampled_from(CLAUSE_ENDS)), max_size=8)
#: filler, (phrase, the rule it holds), clause end or comma
Piece = tuple[str, tuple[str, tuple[RuleKind, D | None] | None], str]


def joined(pieces: list[Piece]) -> str:
    return "".join(f"{filler}{phrase}{end}" for filler, (phrase, _), end in pieces)


@settings(max_examples=300, deadline=None)
@given(st.lists(canonical_rules(), max_size=12))
def test_canonically_labelled_rules_round_trip(rules: list[Deduction]) -> None:
    assert parse_rules(rules_text(rules)) == rules


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PIECES)
def test_text_of_random_clauses_reads_back_through_rules_text(pieces: list[Piece]) -> None:
    rules = parse_rules(joined(pieces))
    assert parse_rules(rules_text(rules)) == rules
    assert all(len(r.label) <= 200 and r.label == r.label.strip() for r in rules)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PIECES)
def test_every_phrase_written_is_read_and_nothing_else(pieces: list[Piece]) -> None:
    expected = [rule for _, (_, rule), _ in pieces if rule is not None]
    assert kinds_amounts(joined(pieces)) == expected


@settings(deadline=None)
@given(st.text(max_size=300))
def test_any_text_reads_back_through_rules_text(text: str) -> None:
    rules = parse_rules(text)
    assert parse_rules(rules_text(rules)) == rules


# --- real-shape sheets ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_real_sheet_has_the_real_shape_and_every_row_has_rules(seed: int) -> None:
    rows = real_sheet(seed=seed)
    assert len(rows) == 129
    assert all(tuple(row) == HEADERS for row in rows)
    sections = Counter(row["类别"] for row in rows)
    assert list(sections) == list(SECTION_NAMES[:11])
    assert min(sections.values()) >= 2
    totals: dict[str, D] = {}
    for row in rows:
        totals[row["类别"]] = totals.get(row["类别"], D(0)) + D(row["标准分"])
    assert set(totals.values()) == {D(100)}
    assert sum(D(row["标准分"]) for row in rows) == D(1100)
    assert any(D(row["标准分"]) % 1 == D("0.5") for row in rows)
    rules = [parse_rules(row["评分办法"]) for row in rows]
    assert all(rules)
    assert sum(len(r) >= 2 for r in rules) * 3 >= len(rows)
    assert all(1 <= len(r) <= 4 for r in rules)
    assert any(
        rule.amount and rule.amount > D(row["标准分"])
        for row, r in zip(rows, rules, strict=True)
        for rule in r
    )
    vetoes = [r for row, r in zip(rows, rules, strict=True) if row["标准分"] == "0"]
    assert vetoes
    assert all([rule.kind for rule in r] == [VETO] for r in vetoes)
    assert all(row["评分办法"].endswith("取消评审资格。") for row in rows if row["标准分"] == "0")
    long = [row for row in rows if len(row["评分办法"]) >= 1700]
    assert len(long) == 3
    assert all(len(row["项目"]) >= 1700 for row in long)
    assert all(20 <= len(row["项目"]) <= 200 for row in rows if row not in long)
    assert all(row["检查方法"] in ("查现场", "查资料", "查现场和资料", "现场询问") for row in rows)
    numbers = [row["序号"] for row in rows]
    assert numbers[:2] == ["1.1", "1.2"]
    assert len(set(numbers)) == len(rows)
    assert all(re.fullmatch(rf"{list(sections).index(row['类别']) + 1}\.\d+", row["序号"]) for row in rows)
    assert all(parse_rules(rules_text(r)) == r for r in rules)


def test_real_sheet_is_deterministic_by_seed_and_takes_other_sizes() -> None:
    assert real_sheet(seed=7) == real_sheet(seed=7) != real_sheet(seed=8)
    rows = real_sheet(sections=18, items=40, section_points=50, seed=4, long_texts=0)
    sections = Counter(row["类别"] for row in rows)
    assert len(rows) == 40
    assert len(sections) == 18
    assert min(sections.values()) == 2
    assert list(sections)[16:] == ["专项管理17", "专项管理18"]
    assert sum(D(row["标准分"]) for row in rows) == D(900)
    assert max(len(row["评分办法"]) for row in rows) < 1700
    with pytest.raises(ValueError, match="at least 2"):
        real_sheet(sections=5, items=9)


def test_sheet_vocabulary_holds_no_rule_and_each_template_exactly_one() -> None:
    assert all(parse_rules(text) == [] for text in REQUIREMENTS + CHECK_NOTES + DEFECTS + SERIOUS + MAJOR)
    for kind, templates in RULE_TEMPLATES.items():
        for template in templates:
            for defect, docs, serious, major in zip(
                DEFECTS, DOCUMENTS * 2, SERIOUS * 2, MAJOR * 2, strict=False
            ):
                text = template.format(a="0.5", defect=defect, docs=docs, serious=serious, major=major)
                assert [r.kind.value for r in parse_rules(text)] == [kind], text


def test_sheet_as_xlsx_with_and_without_merged_categories() -> None:
    rows = real_sheet(sections=3, items=8, seed=2, long_texts=1)
    plain = load_workbook(io.BytesIO(to_xlsx_bytes(rows))).active
    merged = load_workbook(io.BytesIO(to_xlsx_bytes(rows, merged_categories=True))).active
    assert plain is not None
    assert merged is not None
    assert [c.value for c in plain[1]] == list(HEADERS)
    assert [c.value for c in plain["A"][1:]] == [row["类别"] for row in rows]
    assert [str(c.value) for c in plain["B"][1:]] == [row["序号"] for row in rows]
    assert [D(str(c.value)) for c in plain["D"][1:]] == [D(row["标准分"]) for row in rows]
    assert [c.value for c in plain["F"][1:]] == [row["评分办法"] for row in rows]
    firsts = [i for i, row in enumerate(rows) if i == 0 or rows[i - 1]["类别"] != row["类别"]]
    assert [c.value for c in merged["A"][1:]] == [
        row["类别"] if i in firsts else None for i, row in enumerate(rows)
    ]
    spans = sorted((r.min_row, r.max_row) for r in merged.merged_cells.ranges)
    assert spans == [(i + 2, j + 1) for i, j in zip(firsts, [*firsts[1:], len(rows)], strict=True)]


def test_sheet_as_csv_has_a_bom_and_reads_back() -> None:
    rows = real_sheet(sections=2, items=5, seed=3, long_texts=1)
    data = to_csv_bytes(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    assert list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))) == rows

"""Score sheets of the real shape (安全质量标准化 一通三防/采煤 sheets), deterministic by seed, for tests.

A sheet is rows of text keyed by ``HEADERS``: sections (类别) of items numbered "1.1", "1.2", "2.1"…, each
section's 标准分 summing to ``section_points`` (whole and .5 values, and a few 0-point pure veto items), and
评分办法 written as natural clauses holding 1 to 4 deduction rules (每处扣X分, 缺一项扣X分, 不得分,
取消评审资格).
``to_xlsx_bytes`` and ``to_csv_bytes`` write them as files the way mines exchange them.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Mapping, Sequence
from decimal import Decimal

from openpyxl import Workbook

HEADERS = ("类别", "序号", "项目", "标准分", "检查方法", "评分办法")
CATEGORY, NUMBER, REQUIREMENT, POINTS, METHOD, SCORING = HEADERS

SECTION_NAMES = (
    "通风系统",
    "局部通风",
    "通风设施",
    "瓦斯管理",
    "突出防治",
    "瓦斯抽采",
    "安全监控",
    "防尘",
    "防灭火",
    "爆破管理",
    "基础管理",
    "采煤工艺",
    "顶板管理",
    "机电管理",
    "运输管理",
    "职业卫生",
)
METHODS = ("查现场", "查资料", "查现场和资料", "现场询问")

#: 项目 phrases; none holds a rule phrase
REQUIREMENTS = (
    "矿井有完整的通风系统图",
    "局部通风机实行挂牌管理",
    "风门设置闭锁装置",
    "矿井通风系统合理可靠，通风能力满足生产需要",
    "采掘工作面实行独立通风",
    "主要通风机装有反风设施，按规定进行反风演习",
    "局部通风机安设在进风巷道中",
    "风筒吊挂平直，逢环必挂，无破损漏风",
    "掘进工作面风筒出口距迎头距离符合作业规程规定",
    "永久密闭墙体严密，设有观测孔和措施管",
    "测风站设置符合规定，定期测风并填写记录牌板",
    "瓦斯检查员持证上岗，按规定检查瓦斯并填写记录",
    "瓦斯检查做到井下记录牌板、检查手册和台账三对口",
    "突出矿井编制区域和局部综合防突措施",
    "抽采管路系统定期巡检，抽采参数按规定计量",
    "安全监控系统传感器按规定设置并定期调校",
    "监控中心值班人员持证上岗，填写运行日志",
    "防尘供水管路敷设到所有产尘地点",
    "采掘工作面按规定使用内外喷雾",
    "定期冲洗巷道，巷道内无超过规定厚度的积尘",
    "隔爆设施安装位置和水量符合规定",
    "井下爆破使用煤矿许用炸药和煤矿许用电雷管",
    "爆破作业执行一炮三检和三人连锁爆破制度",
    "防灭火系统完善，采空区按规定注浆或注氮",
    "自然发火监测系统运行正常，定期取样分析",
    "建立健全通风管理制度和岗位责任制",
    "编制年度通风设计和季度风量计划",
    "通风设施构筑质量符合标准，风门能自动关闭",
    "停风区域设置栅栏和警标，禁止人员入内",
    "盲巷及时封闭，密闭前设置栅栏",
    "揭煤作业编制专项设计并按规定验收",
    "抽采钻孔施工参数与设计一致，按规定封孔",
    "甲烷传感器报警、断电、复电浓度符合规定",
    "监控系统具备断电和馈电状态监测功能",
    "粉尘浓度定期检测，检测结果公示",
    "井下消防材料库储存的材料、工具品种和数量符合规定",
    "爆炸物品领退制度健全，账物相符",
    "技术管理人员配备齐全，定期开展业务培训",
    "事故隐患排查治理台账完整，整改闭环管理",
)
#: clauses of a long 评分办法 that say how to check, not what to deduct; none holds a rule phrase
CHECK_NOTES = (
    "查阅近三个月的测风记录和通风报表",
    "现场抽查局部通风机运行及挂牌情况",
    "核对通风系统图与井下实际是否相符",
    "询问瓦斯检查员对瓦斯检查制度的掌握情况",
    "查看风门闭锁装置和反向风门设置情况",
    "抽查安全监控传感器的调校记录",
    "检查防尘管路阀门及喷雾装置的完好情况",
    "查阅抽采参数台账和抽采达标评判报告",
    "检查爆破作业说明书与现场是否相符",
    "对照作业规程核查现场支护情况",
    "查看隐患排查治理台账及整改销号记录",
    "查验特种作业人员持证情况",
)
#: what is wrong (at most 12 characters: 发现一处{defect}扣X分 must stay one phrase)
DEFECTS = (
    "风筒吊挂不平直",
    "风门未设闭锁装置",
    "密闭墙体漏风",
    "传感器设置位置不符合规定",
    "记录填写不规范",
    "设施构筑质量不合格",
    "巷道积尘超过规定",
    "喷雾装置不能正常使用",
    "牌板内容与实际不符",
    "管路阀门漏水",
)
DOCUMENTS = ("管理制度", "岗位责任制", "技术资料", "图纸台账", "检查记录", "应急预案")
SERIOUS = ("未编制专项设计", "未建立管理制度", "系统不能正常运行", "存在严重漏风", "未按规定进行反风演习")
MAJOR = (
    "存在重大事故隐患仍组织生产",
    "瓦斯超限仍继续作业",
    "隐瞒作业地点",
    "擅自停开主要通风机",
    "监控数据造假",
)
#: one rule each, by kind ({a}: the amount; {defect}, {docs}, {serious}, {major}: the pools above)
RULE_TEMPLATES: Mapping[str, tuple[str, ...]] = {
    "each": (
        "{defect}，每处扣{a}分",
        "{defect}，一处不符合扣{a}分",
        "发现一处{defect}扣{a}分",
        "{defect}，每次扣{a}分",
        "作业人员不熟悉规定，每人扣{a}分",
        "{docs}内容不完善，每条扣{a}分",
        "{defect}，一处不合格扣{a}分",
    ),
    "missing": (
        "{docs}不健全，缺一项扣{a}分",
        "{docs}不齐全，每缺一项扣{a}分",
        "{docs}不全，少一项扣{a}分",
        "{docs}缺1处扣{a}分",
    ),
    "whole": ("{serious}不得分", "{serious}的，该项不得分", "{serious}的，扣除该项全部分数"),
    "veto": ("{major}的，取消评审资格", "{major}的，实行一票否决", "{major}，取消本年度评审资格"),
}
PURE_VETO = "{major}的，取消评审资格"
AMOUNTS = tuple(Decimal(a) for a in ("0.1", "0.2", "0.5", "1", "1.5", "2", "3", "5"))
CHINESE = {1: "一", 2: "两", 3: "三", 5: "五", 10: "十"}
LONG_TEXT = 1800
HALF = Decimal("0.5")


def real_sheet(
    *, sections: int = 11, items: int = 129, section_points: int = 100, seed: int = 1, long_texts: int = 3
) -> list[dict[str, str]]:
    """``items`` rows over ``sections`` sections (each at least 2 items and ``section_points`` points)."""
    if sections < 1 or items < 2 * sections:
        raise ValueError("every section needs at least 2 items")
    rng = random.Random(seed)
    counts = [2] * sections
    for _ in range(items - 2 * sections):
        counts[rng.randrange(sections)] += 1
    eligible = [s for s, n in enumerate(counts) if n >= 3]
    vetoed = set(rng.sample(eligible, min(len(eligible), max(1, sections // 3))))
    sheet: list[tuple[str, Decimal]] = []
    for s, n in enumerate(counts):
        name = SECTION_NAMES[s] if s < len(SECTION_NAMES) else f"专项管理{s + 1}"
        sheet += [(name, p) for p in _section_points(rng, n, section_points, s in vetoed)]
    scored = [i for i, (_, points) in enumerate(sheet) if points]
    if long_texts > len(scored):
        raise ValueError("more long texts than scored items")
    long = set(rng.sample(scored, long_texts))
    rows: list[dict[str, str]] = []
    numbers: dict[str, int] = {}
    for i, (name, points) in enumerate(sheet):
        numbers[name] = numbers.get(name, 0) + 1
        number = f"{list(numbers).index(name) + 1}.{numbers[name]}"
        scoring = _scoring(rng, points, i in long)
        requirement = _requirement(rng, LONG_TEXT if i in long else rng.choice((20, 40, 60, 90, 140, 190)))
        cells = (name, number, requirement, _plain(points), rng.choice(METHODS), scoring)
        rows.append(dict(zip(HEADERS, cells, strict=True)))
    return rows


def _section_points(rng: random.Random, n: int, total: int, veto: bool) -> list[Decimal]:
    """``n`` items' points summing to ``total``: whole numbers, a few .5 pairs, maybe a 0-point veto item."""
    scored = n - 1 if veto else n
    if scored > total:
        raise ValueError("more items than points in a section")
    cuts = sorted(rng.sample(range(1, total), scored - 1))
    parts = [Decimal(b - a) for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    order = rng.sample(range(scored), scored)
    for i, j in list(zip(order[0::2], order[1::2], strict=False))[: max(1, scored // 4)]:
        if parts[i] > 1:
            parts[i], parts[j] = parts[i] - HALF, parts[j] + HALF
    if veto:
        parts.insert(rng.randrange(scored + 1), Decimal(0))
    return parts


def _requirement(rng: random.Random, target: int) -> str:
    """Requirement phrases joined until ``target`` characters, never over 200 unless ``target`` is."""
    text = rng.choice(REQUIREMENTS)
    while len(text) < target:
        more = f"{text}{rng.choice('，；')}{rng.choice(REQUIREMENTS)}"
        if len(more) >= max(target, 200):
            break
        text = more
    return text + "。"


def _scoring(rng: random.Random, points: Decimal, long: bool) -> str:
    """评分办法: 1 to 4 rules in natural clauses (a pure veto line for 0 points), padded with check notes."""
    if not points:
        return _fill(rng, PURE_VETO, Decimal(0)) + "。"
    count = rng.choices((1, 2, 3, 4), weights=(4, 3, 2, 1))[0]
    kinds = [rng.choices(("each", "missing"), weights=(7, 3))[0]]
    for _ in range(count - 1):
        kinds.append(rng.choices(("each", "missing", "whole", "veto"), weights=(5, 3, 2, 1))[0])
    kinds = _tidy(kinds)
    clauses = [_fill(rng, rng.choice(RULE_TEMPLATES[kind]), points) for kind in kinds]
    if not long:
        text = clauses[0]
        for clause in clauses[1:]:
            text += rng.choice("；；，") + clause
        return text + "。"
    notes: list[str] = []
    while sum(len(n) + 1 for n in notes + clauses) < LONG_TEXT:
        notes.append(rng.choice(CHECK_NOTES))
    for clause in clauses:
        notes.insert(rng.randrange(len(notes) + 1), clause)
    return "".join(note + rng.choice("；。") for note in notes)


def _tidy(kinds: list[str]) -> list[str]:
    """At most one 不得分 and one veto per item, and those last, as sheets write them."""
    per_instance = [k for k in kinds if k in ("each", "missing")]
    return per_instance + [k for k in ("whole", "veto") if k in kinds]


def _fill(rng: random.Random, template: str, points: Decimal) -> str:
    return template.format(
        a=_amount(rng, points),
        defect=rng.choice(DEFECTS),
        docs=rng.choice(DOCUMENTS),
        serious=rng.choice(SERIOUS),
        major=rng.choice(MAJOR),
    )


def _amount(rng: random.Random, points: Decimal) -> str:
    """A per-instance amount, mostly within the item's points, sometimes above them; now and then in words."""
    fitting = [a for a in AMOUNTS if a <= points] or [AMOUNTS[0]]
    amount = rng.choice(fitting) if rng.random() > 0.15 else points + rng.choice((1, 2, 5))
    if amount == amount.to_integral_value() and int(amount) in CHINESE and rng.random() < 0.2:
        return CHINESE[int(amount)]
    return _plain(amount)


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _runs(values: Sequence[str]) -> list[tuple[int, int]]:
    """(first, last) indexes of each run of equal values."""
    runs: list[tuple[int, int]] = []
    for i, value in enumerate(values):
        if runs and values[runs[-1][0]] == value:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _cell(header: str, value: str) -> str | int | float:
    """标准分 as the number a spreadsheet holds; everything else as text (序号 "1.10" must not become 1.1)."""
    if header != POINTS:
        return value
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def to_xlsx_bytes(rows: Sequence[Mapping[str, str]], merged_categories: bool = False) -> bytes:
    """A workbook: the header row, then the rows; with ``merged_categories`` 类别 is written on a section's
    first row only and merged down over the section, as real sheets are."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "评分表"
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append([_cell(h, row[h]) for h in HEADERS])
    if merged_categories:
        for first, last in _runs([row[CATEGORY] for row in rows]):
            for i in range(first + 1, last + 1):
                sheet.cell(row=i + 2, column=1).value = None
            if last > first:
                sheet.merge_cells(start_row=first + 2, start_column=1, end_row=last + 2, end_column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_csv_bytes(rows: Sequence[Mapping[str, str]]) -> bytes:
    """CSV in UTF-8 with a BOM (as Excel writes it): the header row, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows([row[h] for h in HEADERS] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")

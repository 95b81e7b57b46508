"""Standards as files: XLSX and CSV with the real score sheets' headers (类别, 序号, 项目, 标准分, 检查方法,
评分办法, 扣分规则); the older simple template (类别, 条款, 分值, 每处扣分, 扣分标准, 一票否决) is read too.

Reading (``inspect_app.tables_in``, shared with the roster imports) gives numbered rows of text for
``domain.standards.check_items``; nothing is stored here. Exporting writes every item with its rules: 扣分规则
stays empty where 评分办法 already reads as the item's rules, so a file exported and imported again gives
the same standard. A standard of 300 items with long texts is a few hundred KB, so a file above 4 MB is
refused unread.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Protocol

from inspect_app import tables
from inspect_app.domain.deductions import Deduction, parse_rules, rules_text
from inspect_app.domain.scoring import points_text
from inspect_app.domain.standards import (
    ALIASES,
    HEADERS,
    MAX_ROWS,
    READ_HEADERS,
    check_items,
    missing_headers,
)
from inspect_app.tables_in import FileRefused, Layout, Rows
from inspect_app.tables_in import read_upload as read_table

__all__ = ["FileRefused", "read_upload", "to_csv", "to_xlsx"]

LAYOUT = Layout(READ_HEADERS, HEADERS, MAX_ROWS, 4 * 1024 * 1024, ALIASES, missing=missing_headers)


def read_upload(filename: str, data: bytes) -> Rows:
    """Rows of an uploaded standard (``.xlsx`` or ``.csv``), numbered as a spreadsheet shows them."""
    return read_table(filename, data, LAYOUT)


class ItemLike(Protocol):
    @property
    def category(self) -> str: ...
    @property
    def clause(self) -> str: ...
    @property
    def requirement(self) -> str: ...
    @property
    def max_points(self) -> Decimal: ...
    @property
    def method(self) -> str: ...
    @property
    def scoring(self) -> str: ...
    @property
    def deductions(self) -> Sequence[Deduction]: ...


def rules_cell(scoring: str, rules: Sequence[Deduction]) -> str:
    """扣分规则 as exported: empty when 评分办法 reads as exactly these rules, else the rules in words."""
    return "" if tuple(parse_rules(scoring)) == tuple(rules) else rules_text(rules)


def item_rows(items: Iterable[ItemLike]) -> list[list[str]]:
    """Items as rows of text in ``HEADERS`` order (files, and the edit form)."""
    return [
        [
            i.category,
            i.clause,
            i.requirement,
            points_text(i.max_points),
            i.method,
            i.scoring,
            rules_cell(i.scoring, i.deductions),
        ]
        for i in items
    ]


def to_csv(items: Iterable[ItemLike]) -> bytes:
    """UTF-8 with a BOM, so Excel shows the Chinese text correctly."""
    return tables.to_csv(HEADERS, item_rows(items))


def to_xlsx(items: Iterable[ItemLike], title: str) -> bytes:
    rows = ([Decimal(v) if i == 3 else v for i, v in enumerate(line)] for line in item_rows(items))
    return tables.to_xlsx(title or "标准", HEADERS, rows, (14, 7, 50, 8, 12, 50, 24))


#: the downloadable template: two sections, a whole-item rule, rules per instance and per missing element,
#: a veto inside an item with points and a pure veto line of 0 points
_TEMPLATE_ROWS: tuple[tuple[str, ...], ...] = (
    ("通风系统", "1.1", "矿井有完整独立的通风系统，通风系统图与实际相符", "10", "查现场和资料",
     "无通风系统图不得分；图纸与实际不符，每处扣2分", ""),
    ("", "1.2", "局部通风机实行挂牌管理，专人负责，有运行记录", "5", "查现场",
     "未挂牌每处扣1分；运行记录缺一项扣0.5分", ""),
    ("现场管理", "2.1", "作业前进行安全确认，执行敲帮问顶制度", "10", "现场询问",
     "一处不符合扣0.5分；发现空顶作业取消评审资格", ""),
    ("", "2.2", "", "0", "查资料", "发生较大及以上事故取消评审资格", ""),
)  # fmt: skip
TEMPLATE = check_items([(n, dict(zip(HEADERS, row, strict=True))) for n, row in enumerate(_TEMPLATE_ROWS, 2)])

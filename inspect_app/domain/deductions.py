"""Deduction rules read out of a score sheet's 评分办法 text: 每处扣0.5分, 缺一项扣1分, 不得分, 取消评审资格.

Rules implemented here:
* the text is cut into clauses on 。；;！ and line breaks, never on commas; each rule is labelled with
  its clause, trimmed, as written (matching is done on the NFKC form, so ０-９ and ． read as digits);
* a count word before 扣X分 (每处, 一处, 发现一处, 1处 …) makes a per-instance rule (EACH), and 缺/少 before
  the count word a per-missing-element one (MISSING); 扣X分/处 is EACH too;
* 不得分 or 扣除该项全部分数 loses the whole item (WHOLE); 取消…评审资格 or 一票否决 zeroes the sheet (VETO);
* an amount is above 0 with at most 2 decimals, in digits or 一 … 九十九; any other phrase is no rule.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from itertools import groupby

#: a label is at most this long; a longer clause is cut and ends with ELLIPSIS
LABEL_MAX = 200
ELLIPSIS = "…"
_CUT = LABEL_MAX - 1
_AMOUNT_MAX = Decimal(10000)  # amounts are stored as Numeric(6, 2)

#: clause ends once NFKC has made 。；！ into 。;! — and line breaks of every kind
_ENDS = frozenset("。;!\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
#: blanks and the commas a clause may trail
_TRAILING = re.compile(r"[\s，,、]+$")
_UNITS = "处项次条人台个块米件份名道组根部种本张起点套架眼孔"
_LACK = "缺少|缺失|缺|少"
#: 每处, 每一处, 每缺一项, 缺1处, 少一项, 一处 — but not 第一项, 11处 or 一次性
_COUNT = rf"(?:每(?P<lack1>{_LACK})?[一1]?|(?P<lack2>{_LACK})[一1]?|(?<![0-9.第])[一1])[{_UNITS}](?!性)"
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
#: gap allowed between a count word and its 扣, and between 取消 and 评审资格 (no comma, no other 扣)
_COUNT_GAP, _VETO_GAP = 15, 20


def _amount(group: str) -> str:
    """扣 amount 分, the amount in group ``group``: 1-4 digits, up to 2 decimals, not zero; or 一 … 九十九."""
    return (
        rf"扣 ?(?!0*(?:\.0*)? ?分)(?P<{group}>[0-9]{{1,4}}(?:\.[0-9]{{1,2}})?"
        rf"|[一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九]) ?分"
    )


#: every rule phrase; each match is exactly one rule, whichever alternative it is
_RULE = re.compile(
    rf"(?P<count>{_COUNT})[^,、扣]{{0,{_COUNT_GAP}}}?{_amount('amount')}"
    rf"|{_amount('per_unit')}/[{_UNITS}]"
    rf"|(?P<veto>取消[^,、扣]{{0,{_VETO_GAP}}}?评审资格|一票否决)"
    r"|(?P<whole>不得分|扣除?(?:[该本此]项目?)?全部(?:分数|分值|得分|分)|[该本此]项目?(?:分数|分值|得分)?全部扣除)"
)
#: neutral text for the gaps of the longest phrases (see ``_spanning``)
_FILL = "未按规定要求执行到位的情形及其他有关情况说明"


class RuleKind(StrEnum):
    EACH = "each"  # per instance: 每处扣0.5分, 一处不符合扣0.1分, 发现一处扣2分
    MISSING = "missing"  # per missing element: 缺一项扣1分, 每缺一项扣1分, 少一项扣0.5分
    WHOLE = "whole"  # the whole item is lost: 不得分, 扣除该项全部分数
    VETO = "veto"  # the whole sheet is 0: 取消评审资格, 一票否决


_PER_AMOUNT = (RuleKind.EACH, RuleKind.MISSING)


@dataclass(frozen=True)
class Deduction:
    """One rule read from ``label``, its clause; ``amount`` (> 0, < 10000, 2 decimals at most) for EACH and
    MISSING only, None for WHOLE and VETO."""

    kind: RuleKind
    amount: Decimal | None
    label: str

    def __post_init__(self) -> None:
        if not _amount_fits(self.kind, self.amount):
            raise ValueError(f"amount {self.amount} does not fit a {self.kind} rule")


def _amount_fits(kind: RuleKind, amount: Decimal | None) -> bool:
    if kind not in _PER_AMOUNT or amount is None:
        return (kind in _PER_AMOUNT) == (amount is not None)
    return amount.is_finite() and 0 < amount < _AMOUNT_MAX and (amount * 100) % 1 == 0


def canonical(kind: RuleKind, amount: Decimal | None) -> str:
    """The short phrase for one rule: 每处扣0.5分, 缺一项扣1分, 不得分, 取消评审资格."""
    if not _amount_fits(kind, amount):
        raise ValueError(f"amount {amount} does not fit a {kind} rule")
    if kind is RuleKind.WHOLE:
        return "不得分"
    if kind is RuleKind.VETO:
        return "取消评审资格"
    assert amount is not None
    return f"{'每处' if kind is RuleKind.EACH else '缺一项'}扣{_plain(amount)}分"


def parse_rules(text: str) -> list[Deduction]:
    """Every rule in the text, in order; the rules of one clause share its label; no rule phrase gives []."""
    return [rule for clause in _clauses(text) for rule in _clause_rules(clause)]


def rules_text(rules: Sequence[Deduction]) -> str:
    """Text that ``parse_rules`` reads back to ``rules``: labels joined by "；", a run sharing a label once.

    A run is written as often as it holds its label's clause (不得分；不得分). Rules whose labels do not hold
    them (neither read by ``parse_rules`` nor labelled with ``canonical``) come back with canonical labels.
    """
    return "；".join(_run_text(label, list(run)) for label, run in groupby(rules, key=lambda r: r.label))


@lru_cache(maxsize=4096)
def _nfkc(char: str) -> str:
    return unicodedata.normalize("NFKC", char)


def _clauses(text: str) -> list[str]:
    """The text cut at each character whose NFKC form holds a clause end; trimmed; empty clauses dropped."""
    clauses: list[str] = []
    start = 0
    for i, char in enumerate(text):
        if not _ENDS.isdisjoint(_nfkc(char)):
            clauses.append(text[start:i])
            start = i + 1
    clauses.append(text[start:])
    return [clause for clause in map(_trim, clauses) if clause]


def _trim(clause: str) -> str:
    """Leading blanks off, trailing blanks and commas (，,、) off."""
    return _TRAILING.sub("", clause.lstrip())


def _found(clause: str) -> list[tuple[RuleKind, Decimal | None, int, int]]:
    """Each rule phrase of one clause: its kind, its amount, and its span in the clause as written."""
    parts = [_nfkc(char) for char in clause]
    where = [i for i, part in enumerate(parts) for _ in part]  # index in ``clause`` of each NFKC character
    found: list[tuple[RuleKind, Decimal | None, int, int]] = []
    for match in _RULE.finditer("".join(parts)):
        kind, amount = _kind_amount(match)
        found.append((kind, amount, where[match.start()], where[match.end() - 1] + 1))
    return found


def _kind_amount(match: re.Match[str]) -> tuple[RuleKind, Decimal | None]:
    if match["veto"]:
        return RuleKind.VETO, None
    if match["whole"]:
        return RuleKind.WHOLE, None
    if match["count"]:
        lacks = match["lack1"] or match["lack2"]
        return (RuleKind.MISSING if lacks else RuleKind.EACH), _number(match["amount"])
    return RuleKind.EACH, _number(match["per_unit"])


def _plain(value: Decimal) -> str:
    """An amount without padding zeros: 5, 0.5, 1.25 (as ``scoring.points_text``; scoring imports us)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(text: str) -> Decimal:
    """An amount as matched, without padding zeros: 002.50 → 2.5, 两 → 2, 十五 → 15, 二十 → 20."""
    if text[0].isascii():
        return Decimal(_plain(Decimal(text)))
    if "十" not in text:
        return Decimal(_CN_DIGITS[text])
    tens, _, ones = text.partition("十")
    return Decimal(_CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0))


def _clause_rules(clause: str) -> list[Deduction]:
    found = _found(clause)
    label = _label(clause, [(start, end) for _, _, start, end in found])
    return [Deduction(kind, amount, label) for kind, amount, _, _ in found]


def _label(clause: str, spans: Sequence[tuple[int, int]]) -> str:
    """The clause, or if longer than LABEL_MAX its first 199 characters and "…" — cut earlier, at the start
    of a rule phrase the cut would split, so that a label never holds half a rule."""
    if len(clause) <= LABEL_MAX:
        return clause
    cut = next((start for start, end in spans if start < _CUT < end), _CUT)
    return clause[:cut] + ELLIPSIS


def _run_text(label: str, run: list[Deduction]) -> str:
    """A run of rules sharing a label: the label (once per clause it holds), else a clause that is cut back to
    the label, else the canonical phrases."""
    own = parse_rules(label)
    if own and len(run) % len(own) == 0 and own * (len(run) // len(own)) == run:
        return "；".join([label] * (len(run) // len(own)))
    if label.endswith(ELLIPSIS):
        text = _uncut(label[: -len(ELLIPSIS)], run)
        if text is not None and parse_rules(text) == run:
            return text
    return "；".join(canonical(rule.kind, rule.amount) for rule in run)


def _uncut(prefix: str, run: list[Deduction]) -> str | None:
    """A clause over LABEL_MAX whose label is ``prefix`` + "…" and whose rules are ``run``: the rules the
    prefix holds, then the others after it — the first one long enough to span the cut if the label was cut
    short at its start."""
    head = [(kind, amount) for kind, amount, _, _ in _found(prefix)]
    pairs = [(rule.kind, rule.amount) for rule in run]
    if pairs[: len(head)] != head or len(pairs) == len(head):
        return None
    rest = pairs[len(head) :]
    if len(prefix) == _CUT:  # the cut fell between rules: the others follow a comma after it
        tail = "".join(f"，{canonical(*pair)}" for pair in rest)
    else:  # the cut fell at the start of the next rule: it is written long enough to span the cut again
        tail = _spanning(*rest[0]) + "".join(f"，{canonical(*pair)}" for pair in rest[1:])
    text = prefix + tail
    return text if len(text) > LABEL_MAX else text + ELLIPSIS


def _spanning(kind: RuleKind, amount: Decimal | None) -> str:
    """The longest phrase for a rule (widest gap, amount padded to 0000.00), so that it spans the cut wherever
    the phrase it stands for did."""
    if kind is RuleKind.WHOLE:
        return "扣除该项目全部分数"
    if kind is RuleKind.VETO:
        return f"取消{_FILL[:_VETO_GAP]}评审资格"
    assert amount is not None
    count = "每缺少一项" if kind is RuleKind.MISSING else "每一处"
    return f"{count}{_FILL[:_COUNT_GAP]}扣 {amount:07.2f} 分"

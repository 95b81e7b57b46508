"""Scoring one sheet against a deduction checklist (扣分制), and ranking posts by their sheets.

Rules implemented here:
* an item carries one or more deduction rules (``domain.deductions``): per instance or per missing element
  with an amount (每处扣0.5分, 缺一项扣1分), the whole item lost (不得分), or a veto (取消评审资格);
* an item loses ``Σ count × amount`` (plus all its points if 不得分 applies), but never more than its
  ``max_points`` (扣完为止), even when one instance is worth more than the item; a count beyond the one that
  empties the item on its own is an input error, not silently capped;
* an item may be marked not applicable (不适用, ``counts is None``): it leaves both sides of the rate; the
  score is ``实得分 / 应得分 × 100`` over the applicable points (缺项折算), so sheets of 100, 500 or 1100
  points and posts with and without the item compare; an item of 0 points (a pure veto line) cannot be not
  applicable;
* a veto rule that occurred makes the sheet score 0;
* scores are ``Decimal`` and rounded half-up to 2 places only at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import cached_property

from .deductions import Deduction, RuleKind

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
#: kinds entered as occurred / did not occur (0 or 1); the others are counts
TOGGLES = frozenset({RuleKind.WHOLE, RuleKind.VETO})


def max_count(rule: Deduction, max_points: Decimal) -> int:
    """Most instances one rule can record: 1 for a toggle, else until the rule alone empties the item."""
    if rule.kind in TOGGLES or not rule.amount:
        return 1
    return max(1, int((max_points / rule.amount).to_integral_value(rounding=ROUND_CEILING)))


@dataclass(frozen=True)
class ItemRule:
    """One checklist line as the standard defines it: its points and its deduction rules, in order."""

    item_id: int
    max_points: Decimal
    deductions: tuple[Deduction, ...]

    @cached_property
    def veto(self) -> bool:
        return any(d.kind == RuleKind.VETO for d in self.deductions)

    @cached_property
    def limits(self) -> tuple[int, ...]:
        """Per rule, the most instances it can record (worked out once: checklists are cached)."""
        return tuple(max_count(d, self.max_points) for d in self.deductions)

    @cached_property
    def _costs(self) -> tuple[Decimal | None, ...]:
        """Per rule, what one instance or more costs: the item's points (不得分), so much per instance (each,
        missing), or nothing (None: 一票否决, or no amount)."""
        return tuple(
            self.max_points if d.kind == RuleKind.WHOLE
            else d.amount if d.kind in (RuleKind.EACH, RuleKind.MISSING) and d.amount
            else None
            for d in self.deductions
        )  # fmt: skip

    def loss(self, counts: Sequence[int]) -> Decimal:
        """Points lost for ``counts`` (one per rule, missing ones 0), capped at the item's points."""
        lost = Decimal(0)
        for rule, cost, count in zip(self.deductions, self._costs, counts, strict=False):
            if cost is None or not count:
                continue
            lost += cost if rule.kind == RuleKind.WHOLE else cost * count
        return min(lost, self.max_points)

    def vetoes(self, counts: Sequence[int]) -> bool:
        if not self.veto:
            return False
        return any(r.kind == RuleKind.VETO and c for r, c in zip(self.deductions, counts, strict=False))


@dataclass(frozen=True)
class ItemEntry:
    """What the inspector entered for one item: a count per rule (in the item's rule order; fewer counts
    than rules means 0 for the rest), or None for 不适用."""

    item_id: int
    counts: tuple[int, ...] | None
    remark: str = ""


@dataclass(frozen=True)
class Problem:
    """An input error; ``code`` is translated by the web layer, ``item_id`` is None for sheet-wide ones,
    ``rule`` the 1-based rule of the item it is about."""

    code: str
    item_id: int | None = None
    limit: int | None = None
    rule: int | None = None
    #: what it is about where that is not an item or a rule (a photo's file name)
    detail: str = ""


@dataclass(frozen=True)
class ScoredItem:
    item_id: int
    counts: tuple[int, ...] | None
    deduction: Decimal
    remark: str

    @property
    def defects(self) -> int | None:
        """Instances recorded over all rules (None for 不适用)."""
        return None if self.counts is None else sum(self.counts)


@dataclass(frozen=True)
class SheetResult:
    items: tuple[ScoredItem, ...]
    applicable_points: Decimal
    deducted: Decimal
    vetoed: bool
    score: Decimal


class SheetRejected(ValueError):
    """The sheet cannot be scored; ``problems`` says why, item by item."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(", ".join(p.code for p in problems))
        self.problems = tuple(problems)


def _check_entry(rule: ItemRule | None, entry: ItemEntry) -> list[Problem]:
    if rule is None:
        return [Problem("unknown_item", entry.item_id)]
    if entry.counts is None:
        return [Problem("veto_not_applicable", entry.item_id)] if rule.max_points == 0 else []
    if len(entry.counts) > len(rule.deductions):
        return [Problem("unknown_rule", entry.item_id, len(rule.deductions))]
    problems = []
    for number, (count, limit) in enumerate(zip(entry.counts, rule.limits, strict=False), start=1):
        if count < 0:
            problems.append(Problem("negative_defects", entry.item_id, rule=number))
        elif count > limit:
            problems.append(Problem("over_max", entry.item_id, limit, rule=number))
    return problems


def validate(rules: Sequence[ItemRule], entries: Iterable[ItemEntry]) -> list[Problem]:
    """Every problem with the entries, in checklist order; an empty list means the sheet can be scored."""
    by_id = {rule.item_id: rule for rule in rules}
    problems: list[Problem] = []
    seen: set[int] = set()
    for entry in entries:
        if entry.item_id in seen:
            problems.append(Problem("duplicate_item", entry.item_id))
            continue
        seen.add(entry.item_id)
        problems += _check_entry(by_id.get(entry.item_id), entry)
    problems.extend(Problem("missing_item", rule.item_id) for rule in rules if rule.item_id not in seen)
    return problems


def score_sheet(rules: Sequence[ItemRule], entries: Iterable[ItemEntry]) -> SheetResult:
    """Score a sheet or raise ``SheetRejected`` listing every problem."""
    entries = list(entries)
    problems = validate(rules, entries)
    if problems:
        raise SheetRejected(problems)
    by_entry: Mapping[int, ItemEntry] = {e.item_id: e for e in entries}
    scored: list[ScoredItem] = []
    applicable = deducted = Decimal(0)
    vetoed = False
    for rule in rules:
        entry = by_entry[rule.item_id]
        loss = Decimal(0)
        counts = entry.counts
        if counts is not None:
            if len(counts) < len(rule.deductions):
                counts = tuple(counts) + (0,) * (len(rule.deductions) - len(counts))
            applicable += rule.max_points
            loss = rule.loss(counts)
            deducted += loss
            vetoed = vetoed or rule.vetoes(counts)
        scored.append(ScoredItem(rule.item_id, counts, loss, entry.remark))
    if applicable == 0 and not vetoed:
        raise SheetRejected([Problem("nothing_applicable")])
    score = Decimal(0) if vetoed else (applicable - deducted) / applicable * HUNDRED
    return SheetResult(tuple(scored), applicable, deducted, vetoed, round_points(score))


def points_text(value: Decimal) -> str:
    """Points as written in a standard, without padding zeros: 5, 0.5, 1.25."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def round_points(value: Decimal) -> Decimal:
    """Half-up to 2 places: the only rounding, applied to final figures."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def competition_ranks(values: Sequence[Decimal]) -> list[int]:
    """Standard competition ranking ("1-2-2-4") of values already sorted best first."""
    ranks: list[int] = []
    for i, value in enumerate(values):
        if i and value > values[i - 1]:
            raise ValueError("values must be sorted best first")
        ranks.append(ranks[-1] if i and value == values[i - 1] else i + 1)
    return ranks

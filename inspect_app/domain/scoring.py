"""Scoring one sheet against a deduction checklist (扣分制), and ranking posts by their sheets.

Rules implemented here:
* each item loses ``defects × deduction`` points, but never more than its ``max_points`` (扣完为止);
  a count beyond the one that empties the item is an input error, not silently capped;
* an item may be marked not applicable (不适用, ``defects is None``); the score is then the rate over the
  applicable points only: ``实得分 / 应得分 × 100`` (缺项折算), so posts with and without the item compare;
* a veto item (一票否决) with any defect makes the sheet score 0;
* scores are ``Decimal`` and rounded half-up to 2 places only at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ItemRule:
    """One checklist line as the standard defines it."""

    item_id: int
    max_points: Decimal
    deduction: Decimal
    veto: bool = False

    @property
    def max_defects(self) -> int:
        """Most defects the item can record: veto items record yes/no, others until the item is empty."""
        if self.veto:
            return 1
        return int((self.max_points / self.deduction).to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class ItemEntry:
    """What the inspector entered for one item: a defect count, or None for 不适用."""

    item_id: int
    defects: int | None
    remark: str = ""


@dataclass(frozen=True)
class Problem:
    """An input error; ``code`` is translated by the web layer, ``item_id`` is None for sheet-wide ones."""

    code: str
    item_id: int | None = None
    limit: int | None = None


@dataclass(frozen=True)
class ScoredItem:
    item_id: int
    defects: int | None
    deduction: Decimal
    remark: str


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


def _check_entry(rule: ItemRule | None, entry: ItemEntry) -> Problem | None:
    if rule is None:
        return Problem("unknown_item", entry.item_id)
    if entry.defects is None:
        return Problem("veto_not_applicable", entry.item_id) if rule.veto else None
    if entry.defects < 0:
        return Problem("negative_defects", entry.item_id)
    if entry.defects > rule.max_defects:
        return Problem("over_max", entry.item_id, rule.max_defects)
    return None


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
        problem = _check_entry(by_id.get(entry.item_id), entry)
        if problem:
            problems.append(problem)
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
        if entry.defects is not None:
            applicable += rule.max_points
            loss = min(rule.deduction * entry.defects, rule.max_points)
            deducted += loss
            vetoed = vetoed or (rule.veto and entry.defects > 0)
        scored.append(ScoredItem(rule.item_id, entry.defects, loss, entry.remark))
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

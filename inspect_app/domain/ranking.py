"""From sheet scores to a round's ranking (汇总排序): the rules published on the 评分办法 page.

* a post needs at least ``min_sheets`` sheets in the round (default 3); with fewer it is *unrated*, shown as
  such and never as 0;
* with ``trim`` (the default) one highest and one lowest sheet are dropped, then the rest are averaged (with
  exactly 3 sheets the middle one remains); without it every sheet counts;
* the mean is rounded half-up to 2 decimals, once, at the end (sheet scores are already exact to 0.01);
* posts are ranked by that score, best first, competition style: 1, 2, 2, 4;
* grades: 一级 ≥ 90, 二级 ≥ 80, 三级 ≥ 70, else 不合格 (bounds configurable).

An anonymous round never rates a post on fewer sheets than its quorum (5 trimmed, 3 untrimmed), whatever its
settings say: the published figure always averages at least 3 sheets, so it never is what one inspector gave.
Pure: Decimal in, Decimal out; no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from .ballots import anonymous_quorum
from .scoring import competition_ranks, round_points

K = TypeVar("K", bound=Hashable)

GRADES: tuple[tuple[str, Decimal], ...] = (
    ("grade1", Decimal(90)),
    ("grade2", Decimal(80)),
    ("grade3", Decimal(70)),
)


@dataclass(frozen=True)
class Rules:
    min_sheets: int = 3
    trim: bool = True

    def for_round(self, anonymous: bool) -> Rules:
        """The rules as applied: anonymous rounds rate a post on their quorum of sheets at the least."""
        return Rules(max(self.min_sheets, anonymous_quorum(self.trim)), self.trim) if anonymous else self


def kept_scores(scores: Sequence[Decimal], trim: bool) -> list[Decimal]:
    """The sheets that count: all, or all but one highest and one lowest (when at least 3 remain to trim)."""
    ordered = sorted(scores)
    return ordered[1:-1] if trim and len(ordered) >= 3 else ordered


def post_score(scores: Sequence[Decimal], rules: Rules = Rules()) -> Decimal | None:
    """A post's score in a round, or None while it is unrated."""
    if len(scores) < max(rules.min_sheets, 1):
        return None
    kept = kept_scores(scores, rules.trim)
    return round_points(sum(kept, Decimal(0)) / len(kept))


def rank(scores: Mapping[K, Decimal | None]) -> dict[K, int]:
    """Competition ranks of the rated keys (ties share a place, the next place skips); unrated left out."""
    rated = sorted(((value, key) for key, value in scores.items() if value is not None), key=lambda p: -p[0])
    places = competition_ranks([value for value, _ in rated])
    return {key: place for (_, key), place in zip(rated, places, strict=True)}


def grade(score: Decimal, bounds: Sequence[tuple[str, Decimal]] = GRADES) -> str:
    """The grade's code (grade1, grade2, grade3) or ``below`` (不合格)."""
    for code, floor in bounds:
        if score >= floor:
            return code
    return "below"


#: the quarterly review's warning line (季讲评 预警): a period score below it flags the post
WARN_BELOW = Decimal(80)


def bottom_group(place: int, rated: int) -> bool:
    """Whether a place is among the worst of a round, the group its notice criticises (min(3, rated // 2))."""
    size = min(3, rated // 2)
    return size > 0 and place > rated - size


def warning(
    score: Decimal | None, places: Sequence[tuple[int, int]], below: Decimal = WARN_BELOW
) -> str | None:
    """预警 for the quarterly review: ``below`` (score under the line) or ``bottom`` (in the bottom group in
    2 of the last 3 rounds that rated the post; ``places`` = (place, posts rated) oldest first); else None."""
    if score is not None and score < below:
        return "below"
    if sum(bottom_group(place, rated) for place, rated in places[-3:]) >= 2:
        return "bottom"
    return None

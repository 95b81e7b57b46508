"""互查: which units inspect which in a mutual check. Pure rules; pairs are (inspecting unit, inspected unit).

A mutual round names, for every unit whose posts it checks, one or more other units whose people sign
those posts (A checks B, B checks C … C checks A, or any matrix); nobody else signs there, and no unit checks
its own posts (that is a 自查). A plan may rotate the ring month by month so a unit is not always checked by
the same neighbour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Pair = tuple[int, int]


def ring(units: Sequence[int], shift: int = 1) -> tuple[Pair, ...]:
    """Each unit checks the one ``shift`` places after it in ``units`` (wrapping round): A→B, B→C, C→A for
    shift 1. ``shift`` is taken modulo n and never lands on 0, so no unit checks itself; fewer than two
    units: no pairs."""
    n = len(units)
    if n < 2:
        return ()
    step = (shift - 1) % (n - 1) + 1
    return tuple((units[i], units[(i + step) % n]) for i in range(n))


def monthly_shift(month_index: int) -> int:
    """The ring's step for the n-th month of a plan (0-based): 1, 2, 3 … so the checker changes monthly."""
    return month_index + 1


def inspecting(pairs: Iterable[Pair], inspected: int) -> frozenset[int]:
    return frozenset(a for a, b in pairs if b == inspected)


def pairing_problems(pairs: Sequence[Pair], inspected_units: Iterable[int]) -> list[tuple[str, int]]:
    """(code, unit) for each problem: ``self`` a unit set to check itself, ``unassigned`` an inspected unit
    no unit checks, ``stray`` a pair for a unit with no post in the round."""
    wanted = set(inspected_units)
    problems = [("self", b) for a, b in pairs if a == b]
    checked = {b for a, b in pairs if a != b}
    problems += [("unassigned", u) for u in sorted(wanted - checked)]
    problems += [("stray", u) for u in sorted(checked - wanted)]
    return problems

"""What a copy of an SQLite database file and its WAL tell about the order anonymous sheets arrived in.

The attacker's method: every sheet's 32-byte key (its nullifier) is in the file, once per row and index entry
holding it. Where a key's bytes lie — the file offset, the page, the place within its page (SQLite fills a
page's cells from its end, in the order they were written), the WAL — is compared with the order the sheets
are known to have arrived in. Sheets are compared only with sheets of the same post: which post a sheet is for
is no secret (it is in the row), and inspectors walk their route post by post, so arrival follows the posts.
At chance level, a pair of a post's sheets lies in arrival order as often as not (0.5). The chance level and
its spread are measured, not assumed: the same statistics for random orders of each post's sheets. Used by
tests/web/test_anonymity.py and by scripts/bench/seal.py.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE = 4096


@dataclass(frozen=True)
class Statistics:
    """Shares of pairs of one post's sheets whose place in the file follows their arrival order."""

    offset: float  #: by the file offset of each key's first copy
    page: float  #: by the page holding that copy (pairs on different pages)
    in_page: float  #: by the offset within a page (pairs of keys on the same page)

    def values(self) -> tuple[float, float, float]:
        return (self.offset, self.page, self.in_page)


@dataclass(frozen=True)
class OrderEvidence:
    sheets: int  #: sheets whose key was found in the file
    observed: Statistics  #: for the true arrival order
    chance: Statistics  #: mean over shuffled orders (what a coin gives)
    spread: Statistics  #: standard deviation over shuffled orders
    wal_bytes: int  #: size of the write-ahead log left next to the file
    wal_sheets: int  #: sheets whose key is still in the WAL

    @property
    def z(self) -> float:
        """The largest distance from chance, in standard deviations of the shuffled orders."""
        triples = zip(self.observed.values(), self.chance.values(), self.spread.values(), strict=True)
        return max(abs(value - mean) / max(sd, 1e-3) for value, mean, sd in triples)

    def at_chance(self, bound: float = 4.0) -> bool:
        """The true order looks like a shuffled one: every statistic within ``bound`` standard deviations
        of the shuffled orders' mean, and no key left in the WAL."""
        return self.z < bound and self.wal_sheets == 0

    def __str__(self) -> str:
        o, c = self.observed, self.chance
        return (
            f"{self.sheets} sheets; pairs of a post's sheets in arrival order by file offset {o.offset:.3f} "
            f"(chance {c.offset:.3f}), by page {o.page:.3f} ({c.page:.3f}), within a page {o.in_page:.3f} "
            f"({c.in_page:.3f}); z = {self.z:.1f}; WAL {self.wal_bytes} bytes, {self.wal_sheets} sheets in it"
        )


def _offsets(data: bytes, key: bytes) -> list[int]:
    found, start = [], 0
    while (at := data.find(key, start)) >= 0:
        found.append(at)
        start = at + 1
    return found


def _share(pairs: list[tuple[int, int, int, int]], rank: list[int]) -> float:
    """Pairs (sheet a, sheet b, place a, place b) whose places are ordered like ``rank``."""
    agree = sum((rank[a] < rank[b]) == (pa < pb) for a, b, pa, pb in pairs)
    return agree / len(pairs) if pairs else 0.5


class _Layout:
    """Where each sheet's key lies, as pairs of sheets of one post to compare."""

    def __init__(self, copies: dict[int, list[int]], group: Sequence[object]) -> None:
        by_group: dict[object, list[int]] = defaultdict(list)
        for sheet in sorted(copies):
            by_group[group[sheet]].append(sheet)
        self.offset: list[tuple[int, int, int, int]] = []
        self.page: list[tuple[int, int, int, int]] = []
        self.in_page: list[tuple[int, int, int, int]] = []
        for sheets in by_group.values():
            for i, a in enumerate(sheets):
                for b in sheets[i + 1 :]:
                    fa, fb = copies[a][0], copies[b][0]
                    self.offset.append((a, b, fa, fb))
                    if fa // PAGE != fb // PAGE:
                        self.page.append((a, b, fa // PAGE, fb // PAGE))
            # within a page: each sheet's first copy on that page, against the other sheets' on it
            on_page: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for sheet in sheets:
                seen: set[int] = set()
                for offset in copies[sheet]:
                    if offset // PAGE not in seen:
                        seen.add(offset // PAGE)
                        on_page[offset // PAGE].append((sheet, offset))
            for cells in on_page.values():
                for i, (a, oa) in enumerate(cells):
                    self.in_page.extend((a, b, oa, ob) for b, ob in cells[i + 1 :])

    def statistics(self, rank: list[int]) -> Statistics:
        return Statistics(_share(self.offset, rank), _share(self.page, rank), _share(self.in_page, rank))


def _mean_sd(samples: list[Statistics]) -> tuple[Statistics, Statistics]:
    columns = list(zip(*(s.values() for s in samples), strict=True))
    means = [sum(c) / len(c) for c in columns]
    sds = [
        math.sqrt(sum((x - m) ** 2 for x in c) / (len(c) - 1)) for c, m in zip(columns, means, strict=True)
    ]
    return Statistics(*means), Statistics(*sds)


def sqlite_order_evidence(
    path: Path, arrival: Sequence[bytes], group: Sequence[object], shuffles: int = 30
) -> OrderEvidence:
    """``arrival``: the sheets' keys in the order they arrived; ``group``: each one's post."""
    data = path.read_bytes()
    wal_path = path.with_name(path.name + "-wal")
    wal = wal_path.read_bytes() if wal_path.exists() else b""
    copies = {i: offs for i, key in enumerate(arrival) if (offs := _offsets(data, key))}
    layout = _Layout(copies, group)
    rng = random.Random(0)  # noqa: S311 — a null distribution, not security
    null = []
    for _ in range(shuffles):  # each post's sheets in a random order
        rank = list(range(len(arrival)))
        members: dict[object, list[int]] = defaultdict(list)
        for sheet, post in enumerate(group):
            members[post].append(sheet)
        for sheets in members.values():
            places = [rank[s] for s in sheets]
            rng.shuffle(places)
            for sheet, place in zip(sheets, places, strict=True):
                rank[sheet] = place
        null.append(layout.statistics(rank))
    chance, spread = _mean_sd(null)
    return OrderEvidence(
        sheets=len(copies),
        observed=layout.statistics(list(range(len(arrival)))),
        chance=chance,
        spread=spread,
        wal_bytes=len(wal),
        wal_sheets=sum(1 for key in arrival if key in wal),
    )

"""A bench mine: one unit, one standard of ``items`` items and ``posts`` listed posts on it, inserted with
Core (the ORM would take minutes at these sizes). Shared by the benches that need a mine of a given size."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from inspect_app.models import Mine as MineRow
from inspect_app.models import Post, Standard, StandardItem, StandardVersion, Unit


@dataclass(frozen=True)
class Mine:
    version: int
    items: list[int]
    posts: list[int]


def skeleton(conn: Connection, posts: int, items: int, prefix: str = "B") -> Mine:
    """The mine set up (pages answer instead of sending to first-run setup), its unit, standard and posts."""
    conn.execute(
        insert(MineRow),
        {"id": 1, "name": "基准矿", "short_name": "基准", "committee_name": "基准矿党委",
         "time_zone": "Asia/Shanghai", "base_url": "https://bench.invalid", "doc_code": ""},
    )  # fmt: skip
    unit = conn.execute(
        insert(Unit).returning(Unit.id), {"code": "b", "name": "bench", "branch": "b"}
    ).scalar()
    std = conn.execute(insert(Standard).returning(Standard.id), {"profession": "coal", "title": "b"}).scalar()
    version = conn.execute(
        insert(StandardVersion).returning(StandardVersion.id), {"standard_id": std, "number": 1}
    ).scalar()
    item_ids = [
        conn.execute(insert(StandardItem).returning(StandardItem.id),
                     {"version_id": version, "position": i, "category": "c", "clause": str(i),
                      "max_points": Decimal("2.5"), "deduction": Decimal("0.5"), "rule": "r"}).scalar()
        for i in range(items)
    ]  # fmt: skip
    post_ids = [
        conn.execute(insert(Post).returning(Post.id),
                     {"code": f"{prefix}{i:04d}", "name": f"岗位{i}", "unit_id": unit, "profession": "coal",
                      "standard_version_id": version, "status": "listed"}).scalar()
        for i in range(posts)
    ]  # fmt: skip
    return Mine(int(version or 0), [int(i or 0) for i in item_ids], [int(p or 0) for p in post_ids])

#!/usr/bin/env python3
"""Roster import at a mine's size: one XLSX of 600 members (花名册) in 8 units, imported through the service.

Builds a throw-away SQLite database through the migrations, adds the units with ``org.services.add_unit``,
then measures:

* reading the same XLSX with openpyxl alone (read-only, values only): the floor any import pays;
* the whole first import (read, check every row, match, insert 600 members with their audit entries, commit;
  goal ≤ 2 s);
* importing the same file again (every row matched, nothing changed);

and prints the import's figures as multiples of the bare read.

    .venv/bin/python scripts/bench/import_members.py [--rows 600] [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook, load_workbook  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.audit import SYSTEM_ACTOR  # noqa: E402
from inspect_app.domain.roster import MEMBER_HEADERS  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import Member  # noqa: E402
from inspect_app.org.services import UnitInput, add_unit, import_members  # noqa: E402

UNITS = ("综采一区", "综采二区", "掘进一区", "掘进二区", "运输区", "机电区", "通风区", "安全监察科")
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"  # noqa: E501
JOBS = (
    "采煤机司机",
    "支架工",
    "掘进机司机",
    "电钳工",
    "绞车司机",
    "皮带司机",
    "通风工",
    "瓦斯检查工",
    "班长",
    "技术员",
)
STANDINGS = ("中共党员", "中共党员", "中共党员", "中共预备党员", "入党积极分子", "群众")
ROLES = ("", "", "", "", "", "党小组长")


def roster_xlsx(rows: int, seed: int = 17) -> bytes:
    """A 花名册 as an organisation department keeps it: Excel date cells, text phone numbers, 工号."""
    rng = random.Random(seed)  # noqa: S311 — bench data
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(MEMBER_HEADERS))
    for n in range(rows):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        standing = rng.choice(STANDINGS)
        party = standing in ("中共党员", "中共预备党员")
        joined = date(rng.randint(1990, 2024), rng.randint(1, 12), rng.randint(1, 28)) if party else None
        sheet.append([
            name, rng.choice("男男男男女"), UNITS[n % len(UNITS)], rng.choice(JOBS), standing, joined,
            f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}", f"K{10000 + n}",
            rng.choice(ROLES) if party else "",
        ])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def openpyxl_alone(data: bytes) -> int:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def timed(work: object) -> tuple[float, object]:
    began = time.perf_counter()
    result = work()  # type: ignore[operator]
    return (time.perf_counter() - began) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description="roster import of a 600-member XLSX")
    parser.add_argument("--rows", type=int, default=600)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="inspect-roster-"))
    os.environ.update(FLASK_APP="inspect_app", INSPECT_DATABASE_URL=f"sqlite:///{work / 'bench.db'}",
                      INSPECT_SECRET_KEY=uuid.uuid4().hex, INSPECT_RATELIMIT_ENABLED="false")  # fmt: skip
    try:
        subprocess.run([VENV_BIN / "flask", "db", "upgrade"], check=True, capture_output=True)
        app = create_app()
        data = roster_xlsx(args.rows)
        read = statistics.median(timed(lambda: openpyxl_alone(data))[0] for _ in range(args.runs))
        with app.app_context():
            for name in UNITS:
                add_unit(SYSTEM_ACTOR, UnitInput(name, branch=f"{name}党支部"))
            first, report = timed(lambda: import_members(SYSTEM_ACTOR, "roster.xlsx", data))
            stored = db.session.scalar(select(func.count(Member.id)))
            again = statistics.median(
                timed(lambda: import_members(SYSTEM_ACTOR, "roster.xlsx", data))[0] for _ in range(args.runs)
            )
        print(f"roster: {args.rows} members in {len(UNITS)} units, {len(data) / 1024:.0f} KB XLSX (SQLite)")
        print(f"openpyxl read alone    : {read:7.1f} ms")
        print(f"first import (adds)    : {first:7.1f} ms  (goal <= 2000) → {first / read:.1f}× the bare read")
        print(f"                         {report}")
        print(f"re-import (unchanged)  : {again:7.1f} ms  → {again / read:.1f}× the bare read")
        print(f"members stored         : {stored}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Helpers shared by the web tests: reading the demo round and filling a sheet like the phone form does."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from inspect_app import demo
from inspect_app.domain.enums import RoundKind, RoundStatus
from inspect_app.extensions import db
from inspect_app.models import Post, Round, RoundPost, Sheet, StandardItem

#: sheets the demo loads into its open signed round (two HR assessors on the first posts)
DEMO_SHEETS = demo.PRESCORED * 2
#: the signed round's kind in the demo: HR's ten-day supervision (旬督导)
SIGNED_KIND = RoundKind.TEN_DAY.value


def _open_round(app: Flask, **where: Any) -> Round:
    with app.app_context():
        stmt = select(Round).where(Round.status == RoundStatus.OPEN.value).filter_by(**where)
        rnd = db.session.scalars(stmt).one()
        db.session.expunge(rnd)
        return rnd


def demo_round(app: Flask) -> Round:
    """The demo's open signed round: HR's ten-day supervision of the posts naming HR as assessor."""
    return _open_round(app, kind=SIGNED_KIND)


def anonymous_round(app: Flask) -> Round:
    """This week's anonymous check (open in the demo; a test may seal it), with its printed demo cards."""
    with app.app_context():
        stmt = select(Round).where(Round.kind == RoundKind.WEEKLY.value).order_by(Round.period_start.desc())
        rnd = db.session.scalars(stmt.limit(1)).one()
        db.session.expunge(rnd)
        return rnd


def post_code(app: Flask) -> str:
    """A post of the demo round that has no sheet yet, so a test's sheet is its first."""
    with app.app_context():
        rnd = select(Round.id).where(Round.status == RoundStatus.OPEN.value, Round.kind == SIGNED_KIND)
        rnd = rnd.scalar_subquery()
        scored = select(Sheet.post_id).where(Sheet.round_id == rnd)
        stmt = (
            select(Post.code)
            .join(RoundPost)
            .where(RoundPost.round_id == rnd, Post.id.not_in(scored))
            .order_by(Post.code)
            .limit(1)
        )
        return db.session.scalar(stmt) or ""


def items_of(app: Flask, code: str) -> list[dict[str, Any]]:
    with app.app_context():
        stmt = (
            select(StandardItem)
            .join(RoundPost, RoundPost.standard_version_id == StandardItem.version_id)
            .join(Post)
            .where(Post.code == code, RoundPost.round_id == demo_round(app).id)
            .order_by(StandardItem.position)
        )
        return [
            {"id": i.id, "max": i.max_points, "per": i.rules[0].amount or 0, "veto": i.veto}
            for i in db.session.scalars(stmt)
        ]


def sheet_form(items: list[dict[str, Any]], token: str, submission_id: str, **defects: Any) -> dict[str, str]:
    """All items at 0 defects unless ``defects`` says otherwise (keys ``d<index>`` / ``na<index>``)."""
    form = {"csrf_token": token, "submission_id": submission_id}
    for index, item in enumerate(items):
        form[f"d-{item['id']}"] = str(defects.get(f"d{index}", 0))
        if defects.get(f"na{index}"):
            form[f"na-{item['id']}"] = "1"
    return form


def sheet_count(app: Flask, **where: Any) -> int:
    """Sheets in the open round (unless ``round_id`` is given) matching ``where``."""
    with app.app_context():
        if "round_id" not in where:
            where["round_id"] = demo_round(app).id
        stmt = select(func.count()).select_from(Sheet).filter_by(**where)
        return db.session.scalar(stmt) or 0


def small_jpeg(shade: int) -> bytes:
    """A small photo, different for each ``shade`` (so each has its own content address)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (shade % 256, (shade * 7) % 256, (shade * 13) % 256)).save(out, "JPEG")
    return out.getvalue()


#: concurrent writers in the race tests
THREADS = 6


def together(app: Flask, work: Callable[[int], Any], times: int = 1) -> tuple[int, list[BaseException]]:
    """Run ``work(thread)`` ``times`` times in each of THREADS threads started at once, each in a request
    context of its own: (how many calls succeeded, the errors the others raised)."""
    start = threading.Barrier(THREADS)
    done: list[int] = []
    errors: list[BaseException] = []

    def run(thread: int) -> None:
        with app.test_request_context():  # e.g. notices are drafted in the organiser's language
            start.wait()
            for _ in range(times):
                try:
                    work(thread)
                    done.append(thread)
                except BaseException as error:  # noqa: BLE001 — collected and asserted by the caller
                    errors.append(error)
                finally:
                    db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(done), errors

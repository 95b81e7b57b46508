"""The mine's calendar, not the server's: with the clock frozen at 02:00 on New Year's Day in Beijing (still
18:00 on 31 December in UTC), every date a user makes or reads is the mine's — notice numbers and dates,
rectification numbers and deadlines, miners' notes, retired board codes, the audit log's times — and the
mine's names are on its documents."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app import clock
from inspect_app.extensions import db
from inspect_app.models import Feedback, Notice, Post, Rectification, RetiredCode, Round
from tests.conftest import csrf_token, login

from .test_rectifications import POST, raise_one, round_id, sign

#: 2027-01-01 02:00 in Beijing
NEW_YEAR_NIGHT = datetime(2026, 12, 31, 18, 0, tzinfo=UTC)
MINE_DAY = date(2027, 1, 1)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


def test_notices_carry_the_mines_date_number_and_committee(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    with clock.frozen(NEW_YEAR_NIGHT):
        login(client, "committee")
        published = round_id(app, "weekly", "published")
        location = client.post(
            f"/notices/draft/{published}", data={"csrf_token": csrf_token(client, f"/rounds/{published}")}
        ).headers["Location"]
        token = csrf_token(client, location)
        form = {"csrf_token": token, "title": "新年通报", "praise": "", "criticism": "", "publish": "1"}
        assert client.post(location, data=form).status_code == 303
        text = pdf_text(client.get(f"{location}.pdf").data, tmp_path)
    with app.app_context():
        notice = db.session.scalars(select(Notice)).one()
        assert (notice.published_on, notice.year, notice.seq) == (MINE_DAY, 2027, 1)
    assert "〔2027〕1号" in text
    assert "2027年1月1日" in text
    assert "中共采矿公司委员会" in text  # the demo mine's committee, as configured
    assert "矿党委" not in text


def test_rectifications_notes_and_codes_are_dated_by_the_mines_calendar(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    with clock.frozen(NEW_YEAR_NIGHT):
        login(client, "branch_secretary")
        monthly = round_id(app, "monthly")
        sign(app, client, monthly)
        url = f"/rectifications/new?round={monthly}&post={POST}"
        default = (MINE_DAY + timedelta(days=7)).isoformat()
        assert default in client.get(url).get_data(as_text=True)  # a week from the mine's today
        assert raise_one(client, url, deadline=MINE_DAY.isoformat()).status_code == 303  # today is allowed
        assert raise_one(client, url, deadline="2026-12-31").status_code == 422  # the server's today is past
        miner = app.test_client()
        token = csrf_token(miner, f"/p/{POST}/feedback")
        public = miner.post(
            f"/p/{POST}/feedback", data={"body": "巷道照明不足，请尽快处理", "csrf_token": token}
        )
        assert public.status_code in (200, 303)
        rotate_page = f"/posts/{POST}"
        form = {"csrf_token": csrf_token(client, rotate_page), "confirm": "yes"}
        rotated = client.post(f"/posts/{POST}/rotate", data=form)
        assert rotated.status_code == 303
        audit = app.test_client()
        login(audit, "committee")
        log = audit.get("/admin/audit").get_data(as_text=True)
    with app.app_context():
        rect = db.session.scalars(select(Rectification)).one()
        assert rect.issued_on == MINE_DAY
        assert rect.number.startswith("ZG2027-")
        note = db.session.scalars(select(Feedback).order_by(Feedback.received_on.desc())).first()
        assert note is not None
        assert note.received_on == MINE_DAY
        retired = db.session.scalars(select(RetiredCode).where(RetiredCode.code == POST)).one()
        assert retired.retired_on == MINE_DAY
    assert "2027-01-01 02:00" in log  # stored in UTC, shown in the mine's zone
    assert "2026-12-31 18:00" not in log


def test_daily_expiry_uses_the_mines_date(app: Flask) -> None:
    with app.app_context():
        post = db.session.scalars(select(Post).where(Post.status == "listed").order_by(Post.id)).first()
        assert post is not None
        post.end_date = date(2026, 12, 31)  # its last day is over in Beijing, not yet in UTC
        code = post.code
        db.session.commit()
    with clock.frozen(NEW_YEAR_NIGHT):
        result = app.test_cli_runner().invoke(args=["expire-posts"])
    assert code in result.output
    with clock.frozen(NEW_YEAR_NIGHT - timedelta(hours=3)), app.app_context():  # 23:00 on the 31st
        assert clock.today() == date(2026, 12, 31)


def test_another_zone_moves_the_date(app: Flask) -> None:
    """A mine in Xinjiang keeps Urumqi time (UTC+6): at 18:00 UTC it is 00:00 there, already the 1st."""
    with app.app_context():
        from inspect_app.models import Mine
        from inspect_app.setup.services import mine_info

        db.session.get(Mine, 1).time_zone = "Asia/Urumqi"  # type: ignore[union-attr]
        db.session.commit()
        app.extensions.pop("inspect_mine", None)
        assert mine_info() is not None
        with clock.frozen(NEW_YEAR_NIGHT - timedelta(minutes=1)):
            assert clock.today() == date(2026, 12, 31)
        with clock.frozen(NEW_YEAR_NIGHT):
            assert clock.today() == MINE_DAY
        assert db.session.scalars(select(Round.id)).first() is not None

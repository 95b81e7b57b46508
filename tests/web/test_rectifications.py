"""整改 on the server: raised from a signed sheet or a sealed anonymous round's totals, refused with a
clear message on bad input, scoped to the unit, re-checked at the next signed check, listed overdue first,
printed and exported."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select, update

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Post, Rectification, Round, RoundPost, Sheet, StandardItem
from tests.conftest import csrf_token, login

POST = "K7M3Q"  # 综采一区 (shuji's unit)
SOON = (date.today() + timedelta(days=5)).isoformat()


def round_id(app: Flask, kind: str, status: str = "open") -> int:
    with app.app_context():
        return db.session.scalars(select(Round.id).where(Round.kind == kind, Round.status == status)).one()


def sign(app: Flask, client: FlaskClient, rnd: int, code: str = POST, **extra: str) -> Any:
    """A signed sheet with one defect on every non-veto item (so every item is a deduction)."""
    with app.app_context():
        stmt = (
            select(StandardItem.id, (StandardItem.max_points == 0).label("veto"))
            .join(RoundPost, RoundPost.standard_version_id == StandardItem.version_id)
            .join(Post, Post.id == RoundPost.post_id)
            .where(RoundPost.round_id == rnd, Post.code == code)
        )
        items = db.session.execute(stmt).all()
    form = {"csrf_token": csrf_token(client, f"/field/{rnd}/{code}"), "submission_id": str(uuid.uuid4())}
    form.update({f"d-{i}": "0" if veto else "1" for i, veto in items})
    form.update(extra)
    return client.post(f"/field/{rnd}/{code}", data=form)


def raise_one(client: FlaskClient, url: str, **changes: str) -> Any:
    page = client.get(url).get_data(as_text=True)
    key = page.split('name="line" value="', 1)[1].split('"', 1)[0]
    form = {
        "csrf_token": csrf_token(client, url),
        "line": key,
        f"problem-{key}": "支架初撑力不足",
        f"measures-{key}": "补液升柱",
        f"deadline-{key}": SOON,
        f"responsible-{key}": "张海涛",
        f"checker-{key}": "王建华",
    }
    form.update({f"{name}-{key}": value for name, value in changes.items()})
    return client.post(url, data=form)


def only_rect(app: Flask) -> Rectification:
    with app.app_context():
        rect = db.session.scalars(select(Rectification)).one()
        db.session.expunge(rect)
        return rect


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 30)).save(out, "JPEG")
    return out.getvalue()


def issued_from_a_sheet(app: Flask, client: FlaskClient) -> Rectification:
    login(client, "branch_secretary")
    monthly = round_id(app, "monthly")
    done = sign(app, client, monthly)
    sheet_id = int(done.headers["Location"].rsplit("/", 1)[1])
    response = raise_one(client, f"/rectifications/new?round={monthly}&post={POST}&sheet={sheet_id}")
    assert response.status_code == 303
    return only_rect(app)


def test_bad_input_is_refused_with_its_reason_and_nothing_is_stored(app: Flask, client: FlaskClient) -> None:
    login(client, "branch_secretary")
    monthly = round_id(app, "monthly")
    sign(app, client, monthly)
    url = f"/rectifications/new?round={monthly}&post={POST}"
    cases = [
        ({"deadline": (date.today() - timedelta(days=1)).isoformat()}, "整改期限不能早于今天"),
        ({"deadline": "next week"}, "整改期限请填日期"),
        ({"measures": "  "}, "请填写整改措施"),
        ({"responsible": "x" * 61}, "请缩短责任人"),
    ]
    for changes, message in cases:
        response = raise_one(client, url, **changes)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    nothing = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert nothing.status_code == 422
    assert "请至少勾选一项扣分" in nothing.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Rectification)).all() == []


def test_issued_assigned_done_with_a_photo_and_audited(app: Flask, client: FlaskClient) -> None:
    rect = issued_from_a_sheet(app, client)
    assert (rect.status, rect.unit_id is not None, rect.sheet_id is not None) == ("issued", True, True)
    url = f"/rectifications/{rect.id}"
    token = csrf_token(client, url)
    assigned = client.post(f"{url}/assign", data={"csrf_token": token, "responsible": "刘国华"})
    assert assigned.status_code == 303
    no_photo = client.post(f"{url}/complete", data={"csrf_token": token, "note": "已补液"})
    assert no_photo.status_code == 422
    assert "请至少附一张整改后的现场照片" in no_photo.get_data(as_text=True)
    not_image = client.post(
        f"{url}/complete",
        data={"csrf_token": token, "note": "已补液", "photo": (io.BytesIO(b"%PDF-1.4"), "a.jpg")},
    )
    assert not_image.status_code == 415
    assert "不是照片" in not_image.get_data(as_text=True)
    done = client.post(
        f"{url}/complete",
        data={"csrf_token": token, "note": "已补液", "photo": (io.BytesIO(jpeg()), "after.jpg")},
    )
    assert done.status_code == 303
    rect = only_rect(app)
    assert (rect.status, rect.responsible, rect.done_note) == ("done", "刘国华", "已补液")
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "rectification").order_by(AuditEntry.id)
        ).all()
    assert actions == ["rectification.issue", "rectification.assign", "rectification.complete"]
    again = client.post(f"{url}/assign", data={"csrf_token": token, "responsible": "刘国华"})
    assert again.status_code == 409  # done: waits for its re-check


def test_the_next_signed_check_fails_then_passes_it(app: Flask, client: FlaskClient) -> None:
    rect = issued_from_a_sheet(app, client)
    url = f"/rectifications/{rect.id}"
    token = csrf_token(client, url)
    client.post(f"{url}/assign", data={"csrf_token": token, "responsible": "刘国华"})
    photo = {"photo": (io.BytesIO(jpeg()), "after.jpg")}
    client.post(f"{url}/complete", data={"csrf_token": token, "note": "已补液", **photo})
    client.post("/logout", data={"csrf_token": token})
    login(client, "hr")
    ten_day = round_id(app, "ten_day")
    form = client.get(f"/field/{ten_day}/{POST}").get_data(as_text=True)
    assert f'name="rc-{rect.id}"' in form
    no_reason = sign(app, client, ten_day, **{f"rc-{rect.id}": "fail"})
    assert no_reason.status_code == 422
    assert "复查不合格时请写明原因" in no_reason.get_data(as_text=True)
    assert (
        sign(app, client, ten_day, **{f"rc-{rect.id}": "fail", f"rcn-{rect.id}": "仍有浮煤"}).status_code
        == 303
    )
    failed = only_rect(app)
    assert (failed.status, failed.returns, failed.recheck_note, failed.closed_on) == (
        "assigned",
        1,
        "仍有浮煤",
        None,
    )
    assert f'name="rc-{rect.id}"' not in client.get(f"/field/{ten_day}/{POST}").get_data(as_text=True)


def test_a_stale_recheck_from_an_offline_form_never_costs_the_sheet(app: Flask, client: FlaskClient) -> None:
    rect = issued_from_a_sheet(app, client)  # issued, not done: nothing awaits a re-check
    token = csrf_token(client, f"/rectifications/{rect.id}")
    client.post("/logout", data={"csrf_token": token})
    login(client, "hr")
    stored = sign(app, client, round_id(app, "ten_day"), **{f"rc-{rect.id}": "pass"})
    assert stored.status_code == 303
    assert only_rect(app).status == "issued"


def test_a_sealed_anonymous_round_gives_totals_never_a_sheet(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    published = round_id(app, "weekly", "published")
    with app.app_context():
        code = db.session.scalars(
            select(Post.code).join(RoundPost).where(RoundPost.round_id == published).order_by(Post.code)
        ).first()
    page = client.get(f"/rectifications/new?round={published}&post={code}").get_data(as_text=True)
    assert "份评分表在此扣分" in page
    assert "记名评分" not in page
    assert raise_one(client, f"/rectifications/new?round={published}&post={code}").status_code == 303
    assert only_rect(app).sheet_id is None
    open_round = round_id(app, "weekly")
    with app.app_context():
        code = db.session.scalars(
            select(Post.code).join(RoundPost).where(RoundPost.round_id == open_round)
        ).first()
    refused = client.get(f"/rectifications/new?round={open_round}&post={code}")
    assert refused.status_code == 409
    assert "封箱后" in refused.get_data(as_text=True)


def test_a_branch_secretary_sees_and_raises_for_their_own_unit_only(app: Flask, client: FlaskClient) -> None:
    rect = issued_from_a_sheet(app, client)
    ten_day = round_id(app, "ten_day")
    with app.app_context():
        other = db.session.scalars(
            select(Post.code)
            .join(RoundPost)
            .where(RoundPost.round_id == ten_day, Post.code != POST)
            .where(Post.unit_id != select(Post.unit_id).where(Post.code == POST).scalar_subquery())
        ).first()
    assert client.get(f"/rectifications/new?round={ten_day}&post={other}").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/rectifications/")})
    with app.app_context():
        db.session.execute(
            update(Rectification).values(
                unit_id=select(Post.unit_id).where(Post.code == other).scalar_subquery()
            )
        )
        db.session.commit()
    login(client, "branch_secretary")
    assert client.get(f"/rectifications/{rect.id}").status_code == 403
    assert f'data-id="{rect.id}"' not in client.get("/rectifications/").get_data(as_text=True)


def test_overdue_comes_first_reaches_the_ranking_and_the_public_counts(
    app: Flask, client: FlaskClient
) -> None:
    rect = issued_from_a_sheet(app, client)
    assert "逾期 0" in client.get(f"/p/{POST}").get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(Rectification).values(deadline=date.today() - timedelta(days=3)))
        db.session.commit()
    listing = client.get("/rectifications/").get_data(as_text=True)
    assert "已逾期" in listing
    assert client.get("/rectifications/?state=closed").get_data(as_text=True).count("data-id=") == 0
    assert f'data-id="{rect.id}"' in client.get("/rectifications/?state=overdue").get_data(as_text=True)
    ranking = client.get(f"/rankings/{round_id(app, 'monthly')}").get_data(as_text=True)
    assert "逾期整改 1 项" in ranking
    assert 'id="nav-overdue"' in ranking  # the menu of everyone who answers for it shows the count
    public = client.get(f"/p/{POST}").get_data(as_text=True)
    assert "逾期 1" in public
    assert "进行中 1" in public


def test_the_notice_prints_as_a_cjk_pdf_and_the_ledger_exports(app: Flask, client: FlaskClient) -> None:
    rect = issued_from_a_sheet(app, client)
    notice = client.get(f"/rectifications/{rect.id}/notice").get_data(as_text=True)
    assert "整改通知单" in notice
    assert "补液升柱" in notice
    pdf = client.get(f"/rectifications/{rect.id}.pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.get_data().startswith(b"%PDF")
    unit_pdf = client.get(f"/rectifications/unit/{rect.unit_id}.pdf")
    assert unit_pdf.status_code == 200
    ledger = client.get("/rectifications/ledger.xlsx")
    sheet = load_workbook(io.BytesIO(ledger.get_data())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "区队", "示范岗")
    assert rows[1][6] == "补液升柱"
    assert rows[1][10] == "已下发"


def test_a_unit_never_closes_its_own_fix_in_its_own_self_check(app: Flask, client: FlaskClient) -> None:
    """A branch secretary once closed his unit's fix through his own self-check sheet although the named
    复查人 was someone else: the form does not offer it and a crafted line changes nothing."""
    rect = issued_from_a_sheet(app, client)
    url = f"/rectifications/{rect.id}"
    token = csrf_token(client, url)
    client.post(f"{url}/assign", data={"csrf_token": token, "responsible": "刘国华"})
    client.post(
        f"{url}/complete",
        data={"csrf_token": token, "note": "已补液", "photo": (io.BytesIO(jpeg()), "a.jpg")},
    )
    monthly = round_id(app, "monthly")
    form = client.get(f"/field/{monthly}/{POST}").get_data(as_text=True)
    assert f'name="rc-{rect.id}"' not in form
    next_month = _next_self_check(app, monthly)  # the secretary signed this one already
    assert f'name="rc-{rect.id}"' not in client.get(f"/field/{next_month}/{POST}").get_data(as_text=True)
    stored = sign(app, client, next_month, **{f"rc-{rect.id}": "pass"})
    assert stored.status_code == 303  # the sheet itself is kept
    assert only_rect(app).status == "done"  # still waiting for the named checker or the committee/HR


def _next_self_check(app: Flask, monthly: int) -> int:
    with app.app_context():
        this = db.session.get_one(Round, monthly)
        nxt = Round(title="下月自查", kind=this.kind, mode=this.mode, status="open", anonymous=False,
                    unit_id=this.unit_id, period_start=this.period_start, period_end=this.period_end,
                    entries=[RoundPost(post_id=e.post_id, standard_version_id=e.standard_version_id)
                             for e in this.entries])  # fmt: skip
        db.session.add(nxt)
        db.session.commit()
        return nxt.id


def test_hr_cannot_sign_into_a_units_self_check(app: Flask, client: FlaskClient) -> None:
    login(client, "hr")
    monthly = round_id(app, "monthly")
    assert client.get(f"/field/{monthly}/{POST}").status_code == 403
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Sheet).where(Sheet.round_id == monthly))
    form = {"csrf_token": csrf_token(client, "/offline/"), "submission_id": str(uuid.uuid4())}
    refused = client.post(f"/field/{monthly}/{POST}", data=form)
    assert refused.status_code == 403
    assert "自查" in refused.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(Sheet).where(Sheet.round_id == monthly))
            == before
        )

"""季讲评: a quarter's record from the period ranking — decisions per post (预警 posts start as warned),
attendance and minutes; closing (the committee only, once) revokes through the lifecycle and drafts the
quarter's notice with 表扬, 批评 and 撤销 that publishes as a numbered document."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from inspect_app import clock
from inspect_app.audit import Actor
from inspect_app.domain.enums import Role
from inspect_app.extensions import db
from inspect_app.models import Notice, Post, QuarterReview
from inspect_app.reviews.services import ReviewRefused, close_review
from tests.conftest import csrf_token, login

from .helpers import together
from .test_documents import in_order, pdf_text


def start(client: FlaskClient) -> str:
    today = date.today()
    form = {
        "csrf_token": csrf_token(client, "/reviews/"),
        "quarter": f"{today.year}-Q{(today.month - 1) // 3 + 1}",
    }
    response = client.post("/reviews/", data=form)
    assert response.status_code == 303
    return response.headers["Location"]


def decisions_on(page: str) -> dict[str, str]:
    """decision-<post id> → the option selected."""
    found = {}
    for name, body in re.findall(r'<select id="(decision-\d+)" name="[^"]+">(.*?)</select>', page, re.S):
        found[name] = re.search(r'<option value="(\w+)" selected', body).group(1)  # type: ignore[union-attr]
    return found


def form_of(client: FlaskClient, url: str, **extra: str) -> dict[str, str]:
    page = client.get(url).get_data(as_text=True)
    form = {"csrf_token": csrf_token(client, url), "held_on": date.today().isoformat(),
            "attendance": "党委书记 赵国强；组织人事部 王建华",
            "minutes": "讲评第四季度示范岗运行情况。"}  # fmt: skip
    form |= decisions_on(page)
    form |= extra
    return form


def worst_post(client: FlaskClient, url: str) -> tuple[str, str]:
    """(post id, code) of the last rated post on the record."""
    page = client.get(url).get_data(as_text=True)
    post_id = list(decisions_on(page))[-1].removeprefix("decision-")
    code = re.findall(r'<article class="card[^"]*" id="post-(\w+)"', page)[-1]
    return post_id, code


def test_the_quarter_is_reviewed_revoked_and_noticed(app: Flask, client: FlaskClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    login(client, "committee")
    url = start(client)
    assert start(client) == url  # one record per quarter
    page = client.get(url).get_data(as_text=True)
    rated = decisions_on(page)
    assert rated, "the demo's published round rates posts this quarter"
    warned = [k for k, v in rated.items() if v == "warn"]
    assert len(warned) == page.count('<span class="tag danger">预警</span>')  # 预警 posts start as warned
    post_id, code = worst_post(client, url)

    no_reason = client.post(url, data=form_of(client, url, close="1", **{f"decision-{post_id}": "revoke"}))
    assert no_reason.status_code == 422
    assert "请填写理由" in no_reason.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Post.status).where(Post.code == code)).one() == "listed"

    hr = app.test_client()
    login(hr, "hr")
    form = form_of(
        hr, url, close="1", **{f"decision-{post_id}": "revoke", f"reason-{post_id}": "连续两次预警"}
    )
    assert hr.post(url, data=form).status_code == 403  # only the committee revokes honours
    assert hr.post(url, data={**form, "close": ""}).status_code == 303  # HR may prepare the record

    revoke = {f"decision-{post_id}": "revoke", f"reason-{post_id}": "连续两次预警"}
    closed = client.post(url, data=form_of(client, url, close="1", **revoke))
    assert closed.status_code == 303
    notice_url = closed.headers["Location"]
    with app.app_context():
        post = db.session.scalars(select(Post).where(Post.code == code)).one()
        assert (post.status, post.status_reason) == ("revoked", "连续两次预警")
        review = db.session.scalars(select(QuarterReview)).one()
        assert review.status == "closed"
        assert review.attendance.startswith("党委书记")
        assert {d.post_id for d in review.decisions} == {int(k.removeprefix("decision-")) for k in rated}
    assert client.post(url, data=form_of(client, url)).status_code == 409  # closed: kept as it was
    shown = client.get(url).get_data(as_text=True)
    assert "取消示范荣誉" in shown
    assert "连续两次预警" in shown

    notice = client.get(notice_url).get_data(as_text=True)
    revocation = notice.split('id="revocation"')[1].split("</textarea>")[0]
    assert post.name in revocation
    assert "连续两次预警" in revocation
    publish = {"csrf_token": csrf_token(client, notice_url), "title": "关于第四季度党员示范岗讲评情况的通报",
               "praise": notice.split('id="praise"')[1].split(">", 1)[1].split("</textarea>")[0],
               "criticism": "", "revocation": revocation.split(">", 1)[1], "publish": "1"}  # fmt: skip
    assert client.post(notice_url, data=publish).status_code == 303
    text, _fonts = pdf_text(client.get(f"{notice_url}.pdf").data, tmp_path)
    in_order(text, "中共采矿公司委员会文件", f"〔{clock.today().year}〕",
             "关于第四季度党员示范岗讲评情况的通报", "一、择优表扬", "三、撤销示范岗", post.name,
             "连续两次预警")  # fmt: skip


def test_two_closes_at_once_draft_one_notice(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    url = start(client)
    form = form_of(client, url)
    review_id = int(url.rsplit("/", 1)[1])
    decisions = {
        int(k.removeprefix("decision-")): (v, "") for k, v in form.items() if k.startswith("decision-")
    }
    committee = Actor(None, "党委书记", Role.COMMITTEE.value)
    succeeded, errors = together(
        app, lambda _: close_review(committee, review_id, date.today(), "", "", decisions, clock.today())
    )
    assert succeeded == 1
    assert all(isinstance(e, ReviewRefused) and e.code == "closed" for e in errors), errors
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(Notice).where(Notice.review_id == review_id))
            == 1
        )

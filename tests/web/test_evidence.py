"""Evidence: a signed sheet shows its deductions, remarks and photos to its signer and the supervisors of its
post; a sealed anonymous round shows a rated post's sheets pooled by item (never one sheet's); a
rectification shows the photo it was found with beside the after-photo."""

from __future__ import annotations

import re
import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from inspect_app import demo
from inspect_app.extensions import db
from inspect_app.models import AnonSheet, Post, Rectification, SheetPhoto
from inspect_app.photos.storage import object_name
from tests.conftest import csrf_token, login

from .helpers import anonymous_round, demo_round, items_of, post_code, sheet_form
from .test_ballot import ballot, step_seal, unscored_post
from .test_photos import gps_jpeg, send_anonymous, with_files
from .test_post_lifecycle import client_as


def signed_with_evidence(app: Flask, client: FlaskClient) -> tuple[int, dict[str, object], str]:
    """HR signs the ten-day round for a post: two defects on the first counted item, a remark and a photo of
    it, and a photo of the whole sheet. Returns (sheet id, the item, the post's code)."""
    login(client, "hr")
    code = post_code(app)
    items = items_of(app, code)
    index, first = next((n, i) for n, i in enumerate(items) if not i["veto"])
    url = f"/field/{demo_round(app).id}/{code}"
    form = sheet_form(items, csrf_token(client, url), str(uuid.uuid4()), **{f"d{index}": 2})
    form[f"r-{first['id']}"] = "护帮板未打到位"
    data = with_files(form, photo=gps_jpeg((900, 700)), **{f"photo_{first['id']}": gps_jpeg((800, 600))})
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[-500:]
    return int(response.headers["Location"].split("/")[-1].split("?")[0]), first, code


def test_a_signed_sheet_shows_its_deductions_remark_and_photos(app: Flask, client: FlaskClient) -> None:
    sheet_id, item, code = signed_with_evidence(app, client)
    assert f"/evidence/sheets/{sheet_id}" in client.get(f"/field/sheets/{sheet_id}").get_data(as_text=True)
    page = client.get(f"/evidence/sheets/{sheet_id}").get_data(as_text=True)
    card = page[page.index(f'id="item-{item["id"]}"') :]
    card = card[: card.index("</article>")]
    lost = 2 * item["per"]
    assert f"扣 {format(lost.normalize(), 'f')} 分（标准分" in card
    assert "× 2" in card  # the rule it was counted against, twice
    assert "护帮板未打到位" in card
    with app.app_context():
        photos = dict(db.session.execute(select(SheetPhoto.sha256, SheetPhoto.item_id)).all())
    assert len(photos) == 2
    for sha, item_id in photos.items():
        shown_in = card if item_id == item["id"] else page[page.index("整张评分表的照片") :]
        assert object_name(sha, thumb=True) in shown_in
        assert client.get(f"/photos/{object_name(sha)}").status_code == 200


def test_who_may_open_a_signed_sheet(app: Flask, client: FlaskClient) -> None:
    sheet_id, _, code = signed_with_evidence(app, client)
    assert client_as(app, "committee").get(f"/evidence/sheets/{sheet_id}").status_code == 200
    with app.app_context():
        own = db.session.scalar(select(Post.unit_id).where(Post.code == code))
        from inspect_app.models import User

        secretary_unit = db.session.scalar(select(User.unit_id).where(User.username == "shuji"))
    expected = 200 if own == secretary_unit else 403
    assert client_as(app, "branch_secretary").get(f"/evidence/sheets/{sheet_id}").status_code == expected
    inspector = client_as(app, "inspector")
    assert inspector.get(f"/evidence/sheets/{sheet_id}").status_code == 404  # only their own sheets exist
    with app.app_context():
        sha = db.session.scalars(select(SheetPhoto.sha256)).first()
    assert inspector.get(f"/photos/{object_name(str(sha))}").status_code == 404
    assert client_as(app, "committee").get("/evidence/sheets/999999").status_code == 404


def rated_post(app: Flask) -> tuple[int, str, int]:
    """The anonymous round, a post the demo cards scored five times, and that number."""
    rnd = anonymous_round(app)
    with app.app_context():
        code, n = db.session.execute(
            select(Post.code, func.count())
            .join(AnonSheet, AnonSheet.post_id == Post.id)
            .where(AnonSheet.round_id == rnd.id)
            .group_by(Post.code)
            .order_by(func.count().desc(), Post.code)
        ).first()  # type: ignore[misc]
    return rnd.id, str(code), int(n)


def test_an_anonymous_post_is_pooled_by_item_once_sealed_and_only_if_rated(
    app: Flask, client: FlaskClient
) -> None:
    round_id, code, sheets = rated_post(app)
    assert sheets >= 5
    lone = unscored_post(app)
    card = demo.demo_card_codes()[demo.PRESCORING_CARDS]
    form = ballot(app, lone, card, defects=1)
    item = next(k for k in form if k.startswith("d-")).removeprefix("d-")
    form[f"r-{item}"] = "只有一张评分表的备注"
    assert (
        send_anonymous(client, app, lone, with_files(form, **{f"photo_{item}": gps_jpeg()})).status_code
        == 200
    )

    committee = client_as(app, "committee")
    assert committee.get(f"/evidence/rounds/{round_id}/{code}").status_code == 409  # open: counts only
    assert step_seal(committee, round_id).status_code == 303
    page = committee.get(f"/evidence/rounds/{round_id}/{code}").get_data(as_text=True)
    assert f"共 {sheets} 份评分表" in page
    assert re.search(rf"{sheets} 份评分表中有 \d+ 份扣分", page)
    assert "/evidence/sheets/" not in page  # no way to a single anonymous sheet

    unrated = committee.get(f"/evidence/rounds/{round_id}/{lone}")
    assert unrated.status_code == 409  # one sheet pooled would be that sheet
    body = unrated.get_data(as_text=True)
    assert "法定份数" in body
    assert "只有一张评分表的备注" not in body
    ranking = committee.get(f"/rankings/{round_id}").get_data(as_text=True)
    assert f"/evidence/rounds/{round_id}/{code}" in ranking
    assert f"/evidence/rounds/{round_id}/{lone}" not in ranking


def test_a_rectification_shows_before_and_after_photos(app: Flask, client: FlaskClient) -> None:
    sheet_id, item, code = signed_with_evidence(app, client)
    url = f"/rectifications/new?round={demo_round(app).id}&post={code}&sheet={sheet_id}"
    page = client.get(url).get_data(as_text=True)
    key = re.findall(r'name="line" value="([^"]+)"', page)[0]
    form = {
        "csrf_token": csrf_token(client, url),
        "line": key,
        f"problem-{key}": "护帮板未打到位",
        f"measures-{key}": "重新打设护帮板",
        f"deadline-{key}": "2099-01-01",
        f"responsible-{key}": "张海涛",
        f"checker-{key}": "王建华",
    }
    assert client.post(url, data=form).status_code == 303
    with app.app_context():
        rect = db.session.scalars(select(Rectification)).one()
        sha = db.session.scalar(select(SheetPhoto.sha256).where(SheetPhoto.item_id == rect.item_id))
        rect_id = rect.id
    assert sha is not None
    shown = client.get(f"/rectifications/{rect_id}").get_data(as_text=True)
    pair = shown[shown.index('id="before-after"') :]
    assert object_name(sha, thumb=True) in pair[: pair.index("整改后")]
    assert "暂无照片" in pair

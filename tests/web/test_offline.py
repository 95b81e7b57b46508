"""The offline app's server side: service worker and manifest, round downloads, replays answered in JSON."""

from __future__ import annotations

import gzip
import json
import re
import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from inspect_app.domain.enums import RoundStatus
from inspect_app.extensions import db
from inspect_app.models import Post, Round, RoundPost, Sheet
from tests.conftest import login
from tests.web.helpers import anonymous_round, demo_round, items_of, post_code, sheet_form


def round_codes(app: Flask, round_id: int) -> set[str]:
    with app.app_context():
        stmt = select(Post.code).join(RoundPost).where(RoundPost.round_id == round_id)
        return set(db.session.scalars(stmt))


def bundle(client: FlaskClient, url: str) -> dict[str, Any]:
    response = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Encoding"] == "gzip"
    return json.loads(gzip.decompress(response.get_data()))


def test_the_service_worker_is_served_for_the_whole_site_and_its_shell_exists(client: FlaskClient) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response.headers["Cache-Control"]
    shell = json.loads(re.search(r"var SHELL_URLS = (\[.*?\]);", response.get_data(as_text=True)).group(1))
    assert "/static/vendor/htmx-2.0.11.min.js" in shell
    assert "/outbox" in shell
    assert "/offline/" in shell
    for url in shell:
        with client.get(url) as kept:
            assert kept.status_code == 200, url


def test_the_manifest_names_the_app_and_its_icons_exist(client: FlaskClient) -> None:
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    data = manifest.get_json(force=True)
    assert data["name"] == "党员示范岗"
    assert data["display"] == "standalone"
    assert data["scope"] == "/"
    for icon in data["icons"]:
        with client.get(icon["src"]) as image:
            assert image.status_code == 200
            assert image.mimetype == "image/png"
    assert 'rel="manifest"' in client.get("/").get_data(as_text=True)


def test_an_anonymous_round_downloads_in_one_request_without_a_session(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "inspector")
    rnd = anonymous_round(app)
    response = client.get(f"/b/rounds/{rnd.id}/bundle.json", headers={"Accept-Encoding": "gzip"})
    assert "Set-Cookie" not in response.headers  # /b/ knows nobody, downloads included
    data = json.loads(gzip.decompress(response.get_data()))
    codes = round_codes(app, rnd.id)
    assert {p["code"] for p in data["posts"]} == codes
    with app.app_context():
        versions = set(
            db.session.scalars(select(RoundPost.standard_version_id).where(RoundPost.round_id == rnd.id))
        )
    parts = {f"/offline/parts/{rnd.id}/{v}.html" for v in versions}  # each standard's checklist, once
    assert set(data["pages"]) == {f"/p/{c}" for c in codes} | {f"/b/{rnd.id}/{c}" for c in codes} | parts
    form = data["pages"][f"/b/{rnd.id}/{sorted(codes)[0]}"]
    assert 'data-outbox="ballot"' in form
    assert 'name="card"' in form
    named = re.search(r"<!--inspect-items:(\S+)-->", form)
    assert named
    assert named.group(1) in parts
    assert 'name="d-' not in form
    assert 'name="d-' in data["pages"][named.group(1)]
    assert "sheet-bar" in data["pages"][named.group(1)]
    assert "退出" not in data["pages"][f"/p/{sorted(codes)[0]}"]  # rendered for nobody
    assert "script-src 'self'" in data["headers"]["Content-Security-Policy"]


def test_a_signed_round_downloads_only_for_its_assessors_and_skips_what_they_signed(
    app: Flask, client: FlaskClient
) -> None:
    rnd = demo_round(app)
    assert client.get(f"/b/rounds/{rnd.id}/bundle.json").status_code == 404  # not anonymous
    login(client, "renshi2")
    data = bundle(client, f"/offline/rounds/{rnd.id}/bundle.json")
    scored = [p for p in data["posts"] if p["scored"]]
    unscored = [p for p in data["posts"] if not p["scored"]]
    assert scored
    assert unscored
    assert all(p["form"] not in data["pages"] and p["page"] in data["pages"] for p in scored)
    assert all(p["form"] in data["pages"] for p in unscored)
    assert 'data-outbox="signed"' in data["pages"][unscored[0]["form"]]
    client.post("/logout", data={"csrf_token": client.get("/offline/session.json").get_json()["csrf_token"]})
    login(client, "inspector")  # an inspector is not named as this round's assessor
    assert client.get(f"/offline/rounds/{rnd.id}/bundle.json").status_code == 404


def test_a_closed_round_cannot_be_downloaded(app: Flask, client: FlaskClient) -> None:
    rnd = anonymous_round(app)
    with app.app_context():
        db.session.execute(update(Round).where(Round.id == rnd.id).values(status=RoundStatus.SEALED.value))
        db.session.commit()
    response = client.get(f"/b/rounds/{rnd.id}/bundle.json", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert "无法下载" in response.get_json()["message"]


def test_the_download_page_lists_the_rounds_this_phone_may_score(app: Flask, client: FlaskClient) -> None:
    anonymous, signed = anonymous_round(app), demo_round(app)
    page = client.get("/offline/").get_data(as_text=True)
    assert f'data-round="{anonymous.id}"' in page
    assert f'data-round="{signed.id}"' not in page
    login(client, "renshi")
    page = client.get("/offline/").get_data(as_text=True)
    assert f'data-round="{anonymous.id}"' in page
    assert f'data-round="{signed.id}"' in page


def signed_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Sheet)) or 0)


def test_a_replayed_signed_sheet_is_acknowledged_once_even_after_the_round_is_sealed(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "renshi")
    session = client.get("/offline/session.json")
    assert "no-store" in session.headers["Cache-Control"]
    token = session.get_json()["csrf_token"]
    code, rnd = post_code(app), demo_round(app)
    form = sheet_form(items_of(app, code), token, str(uuid.uuid4()), d0=1)
    before = signed_count(app)
    first = client.post(f"/field/{rnd.id}/{code}", data=form, headers={"Accept": "application/json"})
    assert first.status_code == 200
    assert first.get_json()["result"] == "stored"
    assert first.get_json()["message"] == "评分已保存"
    with app.app_context():
        db.session.execute(update(Round).where(Round.id == rnd.id).values(status=RoundStatus.SEALED.value))
        db.session.commit()
    again = client.post(f"/field/{rnd.id}/{code}", data=form, headers={"Accept": "application/json"})
    assert again.status_code == 200
    assert again.get_json()["sheet_id"] == first.get_json()["sheet_id"]
    fresh = dict(form, submission_id=str(uuid.uuid4()))
    late = client.post(f"/field/{rnd.id}/{code}", data=fresh, headers={"Accept": "application/json"})
    assert late.status_code == 410
    assert late.get_json()["error"] == "round_closed"
    assert signed_count(app) == before + 1


def test_a_refused_form_post_names_its_sheet_so_the_phone_can_settle_it(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "renshi")
    token = client.get("/offline/session.json").get_json()["csrf_token"]
    code, rnd = post_code(app), demo_round(app)
    items = items_of(app, code)
    assert (
        client.post(f"/field/{rnd.id}/{code}", data=sheet_form(items, token, str(uuid.uuid4()))).status_code
        == 303
    )
    second = str(uuid.uuid4())
    refused = client.post(f"/field/{rnd.id}/{code}", data=sheet_form(items, token, second))
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert f'data-answered="{second}"' in page
    assert 'data-status="409"' in page
    invalid = client.post(
        f"/field/{rnd.id}/{post_code(app)}",
        data=sheet_form(items_of(app, post_code(app)), token, second, d0=-1),
    )
    assert invalid.status_code == 422
    assert f'data-answered="{second}"' in invalid.get_data(as_text=True)
    assert 'data-answered=""' in client.get(f"/field/{rnd.id}/{post_code(app)}").get_data(as_text=True)


def test_the_high_contrast_theme_is_a_cookie_and_next_stays_on_this_site(client: FlaskClient) -> None:
    switched = client.get("/theme?set=contrast&next=/outbox")
    assert switched.status_code == 303
    assert switched.headers["Location"] == "/outbox"
    assert 'data-theme="contrast"' in client.get("/outbox").get_data(as_text=True)
    assert client.get("/theme?set=default&next=//evil.example/x").headers["Location"] == "/"
    assert client.get("/theme?set=default&next=https://evil.example/").headers["Location"] == "/"
    assert (
        client.get("/theme?set=default&next=/%5Cevil.example/").headers["Location"] == "/"
    )  # browsers read /\ as //
    bad = client.get("/theme?set=rainbow")
    assert bad.status_code == 400
    assert "配色" in bad.get_data(as_text=True)

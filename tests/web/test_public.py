"""What a miner sees after scanning a signboard: no login, the five clarities, a QR that decodes."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from pyzbar.pyzbar import decode
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Post
from tests.conftest import login, make_app

from .helpers import post_code


def all_codes(app: Flask) -> list[str]:
    with app.app_context():
        public = Post.status.in_(("listed", "expired", "revoked"))  # posts that have hung a board
        return list(db.session.scalars(select(Post.code).where(public).order_by(Post.code)))


def test_public_post_page_shows_the_five_clarities_without_login(app: Flask, client: FlaskClient) -> None:
    code = post_code(app)
    with app.app_context():
        post = db.session.scalars(select(Post).where(Post.code == code)).one()
        expected = [
            post.name,
            post.area,
            post.unit.name,
            post.assessor,
            post.standard_version.standard.title,
            post.start_date.isoformat(),
            post.end_date.isoformat(),
            post.demonstrators[0].member.name,
        ]
    response = client.get(f"/p/{code}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in expected:
        assert text in page
    assert 'href="/field/' not in page  # signed scoring is for logged-in assessors only
    assert "public" in response.headers["Cache-Control"]


def test_unknown_code_says_so_in_chinese(client: FlaskClient) -> None:
    response = client.get("/p/ZZZZZ")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_typed_code_opens_the_post(app: Flask, client: FlaskClient) -> None:
    code = post_code(app)
    response = client.get(f"/go?code={code.lower()[:2]}-{code.lower()[2:]}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/p/{code}")
    missing = client.get("/go?code=hello")
    assert missing.status_code == 404
    assert "没有此编码" in missing.get_data(as_text=True)


def test_every_png_qr_decodes_to_its_posts_absolute_url(app: Flask, client: FlaskClient) -> None:
    for code in all_codes(app):
        response = client.get(f"/p/{code}/qr.png")
        assert response.mimetype == "image/png"
        symbols = decode(Image.open(io.BytesIO(response.data)))
        assert [s.data.decode() for s in symbols] == [f"http://inspect.test/p/{code}"]


def test_qr_uses_the_configured_public_host(app: Flask, migrated_url: str) -> None:
    code = post_code(app)
    other = make_app(migrated_url, PUBLIC_BASE_URL="https://kuang.example.cn/")
    response = other.test_client().get(f"/p/{code}/qr.png")
    assert (
        decode(Image.open(io.BytesIO(response.data)))[0].data.decode() == f"https://kuang.example.cn/p/{code}"
    )
    with other.app_context():
        db.engine.dispose()


def test_svg_qr_is_served_for_print(app: Flask, client: FlaskClient) -> None:
    response = client.get(f"/p/{post_code(app)}/qr.svg")
    assert response.mimetype == "image/svg+xml"
    assert response.data.lstrip().startswith(b"<?xml")
    assert client.get("/p/ZZZZZ/qr.svg").status_code == 404


def test_public_pages_are_rate_limited(app: Flask, migrated_url: str) -> None:
    limited = make_app(migrated_url, RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="3 per minute")
    client = limited.test_client()
    code = post_code(app)
    statuses = [client.get(f"/p/{code}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "请求过于频繁" in client.get(f"/p/{code}").get_data(as_text=True)
    with limited.app_context():
        db.engine.dispose()


def test_logged_in_page_is_not_cached_publicly(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    response = client.get(f"/p/{post_code(app)}")
    assert "private" in response.headers["Cache-Control"]


@pytest.mark.parametrize("path", ["/", "/login"])
def test_pages_carry_a_strict_content_security_policy(client: FlaskClient, path: str) -> None:
    csp = client.get(path).headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-eval" not in csp
    assert "unsafe-inline" not in csp

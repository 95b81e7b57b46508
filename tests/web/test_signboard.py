"""Signboard PDFs (牌板) and board code rotation: the QR printed on paper scans to the post's URL, and a
replaced board's code never opens anything but a "board replaced" page. Checked with poppler and zbar, which
scripts/setup --dev installs (no skip: a missing tool must fail, not hide)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Member, Post
from tests.conftest import csrf_token, login

from .helpers import demo_round


def listed_codes(app: Flask) -> list[str]:
    with app.app_context():
        stmt = select(Post.code).where(Post.status == "listed").order_by(Post.code)
        return list(db.session.scalars(stmt))


def scan_pdf(pdf: bytes, tmp_path: Path, dpi: int = 100) -> list[str]:
    """Render every page to PNG as a printer would, then decode QR codes with zbar, page by page."""
    (tmp_path / "board.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "board.pdf", "page"], cwd=tmp_path, check=True)
    found = []
    for page in sorted(tmp_path.glob("page-*.png")):
        out = subprocess.run(
            ["zbarimg", "-q", "--raw", page.name], cwd=tmp_path, capture_output=True, text=True
        )
        found += out.stdout.split()
    return found


def test_batch_signboards_scan_to_each_posts_url_in_order(app: Flask, tmp_path: Path) -> None:
    client = app.test_client()
    login(client, "committee")
    codes = listed_codes(app)[:3]
    response = client.get("/posts/signboards.pdf?" + "&".join(f"code={c}" for c in codes))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert scan_pdf(response.data, tmp_path) == [f"http://inspect.test/p/{c}" for c in codes]
    fonts = subprocess.run(["pdffonts", "-"], input=response.data, capture_output=True, check=True)
    assert b"WenQuanYi" in fonts.stdout
    assert b"yes" in fonts.stdout
    text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True)
    for show in ("亮身份", "亮岗位", "亮职责", "亮标准", "亮业绩"):
        assert show.encode() in text.stdout
    for code in codes:
        assert f"牌板代码 {code}".encode() in text.stdout  # the short code under the QR, for typing


def test_qr_is_at_least_six_centimetres_when_printed(app: Flask, tmp_path: Path) -> None:
    client = app.test_client()
    login(client, "committee")
    code = listed_codes(app)[0]
    pdf = client.get(f"/posts/{code}/signboard.pdf").data
    (tmp_path / "b.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "b.pdf", "p"], cwd=tmp_path, check=True)
    from PIL import Image
    from pyzbar.pyzbar import decode

    with Image.open(next(tmp_path.glob("p-*.png"))) as image:
        (found,) = decode(image)
    assert found.data.decode() == f"http://inspect.test/p/{code}"
    width_cm = found.rect.width / 100 * 2.54  # rendered at 100 dpi
    assert width_cm >= 6.0, width_cm


def test_signboard_of_an_unlisted_post_or_an_empty_choice_is_refused(app: Flask) -> None:
    client = app.test_client()
    login(client, "committee")
    with app.app_context():
        draft = db.session.scalars(select(Post.code).where(Post.status == "draft")).first()
    assert client.get(f"/posts/{draft}/signboard.pdf").status_code == 409
    assert client.get("/posts/signboards.pdf").status_code == 422
    assert client.get("/posts/signboards.pdf?code=NOPE1").status_code == 422


def test_more_signboards_than_one_pdf_holds_are_refused_with_a_message_not_cut_short(app: Flask) -> None:
    """Asking for 60 once gave 50 pages and no word about the other 10."""
    client = app.test_client()
    login(client, "committee")
    with app.app_context():
        code = db.session.scalars(select(Post.code).where(Post.status == "listed")).first()
    many = "&".join(f"code={code[:-1]}{chr(65 + i % 26)}{i}" for i in range(59)) + f"&code={code}"
    response = client.get(f"/posts/signboards.pdf?{many}")
    assert response.status_code == 422
    assert "最多" in response.get_data(as_text=True)


def rotate(client: FlaskClient, code: str, confirm: bool = True):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/posts/{code}")
    data = {"csrf_token": token, **({"confirm": "yes"} if confirm else {})}
    return client.post(f"/posts/{code}/rotate", data=data)


def test_rotated_code_says_board_replaced_and_never_opens_a_form(app: Flask) -> None:
    secretary = app.test_client()
    login(secretary, "branch_secretary")
    with app.app_context():
        old = db.session.scalars(
            select(Post.code).where(Post.status == "listed", Post.name == "56804工作面运料巷")
        ).one()
    assert rotate(secretary, old, confirm=False).status_code == 422
    response = rotate(secretary, old)
    assert response.status_code == 303
    new = response.headers["Location"].rsplit("/", 1)[1]
    assert new != old

    public = app.test_client()
    replaced = public.get(f"/p/{old}")
    assert replaced.status_code == 410
    assert "此牌板已于" in replaced.get_data(as_text=True)
    assert public.get(f"/p/{old}/qr.png").status_code == 410
    assert public.get(f"/p/{new}").status_code == 200

    inspector = app.test_client()
    login(inspector, "hr")  # HR signs this post (its assessor) in the demo's ten-day supervision
    form = inspector.get(f"/field/{demo_round(app).id}/{old}")
    assert form.status_code == 410
    assert "牌板已更换" in form.get_data(as_text=True)
    assert inspector.get(f"/field/{demo_round(app).id}/{new}").status_code in (200, 303)


def photo_with_gps() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (1200, 1600), (200, 160, 120))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (39.0, 54.0, 0.0)}  # GPSInfo: latitude
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def upload_portrait(client: FlaskClient, code: str, member_id: int, data: bytes):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/posts/{code}")
    return client.post(
        f"/posts/{code}/portrait/{member_id}",
        data={"csrf_token": token, "photo": (io.BytesIO(data), "me.jpg")},
        content_type="multipart/form-data",
    )


def test_portrait_is_cleaned_and_printed_on_the_signboard(app: Flask) -> None:
    from PIL import Image

    secretary = app.test_client()
    login(secretary, "branch_secretary")
    with app.app_context():
        post = db.session.scalars(select(Post).where(Post.name == "56804工作面运料巷")).one()
        code, member_id = post.code, post.demonstrators[0].member_id
    assert upload_portrait(secretary, code, member_id, b"not a photo").status_code == 415
    assert upload_portrait(secretary, code, member_id, photo_with_gps()).status_code == 303
    with app.app_context():
        stored = db.session.get_one(Member, member_id).portrait
    assert stored is not None
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (360, 480)
        assert not image.getexif()  # no camera, no GPS
    pdf = secretary.get(f"/posts/{code}/signboard.pdf").data
    images = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True)
    assert len(images.stdout.splitlines()) == 3  # header, rule, one embedded picture: the portrait
    other = upload_portrait(secretary, code, 999_999, photo_with_gps())
    assert other.status_code == 404  # only a demonstrator of this post

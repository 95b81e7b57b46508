"""A real photo attached on a phone: shrunk by the page before upload, stored clean and upright."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select

from inspect_app import demo
from inspect_app.audit import Actor
from inspect_app.domain.ballots import RoundAction, format_card
from inspect_app.domain.enums import Role
from inspect_app.extensions import db
from inspect_app.models import AnonSheetPhoto
from inspect_app.photos.storage import object_name
from inspect_app.photos.uploads import photo_store
from inspect_app.rounds.services import step_round
from tests.web.helpers import anonymous_round
from tests.web.test_ballot import unscored_post

pytestmark = pytest.mark.browser


def camera_photo(path: Path) -> int:
    """A 12 MP landscape JPEG as a phone saves it: grain, GPS, maker, and 'rotate 90°' for a portrait shot."""
    rng = random.Random(7)  # noqa: S311 — test content
    small = Image.new("RGB", (400, 300))
    small.putdata([(rng.randrange(256), rng.randrange(256), 90) for _ in range(400 * 300)])
    image = small.resize((4000, 3000), Image.Resampling.BILINEAR)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6
    exif.get_ifd(0x8825)[2] = (39.0, 54.0, 27.0)
    image.save(path, "JPEG", quality=92, exif=exif)
    return path.stat().st_size


def test_a_phone_photo_arrives_shrunk_upright_and_clean(
    app: Flask, live_server: str, phone: Page, tmp_path: Path
) -> None:
    original = tmp_path / "IMG_0001.jpg"
    size = camera_photo(original)
    code = unscored_post(app)
    phone.goto(f"{live_server}/b/{anonymous_round(app).id}/{code}")
    phone.locator("input[name=card]").fill(format_card(demo.demo_card_codes()[demo.PRESCORING_CARDS + 1]))
    phone.locator("#photo").set_input_files(str(original))
    expect(phone.locator("#photo + .photo-note")).to_contain_text("KB")
    with phone.expect_request(lambda r: r.method == "POST") as sent:
        phone.get_by_role("button", name="提交评分").click()
    expect(phone.locator("#stored h1")).to_have_text("评分已保存")
    body = sent.value.post_data_buffer or b""
    assert len(body) < 400_000 < size  # the phone sent a shrunk photo, not the 12 MP original
    with app.app_context():
        photo = db.session.scalars(select(AnonSheetPhoto)).one()
        db.session.expunge(photo)
        assert photo_store(app).get(object_name(photo.sha256)) is None  # held until the round is sealed
        step_round(Actor(None, "test", Role.COMMITTEE), anonymous_round(app).id, RoundAction.SEAL)
        stored = photo_store(app).get(object_name(photo.sha256))
    assert (photo.width, photo.height) == (1200, 1600)  # upright: the portrait shot stands
    assert stored is not None
    with Image.open(io.BytesIO(stored)) as clean:
        assert not clean.getexif()
        assert clean.size == (1200, 1600)
    assert b"PhoneMaker" not in stored

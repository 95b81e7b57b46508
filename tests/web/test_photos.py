"""Photos with sheets: stored clean and content-addressed, refused with a reason, atomic with their sheet,
shown only through the sheets' authorisation (anonymous ones after sealing), orphans cleaned up."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from inspect_app import demo
from inspect_app.extensions import db
from inspect_app.models import AnonSheetPhoto, SheetPhoto
from inspect_app.photos.cleanup import remove_orphans
from inspect_app.photos.storage import object_name
from inspect_app.photos.uploads import photo_store
from tests.conftest import csrf_token, login
from tests.unit.test_photo_sanitise import jpeg_markers

from .helpers import anonymous_round, demo_round, items_of, post_code, sheet_form
from .test_ballot import ballot, step_seal, unscored_post

CARD = demo.demo_card_codes()[demo.PRESCORING_CARDS]


def gps_jpeg(size: tuple[int, int] = (2400, 1800)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (39.0, 54.0, 27.0)
    out = io.BytesIO()
    Image.new("RGB", size, (90, 140, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def with_files(form: dict[str, str], **files: bytes | list[bytes]) -> dict[str, Any]:
    data: dict[str, Any] = dict(form)
    for field, content in files.items():
        items = content if isinstance(content, list) else [content]
        data[field.replace("_", "-")] = [(io.BytesIO(c), f"IMG_{i}.jpg") for i, c in enumerate(items)]
    return data


def send_anonymous(client: FlaskClient, app: Flask, code: str, form: dict[str, Any], json: bool = False):  # type: ignore[no-untyped-def]
    headers = {"Accept": "application/json"} if json else {}
    url = f"/b/{anonymous_round(app).id}/{code}"
    return client.post(url, data=form, content_type="multipart/form-data", headers=headers)


def anon_photos(app: Flask) -> list[AnonSheetPhoto]:
    with app.app_context():
        rows = list(db.session.scalars(select(AnonSheetPhoto)))
        db.session.expunge_all()
        return rows


def test_anonymous_sheet_photos_are_stored_clean_and_shown_only_after_sealing(
    app: Flask, client: FlaskClient
) -> None:
    code = unscored_post(app)
    form = ballot(app, code, CARD, defects=1)
    item = next(k for k in form if k.startswith("d-")).removeprefix("d-")
    response = send_anonymous(
        client, app, code, with_files(form, photo=gps_jpeg(), **{f"photo_{item}": gps_jpeg((800, 600))})
    )
    assert response.status_code == 200, response.get_data(as_text=True)[-600:]
    rows = anon_photos(app)
    assert {(r.item_id, r.width, r.height) for r in rows} == {(None, 1600, 1200), (int(item), 800, 600)}
    with app.app_context():
        assert photo_store(app).get(object_name(rows[0].sha256)) is None  # held until sealing
    viewer = app.test_client()
    login(viewer, "committee")
    assert step_seal(viewer, anonymous_round(app).id).status_code == 303
    with app.app_context():
        store = photo_store(app)
        stored = store.get(object_name(rows[0].sha256))
        root = Path(app.config["PHOTO_DIR"])
    assert stored is not None
    assert b"PhoneMaker" not in stored
    assert b"Exif" not in stored
    assert not {0xE1, 0xE2, 0xFE} & set(jpeg_markers(stored))  # no EXIF/XMP, ICC or comment segments
    files = [p for p in root.rglob("*.jpg")]
    assert all(p.stat().st_mtime % 86400 == 0 for p in files)  # the day only, never the time it arrived

    url = f"/photos/{object_name(rows[0].sha256)}"
    assert app.test_client().get(url).status_code == 302  # not logged in: to the login page
    shown = viewer.get(url)
    assert shown.status_code == 200
    assert shown.mimetype == "image/jpeg"
    inspector = app.test_client()
    login(inspector, "inspector")
    assert inspector.get(url).status_code == 404  # as if there were no such photo


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        (b"<html><script>alert(1)</script></html>", 415, "不是照片"),
        (gps_jpeg()[:5000], 422, "已损坏"),
    ],
)
def test_a_bad_file_refuses_the_sheet_with_its_reason_and_keeps_the_entries(
    app: Flask, client: FlaskClient, content: bytes, status: int, message: str
) -> None:
    code = unscored_post(app)
    form = ballot(app, code, CARD, defects=1)
    response = send_anonymous(client, app, code, with_files(form, photo=[gps_jpeg(), content]))
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="1"' in page  # the defect count is still filled in
    assert anon_photos(app) == []
    json = send_anonymous(client, app, code, with_files(form, photo=content), json=True)
    assert json.status_code == status
    assert message in json.json["message"]


def test_too_many_photos_or_an_unknown_item_are_refused(app: Flask, client: FlaskClient) -> None:
    code = unscored_post(app)
    form = ballot(app, code, CARD)
    limit = app.config["MAX_PHOTOS_PER_SHEET"]
    many = send_anonymous(client, app, code, with_files(form, photo=[gps_jpeg((64, 48))] * (limit + 1)))
    assert many.status_code == 422
    assert f"最多 {limit} 张照片" in many.get_data(as_text=True)
    stray = send_anonymous(client, app, code, with_files(form, photo_999999=gps_jpeg((64, 48))))
    assert stray.status_code == 422
    assert anon_photos(app) == []


def test_replay_of_a_sheet_with_photos_is_stored_once_another_form_is_a_conflict(
    app: Flask, client: FlaskClient
) -> None:
    code = unscored_post(app)
    form = ballot(app, code, CARD)
    first = send_anonymous(client, app, code, with_files(form, photo=gps_jpeg()), json=True)
    again = send_anonymous(client, app, code, with_files(form, photo=gps_jpeg()), json=True)
    another_form = {**form, "submission_id": str(uuid.uuid4())}
    other_photo = with_files(another_form, photo=gps_jpeg((1000, 800)))
    other = send_anonymous(client, app, code, other_photo, json=True)
    assert (first.status_code, again.status_code, other.status_code) == (200, 200, 409)
    assert again.json["replay"] is True
    assert len(anon_photos(app)) == 1


def test_oversized_request_is_refused_413(app: Flask, client: FlaskClient) -> None:
    code = unscored_post(app)
    body = b"card=" + b"A" * app.config["MAX_CONTENT_LENGTH"]
    url = f"/b/{anonymous_round(app).id}/{code}"
    response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "过大" in response.get_data(as_text=True)


def test_signed_sheet_photo_is_shown_to_supervisors_of_its_unit_at_once(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "hr")
    code = post_code(app)
    url = f"/field/{demo_round(app).id}/{code}"
    form = sheet_form(items_of(app, code), csrf_token(client, url), str(uuid.uuid4()))
    response = client.post(url, data=with_files(form, photo=gps_jpeg()), content_type="multipart/form-data")
    assert response.status_code == 303
    with app.app_context():
        sha = db.session.scalars(select(SheetPhoto.sha256)).one()
    assert client.get(f"/photos/{object_name(sha, thumb=True)}").status_code == 200
    other_unit = app.test_client()
    login(other_unit, "branch_secretary")  # 综采一区; whether this post is theirs decides
    with app.app_context():
        from inspect_app.models import Post, Unit

        own = db.session.scalar(
            select(Unit.code).join(Post, Post.unit_id == Unit.id).where(Post.code == code)
        )
    expected = 200 if own == "zc1" else 404
    assert other_unit.get(f"/photos/{object_name(sha)}").status_code == expected


def test_a_failed_sheet_leaves_its_photo_out_of_the_store(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A held photo whose sheet never committed is not released at sealing: the store gets only the photos
    of stored sheets, and the held batch is gone."""
    code = unscored_post(app)
    kept = send_anonymous(client, app, code, with_files(ballot(app, code, CARD), photo=gps_jpeg((640, 480))))
    assert kept.status_code == 200
    import inspect_app.ballot.services as services

    def crash(*_: object) -> None:
        raise RuntimeError("power cut between the file and the commit")

    monkeypatch.setattr(services, "_insert", crash)
    card = demo.demo_card_codes()[demo.PRESCORING_CARDS + 1]
    with pytest.raises(RuntimeError):
        send_anonymous(client, app, code, with_files(ballot(app, code, card), photo=gps_jpeg((900, 700))))
    monkeypatch.undo()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AnonSheetPhoto)) == 1
    retry = send_anonymous(client, app, code, with_files(ballot(app, code, card), photo=gps_jpeg((900, 600))))
    assert retry.status_code == 200  # the failed card can still score: nothing of its sheet was kept
    login(client, "committee")
    assert step_seal(client, anonymous_round(app).id).status_code == 303
    with app.app_context():
        left = set(photo_store(app).names())
        assert list(photo_store(app).batches()) == []
    assert left == {object_name(p.sha256, thumb) for p in anon_photos(app) for thumb in (False, True)}
    assert len(left) == 4


def test_cleanup_removes_store_files_no_row_references(app: Flask) -> None:
    with app.app_context():
        store = photo_store(app)
        store.put(object_name("ab" * 32), b"orphan")
        store.put(object_name("ab" * 32, thumb=True), b"orphan")
        assert remove_orphans(wait=0) == 2
        assert list(store.names()) == []


def test_photos_go_to_an_s3_bucket_when_configured(
    app: Flask, migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3
    from moto import mock_aws

    from tests.conftest import make_app

    for name, value in {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="evidence")
        s3_app = make_app(migrated_url, PHOTO_STORE="s3", S3_BUCKET="evidence")
        client = s3_app.test_client()
        code = unscored_post(app)
        response = send_anonymous(client, app, code, with_files(ballot(app, code, CARD), photo=gps_jpeg()))
        assert response.status_code == 200
        s3 = boto3.client("s3")
        held = [o["Key"] for o in s3.list_objects_v2(Bucket="evidence")["Contents"]]
        login(client, "committee")
        sealed_at = datetime.now(UTC).replace(microsecond=0)
        assert step_seal(client, anonymous_round(app).id).status_code == 303
        objects = s3.list_objects_v2(Bucket="evidence")["Contents"]
        keys = [o["Key"] for o in objects]
        stored = s3.get_object(Bucket="evidence", Key=keys[0])["Body"].read()
        with s3_app.app_context():
            db.engine.dispose()
    # held apart while the round was open; written into the store at sealing, so S3's LastModified says
    # when the round was sealed, never when a sheet arrived
    assert len(held) == 2
    assert all(k.startswith(f"photos/held/{anonymous_round(app).id}/") for k in held)
    assert len(keys) == 2  # the photo and its thumbnail
    assert sum(k.endswith(".t.jpg") for k in keys) == 1
    assert all(k.startswith("photos/") and "/held/" not in k for k in keys)
    assert all(o["LastModified"] >= sealed_at for o in objects)
    assert b"PhoneMaker" not in stored
    assert not {0xE1, 0xE2, 0xFE} & set(jpeg_markers(stored))


def test_every_table_holding_photos_is_on_the_owners_list(app: Flask) -> None:
    """Cleanup and serving ask one list; a table naming photos by sha256 that is not on it would have its
    photos deleted by the daily cleanup (as rectification after-photos once were)."""
    from inspect_app.photos.owners import OWNERS

    holding = {t.name for t in db.metadata.tables.values() if "sha256" in t.c}
    assert holding == {owner.table.__tablename__ for owner in OWNERS}


def test_cleanup_keeps_rectification_after_photos(app: Flask, client: FlaskClient) -> None:
    from tests.web.test_rectifications import issued_from_a_sheet, jpeg

    rect = issued_from_a_sheet(app, client)
    url = f"/rectifications/{rect.id}"
    token = csrf_token(client, url)
    client.post(f"{url}/assign", data={"csrf_token": token, "responsible": "刘国华"})
    done = client.post(
        f"{url}/complete",
        data={"csrf_token": token, "note": "已补液", "photo": (io.BytesIO(jpeg()), "a.jpg")},
    )
    assert done.status_code == 303
    with app.app_context():
        before = set(photo_store(app).names())
        assert len(before) == 2  # the after-photo and its thumbnail
        assert remove_orphans(wait=0) == 0
        assert set(photo_store(app).names()) == before
    assert client.get(f"/photos/{sorted(before)[0]}").status_code == 200


def test_cleanup_removes_half_written_files_a_killed_upload_left(app: Flask) -> None:
    with app.app_context():
        store = photo_store(app)
        store.put(object_name("cd" * 32), b"whole")
        root = Path(app.config["PHOTO_DIR"])
        partial = root / "ab" / "cd" / ".tmp-k1ll3d"
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(b"half a pho")
        held = root / "held" / "7" / ".tmp-k1ll3d"
        held.parent.mkdir(parents=True)
        held.write_bytes(b"half")
        assert remove_orphans(wait=0) == 3  # the unowned photo and both half-written files
    assert not partial.exists()
    assert not held.exists()

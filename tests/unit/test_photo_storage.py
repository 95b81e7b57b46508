"""Photo stores: content-addressed, atomic, idempotent; the local directory and an S3 bucket (moto) alike."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from inspect_app.photos.storage import LocalStore, PhotoStore, S3Store, object_name

DATA = b"\xff\xd8 a clean jpeg \xff\xd9"
NAME = object_name(hashlib.sha256(DATA).hexdigest())


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PhotoStore]:
    if request.param == "local":
        yield LocalStore(tmp_path / "photos")
        return
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")  # noqa: S106
        client.create_bucket(Bucket="evidence")
        yield S3Store(client, "evidence")


def test_put_get_delete_round_trip(store: PhotoStore) -> None:
    assert store.get(NAME) is None
    store.put(NAME, DATA)
    store.put(NAME, DATA)  # the same photo again: nothing changes
    assert store.get(NAME) == DATA
    assert list(store.names()) == [NAME]
    store.delete(NAME)
    assert store.get(NAME) is None
    assert list(store.names()) == []


@pytest.mark.parametrize(
    "bad", ["../../etc/passwd", "x.jpg", NAME.replace(".jpg", ".html"), "A" * 64 + ".jpg"]
)
def test_only_photo_names_are_accepted(store: PhotoStore, bad: str) -> None:
    with pytest.raises(ValueError, match="not a photo object name"):
        store.put(bad, DATA)


def test_local_store_leaves_no_partial_file_behind(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put(NAME, DATA)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert [p.name for p in files] == [NAME]
    assert files[0].parent.parent.parent == tmp_path  # ab/cd/<sha>.jpg
    mtime = files[0].stat().st_mtime
    assert mtime % 86400 == 0  # only the day it arrived, not the time
    assert time.time() - mtime < 86400

"""Photos arriving with a sheet: read from the multipart form, sanitised, written to the store.

Fields: ``photo`` (the sheet as a whole) and ``photo-<item id>`` (one checklist item), each may repeat. All
photos of a sheet are sanitised before anything is stored, so a bad file refuses the sheet with its reason and
nothing half-done is left; files are written before the sheet's transaction and become visible only with
its rows (see ``storage``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from werkzeug.datastructures import FileStorage, MultiDict

from inspect_app import tenancy

from .sanitise import CleanPhoto, PhotoRefused, sanitise
from .storage import LocalStore, PhotoStore, S3Store, object_name


@dataclass(frozen=True)
class Upload:
    item_id: int | None
    photo: CleanPhoto


class UploadRefused(Exception):
    """``code``: a ``PhotoRefused`` code, ``too_many`` or ``bad_field``; ``item_id`` where it was attached,
    ``name`` the file's name on the phone; ``others`` the rest of the form's bad photos, each checked too."""

    def __init__(
        self, code: str, item_id: int | None = None, name: str = "", others: tuple[UploadRefused, ...] = ()
    ) -> None:
        super().__init__(code)
        self.code = code
        self.item_id = item_id
        self.name = name
        self.others = others

    @property
    def status(self) -> int:
        return 415 if self.code == "not_an_image" else 422


def _fields(files: MultiDict[str, FileStorage]) -> list[tuple[int | None, FileStorage]]:
    found: list[tuple[int | None, FileStorage]] = []
    for key, upload in files.items(multi=True):
        if not upload.filename and not upload.content_length:
            continue  # an empty file input
        prefix, _, rest = key.partition("-")
        if prefix != "photo" or (rest and not (rest.isascii() and rest.isdigit() and len(rest) < 10)):
            raise UploadRefused("bad_field")
        found.append((int(rest) if rest else None, upload))
    return found


def read_uploads(files: MultiDict[str, FileStorage], limit: int) -> list[Upload]:
    """Every photo of the form, sanitised; refuses the lot beyond ``limit`` or if any is bad, naming each bad
    one (so the inspector knows which to take again)."""
    fields = _fields(files)
    if len(fields) > limit:
        raise UploadRefused("too_many")
    uploads = []
    bad: list[UploadRefused] = []
    for item_id, upload in fields:
        try:
            uploads.append(Upload(item_id, sanitise(upload.read())))
        except PhotoRefused as refused:
            bad.append(UploadRefused(refused.code, item_id, (upload.filename or "")[:100]))
    if bad:
        raise UploadRefused(bad[0].code, bad[0].item_id, bad[0].name, tuple(bad[1:]))
    return uploads


def photo_store(app: Flask | None = None) -> PhotoStore:
    """The configured store: ``PHOTO_STORE = "local"`` (``PHOTO_DIR``) or ``"s3"`` (``S3_BUCKET``…)."""
    app = app or current_app
    cache = tenancy.state() if tenancy.is_group(app) else app.extensions  # a mine's photos: its own folder
    store = cache.get("inspect_photo_store")
    if store is None:
        if app.config["PHOTO_STORE"] == "s3":
            import boto3  # optional dependency: pip install .[s3]

            client = boto3.client("s3", endpoint_url=app.config.get("S3_ENDPOINT_URL"))
            store = S3Store(client, app.config["S3_BUCKET"], app.config.get("S3_PREFIX", "photos/"))
        else:
            store = LocalStore(Path(app.config.get("PHOTO_DIR") or Path(app.instance_path) / "photos"))
        cache["inspect_photo_store"] = store
    return store


def store_files(uploads: Sequence[Upload]) -> None:
    """Write the clean photos and thumbnails (idempotent); rows referencing them come after."""
    store = photo_store()
    for upload in uploads:
        store.put(object_name(upload.photo.sha256), upload.photo.full)
        store.put(object_name(upload.photo.sha256, thumb=True), upload.photo.thumb)


def hold_files(batch: str, uploads: Sequence[Upload]) -> None:
    """Like ``store_files``, into the batch held until sealing (photos of anonymous sheets)."""
    store = photo_store()
    for upload in uploads:
        store.hold(batch, object_name(upload.photo.sha256), upload.photo.full)
        store.hold(batch, object_name(upload.photo.sha256, thumb=True), upload.photo.thumb)

"""Where clean photos live: content-addressed objects named by the SHA-256 of their bytes.

``LocalStore`` keeps them under ``instance/photos/ab/cd/<sha>.jpg`` (written to a temporary name and renamed,
so a reader never sees half a file); ``S3Store`` keeps them in an S3-compatible bucket (MinIO, Ceph, AWS) for
several servers. Writing the same photo twice is harmless. Which objects are *visible* is decided by database
rows; an object without a row is an orphan (a request that failed after writing it) that
``flask photos-cleanup`` removes once it is still unreferenced after a wait longer than any request.

A local file's modification time is set to midnight UTC of the day it was written: the file must not tell
when an anonymous sheet arrived (S3's LastModified cannot be set; the README lists it as a residual risk).
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

NAME = re.compile(r"^[0-9a-f]{64}(\.t)?\.jpg$")


def object_name(sha256: str, thumb: bool = False) -> str:
    return f"{sha256}{'.t' if thumb else ''}.jpg"


class PhotoStore(Protocol):
    def put(self, name: str, data: bytes) -> None: ...
    def get(self, name: str) -> bytes | None: ...
    def delete(self, name: str) -> None: ...
    def names(self) -> Iterator[str]: ...


@dataclass
class LocalStore:
    root: Path

    def _path(self, name: str) -> Path:
        if not NAME.match(name):
            raise ValueError(f"not a photo object name: {name!r}")
        return self.root / name[:2] / name[2:4] / name

    def put(self, name: str, data: bytes) -> None:
        path = self._path(name)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        day = time.time() // 86400 * 86400
        os.utime(tmp, (day, day))
        os.replace(tmp, path)

    def get(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        for path in self.root.glob("??/??/*.jpg"):
            if NAME.match(path.name):
                yield path.name


@dataclass
class S3Store:
    """An S3-compatible bucket; ``client`` is a boto3 S3 client (endpoint_url for MinIO)."""

    client: Any
    bucket: str
    prefix: str = "photos/"

    def put(self, name: str, data: bytes) -> None:
        if not NAME.match(name):
            raise ValueError(f"not a photo object name: {name!r}")
        self.client.put_object(
            Bucket=self.bucket, Key=self.prefix + name, Body=data, ContentType="image/jpeg"
        )

    def get(self, name: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + name)
        except self.client.exceptions.NoSuchKey:
            return None
        return bytes(answer["Body"].read())

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)

    def names(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix) :]
                if NAME.match(name):
                    yield name

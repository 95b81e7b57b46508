"""Where clean photos live: content-addressed objects named by the SHA-256 of their bytes.

``LocalStore`` keeps them under ``instance/photos/ab/cd/<sha>.jpg`` (written to a temporary name and renamed,
so a reader never sees half a file); ``S3Store`` keeps them in an S3-compatible bucket (MinIO, Ceph, AWS) for
several servers. Writing the same photo twice is harmless. Which objects are *visible* is decided by database
rows; an object without a row is an orphan (a request that failed after writing it) that
``flask photos-cleanup`` removes once it is still unreferenced after a wait longer than any request.

A local file's modification time is set to midnight UTC of the day it was written. Photos of anonymous sheets
must not tell when their sheet arrived, and a file's ctime, inode number, its folder's mtime and S3's
LastModified cannot be set back: so they are *held* in a batch per round (``hold``) while the round is open,
and *released* into the store at sealing (``release``), written afresh one after the other in the order the
caller gives (the sheets' key order), after which the batch is deleted.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

NAME = re.compile(r"^[0-9a-f]{64}(\.t)?\.jpg$")
BATCH = re.compile(r"^[0-9]{1,12}$")
HELD = "held"


def object_name(sha256: str, thumb: bool = False) -> str:
    return f"{sha256}{'.t' if thumb else ''}.jpg"


class PhotoStore(Protocol):
    def put(self, name: str, data: bytes) -> None: ...
    def get(self, name: str) -> bytes | None: ...
    def delete(self, name: str) -> None: ...
    def names(self) -> Iterator[str]: ...
    def hold(self, batch: str, name: str, data: bytes) -> None: ...
    def release(self, batch: str, names: Sequence[str]) -> None: ...
    def batches(self) -> Iterator[str]: ...
    def leftovers(self) -> set[str]: ...
    def drop_leftovers(self, found: set[str]) -> int: ...


def _check(name: str) -> str:
    if not NAME.match(name):
        raise ValueError(f"not a photo object name: {name!r}")
    return name


def _check_batch(batch: str) -> str:
    if not BATCH.match(batch):
        raise ValueError(f"not a batch name: {batch!r}")
    return batch


@dataclass
class LocalStore:
    root: Path

    def _path(self, name: str) -> Path:
        _check(name)
        return self.root / name[:2] / name[2:4] / name

    def _held(self, batch: str) -> Path:
        return self.root / HELD / _check_batch(batch)

    def put(self, name: str, data: bytes, sync: bool = True) -> None:
        path = self._path(name)
        if not path.exists():
            _write(path, data, sync)

    def hold(self, batch: str, name: str, data: bytes) -> None:
        path = self._held(batch) / _check(name)
        if not path.exists():
            _write(path, data, sync=True)

    def release(self, batch: str, names: Sequence[str]) -> None:
        """Write each held photo into the store, in this order (new files, new inodes), then drop the batch.
        One sync at the end instead of one per file: a crash before it leaves the batch to release again."""
        held = self._held(batch)
        if not held.exists():
            return
        for name in names:
            try:
                data = (held / _check(name)).read_bytes()
            except FileNotFoundError:
                continue  # released before (a retried release), or never stored
            self.put(name, data, sync=False)
        os.sync()
        shutil.rmtree(held)

    def batches(self) -> Iterator[str]:
        root = self.root / HELD
        if root.exists():
            yield from (p.name for p in root.iterdir() if BATCH.match(p.name))

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

    def leftovers(self) -> set[str]:
        """Half-written files (a writer killed before its rename), as paths below the root."""
        return {str(p.relative_to(self.root)) for p in self.root.rglob(".tmp-*") if p.is_file()}

    def drop_leftovers(self, found: set[str]) -> int:
        removed = 0
        for relative in found:
            path = self.root / relative
            if path.name.startswith(".tmp-") and path.exists():
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def _write(path: Path, data: bytes, sync: bool) -> None:
    """Atomically: a temporary file renamed into place, dated to the day only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        if sync:
            fh.flush()
            os.fsync(fh.fileno())
    day = time.time() // 86400 * 86400
    os.utime(tmp, (day, day))
    os.replace(tmp, path)


@dataclass
class S3Store:
    """An S3-compatible bucket; ``client`` is a boto3 S3 client (endpoint_url for MinIO)."""

    client: Any
    bucket: str
    prefix: str = "photos/"

    def put(self, name: str, data: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self.prefix + _check(name), Body=data, ContentType="image/jpeg"
        )

    def _held(self, batch: str) -> str:
        return f"{self.prefix}{HELD}/{_check_batch(batch)}/"

    def hold(self, batch: str, name: str, data: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self._held(batch) + _check(name), Body=data, ContentType="image/jpeg"
        )

    def release(self, batch: str, names: Sequence[str]) -> None:
        """Copy each held object to its name in this order (new LastModified for all), then drop the batch."""
        held = self._held(batch)
        present = set(self._keys(held))
        for name in names:
            if held + _check(name) in present:
                source = {"Bucket": self.bucket, "Key": held + name}
                self.client.copy_object(Bucket=self.bucket, Key=self.prefix + name, CopySource=source)
        for key in sorted(present):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def batches(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}{HELD}/", Delimiter="/"
        )
        for page in pages:
            for common in page.get("CommonPrefixes", []):
                batch = common["Prefix"].rstrip("/").rsplit("/", 1)[-1]
                if BATCH.match(batch):
                    yield batch

    def leftovers(self) -> set[str]:
        """S3 writes an object whole or not at all: nothing is ever half-written."""
        return set()

    def drop_leftovers(self, found: set[str]) -> int:
        return 0

    def _keys(self, prefix: str) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        for page in pages:
            yield from (item["Key"] for item in page.get("Contents", []))

    def get(self, name: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + name)
        except self.client.exceptions.NoSuchKey:
            return None
        return bytes(answer["Body"].read())

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)

    def names(self) -> Iterator[str]:
        for key in self._keys(self.prefix):
            name = key[len(self.prefix) :]
            if NAME.match(name):
                yield name

"""Portraits for the signboard's 亮身份 block: bytes in, a small clean JPEG out; no Flask.

A portrait is an untrusted upload like any evidence photo, so it passes the same gate
(``photos.sanitise.decode``): JPEG, PNG, WebP and HEIC judged by content, bombs refused from the header,
every decoder failure a refusal. The output is re-encoded from pixels only, so EXIF (GPS, camera serials) and
any other embedded data are dropped.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from .photos.sanitise import PhotoRefused, decode

SIZE = (360, 480)  # 3:4, about 3 × 4 cm at 300 dpi on the board


class PortraitRefused(ValueError):
    """Not a usable photo; ``code`` as ``PhotoRefused``: ``not_an_image`` (415), ``too_many_pixels`` or
    ``damaged`` (422)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def status(self) -> int:
        return 415 if self.code == "not_an_image" else 422


def clean_portrait(data: bytes) -> bytes:
    """A 3:4 JPEG of at most 360×480, oriented as taken, without metadata."""
    try:
        upright = decode(data, edge=SIZE[1] * 2)  # JPEG: decoded at reduced size, much faster
    except PhotoRefused as refused:
        raise PortraitRefused(refused.code) from None
    fitted = ImageOps.fit(upright, SIZE, method=Image.Resampling.LANCZOS, centering=(0.5, 0.35))
    out = io.BytesIO()
    fitted.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()

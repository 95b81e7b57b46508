"""Portraits for the signboard's 亮身份 block: bytes in, a small clean JPEG out; no Flask.

Anything Pillow cannot open, or that claims to be huge (a decompression bomb), is refused. The output is
re-encoded from pixels only, so EXIF (GPS, camera serials) and any other embedded data are dropped.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # a 40 MP photo is plenty; beyond that it is a bomb or a mistake
SIZE = (360, 480)  # 3:4, about 3 × 4 cm at 300 dpi on the board


class PortraitRefused(ValueError):
    pass


def clean_portrait(data: bytes) -> bytes:
    """A 3:4 JPEG of at most 360×480, oriented as taken, without metadata."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise PortraitRefused("too_large")
            image.draft("RGB", (SIZE[0] * 2, SIZE[1] * 2))  # JPEG: decode at reduced size, much faster
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as error:
        if isinstance(error, PortraitRefused):
            raise
        raise PortraitRefused("unreadable") from None
    fitted = ImageOps.fit(upright, SIZE, method=Image.Resampling.LANCZOS, centering=(0.5, 0.35))
    out = io.BytesIO()
    fitted.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()

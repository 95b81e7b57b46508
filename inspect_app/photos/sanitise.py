"""Evidence photos: untrusted bytes in, a clean JPEG and a thumbnail out. No Flask, no database.

What arrives may be anything a phone, or an attacker, sends. The rules:

* the format is judged by content, not by name or declared type: ``Image.open`` is limited to JPEG, PNG,
  WebP and HEIF/HEIC (pillow-heif); anything else is ``PhotoRefused("not_an_image")`` (HTTP 415);
* dimensions are read from the header before any pixel is decoded: more than ``MAX_PIXELS`` is a bomb and
  refused at once; Pillow's own bomb warning is promoted to an error as a second line;
* JPEG is decoded at a reduced scale (``draft``) when the photo is far larger than the output;
* the orientation tag is applied (``exif_transpose``), then the pixels are resized (bilinear, antialiased)
  into a *new* image with empty ``info``, so no EXIF (GPS, phone maker and serial), XMP, ICC profile,
  comment or maker note can reach the output;
* output: a JPEG of at most ``FULL_EDGE`` px on the long edge and a ``THUMB_EDGE`` px thumbnail, and the
  SHA-256 of the clean JPEG, which names the stored file (content addressing).
"""

from __future__ import annotations

import hashlib
import io
import math
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC from iPhones; the wheel bundles libheif
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF: tuple[str, ...] = ("HEIF",)
except ImportError:  # pragma: no cover - pillow-heif is a dependency; without it HEIC is refused
    HEIF = ()

FORMATS = ("JPEG", "PNG", "WEBP", *HEIF)
#: image memory Pillow keeps for the next photo instead of returning it to the system: a fresh allocation
#: is paid again in page faults on first touch, ⅓ of a 1600 px photo's sanitising (21 → 14 ms); at most
#: this many blocks of 16 MiB stay with a worker (issue 22)
REUSED_BLOCKS = 4
Image.core.set_blocks_max(REUSED_BLOCKS)  # type: ignore[attr-defined]
MAX_PIXELS = 50_000_000  # a 48 MP phone photo passes; beyond that it is a bomb or a mistake
FULL_EDGE = 1600
THUMB_EDGE = 320
QUALITY = 80


class PhotoRefused(ValueError):
    """Not stored; ``code`` says why: ``not_an_image`` (415), ``too_many_pixels`` or ``damaged`` (422)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CleanPhoto:
    full: bytes
    thumb: bytes
    width: int
    height: int
    sha256: str


#: what Pillow and its decoders raise for a file they cannot read (libheif's errors arrive as RuntimeError)
DECODER_ERRORS = (OSError, ValueError, SyntaxError, EOFError, IndexError, RuntimeError, struct.error)


def _open(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except UnidentifiedImageError:
        raise PhotoRefused("not_an_image") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused("too_many_pixels") from None
    except DECODER_ERRORS:
        raise PhotoRefused("damaged") from None
    if image.width * image.height > MAX_PIXELS or min(image.size) < 1:
        image.close()
        raise PhotoRefused("too_many_pixels")
    return image


def _pixels(image: Image.Image, edge: int) -> Image.Image:
    """Decoded, upright, 8-bit RGB pixels of the first frame (the file's metadata is dropped later)."""
    if image.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 scale while still at least the output size
        factor = edge / max(image.size)
        if factor < 1:
            image.draft("RGB", (math.ceil(image.width * factor), math.ceil(image.height * factor)))
    image.seek(0)  # an animated WebP keeps its first frame
    ImageOps.exif_transpose(image, in_place=True)
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):  # 16-bit or float greyscale → 8 bit
        image = image.convert("I").point(lambda v: v / 256).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        backdrop = Image.new("RGB", image.size, (255, 255, 255))
        backdrop.paste(rgba, mask=rgba.getchannel("A"))
        image = backdrop
    return image if image.mode == "RGB" else image.convert("RGB")


def _fresh(image: Image.Image, edge: int, gap: float = 2.0) -> Image.Image:
    """A new image of at most ``edge`` px on the long side holding only pixels: no info, EXIF or profile.
    ``gap``: how far a box reduction may go before the bilinear resize (1.0 for thumbnails: fastest)."""
    scale = edge / max(image.size)
    if scale < 1:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        out = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=gap)
    else:
        out = image.copy()  # a plain Image with the pixels only (one copy; new + paste cost three passes)
    out.info = {}
    return out


def _jpeg(image: Image.Image) -> bytes:
    """Baseline JPEG: at the shift-change storm the encode is the photo's largest cost, and Huffman
    optimisation with progressive scans costs 2.5× the time (44 against 17 ms for a 1600 px photo) for
    files 8–13 % smaller (scripts/bench/photos.py, issue 22)."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY)
    return out.getvalue()


def decode(data: bytes, edge: int = FULL_EDGE) -> Image.Image:
    """Upright 8-bit RGB pixels of an untrusted photo, decoded at no less than ``edge`` px on its long side
    where the format allows; or ``PhotoRefused`` — never any other exception, whatever the bytes. Sheet
    photos and portraits both come through here."""
    if not data:
        raise PhotoRefused("not_an_image")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with _open(data) as image:
                pixels = _pixels(image, edge)
                pixels.load()
                return pixels
        except PhotoRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRefused("too_many_pixels") from None
        except DECODER_ERRORS:
            raise PhotoRefused("damaged") from None


def sanitise(data: bytes) -> CleanPhoto:
    """The clean photo, or ``PhotoRefused``; never any other exception for any input bytes."""
    pixels = decode(data)
    large = _fresh(pixels, FULL_EDGE)
    full, thumb = _jpeg(large), _jpeg(_fresh(large, THUMB_EDGE, gap=1.0))
    return CleanPhoto(full, thumb, large.width, large.height, hashlib.sha256(full).hexdigest())

"""Hostile and odd files through the photo sanitiser: each is refused with a reason or comes out as a clean
JPEG (no EXIF, GPS, ICC, XMP or comment), and no input makes it raise anything else."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from inspect_app.photos.sanitise import FULL_EDGE, THUMB_EDGE, CleanPhoto, PhotoRefused, sanitise


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def photo(size: tuple[int, int] = (1200, 900), mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, size)
    if mode == "RGB":
        image.paste((180, 120, 60), (0, 0, size[0] // 2, size[1]))  # left half brown: orientation shows
    return image


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0xA431] = "SERIAL-1234"  # BodySerialNumber
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (39.0, 54.0, 27.0), "E", (116.0, 23.0, 50.0)
    return exif


def jpeg_markers(data: bytes) -> list[int]:
    """The marker bytes of a JPEG's header segments, up to the start of scan."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while pos < len(data):
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
    return markers


def outcome(data: bytes) -> CleanPhoto | str:
    """The clean photo, or the code it was refused with (any other exception fails the test)."""
    try:
        return sanitise(data)
    except PhotoRefused as refused:
        return refused.code


def assert_clean(result: CleanPhoto) -> None:
    for data, edge in ((result.full, FULL_EDGE), (result.thumb, THUMB_EDGE)):
        markers = jpeg_markers(data)
        assert not {0xE1, 0xE2, 0xFE} & set(markers), markers  # no EXIF/XMP (APP1), ICC (APP2), comment
        assert all(m == 0xE0 or not 0xE3 <= m <= 0xEF for m in markers)  # no other APPn (maker notes…)
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG"
            assert not image.getexif()
            assert "icc_profile" not in image.info
            assert max(image.size) <= edge


def test_gps_and_camera_data_are_gone_and_the_photo_stands_upright() -> None:
    data = encode(photo(), "JPEG", exif=gps_exif(), icc_profile=b"\0" * 128, comment=b"who took it")
    assert b"SERIAL-1234" in data
    assert b"PhoneMaker" in data
    result = sanitise(data)
    assert_clean(result)
    assert b"SERIAL-1234" not in result.full
    assert b"PhoneMaker" not in result.full
    assert (result.width, result.height) == (900, 1200)  # orientation 6 applied: now portrait
    with Image.open(io.BytesIO(result.full)) as clean:
        top = clean.getpixel((450, 50))
        assert isinstance(top, tuple)
        assert top[0] > 120


def test_a_12_megapixel_photo_is_shrunk_to_the_long_edge() -> None:
    result = sanitise(encode(photo((4032, 3024)), "JPEG", quality=92))
    assert (result.width, result.height) == (FULL_EDGE, 1200)
    assert len(result.full) < 300_000
    assert_clean(result)


@pytest.mark.parametrize(
    "make",
    [
        lambda: encode(photo(), "PNG"),
        lambda: encode(photo(), "WEBP"),
        lambda: encode(photo(), "HEIF", exif=gps_exif().tobytes()),
        lambda: encode(photo(mode="CMYK"), "JPEG"),
        lambda: encode(Image.new("I;16", (640, 480), 40000), "PNG"),
        lambda: encode(Image.new("RGBA", (640, 480), (0, 0, 0, 0)), "PNG"),
        lambda: encode(Image.new("P", (64, 64)), "PNG", transparency=0),
        lambda: encode(photo(), "PNG", pnginfo=_png_text()),
    ],
    ids=["png", "webp", "heic-with-gps", "cmyk-jpeg", "16-bit-png", "transparent-png", "palette", "png-text"],
)
def test_accepted_formats_come_out_as_clean_jpeg(make: object) -> None:
    assert callable(make)
    assert_clean(sanitise(make()))


def _png_text() -> object:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "inspector 7")
    return info


def test_animated_webp_keeps_its_first_frame_only() -> None:
    frames = [Image.new("RGB", (200, 100), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100, lossless=True)
    result = sanitise(data)
    with Image.open(io.BytesIO(result.full)) as clean:
        assert getattr(clean, "n_frames", 1) == 1
        red = clean.getpixel((10, 10))
        assert isinstance(red, tuple)
        assert red[0] > 200


def _png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` pixels (the data would never be decoded)."""
    raw = encode(Image.new("1", (1, 1)), "PNG")
    ihdr = raw[16:29]
    patched = struct.pack(">II", width, height) + ihdr[8:]
    chunk = b"IHDR" + patched
    return raw[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + raw[33:]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "not_an_image"),
        (_png_bomb(60_000, 60_000), "too_many_pixels"),
        (_png_bomb(1, 60_000_000), "too_many_pixels"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "not_an_image"),
        (b"<!doctype html><html><body><script>alert(1)</script></body></html>", "not_an_image"),
        (encode(Image.new("RGB", (50, 50)), "GIF"), "not_an_image"),
        (encode(Image.new("RGB", (50, 50)), "BMP"), "not_an_image"),
        (encode(Image.new("RGB", (50, 50)), "TIFF"), "not_an_image"),
        (b"%PDF-1.4\n" + b"0" * 1000, "not_an_image"),
        (b"\x00" * 50 * 1024 * 1024, "not_an_image"),
    ],
    ids=["empty", "bomb", "bomb-thin", "svg", "html", "gif", "bmp", "tiff", "pdf", "50mb-zeros"],
)
def test_what_is_not_a_photo_is_refused_with_a_reason(data: bytes, code: str) -> None:
    with pytest.raises(PhotoRefused) as refused:
        sanitise(data)
    assert refused.value.code == code


def test_animated_gif_is_refused() -> None:
    frames = [Image.new("P", (40, 40), i) for i in range(3)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    with pytest.raises(PhotoRefused):
        sanitise(data)


def test_truncated_jpeg_is_refused_as_damaged() -> None:
    data = encode(photo((1600, 1200)), "JPEG")
    with pytest.raises(PhotoRefused) as refused:
        sanitise(data[: len(data) // 2])
    assert refused.value.code == "damaged"


def test_polyglot_payload_after_the_image_does_not_survive() -> None:
    payload = b"<script>steal()</script>PK\x03\x04polyglot-zip-entry"
    result = sanitise(encode(photo(), "JPEG") + payload)
    assert payload not in result.full
    assert b"<script>" not in result.full
    assert_clean(result)


def test_same_photo_gives_the_same_name() -> None:
    data = encode(photo(), "PNG")
    assert sanitise(data).sha256 == sanitise(data).sha256


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.binary(max_size=4096)
    | st.builds(lambda tail: encode(photo((64, 48)), "JPEG")[:200] + tail, st.binary())
)
def test_random_bytes_never_escape_as_an_unexpected_error(data: bytes) -> None:
    result = outcome(data)
    if isinstance(result, CleanPhoto):
        assert_clean(result)
    else:
        assert result in ("not_an_image", "too_many_pixels", "damaged")


SEEDS = {fmt: encode(photo((96, 64)), fmt) for fmt in ("JPEG", "PNG", "WEBP", "HEIF")}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(SEEDS)),
    st.lists(
        st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), min_size=1, max_size=8
    ),
)
def test_damaged_real_photos_are_refused_or_cleaned_never_crash(
    fmt: str, flips: list[tuple[int, int]]
) -> None:
    """Real JPEG, PNG, WebP and HEIC files with a few bytes overwritten anywhere, headers included."""
    data = bytearray(SEEDS[fmt])
    for position, value in flips:
        data[position % len(data)] = value
    result = outcome(bytes(data))
    if isinstance(result, CleanPhoto):
        assert_clean(result)
    else:
        assert result in ("not_an_image", "too_many_pixels", "damaged")

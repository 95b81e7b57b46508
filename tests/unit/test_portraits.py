"""Portraits pass the same gate as evidence photos: formats by content, bombs refused, every decoder failure a
refusal (never another exception), no metadata out."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from inspect_app.photos import sanitise as sanitiser
from inspect_app.photos.sanitise import PhotoRefused
from inspect_app.portraits import SIZE, PortraitRefused, clean_portrait

from .test_photo_sanitise import SEEDS, encode, gps_exif, photo


def refusal(data: bytes) -> str | None:
    try:
        clean_portrait(data)
    except PortraitRefused as refused:
        return refused.code
    return None


@pytest.mark.parametrize("fmt", ["TIFF", "BMP", "GIF", "ICO", "PDF"])
def test_formats_photos_do_not_come_in_are_refused_as_not_an_image(fmt: str) -> None:
    image = photo((400, 300)).convert("RGB")
    assert refusal(encode(image, fmt)) == "not_an_image"


@pytest.mark.parametrize(
    "flips",
    [[(533, 201), (379, 250)], [(12, 226), (196, 192)]],
    ids=["heic-ends-early", "heic-unsupported-colour"],
)
def test_damaged_heic_portraits_are_refused_not_crashed(flips: list[tuple[int, int]]) -> None:
    """Found by search; before, these raised EOFError and SyntaxError out of the view (a 500)."""
    data = bytearray(SEEDS["HEIF"])
    for position, value in flips:
        data[position % len(data)] = value
    assert refusal(bytes(data)) in ("damaged", "not_an_image")


def test_a_portrait_is_cut_to_3_by_4_without_metadata() -> None:
    data = clean_portrait(encode(photo((1200, 900)), "JPEG", exif=gps_exif().tobytes()))
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == SIZE
        assert not image.getexif()


def test_any_decoder_error_becomes_a_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    """libheif reports some damage as RuntimeError: it must reach the user as "damaged", never a 500."""

    def broken(*_: object) -> Image.Image:
        raise RuntimeError("Invalid input: Unspecified: Bitstream not supported by this decoder")

    monkeypatch.setattr(sanitiser, "_pixels", broken)
    with pytest.raises(PhotoRefused, match="damaged"):
        sanitiser.sanitise(SEEDS["HEIF"])
    assert refusal(SEEDS["HEIF"]) == "damaged"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(SEEDS)),
    st.lists(
        st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), min_size=1, max_size=8
    ),
)
def test_damaged_portraits_are_refused_or_cleaned_never_crash(fmt: str, flips: list[tuple[int, int]]) -> None:
    data = bytearray(SEEDS[fmt])
    for position, value in flips:
        data[position % len(data)] = value
    assert refusal(bytes(data)) in (None, "not_an_image", "too_many_pixels", "damaged")

"""QR codes for signboards: bytes out, no Flask. Error correction M survives a dirty board (≈15 % damage)."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.svg import SvgPathImage


def _code(data: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def svg(data: str) -> bytes:
    """A scalable QR (one path, no fonts) for print."""
    buf = io.BytesIO()
    _code(data).make_image(image_factory=SvgPathImage).save(buf)
    return buf.getvalue()


def png(data: str, box_size: int = 10) -> bytes:
    """A black-on-white PNG, ``box_size`` pixels per module."""
    qr = _code(data)
    qr.box_size = box_size
    buf = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buf)
    return buf.getvalue()


def modules(data: str) -> list[list[bool]]:
    """The symbol's dark modules, quiet zone included, for drawing it as vector shapes (signboard PDF)."""
    return [list(row) for row in _code(data).get_matrix()]

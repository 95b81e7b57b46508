"""Serving a document: the PDF with the configured fonts, or the print page (WeChat's browser opens no
PDF)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort, current_app
from werkzeug.wrappers import Response

from inspect_app.domain.documents import Document, section_number, written_date
from inspect_app.htmx import render
from inspect_app.setup.services import MineInfo, mine_info

from . import pdf


def issuing_mine() -> MineInfo:
    info = mine_info()
    if info is None:  # unreachable: nothing answers before setup
        abort(409)
    return info


def fonts() -> pdf.Fonts:
    config = current_app.config
    return pdf.Fonts(config["DOC_SERIF_FONT"], config["DOC_TITLE_FONT"], heading=config["CJK_FONT"])


def pdf_response(docs: Sequence[Document], filename: str, empty: str = "") -> Response:
    """The documents as one PDF (``empty``: what its one page says when there is none)."""
    response = current_app.response_class(pdf.render(docs, fonts(), empty), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def print_response(docs: Sequence[Document], pdf_url: str, back_url: str) -> Response:
    """The documents as one page laid out like the paper (A4 when printed), with the PDF beside it."""
    return render(
        "documents/print.html", docs=docs, pdf_url=pdf_url, back_url=back_url,
        section_number=section_number, written_date=written_date,
    )  # fmt: skip

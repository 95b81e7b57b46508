"""公文 after GB/T 9704: a published notice and an 整改通知单 print with the committee's red letterhead, the
发文字号 (the mine's 代字), title, 主送机关, body, signature and date in that order, in an embedded serif CJK
face; the same document as a print page for phones; the 代字 is the administrator's to set."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from inspect_app import clock
from inspect_app.domain.documents import written_date
from tests.conftest import csrf_token, login

from .test_notices import draft, weekly
from .test_rectifications import issued_from_a_sheet

DOCS = Path(__file__).resolve().parents[2] / "docs"


def pdf_text(data: bytes, tmp_path: Path) -> tuple[str, str]:
    """(text without white space, pdffonts' table)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return "".join(text.split()), fonts


def in_order(text: str, *parts: str) -> None:
    at = -1
    for part in parts:
        found = text.find(part, at + 1)
        assert found > at, f"{part!r} not after position {at} in {text[:400]!r}"
        at = found


def page_text(html: str) -> str:
    return "".join(re.sub(r"<[^>]+>", "", html).split())


def publish(client: FlaskClient, app: Flask) -> str:
    login(client, "committee")
    url = draft(client, weekly(app, "published")).headers["Location"]
    form = {"csrf_token": csrf_token(client, url), "title": "关于第47周党员示范岗检查情况的通报",
            "praise": "综采一区支架工岗，成绩优秀。", "criticism": "运输队绞车司机岗，现场管理较差。",
            "publish": "1"}  # fmt: skip
    assert client.post(url, data=form).status_code == 303
    return url


def test_a_published_notice_is_a_committee_document_in_pdf_and_print(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    url = publish(client, app)
    year, dated = clock.today().year, written_date(clock.today())
    number = f"采矿党发〔{year}〕1号"
    assert number in client.get(url).get_data(as_text=True)  # the page shows the number as printed
    text, fonts = pdf_text(client.get(f"{url}.pdf").data, tmp_path)
    parts = ("中共采矿公司委员会文件", number, "关于第47周党员示范岗检查情况的通报", "各党支部，各单位：",
             "一、择优表扬", "综采一区支架工岗", "二、择差批评", "运输队绞车司机岗", "中共采矿公司委员会",
             dated, f"{dated}印发")  # fmt: skip
    in_order(text, *parts)
    serif = [line for line in fonts.splitlines() if "NotoSerifCJKSC" in line]
    assert serif, fonts
    assert all(" yes yes " in line for line in serif)  # embedded, as a subset
    printed = client.get(f"{url}/print")
    assert printed.status_code == 200
    in_order(page_text(printed.get_data(as_text=True)), *parts)
    if os.environ.get("UPDATE_DOCS") == "1" and shutil.which("pdftoppm"):  # README's picture of a document
        (tmp_path / "n.pdf").write_bytes(client.get(f"{url}.pdf").data)
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", "1", str(tmp_path / "n.pdf"),
                        str(DOCS / "notice")], check=True)  # fmt: skip


def test_a_draft_prints_without_a_number_and_says_so(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    login(client, "committee")
    url = draft(client, weekly(app, "published")).headers["Location"]
    text, _fonts = pdf_text(client.get(f"{url}.pdf").data, tmp_path)
    in_order(text, "中共采矿公司委员会文件", "（草稿）", "择优表扬")
    assert "〔" not in text
    assert "（草稿）" in client.get(f"{url}/print").get_data(as_text=True)


def test_the_rectification_notice_goes_to_the_unit_as_a_document(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    rect = issued_from_a_sheet(app, client)
    parts = ("中共采矿公司委员会文件", rect.number, "整改通知单", "综采一区：", "支架初撑力不足", "补液升柱",
             "回执", "中共采矿公司委员会", written_date(rect.issued_on))  # fmt: skip
    text, fonts = pdf_text(client.get(f"/rectifications/{rect.id}.pdf").data, tmp_path)
    in_order(text, *parts)
    assert "NotoSerifCJKSC" in fonts
    in_order(page_text(client.get(f"/rectifications/{rect.id}/notice").get_data(as_text=True)), *parts)
    text, _fonts = pdf_text(client.get(f"/rectifications/unit/{rect.unit_id}.pdf").data, tmp_path)
    in_order(text, rect.number, "补液升柱", "—1—")  # each document counts its own pages


def test_the_administrator_sets_the_document_code(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    login(client, "admin")
    form = {"csrf_token": csrf_token(client, "/setup/mine"), "name": "示范矿业集团采矿公司",
            "short_name": "采矿公司", "committee_name": "中共采矿公司委员会", "time_zone": "Asia/Shanghai",
            "base_url": "", "doc_code": "采党字"}  # fmt: skip
    refused = client.post("/setup/mine", data={**form, "doc_code": "采党字〔2026〕"})
    assert refused.status_code == 422
    assert "只写代字" in refused.get_data(as_text=True)
    assert client.post("/setup/mine", data=form).status_code == 303
    assert 'value="采党字"' in client.get("/setup/mine").get_data(as_text=True)
    other = app.test_client()
    url = publish(other, app)
    text, _fonts = pdf_text(other.get(f"{url}.pdf").data, tmp_path)
    assert f"采党字〔{clock.today().year}〕1号" in text

"""通报 notices: drafted from a sealed round (best praised, worst criticised with their main deductions),
edited, published with a yearly number, printed as a PDF whose text names the posts."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Post, Round
from tests.conftest import csrf_token, login

from .test_rankings import ranked_rows


def weekly(app: Flask, status: str) -> int:
    with app.app_context():
        return db.session.scalars(
            select(Round.id).where(Round.kind == "weekly", Round.status == status)
        ).one()


def names(app: Flask, codes: list[str]) -> list[str]:
    with app.app_context():
        by_code = dict(db.session.execute(select(Post.code, Post.name).where(Post.code.in_(codes))).all())
    return [by_code[c] for c in codes]


def draft(client: FlaskClient, round_id: int):  # type: ignore[no-untyped-def]
    url = f"/rounds/{round_id}"
    return client.post(f"/notices/draft/{round_id}", data={"csrf_token": csrf_token(client, url)})


def test_sealed_round_drafts_a_notice_that_is_edited_published_and_printed(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    login(client, "committee")
    round_id = weekly(app, "published")
    rated = [
        row
        for row in ranked_rows(client.get(f"/rankings/{round_id}").get_data(as_text=True))
        if row[0] != "—"
    ]
    pick = min(3, len(rated) // 2)
    best, worst = names(app, [r[1] for r in rated[:pick]]), names(app, [r[1] for r in rated[-pick:]])
    response = draft(client, round_id)
    assert response.status_code == 303
    url = response.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    praise = page.split('id="praise"')[1].split("</textarea>")[0]
    criticism = page.split('id="criticism"')[1].split("</textarea>")[0]
    assert all(name in praise for name in best)
    assert all(name in criticism for name in worst)
    assert not any(name in praise for name in worst)
    assert "主要扣分" in criticism
    assert draft(client, round_id).headers["Location"] == url  # one notice per round

    token = csrf_token(client, url)
    form = {
        "csrf_token": token,
        "title": "关于第47周示范岗检查情况的通报",
        "praise": praise.strip() + "\n希望继续保持。",
        "criticism": criticism.strip(),
        "publish": "1",
    }
    published = client.post(url, data=form)
    assert published.status_code == 303
    shown = client.get(url).get_data(as_text=True)
    assert f"〔{date.today().year}〕1号" in shown
    assert "希望继续保持。" in shown
    assert client.post(url, data={**form, "title": "改"}).status_code == 409  # published: frozen

    pdf = client.get(f"{url}.pdf")
    assert pdf.status_code == 200
    (tmp_path / "n.pdf").write_bytes(pdf.data)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "n.pdf"), "-"], capture_output=True, text=True, check=True
    )
    flat = "".join(text.stdout.split())
    assert "关于第47周示范岗检查情况的通报" in flat
    assert all(name in flat for name in best + worst)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "n.pdf")], capture_output=True, text=True, check=True)
    assert "WenQuanYi" in fonts.stdout or "wqy" in fonts.stdout.lower()


def test_notices_need_a_sealed_round_and_numbers_follow_each_other(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    open_round = weekly(app, "open")
    assert draft(client, open_round).status_code == 409
    numbers = []
    for status in ("published", "open"):
        round_id = weekly(app, status)
        if status == "open":
            url = f"/rounds/{round_id}"
            client.post(f"{url}/step", data={"action": "seal", "csrf_token": csrf_token(client, url)})
        location = draft(client, round_id).headers["Location"]
        token = csrf_token(client, location)
        form = {"csrf_token": token, "title": f"通报 {status}", "praise": "", "criticism": "", "publish": "1"}
        assert client.post(location, data=form).status_code == 303
        numbers.append(client.get(location).get_data(as_text=True))
    year = date.today().year
    assert f"〔{year}〕1号" in numbers[0]
    assert f"〔{year}〕2号" in numbers[1]
    assert "通报 published" in client.get("/notices/").get_data(as_text=True)


def test_branch_secretary_cannot_draft_a_mine_wide_notice(app: Flask, client: FlaskClient) -> None:
    login(client, "branch_secretary")
    response = draft(client, weekly(app, "published"))
    assert response.status_code == 403

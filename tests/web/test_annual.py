"""年总评: each Party branch's year result from its posts, self-checks and rectifications (the configured
weights, printed on the 评分办法 page), ranked; the committee names the 优秀党员示范岗 once and the 表彰决定
prints as a committee document."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from inspect_app import clock
from inspect_app.domain.annual import branch_score, mean, self_check_part, share
from inspect_app.domain.documents import written_date
from inspect_app.reviews.annual import annual_weights, branch_results, year_ranking
from tests.conftest import csrf_token, login

from .test_documents import in_order, pdf_text

W = {"posts": Decimal("0.7"), "self_checks": Decimal("0.2"), "rectifications": Decimal("0.1")}


def test_the_formula() -> None:
    assert mean([Decimal(90), Decimal(81)]) == Decimal("85.50")
    assert self_check_part(on_time=8, late=2, due=12) == Decimal("75.00")  # (8 + 1) / 12
    assert share(Decimal(3), 4) == Decimal("75.00")
    assert share(Decimal(0), 0) is None
    parts = {"posts": Decimal(90), "self_checks": Decimal(50), "rectifications": Decimal(100)}
    assert branch_score(parts, W) == Decimal("83.00")  # 63 + 10 + 10
    # a branch that raised no rectification: the other weights carry it (0.7 + 0.2)
    assert branch_score(parts | {"rectifications": None}, W) == Decimal("81.11")  # (63 + 10) / 0.9
    assert branch_score(dict.fromkeys(W), W) is None


def test_branch_results_follow_the_formula(app: Flask, client: FlaskClient) -> None:
    year = date.today().year
    login(client, "hr")
    page = client.get(f"/reviews/year/{year}")
    assert page.status_code == 200
    with app.test_request_context():
        results = branch_results(year, clock.today())
        rows = [r for r in year_ranking(year) if r.rank is not None]
        weights = annual_weights()
    assert results
    for result in results:
        assert result.score == branch_score(result.parts, weights)
    best = results[0]
    html = page.get_data(as_text=True)
    assert f"1. {best.branch}" in html
    assert f"{best.score:.2f}" in html
    assert sum(r.posts for r in results) == len(rows)  # every rated post counts for its unit's branch
    rules = client.get("/rankings/rules").get_data(as_text=True)
    assert "年总评" in rules
    assert "0.7" in rules


def test_the_committee_names_the_excellent_posts_once(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    year = date.today().year
    url = f"/reviews/year/{year}"
    with app.test_request_context():
        best = [r for r in year_ranking(year) if r.rank is not None and r.post.status == "listed"][:2]
        names = [r.post.name for r in best]
    hr = app.test_client()
    login(hr, "hr")
    form = {"csrf_token": csrf_token(hr, url), "decision": "经党委研究，决定授予以下示范岗称号。",
            "post": [str(r.post.id) for r in best]}  # fmt: skip
    assert hr.post(url, data=form).status_code == 403
    login(client, "committee")
    form["csrf_token"] = csrf_token(client, url)
    assert client.post(url, data={**form, "decision": ""}).status_code == 422
    assert client.post(url, data={**form, "post": ["999999"]}).status_code == 422
    done = client.post(url, data=form)
    assert done.status_code == 303
    assert client.post(url, data=form).status_code == 409  # once a year
    notice_url = done.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert all(name in page.split('id="chosen"')[1] for name in names)
    text = client.get(notice_url).get_data(as_text=True)
    body = text.split('id="praise"')[1].split(">", 1)[1].split("</textarea>")[0]
    title = f"关于表彰{year}年度优秀党员示范岗的决定"
    publish = {"csrf_token": csrf_token(client, notice_url), "title": title, "praise": body, "publish": "1"}
    assert client.post(notice_url, data=publish).status_code == 303
    flat, fonts = pdf_text(client.get(f"{notice_url}.pdf").data, tmp_path)
    in_order(flat, "中共采矿公司委员会文件", f"采矿党发〔{clock.today().year}〕", title, "经党委研究",
             names[0], names[1], "中共采矿公司委员会", written_date(clock.today()))  # fmt: skip
    assert "择差批评" not in flat  # a decision, not a notice
    assert "NotoSerifCJKSC" in fonts

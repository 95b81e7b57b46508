"""Organisation and roster: units, Party branches, members, and the organisation department's spreadsheets."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from inspect_app import clock
from inspect_app.domain.roster import MEMBER_HEADERS, UNIT_HEADERS, RowProblem
from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Branch, Member, Unit
from inspect_app.org import messages
from tests.conftest import csrf_token, login

DEMO_UNITS = ("综采一区", "掘进一区", "掘进二区", "运输区", "机电区", "通风区")
#: compound surnames: none of the demo mine's people has one, so a big roster only adds
SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "令狐")
GIVEN = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙"


def xlsx(headers: tuple[str, ...] | list[str], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(headers))
    for line in rows:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def person(name: str, unit: str = "综采一区", **over: Any) -> list[Any]:
    cells = {"姓名": name, "性别": "男", "所在单位": unit, "岗位/工种": "支架工", "政治面貌": "中共党员",
             "入党时间": date(2015, 7, 1), "手机号": "", "工号": "", "党内职务": ""} | over  # fmt: skip
    return [cells[h] for h in MEMBER_HEADERS]


def big_roster(count: int) -> list[list[Any]]:
    rows = []
    for n in range(count):
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)] + GIVEN[n % 7]
        joined = f"{1990 + n % 30}年{1 + n % 12}月{1 + n % 28}日"
        unit = DEMO_UNITS[n % len(DEMO_UNITS)]
        rows.append(person(name, unit, 工号=f"K{10000 + n}", 手机号=f"139{n:08d}", 入党时间=joined))
    return rows


def upload(client: FlaskClient, kind: str, data: bytes, name: str = "roster.xlsx") -> Any:
    token = csrf_token(client, "/org/import")
    # encoded in memory: the test client spools a body above 500 KB to a temporary file it never closes
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name), "csrf_token": token})
    return client.post(
        f"/org/import/{kind}",
        input_stream=io.BytesIO(body),
        content_type=f"multipart/form-data; boundary={boundary}",
        content_length=len(body),
    )


def roster_block(page: Any) -> str:
    """The list part of the roster page (the search box above it repeats what was searched for)."""
    return str(page.get_data(as_text=True).split('id="roster"', 1)[1])


def members_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Member.id))) or 0


def unit_id(app: Flask, name: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Unit.id).where(Unit.name == name)).one()


def found_text(app: Flask, n: int) -> str:
    with app.test_request_context():
        from flask_babel import gettext

        return gettext("%(n)d members found", n=n)


def test_a_600_row_roster_imports_and_its_members_are_searchable(app: Flask, client: FlaskClient) -> None:
    login(client, "hr")
    before = members_count(app)
    response = upload(client, "members", xlsx(MEMBER_HEADERS, big_roster(600)))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert members_count(app) == before + 600
    assert "600" in client.get(response.headers["Location"]).get_data(as_text=True)  # the flash says so
    row = big_roster(600)[457]
    found = client.get("/org/members", query_string={"q": "K10457"}).get_data(as_text=True)
    assert found_text(app, 1) in found
    assert row[0] in found
    with app.app_context():
        member = db.session.scalars(select(Member).where(Member.staff_no == "K10457")).one()
        assert (member.name, member.unit.name, member.party_member) == (row[0], row[2], True)
        assert member.joined_on == date(1990 + 457 % 30, 1 + 457 % 12, 1 + 457 % 28)
        in_unit = db.session.scalar(
            select(func.count()).select_from(Member).join(Unit).where(Unit.name == "通风区")
        )
    by_unit = client.get("/org/members", query_string={"q": "通风区"}).get_data(as_text=True)
    assert found_text(app, in_unit or 0) in by_unit


def problem_text(app: Flask, row: int, column: str, code: str, detail: str = "") -> str:
    with app.test_request_context():
        return messages.problem(RowProblem(row, column, code, detail))


def test_a_file_with_bad_rows_reports_each_in_chinese_and_stores_nothing(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "hr")
    rows = [
        person("周新民", 工号="A1"),
        person("吴海波", 手机号="1380013800"),  # row 3: ten digits
        person("郑国强", 入党时间="2099-07-01"),  # row 4: future
        person("冯立军", "综采九区"),  # row 5: no such unit
        person("陈晓东", 政治面貌="共青团员"),  # row 6
        person("褚卫东", 工号="A1"),  # row 7: 工号 of row 2
        person("卫建国", 入党时间="2019年13月1日"),  # row 8
    ]
    before = members_count(app)
    response = upload(client, "members", xlsx(MEMBER_HEADERS, rows))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert members_count(app) == before
    for row, column, code, detail in [
        (3, "手机号", "bad_phone", "1380013800"),
        (4, "入党时间", "future_date", "2099-07-01"),
        (5, "所在单位", "unknown_unit", "综采九区"),
        (6, "政治面貌", "unknown_standing", "共青团员"),
        (7, "工号", "repeated", "2"),
        (8, "入党时间", "bad_date", "2019年13月1日"),
    ]:
        expected = problem_text(app, row, column, code, detail)
        assert expected.replace("「", "&#12300;") in page or expected in page, expected
        assert f"「{column}」" in expected
        assert str(row) in expected
    assert "周新民" not in roster_block(client.get("/org/members", query_string={"q": "周新民"}))


def test_wrong_headers_are_named(app: Flask, client: FlaskClient) -> None:
    login(client, "hr")
    headers = [h for h in MEMBER_HEADERS if h != "政治面貌"]
    response = upload(client, "members", xlsx(headers, [person("周新民")[:4] + person("周新民")[5:]]))
    assert response.status_code == 422
    assert "政治面貌" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Member.name == "周新民")) == 0


def test_an_unreadable_or_oversized_file_gets_400_or_413(app: Flask, client: FlaskClient) -> None:
    login(client, "hr")
    assert upload(client, "members", b"PK\x03\x04 not a zip").status_code == 400
    assert upload(client, "members", b"x" * (2 * 1024 * 1024 + 1), "roster.csv").status_code == 413
    assert upload(client, "members", b"a,b", "roster.pdf").status_code == 400


def test_a_gbk_csv_from_excel_imports(app: Flask, client: FlaskClient) -> None:
    login(client, "hr")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "性别", "所在区队", "岗位/工种", "政治面貌", "入党时间", "手机号", "工号"])
    writer.writerow(
        ["欧阳振华", "男", "掘进一区", "掘进机司机", "中共预备党员", "2025/9/1", "139 0000 1111", "J7"]
    )
    writer.writerow(["司马春燕", "女", "运输区", "信号工", "入党积极分子", "", "", "Y8"])
    response = upload(client, "members", out.getvalue().encode("gbk"), "花名册.csv")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    with app.app_context():
        member = db.session.scalars(select(Member).where(Member.staff_no == "J7")).one()
        assert (member.name, member.unit.name, member.standing, member.phone) == (
            "欧阳振华", "掘进一区", "probationary", "13900001111",
        )  # fmt: skip
        assert member.joined_on == date(2025, 9, 1)
        assert db.session.scalars(select(Member.gender).where(Member.staff_no == "Y8")).one() == "f"


def test_re_importing_a_roster_updates_members_instead_of_doubling_them(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "hr")
    rows = [
        person("周新民", 工号="A1"),
        person("吴海波", 工号="A2"),
        person("张海涛", **{"岗位/工种": "综采班长"}),
    ]
    before = members_count(app)
    first = upload(client, "members", xlsx(MEMBER_HEADERS, rows))
    assert first.status_code == 303
    assert members_count(app) == before + 2  # 张海涛 of 综采一区 was already on the demo roster
    rows[1] = person("吴海波", 工号="A2", 手机号="13912345678", **{"岗位/工种": "电钳工"})
    again = upload(client, "members", xlsx(MEMBER_HEADERS, rows))
    assert again.status_code == 303
    note = client.get(again.headers["Location"]).get_data(as_text=True)
    with app.test_request_context():
        from flask_babel import gettext

        expected = gettext(
            "Imported: %(added)d added, %(updated)d updated, %(unchanged)d unchanged.",
            added=0,
            updated=1,
            unchanged=2,
        )
    assert expected in note
    assert members_count(app) == before + 2
    with app.app_context():
        member = db.session.scalars(select(Member).where(Member.staff_no == "A2")).one()
        assert (member.job, member.phone) == ("电钳工", "13912345678")


def test_rename_keeps_the_former_name_on_the_unit_page_and_in_the_audit_log(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "hr")
    zc1 = unit_id(app, "综采一区")
    url = f"/org/units/{zc1}"
    form = {"csrf_token": csrf_token(client, url), "name": "综采队", "kind": "team", "profession": "coal",
            "branch": "综采一区党支部", "code": "zc1"}  # fmt: skip
    assert client.post(url, data=form).status_code == 303
    page = client.get(url).get_data(as_text=True)
    former = page.split('id="former-names"')[1].split("</section>")[0]
    assert "综采一区" in former
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "unit.rename")).one()
        assert (entry.entity_id, entry.before["name"], entry.after["name"]) == (
            str(zc1),
            "综采一区",
            "综采队",
        )


def test_a_unit_with_posts_is_closed_not_deleted(app: Flask, client: FlaskClient) -> None:
    login(client, "hr")
    zc1 = unit_id(app, "综采一区")
    token = csrf_token(client, f"/org/units/{zc1}")
    refused = client.post(f"/org/units/{zc1}/delete", data={"csrf_token": token})
    assert refused.status_code == 409
    assert unit_id(app, "综采一区") == zc1
    closed = client.post(f"/org/units/{zc1}/close", data={"csrf_token": token})
    assert closed.status_code == 303
    with app.app_context():
        assert db.session.get(Unit, zc1).closed_on == clock.today()  # type: ignore[union-attr]
    # closed units are no longer offered when adding a member
    assert f'value="{zc1}"' not in client.get("/org/members/new").get_data(as_text=True)


def test_a_mistaken_unit_nothing_refers_to_can_be_deleted(app: Flask, client: FlaskClient) -> None:
    login(client, "hr")
    token = csrf_token(client, "/org/units/new")
    form = {"csrf_token": token, "name": "调度室", "kind": "office", "profession": "", "branch": "机关党支部"}
    created = client.post("/org/units/new", data=form)
    assert created.status_code == 303
    new_id = int(created.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        unit = db.session.get(Unit, new_id)
        assert unit is not None
        assert (unit.code, unit.branch_name) == (f"u{new_id}", "机关党支部")
    assert client.post(f"/org/units/{new_id}/delete", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert db.session.get(Unit, new_id) is None


def test_closing_a_branch_with_open_units_is_refused_with_the_reason(app: Flask, client: FlaskClient) -> None:
    login(client, "committee")
    with app.app_context():
        branch = db.session.scalars(select(Branch.id).where(Branch.name == "综采一区党支部")).one()
    token = csrf_token(client, f"/org/branches/{branch}")
    refused = client.post(f"/org/branches/{branch}/close", data={"csrf_token": token})
    assert refused.status_code == 409
    with app.test_request_context():
        from inspect_app.org.services import OrgRefused

        reason = messages.refusal(OrgRefused("branch_has_open_units", 409, "1"))
    assert reason in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Branch, branch).closed_on is None  # type: ignore[union-attr]


def test_a_units_file_adds_units_and_creates_their_branches(app: Flask, client: FlaskClient) -> None:
    login(client, "admin")
    rows = [["综采二区", "区队", "采煤", "综采二区党支部", "zc2"],
            ["安全监察科", "科室", "安全", "机关党支部", ""],
            ["综采一区", "区队", "采煤", "综采一区党支部", ""]]  # fmt: skip
    response = upload(client, "units", xlsx(UNIT_HEADERS, rows), "units.xlsx")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    with app.app_context():
        office = db.session.scalars(select(Unit).where(Unit.name == "安全监察科")).one()
        assert (office.kind, office.profession, office.branch_name) == ("office", "safety", "机关党支部")
        assert db.session.scalar(select(func.count()).select_from(Unit)) == len(DEMO_UNITS) + 2
    bad = upload(
        client, "units", xlsx(UNIT_HEADERS, [["调度室", "部门", "", "机关党支部", ""]] * 2), "u.xlsx"
    )
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert problem_text(app, 2, "类型", "unknown_kind", "部门") in page
    assert problem_text(app, 3, "单位名称", "repeated", "2") in page


def test_a_branch_secretary_reads_their_own_units_members_only(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        own = db.session.scalars(
            select(Member).join(Unit).where(Unit.name == "综采一区").order_by(Member.id)
        ).first()
        other = db.session.scalars(select(Member).join(Unit).where(Unit.name == "掘进一区")).first()
        assert own is not None
        assert other is not None
    login(client, "branch_secretary")
    listed = roster_block(client.get("/org/members", query_string={"unit": "jj1"}))
    assert own.name in listed
    assert other.name not in listed
    assert client.get(f"/org/members/{own.id}").status_code == 200
    assert client.get(f"/org/members/{other.id}").status_code == 403
    for url in ("/org/", "/org/import", f"/org/members/{own.id}/edit", "/org/templates/members.xlsx"):
        assert client.get(url).status_code == 403, url


def test_an_inspector_gets_403_everywhere_in_the_roster(app: Flask, client: FlaskClient) -> None:
    login(client, "inspector")
    for url in ("/org/", "/org/members", "/org/members/1", "/org/import", "/org/templates/members.csv"):
        assert client.get(url).status_code == 403, url


def test_the_templates_open_in_openpyxl_and_import_cleanly(app: Flask, client: FlaskClient) -> None:
    login(client, "hr")
    for kind, headers in (("units", UNIT_HEADERS), ("members", MEMBER_HEADERS)):
        body = client.get(f"/org/templates/{kind}.xlsx").data
        sheet = load_workbook(io.BytesIO(body)).worksheets[0]
        assert [c.value for c in sheet[1]] == list(headers)
        assert sheet.max_row == 2  # the header and one example row
        assert upload(client, kind, body, f"{kind}.xlsx").status_code == 303
        csv_body = client.get(f"/org/templates/{kind}.csv").data
        assert upload(client, kind, csv_body, f"{kind}.csv").status_code == 303
    with app.app_context():  # the example 张海涛 was matched on the demo roster and given the example 工号
        assert db.session.scalar(select(func.count()).where(Member.name == "张海涛")) == 1
        assert db.session.scalars(select(Member.staff_no).where(Member.name == "张海涛")).one() == "ZC1003"


def test_a_member_who_leaves_stays_readable_but_is_hidden_from_the_list(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "hr")
    with app.app_context():
        member = db.session.scalars(select(Member).order_by(Member.id)).first()
        assert member is not None
    token = csrf_token(client, f"/org/members/{member.id}")
    assert client.post(f"/org/members/{member.id}/close", data={"csrf_token": token}).status_code == 303
    assert member.name not in roster_block(client.get("/org/members", query_string={"q": member.name}))
    shown = roster_block(client.get("/org/members", query_string={"q": member.name, "closed": "1"}))
    assert member.name in shown
    assert client.get(f"/org/members/{member.id}").status_code == 200
    with app.app_context():
        assert db.session.get(Member, member.id).closed_on == clock.today()  # type: ignore[union-attr]


def test_the_member_form_refuses_a_taken_staff_number_and_a_bad_phone(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "hr")
    zc1 = unit_id(app, "综采一区")
    token = csrf_token(client, "/org/members/new")
    form = {"csrf_token": token, "name": "高志远", "unit_id": str(zc1), "standing": "member", "gender": "m",
            "joined_on": "2018.07", "phone": "139-1234-5678", "staff_no": "Z9", "job": "支架工"}  # fmt: skip
    created = client.post("/org/members/new", data=form)
    assert created.status_code == 303
    with app.app_context():
        member = db.session.scalars(select(Member).where(Member.staff_no == "Z9")).one()
        assert (member.joined_on, member.phone, member.party_member) == (
            date(2018, 7, 1),
            "13912345678",
            True,
        )
    twin = client.post("/org/members/new", data=form | {"name": "高志强"})
    assert twin.status_code == 422
    assert "Z9" in twin.get_data(as_text=True)
    bad = client.post("/org/members/new", data=form | {"staff_no": "Z10", "phone": "12345"})
    assert bad.status_code == 422
    assert 'id="phone-error"' in bad.get_data(as_text=True)


def test_the_roster_list_refreshes_as_an_htmx_fragment_and_pages_by_50(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "hr")
    assert upload(client, "members", xlsx(MEMBER_HEADERS, big_roster(120))).status_code == 303
    pages = [
        client.get("/org/members", query_string={"q": "K10", "page": str(n)}, headers={"HX-Request": "true"})
        for n in (1, 2, 3)
    ]
    bodies = [p.get_data(as_text=True) for p in pages]
    assert all(p.status_code == 200 for p in pages)
    assert all(b.lstrip().startswith('<div id="roster"') and "<html" not in b for b in bodies)
    assert [b.count('href="/org/members/') for b in bodies] == [50, 50, 20]
    assert all(f"K{10000 + n}" in "".join(bodies) for n in range(120))


def test_a_malformed_workbook_is_refused_as_unreadable_not_a_500(app: Flask, client: FlaskClient) -> None:
    """A zip whose sheet part is not well-formed XML (openpyxl raises a ParseError, a SyntaxError)."""
    good = io.BytesIO(xlsx(MEMBER_HEADERS, [person("王海")]))
    broken = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for part in source.infolist():
            data = source.read(part)
            target.writestr(
                part, b"<worksheet><sheetData><row>" if part.filename.endswith("sheet1.xml") else data
            )
    login(client, "hr")
    before = members_count(app)
    response = upload(client, "members", broken.getvalue())
    assert response.status_code == 400
    assert members_count(app) == before


def test_a_member_who_leaves_loses_their_login_too(app: Flask, client: FlaskClient) -> None:
    from inspect_app.models import User

    with app.app_context():
        jiancha = db.session.scalars(select(User).where(User.username == "jiancha")).one()
        member = db.session.scalars(select(Member).where(Member.name == "张海涛")).one()
        jiancha.member_id = member.id
        db.session.commit()
        member_id = member.id
    phone = app.test_client()
    login(phone, "inspector")
    login(client, "hr")
    url = f"/org/members/{member_id}"
    assert client.post(f"{url}/close", data={"csrf_token": csrf_token(client, url)}).status_code == 303
    assert phone.get("/posts/").status_code == 302  # the session ended: back to the login page
    with app.app_context():
        assert db.session.scalars(select(User.active).where(User.username == "jiancha")).one() is False

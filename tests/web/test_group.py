"""A coal group on one deployment (issue 23): two demo mines, ``a`` and ``b``, each in its own database
(SQLite file or PostgreSQL schema), and the group's catalogue.

What is proven here: every route × every role of mine ``a``, with its cookies carried to mine ``b`` (as a
thief or a curious colleague would), gets no 2xx there but public pages; within ``b`` each role gets exactly
what its views allow, as for a single mine; a ballot card of one mine is unknown at the other and the keys
differ; a group administrator opens no mine page and no sheet; mines and their first administrators come
from one spreadsheet; a group standard published reaches both mines and their posts follow new editions;
the comparison ranks the mines from counts and rates.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from inspect_app import demo, tenancy
from inspect_app.audit import Actor
from inspect_app.domain.ballots import card_digest, new_card_code
from inspect_app.domain.enums import Role
from inspect_app.domain.standards import check_items
from inspect_app.extensions import db
from inspect_app.group import services
from inspect_app.group.cli import upgrade_catalogue
from inspect_app.models import (
    AnonSheet,
    BallotCard,
    Post,
    Round,
    Standard,
    StandardFromGroup,
    StandardVersion,
    User,
)
from inspect_app.standards.exchange import read_upload
from tests.conftest import CSRF_RE, ROLE_LOGINS, make_app
from tests.groups import GROUP_ADMIN, GROUP_PASSWORD, MINES, build_group, close_group, group_url
from tests.web.helpers import THREADS, anonymous_round, together
from tests.web.test_access import OWN_POST, name_every_signer, routes, sample_url
from tests.web.test_ballot import CARDS, ballot, unscored_post


def test_a_group_starts_empty_and_says_so(db_url: str, tmp_path: Path) -> None:
    """A new group: the catalogue and an administrator, no mine yet (first in this file: on PostgreSQL it
    empties the schemas the two-mine fixture then builds)."""
    app = make_app(group_url(db_url, tmp_path), GROUP=True, PHOTO_DIR=str(tmp_path / "photos"))
    with app.app_context():
        upgrade_catalogue()
        services.create_admin(GROUP_ADMIN, "集团管理员", GROUP_PASSWORD)
    client = app.test_client()
    assert client.get("/").headers["Location"].endswith("/group/")
    assert client.get("/group/").headers["Location"].startswith("/group/login")
    log_in(client, "/group", GROUP_ADMIN, GROUP_PASSWORD)
    assert "集团还没有矿井" in client.get("/group/").get_data(as_text=True)
    assert "还没有矿井" in client.get("/group/mines").get_data(as_text=True)
    assert client.get("/group/standards").status_code == 200
    assert client.get("/m/jia/").status_code == 404
    assert client.get("/m/jia/login").status_code == 404
    close_group(app)


@pytest.fixture(scope="module")
def group(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = build_group(db_url, tmp_path_factory.mktemp("group"))
    name_every_signer(mine_app(app, "yi"), OWN_POST)
    yield app
    for made in [app, *_APPS.values()]:
        close_group(made)
    _APPS.clear()


_APPS: dict[tuple[Any, ...], Flask] = {}


def mine_app(group: Flask, code: str | None, **overrides: Any) -> Flask:
    """The same deployment seen from one mine outside any request (tests read its database through it), or
    with ``code`` None a second app of the deployment (another worker); made once per module."""
    key = (code, repr(sorted(overrides.items())))
    if key not in _APPS:
        url = group.config["SQLALCHEMY_DATABASE_URI"]
        _APPS[key] = make_app(url, GROUP=True, MINE=code, PHOTO_DIR=group.config["PHOTO_DIR"], **overrides)
    return _APPS[key]


def log_in(client: FlaskClient, prefix: str, username: str, password: str = demo.DEMO_PASSWORD) -> None:
    page = client.get(f"{prefix}/login").get_data(as_text=True)
    match = CSRF_RE.search(page)
    token = match.group(1) if match else ""
    response = client.post(
        f"{prefix}/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:300]


def test_each_mine_answers_at_its_own_address_with_its_own_data(group: Flask) -> None:
    with mine_app(group, "yi").app_context():
        post = db.session.scalars(select(Post).order_by(Post.id.desc())).first()  # none the walk uses
        assert post is not None
        post.name = "只在乙矿的示范岗"
        db.session.commit()
    client = group.test_client()
    log_in(client, "/m/jia", "admin")
    a_posts = client.get("/m/jia/posts/?unit=all")
    assert a_posts.status_code == 200
    assert "只在乙矿的示范岗" not in a_posts.get_data(as_text=True)
    log_in(client, "/m/yi", "admin")
    assert "只在乙矿的示范岗" in client.get("/m/yi/posts/?unit=all").get_data(as_text=True)
    # links and forms stay under the mine's address
    assert 'href="/m/jia/' in a_posts.get_data(as_text=True)
    # no mine page answers outside a mine, an unknown mine is 404, the root leads to the group's pages
    assert client.get("/posts/").status_code == 404
    assert client.get("/m/zz/posts/").status_code == 404
    assert client.get("/m/A!/posts/").status_code == 404
    assert client.get("/").headers["Location"].endswith("/group/")
    assert client.get("/m/jia/group/").status_code == 404


def test_cookies_are_scoped_to_their_mine_and_signed_with_its_own_key(group: Flask) -> None:
    client = group.test_client()
    log_in(client, "/m/jia", "admin")
    cookie = client.get_cookie("session", domain="inspect.test", path="/m/jia")
    assert cookie is not None
    assert client.get_cookie("session", domain="inspect.test", path="/") is None
    # the same cookie carried to mine b (copied by hand: a browser would never send it there)
    client.set_cookie("session", cookie.value, domain="inspect.test", path="/m/yi")
    assert client.get("/m/yi/desk/").status_code == 302
    remember = group.test_client()
    page = remember.get("/m/jia/login").get_data(as_text=True)
    form = {"username": "admin", "password": demo.DEMO_PASSWORD, "remember": "y"}
    remember.post("/m/jia/login", data=form | {"csrf_token": CSRF_RE.search(page).group(1)})  # type: ignore[union-attr]
    assert remember.get_cookie("remember_token", domain="inspect.test", path="/m/jia") is not None
    assert remember.get_cookie("remember_token", domain="inspect.test", path="/") is None
    keys = {}
    for code in MINES:
        app = mine_app(group, code)
        with app.app_context():
            keys[code] = (app.config["SECRET_KEY"], app.config["BALLOT_KEY"])
    roots = set()
    for code in MINES:  # each mine's photos in a folder of its own
        with mine_app(group, code).app_context():
            from inspect_app.photos.uploads import photo_store

            roots.add(photo_store().root)  # type: ignore[attr-defined]
    assert roots == {Path(group.config["PHOTO_DIR"]) / code for code in MINES}
    instance = dict.__getitem__(group.config, "SECRET_KEY")
    assert keys["jia"][0] != keys["yi"][0]
    assert keys["jia"][1] != keys["yi"][1]
    assert instance not in (*keys["jia"], *keys["yi"])


@pytest.mark.parametrize("role", list(ROLE_LOGINS))
def test_route_role_walk_with_two_mines_finds_no_cross_mine_success(group: Flask, role: str) -> None:
    """Every route of mine b, requested with mine a's cookies of ``role``: nothing but public pages answer
    2xx. Then mine b's own login of ``role`` gets exactly what the views allow, as for a single mine."""
    b = mine_app(group, "yi")
    walk = mine_app(group, None, WTF_CSRF_ENABLED=False)
    thief = walk.test_client()
    log_in(thief, "/m/jia", ROLE_LOGINS[role])
    for name in ("session", "remember_token"):
        found = thief.get_cookie(name, domain="inspect.test", path="/m/jia")
        if found is not None:
            thief.set_cookie(name, found.value, domain="inspect.test", path="/m/yi")
    own = walk.test_client()
    log_in(own, "/m/yi", ROLE_LOGINS[role])
    crossed, wrong = [], []
    for endpoint, method, rule in routes(walk):
        if endpoint in ("static", "auth.logout", "group.logout"):
            continue
        prefix = "" if endpoint.startswith("group.") else "/m/yi"
        url = prefix + (rule if endpoint.startswith("group.") else sample_url(b, rule, endpoint=endpoint))
        access = walk.view_functions[endpoint].access
        response = thief.open(url, method=method, data={})
        if response.status_code < 300 and access != "public":
            crossed.append((method, url, response.status_code))
        if endpoint.startswith("group."):
            continue
        response = own.open(url, method=method, data={})
        if access == "public":
            ok = response.status_code < 500 and response.status_code not in (401, 403)
        elif Role(role) in access:
            ok = response.status_code not in (401, 403) and response.status_code < 500
        else:
            ok = response.status_code == 403
        if not ok:
            wrong.append((method, url, response.status_code))
    assert crossed == []
    assert wrong == []
    assert len(list(routes(walk))) > 100


def test_a_ballot_card_of_one_mine_is_unknown_at_the_other(group: Flask) -> None:
    a, b = mine_app(group, "jia"), mine_app(group, "yi")
    card = new_card_code()
    digests = {}
    for code, app in (("jia", a), ("yi", b)):
        with app.app_context():
            key = str(app.config["BALLOT_KEY"]).encode()
            digests[code] = (card_digest(key, CARDS[0]), key)
            if code == "jia":  # a fresh card printed for mine a's open anonymous round
                rnd = anonymous_round(a).id
                serial = db.session.scalar(
                    select(func.max(BallotCard.serial)).where(BallotCard.round_id == rnd)
                )
                db.session.add(
                    BallotCard(round_id=rnd, serial=(serial or 0) + 1, digest=card_digest(key, card))
                )
                db.session.commit()
    # the demo's public cards are printed at both mines, each stored under the mine's own key only
    assert digests["jia"][0] != digests["yi"][0]
    for code, app in (("jia", a), ("yi", b)):
        with app.app_context():
            stored = set(db.session.scalars(select(BallotCard.digest)))
            other = digests["yi" if code == "jia" else "jia"][0]
            assert digests[code][0] in stored
            assert other not in stored
    with b.app_context():
        before_b = db.session.scalar(select(func.count()).select_from(AnonSheet))
    client = group.test_client()
    code_b = unscored_post(b)
    refused = client.post(f"/m/yi/b/{anonymous_round(b).id}/{code_b}", data=ballot(b, code_b, card))
    assert refused.status_code == 403
    code_a = unscored_post(a)
    stored = client.post(f"/m/jia/b/{anonymous_round(a).id}/{code_a}", data=ballot(a, code_a, card))
    assert stored.status_code == 200, stored.get_data(as_text=True)[:300]
    with b.app_context():
        assert db.session.scalar(select(func.count()).select_from(AnonSheet)) == before_b


def test_a_group_administrator_opens_no_page_of_any_mine(group: Flask) -> None:
    client = group.test_client()
    log_in(client, "/group", GROUP_ADMIN, GROUP_PASSWORD)
    assert client.get("/group/").status_code == 200
    b = mine_app(group, "yi")
    opened = []
    for endpoint, method, rule in routes(group):
        if endpoint.startswith("group.") or endpoint == "static" or method != "GET":
            continue
        response = client.get("/m/jia" + sample_url(b, rule, endpoint=endpoint))
        if response.status_code < 300 and group.view_functions[endpoint].access != "public":
            opened.append((rule, response.status_code))
    assert opened == []
    # nor does a mine's administrator open the group's pages
    other = group.test_client()
    log_in(other, "/m/jia", "admin")
    assert other.get("/group/").status_code == 302
    assert other.get("/group/mines").status_code == 302


def test_a_group_imports_its_mines_and_their_first_administrators_from_one_sheet(group: Flask) -> None:
    client = group.test_client()
    log_in(client, "/group", GROUP_ADMIN, GROUP_PASSWORD)
    page = client.get("/group/mines").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)  # type: ignore[union-attr]
    header = "代码,矿井全称,简称,管理员账号,管理员姓名,党委名称,时区,公网地址,发文代字\n"
    bad = (
        header
        + "c1,丙煤矿,丙矿,admin,张三,,,,\nA!,,丁矿,x,李四,,Mars/Base,ftp://x,\nc1,戊煤矿,戊矿,admin,王五,,,,\n"
    )
    refused = client.post(
        "/group/mines/import", data={"csrf_token": token, "file": (io.BytesIO(bad.encode()), "mines.csv")}
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "第3行" in text
    assert "第4行" in text
    assert "矿井全称" in text
    assert "时区" in text
    with group.app_context():
        assert "c1" not in services.mine_codes()
    good = header + "c1,山东能源集团丙煤矿,丙矿,bing_admin,张三,,,,丙矿党发\n"
    added = client.post(
        "/group/mines/import", data={"csrf_token": token, "file": (io.BytesIO(good.encode()), "mines.csv")}
    )
    assert added.status_code == 200, added.get_data(as_text=True)[:500]
    password = added.get_data(as_text=True).split('<code class="password">')[1].split("<")[0]
    with group.app_context():
        assert "c1" in services.mine_codes()
    mine = group.test_client()
    log_in(mine, "/m/c1", "bing_admin", password)
    assert mine.get("/m/c1/desk/").headers["Location"].endswith("/m/c1/password")  # changed at first login
    with mine_app(group, "c1").app_context():
        admin = db.session.scalars(select(User)).one()
        assert (admin.role, admin.must_change_password) == (Role.ADMIN.value, True)
        assert db.session.scalar(select(func.count()).select_from(Post)) == 0  # sets itself up as on day one


def _standard_csv(points: str) -> bytes:
    rows = "类别,序号,项目,标准分,检查方法,评分办法\n"
    rows += f"现场管理,1,巷道无积水浮煤,{points},现场查看,每处扣0.5分\n"
    rows += "安全,2,支护完好,10,现场查看,一处不符合扣1分\n"
    return rows.encode()


def test_the_group_publishes_a_standard_both_mines_use_and_compares_the_mines(group: Flask) -> None:
    client = group.test_client()
    log_in(client, "/group", GROUP_ADMIN, GROUP_PASSWORD)
    token = CSRF_RE.search(client.get("/group/standards").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": token, "title": "集团采煤专业示范岗考核标准", "profession": "coal", "note": ""}
    saved = client.post("/group/standards", data=form | {"file": (io.BytesIO(_standard_csv("10")), "s.csv")})
    assert saved.status_code == 303
    with group.app_context():
        version_id = services.standards()[0].versions[0].id
    published = client.post(f"/group/standards/versions/{version_id}/publish", data={"csrf_token": token})
    assert published.status_code == 200
    for code in MINES:
        assert f'data-mine="{code}"' in published.get_data(as_text=True)
        with mine_app(group, code).app_context():
            standard = db.session.scalars(select(Standard).where(Standard.from_group.has())).one()
            assert standard.title == "集团采煤专业示范岗考核标准"
            assert [v.number for v in standard.versions] == [1]
    again = client.post(f"/group/standards/versions/{version_id}/publish", data={"csrf_token": token})
    assert "各矿均已有此版本" in again.get_data(as_text=True)
    # a new edition: each mine's standard gets version 2
    saved = client.post("/group/standards", data=form | {"file": (io.BytesIO(_standard_csv("20")), "s.csv")})
    with group.app_context():
        version_id = services.standards()[0].versions[-1].id
    client.post(f"/group/standards/versions/{version_id}/publish", data={"csrf_token": token})
    for code in MINES:
        with mine_app(group, code).app_context():
            standard = db.session.scalars(select(Standard).where(Standard.from_group.has())).one()
            numbers = select(StandardVersion.number).where(StandardVersion.standard_id == standard.id)
            assert sorted(db.session.scalars(numbers)) == [1, 2]
            assert standard.versions[-1].total_points == 30
    compared = client.get("/group/").get_data(as_text=True)
    assert 'data-mine="jia"' in compared
    assert 'data-mine="yi"' in compared


def test_a_mine_cannot_change_the_group_s_standard_but_adds_its_own(group: Flask) -> None:
    client = group.test_client()
    log_in(client, "/m/jia", "admin")
    with mine_app(group, "jia").app_context():
        own = db.session.scalars(select(Standard.id).where(~Standard.from_group.has())).first()
        from_group = db.session.scalars(select(Standard.id).where(Standard.from_group.has())).first()
    if from_group is None:  # this test alone: publish one first
        log_in(client, "/group", GROUP_ADMIN, GROUP_PASSWORD)
        token = CSRF_RE.search(client.get("/group/standards").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
        form = {"csrf_token": token, "title": "集团机电专业标准", "profession": "electro", "note": ""}
        client.post("/group/standards", data=form | {"file": (io.BytesIO(_standard_csv("10")), "s.csv")})
        with group.app_context():
            version = next(s for s in services.standards() if s.title == "集团机电专业标准").versions[0].id
        client.post(f"/group/standards/versions/{version}/publish", data={"csrf_token": token})
        with mine_app(group, "jia").app_context():
            from_group = db.session.scalars(select(Standard.id).where(Standard.from_group.has())).first()
    page = client.get(f"/m/jia/standards/{from_group}").get_data(as_text=True)
    assert 'id="group-standard"' in page
    assert f"/m/jia/standards/{from_group}/edit" not in page
    token = CSRF_RE.search(client.get("/m/jia/standards/").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    assert client.get(f"/m/jia/standards/{from_group}/edit").status_code == 409
    upload = {"csrf_token": token, "file": (io.BytesIO(_standard_csv("30")), "s.csv")}
    assert client.post(f"/m/jia/standards/{from_group}/import", data=upload).status_code == 409
    upload = {"csrf_token": token, "file": (io.BytesIO(_standard_csv("30")), "s.csv")}
    assert client.post(f"/m/jia/standards/{own}/import", data=upload).status_code == 303  # its own: as ever


def test_twin_uploads_and_publishes_store_each_edition_once(group: Flask) -> None:
    items = check_items(read_upload("s.csv", _standard_csv("10")))
    title = "集团掘进专业示范岗考核标准"
    done, errors = together(group, lambda n: services.add_standard(title, "tunnel", items, f"第{n}次"))
    assert (done, errors) == (THREADS, [])
    with group.app_context():
        standard = next(s for s in services.standards() if s.title == title)
        mines = services.mines()
    assert [v.number for v in standard.versions] == list(range(1, THREADS + 1))
    actor = Actor(None, "集团管理员", services.GROUP_ADMIN)
    published: list[list[services.Published]] = []
    done, errors = together(
        group, lambda n: published.append(services.publish(actor, standard.versions[-1].id))
    )
    assert (done, errors) == (THREADS, [])
    assert sorted(p.code for found in published for p in found) == sorted(m.code for m in mines)
    for mine in mines:
        with mine_app(group, mine.code).app_context():
            own = db.session.scalars(
                select(Standard).where(
                    Standard.from_group.has(StandardFromGroup.group_standard_id == standard.id)
                )
            ).one()
            assert ([v.number for v in own.versions], own.from_group.group_version) == ([1], THREADS)


def test_the_group_s_commands_add_mines_and_run_each_mine_s_daily_jobs(group: Flask, tmp_path: Path) -> None:
    runner = group.test_cli_runner()
    assert runner.invoke(args=["group", "init"]).exit_code == 0
    added = runner.invoke(
        args=["group", "add-admin", "jituan2", "--name", "集团二"], input="Group-second-77\nGroup-second-77\n"
    )
    assert added.exit_code == 0, added.output
    sheet = tmp_path / "mines.csv"
    sheet.write_text(
        "代码,矿井全称,简称,管理员账号,管理员姓名\nd1,山东能源集团丁煤矿,丁矿,ding,赵六\n", encoding="utf-8"
    )
    imported = runner.invoke(args=["mines", "import", str(sheet)])
    assert imported.exit_code == 0, imported.output
    assert imported.output.startswith("d1\tding\t")
    again = runner.invoke(args=["mines", "import", str(sheet)])  # the code is taken now: nothing added
    assert again.exit_code != 0
    assert "code_taken" in again.output
    listed = runner.invoke(args=["mines", "list"]).output
    assert "d1\t丁矿" in listed
    assert "jia\t" in listed
    each = runner.invoke(args=["mines", "each", "setup-key"])
    assert each.exit_code == 0, each.output
    keys = [line for line in each.output.splitlines() if not line.startswith("==")]
    with group.app_context():
        assert len(keys) == len(set(keys)) == len(services.mines())  # each mine its own setup key
    assert runner.invoke(args=["mines", "each", "mines"]).exit_code != 0
    assert runner.invoke(args=["mines", "upgrade"]).exit_code == 0


def test_the_catalogue_and_each_mine_migrated_match_their_models(group: Flask) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from inspect_app.group.models import GroupBase

    with group.app_context(), tenancy.group_state().catalogue.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), GroupBase.metadata) == []
    with mine_app(group, "yi").app_context(), db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []


def test_every_group_page_answers_its_administrator_and_bad_input_is_told(group: Flask) -> None:
    client = group.test_client()
    log_in(client, "/group", GROUP_ADMIN, GROUP_PASSWORD)
    for endpoint, method, rule in routes(group):
        if endpoint.startswith("group.") and method == "GET" and "<" not in rule.replace("<fmt>", ""):
            for fmt in ("csv", "xlsx"):
                response = client.get(rule.replace("<fmt>", fmt))
                assert response.status_code == 200, (rule, response.status_code)
    assert client.get("/group/mines/template.pdf").status_code == 404
    assert client.get("/group/?year=1900").status_code == 404
    token = CSRF_RE.search(client.get("/group/standards").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    bad = "类别,序号,项目,标准分,检查方法,评分办法\n现场管理,1,巷道无积水,abc,现场查看,每处扣0.5分\n"
    form = {
        "csrf_token": token,
        "title": "",
        "profession": "nope",
        "file": (io.BytesIO(bad.encode()), "s.csv"),
    }
    refused = client.post("/group/standards", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "请选择专业" in text
    assert "第2行" in text
    assert (
        client.post("/group/standards/versions/999999/publish", data={"csrf_token": token}).status_code == 404
    )
    wrong = client.post(
        "/group/password", data={"csrf_token": token, "current": "x", "new": "a", "repeat": "a"}
    )
    assert wrong.status_code == 422
    assert "当前密码不正确" in wrong.get_data(as_text=True)


def test_the_comparison_ranks_the_mines_from_their_own_figures(group: Flask) -> None:
    from datetime import date, timedelta

    from inspect_app.group.compare import period_of
    from inspect_app.models import Rectification
    from inspect_app.reviews.annual import mine_summary

    with mine_app(group, "yi").app_context():  # yi lets a fix of this year run past its deadline
        published = db.session.scalars(select(Round).where(Round.status == "published")).first()
        assert published is not None
        year = published.period_end.year
        post = db.session.scalars(select(Post).where(Post.status == "listed")).first()
        assert post is not None
        day = min(date.today(), date(year, 12, 31)) - timedelta(days=1)
        fix = Rectification(post_id=post.id, unit_id=post.unit_id, problem="浮煤", measures="清理",
                            deadline=day, responsible="张海涛", checker="王建华", issued_on=day)  # fmt: skip
        db.session.add(fix)
        db.session.commit()
    expected = {}
    for code in MINES:
        app = mine_app(group, code)
        with app.test_request_context():
            expected[code] = mine_summary(*period_of(year, None), date.today())
    assert expected["jia"].posts == expected["yi"].posts > 0
    assert expected["yi"].parts["rectifications"] == 0
    fresh = mine_app(group, None, SUMMARIES="fresh")  # another worker: no summary kept from earlier tests
    client = fresh.test_client()
    log_in(client, "/group", GROUP_ADMIN, GROUP_PASSWORD)
    page = client.get(f"/group/?year={year}").get_data(as_text=True)
    rows = re.findall(r'<tr data-mine="(\w+)">\s*<td>(\d+|—)</td>(.*?)</tr>', page, re.S)
    found = {code: (place, cells) for code, place, cells in rows}
    assert set(found) >= set(MINES)
    assert found["jia"][0] == "1"
    assert int(found["yi"][0]) > 1
    for code in MINES:
        assert str(expected[code].score) in found[code][1]
        assert f"<td>{expected[code].posts}</td>" in found[code][1]
    assert 'id="quarters"' in page
    assert client.get(f"/group/?year={year}&quarter=4").status_code == 200
    assert client.get(f"/group/?year={year}&quarter=5").status_code == 404
    assert "张海涛" not in page  # rates, not the mines' records


def test_one_connection_serving_both_mines_in_turn_always_reads_the_mine_asked(group: Flask) -> None:
    """PostgreSQL: the mines share the catalogue's pool, each connection pointed at the schema of the mine
    that takes it (tenancy.use_schema). With one connection in the pool, alternating mines, with a rolled
    back write in between, must still read each mine's own rows (SQLite: a file each, trivially)."""
    from sqlalchemy import text

    from inspect_app.models import Mine

    one = mine_app(group, None, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0})
    names = {"jia": "甲矿", "yi": "乙矿"}
    with one.app_context():
        for code, name in names.items():
            with tenancy.use_mine(code):
                db.session.get_one(Mine, 1).short_name = name
                db.session.commit()
        seen = []
        for turn in range(12):
            code = MINES[turn % 2]
            with tenancy.use_mine(code):
                if turn % 3 == 0:  # a write rolled back must not take the connection's schema with it
                    db.session.execute(text("UPDATE mine SET short_name = 'x'"))
                    db.session.rollback()
                seen.append((code, db.session.get_one(Mine, 1).short_name))
                db.session.remove()
        catalogue_codes = services.mine_codes()
    assert seen == [(MINES[t % 2], names[MINES[t % 2]]) for t in range(12)]
    assert set(MINES) <= catalogue_codes


def test_a_group_administrator_with_a_one_time_password_changes_it_first(group: Flask) -> None:
    with group.app_context():
        services.create_admin("jituan3", "集团三", "Kk7-one-time-x9", must_change=True)
    client = group.test_client()
    token = CSRF_RE.search(client.get("/group/login").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    login = {"csrf_token": token, "username": "jituan3", "password": "Kk7-one-time-x9"}
    assert client.post("/group/login?next=/group/mines", data=login).headers["Location"] == "/group/mines"
    assert client.get("/group/mines").headers["Location"] == "/group/password"
    form = {"csrf_token": token, "current": "Kk7-one-time-x9", "new": "Mei-kuang-jituan-2027"}
    assert client.post("/group/password", data=form | {"repeat": "Mei-kuang-jituan-2027"}).status_code == 303
    assert client.get("/group/mines").status_code == 200
    other = group.test_client()
    token = CSRF_RE.search(other.get("/group/login").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    login = {"csrf_token": token, "username": "jituan3", "password": "Mei-kuang-jituan-2027"}
    assert other.post("/group/login?next=//evil.example/", data=login).headers["Location"] == "/group/"


def test_guessing_a_group_administrator_s_password_is_slowed_whatever_the_address(group: Flask) -> None:
    limited = mine_app(group, None, RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=False)
    client = limited.test_client()
    answers = []
    for n in range(12):  # a new address each time: only the per-account limit can stop it
        wrong = {"username": GROUP_ADMIN, "password": f"guess-{n}"}
        answers.append(client.post("/group/login", data=wrong, environ_base={"REMOTE_ADDR": f"10.9.0.{n}"}))
    assert [a.status_code for a in answers[:10]] == [422] * 10
    assert answers[10].status_code == 429
    right = {"username": GROUP_ADMIN, "password": GROUP_PASSWORD}  # the account waits, as for a mine
    assert (
        client.post("/group/login", data=right, environ_base={"REMOTE_ADDR": "10.9.1.1"}).status_code == 429
    )

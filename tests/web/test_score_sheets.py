"""Real score sheets at full size (issue 18): 129 items in 11 sections of 100 points, several deduction
rules per item, 1,800-character texts; imported from the sheet a mine keeps, rendered as the phone form,
scored by the percentage rule, exported back identical; a refused sheet lists every problem and every
photo to attach again."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from inspect_app import clock
from inspect_app.audit import Actor
from inspect_app.domain.ballots import RoundAction
from inspect_app.domain.deductions import RuleKind, parse_rules
from inspect_app.domain.enums import PostStatus, Profession, Role, RoundKind, RoundMode
from inspect_app.extensions import db
from inspect_app.models import AnonSheet, AnonSheetItem, Post, Standard, StandardItem, StandardVersion
from inspect_app.rounds.services import RoundInput, create_round, print_cards, step_round
from inspect_app.standards.exchange import item_rows
from tests.conftest import csrf_token, login
from tests.real_sheets import real_sheet, to_csv_bytes, to_xlsx_bytes
from tests.web.helpers import small_jpeg

ORGANISER = Actor(None, "test", Role.COMMITTEE)
SHEET = real_sheet()  # 129 items, 11 sections of 100 points, three 1,800-character texts


def committee(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client, "committee")
    return client


def standard_of(app: Flask, profession: str) -> int:
    with app.app_context():
        stmt = select(Standard.id).where(Standard.profession == profession)
        return db.session.scalars(stmt).one()


def upload(client: FlaskClient, standard_id: int, name: str, data: bytes) -> int:
    token = csrf_token(client, f"/standards/{standard_id}")
    response = client.post(
        f"/standards/{standard_id}/import",
        data={"csrf_token": token, "note": "安全质量标准化", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return response.status_code


def latest(app: Flask, standard_id: int) -> list[list[object]]:
    """The newest version's items as the export writes them, and its rules as (kind, amount, label)."""
    with app.app_context():
        stmt = select(StandardVersion).where(StandardVersion.standard_id == standard_id)
        version = db.session.scalars(stmt.order_by(StandardVersion.number.desc()).limit(1)).one()
        return [
            [*row, tuple((r.kind, r.amount, r.label) for r in item.rules)]
            for row, item in zip(item_rows(version.items), version.items, strict=True)
        ]


def test_a_real_sheet_imports_renders_and_exports_back_identical(app: Flask) -> None:
    client, coal = committee(app), standard_of(app, "coal")
    assert upload(client, coal, "一通三防.xlsx", to_xlsx_bytes(SHEET, merged_categories=True)) == 303
    items = latest(app, coal)
    assert len(items) == 129
    assert sum(Decimal(str(row[3])) for row in items) == 1100
    for row, source in zip(items, SHEET, strict=True):  # every cell as the sheet has it (merged 类别 filled)
        assert row[:6] == [source[h] for h in ("类别", "序号", "项目", "标准分", "检查方法", "评分办法")]
        assert row[6] == ""  # rules read from 评分办法 need no 扣分规则 of their own
    assert max(len(str(row[2])) for row in items) >= 1700
    assert sum(1 for row in items if len(row[7]) >= 2) >= 43  # a third with several rules
    page = client.get(f"/standards/{coal}").get_data(as_text=True)
    assert page.count('<tbody id="sec-') == 11
    assert "共 129 项，11 类，1100 分。" in page

    exported = client.get(f"/standards/{coal}/export.csv").data
    assert upload(client, coal, "export.csv", exported) == 303
    assert latest(app, coal) == items
    book = client.get(f"/standards/{coal}/export.xlsx").data
    assert upload(client, coal, "export.xlsx", book) == 303
    assert latest(app, coal) == items
    assert [c.value for c in load_workbook(io.BytesIO(book)).active[1]] == [
        "类别", "序号", "项目", "标准分", "检查方法", "评分办法", "扣分规则",
    ]  # fmt: skip


def test_a_csv_sheet_with_its_problems_is_refused_whole_in_one_pass(app: Flask) -> None:
    client, coal = committee(app), standard_of(app, "coal")
    rows = [dict(r) for r in SHEET]
    rows[4]["标准分"] = "五"
    rows[40]["评分办法"] = "按规定执行"
    rows[90]["项目"] = "长" * 4001
    rows[100]["序号"] = rows[99]["序号"]
    token = csrf_token(client, f"/standards/{coal}")
    response = client.post(
        f"/standards/{coal}/import",
        data={"csrf_token": token, "file": (io.BytesIO(to_csv_bytes(rows)), "sheet.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for expected in (
        "第6行「标准分」：「五」不是",
        "第42行「评分办法」：找不到扣分规则",
        "第92行「项目」：过长：最多 4000 个字",
        "第102行「序号」：与第101行重复",
    ):
        assert expected in page, expected
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(StandardVersion.standard_id == coal)) == 1


@dataclass
class Scene:
    round_id: int
    coal: str  # a post on the 1100-point sheet
    tunnel: str  # a post on the demo's 100-point tunnelling standard
    cards: list[str]


@pytest.fixture
def scene(app: Flask) -> Scene:
    """An open anonymous round over a coal post on the real sheet and a tunnelling post on the demo's."""
    assert upload(committee(app), standard_of(app, "coal"), "一通三防.xlsx", to_xlsx_bytes(SHEET)) == 303
    with app.app_context():
        listed = select(Post).where(Post.status == PostStatus.LISTED.value).order_by(Post.code)
        coal = next(p for p in db.session.scalars(listed) if p.profession == Profession.COAL)
        tunnel = next(p for p in db.session.scalars(listed) if p.profession == Profession.TUNNEL)
        today = clock.today()
        posts = (coal.id, tunnel.id)
        end = today + timedelta(days=1)
        data = RoundInput(
            "全尺寸评分表", RoundKind.WEEKLY, RoundMode.JOINT, today, end, True, posts, 3, False
        )
        codes = (coal.code, tunnel.code)
        round_id = create_round(ORGANISER, data)
        step_round(ORGANISER, round_id, RoundAction.OPEN)
        _, cards = print_cards(ORGANISER, round_id, 6, str(app.config["BALLOT_KEY"]).encode())
    return Scene(round_id, codes[0], codes[1], [code for _, code in cards])


def checklist(app: Flask, code: str, round_id: int) -> list[StandardItem]:
    from inspect_app.models import RoundPost

    with app.app_context():
        stmt = (
            select(StandardItem)
            .join(RoundPost, RoundPost.standard_version_id == StandardItem.version_id)
            .join(Post)
            .where(Post.code == code, RoundPost.round_id == round_id)
            .order_by(StandardItem.position)
        )
        items = list(db.session.scalars(stmt))
        for item in items:
            db.session.expunge(item)
        return items


def ballot(
    items: list[StandardItem], card: str, counts: dict[int, tuple[int, ...]], **extra: str
) -> dict[str, str]:
    """A sheet: every rule at 0 unless ``counts`` (by item index) says otherwise."""
    form = {"card": card, "submission_id": str(uuid.uuid4()), **extra}
    for index, item in enumerate(items):
        for k in range(1, len(item.rules) + 1):
            key = f"d-{item.id}" if k == 1 else f"d-{item.id}-{k}"
            given = counts.get(index, ())
            form[key] = str(given[k - 1] if k <= len(given) else 0)
    return form


def test_the_full_size_form_has_sections_a_jump_list_and_a_photo_button_per_item(
    app: Flask, scene: Scene
) -> None:
    page = app.test_client().get(f"/b/{scene.round_id}/{scene.coal}").get_data(as_text=True)
    assert page.count('<section class="sec"') == 11
    assert all(f'href="#sec-{n}"' in page for n in range(1, 12))
    assert page.count('class="button photo"') == 129
    assert 'id="sheet-bar"' in page
    assert 'id="running"' in page
    assert '通风系统 <span class="muted">100分' in page  # a section heading with its subtotal


def test_a_sheet_on_the_real_sheet_scores_points_kept_over_applicable_points(
    app: Flask, scene: Scene
) -> None:
    items = checklist(app, scene.coal, scene.round_id)
    many = [i for i, item in enumerate(items) if len(item.rules) >= 2 and item.max_points >= 2]
    counted = {i: tuple(1 if r.kind in (RuleKind.EACH, RuleKind.MISSING) else 0 for r in items[i].rules)
               for i in many[:6]}  # fmt: skip
    scored_out = next(i for i in many[6:] if any(r.kind == RuleKind.WHOLE for r in items[i].rules))
    counted[scored_out] = tuple(1 if r.kind == RuleKind.WHOLE else 0 for r in items[scored_out].rules)
    not_applicable = next(i for i, item in enumerate(items) if item.max_points > 0 and i not in counted)
    form = ballot(items, scene.cards[0], counted, **{f"na-{items[not_applicable].id}": "1"})
    response = app.test_client().post(f"/b/{scene.round_id}/{scene.coal}", data=form)
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:400]

    lost = Decimal(0)
    for index, counts in counted.items():  # the rule spelled out: Σ amounts, at most the item's points
        item = items[index]
        whole = any(c and r.kind == RuleKind.WHOLE for r, c in zip(item.rules, counts, strict=True))
        each = sum((r.amount or 0) * c for r, c in zip(item.rules, counts, strict=True))
        lost += item.max_points if whole else min(each, item.max_points)
    applicable = Decimal(1100) - items[not_applicable].max_points
    expected = ((applicable - lost) / applicable * 100).quantize(Decimal("0.01"))
    with app.app_context():
        sheet = db.session.scalars(select(AnonSheet).where(AnonSheet.round_id == scene.round_id)).one()
        assert sheet.score == expected
        assert sheet.deducted == lost
        lines = db.session.scalars(
            select(AnonSheetItem).where(AnonSheetItem.round_id == scene.round_id)
        ).all()
        by_item = {line.item_id: line for line in lines}
        first = items[many[0]]
        assert by_item[first.id].counts == list(counted[many[0]])
        assert by_item[items[not_applicable].id].counts is None


def test_a_refused_sheet_lists_every_problem_on_top_and_names_each_photo_to_attach_again(
    app: Flask, scene: Scene
) -> None:
    items = checklist(app, scene.coal, scene.round_id)
    over = next(i for i, item in enumerate(items) if len(item.rules) >= 2 and item.rules[1].amount)
    limit = -(-items[over].max_points // items[over].rules[1].amount)
    form = ballot(items, scene.cards[1], {over: (0, int(limit) + 5)}, **{f"r-{items[3].id}": "积水\u202e"})
    photos = {
        f"photo-{items[3].id}": [
            (io.BytesIO(small_jpeg(40)), "积水1.jpg"),
            (io.BytesIO(small_jpeg(60)), "积水2.jpg"),
        ],
        "photo": (io.BytesIO(small_jpeg(90)), "全景.jpg"),
    }
    response = app.test_client().post(
        f"/b/{scene.round_id}/{scene.coal}", data={**form, **photos}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    top = page[page.index('id="problems"') : page.index('<form method="post"')]
    assert "有 2 处需要更正" in top
    assert f'href="#item-{items[over].id}"' in top
    assert f'href="#item-{items[3].id}"' in top
    assert f"最多 {int(limit)}" in top
    assert "控制字符" in top
    assert f"{items[3].clause}: 积水1.jpg、积水2.jpg" in top
    assert "整表: 全景.jpg" in top
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AnonSheet.round_id == scene.round_id)) == 0


def test_a_refused_replay_from_the_outbox_hears_every_problem(app: Flask, scene: Scene) -> None:
    items = checklist(app, scene.coal, scene.round_id)
    form = ballot(items, scene.cards[2], {0: (999,)}, **{f"r-{items[1].id}": "\u202e"})
    response = app.test_client().post(
        f"/b/{scene.round_id}/{scene.coal}", data=form, headers={"Accept": "application/json"}
    )
    assert response.status_code == 422
    problems = response.get_json()["problems"]
    assert [p["item"] for p in problems] == [items[0].clause, items[1].clause]
    assert all(p["message"] for p in problems)


def test_posts_on_different_standards_compare_in_one_ranking(app: Flask, scene: Scene) -> None:
    """95 % on the 1100-point sheet (55 points lost) ties with 95 % on the 100-point one (5 lost)."""
    client = app.test_client()
    coal = checklist(app, scene.coal, scene.round_id)
    tunnel = checklist(app, scene.tunnel, scene.round_id)

    def losing(items: list[StandardItem], points: Decimal) -> dict[int, tuple[int, ...]]:
        """Counts that lose exactly ``points`` with whole-point rules of 1 per instance, or 0.5."""
        chosen: dict[int, tuple[int, ...]] = {}
        for index, item in enumerate(items):
            first = item.rules[0]
            if points <= 0:
                break
            if first.kind == RuleKind.EACH and first.amount in (Decimal(1), Decimal("0.5")):
                n = int(min(points, item.max_points) // first.amount)
                if n:
                    chosen[index] = (n,)
                    points -= n * first.amount
        assert points == 0
        return chosen

    for n, (code, items, lost) in enumerate([(scene.coal, coal, 55), (scene.tunnel, tunnel, 5)]):
        for card in scene.cards[3 * n : 3 * n + 3]:
            response = client.post(
                f"/b/{scene.round_id}/{code}", data=ballot(items, card, losing(items, Decimal(lost)))
            )
            assert response.status_code in (200, 303)
    with app.app_context():
        step_round(ORGANISER, scene.round_id, RoundAction.SEAL)
    viewer = committee(app)
    page = viewer.get(f"/rankings/{scene.round_id}").get_data(as_text=True)
    assert page.count("95.00") >= 2
    exported = viewer.get(f"/rankings/{scene.round_id}/results.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))[1:]
    assert [(r[0], r[4]) for r in rows] == [("1", "95.00"), ("1", "95.00")]  # one place, one score


def test_every_row_of_the_real_sheet_reads_as_rules() -> None:
    assert all(parse_rules(row["评分办法"]) for row in SHEET)


def test_each_refused_photo_is_named(app: Flask, scene: Scene) -> None:
    items = checklist(app, scene.coal, scene.round_id)
    photos = {
        f"photo-{items[0].id}": [
            (io.BytesIO(small_jpeg(40)), "好.jpg"),
            (io.BytesIO(b"not a photo"), "坏1.jpg"),
        ],
        "photo": (io.BytesIO(b"%PDF-1.4"), "坏2.jpg"),
    }
    form = {**ballot(items, scene.cards[4], {}), **photos}
    response = app.test_client().post(
        f"/b/{scene.round_id}/{scene.coal}", data=form, content_type="multipart/form-data"
    )
    assert response.status_code == 415
    top = response.get_data(as_text=True).split('<form method="post"')[0]
    assert "「坏1.jpg」" in top
    assert "「坏2.jpg」" in top
    assert "「好.jpg」" not in top


def test_a_ticked_whole_item_box_counts_whatever_order_its_fields_arrive_in(app: Flask, scene: Scene) -> None:
    """A 不得分 box sends 1 beside its hidden 0; in either order the item is lost (the form's fields are
    ordered by the page, a replayed sheet's by the phone)."""
    from werkzeug.datastructures import MultiDict

    items = checklist(app, scene.coal, scene.round_id)
    index, item = next((i, it) for i, it in enumerate(items) if it.rules[-1].kind == RuleKind.WHOLE)
    key = f"d-{item.id}" if len(item.rules) == 1 else f"d-{item.id}-{len(item.rules)}"
    form = MultiDict(ballot(items, scene.cards[5], {}))
    form.setlist(key, ["0", "1"])
    assert app.test_client().post(f"/b/{scene.round_id}/{scene.coal}", data=form).status_code in (200, 303)
    with app.app_context():
        line = db.session.scalars(select(AnonSheetItem).where(AnonSheetItem.item_id == item.id)).one()
        assert line.deduction == item.max_points
        assert line.counts[-1] == 1

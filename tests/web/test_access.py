"""Every route × every role: each view declares who may use it, and the app enforces exactly that."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from inspect_app.domain.enums import Role, RoundKind, RoundStatus
from inspect_app.extensions import db
from inspect_app.models import (
    Feedback,
    Member,
    Notice,
    NotifyChannel,
    OutboxMessage,
    Post,
    QuarterReview,
    Rectification,
    Round,
    RoundPlan,
    Sheet,
    Standard,
    Unit,
    User,
)
from tests.conftest import ROLE_LOGINS, login, make_app

#: the walk uses a listed post of the branch secretary's own unit (综采一区) …
OWN_POST = "56804工作面运料巷"
#: … and checks separately that another unit's post is closed to that secretary
OTHER_POST = "1002溜子道"


def code_of(app: Flask, name: str) -> str:
    with app.app_context():
        return db.session.scalars(select(Post.code).where(Post.name == name)).one()


#: endpoints that sign into a round: they walk HR's joint ten-day supervision (a unit's self-check is signed
#: by that unit's people only)
SIGNING = ("field.form", "field.submit", "offline.signed_bundle")


def walk_round(app: Flask, endpoint: str) -> int:
    """The round a walked URL names: rankings look at a published round (inspectors may see those); signing
    uses the open joint ten-day round; the rest the own unit's open self-check, which every organising role
    may work on."""
    with app.app_context():
        kind = RoundKind.WEEKLY if endpoint.startswith("rankings.") else RoundKind.MONTHLY
        if endpoint in SIGNING:
            kind = RoundKind.TEN_DAY
        status = RoundStatus.PUBLISHED if endpoint.startswith("rankings.") else RoundStatus.OPEN
        return db.session.scalars(
            select(Round.id).where(Round.kind == kind.value, Round.status == status.value)
        ).one()


def name_every_signer(app: Flask, post: str) -> None:
    """Let the post's five clarities name the committee's and the inspector's demo users as assessors, so
    the walk meets role checks, not the per-post assessor rule (tested in test_field)."""
    with app.app_context():
        names = " ".join(u.display_name.split()[-1] for u in db.session.scalars(select(User)))
        db.session.execute(update(Post).where(Post.name == post).values(assessor=Post.assessor + " " + names))
        db.session.commit()


def sample_url(app: Flask, rule: str, post: str = OWN_POST, endpoint: str = "") -> str:
    with app.app_context():
        standard_id = db.session.scalars(select(Standard.id).order_by(Standard.id)).first()
        post_id = db.session.scalars(select(Post.id).where(Post.name == post)).one()
        feedback = Feedback(post_id=post_id, body="巷道有积水", received_on=date.today())
        db.session.add(feedback)
        notice_id = db.session.scalar(select(Notice.id))
        if notice_id is None:
            published = db.session.scalars(select(Round.id).where(Round.status == "published")).one()
            notice = Notice(round_id=published, title="通报")
            db.session.add(notice)
            db.session.flush()
            notice_id = notice.id
        rect_id = db.session.scalar(select(Rectification.id).where(Rectification.post_id == post_id))
        if rect_id is None:
            unit_id = db.session.scalars(select(Post.unit_id).where(Post.id == post_id)).one()
            rect = Rectification(post_id=post_id, unit_id=unit_id, problem="浮煤", measures="清理",
                                 deadline=date.today(), responsible="张海涛", checker="王建华",
                                 issued_on=date.today())  # fmt: skip
            db.session.add(rect)
            db.session.flush()
            rect_id = rect.id
        unit_id = db.session.scalars(select(Post.unit_id).where(Post.id == post_id)).one()
        # a member and the Party branch of the post's unit (综采一区, the branch secretary's own)
        member_id = db.session.scalars(
            select(Member.id).where(Member.unit_id == unit_id).order_by(Member.id)
        ).first()
        branch_id = db.session.scalars(select(Unit.branch_id).where(Unit.id == unit_id)).one()
        # an account other than any walker's: the admin's bare POSTs must not disable or reset their own login
        user_id = db.session.scalars(select(User.id).where(User.username == "jiancha3")).one()
        # a signed sheet on a post of the walker's unit (the branch secretary's own), if the demo has one
        sheet_id = (
            db.session.scalars(
                select(Sheet.id)
                .join(Post, Post.id == Sheet.post_id)
                .where(Post.unit_id == unit_id)
                .order_by(Sheet.id)
            ).first()
            or 1
        )
        plan_id = db.session.scalar(select(RoundPlan.id))
        if plan_id is None:
            plan = RoundPlan(kind="weekly", mode="joint", scope="all", anonymous=True, weekday=1,
                             min_sheets=3, trim=True, rotate=False, valid_from=date.today())  # fmt: skip
            db.session.add(plan)
            db.session.flush()
            plan_id = plan.id
        review_id = db.session.scalar(select(QuarterReview.id))
        if review_id is None:
            review = QuarterReview(year=date.today().year, quarter=(date.today().month - 1) // 3 + 1)
            db.session.add(review)
            db.session.flush()
            review_id = review.id
        channel = db.session.scalars(select(NotifyChannel)).first()
        if channel is None:  # a robot nobody answers for (the admin's bare test POST fails fast, harmlessly)
            channel = NotifyChannel(
                name="walk", kind="wecom", address="http://127.0.0.1:9/robot", events="test"
            )
            db.session.add(channel)
            db.session.flush()
            db.session.add(OutboxMessage(channel_id=channel.id, event="test", title="walk", state="failed"))
        message_id = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.channel_id == channel.id))
        channel_id = channel.id
        db.session.commit()
        feedback_id = feedback.id
    return (
        rule.replace("<code>", code_of(app, post))
        .replace("<int:round_id>", str(walk_round(app, endpoint)))
        .replace("<int:sheet_id>", str(sheet_id))
        .replace("<int:standard_id>", str(standard_id))
        .replace("<rid:feedback_id>", str(feedback_id))
        .replace("<int:notice_id>", str(notice_id))
        .replace("<int:member_id>", str(member_id))
        .replace("<int:branch_id>", str(branch_id))
        .replace("<kind>", "members")
        .replace("<int:rect_id>", str(rect_id))
        .replace("<int:unit_id>", str(unit_id))
        .replace("<int:user_id>", str(user_id))
        .replace("<int:plan_id>", str(plan_id))
        .replace("<int:review_id>", str(review_id))
        .replace("<int:year>", str(date.today().year))
        .replace("<int:channel_id>", str(channel_id))
        .replace("<int:message_id>", str(message_id))
        .replace("<fmt>", "csv")
        .replace("<path:filename>", "css/app.css")
    )


def routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route the app serves."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return found


def test_every_view_declares_its_access(app: Flask) -> None:
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "access")
    ]
    assert undeclared == []


@pytest.mark.parametrize("role", [None, *ROLE_LOGINS])
def test_each_role_gets_exactly_what_its_views_allow(app: Flask, migrated_url: str, role: str | None) -> None:
    # CSRF is off for this walk only, so a POST reaches the access check instead of the CSRF check.
    walk = make_app(migrated_url, WTF_CSRF_ENABLED=False)
    client = walk.test_client()
    if role:
        login(client, role)
    name_every_signer(app, OWN_POST)
    failures = []
    for endpoint, method, rule in routes(app):
        if endpoint == "static" or endpoint == "auth.logout":
            continue  # logout is checked by itself: it would end this walk's session
        access = app.view_functions[endpoint].access
        response = client.open(sample_url(app, rule, endpoint=endpoint), method=method, data={})
        if access == "public":
            ok = response.status_code < 500 and response.status_code not in (401, 403)
        elif role is None:
            ok = response.status_code == 302 and "/login" in response.headers["Location"]
        elif Role(role) in access:
            ok = response.status_code not in (401, 403) and response.status_code < 500
        else:
            ok = response.status_code == 403
        if not ok:
            failures.append((method, rule, response.status_code))
    with walk.app_context():
        db.engine.dispose()
    assert failures == []


def test_logout_needs_a_post_with_csrf(app: Flask, client: FlaskClient) -> None:
    login(client, "inspector")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/posts/").status_code == 200


def test_branch_secretary_is_refused_every_page_of_another_units_post(app: Flask, migrated_url: str) -> None:
    walk = make_app(migrated_url, WTF_CSRF_ENABLED=False)
    client = walk.test_client()
    login(client, "branch_secretary")
    refused = []
    for endpoint, method, rule in routes(app):
        if not (endpoint.startswith("posts.") and "<code>" in rule):
            continue
        response = client.open(sample_url(app, rule, OTHER_POST, endpoint), method=method, data={})
        refused.append((method, rule, response.status_code))
    # the post list neither shows nor lets them print it
    listed = client.get("/posts/?unit=all").get_data(as_text=True)
    printed = client.get(f"/posts/signboards.pdf?code={code_of(app, OTHER_POST)}").status_code
    with walk.app_context():
        db.engine.dispose()
    assert len(refused) >= 6
    assert [r for r in refused if r[2] != 403] == []
    assert OTHER_POST not in listed
    assert printed == 403


#: parameters that name something belonging to a unit (a post, its round, sheet, fix, note, member, the unit)
UNIT_THINGS = ("<code>", "<int:round_id>", "<int:rect_id>", "<rid:feedback_id>", "<int:member_id>",
               "<int:unit_id>", "<int:sheet_id>", "<int:notice_id>")  # fmt: skip


def _second_secretary(app: Flask) -> None:
    """掘进一区's branch secretary: a second unit, for walking the first one's things."""
    from inspect_app.auth.services import hash_password
    from inspect_app.demo import DEMO_PASSWORD
    from inspect_app.models import Unit

    with app.app_context():
        own = db.session.scalars(select(Post.unit_id).where(Post.name == OWN_POST)).one()
        other = db.session.scalars(select(Unit.id).where(Unit.id != own).order_by(Unit.id)).first()
        db.session.add(User(username="shuji2", display_name="掘进一区党支部书记 马振东",
                            role="branch_secretary", unit_id=other,
                            password_hash=hash_password(DEMO_PASSWORD)))  # fmt: skip
        db.session.commit()


def _own_units_things(app: Flask) -> None:
    """The walk's round is the own unit's self-check, with a notice of its own."""
    with app.app_context():
        unit = db.session.scalars(select(Post.unit_id).where(Post.name == OWN_POST)).one()
        self_check = db.session.scalars(select(Round).where(Round.unit_id == unit)).one()
        db.session.add(Notice(round_id=self_check.id, title="综采一区自查通报"))
        db.session.commit()


def test_a_branch_secretary_gets_403_on_everything_of_another_unit(app: Flask, migrated_url: str) -> None:
    """A secretary once got 403 on another unit's self-check page but 200 on its ranking and exports."""
    walk = make_app(migrated_url, WTF_CSRF_ENABLED=False)
    client = walk.test_client()
    _second_secretary(app)
    _own_units_things(app)
    login(client, "shuji2")
    with app.app_context():
        unit = db.session.scalars(select(Post.unit_id).where(Post.name == OWN_POST)).one()
        self_check = db.session.scalars(select(Round.id).where(Round.unit_id == unit)).one()
        notice = db.session.scalars(select(Notice.id).where(Notice.round_id == self_check)).one()
    failures = []
    for endpoint, method, rule in routes(app):
        if endpoint == "static":
            continue
        access = app.view_functions[endpoint].access
        if (
            access == "public"
            or Role.BRANCH_SECRETARY not in access
            or not any(p in rule for p in UNIT_THINGS)
        ):
            continue
        own_rule = rule.replace("<int:round_id>", str(self_check)).replace("<int:notice_id>", str(notice))
        url = sample_url(app, own_rule, endpoint=endpoint)
        response = client.open(url, method=method, data={})
        # a sheet is shown to the one who signed it only: to anyone else it does not exist
        expected = (403, 404) if "<int:sheet_id>" in rule else (403,)
        if response.status_code not in expected:
            failures.append((method, url, response.status_code))
    with walk.app_context():
        db.engine.dispose()
    assert failures == [], "\n".join(map(repr, failures))

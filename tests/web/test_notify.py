"""工作群消息: events write exactly the expected messages, the sender delivers each once to loopback
企业微信 and 钉钉 robots (format and 加签 checked, errors and rate limits answered), even with two senders at
once or one killed mid-batch; reminders are written once a day."""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from inspect_app import clock
from inspect_app.domain.enums import RectStatus
from inspect_app.domain.notify import SUBSCRIBABLE, ChannelKind, Event, State
from inspect_app.extensions import db
from inspect_app.models import Member, NotifyChannel, OutboxMessage, Post, Rectification, Round, Unit
from inspect_app.notify import events
from inspect_app.notify.reminders import remind
from inspect_app.notify.sender import deliver
from tests.conftest import csrf_token, login
from tests.fakechat import SECRET, FakeRobots, fake_robots, fake_smtp

from .helpers import THREADS, anonymous_round, together
from .test_anonymity import _form, _new_cards, _round_posts
from .test_notices import draft, weekly
from .test_rectifications import POST, issued_from_a_sheet, jpeg, raise_one, sign

PHONE = "13912345678"


def channel(
    app: Flask, name: str, kind: ChannelKind, address: str, unit: str | None = None,
    events: tuple[Event, ...] = SUBSCRIBABLE, secret: str = "",
) -> int:  # fmt: skip
    """A channel straight into the table (the administrator's page has its own test)."""
    with app.app_context():
        unit_id = db.session.scalar(select(Unit.id).where(Unit.code == unit)) if unit else None
        row = NotifyChannel(
            name=name, kind=kind.value, address=address, secret=secret, unit_id=unit_id,
            events=",".join(e.value for e in events),
        )  # fmt: skip
        db.session.add(row)
        db.session.commit()
        return row.id


def outbox(app: Flask, **where: object) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def give_phone(app: Flask, name: str = "张海涛") -> None:
    with app.app_context():
        db.session.execute(update(Member).where(Member.name == name).values(phone=PHONE))
        db.session.commit()


def robots_for(app: Flask, robots: FakeRobots) -> tuple[int, int]:
    """zc1's group on 企业微信 and the 党委 group on 钉钉 (signed), both taking every event."""
    unit = channel(app, "综采一区党支部群", ChannelKind.WECOM, robots.url("wecom", "zc1"), unit="zc1")
    mine = channel(app, "矿党委群", ChannelKind.DINGTALK, robots.url("dingtalk", "dw"), secret=SECRET)
    return unit, mine


def send(app: Flask, limit: int | None = None) -> dict[str, int]:
    with app.app_context():
        return deliver(limit).counts


def test_a_rectification_tells_its_units_group_and_ats_the_responsible_person(
    app: Flask, client: FlaskClient
) -> None:
    give_phone(app)
    unit = channel(app, "综采一区群", ChannelKind.WECOM, "https://qyapi.example/send?key=a", unit="zc1")
    # neither another unit's group nor a mine-wide group without the event is told
    channel(app, "掘进一区群", ChannelKind.WECOM, "https://qyapi.example/send?key=b", unit="jj1")
    channel(
        app, "党委群", ChannelKind.DINGTALK, "https://oapi.example/robot", events=(Event.NOTICE_PUBLISHED,)
    )
    rect = issued_from_a_sheet(app, client)
    queued = outbox(app)
    assert [(m.channel_id, m.event) for m in queued] == [(unit, Event.RECT_ISSUED.value)]
    message = queued[0]
    with app.app_context():
        post_name = db.session.get_one(Post, rect.post_id).name
    assert message.title == f"整改通知 {rect.number}: {post_name}"
    assert "支架初撑力不足" in message.body
    assert "张海涛" in message.body
    assert message.mentions == PHONE
    assert message.link == f"http://inspect.test/rectifications/{rect.id}"
    assert message.state == State.WAITING.value


def test_a_refused_rectification_queues_nothing(app: Flask, client: FlaskClient) -> None:
    channel(app, "综采一区群", ChannelKind.WECOM, "https://qyapi.example/send?key=a", unit="zc1")
    login(client, "branch_secretary")
    monthly = _round(app, "monthly")
    sheet_id = int(sign(app, client, monthly).headers["Location"].rsplit("/", 1)[1])
    url = f"/rectifications/new?round={monthly}&post={POST}&sheet={sheet_id}"
    assert raise_one(client, url, deadline="2001-01-01").status_code == 422
    assert outbox(app) == []


def test_a_message_exists_only_if_its_event_committed(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The message is written in the event's transaction: an event that fails after telling leaves none."""
    channel(app, "综采一区群", ChannelKind.WECOM, "https://qyapi.example/send?key=a", unit="zc1")
    told = events.rectification

    def tell_then_fail(rect_id: int, word: str, *args: object) -> int:
        assert told(rect_id, word) == 1
        raise RuntimeError("the database went away after the message was written")

    monkeypatch.setattr(events, "rectification", tell_then_fail)
    login(client, "branch_secretary")
    monthly = _round(app, "monthly")
    sheet_id = int(sign(app, client, monthly).headers["Location"].rsplit("/", 1)[1])
    url = f"/rectifications/new?round={monthly}&post={POST}&sheet={sheet_id}"
    with pytest.raises(RuntimeError):
        raise_one(client, url)
    assert outbox(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Rectification)) == 0


def _round(app: Flask, kind: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Round.id).where(Round.kind == kind, Round.status == "open")).one()


def test_notices_applications_and_rounds_reach_the_groups_that_take_them(
    app: Flask, client: FlaskClient
) -> None:
    everyone = channel(app, "党委群", ChannelKind.DINGTALK, "https://oapi.example/robot")
    unit = channel(app, "综采一区群", ChannelKind.WECOM, "https://qyapi.example/send?key=a", unit="zc1")
    with app.test_request_context():
        post = db.session.scalars(select(Post).where(Post.code == POST)).one()
        rnd = db.session.scalars(select(Round).where(Round.unit_id.is_(None))).first()
        assert rnd is not None
        events.post_applied(post)
        events.round_opened(rnd)
        db.session.commit()
    got = {(m.channel_id, m.event) for m in outbox(app)}
    # an application goes to the mine-wide group only; a mine-wide round to every group
    assert (everyone, Event.POST_APPLIED.value) in got
    assert (unit, Event.POST_APPLIED.value) not in got
    assert {(everyone, Event.ROUND_OPENED.value), (unit, Event.ROUND_OPENED.value)} <= got


def test_an_anonymous_sheet_writes_no_message(app: Flask, client: FlaskClient) -> None:
    """A message's time next to a post would date the sheet: storing one writes nothing to the outbox."""
    channel(app, "党委群", ChannelKind.DINGTALK, "https://oapi.example/robot")
    rnd = anonymous_round(app)
    (code, _post_id, items), card = _round_posts(app)[0], _new_cards(app, 1)[0]
    response = client.post(f"/b/{rnd.id}/{code}", data=_form(card, items, random.Random(1)))
    assert response.status_code == 200
    assert outbox(app) == []


def test_the_sender_delivers_each_once_in_each_robots_format(app: Flask, client: FlaskClient) -> None:
    give_phone(app)
    with fake_robots() as robots:
        unit, mine = robots_for(app, robots)
        issued_from_a_sheet(app, client)
        with app.test_request_context():
            post = db.session.scalars(select(Post).where(Post.code == POST)).one()
            events.post_applied(post)
            db.session.commit()
        assert send(app) == {"sent": 3}
        assert send(app) == {}  # nothing twice
    by_robot = {(a.robot, a.payload["msgtype"]) for a in robots.ok()}
    assert by_robot == {("wecom", "text"), ("dingtalk", "markdown")}
    wecom = [a for a in robots.ok() if a.robot == "wecom"]
    assert len(wecom) == 1
    assert wecom[0].mentions == [PHONE]
    assert "打开查看: http://inspect.test/" in wecom[0].text
    assert all(m.state == State.SENT.value and m.sent_at for m in outbox(app))
    assert "errcode" in outbox(app)[0].answer


def test_a_wrong_dingtalk_secret_fails_and_is_resent_after_the_fix(app: Flask) -> None:
    with fake_robots() as robots:
        mine = channel(app, "党委群", ChannelKind.DINGTALK, robots.url("dingtalk", "dw"), secret="SECwrong")
        _test_message(app, mine)
        assert send(app) == {"failed": 1}
        assert robots.ok() == []
        assert robots.received[0].answer["errcode"] == 310000
        with app.app_context():
            db.session.get_one(NotifyChannel, mine).secret = SECRET
            db.session.commit()
            from inspect_app.notify.sender import resend

            assert resend(outbox(app)[0].id)
        assert send(app) == {"sent": 1}


def _test_message(app: Flask, channel_id: int, title: str = "测试消息") -> None:
    from inspect_app.domain.notify import Message
    from inspect_app.notify.outbox import queue

    with app.app_context():
        queue(channel_id, Event.TEST, Message(title, ("一行",)))
        db.session.commit()


def test_errors_are_retried_with_back_off_and_rate_limits_are_honoured(app: Flask) -> None:
    with fake_robots(now=lambda: clock.now().timestamp()) as robots:
        group = channel(app, "综采一区群", ChannelKind.WECOM, robots.url("wecom", "zc1"), unit="zc1")
        robots.script = [(502, {}), (200, {"errcode": -1, "errmsg": "system busy"})]
        _test_message(app, group)
        assert send(app) == {"retry": 1}  # 502: later
        assert send(app) == {}  # not before its back-off
        with clock.frozen(clock.now() + timedelta(seconds=31)):
            assert send(app) == {"retry": 1}  # busy: later again
        with clock.frozen(clock.now() + timedelta(minutes=2)):
            assert send(app) == {"sent": 1}
        assert outbox(app)[0].attempts == 3
        for n in range(25):
            _test_message(app, group, f"第{n}条")
        assert send(app) == {"sent": 19}  # the 20 a minute include the first message's last attempt
        waiting = outbox(app, state=State.WAITING.value)
        assert len(waiting) == 6
        assert all(m.attempts == 0 for m in waiting)
        with clock.frozen(clock.now() + timedelta(seconds=61)):
            assert send(app) == {"sent": 6}
        assert robots.texts().count("## 第3条\n\n一行") == 1


def test_a_robot_that_says_too_fast_pauses_its_channel_without_spending_attempts(app: Flask) -> None:
    with fake_robots(now=lambda: clock.now().timestamp()) as robots:
        group = channel(app, "党委群", ChannelKind.DINGTALK, robots.url("dingtalk", "dw"), secret=SECRET)
        robots.script = [(200, {"errcode": 130101, "errmsg": "send too fast"})]
        _test_message(app, group)
        _test_message(app, group, "第二条")
        assert send(app) == {"limited": 1}
        assert [m.attempts for m in outbox(app)] == [0, 0]
        assert send(app) == {}  # 钉钉 throttles for ten minutes
        with clock.frozen(clock.now() + timedelta(minutes=11)):
            assert send(app) == {"sent": 2}


def test_a_timeout_is_unsure_and_never_resent_by_itself(app: Flask) -> None:
    app.config["NOTIFY_TIMEOUT"] = 0.5
    with fake_robots() as robots:
        group = channel(app, "综采一区群", ChannelKind.WECOM, robots.url("wecom", "zc1"), unit="zc1")
        robots.script = ["hang"]
        _test_message(app, group)
        assert send(app) == {"unsure": 1}
        with clock.frozen(clock.now() + timedelta(hours=2)):
            assert send(app) == {}
        assert outbox(app)[0].state == State.UNSURE.value


def test_two_senders_at_once_send_each_message_once(app: Flask) -> None:
    with fake_robots(per_minute=1000) as robots:
        wecom = channel(app, "综采一区群", ChannelKind.WECOM, robots.url("wecom", "zc1"), unit="zc1")
        ding = channel(app, "党委群", ChannelKind.DINGTALK, robots.url("dingtalk", "dw"), secret=SECRET)
        for n in range(15):
            _test_message(app, wecom, f"企微{n}")
            _test_message(app, ding, f"钉钉{n}")
        results: list[dict[str, int]] = []
        start = threading.Barrier(3)

        def run() -> None:
            start.wait()
            results.append(send(app))

        threads = [threading.Thread(target=run) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert sum(r.get("sent", 0) for r in results) == 30
    texts = robots.texts()
    assert len(texts) == 30
    assert len(set(texts)) == 30


def test_a_sender_killed_mid_batch_loses_nothing_and_repeats_nothing(app: Flask, migrated_url: str) -> None:
    with fake_robots(now=lambda: clock.now().timestamp()) as robots:
        group = channel(app, "综采一区群", ChannelKind.WECOM, robots.url("wecom", "zc1"), unit="zc1")
        for n in range(6):
            _test_message(app, group, f"第{n}条")
        env = dict(os.environ, INSPECT_DATABASE_URL=migrated_url, INSPECT_SECRET_KEY="test-secret")
        env["INSPECT_SERVER_NAME"] = "inspect.test"
        with robots.hold() as arrived:  # the robot has the first message but has not answered yet
            sender = _spawn_sender(env)
            assert arrived.wait(30), "the sender never reached the robot"
            sender.send_signal(signal.SIGKILL)
            sender.wait(10)
        assert outbox(app, state=State.SENDING.value)
        with clock.frozen(clock.now() + timedelta(minutes=6)):
            assert send(app) == {"sent": 5}
        states = sorted(m.state for m in outbox(app))
        assert states == [State.SENT.value] * 5 + [State.UNSURE.value]
        texts = robots.texts()
        assert len(texts) == 6
        assert len(set(texts)) == 6


def _spawn_sender(env: dict[str, str]) -> subprocess.Popen[bytes]:
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "flask", "--app", "inspect_app", "notify"]
    return subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_reminders_are_written_once_a_day(app: Flask, client: FlaskClient) -> None:
    give_phone(app)
    unit = channel(app, "综采一区群", ChannelKind.WECOM, "https://qyapi.example/send?key=a", unit="zc1")
    mine = channel(
        app, "党委群", ChannelKind.DINGTALK, "https://oapi.example/robot", events=(Event.RECT_ESCALATED,)
    )
    rect = issued_from_a_sheet(app, client)
    with app.app_context():
        db.session.execute(update(OutboxMessage).values(state=State.SENT.value))
        db.session.commit()

    def run(on: date) -> dict[str, int]:
        with app.app_context(), clock.frozen(datetime(on.year, on.month, on.day, 1, tzinfo=clock.zone())):
            return {k: v for k, v in remind(on).counts.items() if v and k.startswith("rect_")}

    due = rect.deadline - timedelta(days=2)
    assert run(due) == {Event.RECT_DUE.value: 1}
    assert run(due) == {}  # the same day again: nothing new
    assert run(rect.deadline - timedelta(days=1)) == {}  # once per deadline
    late = rect.deadline + timedelta(days=1)
    assert run(late) == {Event.RECT_OVERDUE.value: 1}
    assert run(late) == {}
    assert run(rect.deadline + timedelta(days=3)) == {
        Event.RECT_OVERDUE.value: 1,
        Event.RECT_ESCALATED.value: 1,
    }
    due_row = outbox(app, event=Event.RECT_DUE.value)[0]
    assert due_row.channel_id == unit
    assert due_row.mentions == PHONE
    assert due_row.title.startswith("整改期限还有2天")
    escalated = outbox(app, event=Event.RECT_ESCALATED.value)
    assert [m.channel_id for m in escalated] == [mine]
    assert rect.number in escalated[0].body


def test_a_fix_reported_done_is_due_for_re_check_when_a_round_opens(app: Flask, client: FlaskClient) -> None:
    unit = channel(app, "综采一区群", ChannelKind.WECOM, "https://qyapi.example/send?key=a", unit="zc1")
    issued_from_a_sheet(app, client)
    with app.app_context():
        db.session.execute(update(Rectification).values(status=RectStatus.DONE.value, done_on=clock.today()))
        db.session.commit()
        first = {k: v for k, v in remind(clock.today()).counts.items() if v}
        again = {k: v for k, v in remind(clock.today() + timedelta(days=1)).counts.items() if v}
    assert first.get(Event.RECHECK_DUE.value) == 1
    assert Event.RECHECK_DUE.value not in again
    assert outbox(app, event=Event.RECHECK_DUE.value)[0].channel_id == unit


def test_the_outbox_has_no_more_than_one_row_per_key_and_channel(app: Flask) -> None:
    group = channel(app, "综采一区群", ChannelKind.WECOM, "https://qyapi.example/send?key=a", unit="zc1")
    from inspect_app.domain.notify import Message
    from inspect_app.notify.outbox import queue

    with app.app_context():
        row = db.session.get_one(NotifyChannel, group)
        assert queue(row.id, Event.RECT_DUE, Message("一"), key="k")
        assert not queue(row.id, Event.RECT_DUE, Message("二"), key="k")
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_the_administrator_adds_a_robot_tests_it_and_resends_what_failed(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "admin")
    assert "还没有渠道" in client.get("/notify/").get_data(as_text=True)
    with fake_robots() as robots:
        form = {
            "csrf_token": csrf_token(client, "/notify/channels/new"),
            "name": "矿党委群",
            "kind": "dingtalk",
            "address": "oapi.dingtalk.com/robot/send?access_token=x",
            "secret": "SECwrong",
            "unit": "",
            "events": ["notice_published", "rect_escalated"],
        }
        refused = client.post("/notify/channels/new", data=form)
        assert refused.status_code == 422
        assert "https://" in refused.get_data(as_text=True)
        form["address"] = robots.url("dingtalk", "dw")
        assert client.post("/notify/channels/new", data=form).status_code == 303
        with app.app_context():
            channel_id = db.session.scalars(select(NotifyChannel.id)).one()
        token = csrf_token(client, "/notify/")
        page = client.post(
            f"/notify/channels/{channel_id}/test", data={"csrf_token": token}, follow_redirects=True
        )
        assert "测试消息未送达" in page.get_data(as_text=True)  # the wrong secret: 310000
        failed = outbox(app, state=State.FAILED.value)
        assert len(failed) == 1
        assert "310000" in failed[0].answer
        change = {**form, "csrf_token": token, "secret": SECRET, "active": "1"}
        assert client.post(f"/notify/channels/{channel_id}", data=change).status_code == 303
        page = client.post(
            f"/notify/channels/{channel_id}/test", data={"csrf_token": token}, follow_redirects=True
        )
        assert "测试消息已送达" in page.get_data(as_text=True)
        assert (
            client.post(f"/notify/messages/{failed[0].id}/resend", data={"csrf_token": token}).status_code
            == 303
        )
        assert send(app) == {"sent": 1}
        assert len(robots.ok()) == 2
        assert robots.ok()[0].payload["markdown"]["title"] == "测试消息: 矿党委群"
    with app.app_context():
        from inspect_app.models import AuditEntry

        logged = " ".join(str(e.before) + str(e.after) for e in db.session.scalars(select(AuditEntry)))
    assert "SEC" not in logged
    assert "access_token" not in logged  # the robot's key is in its URL: never in the log


def test_a_branch_secretary_cannot_see_or_change_the_channels(app: Flask, client: FlaskClient) -> None:
    channel(app, "党委群", ChannelKind.DINGTALK, "https://oapi.example/robot?access_token=secret")
    login(client, "branch_secretary")
    assert client.get("/notify/").status_code == 403
    assert "access_token" not in client.get("/desk/").get_data(as_text=True)


def test_e_mail_is_the_fallback(app: Flask) -> None:
    with fake_smtp() as smtp:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_FROM="inspect@example.cn")
        app.config["SMTP_SECURITY"] = "none"
        mail = channel(app, "组织部邮箱", ChannelKind.EMAIL, "zzb@example.cn, dangwei@example.cn")
        _test_message(app, mail, "整改通知 ZG2026-0001")
        assert send(app) == {"sent": 1}
    ((recipients, data),) = smtp.mails
    assert recipients == ["zzb@example.cn", "dangwei@example.cn"]
    text = data.decode()
    assert "Subject: =?utf-8?" in text  # the Chinese subject, encoded
    assert "Message-ID: <" in text


def test_an_undelivered_message_is_on_the_administrators_desk(app: Flask, client: FlaskClient) -> None:
    mail = channel(app, "组织部邮箱", ChannelKind.EMAIL, "zzb@example.cn")
    _test_message(app, mail, "整改通知 ZG2026-0007")
    assert send(app) == {"failed": 1}  # no mail server configured
    assert "SMTP" in outbox(app)[0].answer
    login(client, "admin")
    desk = client.get("/desk/").get_data(as_text=True)
    assert "工作群消息未送达" in desk
    assert "整改通知 ZG2026-0007" in desk


def test_reminder_runs_at_once_write_each_reminder_once(app: Flask, client: FlaskClient) -> None:
    channel(app, "综采一区群", ChannelKind.WECOM, "https://qyapi.example/send?key=a", unit="zc1")
    channel(app, "党委群", ChannelKind.DINGTALK, "https://oapi.example/robot")
    rect = issued_from_a_sheet(app, client)
    late = rect.deadline + timedelta(days=4)
    with clock.frozen(datetime(late.year, late.month, late.day, 1, tzinfo=clock.zone())):
        done, errors = together(app, lambda _thread: remind(late))
    assert errors == []
    assert done == THREADS
    with app.app_context():
        keys = list(db.session.execute(select(OutboxMessage.channel_id, OutboxMessage.key)))
    reminders = [k for k in keys if k[1] is not None]
    assert len(reminders) == len(set(reminders))
    assert ("rect_escalated:" + late.isoformat()) in {k for _c, k in reminders}


def test_two_administrators_adding_one_name_at_once_get_one_channel(app: Flask) -> None:
    from inspect_app.audit import Actor
    from inspect_app.notify.channels import ChannelInput, ChannelRefused, save_channel

    data = ChannelInput(
        "矿党委群", "wecom", "https://qyapi.example/send?key=a", "", None, ("notice_published",)
    )
    done, errors = together(app, lambda _thread: save_channel(Actor(1, "管理员", "admin"), data))
    assert done == 1
    assert all(isinstance(e, ChannelRefused) for e in errors)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(NotifyChannel)) == 1


def test_a_published_notice_tells_every_group_once_with_its_number(app: Flask, client: FlaskClient) -> None:
    groups = {
        channel(app, "矿党委群", ChannelKind.DINGTALK, "https://oapi.example/robot"),
        channel(app, "综采一区群", ChannelKind.WECOM, "https://qyapi.example/send?key=a", unit="zc1"),
        channel(app, "掘进一区群", ChannelKind.WECOM, "https://qyapi.example/send?key=b", unit="jj1"),
    }
    channel(
        app, "只收整改", ChannelKind.WECOM, "https://qyapi.example/send?key=c", events=(Event.RECT_ISSUED,)
    )
    login(client, "committee")
    url = draft(client, weekly(app, "published")).headers["Location"]
    form = {"csrf_token": csrf_token(client, url), "title": "关于第47周示范岗检查情况的通报", "praise": "好",
            "criticism": "差"}  # fmt: skip
    assert client.post(url, data=form).status_code == 303  # a draft saved: nobody is told
    assert outbox(app) == []
    assert client.post(url, data={**form, "publish": "1"}).status_code == 303
    told = outbox(app)
    assert {m.channel_id for m in told} == groups
    assert all(m.event == Event.NOTICE_PUBLISHED.value for m in told)
    number = f"〔{clock.today().year}〕1号"
    assert all(m.title == "发布关于第47周示范岗检查情况的通报" and number in m.body for m in told)
    assert all(m.link.endswith(url) for m in told)


def test_a_new_person_a_new_deadline_and_a_failed_re_check_are_told_too(
    app: Flask, client: FlaskClient
) -> None:
    """Assigning the person already named tells nobody; naming another, moving the deadline, or a re-check
    that sends the fix back (stored with the signed sheet, on its Core connection) each tell the group."""
    give_phone(app, "刘国华")
    group = channel(app, "综采一区群", ChannelKind.WECOM, "https://qyapi.example/send?key=a", unit="zc1")
    rect = issued_from_a_sheet(app, client)
    url = f"/rectifications/{rect.id}"
    token = csrf_token(client, url)
    assert (
        client.post(f"{url}/assign", data={"csrf_token": token, "responsible": "张海涛"}).status_code == 303
    )
    assert len(outbox(app)) == 1  # only the issue
    later = (rect.deadline + timedelta(days=3)).isoformat()
    form = {"csrf_token": token, "responsible": "张海涛", "deadline": later}
    assert client.post(f"{url}/assign", data=form).status_code == 303
    assert (
        client.post(f"{url}/assign", data={"csrf_token": token, "responsible": "刘国华"}).status_code == 303
    )
    photo = {"photo": (io.BytesIO(jpeg()), "after.jpg")}
    assert (
        client.post(f"{url}/complete", data={"csrf_token": token, "note": "已补液", **photo}).status_code
        == 303
    )
    client.post("/logout", data={"csrf_token": token})
    login(client, "hr")
    ten_day = _round(app, "ten_day")
    assert (
        sign(app, client, ten_day, **{f"rc-{rect.id}": "fail", f"rcn-{rect.id}": "仍有浮煤"}).status_code
        == 303
    )
    told = outbox(app)
    assert [m.title.split(" ")[0] for m in told] == ["整改通知", "整改期限调整", "整改改派", "整改退回"]
    assert {m.channel_id for m in told} == {group}
    assert told[2].mentions == PHONE  # the new responsible person
    assert "**复查意见**: 仍有浮煤" in told[3].body
    assert told[3].mentions == PHONE

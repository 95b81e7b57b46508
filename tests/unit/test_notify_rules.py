"""Work-chat messages as the robots take them: sizes, @ by mobile, 加签, and what their answers mean."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

from inspect_app.domain.notify import (
    MAX_ATTEMPTS,
    ChannelKind,
    Message,
    Outcome,
    State,
    address_problem,
    after_outcome,
    backoff,
    dingtalk_payload,
    dingtalk_url,
    robot_outcome,
    wecom_payload,
)

LINK = "https://inspect.example.cn/rectifications/12"


def test_a_long_message_is_cut_to_the_robots_size_and_keeps_its_link() -> None:
    message = Message("整改通知", tuple("问题描述" * 40 for _ in range(40)), LINK)
    markdown = wecom_payload(message)["markdown"]["content"]  # type: ignore[index]
    assert len(markdown.encode()) <= 4096
    assert markdown.endswith(f"[打开查看]({LINK})")
    assert "…" in markdown
    text = wecom_payload(Message(message.title, message.lines, LINK, ("13912345678",)))
    content = text["text"]["content"]  # type: ignore[index]
    assert len(content.encode()) <= 2048
    assert content.endswith(LINK)


def test_wecom_ats_by_mobile_in_a_text_message_and_dingtalk_writes_the_at_into_its_text() -> None:
    message = Message("整改通知", ("**问题**: 浮煤",), LINK, ("13912345678",))
    wecom = wecom_payload(message)
    assert wecom["msgtype"] == "text"
    assert wecom["text"]["mentioned_mobile_list"] == ["13912345678"]  # type: ignore[index]
    assert "问题: 浮煤" in wecom["text"]["content"]  # type: ignore[index]  # no markdown asterisks in text
    ding = dingtalk_payload(message)
    assert ding["at"] == {"atMobiles": ["13912345678"], "isAtAll": False}
    assert "@13912345678" in ding["markdown"]["text"]  # type: ignore[index]
    assert wecom_payload(Message("通报发布"))["msgtype"] == "markdown"


def test_dingtalk_signing_follows_its_documentation() -> None:
    url = dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=abc", "SECxyz", 1700000000000)
    query = parse_qs(urlsplit(url).query)
    assert query["access_token"] == ["abc"]
    assert query["timestamp"] == ["1700000000000"]
    digest = hmac.new(b"SECxyz", b"1700000000000\nSECxyz", hashlib.sha256).digest()
    assert query["sign"] == [base64.b64encode(digest).decode()]
    assert dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=abc", "", 1).endswith("=abc")


def test_what_the_robots_answers_mean() -> None:
    assert robot_outcome(200, {"errcode": 0, "errmsg": "ok"}) == Outcome.SENT
    assert robot_outcome(200, {"errcode": 45009}) == Outcome.LIMITED  # 企业微信: too fast
    assert robot_outcome(200, {"errcode": 130101}) == Outcome.LIMITED  # 钉钉: too fast
    assert robot_outcome(429, None) == Outcome.LIMITED
    assert robot_outcome(200, {"errcode": -1}) == Outcome.RETRY
    assert robot_outcome(503, None) == Outcome.RETRY
    assert robot_outcome(200, {"errcode": 310000}) == Outcome.FAILED  # 钉钉: sign not match
    assert robot_outcome(200, {"errcode": 93000}) == Outcome.FAILED  # 企业微信: invalid key
    assert robot_outcome(404, None) == Outcome.FAILED
    assert robot_outcome(200, "<html>") == Outcome.FAILED


def test_retries_back_off_and_end() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(20).total_seconds() == 3600
    assert after_outcome(Outcome.RETRY, 1) == State.WAITING
    assert after_outcome(Outcome.RETRY, MAX_ATTEMPTS) == State.FAILED
    assert after_outcome(Outcome.UNSURE, 1) == State.UNSURE
    assert after_outcome(Outcome.SENT, 3) == State.SENT


def test_channel_addresses_are_checked() -> None:
    assert (
        address_problem(ChannelKind.WECOM, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k") is None
    )
    assert address_problem(ChannelKind.WECOM, "qyapi.weixin.qq.com/x") == "bad_url"
    assert address_problem(ChannelKind.DINGTALK, "") == "missing"
    assert address_problem(ChannelKind.EMAIL, "dangwei@example.cn；zzb@example.cn") is None
    assert address_problem(ChannelKind.EMAIL, "dangwei") == "bad_email"

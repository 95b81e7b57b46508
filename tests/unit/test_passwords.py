"""The password policy (密码规则) and one-time initial passwords: codes for each broken rule, and initial
passwords that keep the policy, read without ambiguous characters and carry at least 60 bits."""

from __future__ import annotations

import math
import re

import pytest

from inspect_app.domain.passwords import (
    ALPHABET,
    MIN_LENGTH,
    common_passwords,
    new_initial_password,
    password_problem,
)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("abc-12", "too_short"),
        ("x" * (MIN_LENGTH - 1), "too_short"),
        ("Ab3-" * 33, "too_long"),
        ("123456789", "too_short"),
        ("1234567890", "common"),
        ("1qaz2wsx3edc", "common"),
        ("woaini1314", "common"),
        ("WoAiNi1314", "common"),  # case does not help
        ("a123456789", "common"),
        ("qq123456789", "common"),
        ("zxcvbnm123", "common"),
        ("password123", "common"),
        ("Password2026!", "common"),  # a common word with digits and a symbol added
        ("dragon19870101", "common"),
        ("8888888888", "common"),
        ("zhangsan-yyds", "like_username"),
        ("mine-zhangsan", "like_username"),
        ("刘志刚的密码长一点好记", "like_username"),
        ("qqqqqqqqqqqq", "one_kind"),
        ("asdfghjkl;", "one_kind"),
        ("mnbvcxzlkjh", "one_kind"),
        ("xy7-xy7-xy7-", "one_kind"),
        ("Correct-Horse-9", None),
        ("meikuang-anquan-di1", None),
        ("矿灯亮了就下井2026", None),
    ],
)
def test_each_rule_has_its_code(password: str, code: str | None) -> None:
    assert password_problem(password, "zhangsan", "检查员 刘志刚") == code


def test_the_bundled_list_holds_thousands_including_those_common_in_china() -> None:
    common = common_passwords()
    assert len(common) > 3000
    assert {
        "123456789",
        "1qaz2wsx",
        "woaini1314",
        "a123456789",
        "qq123456",
        "zxcvbnm123",
        "password123",
    } <= common
    assert {"1111111111", "0123456789", "9876543210", "5201314"} <= common


def test_the_name_counts_only_when_it_is_a_real_name() -> None:
    assert password_problem("mine-safety-77", "", "") is None
    assert password_problem("mine-safety-77", "ab", "") is None  # too short to be "the username"


def test_an_initial_password_keeps_the_policy_and_is_easy_to_read() -> None:
    drawn = {new_initial_password() for _ in range(300)}
    assert len(drawn) == 300
    for password in drawn:
        assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password), password
        assert password_problem(password) is None
        assert not set(password) & set("0O1lI")


def test_an_initial_password_carries_at_least_60_bits() -> None:
    assert len(set(ALPHABET)) == len(ALPHABET) == 32
    assert not set(ALPHABET) & set("0O1lI")
    assert 12 * math.log2(len(ALPHABET)) >= 60
    assert len(new_initial_password().replace("-", "")) == 12

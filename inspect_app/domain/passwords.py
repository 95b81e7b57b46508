"""Password policy (密码规则) and one-time initial passwords.

A password is refused when it is short, absurdly long, on the bundled list of common passwords (also once its
trailing digits and symbols are stripped: ``woaini1314520`` is ``woaini``), made of the account's own name,
or one character or one keyboard/number run (``1qaz2wsx3edc``, ``9876543210``). Codes, not messages: the
pages translate them (``auth.messages``).
"""

from __future__ import annotations

import secrets
from functools import cache
from importlib.resources import files

MIN_LENGTH = 10
MAX_LENGTH = 128

#: runs a finger or a counter makes; a password that is a stretch of one of them (either way) is one run
_RUNS = (
    "01234567890123456789",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "qazwsxedcrfvtgbyhnujmikolp",
    "!@#$%^&*()",
)
#: trailing characters people add to a common word to get past a length rule
_TAIL = "0123456789!@#$%^&*.?_-~ "
#: a unit repeated ("abcabcabca", "ok-ok-ok-ok") counts as one kind when the unit is this short or shorter
_SHORT_UNIT = 4

#: one-time passwords: lower case (no shift key on a phone) and digits, without 0/o, 1/l: 32 symbols
ALPHABET = "23456789abcdefghijkmnpqrstuvwxyz"
GROUPS, GROUP_LENGTH = 3, 4


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list (``common_passwords.txt``), read once."""
    text = files(__package__ or "inspect_app.domain").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, username: str = "", display_name: str = "") -> str | None:
    """The first rule ``password`` breaks: "too_short", "too_long", "common", "like_username", "one_kind";
    None when it may be used."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    lowered = password.lower()
    if _is_common(lowered):
        return "common"
    if _like_name(lowered, username, display_name):
        return "like_username"
    if _one_kind(lowered):
        return "one_kind"
    return None


def _is_common(lowered: str) -> bool:
    listed = common_passwords()
    if lowered in listed:
        return True
    stripped = lowered.rstrip(_TAIL)
    return len(stripped) >= 2 and stripped in listed


def _like_name(lowered: str, username: str, display_name: str) -> bool:
    name = username.strip().lower()
    if len(name) >= 3 and name in lowered:
        return True
    names = [display_name.strip().lower(), *display_name.lower().split()]
    return any(len(part) >= 2 and (part in lowered or lowered in part) for part in names)


def _one_kind(lowered: str) -> bool:
    """One character, one run of a row, column or counter, or a short unit repeated."""
    if len(set(lowered)) <= 2:
        return True
    if any(lowered in run or lowered in run[::-1] for run in _RUNS):
        return True
    n = len(lowered)
    return any(lowered == (lowered[:size] * (n // size + 1))[:n] for size in range(1, _SHORT_UNIT + 1))


def new_initial_password() -> str:
    """A one-time password to read out or hand over on paper: three groups of four, e.g. ``k7mq-x3ha-9ptc``.

    12 symbols from 32 are 60 bits: far beyond guessing through the login's rate limits. Drawn again in the
    (astronomically rare) case the draw breaks the policy itself."""
    while True:
        groups = ["".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)]
        password = "-".join(groups)
        if password_problem(password) is None:
            return password

"""Ids in URL paths: whatever number a link or a fuzzer puts there, the answer is a 404 or the page, never a
500 from an integer the database cannot hold (SQLite's 8 bytes, PostgreSQL's 4-byte integer)."""

from __future__ import annotations

import pytest
from flask import Flask

from inspect_app.extensions import db
from tests.conftest import login, make_app

HUGE = ("2147483648", "9223372036854775808", "99999999999999999999999999")


@pytest.mark.parametrize("role", ["admin", "branch_secretary"])
def test_no_id_in_a_path_is_too_big_for_the_database(app: Flask, migrated_url: str, role: str) -> None:
    walk = make_app(migrated_url, WTF_CSRF_ENABLED=False)
    client = walk.test_client()
    login(client, role)
    failures = []
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule and "<rid:" not in rule.rule:
            continue
        for number in HUGE:
            url = rule.rule
            for converter in ("int", "rid"):
                for name in ("round_id", "sheet_id", "standard_id", "feedback_id", "notice_id", "member_id",
                             "rect_id", "unit_id", "branch_id", "user_id"):  # fmt: skip
                    url = url.replace(f"<{converter}:{name}>", number)
            url = url.replace("<code>", "ABCDE").replace("<fmt>", "csv").replace("<kind>", "members")
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                status = client.open(url, method=method, data={}).status_code
                if status >= 500:
                    failures.append((method, url, status))
    with walk.app_context():
        db.engine.dispose()
    assert failures == []

"""The desk's pure rules: who gets which to-dos, how a list is cut for a phone, when a new visit starts,
and that every action the audit log records reads as words."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from inspect_app.domain.desk import SHOWN, TASKS, Entry, Task, awaits_findings, todo, visit
from inspect_app.domain.enums import Role
from inspect_app.domain.lifecycle import Action
from inspect_app.domain.rectification import RectAction

ROOT = Path(__file__).resolve().parents[2]


def test_every_role_has_a_desk_and_every_task_belongs_to_someone() -> None:
    assert set(TASKS) == set(Role)
    assert {t for tasks in TASKS.values() for t in tasks} == set(Task)
    for tasks in TASKS.values():
        assert len(tasks) == len(set(tasks))


def test_a_card_lists_a_few_but_counts_all() -> None:
    entries = [Entry(f"post {i}", f"/posts/{i}", weight=2 if i == 0 else 1) for i in range(SHOWN + 3)]
    card = todo(Task.NOTES, entries, "/posts/feedback")
    assert card.count == SHOWN + 4
    assert len(card.entries) == SHOWN
    assert card.more_url == "/posts/feedback"
    assert todo(Task.NOTES, entries[:2], "/x").more_url is None


def test_a_new_visit_starts_after_half_an_hour() -> None:
    t0 = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    assert visit(None, None, t0) == (t0, None)
    seen, since = visit(t0, None, t0 + timedelta(minutes=10))  # a reload: nothing moves
    assert since is None
    seen, since = visit(seen, since, seen + timedelta(hours=3))
    assert since == t0 + timedelta(minutes=10)
    later = seen + timedelta(minutes=20)
    assert visit(seen, since, later) == (later, since)


def test_findings_are_awaited_since_the_latest_review() -> None:
    assert awaits_findings(["create", "apply", "review"])
    assert not awaits_findings(["apply", "review", "findings"])
    assert awaits_findings(["apply", "review", "findings", "reject", "apply", "review"])


def _recorded_actions() -> set[str]:
    """Every action key the services write into the audit log, read from the source."""
    keys: set[str] = set()
    for path in (ROOT / "inspect_app").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r'record\(\s*[\w.]+,\s*"([a-z_]+\.[a-z_]+)"', text))
        keys |= set(re.findall(r'action = "([a-z_]+\.[a-z_]+)"', text))
        keys |= set(re.findall(r'action = "[a-z_.]+" if .* else "([a-z_]+\.[a-z_]+)"', text))
    keys |= {f"post.{a.value}" for a in Action}
    keys |= {f"round.{a}" for a in ("open", "seal", "publish")}
    keys |= {f"rectification.recheck_{a.value}" for a in (RectAction.PASS, RectAction.FAIL)}
    return {k for k in keys if not k.endswith(".")}


def test_every_recorded_action_has_words() -> None:
    from inspect_app import create_app
    from inspect_app.audit import action_label

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        unnamed = {k for k in _recorded_actions() if action_label(k) == k}
    assert not unnamed

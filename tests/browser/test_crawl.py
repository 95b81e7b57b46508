"""A crawl of every page each role can reach from its desk, at 360×740 (a small phone): no horizontal
overflow, no tap target under 44 px, no raw key or untranslated English, no console error.

Links are followed (GET only, nothing is submitted) breadth-first from the desk and the menu, each page once
per role; files (PDF, spreadsheets, images) and logout are not pages. A link in a sentence is exempt from the
44 px rule (WCAG 2.5.8's inline exception); every other link, button, field and disclosure is not.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from inspect_app.demo import DEMO_PASSWORD
from inspect_app.extensions import db
from inspect_app.models import User
from tests.conftest import ROLE_LOGINS

pytestmark = pytest.mark.browser

SMALL = {"width": 360, "height": 740}
#: pages per role at most (the demo has more posts than need visiting: one of each kind of page is the aim)
LIMIT = 70
SKIP = re.compile(
    r"\.(pdf|xlsx|csv|svg|png|jpg|json|webmanifest|js)$|^/photos/|^/logout|^/static/|(^|[?&])lang=|/theme"
)
#: one page per route shape is enough: the tenth post's page differs from the first only in its data
SHAPE = re.compile(r"/[A-Z0-9]{5}(?=/|$)|/\d+(?=/|$)")
#: words in Latin letters that belong on a Chinese page
ALLOWED_WORDS = {"English", "Excel", "XLSX", "xlsx", "CSV", "csv", "PDF", "MPa", "Asia", "Shanghai"}

TARGETS = """() => {
  const out = [];
  const small = (r) => r.height < 44 || r.width < 44;
  const all = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll(all)) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || el.closest('[hidden]')) continue;
    let box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not rendered (inside a closed <details>)
    if ((el.type === 'checkbox' || el.type === 'radio' || el.type === 'file') && el.closest('label')) {
      box = el.closest('label').getBoundingClientRect();  // the label is the target
    } else if (el.type === 'file' && el.id && document.querySelector(`label[for="${el.id}"]`)) {
      const label = document.querySelector(`label[for="${el.id}"]`).getBoundingClientRect();
      if (label.height * label.width > box.height * box.width) box = label;  // the larger of the two targets
    }
    if (el.tagName === 'A' && style.display === 'inline') {
      const parent = el.parentElement;
      const own = (el.textContent || '').trim().length;
      const around = (parent.textContent || '').trim().length;
      if (around > own + 2) continue;  // a link in a sentence
    }
    if (el.classList.contains('sr') || el.closest('.sr')) continue;  // visually hidden, labelled elsewhere
    const name = (el.textContent || el.name || el.id || '').trim().slice(0, 30);
    const size = `${Math.round(box.width)}×${Math.round(box.height)}`;
    if (small(box)) out.push(`${el.tagName.toLowerCase()} "${name}" ${size}`);
  }
  return out;
}"""


def _login(page: Page, base: str, role: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(ROLE_LOGINS[role])
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/desk/$"))


def _links(page: Page, base: str) -> list[str]:
    found = []
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        url = urljoin(page.url, href)
        parts = urlsplit(url)
        if not url.startswith(base) or SKIP.search(parts.path) or SKIP.search(parts.query or ""):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _problems(page: Page, data_words: set[str]) -> list[str]:
    problems = []
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        problems.append(f"{overflow}px wider than the screen")
    problems += [f"small target {t}" for t in page.evaluate(TARGETS)]
    text = re.sub(r"\S+\.(csv|xlsx)\b", "", page.evaluate("document.body.innerText"))  # file names are data
    for key in re.findall(r"\b[a-z]+(?:[._][a-z]+)+\b(?!\.)", text):
        problems.append(f"raw key {key}")
    for word in set(re.findall(r"\b[A-Za-z]{4,}\b", text)) - ALLOWED_WORDS - data_words:
        problems.append(f"untranslated {word}")
    return problems


def crawl(browser: Browser, base: str, role: str | None, data_words: set[str]) -> dict[str, list[str]]:
    context = browser.new_context(viewport=SMALL, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    if role:
        _login(page, base, role)
    start = "/desk/" if role else "/"
    queue, seen_shapes, report = deque([start]), set(), {}
    while queue and len(report) < LIMIT:
        path = queue.popleft()
        shape = SHAPE.sub("/*", path.split("?")[0]) + (
            "?" + path.split("?")[1].split("=")[0] if "?" in path else ""
        )
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        errors.clear()
        response = page.goto(base + path)
        if (
            response is None
            or response.status >= 400
            or not response.headers.get("content-type", "").startswith("text/html")
        ):
            continue
        page.wait_for_load_state("load")
        found = _problems(page, data_words) + [f"console: {e}" for e in errors]
        if found:
            report[path] = found
        else:
            report.setdefault(path, [])
        queue.extend(_links(page, base))
    context.close()
    return {path: found for path, found in report.items() if found}


@pytest.mark.parametrize("role", [None, *ROLE_LOGINS])
def test_every_page_fits_a_small_phone_in_chinese_without_errors(
    app: Flask, live_server: str, browser: Browser, role: str | None, request: pytest.FixtureRequest
) -> None:
    if request.config.getoption("--db") != "sqlite":
        pytest.skip("the pages are the same on PostgreSQL: the SQLite pass crawls them")
    with app.app_context():  # user names are data, not words to translate
        data_words = set(db.session.scalars(select(User.username)))
    report = crawl(browser, live_server, role, data_words)
    assert report == {}, "\n".join(f"{path}: {'; '.join(found)}" for path, found in report.items())

#!/usr/bin/env python3
"""What a phone downloads: the app shell, one post form, and a whole round for underground use.

Runs the app in-process on a fresh SQLite demo database and prints, against the goals of issue 8:

* app shell, first load = the start page + the files it loads (CSS, htmx, app.js, outbox.js, icon), each
  gzip-compressed as a proxy or CDN would send it; goal ≤ 50 KB. Also the whole precached shell (scanner and
  its worker included), which the service worker fetches once in the background;
* one post form (the largest of the demo's anonymous round, and a signed one), gzip; goal ≤ 15 KB;
* the demo's anonymous round downloaded with 下载本轮: bytes on the wire (the gzip bundle) and bytes kept on
  the phone (Cache Storage), per post and extrapolated to 60 posts; goal ≤ 1 MB for 60 posts;
* ratio of the bundle against its baseline, the same pages fetched one by one (each gzip'd), and the time to
  build the bundle against N single form renders, all in this run;
* a real-size round (issue 18): 60 posts on a 129-item standard of 11 sections and 1100 points (the shape of
  the mines' 安全质量标准化 sheets, tests/real_sheets.py): on the phone (goal ≤ 1 MB) and on the wire, and the
  form's first render on a phone (Chromium at 360×740 with the CPU slowed 4×): first contentful paint and the
  script's sticky bar ready, against the demo's 10-item form in the same run.

    .venv/bin/python scripts/bench/weight.py
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask.testing import FlaskClient  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from inspect_app import create_app, demo  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import Round  # noqa: E402

KB = 1024
SHELL_GOAL, FORM_GOAL, ROUND_GOAL = 50 * KB, 15 * KB, 1024 * KB


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 6))


def get(client: FlaskClient, url: str) -> bytes:
    with client.get(url) as response:
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data()


def first_load(client: FlaskClient) -> tuple[int, int]:
    """(raw, gzip) bytes of the start page and every file its HTML references."""
    page = get(client, "/")
    assets = re.findall(r'(?:src|href)="(/static/[^"]+|/manifest\.webmanifest)"', page.decode())
    bodies = [page, *(get(client, url) for url in assets)]
    return sum(map(len, bodies)), sum(map(gz, bodies))


def whole_shell(client: FlaskClient) -> int:
    sw = get(client, "/sw.js").decode()
    urls = json.loads(re.search(r"var SHELL_URLS = (\[.*?\]);", sw).group(1))  # type: ignore[union-attr]
    return sum(gz(get(client, url)) for url in urls) + gz(sw.encode())


def timed(work: object) -> float:
    start = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/weight.db", "SECRET_KEY": "bench",
                          "RATELIMIT_ENABLED": False, "PHOTO_DIR": tmp})  # fmt: skip
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            demo.load()
            rnd = db.session.scalars(select(Round).where(Round.anonymous, Round.status == "open")).first()
            assert rnd is not None
            round_id = rnd.id
        client = app.test_client()
        report(client, round_id)
        with app.app_context():
            big_round, big_form, small_form = real_size_round()
        print()
        report_round(client, big_round, "real-size round (129 items, 11 sections, 1100 points)")
        render_times(app, tmp, big_form, small_form)


def real_size_round() -> tuple[int, str, str]:
    """The coal standard replaced by a real-size sheet, 60 listed posts on it, an open anonymous round over
    them; returns the round and the URLs of one of its forms and of a demo form."""
    from datetime import timedelta

    from inspect_app import clock
    from inspect_app.audit import Actor
    from inspect_app.domain.ballots import RoundAction
    from inspect_app.domain.codes import new_post_code
    from inspect_app.domain.enums import PostStatus, Role, RoundKind, RoundMode
    from inspect_app.domain.standards import check_items
    from inspect_app.models import Post, RoundPost, Standard
    from inspect_app.rounds.services import RoundInput, create_round, step_round
    from inspect_app.standards.services import add_version
    from tests.real_sheets import real_sheet

    actor = Actor(None, "bench", Role.COMMITTEE)
    small = db.session.scalars(
        select(RoundPost).join(Round).where(Round.anonymous, Round.status == "open")
    ).first()
    assert small is not None
    small_form = f"/b/{small.round_id}/{small.post.code}"
    coal = db.session.scalars(select(Standard).where(Standard.profession == "coal")).one()
    add_version(actor, coal.id, check_items(list(enumerate(real_sheet(), start=2))), "bench")
    model = db.session.scalars(select(Post).where(Post.profession == "coal", Post.status == "listed")).first()
    assert model is not None
    copied = ("area", "unit_id", "profession", "standard_version_id", "basis", "assessor", "assessment",
              "duties", "commitment", "achievements", "start_date", "end_date")  # fmt: skip
    posts = [
        Post(code=new_post_code(), name=f"{n}号采煤示范岗", status=PostStatus.LISTED.value,
             **{k: getattr(model, k) for k in copied})
        for n in range(1, 61)
    ]  # fmt: skip
    db.session.add_all(posts)
    db.session.commit()
    today = clock.today()
    ids = tuple(p.id for p in posts)
    data = RoundInput(
        "评分表全尺寸", RoundKind.WEEKLY, RoundMode.JOINT, today, today + timedelta(days=1), True, ids
    )
    round_id = create_round(actor, data)
    step_round(actor, round_id, RoundAction.OPEN)
    return round_id, f"/b/{round_id}/{posts[0].code}", small_form


FIRST_PAINT = "(performance.getEntriesByName('first-contentful-paint')[0] || {startTime: NaN}).startTime"


def render_times(app: object, tmp: str, big_form: str, small_form: str) -> None:
    """First contentful paint and the sticky bar ready, median of 5, on a slowed phone-sized Chromium."""
    import threading

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)  # type: ignore[arg-type]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    figures: dict[str, tuple[float, float]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for name, url in (("demo form (10 items)", small_form), ("real-size form (129 items)", big_form)):
            runs = []
            for _ in range(5):
                page = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN").new_page()
                page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
                page.goto(base + url)
                page.wait_for_selector("#sheet-bar:not([hidden])")
                paint = page.evaluate(FIRST_PAINT)
                runs.append((paint, page.evaluate("performance.now()")))
                page.context.close()
            figures[name] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        browser.close()
    server.shutdown()
    (small_paint, small_ready), (big_paint, big_ready) = figures.values()
    for name, (paint, ready) in figures.items():
        print(
            f"{name}: first paint {paint:.0f} ms, sticky bar ready {ready:.0f} ms (CPU ÷4, 360×740, median 5)"
        )
    print(
        f"  real-size / demo: first paint {big_paint / small_paint:.2f}, ready {big_ready / small_ready:.2f}"
    )


def report_round(client: FlaskClient, round_id: int, name: str) -> None:
    """A round's download: on the wire (gzip), kept on the phone, and the share of the checklists in it."""
    response = client.get(f"/b/rounds/{round_id}/bundle.json", headers={"Accept-Encoding": "gzip"})
    wire = len(response.get_data())
    data = json.loads(gzip.decompress(response.get_data()))
    pages = {url: html.encode() for url, html in data["pages"].items()}
    kept = sum(map(len, pages.values()))
    parts = sum(len(body) for url, body in pages.items() if url.startswith("/offline/parts/"))
    forms = [body for url, body in pages.items() if url.startswith("/b/")]
    print(f"{name}: {len(data['posts'])} posts; on the phone {kept / KB:.0f} KB (checklists kept once: "
          f"{parts / KB:.0f} KB; each form without it {max(map(len, forms)) / KB:.1f} KB)   goal ≤ 1024 KB  "
          f"ratio {kept / ROUND_GOAL:.2f}; on the wire {wire / KB:.0f} KB")  # fmt: skip


def report(client: FlaskClient, round_id: int) -> None:
    raw, packed = first_load(client)
    print(f"app shell, first load: {packed / KB:6.1f} KB gzip ({raw / KB:.1f} KB raw)   goal ≤ 50 KB  "
          f"ratio {packed / SHELL_GOAL:.2f}")  # fmt: skip
    print(f"app shell, all precached (scanner incl.): {whole_shell(client) / KB:6.1f} KB gzip")

    response = client.get(f"/b/rounds/{round_id}/bundle.json", headers={"Accept-Encoding": "gzip"})
    wire = len(response.get_data())
    data = json.loads(gzip.decompress(response.get_data()))
    pages = {url: html.encode() for url, html in data["pages"].items()}
    forms = {url: get(client, url) for url in pages if url.startswith("/b/")}  # as served, checklist included
    biggest = max(forms.values(), key=len)
    print(f"one post form (largest of {len(forms)}): {gz(biggest) / KB:6.1f} KB gzip "
          f"({len(biggest) / KB:.1f} KB "
          f"raw)   goal ≤ 15 KB  ratio {gz(biggest) / FORM_GOAL:.2f}")  # fmt: skip

    posts = len(data["posts"])
    kept = sum(map(len, pages.values()))
    one_by_one = sum(map(gz, pages.values()))
    print(f"downloaded round: {posts} posts, {len(pages)} pages; on the wire {wire / KB:.1f} KB "
          f"(one by one, gzip: {one_by_one / KB:.1f} KB, bundle/one-by-one {wire / one_by_one:.2f}); "
          f"kept on the phone {kept / KB:.1f} KB")  # fmt: skip
    per_post = kept / posts
    print(
        f"  per post kept {per_post / KB:.1f} KB → 60 posts ≈ {60 * per_post / KB:.0f} KB on the phone, "
        f"{60 * wire / posts / KB:.0f} KB on the wire   goal ≤ 1024 KB  "
        f"ratio {60 * per_post / ROUND_GOAL:.2f}"
    )

    singles = [timed(lambda url=url: get(client, url)) for url in list(forms)[:posts]]
    builds = [timed(lambda: client.get(f"/b/rounds/{round_id}/bundle.json").get_data()) for _ in range(3)]
    single, build = statistics.median(singles), statistics.median(builds)
    print(
        f"bundle build {build * 1000:.0f} ms vs {posts} single form requests {posts * single * 1000:.0f} ms "
        f"(ratio {build / (posts * single):.2f}; the bundle also renders each post's public page)"
    )


if __name__ == "__main__":
    main()

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
  build the bundle against N single form renders, all in this run.

    .venv/bin/python scripts/bench/weight.py
"""

from __future__ import annotations

import gzip
import json
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


def report(client: FlaskClient, round_id: int) -> None:
    raw, packed = first_load(client)
    print(f"app shell, first load: {packed / KB:6.1f} KB gzip ({raw / KB:.1f} KB raw)   goal ≤ 50 KB  "
          f"ratio {packed / SHELL_GOAL:.2f}")  # fmt: skip
    print(f"app shell, all precached (scanner incl.): {whole_shell(client) / KB:6.1f} KB gzip")

    response = client.get(f"/b/rounds/{round_id}/bundle.json", headers={"Accept-Encoding": "gzip"})
    wire = len(response.get_data())
    data = json.loads(gzip.decompress(response.get_data()))
    pages = {url: html.encode() for url, html in data["pages"].items()}
    forms = {url: body for url, body in pages.items() if url.startswith("/b/")}
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

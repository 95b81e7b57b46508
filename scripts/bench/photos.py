#!/usr/bin/env python3
"""Photo ingest cost: the sanitiser against a plain Pillow open + full decode + resize, in the same run.

Makes a 12 MP JPEG (4032×3024, textured, quality 92, EXIF with GPS) and measures, each as the median of
``--runs``:

* ingest = ``photos.sanitise.sanitise`` (decode with draft, orient, re-encode 1600 px + 320 px thumbnail);
* baseline = ``Image.open`` + ``load()`` at full size + ``thumbnail(1600)`` + JPEG encode (what a naive
  handler does); goal: ingest ≤ 0.5 × baseline;
* peak RSS of one ingest, in a fresh process (goal ≤ 150 MB), and of one baseline for comparison;
* rejection time of a decompression bomb (PNG claiming 60 000 × 60 000 px; goal ≤ 50 ms).

    .venv/bin/python scripts/bench/photos.py [--runs 7]
"""

from __future__ import annotations

import argparse
import io
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from inspect_app.photos.sanitise import PhotoRefused, sanitise  # noqa: E402


def twelve_megapixels() -> bytes:
    """A photo-like 12 MP JPEG: smooth light and shade with fine grain, not pure noise."""
    light = Image.linear_gradient("L").resize((4032, 3024), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((4032, 3024), 12)
    noise = Image.merge("RGB", (light, Image.blend(light, grain, 0.3), grain))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (39.0, 54.0, 27.0)
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (1, 1)).save(out, "PNG")
    raw = out.getvalue()
    chunk = b"IHDR" + struct.pack(">II", 60_000, 60_000) + raw[24:29]
    return raw[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + raw[33:]


def baseline(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        image.thumbnail((1600, 1600), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=80)
        return out.getvalue()


def median_ms(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def refuse_bomb(data: bytes) -> None:
    try:
        sanitise(data)
    except PhotoRefused:
        return
    raise SystemExit("the bomb was not refused")


def peak_rss_mb(which: str, photo: Path) -> tuple[float, float]:
    """(peak, growth) of resident memory in a fresh process doing one ``which`` on the photo file.

    Read from VmHWM in /proc (ru_maxrss would carry this parent's peak across exec)."""
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[1] + '/scripts/bench']; import photos\n"
        "hwm = lambda: next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "data = open(sys.argv[2], 'rb').read(); before = hwm()\n"
        f"photos.{'sanitise' if which == 'ingest' else 'baseline'}(data)\n"
        "print(hwm(), before)"
    )
    command = [sys.executable, "-c", code, str(ROOT), str(photo)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    peak, before = (int(v) for v in out.stdout.split())
    return peak / 1024, (peak - before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description="photo ingest vs plain Pillow")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    data, bomb_data = twelve_megapixels(), bomb()
    ingest_ms = median_ms(lambda: sanitise(data), args.runs)
    base_ms = median_ms(lambda: baseline(data), args.runs)
    bomb_ms = median_ms(lambda: refuse_bomb(bomb_data), max(args.runs, 25))
    clean = sanitise(data)
    print(f"input: 12 MP JPEG, {len(data) / 1e6:.1f} MB; output {clean.width}×{clean.height}, "
          f"{len(clean.full) / 1e3:.0f} KB + thumbnail {len(clean.thumb) / 1e3:.0f} KB")  # fmt: skip
    print(f"ingest (sanitise)          : {ingest_ms:7.1f} ms  (median of {args.runs})")
    print(f"baseline open+decode+resize: {base_ms:7.1f} ms")
    print(f"ratio                      : {ingest_ms / base_ms:7.2f}  (goal <= 0.50)")
    with tempfile.TemporaryDirectory() as tmp:
        photo = Path(tmp) / "12mp.jpg"
        photo.write_bytes(data)
        for which in ("ingest", "baseline"):
            peak, growth = peak_rss_mb(which, photo)
            goal = "  (goal <= 150 MB)" if which == "ingest" else ""
            print(
                f"peak RSS, one {which:<9}    : {peak:7.1f} MB process, +{growth:.1f} MB for the work{goal}"
            )
    print(f"bomb refused in            : {bomb_ms:7.2f} ms  (goal <= 50)")


if __name__ == "__main__":
    main()

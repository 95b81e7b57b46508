"""gunicorn under a process manager, as the README's systemd unit runs it (``Restart=always``,
``RestartSec=1``, ``KillMode=mixed``): when the master dies, whatever is left of its workers is killed and
a new master starts a second later on the same port. ``storm.py --kill`` kills a worker and then the master
mid-storm.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
RESTART_SEC = 1.0


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if f"PPid:\t{pid}\n" in (entry / "status").read_text():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


class Supervised:
    """gunicorn serving ``target`` on 127.0.0.1:``port``, restarted like systemd would restart it."""

    def __init__(self, target: str, port: int, cwd: Path, workers: int, options: Sequence[str] = ()) -> None:
        self.command = [str(VENV_BIN / "gunicorn"), "--workers", str(workers), *options,
                        "--bind", f"127.0.0.1:{port}", "--log-level", "warning", target]  # fmt: skip
        self.port, self.cwd, self.workers = port, cwd, workers
        self.restarts = 0
        self.back_at = 0.0  # when the last restarted master was serving with all its workers (perf_counter)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.proc = self._spawn()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    @property
    def master(self) -> int:
        return self.proc.pid

    def _spawn(self) -> subprocess.Popen[bytes]:
        # a session of its own: the group stands for the unit's control group
        proc = subprocess.Popen(self.command, cwd=self.cwd, start_new_session=True)
        for _ in range(200):
            if listening(self.port) and len(children(proc.pid)) >= self.workers:
                return proc
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        raise SystemExit("gunicorn did not start")

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            if self.proc.poll() is None:
                continue
            with self._lock:
                if self._stop.is_set():
                    return
                with contextlib.suppress(ProcessLookupError):  # KillMode: what is left of the unit goes
                    os.killpg(self.proc.pid, signal.SIGKILL)
                time.sleep(RESTART_SEC)
                self.proc = self._spawn()
                self.back_at = time.perf_counter()
                self.restarts += 1

    def kill_worker(self) -> int:
        """``kill -9`` one worker (its master starts another); returns its pid."""
        pid = children(self.master)[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_master(self) -> None:
        os.kill(self.master, signal.SIGKILL)

    def workers_up(self) -> bool:
        return self.proc.poll() is None and len(children(self.master)) >= self.workers

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self._thread.join()

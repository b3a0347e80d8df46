"""Real processes for integration tests: a `sidekick serve` and hero scripts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(**extra: str) -> Dict[str, str]:
    env = dict(os.environ)
    env.update({"SIDEKICK_OPEN_BROWSER": "0", "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


class Lines:
    """Collects a subprocess's stdout lines on a thread; wait for one by prefix."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.lines: List[str] = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if isinstance(line, bytes):
                line = line.decode("utf-8", "replace")
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self.lines.append("<eof>")
            self._cond.notify_all()

    def find(self, prefix: str) -> Optional[str]:
        with self._cond:
            return next((line for line in self.lines if line.startswith(prefix)), None)

    def wait(self, prefix: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines:
                    if line.startswith(prefix):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0 or "<eof>" in self.lines:
                    stderr = ""
                    if self.proc.poll() is not None and self.proc.stderr is not None:
                        stderr = self.proc.stderr.read()
                    raise AssertionError(
                        f"no line starting with {prefix!r} within {timeout} s; "
                        f"got {self.lines[-5:]}; stderr: {stderr[-2000:]}"
                    )
                self._cond.wait(min(remaining, 0.2))

    def progress(self, prefix: str = "progress ") -> int:
        """The last number printed after ``prefix`` (0 when none yet)."""
        with self._cond:
            for line in reversed(self.lines):
                if line.startswith(prefix):
                    return int(line[len(prefix) :])
        return 0


class Server:
    """`python -m sidekick serve` on 127.0.0.1 in a subprocess (restartable)."""

    def __init__(self, port: Optional[int] = None, args: Optional[List[str]] = None) -> None:
        self.port = port or free_port()
        self.args = args or []
        self.proc: Optional[subprocess.Popen] = None

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> Server:
        """Start and wait for /healthz; its output is drained into :attr:`log`."""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sidekick", "serve", "--port", str(self.port), *self.args],
            env=base_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        # Always read the output: an unread pipe would stall a chatty server.
        self.log = Lines(self.proc)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc.wait()
                raise RuntimeError(f"server exited: {self.log.lines}")
            try:
                with urllib.request.urlopen(self.http_url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not start within {timeout} s: {self.log.lines}")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(5)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def write_script(tmp_path: Path, source: str, name: str = "hero.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def start_script(
    script: Path, url: Optional[str], python: str = sys.executable, **env: str
) -> subprocess.Popen:
    extra = dict(env)
    if url is not None:
        extra["SIDEKICK_URL"] = url
    return subprocess.Popen(
        [python, str(script)],
        env=base_env(**extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

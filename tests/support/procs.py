"""Real processes for integration tests: a `sidekick serve` and hero scripts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
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
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sidekick", "serve", "--port", str(self.port), *self.args],
            env=base_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stdout.read().decode()}")  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(self.http_url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

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

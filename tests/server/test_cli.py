"""``sidekick serve`` and ``sidekick run`` as real subprocesses."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path
from typing import IO, Callable, Dict, Iterator, List, Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
Spawn = Callable[..., "subprocess.Popen[str]"]
URL = re.compile(r"(http://127\.0\.0\.1:(\d+)/\S*)")


def _env() -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["SIDEKICK_OPEN_BROWSER"] = "0"
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def spawn() -> Iterator[Spawn]:
    """Start ``python -m sidekick ...``; kill whatever is left after the test."""
    procs: List[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sidekick", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
            cwd=str(ROOT),
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=5)


def _read_url(stream: Optional[IO[str]], timeout: float = 10) -> re.Match[str]:
    assert stream is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        match = URL.search(line)
        if match:
            return match
    raise AssertionError("no URL printed")


def _healthz(port: int) -> Dict[str, object]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
        return json.loads(response.read())


def _wait_exit(proc: subprocess.Popen[str], timeout: float) -> Optional[int]:
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        return None


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 0)])
def test_serve_prints_url_answers_and_stops_cleanly(spawn: Spawn, signum: int, status: int) -> None:
    proc = spawn("serve", "--port", "0")
    match = _read_url(proc.stdout)
    port = int(match.group(2))
    assert match.group(1) == f"http://127.0.0.1:{port}/"
    assert _healthz(port)["name"] == "sidekick"
    proc.send_signal(signum)
    # Bounded, not timed: a hang fails here; tests never assert on speed.
    assert _wait_exit(proc, 5) == status
    out, err = proc.communicate(timeout=5)
    assert "Traceback" not in err and "Traceback" not in out
    assert out.count("http://") == 0  # the URL was printed once (already read)


def test_serve_with_token_prints_it_in_the_url(spawn: Spawn) -> None:
    proc = spawn("serve", "--port", "0", "--token", "tok123")
    match = _read_url(proc.stdout)
    assert match.group(1).endswith("/?token=tok123")
    proc.send_signal(signal.SIGINT)
    assert _wait_exit(proc, 5) == 130


def test_serve_port_taken(spawn: Spawn) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        proc = spawn("serve", "--port", str(port))
        assert _wait_exit(proc, 10) == 1
        out, err = proc.communicate(timeout=5)
    assert err.strip() == f"sidekick: port {port} is already in use by another program; use --port"
    assert out == ""


SCRIPT = textwrap.dedent(
    """
    import asyncio, json, os, sys
    from websockets.asyncio.client import connect

    async def main():
        url = os.environ["SIDEKICK_URL"]
        print("URL", url, flush=True)
        async with connect(url) as ws:
            await ws.send(json.dumps({"id": 0, "component": "system", "type": "announce",
                "payload": {"peerId": "h", "role": "hero", "status": "online"}}))
        print("args", sys.argv[1:], flush=True)

    asyncio.run(main())
    sys.exit(int(sys.argv[1]))
    """
)


def test_run_script_with_no_wait(spawn: Spawn, tmp_path: Path) -> None:
    script = tmp_path / "hero.py"
    script.write_text(SCRIPT)
    proc = spawn("run", "--port", "0", "--no-wait", str(script), "3", "--flag")
    assert _wait_exit(proc, 20) == 3
    out, err = proc.communicate(timeout=5)
    ws = re.search(r"URL (ws://127\.0\.0\.1:\d+/\?session=([\w-]+))", out)
    assert ws is not None, out
    session = ws.group(2)
    assert len(session) >= 20
    assert f"/session/{session}" in err  # the UI URL for that session
    assert "args ['3', '--flag']" in out


def test_run_keeps_serving_until_ctrl_c(spawn: Spawn, tmp_path: Path) -> None:
    script = tmp_path / "hero.py"
    script.write_text(SCRIPT)
    proc = spawn("run", "--port", "0", str(script), "4")
    match = _read_url(proc.stderr)
    port = int(match.group(2))
    deadline = time.monotonic() + 20
    line = ""
    assert proc.stderr is not None
    while time.monotonic() < deadline and "exited with status" not in line:
        line = proc.stderr.readline()
    assert "exited with status 4" in line
    assert _healthz(port)["ok"] is True  # the picture stays up
    proc.send_signal(signal.SIGINT)
    assert _wait_exit(proc, 5) == 4


def test_run_stops_a_running_script_on_ctrl_c(spawn: Spawn, tmp_path: Path) -> None:
    script = tmp_path / "forever.py"
    script.write_text("import time\nprint('ready', flush=True)\ntime.sleep(60)\n")
    proc = spawn("run", "--port", "0", str(script))
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGINT)  # only we get it: we forward it to the script
    assert _wait_exit(proc, 10) == 130


def test_run_missing_script(spawn: Spawn, tmp_path: Path) -> None:
    proc = spawn("run", "--port", "0", str(tmp_path / "nope.py"))
    assert _wait_exit(proc, 10) == 2
    assert "no such script" in proc.communicate(timeout=5)[1]


def test_version_and_help(spawn: Spawn) -> None:
    proc = spawn("--version")
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0 and out.startswith("sidekick ")


def test_importing_the_cli_is_light() -> None:
    code = "import sys, sidekick.cli; print('sidekick.server' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=20
    ).stdout
    assert out.strip() == "False"


def test_serve_with_a_bad_pyodide_path_fails_before_printing_a_url(
    spawn: Spawn, tmp_path: Path
) -> None:
    proc = spawn("serve", "--port", "0", "--pyodide", str(tmp_path))
    assert _wait_exit(proc, 10) == 1
    out, err = proc.communicate(timeout=5)
    assert out == ""
    assert "not a Pyodide distribution" in err and "Traceback" not in err


def test_serve_beyond_loopback_requires_a_token(spawn: Spawn) -> None:
    proc = spawn("serve", "--host", "0.0.0.0", "--port", "0")
    match = _read_url(proc.stdout)
    assert re.search(r"/\?token=[\w-]{40,}$", match.group(1))
    proc.send_signal(signal.SIGINT)
    assert _wait_exit(proc, 5) == 130
    assert "token is required" in proc.communicate(timeout=5)[1]

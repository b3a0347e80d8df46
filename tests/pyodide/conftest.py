"""Fixtures for the Pyodide tests: the npm package folder (``npm ci`` when it
is missing), and for the playground a ``sidekick serve --pyodide`` subprocess
on 127.0.0.1 and Debian's Chromium through Playwright (never a downloaded
browser)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from .nodeenv import PACKAGE, REPO, run_in_package


@pytest.fixture(scope="session")
def npm() -> str:
    node, npm_path = shutil.which("node"), shutil.which("npm")
    if node is None or npm_path is None:
        pytest.skip("Node.js (node and npm) is not installed; the Pyodide tests need it")
    return npm_path


@pytest.fixture(scope="session")
def pyodide_package(npm: str) -> Path:
    """``pyodide/`` with its node_modules installed from the lock file."""
    if not (PACKAGE / "node_modules" / "pyodide" / "pyodide.asm.wasm").is_file():
        done = run_in_package([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], 180)
        assert done.returncode == 0, f"npm ci failed in pyodide/:\n{done.stdout[-4000:]}"
    return PACKAGE


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def playground_url(pyodide_package: Path) -> Iterator[str]:
    """``sidekick serve --pyodide`` on a free port of 127.0.0.1; yields the base URL."""
    port = _free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sidekick",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--pyodide",
            str(pyodide_package / "node_modules" / "pyodide"),
        ],
        cwd=str(REPO),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise RuntimeError(f"sidekick serve exited with {proc.returncode}: {err}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("sidekick serve did not start within 15 s")
            time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        if proc.stderr:
            proc.stderr.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Debian's Chromium, headless, through Playwright's sync API."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()

"""Fixtures for the Pyodide tests: the npm package folder (``npm ci`` when it
is missing), and for the playground a ``sidekick serve --pyodide`` subprocess
on 127.0.0.1 and Debian's Chromium through Playwright (never a downloaded
browser)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from tests.reliability._browser import require_chromium
from tests.reliability._util import require
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.support.procs import Server

from .nodeenv import PACKAGE, run_in_package


@pytest.fixture(scope="session")
def npm() -> str:
    node, npm_path = shutil.which("node"), shutil.which("npm")
    require(
        node is not None and npm_path is not None,
        "Node.js (node and npm) is not installed; the Pyodide tests need it",
    )
    assert npm_path is not None
    return npm_path


@pytest.fixture(scope="session")
def pyodide_package(npm: str) -> Path:
    """``pyodide/`` with its node_modules installed from the lock file."""
    if not (PACKAGE / "node_modules" / "pyodide" / "pyodide.asm.wasm").is_file():
        done = run_in_package([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], 180)
        assert done.returncode == 0, f"npm ci failed in pyodide/:\n{done.stdout[-4000:]}"
    return PACKAGE


@pytest.fixture(scope="module")
def playground_url(pyodide_package: Path) -> Iterator[str]:
    """``sidekick serve --pyodide`` on a free port of 127.0.0.1; yields the base URL."""
    pyodide_dir = pyodide_package / "node_modules" / "pyodide"
    server = Server(args=["--host", "127.0.0.1", "--pyodide", str(pyodide_dir)])
    try:
        server.start(timeout=15)
        yield server.http_url
    finally:
        server.stop()
        server.kill()


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Debian's Chromium, headless, through Playwright's sync API."""
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()

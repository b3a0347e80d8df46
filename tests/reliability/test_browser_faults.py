"""Faults seen by the real browser UI (Chromium, the page contract of protocol.md C):
page reload and a second tab in the middle of a 10,000-update burst, the
relay killed under an open page, and a script that crashes or is killed.
"""

from __future__ import annotations

import signal
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest

pytest.importorskip("playwright.sync_api")

from tests.support.gridview import GRID_CELLS_JS  # noqa: E402
from tests.support.procs import Server, start_script  # noqa: E402

from . import scripts  # noqa: E402
from ._browser import (  # noqa: E402
    IDS_JS,
    STATUS_JS,
    TEXT_JS,
    BrowserThread,
    css_rgb,
    require_chromium,
)
from ._util import Cells, Lines, expected_cells, stop  # noqa: E402
from .test_faults import wait_progress  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium() -> Iterator[BrowserThread]:
    require_chromium()
    bt = BrowserThread()
    try:
        yield bt
    finally:
        bt.close()


def page_cells(bt: BrowserThread, page: Any) -> Dict[Tuple[int, int], Dict[str, str]]:
    cells: Dict[Tuple[int, int], Dict[str, str]] = {}
    for x, y, color, text in (
        bt.call(page.evaluate, GRID_CELLS_JS, '[data-sidekick-id="grid-1"]') or []
    ):
        cell = {}
        if color:
            cell["color"] = color
        if text:
            cell["text"] = text
        if cell:
            cells[(x, y)] = cell
    return cells


def as_css(expected: Cells) -> Dict[Tuple[int, int], Dict[str, str]]:
    out = {}
    for key, cell in expected.items():
        css = dict(cell)
        if "color" in css:
            css["color"] = css_rgb(css["color"])
        out[key] = css
    return out


def wait_page(bt: BrowserThread, page: Any, check: Any, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check(page)
        if last is True:
            return
        time.sleep(0.1)
    raise AssertionError(f"page never showed {what}: {str(last)[:500]}")


def session_urls(server: Server) -> Tuple[str, str]:
    session = "rel-" + uuid.uuid4().hex
    return f"{server.ws_url}/?session={session}", f"{server.http_url}/session/{session}"


def test_reload_and_second_tab_during_burst_both_end_with_full_state(
    chromium: BrowserThread, tmp_path: Path, server: Server
) -> None:
    ws, http = session_urls(server)
    first = chromium.open(http, "waiting")
    second = None
    proc = start_script(scripts.write(tmp_path, scripts.BURST, "burst.py"), ws)
    lines = Lines(proc)
    try:
        lines.wait("connected")
        wait_progress(lines, 2500)
        chromium.call(first.reload)
        wait_progress(lines, 6000)
        second = chromium.open(http)
        assert lines.find("state ") is None, "the burst ended before the reload and second tab"
        expected = as_css(expected_cells(lines.wait("state ", timeout=60)))

        def done(page: Any) -> Any:
            shown = page_cells(chromium, page)
            label = chromium.call(page.evaluate, TEXT_JS, "label-1")
            if label == "burst done" and shown == expected:
                return True
            return f"label {label!r}, {len(shown)} cells of {len(expected)}"

        wait_page(chromium, first, done, "the full grid after the reload")
        wait_page(chromium, second, done, "the full grid in the second tab")
        for page in (first, second):
            assert chromium.call(page.evaluate, STATUS_JS) == "connected"
            assert chromium.call(page.evaluate, IDS_JS) == ["grid-1", "label-1", "button-1"]
    finally:
        stop(proc)
        for page in (first, second):
            if page is not None:
                chromium.call(page.close)


def test_relay_killed_under_an_open_page_during_burst(
    chromium: BrowserThread, tmp_path: Path
) -> None:
    """The page and the script both reconnect to the restarted relay by
    themselves; the page ends with the script's grid."""
    server = Server().start()
    ws, http = session_urls(server)
    page = chromium.open(http, "waiting")
    proc = start_script(scripts.write(tmp_path, scripts.BURST, "burst.py"), ws)
    lines = Lines(proc)
    try:
        lines.wait("connected")
        wait_progress(lines, 3000)
        server.kill()
        chromium.call(page.wait_for_selector, "html[data-sidekick-status=disconnected]")
        server.start()
        expected = as_css(expected_cells(lines.wait("state ", timeout=60)))

        def done(p: Any) -> Any:
            shown = page_cells(chromium, p)
            label = chromium.call(p.evaluate, TEXT_JS, "label-1")
            status = chromium.call(p.evaluate, STATUS_JS)
            if label == "burst done" and shown == expected and status == "connected":
                return True
            return f"{status}, label {label!r}, {len(shown)} cells of {len(expected)}"

        wait_page(chromium, page, done, "the full grid after the relay restart", timeout=40)
    finally:
        stop(proc)
        chromium.call(page.close)
        server.stop()


@pytest.mark.parametrize("how", ["crash", "sigkill"])
def test_script_gone_page_keeps_picture_and_shows_it(
    chromium: BrowserThread, tmp_path: Path, server: Server, how: str
) -> None:
    ws, http = session_urls(server)
    page = chromium.open(http, "waiting")
    source = scripts.CRASH if how == "crash" else scripts.HANG
    first = start_script(scripts.write(tmp_path, source, "first.py"), ws)
    second = None
    try:
        Lines(first).wait("shown")
        if how == "sigkill":
            first.send_signal(signal.SIGKILL)
        first.wait(timeout=15)
        chromium.call(page.wait_for_selector, "html[data-sidekick-status=waiting]")
        # The last picture stays on the page.
        label = "run 1: 1999" if how == "crash" else "run 1"
        assert chromium.call(page.evaluate, TEXT_JS, "label-1") == label
        assert page_cells(chromium, page) == {(1, 2): {"color": "rgb(18, 52, 86)"}}

        second = start_script(scripts.write(tmp_path, scripts.NEXT, "second.py"), ws)
        Lines(second).wait("shown")

        def taken_over(p: Any) -> Any:
            ids = chromium.call(p.evaluate, IDS_JS)
            text = chromium.call(p.evaluate, TEXT_JS, "label-1")
            status = chromium.call(p.evaluate, STATUS_JS)
            return (ids, text, status) == (["label-1"], "run 2", "connected") or (ids, text, status)

        wait_page(chromium, page, taken_over, "the next run's picture")
    finally:
        stop(first)
        if second is not None:
            stop(second)
        chromium.call(page.close)

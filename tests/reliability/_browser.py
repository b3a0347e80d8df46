"""Debian's Chromium through Playwright, driven from one dedicated thread.

Playwright's sync API allows one instance per thread, and the browser suite
keeps its own session-wide instance on the main thread; so this suite runs
its browser on a worker thread and every Playwright call goes through
:meth:`BrowserThread.call`. Launch options are the browser suite's.
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import Any, Callable, List, Optional, TypeVar

from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS

from ._util import require

T = TypeVar("T")

#: Timeout of every Playwright wait, in seconds.
TIMEOUT = 15.0


def require_chromium() -> None:
    """Skip without Debian's Chromium (fail under CI, where ./dev installs it)."""
    require(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")


class BrowserThread:
    def __init__(self, extra_args: Optional[List[str]] = None) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="chromium")
        self._pw: Any = None
        self.browser: Any = None
        self.call(self._start, list(extra_args or []))

    def _start(self, extra_args: List[str]) -> None:
        from playwright.sync_api import sync_playwright

        self._manager = sync_playwright()
        self._pw = self._manager.__enter__()
        self.browser = self._pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS + extra_args, timeout=30_000
        )
        self.context = self.browser.new_context(viewport={"width": 1100, "height": 900})
        self.context.set_default_timeout(TIMEOUT * 1000)

    def call(self, fn: Callable[..., T], *args: Any, timeout: float = 60.0) -> T:
        """Run ``fn(*args)`` on the browser thread and return its result."""
        return self._pool.submit(fn, *args).result(timeout)

    def open(self, url: str, status: Optional[str] = None) -> Any:
        """A new page at ``url``; with ``status``, wait for that page status."""

        def run() -> Any:
            page = self.context.new_page()
            page.goto(url)
            if status is not None:
                page.wait_for_selector(f"html[data-sidekick-status={status}]")
            return page

        return self.call(run)

    def close(self) -> None:
        def run() -> None:
            try:
                self.browser.close()
            finally:
                self._manager.__exit__(None, None, None)

        try:
            self.call(run, timeout=30)
        finally:
            self._pool.shutdown(wait=True)


TEXT_JS = """(id) => {
    const el = document.querySelector(`[data-sidekick-id="${id}"]`);
    return el === null ? null : el.textContent;
}"""

STATUS_JS = "() => document.documentElement.dataset.sidekickStatus"

IDS_JS = """() => Array.from(
    document.querySelectorAll("[data-sidekick-id]"), (e) => e.dataset.sidekickId
)"""


def css_rgb(color: str) -> str:
    """``#rrggbb`` as the browser reports an inline background color."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"

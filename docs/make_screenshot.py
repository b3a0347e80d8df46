"""Regenerate docs/demo.png: run examples/demo.py against a local server and photograph the UI.

.venv/bin/python docs/make_screenshot.py
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.support.procs import Server, base_env  # noqa: E402


def main() -> None:
    server = Server().start()
    demo = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        env=base_env(SIDEKICK_URL=server.ws_url),
    )
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 720, "height": 640})
            page.goto(server.http_url + "/")
            page.wait_for_selector("html[data-sidekick-status=connected]")
            grid = page.locator("[data-sidekick-type=grid]")
            for x, y in [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (1, 6), (6, 1), (2, 5)]:
                grid.locator(f"[data-x='{x}'][data-y='{y}']").click()
            page.wait_for_selector("[data-sidekick-type=label]:has-text('9 cells painted')")
            time.sleep(0.2)
            page.screenshot(path=str(ROOT / "docs" / "demo.png"))
            browser.close()
    finally:
        demo.terminate()
        demo.wait(5)
        server.stop()


if __name__ == "__main__":
    main()

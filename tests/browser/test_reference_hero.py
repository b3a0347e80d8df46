"""A script written for sidekick-py 0.0.7, run with that library from PyPI, in our UI.

The interpreter comes from SIDEKICK_REF_PYTHON (``./dev test`` makes a venv with
``sidekick-py==0.0.7``); without it the test is skipped with the reason.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.reliability._util import require
from tests.support.gridview import expect_cell_color

pytestmark = pytest.mark.browser

SCRIPT = """
import sidekick

sidekick.set_url({url!r})
grid = sidekick.Grid(num_columns=4, num_rows=3)
label = sidekick.Label("no clicks yet")
grid.set_color(0, 0, "red")
grid.set_text(3, 2, "end")

def clicked(event):
    grid.set_color(event.x, event.y, "blue")
    label.text = f"clicked {{event.x}},{{event.y}}"

grid.on_click(clicked)
sidekick.run_forever()
"""


@pytest.fixture
def ref_python() -> str:
    python = os.environ.get("SIDEKICK_REF_PYTHON", "")
    require(
        bool(python) and Path(python).exists(),
        "SIDEKICK_REF_PYTHON (a venv with sidekick-py==0.0.7) is not set; ./dev test sets it",
    )
    return python


def test_reference_script_renders_and_receives_clicks(
    ref_python: str, server: Any, context: Any, tmp_path: Path
) -> None:
    script = tmp_path / "ref_hero.py"
    script.write_text(textwrap.dedent(SCRIPT.format(url=server.ws)))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SIDEKICK_URL")}
    page = context.new_page()
    page.goto(server.http + "/")
    page.wait_for_selector("html[data-sidekick-status=waiting]")
    proc = subprocess.Popen(
        [ref_python, str(script)],
        env=env,
        cwd=str(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        page.wait_for_selector("html[data-sidekick-status=connected]", timeout=20_000)
        grid = page.locator("[data-sidekick-type=grid]")
        page.wait_for_selector("[data-sidekick-type=grid] [data-x='3'][data-y='2']")
        assert grid.locator("[data-x]").count() == 12
        expect(grid.locator("[data-x='3'][data-y='2']")).to_have_text("end")
        expect_cell_color(page, "[data-sidekick-type=grid]", 0, 0, "rgb(255, 0, 0)")
        grid.locator("[data-x='2'][data-y='1']").click()
        page.wait_for_selector("[data-sidekick-type=label]:has-text('clicked 2,1')")
        expect_cell_color(page, "[data-sidekick-type=grid]", 2, 1, "rgb(0, 0, 255)")
    finally:
        proc.terminate()
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate(timeout=5)
        page.close()
    assert "Traceback" not in err or "KeyboardInterrupt" in err, err

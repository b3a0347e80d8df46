"""The playground in headless Chromium: ``sidekick serve --pyodide`` serves
``/playground``; a script runs in Pyodide in a Web Worker and its components
render in the same page, under the page's strict Content-Security-Policy.

One page serves every test of this module (loading Pyodide takes seconds).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any, Iterator

import pytest

from tests.support.gridview import expect_cell_color

pytestmark = [pytest.mark.pyodide, pytest.mark.browser, pytest.mark.timeout(240)]

LOAD_MS = 90_000  # Pyodide in a worker: ~3 s, much more on a loaded machine
STEP_MS = 30_000


@pytest.fixture(scope="module")
def page(chromium: Any, playground_url: str) -> Iterator[Any]:
    context = chromium.new_context()
    page = context.new_page()
    errors: list = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(playground_url + "/playground")
    page.wait_for_selector("html[data-playground-state=ready]", timeout=LOAD_MS)
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def run(page: Any, code: str) -> None:
    page.fill("[data-playground-role=editor]", code)
    page.click("[data-playground-role=run]")
    page.wait_for_selector(
        "html[data-playground-state=running], html[data-playground-state=finished], "
        "html[data-playground-state=error]",
        timeout=LOAD_MS,
    )


def output(page: Any) -> str:
    return str(page.text_content("[data-playground-role=output]") or "")


def test_serves_the_page_pyodide_and_the_library(playground_url: str) -> None:
    for path, content_type in [
        ("/playground", "text/html"),
        ("/playground/worker.js", "text/javascript"),
        ("/playground/pyodide/pyodide.asm.wasm", "application/wasm"),
        ("/playground/sidekick.zip", "application/zip"),
    ]:
        with urllib.request.urlopen(playground_url + path, timeout=10) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith(content_type)
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(playground_url + "/playground/pyodide/..%2Fpackage.json", timeout=10)
    assert info.value.code == 404


def test_grid_click_reaches_the_python_callback(page: Any) -> None:
    run(
        page,
        """
import sidekick

grid = sidekick.Grid(4, 3)
label = sidekick.Label("click a cell")

@grid.click
def clicked(event):
    grid.set_color(event.x, event.y, "rgb(255, 0, 0)")
    label.text = f"clicked {event.x},{event.y}"
    print("callback ran", event.x, event.y)

sidekick.run_forever()
""",
    )
    cell = "[data-sidekick-type=grid] [data-x='2'][data-y='1']"
    page.wait_for_selector(cell, timeout=STEP_MS)
    page.click(cell)
    page.wait_for_selector("[data-sidekick-type=label]:has-text('clicked 2,1')", timeout=STEP_MS)
    expect_cell_color(page, "[data-sidekick-type=grid]", 2, 1, "rgb(255, 0, 0)")
    page.wait_for_selector("[data-playground-role=output]:has-text('callback ran 2 1')")
    assert page.get_attribute("html", "data-sidekick-status") == "connected"
    # run_forever() blocks the script's top level (JSPI), as in CPython.
    assert page.get_attribute("html", "data-playground-state") == "running"
    assert page.errors == []


def test_console_input_waits_for_the_user(page: Any) -> None:
    run(
        page,
        """
import sidekick

console = sidekick.Console()
name = console.input("Your name? ")
sidekick.Label(f"Hello, {name}!")
""",
    )
    field = "[data-sidekick-type=console] input"
    page.wait_for_selector(field, timeout=STEP_MS)
    # The previous run's components are gone: a new run starts from scratch.
    # (Checked once this run's console is up: run() may return while the
    # page still shows the previous run's final state.)
    assert page.query_selector("[data-sidekick-type=grid]") is None
    page.fill(field, "Ada")
    page.press(field, "Enter")
    page.wait_for_selector("[data-sidekick-type=label]:has-text('Hello, Ada!')", timeout=STEP_MS)
    page.wait_for_selector("html[data-playground-state=finished]", timeout=STEP_MS)


def test_an_exception_shows_its_traceback(page: Any) -> None:
    run(page, "import sidekick\nsidekick.Label('before')\n1 / 0\n")
    page.wait_for_selector("html[data-playground-state=error]", timeout=STEP_MS)
    text = output(page)
    assert "ZeroDivisionError" in text
    assert "playground.py" in text
    # Components made before the error stay visible.
    page.wait_for_selector("[data-sidekick-type=label]:has-text('before')", timeout=STEP_MS)


def test_stop_ends_the_script(page: Any) -> None:
    run(page, "import sidekick\nsidekick.Button('still here')\nsidekick.run_forever()\n")
    page.wait_for_selector("[data-sidekick-type=button]", timeout=STEP_MS)
    page.click("[data-playground-role=stop]")
    page.wait_for_selector("html[data-playground-state=stopped]", timeout=STEP_MS)
    # The UI learns that the script is gone (the hero's offline announce).
    page.wait_for_selector("html[data-sidekick-status=waiting]", timeout=STEP_MS)


def test_builtin_input_explains_what_to_use(page: Any) -> None:
    run(page, "name = input('name? ')\n")
    page.wait_for_selector("html[data-playground-state=error]", timeout=STEP_MS)
    text = output(page)
    assert "console.input(" in text
    assert "EOFError" in text

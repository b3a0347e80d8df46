"""Batches of grid colors parsed by the socket's worker: applied exactly as the
same batch parsed on the page would be, errors included."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Tuple

import pytest

from tests.browser.conftest import Hero, Server
from tests.browser.test_connection import NO_WORKERS
from tests.support.gridview import GRID_CELLS_JS

pytestmark = pytest.mark.browser

# Counts the worker's parsed frames as the page receives them.
COUNT_GRID_COLORS = """
window.__gridColors = 0;
const handler = Object.getOwnPropertyDescriptor(Worker.prototype, "onmessage");
Object.defineProperty(Worker.prototype, "onmessage", {
  get() { return handler.get.call(this); },
  set(fn) {
    handler.set.call(this, (event) => {
      if (event.data && event.data.gridColors === true) window.__gridColors++;
      fn(event);
    });
  },
});
"""


def setcolor(target: str, x: Any, y: Any, color: Any) -> Dict[str, Any]:
    return Hero.update_msg("grid", target, "setColor", {"x": x, "y": y, "color": color})


BATCH = [
    setcolor("g", 0, 0, "#ff0000"),
    setcolor("g", 1, 0, "blue"),
    setcolor("g", 3, 0, "#00ff00"),  # outside the 3x2 grid: an error, nothing else
    setcolor("g", 2, 1, "#ff0000"),
    setcolor("label", 0, 0, "#ff0000"),  # not a grid: its own error
    setcolor("nobody", 0, 0, "#ff0000"),  # no such component
    setcolor("g", 0, 0, None),  # back to the default
    setcolor("g", -1, 1, "#000000"),
    setcolor("g", 1, 1, "no-such-color"),  # refused: the cell keeps its color
    setcolor("g", 1, 1, ""),  # empty: the default too
    setcolor("g", 2, 1, "rgb(0, 0, 255)"),
]
# Not only setColor: the whole frame takes the page's own path.
MIXED = [
    setcolor("g", 1, 0, "#00ff00"),
    {"id": 0, "component": "grid", "type": "update", "target": "g"},  # no payload
    setcolor("g", 0, 1, "#0000ff"),
]


def run(context: Any, server: Server, init_script: str) -> Tuple[List[Any], List[Any], Any]:
    """The page's grid cells, the errors it sent, and how many frames its worker parsed."""
    session = f"t{uuid.uuid4().hex[:12]}"
    page = context.new_page()
    page.add_init_script(init_script)
    page.goto(f"{server.http}/session/{session}")
    page.wait_for_selector("html[data-sidekick-status=waiting]")
    hero = Hero(server, session)
    try:
        hero.wait_ui()
        return apply_batch(page, hero)
    finally:
        hero.close()
        page.close()


def apply_batch(page: Any, hero: Hero) -> Tuple[List[Any], List[Any], Any]:
    hero.spawn("grid", "g", {"numColumns": 3, "numRows": 2})
    hero.spawn("label", "label", {"text": "a label"})
    hero.spawn("button", "sync", {"text": "sync"})
    hero.batch(BATCH)
    hero.batch(MIXED)
    hero.update("label", "label", "setText", {"text": "done"})  # after the batch, in order
    page.wait_for_selector('[data-sidekick-id="label"]:has-text("done")')
    # The page sent its errors before this click, on the same socket: once the
    # click has reached the hero, so have they.
    page.click('[data-sidekick-id="sync"]')
    hero.wait_event("sync")
    errors = [
        (m.get("src"), (m.get("payload") or {}).get("message"))
        for m in hero.drain()
        if m.get("type") == "error"
    ]
    counted = page.evaluate("window.__gridColors ?? null")
    return page.evaluate(GRID_CELLS_JS, '[data-sidekick-id="g"]'), errors, counted


def test_a_batch_of_grid_colors_is_applied_as_on_the_page(context: Any, server: Server) -> None:
    cells, errors, counted = run(context, server, COUNT_GRID_COLORS)
    assert counted == 1, "the worker should have parsed the first batch, not the second"
    reference_cells, reference_errors, _ = run(context, server, NO_WORKERS)
    assert cells == reference_cells
    assert errors == reference_errors
    assert len(errors) == 6, errors
    assert ("g", "'no-such-color' is not a CSS color") in errors
    colors = {(x, y): color for x, y, color, _ in cells}
    assert colors[(0, 0)] == "" and colors[(1, 1)] == ""
    assert colors[(1, 0)] == "rgb(0, 255, 0)" and colors[(2, 1)] == "rgb(0, 0, 255)"
    assert colors[(0, 1)] == "rgb(0, 0, 255)"

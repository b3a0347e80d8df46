"""The page's socket: in a worker when it can be, on the page when it cannot."""

from __future__ import annotations

from typing import Any, Iterator, List

import pytest

from tests.browser.conftest import Hero, Server
from tests.support.gridview import expect_cell_color, grid_selector

pytestmark = pytest.mark.browser

NO_WORKERS = "delete window.Worker;"
# Workers exist, but every one dies on its first line (as a broken or blocked
# worker script would): the page must notice and go on without one.
BROKEN_WORKERS = """
const RealWorker = window.Worker;
window.Worker = function () {
  return new RealWorker(URL.createObjectURL(new Blob(["throw new Error('broken worker')"])));
};
"""


def round_trip(page: Any, hero: Hero) -> None:
    """A spawn and an update reach the DOM, a click reaches the hero."""
    hero.spawn("grid", "g", {"numColumns": 3, "numRows": 2})
    hero.update("grid", "g", "setColor", {"x": 2, "y": 1, "color": "#ff0000"})
    expect_cell_color(page, grid_selector("g"), 2, 1, "rgb(255, 0, 0)")
    page.locator('[data-sidekick-id="g"] [data-x="2"][data-y="1"]').click()
    assert hero.wait_event("g")["payload"] == {"event": "click", "x": 2, "y": 1}


@pytest.fixture
def open_page(context: Any, server: Server, session_id: str) -> Iterator[Any]:
    pages: List[Any] = []
    heroes: List[Hero] = []

    def open_(init_script: str = "") -> Any:
        pg = context.new_page()
        pg.warnings = []
        pg.on("console", lambda m: pg.warnings.append(m.text) if m.type == "warning" else None)
        if init_script:
            pg.add_init_script(init_script)
        pg.goto(f"{server.http}/session/{session_id}")
        pg.wait_for_selector("html[data-sidekick-status=waiting]")
        hero = Hero(server, session_id)
        heroes.append(hero)
        hero.wait_ui()
        pg.wait_for_selector("html[data-sidekick-status=connected]")
        pages.append(pg)
        return pg, hero

    yield open_
    for hero in heroes:
        hero.close()
    for pg in pages:
        pg.close()


def test_the_socket_runs_in_a_worker(open_page: Any) -> None:
    page, hero = open_page()
    assert len(page.workers) == 1
    round_trip(page, hero)


@pytest.mark.parametrize("init_script", [NO_WORKERS, BROKEN_WORKERS], ids=["none", "broken"])
def test_without_a_usable_worker_the_socket_is_on_the_page(
    open_page: Any, init_script: str
) -> None:
    page, hero = open_page(init_script)
    round_trip(page, hero)
    assert page.workers == []
    if init_script is BROKEN_WORKERS:
        assert any("socket worker failed" in w for w in page.warnings)

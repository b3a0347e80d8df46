"""User actions reach the hero as `event` messages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def el(page, target: str):
    return page.locator(f'[data-sidekick-id="{target}"]')


def test_button_click(page, hero):
    hero.spawn("button", "b", {"text": "Press"})
    el(page, "b").click()
    event = hero.wait_event("b")
    assert event == {
        "id": 0,
        "component": "button",
        "type": "event",
        "src": "b",
        "payload": {"event": "click"},
    }


def test_grid_cell_click(page, hero):
    hero.spawn("grid", "g", {"numColumns": 5, "numRows": 4})
    el(page, "g").locator('[data-x="3"][data-y="2"]').click()
    event = hero.wait_event("g")
    assert event["component"] == "grid"
    assert event["payload"] == {"event": "click", "x": 3, "y": 2}


def test_grid_cell_click_on_text(page, hero):
    hero.spawn("grid", "g", {"numColumns": 3, "numRows": 3})
    hero.update("grid", "g", "setText", {"x": 1, "y": 0, "text": "Hi"})
    cell = el(page, "g").locator('[data-x="1"][data-y="0"]')
    expect(cell).to_have_text("Hi")
    cell.click()
    assert hero.wait_event("g")["payload"] == {"event": "click", "x": 1, "y": 0}


def test_canvas_click_in_canvas_coordinates(page, hero):
    # 800 wide in a narrower column: the canvas is scaled down by CSS.
    page.set_viewport_size({"width": 500, "height": 700})
    hero.spawn("canvas", "cv", {"width": 800, "height": 400})
    canvas = el(page, "cv").locator("canvas")
    expect(canvas).to_have_count(1)
    box = canvas.bounding_box()
    assert box["width"] < 800
    canvas.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.25})
    event = hero.wait_event("cv")
    payload = event["payload"]
    assert payload["event"] == "click"
    assert isinstance(payload["x"], int) and isinstance(payload["y"], int)
    assert abs(payload["x"] - 400) <= 3
    assert abs(payload["y"] - 100) <= 3


def test_textbox_submit_with_enter_and_button(page, hero):
    hero.spawn("textbox", "t", {"placeholder": "name"})
    box = el(page, "t").locator("input")
    box.fill("Ada")
    box.press("Enter")
    assert hero.wait_event("t")["payload"] == {"event": "submit", "value": "Ada"}
    box.fill("Grace")
    el(page, "t").locator("button").click()
    assert hero.wait_event("t")["payload"] == {"event": "submit", "value": "Grace"}


def test_console_submit(page, hero):
    hero.spawn("console", "con", {"showInput": True})
    line = el(page, "con").locator("input")
    line.fill("print me")
    line.press("Enter")
    event = hero.wait_event("con")
    assert event["component"] == "console"
    assert event["payload"] == {"event": "submit", "value": "print me"}
    expect(line).to_have_value("")

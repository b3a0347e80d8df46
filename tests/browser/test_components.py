"""Each component renders per the page contract and applies its actions."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def el(page, target: str):
    return page.locator(f'[data-sidekick-id="{target}"]')


def test_label_and_set_text(page, hero):
    hero.spawn("label", "l1", {"text": "Hello"})
    label = el(page, "l1")
    expect(label).to_have_text("Hello")
    expect(label).to_have_attribute("data-sidekick-type", "label")
    hero.update("label", "l1", "setText", {"text": "  spaced\ttext  "})
    # Exact text, white space kept (to_have_text would normalise it): poll,
    # since the update lands with a later animation frame.
    deadline = time.monotonic() + 10
    while label.evaluate("e => e.textContent") != "  spaced\ttext  ":
        assert time.monotonic() < deadline, label.evaluate("e => e.textContent")
        time.sleep(0.02)


def test_button_and_set_text(page, hero):
    hero.spawn("button", "b1", {"text": "Go"})
    button = el(page, "b1")
    expect(button).to_have_text("Go")
    assert button.evaluate("e => e.tagName") == "BUTTON"
    hero.update("button", "b1", "setText", {"text": "Stop"})
    expect(button).to_have_text("Stop")


def test_markdown_renders(page, hero):
    hero.spawn("markdown", "m1", {"text": "# Title\n\nSome **bold** and `code`.\n\n- a\n- b"})
    md = el(page, "m1")
    expect(md.locator("h1")).to_have_text("Title")
    expect(md.locator("strong")).to_have_text("bold")
    expect(md.locator("li")).to_have_count(2)
    hero.update("markdown", "m1", "setText", {"text": "plain *now*"})
    expect(md).to_have_text("plain now")
    expect(md.locator("em")).to_have_text("now")


def test_textbox_value_and_placeholder(page, hero):
    hero.spawn("textbox", "t1", {"value": "abc", "placeholder": "type"})
    box = el(page, "t1").locator("input")
    expect(box).to_have_value("abc")
    expect(box).to_have_attribute("placeholder", "type")
    hero.update("textbox", "t1", "setValue", {"value": "xyz"})
    expect(box).to_have_value("xyz")
    hero.update("textbox", "t1", "setPlaceholder", {"placeholder": "other"})
    expect(box).to_have_attribute("placeholder", "other")


def test_console_append_clear(page, hero):
    hero.spawn("console", "c1", {"showInput": False, "text": "first\n"})
    out = el(page, "c1").locator('[data-sidekick-role="output"]')
    expect(out).to_have_text("first\n")
    assert el(page, "c1").locator("input").count() == 0
    hero.update("console", "c1", "append", {"text": "second\n"})
    hero.update("console", "c1", "append", {"text": "<b>not html</b>"})
    expect(out).to_have_text("first\nsecond\n<b>not html</b>")
    assert out.locator("b").count() == 0
    hero.update("console", "c1", "clear")
    expect(out).to_have_text("")


def test_console_with_input(page, hero):
    hero.spawn("console", "c2", {"showInput": True})
    expect(el(page, "c2").locator("input")).to_have_count(1)


def test_grid_cells_color_text(page, hero):
    hero.spawn("grid", "g1", {"numColumns": 4, "numRows": 3})
    grid = el(page, "g1")
    expect(grid.locator("[data-x][data-y]")).to_have_count(12)
    hero.update("grid", "g1", "setColor", {"x": 2, "y": 1, "color": "rgb(255, 0, 0)"})
    hero.update("grid", "g1", "setText", {"x": 3, "y": 2, "text": "Q"})
    cell = grid.locator('[data-x="2"][data-y="1"]')
    expect(cell).to_have_css("background-color", "rgb(255, 0, 0)")
    expect(grid.locator('[data-x="3"][data-y="2"]')).to_have_text("Q")
    hero.update("grid", "g1", "setColor", {"x": 2, "y": 1, "color": None})
    expect(cell).not_to_have_css("background-color", "rgb(255, 0, 0)")
    hero.update("grid", "g1", "setColor", {"x": 0, "y": 0, "color": "blue"})
    hero.update("grid", "g1", "clearCell", {"x": 3, "y": 2})
    expect(grid.locator('[data-x="3"][data-y="2"]')).to_have_text("")
    expect(grid.locator('[data-x="0"][data-y="0"]')).to_have_css(
        "background-color", "rgb(0, 0, 255)"
    )
    hero.update("grid", "g1", "setText", {"x": 1, "y": 1, "text": "z"})
    hero.update("grid", "g1", "clear")
    expect(grid.locator('[data-x="1"][data-y="1"]')).to_have_text("")
    expect(grid.locator('[data-x="0"][data-y="0"]')).not_to_have_css(
        "background-color", "rgb(0, 0, 255)"
    )


def test_grid_cells_are_square(page, hero):
    hero.spawn("grid", "g2", {"numColumns": 5, "numRows": 2})
    box = el(page, "g2").locator('[data-x="0"][data-y="0"]').bounding_box()
    assert box is not None and box["width"] == pytest.approx(box["height"], abs=0.5)


def test_many_grid_updates_in_batches(page, hero):
    """20,000 setColor updates (in batches) all land, in order."""
    hero.spawn("grid", "big", {"numColumns": 100, "numRows": 100})
    messages = []
    for i in range(20_000):
        x, y = i % 100, (i // 100) % 100
        color = "rgb(0, 128, 0)" if i >= 10_000 else "rgb(200, 0, 0)"
        messages.append(
            hero.update_msg("grid", "big", "setColor", {"x": x, "y": y, "color": color})
        )
    for start in range(0, len(messages), 2000):
        hero.batch(messages[start : start + 2000])
    hero.update("label", "nope", "setText", {"text": "marker"})  # errors come back in order
    hero.wait_error("nope")
    green = page.evaluate(
        """() => [...document.querySelectorAll('[data-sidekick-id="big"] [data-x]')]
                .filter(c => getComputedStyle(c).backgroundColor === 'rgb(0, 128, 0)').length"""
    )
    assert green == 10_000


def test_component_markers(page, hero):
    kinds = {
        "label": {"text": "x"},
        "markdown": {"text": "x"},
        "button": {"text": "x"},
        "textbox": {},
        "console": {"showInput": True},
        "grid": {"numColumns": 1, "numRows": 1},
        "canvas": {"width": 10, "height": 10},
        "viz": {},
        "row": {},
        "column": {},
    }
    for kind, payload in kinds.items():
        hero.spawn(kind, f"id-{kind}", payload)
    for kind in kinds:
        expect(el(page, f"id-{kind}")).to_have_attribute("data-sidekick-type", kind)
    assert el(page, "id-canvas").locator("canvas").count() == 1

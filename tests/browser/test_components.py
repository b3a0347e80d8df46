"""Each component renders per the page contract and applies its actions."""

from __future__ import annotations

import base64
import math
import time

import pytest
from playwright.sync_api import expect

from tests.support.gridview import cell_colors, expect_cell_color, grid_selector

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


def test_console_keeps_the_last_max_scrollback_characters(page, hero):
    # As much as the Python side keeps for a replay (MAX_SCROLLBACK): a script
    # that prints forever must not grow the page without bound.
    from sidekick.components.console import MAX_SCROLLBACK

    hero.spawn("console", "c3", {"showInput": False})
    out = el(page, "c3").locator('[data-sidekick-role="output"]')
    # 999 UTF-16 units a line after a 2-unit one: the page trims once, and its
    # cut falls between the two halves of an emoji (a surrogate pair).
    lines = ["a\n"] + [f"{chr(0x1F600 + i % 50) * 499}\n" for i in range(400)]
    assert MAX_SCROLLBACK == 200_000  # (the numbers above are for this limit)
    for chunk in lines:
        hero.update("console", "c3", "append", {"text": chunk})
    expect(out).to_contain_text(lines[-1])
    shown = out.evaluate("e => e.textContent")
    units = len(shown.encode("utf-16-le", "surrogatepass")) // 2
    assert MAX_SCROLLBACK <= units <= MAX_SCROLLBACK * 3 // 2, units
    assert "".join(lines).endswith(shown)
    first = out.evaluate("e => e.textContent.charCodeAt(0)")
    assert not 0xDC00 <= first <= 0xDFFF, "the cut split an emoji"
    hero.update("console", "c3", "clear")
    expect(out).to_have_text("")
    hero.update("console", "c3", "append", {"text": "after\n"})
    expect(out).to_have_text("after\n")


TOP_LINE_JS = """e => {
  const style = getComputedStyle(e);
  const rows = (e.scrollTop - parseFloat(style.paddingTop)) / parseFloat(style.lineHeight);
  const lines = e.textContent.split("\\n");
  return parseInt(lines[1].slice(5, 11), 10) - 1 + Math.round(rows);  // lines[0] may be cut
}"""


def test_a_console_trim_keeps_the_place_of_a_reader_scrolled_up(page, hero):
    hero.spawn("console", "c4", {"showInput": False})
    out = el(page, "c4").locator('[data-sidekick-role="output"]')

    def append_lines(start: int, stop: int) -> None:
        for first in range(start, stop, 100):  # 40 characters a line, 100 lines a message
            text = "".join(f"line {i:06d} {'.' * 27}\n" for i in range(first, first + 100))
            hero.update("console", "c4", "append", {"text": text})
        expect(out).to_contain_text(f"line {stop - 1:06d}")

    append_lines(0, 7000)  # 280,000 characters: just under the first trim
    out.evaluate("e => { e.scrollTop = e.scrollHeight / 2; }")
    page.wait_for_timeout(200)  # the scroll event: the console stops following
    before = out.evaluate(TOP_LINE_JS)
    assert 3000 < before < 4000, before
    append_lines(7000, 8000)  # past 300,000: the oldest 120,000 go
    assert not out.evaluate("e => e.textContent").startswith("line 000000")  # trimmed
    assert abs(out.evaluate(TOP_LINE_JS) - before) <= 1


def test_grid_cells_color_text(page, hero):
    hero.spawn("grid", "g1", {"numColumns": 4, "numRows": 3})
    grid = el(page, "g1")
    expect(grid.locator("[data-x][data-y]")).to_have_count(12)
    hero.update("grid", "g1", "setColor", {"x": 2, "y": 1, "color": "rgb(255, 0, 0)"})
    hero.update("grid", "g1", "setText", {"x": 3, "y": 2, "text": "Q"})
    g1 = grid_selector("g1")
    expect_cell_color(page, g1, 2, 1, "rgb(255, 0, 0)")
    expect(grid.locator('[data-x="3"][data-y="2"]')).to_have_text("Q")
    hero.update("grid", "g1", "setColor", {"x": 2, "y": 1, "color": None})
    expect_cell_color(page, g1, 2, 1, "")
    hero.update("grid", "g1", "setColor", {"x": 0, "y": 0, "color": "blue"})
    hero.update("grid", "g1", "clearCell", {"x": 3, "y": 2})
    expect(grid.locator('[data-x="3"][data-y="2"]')).to_have_text("")
    expect_cell_color(page, g1, 0, 0, "rgb(0, 0, 255)")
    hero.update("grid", "g1", "setText", {"x": 1, "y": 1, "text": "z"})
    hero.update("grid", "g1", "clear")
    expect(grid.locator('[data-x="1"][data-y="1"]')).to_have_text("")
    expect_cell_color(page, g1, 0, 0, "")
    assert set(cell_colors(page, g1).values()) == {""}


# The pixel at (x, y) of a PNG (base64), as "rgb(r, g, b)": decoded by the browser.
PNG_PIXEL = """async ([png, x, y]) => {
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const image = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
  const canvas = new OffscreenCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0);
  const [r, g, b] = ctx.getImageData(x, y, 1, 1).data;
  return `rgb(${r}, ${g}, ${b})`;
}"""


# The theme's colors (CSS variables) as "rgb(r, g, b)".
THEME_RGB = """(names) => names.map((name) => {
  const probe = document.createElement("i");
  probe.style.color = getComputedStyle(document.documentElement).getPropertyValue(name);
  document.body.append(probe);
  const rgb = getComputedStyle(probe).color;
  probe.remove();
  return rgb;
})"""


def test_grid_colors_show_in_their_cells_under_text_and_lines(page, hero):
    """On screen: a colored cell is its color, with its text over it; the
    others keep the default; the lines between cells stay visible."""
    hero.spawn("grid", "gs", {"numColumns": 4, "numRows": 3})
    hero.update("grid", "gs", "setColor", {"x": 2, "y": 1, "color": "#ff0000"})
    hero.update("grid", "gs", "setText", {"x": 2, "y": 1, "text": "A"})
    expect_cell_color(page, grid_selector("gs"), 2, 1, "rgb(255, 0, 0)")
    grid = el(page, "gs")
    board = grid.locator(".sk-grid-board").bounding_box()
    shot = base64.b64encode(page.screenshot(clip=board)).decode()

    def shown(cx: float, cy: float) -> str:
        point = [math.floor(cx - board["x"]), math.floor(cy - board["y"])]
        return page.evaluate(PNG_PIXEL, [shot, *point])

    def box(x: int, y: int):
        return grid.locator(f'[data-x="{x}"][data-y="{y}"]').bounding_box()

    cell_bg, line = page.evaluate(THEME_RGB, ["--sk-cell-bg", "--sk-cell-border"])
    red, plain = box(2, 1), box(1, 1)
    assert shown(red["x"] + 2, red["y"] + 2) == "rgb(255, 0, 0)"  # a corner, clear of the text
    assert shown(red["x"] + red["width"] - 2, red["y"] + red["height"] - 2) == "rgb(255, 0, 0)"
    assert shown(plain["x"] + plain["width"] / 2, plain["y"] + plain["height"] / 2) == cell_bg
    # The line just left of the red cell, and the one above it.
    assert shown(red["x"] - 0.5, red["y"] + red["height"] / 2) == line
    assert shown(red["x"] + red["width"] / 2, red["y"] - 0.5) == line
    expect(grid.locator('[data-x="2"][data-y="1"]')).to_have_text("A")


def test_unknown_colors_are_refused(page, hero):
    hero.spawn("grid", "gu", {"numColumns": 2, "numRows": 2})
    hero.update("grid", "gu", "setColor", {"x": 1, "y": 0, "color": "teal"})
    hero.update("grid", "gu", "setColor", {"x": 1, "y": 0, "color": "not a color"})
    error = hero.wait_error("gu")
    assert "'not a color' is not a CSS color" in error["payload"]["message"]
    expect_cell_color(page, grid_selector("gu"), 1, 0, "rgb(0, 128, 128)")


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
    colors = cell_colors(page, grid_selector("big"))
    assert len(colors) == 10_000 and set(colors.values()) == {"rgb(0, 128, 0)"}


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

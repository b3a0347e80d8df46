"""What a grid on the page shows: its colors as painted (one canvas pixel per
cell), read the same way by every browser test.

Colors come back as the browser writes an opaque CSS color, ``rgb(r, g, b)``;
a cell left at the default is ``""``.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple

# The color of the pixel at byte offset i of an ImageData's data.
_PIXEL_JS = """(px, i) => {
  const a = px[i + 3];
  return a === 0 ? "" : a === 255 ? `rgb(${px[i]}, ${px[i + 1]}, ${px[i + 2]})`
    : `rgba(${px[i]}, ${px[i + 1]}, ${px[i + 2]}, ${(a / 255).toFixed(2)})`;
}"""

# (selector of the grid's component element) -> [[x, y, color, text], ...] or null
GRID_CELLS_JS = (
    """(selector) => {
  const grid = document.querySelector(selector);
  const canvas = grid && grid.querySelector("canvas");
  if (!canvas) return null;
  const color = """
    + _PIXEL_JS
    + """;
  const { width, height } = canvas;
  const px = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  const texts = new Map();
  for (const c of grid.querySelectorAll("[data-x]")) {
    texts.set(`${c.dataset.x},${c.dataset.y}`, c.textContent);
  }
  const out = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      out.push([x, y, color(px, (y * width + x) * 4), texts.get(`${x},${y}`) ?? null]);
    }
  }
  return out;
}"""
)

# [selector, x, y] -> the color of that one cell, or null (no such grid or cell)
_CELL_JS = (
    """([selector, x, y]) => {
  const grid = document.querySelector(selector);
  const canvas = grid && grid.querySelector("canvas");
  if (!canvas || x < 0 || y < 0 || x >= canvas.width || y >= canvas.height) return null;
  return ("""
    + _PIXEL_JS
    + """)(canvas.getContext("2d").getImageData(x, y, 1, 1).data, 0);
}"""
)

_CELL_IS_JS = "([selector, x, y, want]) => (" + _CELL_JS + ")([selector, x, y]) === want"


def grid_selector(instance_id: str) -> str:
    return f'[data-sidekick-id="{instance_id}"]'


def cell_colors(page: Any, selector: str) -> Dict[Tuple[int, int], str]:
    """Every cell's shown color, by ``(x, y)``."""
    cells = page.evaluate(GRID_CELLS_JS, selector)
    assert cells is not None, f"no grid at {selector}"
    return {(x, y): color for x, y, color, _ in cells}


def expect_cell_color(
    page: Any, selector: str, x: int, y: int, want: str, timeout: float = 5000
) -> None:
    """Wait until cell ``(x, y)`` shows ``want``; fail saying what it shows instead."""
    # Here, not at the top: the benchmarks read grids with GRID_CELLS_JS, without Playwright.
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(_CELL_IS_JS, arg=[selector, x, y, want], timeout=timeout)
    except PlaywrightTimeout as exc:
        got = page.evaluate(_CELL_JS, [selector, x, y])
        raise AssertionError(f"cell ({x}, {y}) of {selector} shows {got!r}, not {want!r}") from exc

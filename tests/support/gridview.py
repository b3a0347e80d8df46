"""What a grid on the page shows: its colors as painted (one canvas pixel per
cell), read the same way by every browser test.

Colors come back as the browser writes an opaque CSS color, ``rgb(r, g, b)``;
a cell left at the default is ``""``.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple

# (selector of the grid's component element) -> [[x, y, color, text], ...] or null
GRID_CELLS_JS = """(selector) => {
  const grid = document.querySelector(selector);
  const canvas = grid && grid.querySelector("canvas");
  if (!canvas) return null;
  const { width, height } = canvas;
  const px = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  const texts = new Map();
  for (const c of grid.querySelectorAll("[data-x]")) {
    texts.set(`${c.dataset.x},${c.dataset.y}`, c.textContent);
  }
  const out = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const a = px[i + 3];
      const color = a === 0 ? "" : a === 255 ? `rgb(${px[i]}, ${px[i + 1]}, ${px[i + 2]})`
        : `rgba(${px[i]}, ${px[i + 1]}, ${px[i + 2]}, ${(a / 255).toFixed(2)})`;
      out.push([x, y, color, texts.get(`${x},${y}`) ?? null]);
    }
  }
  return out;
}"""

_CELL_IS_JS = (
    """([selector, x, y, want]) => {
  const cells = ("""
    + GRID_CELLS_JS
    + """)(selector);
  const cell = cells && cells.find((c) => c[0] === x && c[1] === y);
  return cell !== undefined && cell !== null && cell[2] === want;
}"""
)


def grid_selector(instance_id: str) -> str:
    return f'[data-sidekick-id="{instance_id}"]'


def cell_colors(page: Any, selector: str) -> Dict[Tuple[int, int], str]:
    """Every cell's shown color, by ``(x, y)``."""
    cells = page.evaluate(GRID_CELLS_JS, selector)
    assert cells is not None, f"no grid at {selector}"
    return {(x, y): color for x, y, color, _ in cells}


def cell_color(page: Any, selector: str, x: int, y: int) -> str:
    return cell_colors(page, selector)[(x, y)]


def expect_cell_color(
    page: Any, selector: str, x: int, y: int, want: str, timeout: float = 5000
) -> None:
    """Wait until cell ``(x, y)`` shows ``want``; fail saying what it shows instead."""
    try:
        page.wait_for_function(_CELL_IS_JS, arg=[selector, x, y, want], timeout=timeout)
    except Exception as exc:
        shown = page.evaluate(GRID_CELLS_JS, selector)
        got = None if shown is None else {(c[0], c[1]): c[2] for c in shown}.get((x, y))
        raise AssertionError(f"cell ({x}, {y}) of {selector} shows {got!r}, not {want!r}") from exc

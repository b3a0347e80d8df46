"""Browser figures: this project's real UI in headless Debian Chromium
(driven over the DevTools protocol by ``cdp.py``, not Playwright: see there).

* grid: the throughput hero's updates, timed from the hero's first call to
  the moment the grid paints the last update (the last cell taking its final
  color on the grid's canvas); then every cell is checked.
* fps: the bouncing-ball hero (``canvas.buffer()`` at 60 frames/s) while the
  page counts requestAnimationFrame callbacks.
"""

from __future__ import annotations

import json
from typing import Any, List, Tuple

from cdp import Browser, Page
from peer import COLUMNS, PALETTE, ROWS

from tests.support.gridview import GRID_CELLS_JS

__all__ = ["Chromium"]


def _rgb(hex_color: str) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def final_colors(count: int) -> List[str]:
    """The color each cell shows after ``count`` throughput updates ("": untouched)."""
    colors = [""] * (COLUMNS * ROWS)
    for i in range(max(0, count - COLUMNS * ROWS), count):
        x, y = i % COLUMNS, (i // COLUMNS) % ROWS
        colors[y * COLUMNS + x] = _rgb(PALETTE[i % len(PALETTE)])
    return colors


# The grid paints its colors on a canvas, one pixel per cell: the watcher
# reads the last cell's pixel after each time the grid paints.
_WATCH_LAST_CELL = """([x, y, color]) => {
  const canvas = document.querySelector('[data-sidekick-type="grid"] canvas');
  const ctx = canvas.getContext("2d");
  const put = ctx.putImageData.bind(ctx);
  window.__bench = {done: null};
  ctx.putImageData = (...args) => {
    put(...args);
    if (window.__bench.done !== null) return;
    const [r, g, b, a] = ctx.getImageData(x, y, 1, 1).data;
    if (a === 255 && `rgb(${r}, ${g}, ${b})` === color) {
      window.__bench.done = performance.timeOrigin + performance.now();
    }
  };
}"""

_COUNT_FRAMES = """() => {
  window.__frames = [];
  const tick = (t) => { window.__frames.push(t); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
}"""

_FPS = """([from, to]) => {
  const f = window.__frames.filter((t) => t >= from && t <= to);
  let long = 0;
  for (let i = 1; i < f.length; i++) if (f[i] - f[i - 1] > 50) long++;
  return [f.length > 1 ? (f.length - 1) / ((f[f.length - 1] - f[0]) / 1000) : 0, long];
}"""


class Chromium:
    async def __aenter__(self) -> Chromium:
        self.browser = await Browser().start(width=1000, height=900)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.browser.close()

    async def _page(self, url: str) -> Page:
        page = await self.browser.new_page(url)
        await page.wait_for("document.querySelector('[data-sidekick-status=waiting]') !== null")
        return page

    async def grid_run(self, ctx: Any, lib: Any, hero_cls: Any, session: str) -> float:
        count = ctx.updates
        page = await self._page(ctx.relay.ui(session))
        hero = hero_cls(lib, "throughput.py", ctx.relay.ws(session), BENCH_UPDATES=count)
        try:
            await hero.start()
            await hero.expect("ready", 60)
            last = count - 1
            x, y = last % COLUMNS, (last // COLUMNS) % ROWS
            cell = f'[data-sidekick-type="grid"] [data-x="{x}"][data-y="{y}"]'
            await page.wait_for(f"document.querySelector({json.dumps(cell)}) !== null")
            await page.evaluate(_WATCH_LAST_CELL, [x, y, _rgb(PALETTE[last % len(PALETTE)])])
            hero.tell("go")
            figures = await hero.expect("t0_epoch", 300)
            done = await page.wait_for("window.__bench.done", timeout=300)
            shown = await page.evaluate(GRID_CELLS_JS, '[data-sidekick-type="grid"]') or []
            want = final_colors(count)
            wrong = sum(color != want[cy * COLUMNS + cx] for cx, cy, color, _ in shown)
            if wrong or len(shown) != len(want):
                raise RuntimeError(f"{wrong} of {len(shown)} cells have the wrong color")
            hero.tell("done")
            return count / (done / 1000 - figures["t0_epoch"])
        finally:
            await hero.stop()
            await page.close()

    async def ball_run(
        self, ctx: Any, lib: Any, hero_cls: Any, session: str, seconds: int
    ) -> Tuple[float, float, int]:
        page = await self._page(ctx.relay.ui(session))
        hero = hero_cls(lib, "ball.py", ctx.relay.ws(session), BENCH_SECONDS=seconds)
        try:
            await hero.start()
            await hero.expect("ready", 60)
            await page.wait_for(
                "document.querySelector('[data-sidekick-type=\"canvas\"] canvas') !== null"
            )
            await page.evaluate(_COUNT_FRAMES)
            start = await page.evaluate("() => performance.now()")
            hero.tell("go")
            figures = await hero.expect("frames", seconds + 60)
            end = await page.evaluate("() => performance.now()")
            fps, long_frames = await page.evaluate(_FPS, [start + 500, end - 100])
            hero.tell("done")
            return fps, figures["frames"] / figures["seconds"], long_frames
        finally:
            await hero.stop()
            await page.close()

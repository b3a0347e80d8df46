"""Grid: a board of clickable cells, each with a color and a text."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Union

from ..service import IDLE, SHUTDOWN, logger
from ._values import _COLOR_CACHE, check_size, coords, json_color, json_str, to_text
from .base import Component, check_callback
from .events import ErrorEvent, GridClickEvent

__all__ = ["Grid"]

#: The UI's limits: at most this many columns or rows, and cells in all.
MAX_SIDE = 1000
MAX_CELLS = 250_000

# Coordinates as text, indexed by value: cheaper than formatting the ints on
# every set_color (a sixth of its cost).
_NUMBERS = tuple(str(i) for i in range(MAX_SIDE))


class Grid(Component):
    """A ``num_columns`` x ``num_rows`` board of cells.

    Coordinates are ints counted from 0 at the top-left: ``x`` is the column,
    ``y`` the row. A coordinate outside the grid raises ``IndexError``; one
    that is not an int (a float, a bool, a str) raises ``TypeError``. Colors
    are CSS color strings (``"red"``, ``"#ff8800"``, ``"rgb(0 0 0 / 50%)"``)
    or ``None`` for the default.

    Clicks call ``on_click`` (or the ``@grid.click`` function) with a
    :class:`GridClickEvent`.

    Replay state: the color and text of every cell (bounded by the grid's
    size), so a new or reloaded UI shows the same board.
    """

    component_type = "grid"

    def __init__(
        self,
        num_columns: int,
        num_rows: int,
        instance_id: Optional[str] = None,
        parent: Optional[Union[Component, str]] = None,
        on_click: Optional[Callable[[GridClickEvent], Any]] = None,
        on_error: Optional[Callable[[ErrorEvent], Any]] = None,
    ) -> None:
        columns = check_size(num_columns, "num_columns", 1, MAX_SIDE)
        rows = check_size(num_rows, "num_rows", 1, MAX_SIDE)
        if columns * rows > MAX_CELLS:
            raise ValueError(f"a grid may have at most {MAX_CELLS} cells, not {columns * rows}")
        super().__init__(instance_id, parent, on_error)
        self._columns = columns
        self._rows = rows
        self._on_click = check_callback(on_click, "on_click")
        # Flat row-major cell state; None means "default".
        self._colors: List[Optional[str]] = [None] * (columns * rows)
        self._texts: List[Optional[str]] = [None] * (columns * rows)
        head = self._update_head
        self._color_head = head + 'setColor","options":{"x":'
        self._text_head = head + 'setText","options":{"x":'
        self._clear_cell_head = head + 'clearCell","options":{"x":'
        self._spawn()

    @property
    def num_columns(self) -> int:
        """The number of columns (cells across)."""
        return self._columns

    @property
    def num_rows(self) -> int:
        """The number of rows (cells down)."""
        return self._rows

    def set_color(self, x: int, y: int, color: Optional[str]) -> None:
        """Color cell ``(x, y)`` with a CSS color, or reset it with ``None``."""
        # The hot path of most grid programs: keep it to a few cheap checks.
        if type(x) is not int or type(y) is not int:
            x, y = coords(x, y, self._columns, self._rows)
        columns = self._columns
        if x < 0 or y < 0 or x >= columns or y >= self._rows:
            raise IndexError(f"cell ({x}, {y}) is outside the {columns}x{self._rows} grid")
        # A subscript in a (free) try costs less than a type check and .get():
        # ~8 % of the call. None, new and bad colors go the slow way.
        try:
            encoded = _COLOR_CACHE[color]
        except (KeyError, TypeError):
            encoded = json_color(color)
        text = f'{self._color_head}{_NUMBERS[x]},"y":{_NUMBERS[y]},"color":{encoded}}}}}}}'
        svc = self._service
        if svc.state is IDLE or svc.state is SHUTDOWN:
            svc.touch()
        # acquire/release rather than `with`: the context-manager protocol
        # costs about as much as the rest of the locked section.
        lock = svc.lock
        lock.acquire()
        try:
            if self._removed:
                raise self._removed_error()
            self._colors[y * columns + x] = color or None
            wake = svc.enqueue_locked(text)
        finally:
            lock.release()
        if wake:
            svc.wake()

    def set_text(self, x: int, y: int, text: Any) -> None:
        """Show ``text`` in cell ``(x, y)`` (any value, shown with ``str``); ``None`` clears it."""
        x, y = coords(x, y, self._columns, self._rows)
        value = None if text is None else to_text(text)
        encoded = "null" if value is None else json_str(value)
        message = f'{self._text_head}{x},"y":{y},"text":{encoded}}}}}}}'
        index = y * self._columns + x

        def apply() -> None:
            self._texts[index] = value or None

        self._emit(message, apply)

    def clear_cell(self, x: int, y: int) -> None:
        """Reset the color and text of cell ``(x, y)``."""
        x, y = coords(x, y, self._columns, self._rows)
        message = f'{self._clear_cell_head}{x},"y":{y}}}}}}}'
        index = y * self._columns + x

        def apply() -> None:
            self._colors[index] = None
            self._texts[index] = None

        self._emit(message, apply)

    def clear(self) -> None:
        """Reset every cell."""
        size = self._columns * self._rows

        def apply() -> None:
            self._colors = [None] * size
            self._texts = [None] * size

        self._emit(self._update("clear"), apply)

    def on_click(self, callback: Optional[Callable[[GridClickEvent], Any]]) -> None:
        """Set (or with None, clear) the function called with each :class:`GridClickEvent`."""
        self._on_click = check_callback(callback, "on_click")

    def click(self, callback: Callable[[GridClickEvent], Any]) -> Callable[[GridClickEvent], Any]:
        """Decorator form of :meth:`on_click`."""
        self.on_click(callback)
        return callback

    # ----------------------------------------------------------------- replay

    def _spawn_payload(self) -> Dict[str, Any]:
        return {"numColumns": self._columns, "numRows": self._rows}

    def _replay_updates(self) -> List[str]:
        out: List[str] = []
        columns = self._columns
        for index, color in enumerate(self._colors):
            if color is not None:
                y, x = divmod(index, columns)
                out.append(f'{self._color_head}{x},"y":{y},"color":{json_str(color)}}}}}}}')
        for index, text in enumerate(self._texts):
            if text is not None:
                y, x = divmod(index, columns)
                out.append(f'{self._text_head}{x},"y":{y},"text":{json_str(text)}}}}}}}')
        return out

    def _handle_event(self, payload: Dict[str, Any]) -> Any:
        callback = self._on_click
        if payload.get("event") != "click" or callback is None:
            return None
        x = payload.get("x")
        y = payload.get("y")
        if (
            type(x) is not int
            or type(y) is not int
            or not (0 <= x < self._columns and 0 <= y < self._rows)
        ):
            logger.warning("sidekick: dropped a grid click with no valid cell: %.200r", payload)
            return None
        return callback(GridClickEvent(self.instance_id, "click", x, y))

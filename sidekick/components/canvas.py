"""Canvas: 2D drawing with off-screen buffers for flicker-free animation."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any, Callable, Deque, Dict, Iterable, List, Optional, Tuple, Union

from ..errors import SidekickError
from ..service import logger
from ._values import check_size, json_color, json_number, json_str, number, to_text
from .base import Component, check_callback
from .canvas_buffer import CanvasBuffer
from .events import CanvasClickEvent, ErrorEvent

__all__ = ["Canvas", "CanvasBuffer", "MAX_REPLAY_COMMANDS"]

#: The UI's limits: the largest side, and buffers per canvas.
MAX_SIDE = 8192
MAX_BUFFERS = 64

#: Replay keeps at most this many drawing commands per buffer (the screen is
#: buffer 0) since that buffer was last cleared or, for the screen, since the
#: last frame of :meth:`Canvas.buffer`. A program that draws more without ever
#: clearing gets the most recent ones replayed.
MAX_REPLAY_COMMANDS = 20_000

Point = Any
_Log = Deque[Tuple[str, str]]  # (action, options after bufferId)


def _style(fill_color: Any, line_color: Any, line_width: Any) -> str:
    out = ""
    if fill_color is not None:
        out += ',"fillColor":' + json_color(fill_color, "fill_color")
    if line_color is not None:
        out += ',"lineColor":' + json_color(line_color, "line_color")
    if line_width is not None:
        out += ',"lineWidth":' + _nonnegative(line_width, "line_width")
    return out


def _points(points: Iterable[Point]) -> str:
    if isinstance(points, (str, bytes)):
        raise TypeError("points must be an iterable of (x, y) pairs")
    try:
        iterator = iter(points)
    except TypeError:
        raise TypeError(
            f"points must be an iterable of (x, y) pairs, not {type(points).__name__}"
        ) from None
    parts = []
    for i, point in enumerate(iterator):
        try:
            px, py = point
        except (TypeError, ValueError):
            raise TypeError(f"points[{i}] must be an (x, y) pair, got {point!r}") from None
        parts.append(
            '{"x":'
            + json_number(px, f"points[{i}] x")
            + ',"y":'
            + json_number(py, f"points[{i}] y")
            + "}"
        )
    return "[" + ",".join(parts) + "]"


def _nonnegative(value: Any, what: str) -> str:
    value = number(value, what)
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {value!r}")
    return int.__repr__(value) if type(value) is int else float.__repr__(value)


class Canvas(Component):
    """A ``width`` x ``height`` pixel drawing surface, origin at the top-left.

    Every ``draw_*`` method takes ints or floats (never truncated; NaN and
    infinity raise ``ValueError``) and optional style keywords. ``buffer_id``
    names an off-screen buffer; use :meth:`buffer` instead of managing ids.
    Clicks call ``on_click`` (or the ``@canvas.click`` function) with a
    :class:`CanvasClickEvent`.

    Replay state: what is on screen since the last on-screen :meth:`clear` or
    the last :meth:`buffer` frame (at most :data:`MAX_REPLAY_COMMANDS`
    commands), and the buffers with their contents.
    """

    component_type = "canvas"

    #: The ``buffer_id`` of the visible canvas.
    ONSCREEN_BUFFER_ID = 0

    def __init__(
        self,
        width: int,
        height: int,
        instance_id: Optional[str] = None,
        parent: Optional[Union[Component, str]] = None,
        on_click: Optional[Callable[[CanvasClickEvent], Any]] = None,
        on_error: Optional[Callable[[ErrorEvent], Any]] = None,
    ) -> None:
        w = check_size(width, "width", 1, MAX_SIDE)
        h = check_size(height, "height", 1, MAX_SIDE)
        super().__init__(instance_id, parent, on_error)
        self._width = w
        self._height = h
        self._on_click = check_callback(on_click, "on_click")
        self._logs: Dict[int, _Log] = {0: deque(maxlen=MAX_REPLAY_COMMANDS)}
        self._free: List[int] = []  # created buffers not in use
        self._next_buffer = 1
        self._alloc_lock = threading.Lock()
        self._spawn()

    @property
    def width(self) -> int:
        """The width in pixels."""
        return self._width

    @property
    def height(self) -> int:
        """The height in pixels."""
        return self._height

    # ---------------------------------------------------------------- drawing

    def _draw(self, action: str, buffer_id: Any, tail: str) -> None:
        if buffer_id is None:
            bid = 0
        elif type(buffer_id) is int and buffer_id >= 0:
            bid = buffer_id
        else:
            raise TypeError(f"buffer_id must be a non-negative int or None, not {buffer_id!r}")
        text = f'{self._update_head}{action}","options":{{"bufferId":{bid}{tail}}}}}}}'
        logs = self._logs

        def apply() -> None:
            log = logs.get(bid)
            if log is None:
                raise ValueError(f"canvas buffer {bid} does not exist; use canvas.buffer()")
            if action == "clear":
                log.clear()
            else:
                log.append((action, tail))

        self._emit(text, apply)

    def clear(self, buffer_id: Optional[int] = None) -> None:
        """Erase everything (on screen, or in buffer ``buffer_id``)."""
        self._draw("clear", buffer_id, "")

    def draw_line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        line_color: Optional[str] = None,
        line_width: Optional[float] = None,
        buffer_id: Optional[int] = None,
    ) -> None:
        """Draw a line from ``(x1, y1)`` to ``(x2, y2)``."""
        tail = (
            ',"x1":'
            + json_number(x1, "x1")
            + ',"y1":'
            + json_number(y1, "y1")
            + ',"x2":'
            + json_number(x2, "x2")
            + ',"y2":'
            + json_number(y2, "y2")
            + _style(None, line_color, line_width)
        )
        self._draw("drawLine", buffer_id, tail)

    def draw_rect(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        fill_color: Optional[str] = None,
        line_color: Optional[str] = None,
        line_width: Optional[float] = None,
        buffer_id: Optional[int] = None,
    ) -> None:
        """Draw a rectangle with its top-left corner at ``(x, y)``."""
        tail = (
            ',"x":'
            + json_number(x, "x")
            + ',"y":'
            + json_number(y, "y")
            + ',"width":'
            + json_number(width, "width")
            + ',"height":'
            + json_number(height, "height")
            + _style(fill_color, line_color, line_width)
        )
        self._draw("drawRect", buffer_id, tail)

    def draw_circle(
        self,
        cx: float,
        cy: float,
        radius: float,
        fill_color: Optional[str] = None,
        line_color: Optional[str] = None,
        line_width: Optional[float] = None,
        buffer_id: Optional[int] = None,
    ) -> None:
        """Draw a circle centred on ``(cx, cy)``."""
        tail = (
            ',"cx":'
            + json_number(cx, "cx")
            + ',"cy":'
            + json_number(cy, "cy")
            + ',"radius":'
            + _nonnegative(radius, "radius")
            + _style(fill_color, line_color, line_width)
        )
        self._draw("drawCircle", buffer_id, tail)

    def draw_ellipse(
        self,
        cx: float,
        cy: float,
        radius_x: float,
        radius_y: float,
        fill_color: Optional[str] = None,
        line_color: Optional[str] = None,
        line_width: Optional[float] = None,
        buffer_id: Optional[int] = None,
    ) -> None:
        """Draw an axis-aligned ellipse centred on ``(cx, cy)``."""
        tail = (
            ',"cx":'
            + json_number(cx, "cx")
            + ',"cy":'
            + json_number(cy, "cy")
            + ',"radiusX":'
            + _nonnegative(radius_x, "radius_x")
            + ',"radiusY":'
            + _nonnegative(radius_y, "radius_y")
            + _style(fill_color, line_color, line_width)
        )
        self._draw("drawEllipse", buffer_id, tail)

    def draw_polyline(
        self,
        points: Iterable[Point],
        line_color: Optional[str] = None,
        line_width: Optional[float] = None,
        buffer_id: Optional[int] = None,
    ) -> None:
        """Draw connected line segments through ``points`` (any iterable of ``(x, y)``)."""
        tail = ',"points":' + _points(points) + _style(None, line_color, line_width)
        self._draw("drawPolyline", buffer_id, tail)

    def draw_polygon(
        self,
        points: Iterable[Point],
        fill_color: Optional[str] = None,
        line_color: Optional[str] = None,
        line_width: Optional[float] = None,
        buffer_id: Optional[int] = None,
    ) -> None:
        """Draw a closed polygon through ``points`` (any iterable of ``(x, y)``)."""
        tail = ',"points":' + _points(points) + _style(fill_color, line_color, line_width)
        self._draw("drawPolygon", buffer_id, tail)

    def draw_text(
        self,
        x: float,
        y: float,
        text: Any,
        text_color: Optional[str] = None,
        text_size: Optional[float] = None,
        buffer_id: Optional[int] = None,
    ) -> None:
        """Draw ``text`` with its baseline starting at ``(x, y)``."""
        tail = (
            ',"x":'
            + json_number(x, "x")
            + ',"y":'
            + json_number(y, "y")
            + ',"text":'
            + json_str(to_text(text))
        )
        if text_color is not None:
            tail += ',"textColor":' + json_color(text_color, "text_color")
        if text_size is not None:
            size = number(text_size, "text_size")
            if size <= 0:
                raise ValueError(f"text_size must be positive, got {text_size!r}")
            tail += ',"textSize":' + json_number(size, "text_size")
        self._draw("drawText", buffer_id, tail)

    # ---------------------------------------------------------------- buffers

    def buffer(self) -> CanvasBuffer:
        """Draw one frame off screen; it replaces what is shown when the block ends.

        ::

            with canvas.buffer() as frame:
                frame.draw_circle(x, y, 10, fill_color="red")

        ``frame`` has the drawing methods of the canvas, without ``buffer_id``.
        The frame starts empty; when the block ends normally it is copied to
        the screen in one step, so animations never flicker. (When the block
        raises, the screen keeps the previous frame.)
        """
        self._check_alive()
        return CanvasBuffer(self)

    def _acquire_buffer(self) -> int:
        with self._alloc_lock:
            if self._free:
                bid = self._free.pop()
                new = False
            else:
                if self._next_buffer > MAX_BUFFERS:
                    raise SidekickError(f"a canvas can have at most {MAX_BUFFERS} buffers in use")
                bid = self._next_buffer
                self._next_buffer += 1
                new = True
        try:
            if new:
                logs = self._logs

                def create() -> None:
                    logs[bid] = deque(maxlen=MAX_REPLAY_COMMANDS)

                self._emit(self._update("createBuffer", {"bufferId": bid}), create)
            self._draw("clear", bid, "")
        except BaseException:
            self._release_buffer(bid)
            raise
        return bid

    def _show_buffer(self, bid: int) -> None:
        logs = self._logs

        def apply() -> None:
            screen = logs[0]
            screen.clear()
            screen.extend(logs[bid])

        self._emit(self._update("drawBuffer", {"sourceBufferId": bid, "targetBufferId": 0}), apply)

    def _release_buffer(self, bid: int) -> None:
        with self._alloc_lock:
            if bid < self._next_buffer and bid not in self._free:
                self._free.append(bid)

    # ----------------------------------------------------------------- events

    def on_click(self, callback: Optional[Callable[[CanvasClickEvent], Any]]) -> None:
        """Set (or with None, clear) the function called with each :class:`CanvasClickEvent`."""
        self._on_click = check_callback(callback, "on_click")

    def click(
        self, callback: Callable[[CanvasClickEvent], Any]
    ) -> Callable[[CanvasClickEvent], Any]:
        """Decorator form of :meth:`on_click`."""
        self.on_click(callback)
        return callback

    def _handle_event(self, payload: Dict[str, Any]) -> Any:
        callback = self._on_click
        if payload.get("event") != "click" or callback is None:
            return None
        x = payload.get("x")
        y = payload.get("y")
        # x - x is 0 for ints and finite floats, NaN for NaN and +-inf (JSON's 1e400).
        if not isinstance(x, (int, float)) or not isinstance(y, (int, float)) or x - x or y - y:
            logger.warning("sidekick: dropped a canvas click without finite x/y: %.200r", payload)
            return None
        return callback(CanvasClickEvent(self.instance_id, "click", int(x), int(y)))

    # ----------------------------------------------------------------- replay

    def _spawn_payload(self) -> Dict[str, Any]:
        return {"width": self._width, "height": self._height}

    def _replay_updates(self) -> List[str]:
        head = self._update_head
        out: List[str] = []
        for bid in sorted(self._logs):
            if bid:
                out.append(self._update("createBuffer", {"bufferId": bid}))
        for bid in sorted(self._logs, reverse=True):  # buffers first, the screen last
            for action, tail in self._logs[bid]:
                out.append(f'{head}{action}","options":{{"bufferId":{bid}{tail}}}}}}}')
        return out

"""CanvasBuffer: one off-screen frame of a Canvas, drawn with the canvas' methods."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Optional

from ..errors import SidekickError

if TYPE_CHECKING:
    from .canvas import Canvas

__all__ = ["CanvasBuffer"]

Point = Any


class CanvasBuffer:
    """One off-screen frame of a :class:`Canvas` (see :meth:`Canvas.buffer`)."""

    def __init__(self, canvas: Canvas) -> None:
        self._canvas = canvas
        self._id: Optional[int] = None

    def __enter__(self) -> CanvasBuffer:
        if self._id is not None:
            raise SidekickError("this canvas buffer is already in use")
        self._id = self._canvas._acquire_buffer()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        bid, self._id = self._id, None
        if bid is None:
            return
        try:
            if exc_type is None:
                self._canvas._show_buffer(bid)
        finally:
            self._canvas._release_buffer(bid)

    def _bid(self) -> int:
        bid = self._id
        if bid is None:
            raise SidekickError(
                "draw on a canvas buffer only inside its `with canvas.buffer()` block"
            )
        return bid

    @property
    def width(self) -> int:
        """The canvas width in pixels."""
        return self._canvas.width

    @property
    def height(self) -> int:
        """The canvas height in pixels."""
        return self._canvas.height

    def clear(self) -> None:
        """Erase this frame."""
        self._canvas.clear(buffer_id=self._bid())

    def draw_line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        line_color: Optional[str] = None,
        line_width: Optional[float] = None,
    ) -> None:
        """See :meth:`Canvas.draw_line`."""
        self._canvas.draw_line(x1, y1, x2, y2, line_color, line_width, buffer_id=self._bid())

    def draw_rect(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        fill_color: Optional[str] = None,
        line_color: Optional[str] = None,
        line_width: Optional[float] = None,
    ) -> None:
        """See :meth:`Canvas.draw_rect`."""
        self._canvas.draw_rect(
            x, y, width, height, fill_color, line_color, line_width, buffer_id=self._bid()
        )

    def draw_circle(
        self,
        cx: float,
        cy: float,
        radius: float,
        fill_color: Optional[str] = None,
        line_color: Optional[str] = None,
        line_width: Optional[float] = None,
    ) -> None:
        """See :meth:`Canvas.draw_circle`."""
        self._canvas.draw_circle(
            cx, cy, radius, fill_color, line_color, line_width, buffer_id=self._bid()
        )

    def draw_ellipse(
        self,
        cx: float,
        cy: float,
        radius_x: float,
        radius_y: float,
        fill_color: Optional[str] = None,
        line_color: Optional[str] = None,
        line_width: Optional[float] = None,
    ) -> None:
        """See :meth:`Canvas.draw_ellipse`."""
        self._canvas.draw_ellipse(
            cx, cy, radius_x, radius_y, fill_color, line_color, line_width, buffer_id=self._bid()
        )

    def draw_polyline(
        self,
        points: Iterable[Point],
        line_color: Optional[str] = None,
        line_width: Optional[float] = None,
    ) -> None:
        """See :meth:`Canvas.draw_polyline`."""
        self._canvas.draw_polyline(points, line_color, line_width, buffer_id=self._bid())

    def draw_polygon(
        self,
        points: Iterable[Point],
        fill_color: Optional[str] = None,
        line_color: Optional[str] = None,
        line_width: Optional[float] = None,
    ) -> None:
        """See :meth:`Canvas.draw_polygon`."""
        self._canvas.draw_polygon(points, fill_color, line_color, line_width, buffer_id=self._bid())

    def draw_text(
        self,
        x: float,
        y: float,
        text: Any,
        text_color: Optional[str] = None,
        text_size: Optional[float] = None,
    ) -> None:
        """See :meth:`Canvas.draw_text`."""
        self._canvas.draw_text(x, y, text, text_color, text_size, buffer_id=self._bid())

"""Canvas drawing and off-screen buffers, checked by reading pixels."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RED = [255, 0, 0, 255]
BLUE = [0, 0, 255, 255]
CLEAR = [0, 0, 0, 0]


def draw(hero, action: str, **options: Any) -> None:
    hero.update("canvas", "cv", action, options)


def sync(page, hero) -> None:
    """Wait until everything sent before has been applied."""
    hero.update("label", "sync-probe", "setText", {"text": "x"})
    hero.wait_error("sync-probe")
    page.wait_for_timeout(50)


def pixel(page, x: int, y: int) -> List[int]:
    return page.evaluate(
        """([x, y]) => {
            const c = document.querySelector('[data-sidekick-id="cv"] canvas');
            return [...c.getContext('2d').getImageData(x, y, 1, 1).data];
        }""",
        [x, y],
    )


@pytest.fixture
def canvas(page, hero):
    hero.spawn("canvas", "cv", {"width": 100, "height": 80})
    element = page.locator('[data-sidekick-id="cv"] canvas')
    expect(element).to_have_count(1)
    assert element.evaluate("c => [c.width, c.height]") == [100, 80]
    return hero


def test_shapes(page, canvas):
    draw(canvas, "drawRect", x=10, y=10, width=20, height=20, fillColor="red", lineWidth=0)
    draw(canvas, "drawCircle", cx=70, cy=20, radius=8, fillColor="blue", lineColor="blue")
    draw(canvas, "drawLine", x1=0, y1=60, x2=100, y2=60, lineColor="red", lineWidth=4)
    draw(canvas, "drawEllipse", cx=70, cy=60, radiusX=12, radiusY=5, fillColor="blue", lineWidth=0)
    draw(
        canvas,
        "drawPolygon",
        points=[{"x": 40, "y": 70}, {"x": 50, "y": 70}, {"x": 45, "y": 79}],
        fillColor="red",
    )
    draw(
        canvas,
        "drawPolyline",
        points=[{"x": 0, "y": 5}, {"x": 99, "y": 5}],
        lineColor="blue",
        lineWidth=3,
    )
    draw(canvas, "drawText", x=2, y=45, text="Hi", textColor="red", textSize=14)
    sync(page, canvas)
    assert pixel(page, 20, 20) == RED
    assert pixel(page, 70, 20) == BLUE
    assert pixel(page, 5, 60) == RED
    assert pixel(page, 60, 60) == BLUE  # the ellipse was drawn over the line
    assert pixel(page, 45, 73) == RED
    assert pixel(page, 50, 5) == BLUE
    assert pixel(page, 50, 40) == CLEAR
    text_pixels = page.evaluate(
        """() => {
            const c = document.querySelector('[data-sidekick-id="cv"] canvas');
            const d = c.getContext('2d').getImageData(0, 30, 30, 20).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 3] > 200) n++;
            return n;
        }"""
    )
    assert text_pixels > 10
    draw(canvas, "clear")
    sync(page, canvas)
    assert pixel(page, 20, 20) == CLEAR


def test_buffers_replace_the_frame(page, canvas):
    draw(canvas, "createBuffer", bufferId=1)
    draw(
        canvas, "drawRect", x=0, y=0, width=10, height=10, fillColor="red", lineWidth=0, bufferId=1
    )
    sync(page, canvas)
    # Drawing into a buffer does not touch the screen.
    assert pixel(page, 5, 5) == CLEAR
    draw(canvas, "drawBuffer", sourceBufferId=1, targetBufferId=0)
    sync(page, canvas)
    assert pixel(page, 5, 5) == RED
    # Next frame: the buffer is cleared and drawn elsewhere; no ghost remains.
    draw(canvas, "clear", bufferId=1)
    draw(
        canvas,
        "drawRect",
        x=50,
        y=50,
        width=10,
        height=10,
        fillColor="blue",
        lineWidth=0,
        bufferId=1,
    )
    draw(canvas, "drawBuffer", sourceBufferId=1, targetBufferId=0)
    sync(page, canvas)
    assert pixel(page, 5, 5) == CLEAR
    assert pixel(page, 55, 55) == BLUE
    # Copy between two off-screen buffers, then to the screen.
    draw(canvas, "createBuffer", bufferId=2)
    draw(canvas, "drawBuffer", sourceBufferId=1, targetBufferId=2)
    draw(canvas, "drawRect", x=0, y=70, width=5, height=5, fillColor="red", lineWidth=0, bufferId=2)
    draw(canvas, "drawBuffer", sourceBufferId=2)
    sync(page, canvas)
    assert pixel(page, 55, 55) == BLUE
    assert pixel(page, 2, 72) == RED
    draw(canvas, "destroyBuffer", bufferId=1)
    draw(canvas, "drawRect", x=0, y=0, width=5, height=5, bufferId=1)
    assert canvas.wait_error("cv")["component"] == "canvas"


def test_many_frames_in_a_batch(page, canvas):
    """A burst of buffered frames in one batch ends on the last frame only."""
    messages: List[Dict[str, Any]] = [
        canvas.update_msg("canvas", "cv", "createBuffer", {"bufferId": 1})
    ]
    for frame in range(50):
        messages += [
            canvas.update_msg("canvas", "cv", "clear", {"bufferId": 1}),
            canvas.update_msg(
                "canvas",
                "cv",
                "drawRect",
                {
                    "x": frame,
                    "y": 0,
                    "width": 2,
                    "height": 2,
                    "fillColor": "red",
                    "lineWidth": 0,
                    "bufferId": 1,
                },
            ),
            canvas.update_msg(
                "canvas", "cv", "drawBuffer", {"sourceBufferId": 1, "targetBufferId": 0}
            ),
        ]
    canvas.batch(messages)
    sync(page, canvas)
    assert pixel(page, 49, 1) == RED
    assert pixel(page, 10, 1) == CLEAR

from __future__ import annotations

import math
from fractions import Fraction

import pytest

import sidekick
from sidekick import CanvasClickEvent, SidekickError
from sidekick.components import canvas as canvas_module

from .conftest import Recorder, event, spawn, update


def draw(action: str, options: dict) -> dict:
    return update("canvas", "c", action, options)


@pytest.fixture
def canvas(ui: Recorder) -> sidekick.Canvas:
    c = sidekick.Canvas(200, 100, instance_id="c")
    assert ui.one() == spawn("canvas", "c", {"width": 200, "height": 100})
    return c


def test_properties(canvas: sidekick.Canvas) -> None:
    assert (canvas.width, canvas.height) == (200, 100)
    assert sidekick.Canvas.ONSCREEN_BUFFER_ID == 0


def test_exact_messages(ui: Recorder, canvas: sidekick.Canvas) -> None:
    canvas.draw_line(1, 2, 3.5, 4, line_color="red", line_width=2)
    canvas.draw_rect(1, 2, 30, 40, fill_color="blue", line_color="black", line_width=0)
    canvas.draw_circle(50, 50, 10.25)
    canvas.draw_ellipse(5, 6, 7, 8, fill_color="#0f0")
    canvas.draw_polyline([(0, 0), [1.5, 2]], line_color="gray")
    canvas.draw_polygon(iter([(0, 0), (1, 1), (2, 0)]), fill_color="x", line_width=3)
    canvas.draw_text(10, 20, "hello", text_color="red", text_size=12)
    canvas.draw_text(10, 20, 42)
    canvas.clear()
    assert ui.take() == [
        draw(
            "drawLine",
            {
                "bufferId": 0,
                "x1": 1,
                "y1": 2,
                "x2": 3.5,
                "y2": 4,
                "lineColor": "red",
                "lineWidth": 2,
            },
        ),
        draw(
            "drawRect",
            {
                "bufferId": 0,
                "x": 1,
                "y": 2,
                "width": 30,
                "height": 40,
                "fillColor": "blue",
                "lineColor": "black",
                "lineWidth": 0,
            },
        ),
        draw("drawCircle", {"bufferId": 0, "cx": 50, "cy": 50, "radius": 10.25}),
        draw(
            "drawEllipse",
            {"bufferId": 0, "cx": 5, "cy": 6, "radiusX": 7, "radiusY": 8, "fillColor": "#0f0"},
        ),
        draw(
            "drawPolyline",
            {"bufferId": 0, "points": [{"x": 0, "y": 0}, {"x": 1.5, "y": 2}], "lineColor": "gray"},
        ),
        draw(
            "drawPolygon",
            {
                "bufferId": 0,
                "points": [{"x": 0, "y": 0}, {"x": 1, "y": 1}, {"x": 2, "y": 0}],
                "fillColor": "x",
                "lineWidth": 3,
            },
        ),
        draw(
            "drawText",
            {"bufferId": 0, "x": 10, "y": 20, "text": "hello", "textColor": "red", "textSize": 12},
        ),
        draw("drawText", {"bufferId": 0, "x": 10, "y": 20, "text": "42"}),
        draw("clear", {"bufferId": 0}),
    ]


def test_floats_are_not_truncated_and_exotic_numbers_work(
    ui: Recorder, canvas: sidekick.Canvas
) -> None:
    canvas.draw_line(0.1, 1e-7, Fraction(1, 4), 2**40)
    assert ui.one()["payload"]["options"] == {
        "bufferId": 0,
        "x1": 0.1,
        "y1": 1e-7,
        "x2": 0.25,
        "y2": 2**40,
    }


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_raise_value_error(
    ui: Recorder, canvas: sidekick.Canvas, bad: float
) -> None:
    with pytest.raises(ValueError):
        canvas.draw_line(bad, 0, 1, 1)
    with pytest.raises(ValueError):
        canvas.draw_circle(0, 0, bad)
    with pytest.raises(ValueError):
        canvas.draw_polygon([(0, 0), (bad, 1)])
    with pytest.raises(ValueError):
        canvas.draw_text(0, 0, "t", text_size=bad)
    assert ui.take() == []


@pytest.mark.parametrize("bad", ["1", None, True, [1], object()])
def test_non_numbers_raise_type_error(canvas: sidekick.Canvas, bad: object) -> None:
    with pytest.raises(TypeError):
        canvas.draw_rect(bad, 0, 1, 1)  # type: ignore[arg-type]


def test_argument_errors(ui: Recorder, canvas: sidekick.Canvas) -> None:
    with pytest.raises(ValueError):
        canvas.draw_circle(0, 0, -1)
    with pytest.raises(ValueError):
        canvas.draw_ellipse(0, 0, 1, -1)
    with pytest.raises(ValueError):
        canvas.draw_line(0, 0, 1, 1, line_width=-2)
    with pytest.raises(ValueError):
        canvas.draw_text(0, 0, "t", text_size=0)
    with pytest.raises(TypeError):
        canvas.draw_line(0, 0, 1, 1, line_color=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        canvas.draw_polyline(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        canvas.draw_polyline("abc")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        canvas.draw_polyline([(1, 2, 3)])
    with pytest.raises(TypeError):
        canvas.clear(buffer_id="1")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        canvas.clear(buffer_id=7)  # no such buffer
    with pytest.raises(ValueError):
        sidekick.Canvas(0, 10)
    with pytest.raises(TypeError):
        sidekick.Canvas(10.5, 10)  # type: ignore[arg-type]
    assert ui.take() == []


def test_buffer_frames(ui: Recorder, canvas: sidekick.Canvas) -> None:
    with canvas.buffer() as frame:
        frame.draw_circle(1, 2, 3)
    with canvas.buffer() as frame:
        frame.draw_rect(0, 0, 5, 5, fill_color="red")
        frame.clear()
        frame.draw_line(0, 0, 1, 1)
    assert ui.take() == [
        draw("createBuffer", {"bufferId": 1}),
        draw("clear", {"bufferId": 1}),
        draw("drawCircle", {"bufferId": 1, "cx": 1, "cy": 2, "radius": 3}),
        draw("drawBuffer", {"sourceBufferId": 1, "targetBufferId": 0}),
        draw("clear", {"bufferId": 1}),
        draw(
            "drawRect", {"bufferId": 1, "x": 0, "y": 0, "width": 5, "height": 5, "fillColor": "red"}
        ),
        draw("clear", {"bufferId": 1}),
        draw("drawLine", {"bufferId": 1, "x1": 0, "y1": 0, "x2": 1, "y2": 1}),
        draw("drawBuffer", {"sourceBufferId": 1, "targetBufferId": 0}),
    ]
    ui.assert_replay_matches()
    model = ui.replay_model()
    assert model.components["c"]["buffers"][0] == [
        ("drawLine", {"x1": 0, "y1": 0, "x2": 1, "y2": 1})
    ]


def test_nested_buffers_use_distinct_ids_and_pool(ui: Recorder, canvas: sidekick.Canvas) -> None:
    with canvas.buffer() as a, canvas.buffer() as b:
        a.draw_circle(1, 1, 1)
        b.draw_circle(2, 2, 2)
    ids = [
        m["payload"]["options"].get("bufferId")
        for m in ui.take()
        if m["payload"]["action"] == "createBuffer"
    ]
    assert ids == [1, 2]
    with canvas.buffer() as c:
        c.draw_circle(3, 3, 3)
    assert not any(m["payload"]["action"] == "createBuffer" for m in ui.take())
    ui.assert_replay_matches()


def test_buffer_block_that_raises_keeps_previous_frame(
    ui: Recorder, canvas: sidekick.Canvas
) -> None:
    with canvas.buffer() as frame:
        frame.draw_circle(1, 1, 1)
    with pytest.raises(RuntimeError), canvas.buffer() as frame:
        frame.draw_rect(0, 0, 1, 1)
        raise RuntimeError("boom")
    actions = [m["payload"]["action"] for m in ui.take()]
    assert actions.count("drawBuffer") == 1
    ui.assert_replay_matches()


def test_buffer_outside_block_raises(canvas: sidekick.Canvas) -> None:
    buf = canvas.buffer()
    with pytest.raises(SidekickError):
        buf.draw_circle(0, 0, 1)
    with buf as frame:
        frame.draw_circle(0, 0, 1)
    with pytest.raises(SidekickError):
        frame.draw_circle(0, 0, 1)
    assert (frame.width, frame.height) == (200, 100)


def test_too_many_buffers(canvas: sidekick.Canvas) -> None:
    held = []
    for _ in range(canvas_module.MAX_BUFFERS):
        held.append(canvas.buffer().__enter__())
    with pytest.raises(SidekickError):
        canvas.buffer().__enter__()
    for b in held:
        b.__exit__(None, None, None)


def test_replay_is_drawing_since_last_clear(ui: Recorder, canvas: sidekick.Canvas) -> None:
    canvas.draw_circle(1, 1, 1)
    canvas.clear()
    canvas.draw_rect(1, 2, 3, 4)
    canvas.draw_text(0, 0, "x", buffer_id=0)
    replay = ui.replay()
    assert [m["payload"]["action"] for m in replay[2:]] == ["drawRect", "drawText"]
    ui.assert_replay_matches()


def test_replay_is_bounded(
    ui: Recorder, canvas: sidekick.Canvas, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = sidekick.Canvas(10, 10, instance_id="small")
    for i in range(canvas_module.MAX_REPLAY_COMMANDS + 5):
        c.draw_line(i, 0, 0, 0)
    replay = [m for m in ui.replay() if m.get("target") == "small"]
    assert len(replay) == 1 + canvas_module.MAX_REPLAY_COMMANDS
    assert replay[1]["payload"]["options"]["x1"] == 5


def test_click(canvas: sidekick.Canvas) -> None:
    seen = []
    canvas.click(seen.append)
    canvas._dispatch(event("canvas", "c", {"event": "click", "x": 10, "y": 20.7}))
    canvas._dispatch(event("canvas", "c", {"event": "click", "x": None, "y": 1}))
    assert seen == [CanvasClickEvent("c", "click", 10, 20)]

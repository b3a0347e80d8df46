from __future__ import annotations

import json

import pytest

import sidekick
from sidekick import GridClickEvent, SidekickError

from .conftest import Recorder, event, spawn, update


def test_spawn_and_properties(ui: Recorder) -> None:
    grid = sidekick.Grid(3, 2)
    assert ui.one() == spawn("grid", "grid-1", {"numColumns": 3, "numRows": 2})
    assert (grid.num_columns, grid.num_rows, grid.instance_id) == (3, 2, "grid-1")


def test_exact_messages(ui: Recorder) -> None:
    grid = sidekick.Grid(3, 2, instance_id="g")
    ui.take()
    grid.set_color(1, 1, "red")
    grid.set_color(0, 0, None)
    grid.set_text(0, 1, "hi")
    grid.set_text(2, 0, 42)
    grid.set_text(2, 0, None)
    grid.clear_cell(1, 1)
    grid.clear()
    assert ui.take() == [
        update("grid", "g", "setColor", {"x": 1, "y": 1, "color": "red"}),
        update("grid", "g", "setColor", {"x": 0, "y": 0, "color": None}),
        update("grid", "g", "setText", {"x": 0, "y": 1, "text": "hi"}),
        update("grid", "g", "setText", {"x": 2, "y": 0, "text": "42"}),
        update("grid", "g", "setText", {"x": 2, "y": 0, "text": None}),
        update("grid", "g", "clearCell", {"x": 1, "y": 1}),
        update("grid", "g", "clear"),
    ]


def test_wire_text_is_compact_json(ui: Recorder) -> None:
    grid = sidekick.Grid(2, 2, instance_id="g")
    ui.take()
    grid.set_color(1, 0, 'a "quoted" \\ é\n')
    (text,) = ui.take_raw()
    assert text == (
        '{"id":0,"component":"grid","type":"update","target":"g","payload":{"action":"setColor",'
        '"options":{"x":1,"y":0,"color":'
        + json.dumps('a "quoted" \\ é\n', ensure_ascii=False)
        + "}}}"
    )
    assert json.loads(text)["payload"]["options"]["color"] == 'a "quoted" \\ é\n'


@pytest.mark.parametrize(
    "x, y, error",
    [
        (3, 0, IndexError),
        (0, 2, IndexError),
        (-1, 0, IndexError),
        (0, -1, IndexError),
        (1.0, 0, TypeError),
        (0, "1", TypeError),
        (True, 0, TypeError),
        (None, 0, TypeError),
    ],
)
def test_coordinate_errors(ui: Recorder, x: object, y: object, error: type) -> None:
    grid = sidekick.Grid(3, 2)
    ui.take()
    with pytest.raises(error):
        grid.set_color(x, y, "red")  # type: ignore[arg-type]
    with pytest.raises(error):
        grid.set_text(x, y, "t")  # type: ignore[arg-type]
    with pytest.raises(error):
        grid.clear_cell(x, y)  # type: ignore[arg-type]
    assert ui.take() == []


def test_numpy_style_ints_are_accepted(ui: Recorder) -> None:
    class Index:
        def __init__(self, v: int) -> None:
            self.v = v

        def __index__(self) -> int:
            return self.v

    grid = sidekick.Grid(3, 2, instance_id="g")
    ui.take()
    grid.set_color(Index(2), Index(1), "blue")  # type: ignore[arg-type]
    assert ui.one() == update("grid", "g", "setColor", {"x": 2, "y": 1, "color": "blue"})


def test_color_must_be_str_or_none(ui: Recorder) -> None:
    grid = sidekick.Grid(3, 2)
    with pytest.raises(TypeError):
        grid.set_color(0, 0, 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        grid.set_color(0, 0, ("r", "g"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="CSS color string or None, not list"):
        grid.set_color(0, 0, ["red"])  # type: ignore[arg-type]  (unhashable)
    assert [m["type"] for m in ui.take()] == ["spawn"]  # the bad calls sent nothing

    class Named(str):
        pass

    grid.set_color(1, 1, "red")
    grid.set_color(0, 1, Named("red"))  # a str subclass, equal to a color seen before
    grid.set_color(0, 0, None)
    assert [m["payload"]["options"]["color"] for m in ui.take()] == ["red", "red", None]


@pytest.mark.parametrize(
    "columns, rows, error",
    [
        (0, 1, ValueError),
        (1, 0, ValueError),
        (1001, 1, ValueError),
        (600, 600, ValueError),
        (2.0, 2, TypeError),
        ("3", 3, TypeError),
    ],
)
def test_size_errors(ui: Recorder, columns: object, rows: object, error: type) -> None:
    with pytest.raises(error):
        sidekick.Grid(columns, rows)  # type: ignore[arg-type]
    assert ui.take() == []


def test_click_dispatch(ui: Recorder) -> None:
    seen = []
    grid = sidekick.Grid(3, 2, instance_id="g")

    @grid.click
    def clicked(e: GridClickEvent) -> str:
        seen.append(e)
        return "result"

    assert grid._dispatch(event("grid", "g", {"event": "click", "x": 2, "y": 1})) == "result"
    assert seen == [GridClickEvent("g", "click", 2, 1)]
    # malformed clicks are dropped, not raised
    assert grid._dispatch(event("grid", "g", {"event": "click", "x": "a", "y": 1})) is None
    grid.on_click(None)
    assert grid._dispatch(event("grid", "g", {"event": "click", "x": 0, "y": 0})) is None
    assert len(seen) == 1
    with pytest.raises(TypeError):
        grid.on_click(5)  # type: ignore[arg-type]


def test_constructor_on_click(ui: Recorder) -> None:
    seen = []
    grid = sidekick.Grid(2, 2, instance_id="g", on_click=seen.append)
    grid._dispatch(event("grid", "g", {"event": "click", "x": 1, "y": 0}))
    assert seen == [GridClickEvent("g", "click", 1, 0)]


def test_replay_keeps_non_empty_cells(ui: Recorder) -> None:
    grid = sidekick.Grid(3, 2, instance_id="g")
    grid.set_color(0, 0, "red")
    grid.set_color(1, 0, "blue")
    grid.set_color(1, 0, None)
    grid.set_text(2, 1, "x")
    grid.set_color(2, 1, "")
    assert ui.replay() == [
        {"id": 0, "component": "global", "type": "clearAll"},
        spawn("grid", "g", {"numColumns": 3, "numRows": 2}),
        update("grid", "g", "setColor", {"x": 0, "y": 0, "color": "red"}),
        update("grid", "g", "setText", {"x": 2, "y": 1, "text": "x"}),
    ]
    ui.assert_replay_matches()
    grid.clear()
    assert len(ui.replay()) == 2
    ui.assert_replay_matches()


def test_removed_grid_raises(ui: Recorder) -> None:
    grid = sidekick.Grid(2, 2, instance_id="g")
    grid.remove()
    assert ui.take()[-1] == {"id": 0, "component": "grid", "type": "remove", "target": "g"}
    with pytest.raises(SidekickError):
        grid.set_color(0, 0, "red")
    with pytest.raises(SidekickError):
        grid.clear()
    grid.remove()  # idempotent
    assert ui.take() == []

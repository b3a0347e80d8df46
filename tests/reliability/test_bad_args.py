"""Bad arguments, table-driven, over every public method.

Each bad call must raise a clear exception *at the call* (the right type, a
message that names the problem), send nothing, leave the component's replay
state as it was, and leave the connection working: a valid call made right
after still reaches the UI. The service runs over the in-memory transport
with a UI attached.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable, Dict, List, NamedTuple, Tuple, Type

import pytest

import sidekick
from sidekick import SidekickError
from tests.unit.memory import Harness, MemoryTransport, wait_until

NAN = float("nan")
INF = float("inf")


class World:
    """One live component of each kind, plus a removed one."""

    def __init__(self) -> None:
        self.label = sidekick.Label("label", instance_id="lbl")
        self.button = sidekick.Button("button", instance_id="btn")
        self.textbox = sidekick.Textbox("v", instance_id="tb")
        self.markdown = sidekick.Markdown("*md*", instance_id="md")
        self.console = sidekick.Console("hello\n", instance_id="con")
        self.grid = sidekick.Grid(4, 3, instance_id="grid")
        self.canvas = sidekick.Canvas(100, 50, instance_id="cv")
        self.row = sidekick.Row(instance_id="row")
        self.column = sidekick.Column(instance_id="col", parent=self.row)
        self.viz = sidekick.Viz(instance_id="viz")
        self.gone = sidekick.Label("gone", instance_id="gone")
        self.gone.remove()
        self.gone_grid = sidekick.Grid(2, 2)
        self.gone_grid.remove()
        self.gone_canvas = sidekick.Canvas(2, 2)
        self.gone_canvas.remove()
        self.gone_console = sidekick.Console()
        self.gone_console.remove()


class Case(NamedTuple):
    name: str
    call: Callable[[World], Any]
    error: Type[BaseException]
    message: str  # a regular expression the message must match


def case(name: str, call: Callable[[World], Any], error: Type[BaseException], message: str) -> Case:
    return Case(name, call, error, message)


class _Thing:
    def __str__(self) -> str:
        return "thing"


CASES: List[Case] = [
    # ---- module functions
    case("set_url int", lambda w: sidekick.set_url(5), TypeError, "string"),
    case("set_url http", lambda w: sidekick.set_url("http://x"), ValueError, "ws://"),
    case("set_url empty", lambda w: sidekick.set_url(""), ValueError, "ws://"),
    case("set_url no host", lambda w: sidekick.set_url("ws://"), ValueError, "host"),
    case("wait timeout -1", lambda w: sidekick.wait_for_connection(-1), ValueError, "timeout"),
    case("wait timeout str", lambda w: sidekick.wait_for_connection("1"), ValueError, "timeout"),
    case("wait timeout nan", lambda w: sidekick.wait_for_connection(NAN), ValueError, "timeout"),
    case("flush timeout str", lambda w: sidekick.flush("1"), ValueError, "timeout"),
    case("flush timeout nan", lambda w: sidekick.flush(NAN), ValueError, "timeout"),
    case("flush timeout -1", lambda w: sidekick.flush(-1), ValueError, "timeout"),
    case("submit_task func", lambda w: sidekick.submit_task(print), TypeError, "coroutine"),
    case("interval not callable", lambda w: sidekick.submit_interval(5, 1), TypeError, "function"),
    case("interval 0", lambda w: sidekick.submit_interval(print, 0), ValueError, "positive"),
    case("interval -1", lambda w: sidekick.submit_interval(print, -1), ValueError, "positive"),
    case("interval nan", lambda w: sidekick.submit_interval(print, NAN), ValueError, "finite"),
    case("interval inf", lambda w: sidekick.submit_interval(print, INF), ValueError, "finite"),
    case("interval str", lambda w: sidekick.submit_interval(print, "1"), TypeError, "number"),
    case("interval bool", lambda w: sidekick.submit_interval(print, True), TypeError, "number"),
    case(
        "global handler int",
        lambda w: sidekick.register_global_message_handler(5),
        TypeError,
        "callable",
    ),
    # ---- every component's constructor arguments
    case("id int", lambda w: sidekick.Label("x", instance_id=5), TypeError, "instance_id"),
    case("id empty", lambda w: sidekick.Label("x", instance_id=""), ValueError, "empty"),
    case("id blank", lambda w: sidekick.Label("x", instance_id="  "), ValueError, "empty"),
    case("id taken", lambda w: sidekick.Label("x", instance_id="lbl"), ValueError, "exists"),
    case("parent int", lambda w: sidekick.Label("x", parent=5), TypeError, "parent"),
    case("parent unknown", lambda w: sidekick.Label("x", parent="nope"), ValueError, "parent"),
    case("parent label", lambda w: sidekick.Label("x", parent=w.label), TypeError, "Row"),
    case("parent removed", lambda w: sidekick.Label("x", parent="gone"), ValueError, "parent"),
    case("on_error int", lambda w: sidekick.Label("x", on_error=5), TypeError, "on_error"),
    case("button on_click", lambda w: sidekick.Button("b", on_click=5), TypeError, "on_click"),
    case("textbox on_submit", lambda w: sidekick.Textbox(on_submit="f"), TypeError, "on_submit"),
    case("console on_submit", lambda w: sidekick.Console(on_submit=1), TypeError, "on_submit"),
    case("grid 0 columns", lambda w: sidekick.Grid(0, 3), ValueError, "num_columns"),
    case("grid -1 rows", lambda w: sidekick.Grid(3, -1), ValueError, "num_rows"),
    case("grid float", lambda w: sidekick.Grid(2.5, 3), TypeError, "num_columns"),
    case("grid nan", lambda w: sidekick.Grid(NAN, 3), TypeError, "num_columns"),
    case("grid bool", lambda w: sidekick.Grid(True, 3), TypeError, "num_columns"),
    case("grid str", lambda w: sidekick.Grid("3", 3), TypeError, "num_columns"),
    case("grid too wide", lambda w: sidekick.Grid(1001, 1), ValueError, "num_columns"),
    case("grid too many cells", lambda w: sidekick.Grid(600, 600), ValueError, "cells"),
    case("grid on_click", lambda w: sidekick.Grid(2, 2, on_click=3), TypeError, "on_click"),
    case("canvas 0 wide", lambda w: sidekick.Canvas(0, 10), ValueError, "width"),
    case("canvas too high", lambda w: sidekick.Canvas(10, 10**6), ValueError, "height"),
    case("canvas float", lambda w: sidekick.Canvas(10.0, 10), TypeError, "width"),
    case("canvas inf", lambda w: sidekick.Canvas(INF, 10), TypeError, "width"),
    # ---- Grid methods
    case("set_color x out", lambda w: w.grid.set_color(4, 0, "red"), IndexError, r"\(4, 0\)"),
    case("set_color y out", lambda w: w.grid.set_color(0, 3, "red"), IndexError, "outside"),
    case("set_color neg", lambda w: w.grid.set_color(-1, 0, "red"), IndexError, "outside"),
    case("set_color float", lambda w: w.grid.set_color(0.5, 0, "red"), TypeError, "x"),
    case("set_color nan", lambda w: w.grid.set_color(NAN, 0, "red"), TypeError, "x"),
    case("set_color bool", lambda w: w.grid.set_color(True, 0, "red"), TypeError, "x"),
    case("set_color str x", lambda w: w.grid.set_color("1", 0, "red"), TypeError, "x"),
    case("set_color y None", lambda w: w.grid.set_color(0, None, "red"), TypeError, "y"),
    case("set_color int color", lambda w: w.grid.set_color(0, 0, 5), TypeError, "color"),
    case("set_color bytes", lambda w: w.grid.set_color(0, 0, b"red"), TypeError, "color"),
    case("set_text out", lambda w: w.grid.set_text(9, 9, "t"), IndexError, "outside"),
    case("set_text float", lambda w: w.grid.set_text(1.0, 0, "t"), TypeError, "x"),
    case("clear_cell out", lambda w: w.grid.clear_cell(0, -1), IndexError, "outside"),
    case("grid on_click int", lambda w: w.grid.on_click(5), TypeError, "on_click"),
    # ---- Canvas methods
    case("line nan", lambda w: w.canvas.draw_line(NAN, 0, 1, 1), ValueError, "x1"),
    case("line inf", lambda w: w.canvas.draw_line(0, 0, INF, 1), ValueError, "x2"),
    case("line str", lambda w: w.canvas.draw_line("0", 0, 1, 1), TypeError, "x1"),
    case("line None", lambda w: w.canvas.draw_line(0, None, 1, 1), TypeError, "y1"),
    case("line bool", lambda w: w.canvas.draw_line(0, 0, True, 1), TypeError, "x2"),
    case(
        "line width -1",
        lambda w: w.canvas.draw_line(0, 0, 1, 1, line_width=-1),
        ValueError,
        "line_width",
    ),
    case(
        "line color int",
        lambda w: w.canvas.draw_line(0, 0, 1, 1, line_color=1),
        TypeError,
        "line_color",
    ),
    case(
        "rect fill int",
        lambda w: w.canvas.draw_rect(0, 0, 1, 1, fill_color=3),
        TypeError,
        "fill_color",
    ),
    case("rect nan h", lambda w: w.canvas.draw_rect(0, 0, 1, NAN), ValueError, "height"),
    case("circle r -1", lambda w: w.canvas.draw_circle(1, 1, -1), ValueError, "radius"),
    case("circle r inf", lambda w: w.canvas.draw_circle(1, 1, INF), ValueError, "radius"),
    case("ellipse rx nan", lambda w: w.canvas.draw_ellipse(1, 1, NAN, 1), ValueError, "radius_x"),
    case("polygon str", lambda w: w.canvas.draw_polygon("abc"), TypeError, "points"),
    case("polygon int", lambda w: w.canvas.draw_polygon(5), TypeError, "points"),
    case(
        "polygon 1-tuple",
        lambda w: w.canvas.draw_polygon([(1, 1), (2,)]),
        TypeError,
        r"points\[1\]",
    ),
    case(
        "polyline nan",
        lambda w: w.canvas.draw_polyline([(1, 1), (2, NAN)]),
        ValueError,
        r"points\[1\] y",
    ),
    case(
        "text size 0", lambda w: w.canvas.draw_text(1, 1, "t", text_size=0), ValueError, "text_size"
    ),
    case(
        "text size nan",
        lambda w: w.canvas.draw_text(1, 1, "t", text_size=NAN),
        ValueError,
        "text_size",
    ),
    case(
        "text color",
        lambda w: w.canvas.draw_text(1, 1, "t", text_color=[1]),
        TypeError,
        "text_color",
    ),
    case(
        "buffer -1", lambda w: w.canvas.draw_line(0, 0, 1, 1, buffer_id=-1), TypeError, "buffer_id"
    ),
    case("buffer bool", lambda w: w.canvas.clear(buffer_id=True), TypeError, "buffer_id"),
    case("buffer str", lambda w: w.canvas.clear(buffer_id="1"), TypeError, "buffer_id"),
    case(
        "buffer unknown",
        lambda w: w.canvas.draw_line(0, 0, 1, 1, buffer_id=7),
        ValueError,
        "buffer 7",
    ),
    case("canvas on_click", lambda w: w.canvas.on_click("f"), TypeError, "on_click"),
    # ---- Console, Button, Textbox, containers, Viz
    case("print sep int", lambda w: w.console.print("a", sep=1), TypeError, "sep"),
    case("print end bytes", lambda w: w.console.print("a", end=b"\n"), TypeError, "end"),
    case("console on_submit", lambda w: w.console.on_submit(1), TypeError, "on_submit"),
    case("button on_click", lambda w: w.button.on_click("x"), TypeError, "on_click"),
    case("button click deco", lambda w: w.button.click(3), TypeError, "on_click"),
    case("textbox on_submit", lambda w: w.textbox.on_submit(2), TypeError, "on_submit"),
    case("on_error int", lambda w: w.label.on_error(2), TypeError, "on_error"),
    case("add_child int", lambda w: w.row.add_child(5), TypeError, "component"),
    case("add_child self", lambda w: w.row.add_child(w.row), ValueError, "itself"),
    case("add_child cycle", lambda w: w.column.add_child(w.row), ValueError, "descendants"),
    case("add_child removed", lambda w: w.row.add_child(w.gone), SidekickError, "removed"),
    case("viz name int", lambda w: w.viz.show(5, 1), TypeError, "name"),
    case("viz name empty", lambda w: w.viz.show("", 1), ValueError, "empty"),
    # ---- removed components
    case("removed text", lambda w: setattr(w.gone, "text", "x"), SidekickError, "removed"),
    case("removed grid", lambda w: w.gone_grid.set_color(0, 0, "red"), SidekickError, "removed"),
    case("removed grid text", lambda w: w.gone_grid.set_text(0, 0, "t"), SidekickError, "removed"),
    case("removed canvas", lambda w: w.gone_canvas.draw_line(0, 0, 1, 1), SidekickError, "removed"),
    case("removed console", lambda w: w.gone_console.print("x"), SidekickError, "removed"),
]


def settle(harness: Harness, transport: MemoryTransport) -> int:
    """Everything queued has been written; return the number of frames."""
    sidekick.flush(timeout=5)
    return len(transport.frames)


def snapshot(harness: Harness) -> Tuple[List[str], Dict[str, Any]]:
    service = harness.service
    with service.lock:
        replay = service.replay_provider() if service.replay_provider else []
        return replay, dict(service.components)


@pytest.mark.parametrize("bad", CASES, ids=[c.name for c in CASES])
def test_bad_argument_raises_at_the_call_and_changes_nothing(harness: Harness, bad: Case) -> None:
    transport = harness.connected()
    harness.ui_online(transport)
    world = World()
    frames = settle(harness, transport)
    replay, components = snapshot(harness)
    url = harness.service.url

    result: List[BaseException] = []

    def call() -> None:
        try:
            bad.call(world)
        except BaseException as exc:  # noqa: BLE001 - recorded and checked below
            result.append(exc)

    # On its own thread, bounded: a "bad" call must never block.
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(5)
    assert not thread.is_alive(), f"{bad.name}: the call blocked instead of raising"
    assert result, f"{bad.name}: no exception"
    exc = result[0]
    assert isinstance(exc, bad.error), f"{bad.name}: {type(exc).__name__}: {exc}"
    assert re.search(bad.message, str(exc)), f"{bad.name}: unclear message {str(exc)!r}"

    # Nothing was sent, nothing changed, the connection is the same one...
    for created in [c for c in list(harness.service.components) if c not in components]:
        # A rejected call may not even register its component (the ones the
        # removed-component cases build on purpose are removed again).
        raise AssertionError(f"{bad.name}: left component {created!r} behind")
    assert settle(harness, transport) == frames, f"{bad.name}: something was sent"
    assert snapshot(harness) == (replay, components)
    assert harness.service.url == url
    assert harness.service.state == "active" and len(harness.connector.transports) == 1
    # ... and a valid call right after still reaches the UI.
    world.label.text = "after " + bad.name
    wait_until(
        lambda: any(
            (m.get("payload") or {}).get("options", {}).get("text") == "after " + bad.name
            for m in transport.messages()
        ),
        what="the valid call after the bad one",
    )


def test_every_public_callable_is_covered() -> None:
    """A new public function or component method must get rows in the table."""
    covered_functions = {
        "set_url",
        "wait_for_connection",
        "flush",
        "submit_task",
        "submit_interval",
        "register_global_message_handler",
    }
    no_arguments = {"activate_connection", "run_forever", "run_forever_async", "clear_all"}
    no_arguments |= {"is_connected", "shutdown"}  # shutdown(wait) takes any truth value
    functions = {
        name
        for name in sidekick.__all__
        if callable(getattr(sidekick, name))
        and not isinstance(getattr(sidekick, name), type)
        and not name.startswith("_")
    }
    assert functions <= covered_functions | no_arguments, functions - covered_functions

    table = " ".join(c.name for c in CASES)
    for cls in (sidekick.Grid, sidekick.Canvas, sidekick.Console, sidekick.Button):
        for name, member in vars(cls).items():
            if name.startswith("_") or not callable(member):
                continue
            if name in {"clear", "buffer", "input", "capture", "remove"}:
                continue  # no arguments to get wrong (or covered elsewhere)
            words = {
                "set_color": "set_color",
                "set_text": "set_text",
                "clear_cell": "clear_cell",
                "on_click": "on_click",
                "click": "click",
                "draw_line": "line",
                "draw_rect": "rect",
                "draw_circle": "circle",
                "draw_ellipse": "ellipse",
                "draw_polyline": "polyline",
                "draw_polygon": "polygon",
                "draw_text": "text",
                "print": "print",
                "on_submit": "on_submit",
                "submit": "on_submit",
            }
            assert words.get(name, name) in table, f"{cls.__name__}.{name} has no bad-args row"


def test_str_of_anything_is_fine_for_text(harness: Harness) -> None:
    """Text arguments take any value (shown with str), like print: not an error."""
    transport = harness.connected()
    harness.ui_online(transport)
    world = World()
    world.label.text = _Thing()
    world.grid.set_text(0, 0, 12.5)
    world.canvas.draw_text(1, 1, None)
    world.console.print(_Thing(), 3, None)
    sidekick.flush(timeout=5)
    assert world.label.text == "thing"


REAL_SCRIPT = """
import sidekick

grid = sidekick.Grid(3, 3)
label = sidekick.Label("before")
sidekick.wait_for_connection(timeout=20)
bad = [
    lambda: grid.set_color(3, 0, "red"),
    lambda: grid.set_color(0.5, 0, "red"),
    lambda: grid.set_color(0, 0, 5),
    lambda: sidekick.Canvas(10, 10).draw_line(float("nan"), 0, 1, 1),
    lambda: sidekick.Label("x", instance_id=""),
    lambda: sidekick.flush(float("nan")),
]
for call in bad:
    try:
        call()
    except (TypeError, ValueError, IndexError) as exc:
        print("raised", type(exc).__name__, flush=True)
grid.set_color(2, 2, "#00ff00")
label.text = "after"
sidekick.flush(timeout=10)
print("done", flush=True)
"""


def test_bad_calls_in_a_real_script_leave_the_ui_untouched(tmp_path: Any, server: Any) -> None:
    from tests.support.peers import UIPeer
    from tests.support.procs import start_script, write_script

    from ._util import model_cells

    ui = UIPeer(server.ws_url)
    proc = start_script(write_script(tmp_path, REAL_SCRIPT), server.ws_url)
    try:
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert out.count("raised") == 6 and "done" in out, out
        ui.wait_for(
            lambda u: u.model.texts().get("label-1") == "after", what="the valid call after"
        )
        assert model_cells(ui.model) == {(2, 2): {"color": "#00ff00"}}
        # The canvas made for the bad draw call exists; nothing else arrived.
        kinds = {m.get("type") for m in ui.messages if m.get("component") != "system"}
        assert kinds <= {"clearAll", "spawn", "update"}
        assert "Traceback" not in err
    finally:
        proc.kill()
        ui.close()

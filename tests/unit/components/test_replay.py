"""Replay equivalence: after any sequence of calls, a fresh UI rebuilt from the
components' state shows exactly what a UI that saw every live message shows."""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, List, Tuple

from hypothesis import given, settings
from hypothesis import strategies as st

import sidekick
import sidekick.service as service_module
from sidekick import ObservableValue, SidekickError
from sidekick.components import base
from sidekick.components import viz as viz_module
from sidekick.service import ConnectionService

from .conftest import Recorder, event

EXPECTED = (IndexError, ValueError, KeyError, SidekickError, TypeError)


@contextlib.contextmanager
def fresh_ui(max_updates: int = 5) -> Iterator[Recorder]:
    service = ConnectionService()
    service.touch = lambda: None  # type: ignore[method-assign]
    service.wake = lambda: None  # type: ignore[method-assign]
    service._forwarding = True
    saved = service_module._service, base._id_counters, viz_module.MAX_UPDATES
    service_module._service = service
    base._id_counters = {}
    viz_module.MAX_UPDATES = max_updates
    try:
        yield Recorder(service)
    finally:
        service_module._service, base._id_counters, viz_module.MAX_UPDATES = saved


texts = st.sampled_from(["", "a", "héllo", "x\ny", "<b>", "5"])
small = st.integers(min_value=-1, max_value=4)
colors = st.sampled_from(["red", "#00ff00", None, ""])

Op = Tuple[Any, ...]

ops = st.one_of(
    st.tuples(st.just("grid_color"), small, small, colors),
    st.tuples(st.just("grid_text"), small, small, st.one_of(texts, st.none(), st.just(7))),
    st.tuples(st.just("grid_clear_cell"), small, small),
    st.tuples(st.just("grid_clear")),
    st.tuples(st.just("draw"), st.sampled_from(["line", "rect", "circle", "text", "poly"]), small),
    st.tuples(st.just("canvas_clear")),
    st.tuples(st.just("frame"), st.integers(0, 3), st.booleans()),
    st.tuples(st.just("print"), texts),
    st.tuples(st.just("console_clear")),
    st.tuples(st.just("show_input")),
    st.tuples(st.just("textbox_value"), texts),
    st.tuples(st.just("textbox_submit"), texts),
    st.tuples(st.just("placeholder"), texts),
    st.tuples(st.just("label_text"), texts),
    st.tuples(st.just("move"), st.integers(0, 20), st.integers(0, 3)),
    st.tuples(st.just("remove"), st.integers(0, 20)),
    st.tuples(st.just("new_label"), st.integers(-1, 3)),
    st.tuples(st.just("show"), st.sampled_from("abc"), st.integers(0, 5)),
    st.tuples(st.just("unshow"), st.sampled_from("abc")),
    st.tuples(
        st.just("list"),
        st.sampled_from(
            [
                "append",
                "insert",
                "setitem",
                "delitem",
                "pop",
                "remove",
                "extend",
                "sort",
                "reverse",
                "clear",
                "set",
                "slice",
                "nest",
            ]
        ),
        small,
    ),
    st.tuples(
        st.just("dict"),
        st.sampled_from(["setitem", "delitem", "pop", "clear", "update", "setdefault", "popitem"]),
        st.sampled_from(["k", "j", 1, None]),
    ),
    st.tuples(st.just("inner"), st.sampled_from(["append", "pop", "set", "setitem"]), small),
)


class World:
    def __init__(self, ui: Recorder) -> None:
        self.ui = ui
        self.grid = sidekick.Grid(4, 3)
        self.canvas = sidekick.Canvas(50, 40)
        self.console = sidekick.Console("hi\n")
        self.textbox = sidekick.Textbox(placeholder="type")
        self.label = sidekick.Label("label")
        self.viz = sidekick.Viz()
        self.row = sidekick.Row(sidekick.Button("b"))
        self.column = sidekick.Column(sidekick.Markdown("*m*"))
        self.containers: List[Any] = [self.row, self.column, sidekick.Row(), sidekick.Column()]
        self.all: List[Any] = [
            self.grid,
            self.canvas,
            self.console,
            self.textbox,
            self.label,
            self.viz,
            *self.containers,
        ]
        self.inner = ObservableValue([1, 2])
        self.obs_list = ObservableValue([1, "two", [3]])
        self.obs_dict = ObservableValue({"k": 1, "inner": self.inner})
        self.values = [
            self.obs_list,
            self.obs_dict,
            [1, {"x": (2, 3)}],
            ObservableValue([self.inner, self.obs_dict]),
            self.inner,
            "plain",
        ]

    def run(self, op: Op) -> None:
        name, *args = op
        getattr(self, "op_" + name)(*args)

    def op_grid_color(self, x: int, y: int, color: Any) -> None:
        self.grid.set_color(x, y, color)

    def op_grid_text(self, x: int, y: int, text: Any) -> None:
        self.grid.set_text(x, y, text)

    def op_grid_clear_cell(self, x: int, y: int) -> None:
        self.grid.clear_cell(x, y)

    def op_grid_clear(self) -> None:
        self.grid.clear()

    def _draw(self, target: Any, kind: str, n: int) -> None:
        if kind == "line":
            target.draw_line(n, 0, n + 1.5, 2, line_color="red")
        elif kind == "rect":
            target.draw_rect(0, n, 3, 4, fill_color="blue")
        elif kind == "circle":
            target.draw_circle(n, n, abs(n))
        elif kind == "text":
            target.draw_text(1, 2, f"t{n}", text_size=10)
        else:
            target.draw_polygon([(0, 0), (n, 1), (2, n)])

    def op_draw(self, kind: str, n: int) -> None:
        self._draw(self.canvas, kind, n)

    def op_canvas_clear(self) -> None:
        self.canvas.clear()

    def op_frame(self, count: int, fail: bool) -> None:
        try:
            with self.canvas.buffer() as frame:
                for i in range(count):
                    self._draw(frame, ["circle", "rect", "line"][i % 3], i)
                if fail:
                    raise RuntimeError("frame failed")
        except RuntimeError:
            pass

    def op_print(self, text: str) -> None:
        self.console.print(text, end="")

    def op_console_clear(self) -> None:
        self.console.clear()

    def op_show_input(self) -> None:
        self.console._ensure_input_shown()

    def op_textbox_value(self, text: str) -> None:
        self.textbox.value = text

    def op_textbox_submit(self, text: str) -> None:
        self.ui.ui_event(
            self.textbox,
            event("textbox", self.textbox.instance_id, {"event": "submit", "value": text}),
        )

    def op_placeholder(self, text: str) -> None:
        self.textbox.placeholder = text

    def op_label_text(self, text: str) -> None:
        self.label.text = text

    def op_move(self, index: int, container: int) -> None:
        self.containers[container].add_child(self.all[index % len(self.all)])

    def op_remove(self, index: int) -> None:
        self.all[index % len(self.all)].remove()

    def op_new_label(self, container: int) -> None:
        parent = self.containers[container] if container >= 0 else None
        self.all.append(sidekick.Label("new", parent=parent))

    def op_show(self, name: str, index: int) -> None:
        self.viz.show(name, self.values[index])

    def op_unshow(self, name: str) -> None:
        self.viz.remove_variable(name)

    def op_list(self, what: str, n: int) -> None:
        obs = self.obs_list
        if what == "append":
            obs.append(n)
        elif what == "insert":
            obs.insert(n, f"i{n}")
        elif what == "setitem":
            obs[n] = {"n": n}
        elif what == "delitem":
            del obs[n]
        elif what == "pop":
            obs.pop(n)
        elif what == "remove":
            obs.remove(n)
        elif what == "extend":
            obs.extend(range(n))
        elif what == "sort":
            obs.sort(key=repr)
        elif what == "reverse":
            obs.reverse()
        elif what == "clear":
            obs.clear()
        elif what == "set":
            obs.set([n, [n]])
        elif what == "slice":
            obs[0:n] = ["s"]
        else:
            obs.append(self.inner)

    def op_dict(self, what: str, key: Any) -> None:
        obs = self.obs_dict
        if what == "setitem":
            obs[key] = [key]
        elif what == "delitem":
            del obs[key]
        elif what == "pop":
            obs.pop(key)
        elif what == "clear":
            obs.clear()
        elif what == "update":
            obs.update({key: "u"})
        elif what == "setdefault":
            obs.setdefault(key, 0)
        else:
            obs.popitem()

    def op_inner(self, what: str, n: int) -> None:
        inner = self.inner
        if what == "append":
            inner.append(n)
        elif what == "pop":
            inner.pop()
        elif what == "set":
            inner.set(list(range(max(n, 0))))
        else:
            inner[n] = n * 10


@settings(max_examples=120, deadline=None)
@given(st.lists(ops, max_size=40))
def test_replay_equals_live(sequence: List[Op]) -> None:
    with fresh_ui() as ui:
        world = World(ui)
        for op in sequence:
            try:
                world.run(op)
            except EXPECTED:
                pass
        live = ui.live_model()  # raises if a live message would be rejected by a UI
        assert ui.replay_model().snapshot() == live.snapshot()


@settings(max_examples=30, deadline=None)
@given(st.lists(ops, min_size=5, max_size=30), st.integers(1, 29))
def test_replay_mid_sequence_then_continue(sequence: List[Op], cut: int) -> None:
    """A UI that joins midway (replay) and then sees the rest ends like the first UI."""
    with fresh_ui() as ui:
        world = World(ui)
        for op in sequence[:cut]:
            try:
                world.run(op)
            except EXPECTED:
                pass
        ui.take_raw()
        joined = ui.replay_model()
        for op in sequence[cut:]:
            try:
                world.run(op)
            except EXPECTED:
                pass
        joined.apply_all(ui.take())
        assert joined.snapshot() == ui.live_model().snapshot()


def test_replay_is_consistent_while_threads_draw() -> None:
    """Every call changes state and queues its message atomically, so a replay
    taken at any moment plus what follows equals what a UI saw all along."""
    import json
    import threading
    import time

    with fresh_ui() as ui:
        grid = sidekick.Grid(20, 20)
        canvas = sidekick.Canvas(50, 50)
        console = sidekick.Console()
        obs = ObservableValue([])
        sidekick.Viz().show("v", obs)

        go = threading.Event()

        def work(k: int) -> None:
            go.wait()
            for i in range(150):
                grid.set_color((i + k) % 20, k, ["red", None, "blue"][i % 3])
                with canvas.buffer() as frame:
                    frame.draw_circle(i % 50, k, 3)
                console.print(k, i)
                obs.append(i)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        joined = []  # (a UI that arrived midway, where the log stood then)
        go.set()
        while True:  # at least one snapshot, however fast the threads finish
            with ui.service.lock:
                ui.take_raw()
                joined.append((ui.replay_model(), len(ui.log)))
            if not any(t.is_alive() for t in threads):
                break
            time.sleep(0.005)  # pacing: each snapshot stalls the workers
        for t in threads:
            t.join()
        live = ui.live_model().snapshot()
        assert ui.replay_model().snapshot() == live
        assert joined
        for model, mark in joined[:: max(1, len(joined) // 10)]:
            model.apply_all([json.loads(t) for t in ui.log[mark:]])
            assert model.snapshot() == live

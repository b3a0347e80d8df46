"""Fuzzing every inbound path of the hero (the library) with hypothesis.

A real service over the in-memory transport receives arbitrary frames: bad
JSON, wrong types, huge and non-finite numbers, unknown components, events
for removed or foreign ids, batches nested in batches, binary frames. After
each example a valid click must still reach its callback, the connection
must be the same one, no error may be logged, no callback may raise (a
raising callback here could only be the library's own bug) and every event
a callback got must be well-formed for its component.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any, Dict, List

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import sidekick
import sidekick.callbacks as callbacks_module
from tests.support.peers import announce
from tests.unit.memory import Harness, wait_until

LIVE_IDS = ["button-ok", "grid-1", "canvas-1", "textbox-1", "console-1", "label-1", "viz-1"]
GONE_IDS = ["button-gone", "grid-gone"]
TYPES = ["button", "grid", "canvas", "textbox", "console", "label", "viz", "markdown", "row"]

json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()  # NaN and +-inf too: json.dumps writes them as NaN/Infinity
    | st.text(max_size=30)
    | st.sampled_from(["", "click", "submit", "root", *LIVE_IDS, *GONE_IDS])
)
json_value = st.recursive(
    json_leaf,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(["x", "y", "event", "value", "message", "action", "peerId"])
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=12,
)

coordinate = st.integers(-3, 25) | st.integers(-3, 25) | st.floats() | json_leaf
event_payload = st.fixed_dictionaries(
    {
        "event": st.sampled_from(["click", "submit"])
        | st.sampled_from(["change", "", "CLICK"])
        | json_leaf
    },
    optional={"x": coordinate, "y": coordinate, "value": json_value, "message": json_value},
)

envelope = st.fixed_dictionaries(
    {
        "id": st.just(0) | json_leaf,
        "component": st.sampled_from([*TYPES, "system", "global", "nope", ""]) | json_leaf,
        "type": st.sampled_from(
            ["event", "error", "announce", "batch", "clearAll", "spawn", "update", "remove", "zz"]
        )
        | json_leaf,
    },
    optional={
        "src": st.sampled_from([*LIVE_IDS, *GONE_IDS, "nobody"]) | json_leaf,
        "target": st.sampled_from(LIVE_IDS) | json_leaf,
        "payload": event_payload | json_value,
    },
)

#: Events that name a live component correctly, with fuzzed payloads.
OWNERS = {
    "button-ok": "button",
    "grid-1": "grid",
    "canvas-1": "canvas",
    "textbox-1": "textbox",
    "console-1": "console",
    "label-1": "label",
    "viz-1": "viz",
    "button-gone": "button",
    "grid-gone": "grid",
}
owned_event = st.builds(
    lambda src, mtype, payload: {
        "id": 0,
        "component": OWNERS[src],
        "type": mtype,
        "src": src,
        "payload": payload,
    },
    st.sampled_from(sorted(OWNERS)),
    st.sampled_from(["event", "event", "error"]),
    st.one_of(
        st.fixed_dictionaries({"event": st.just("click"), "x": coordinate, "y": coordinate}),
        st.fixed_dictionaries({"event": st.just("submit"), "value": json_value}),
        st.fixed_dictionaries({"message": json_value}),
        event_payload,
    ),
)


def with_batches(messages: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Messages, batches of them, and batches nested in batches."""
    return st.recursive(
        messages,
        lambda inner: st.builds(
            lambda items, payload_key: {
                "id": 0,
                "component": "global",
                "type": "batch",
                "payload": {payload_key: items},
            },
            st.lists(inner, max_size=4),
            st.sampled_from(["messages", "messages", "items"]),
        ),
        max_leaves=8,
    )


_GRID_EVENT = '{"component":"grid","type":"event","src":"grid-1","payload":{"event":"click",'
_BATCH_HEAD = '{"id":0,"component":"global","type":"batch","payload":{"messages":'
RAW_FRAMES = [
    "",
    "{",
    "null",
    "[]",
    '"text"',
    "1e400",
    '{"component":"button","type":"event","src":"button-ok","payload":{"event":"click"}',
    '{"component":"canvas","type":"event","src":"canvas-1","payload":{"event":"click","x":1e400,"y":-1e400}}',
    '{"component":"grid","type":"event","src":"grid-1","payload":{"event":"click","x":NaN,"y":Infinity}}',
    _GRID_EVENT + '"x":1' + "0" * 5000 + ',"y":1}}',
    "[" * 50_000 + "]" * 50_000,
    '{"a":' * 20_000 + "1" + "}" * 20_000,
    _BATCH_HEAD + "[" * 30_000 + "]" * 30_000 + "}}",
    "\ud800",
    "\x00\x01\x02",
    "x" * 2_000_000,
    '{"component":"system","type":"announce","payload":{"role":"sidekick","status":"online"}}',
    '{"component":"system","type":"announce","payload":{"role":"sidekick","peerId":7,"status":"online"}}',
    '{"component":"system","type":"announce","payload":{"role":"sidekick","peerId":"p","status":"online","capabilities":"batch"}}',
    '{"component":"system","type":"announce","payload":null}',
]

frames = st.one_of(
    st.sampled_from(RAW_FRAMES),
    st.text(max_size=200),
    st.binary(max_size=200),
    with_batches(envelope | owned_event).map(json.dumps),
    owned_event.map(json.dumps),
    owned_event.map(json.dumps),
    owned_event.map(json.dumps),
    json_value.map(json.dumps),
)


class Recorder:
    """What the callbacks saw, and anything that went wrong."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: Dict[str, List[Any]] = {}
        self.callback_errors: List[str] = []
        self.error_logs: List[str] = []

    def add(self, name: str, event: Any) -> None:
        with self.lock:
            self.events.setdefault(name, []).append(event)

    def count(self, name: str) -> int:
        with self.lock:
            return len(self.events.get(name, ()))


class _ErrorHandler(logging.Handler):
    def __init__(self, recorder: Recorder) -> None:
        super().__init__(logging.ERROR)
        self.recorder = recorder

    def emit(self, record: logging.LogRecord) -> None:
        self.recorder.error_logs.append(record.getMessage())


@pytest.fixture
def fuzz_target(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> Any:
    rec = Recorder()
    transport = harness.connected()
    harness.ui_online(transport)

    def report(what: str, exc: BaseException) -> None:
        rec.callback_errors.append(f"{what}: {exc!r}")

    monkeypatch.setattr(callbacks_module, "report_callback_error", report)
    handler = _ErrorHandler(rec)
    logging.getLogger("sidekick").addHandler(handler)

    sidekick.Button("ok", instance_id="button-ok", on_click=lambda e: rec.add("button", e))
    grid = sidekick.Grid(3, 4, instance_id="grid-1", on_click=lambda e: rec.add("grid", e))
    sidekick.Canvas(20, 10, instance_id="canvas-1", on_click=lambda e: rec.add("canvas", e))
    sidekick.Textbox(instance_id="textbox-1", on_submit=lambda e: rec.add("textbox", e))
    sidekick.Console(
        show_input=True, instance_id="console-1", on_submit=lambda e: rec.add("console", e)
    )
    sidekick.Label("label", instance_id="label-1", on_error=lambda e: rec.add("label-error", e))
    sidekick.Viz(instance_id="viz-1")
    sidekick.Button("gone", instance_id="button-gone", on_click=lambda e: rec.add("gone", e))
    sidekick.Grid(2, 2, instance_id="grid-gone", on_click=lambda e: rec.add("gone", e)).remove()
    harness.service.components["button-gone"].remove()
    # The debugging hook sees every inbound message too.
    sidekick.register_global_message_handler(lambda m: rec.add("global", m))
    yield harness, transport, rec, grid
    sidekick.register_global_message_handler(None)
    logging.getLogger("sidekick").removeHandler(handler)


def check_events(rec: Recorder) -> None:
    """Every event a callback received is one its component can produce."""
    with rec.lock:
        for event in rec.events.get("grid", []):
            assert type(event.x) is int and type(event.y) is int, event
            assert 0 <= event.x < 3 and 0 <= event.y < 4, event
        for event in rec.events.get("canvas", []):
            assert type(event.x) is int and type(event.y) is int, event
        for name in ("textbox", "console"):
            for event in rec.events.get(name, []):
                assert isinstance(event.value, str), event
        for event in rec.events.get("label-error", []):
            assert isinstance(event.message, str), event
        assert not rec.events.get("gone"), "an event reached a removed component"
        for message in rec.events.get("global", []):
            assert isinstance(message, dict) and isinstance(message.get("type"), str), message


CLICK = {"id": 0, "component": "button", "type": "event", "src": "button-ok"}
GRID_CLICK = {"id": 0, "component": "grid", "type": "event", "src": "grid-1"}
CANVAS_CLICK = {"id": 0, "component": "canvas", "type": "event", "src": "canvas-1"}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(junk=st.lists(frames, min_size=1, max_size=6))
@example(junk=[json.dumps(dict(GRID_CLICK, payload={"event": "click", "x": 3, "y": 0}))])
@example(junk=[json.dumps(dict(GRID_CLICK, payload={"event": "click", "x": 0, "y": -1}))])
@example(junk=[json.dumps(dict(GRID_CLICK, payload={"event": "click", "x": True, "y": 1}))])
@example(junk=[json.dumps(dict(CANVAS_CLICK, payload={"event": "click", "x": 1e308 * 10, "y": 1}))])
@example(junk=[json.dumps(dict(CANVAS_CLICK, payload={"event": "click", "x": 10**40, "y": 1}))])
@example(junk=RAW_FRAMES)
def test_hero_survives_arbitrary_inbound_frames(fuzz_target: Any, junk: List[Any]) -> None:
    harness, transport, rec, _ = fuzz_target
    with rec.lock:  # each example is judged on its own
        rec.events.clear()
        rec.callback_errors.clear()
        rec.error_logs.clear()
    before = rec.count("button")
    for frame in junk:
        harness.inject(transport, frame)
    harness.inject(transport, dict(CLICK, payload={"event": "click"}))
    wait_until(lambda: rec.count("button") > before, timeout=10, what="valid click after junk")
    assert harness.service.state == "active"
    assert len(harness.connector.transports) == 1, "the junk cost the connection"
    assert not rec.callback_errors, rec.callback_errors
    assert not rec.error_logs, rec.error_logs
    check_events(rec)


def test_after_the_fuzz_the_ui_still_gets_updates(fuzz_target: Any) -> None:
    """Junk announces may say the UI left; a fresh announce brings a full replay."""
    harness, transport, rec, grid = fuzz_target
    for frame in RAW_FRAMES:
        harness.inject(transport, frame)
    harness.inject(transport, announce("ui-1", "sidekick", status="offline"))
    harness.ui_online(transport, "ui-2")
    grid.set_color(2, 3, "red")
    wait_until(
        lambda: any(
            m.get("target") == "grid-1"
            and (m.get("payload") or {}).get("options", {}).get("color") == "red"
            for m in transport.messages()
        ),
        what="the update after the junk",
    )
    assert not rec.callback_errors and not rec.error_logs

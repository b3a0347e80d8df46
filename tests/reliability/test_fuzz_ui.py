"""Fuzzing the browser UI (Chromium) through the real relay with hypothesis.

A hero peer sends the page arbitrary component messages: unknown components
and actions, wrong payload types, out-of-range sizes and cells, removals of
unknown ids, batches nested in batches, and frames the relay forwards without
parsing. The page must raise no uncaught error, stay connected, and still
render a valid spawn sent right after the junk.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any, Iterator, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("playwright.sync_api")

from websockets.sync.client import connect  # noqa: E402

from tests.support.peers import announce  # noqa: E402
from tests.support.procs import Server  # noqa: E402
from tests.support.strategies import batches

from ._browser import STATUS_JS, BrowserThread, require_chromium  # noqa: E402

pytestmark = pytest.mark.browser

ACTIONS = [
    "setText", "setColor", "clearCell", "clear", "append", "setValue", "setPlaceholder",
    "changeParent", "drawLine", "drawRect", "drawCircle", "drawEllipse", "drawPolyline",
    "drawPolygon", "drawText", "createBuffer", "drawBuffer", "destroyBuffer", "set",
    "removeVariable", "setitem", "delitem", "insert", "pop", "nope",
]  # fmt: skip
KEYS = [
    "text", "numColumns", "numRows", "width", "height", "showInput", "value", "placeholder",
    "parent", "insertBefore", "x", "y", "color", "bufferId", "sourceBufferId", "targetBufferId",
    "x1", "y1", "x2", "y2", "radius", "points", "fillColor", "lineColor", "lineWidth",
    "textSize", "path", "valueRepresentation", "length", "id", "type",
]  # fmt: skip
TARGETS = ["t1", "t2", "t3", "root", "alive-0", ""]

leaf = (
    st.none()
    | st.booleans()
    | st.integers(-5, 40)
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(TARGETS + ["red", "#123456", "<img src=x onerror=alert(1)>"])
)
value = st.recursive(
    leaf,
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.sampled_from(KEYS), c, max_size=4),
    max_leaves=10,
)
options = st.dictionaries(st.sampled_from(KEYS), value, max_size=6)
payload = (
    st.fixed_dictionaries(
        {"action": st.sampled_from(ACTIONS) | leaf},
        optional={"options": options | value, "variableName": leaf},
    )
    | options
    | value
)
component = st.sampled_from(
    ["label", "button", "grid", "canvas", "console", "textbox", "markdown", "row", "column",
     "viz", "global", "system", "nope"]
)  # fmt: skip
message = st.fixed_dictionaries(
    {
        "id": st.just(0),
        "component": component | leaf,
        "type": st.sampled_from(["spawn", "update", "remove", "clearAll", "event", "zz"]) | leaf,
    },
    optional={"target": st.sampled_from(TARGETS) | leaf, "payload": payload},
)
batch = batches(message, max_size=5, max_leaves=10)
HEAD = '{"id":0,"component":"global","type":"batch","payload":{"messages":['
frames = st.one_of(
    batch.map(json.dumps),
    st.lists(message, max_size=3).map(lambda ms: HEAD + ",".join(map(json.dumps, ms)) + "]}}"),
    st.text(max_size=50).map(lambda t: HEAD + t + "]}}"),
    st.sampled_from(
        [
            json.dumps(
                {
                    "id": 0,
                    "component": "grid",
                    "type": "spawn",
                    "target": "t1",
                    "payload": {"numColumns": 10**6, "numRows": 10**6},
                }
            ),
            json.dumps(
                {
                    "id": 0,
                    "component": "canvas",
                    "type": "spawn",
                    "target": "t2",
                    "payload": {"width": 10**7, "height": 10**7},
                }
            ),
            json.dumps(
                {
                    "id": 0,
                    "component": "label",
                    "type": "spawn",
                    "target": "t3",
                    "payload": {"text": "x" * 200_000},
                }
            ),
            json.dumps(
                {
                    "id": 0,
                    "component": "label",
                    "type": "spawn",
                    "target": "t3",
                    "payload": {"parent": "t3"},
                }
            ),
            json.dumps(
                {
                    "id": 0,
                    "component": "row",
                    "type": "update",
                    "target": "t1",
                    "payload": {"action": "changeParent", "options": {"parent": "t1"}},
                }
            ),
            json.dumps(
                {
                    "id": 0,
                    "component": "markdown",
                    "type": "spawn",
                    "target": "t2",
                    "payload": {"text": "<script>window.pwned=1</script>[x](javascript:1)"},
                }
            ),
        ]
    ),  # fmt: skip
)


class World:
    def __init__(self) -> None:
        self.server = Server().start()
        self.session = "fuzz-" + uuid.uuid4().hex
        self.bt = BrowserThread()
        self.errors: List[str] = []
        url = f"{self.server.http_url}/session/{self.session}"

        def open_page() -> Any:
            page = self.bt.context.new_page()
            page.on("pageerror", lambda exc: self.errors.append(str(exc)))
            page.goto(url)
            page.wait_for_selector("html[data-sidekick-status=waiting]")
            return page

        self.page = self.bt.call(open_page)
        self.hero = connect(
            f"{self.server.ws_url}/?session={self.session}", open_timeout=10
        ).__enter__()
        threading.Thread(target=self._drain, daemon=True).start()
        self.hero.send(json.dumps(announce("hero-fuzz", "hero")))
        self.bt.call(self.page.wait_for_selector, "html[data-sidekick-status=connected]")
        self.alive = 0

    def _drain(self) -> None:
        try:
            for _ in self.hero:
                pass
        except Exception:
            pass

    def check_alive(self) -> None:
        self.alive += 1
        target = f"alive-{self.alive}"
        self.hero.send(
            json.dumps(
                {
                    "id": 0,
                    "component": "label",
                    "type": "spawn",
                    "target": target,
                    "payload": {"text": target},
                }
            )
        )
        self.bt.call(self.page.wait_for_selector, f'[data-sidekick-id="{target}"]')
        assert self.bt.call(self.page.evaluate, STATUS_JS) == "connected"
        assert self.bt.call(self.page.evaluate, "() => window.pwned === undefined")
        assert not self.errors, self.errors

    def close(self) -> None:
        try:
            self.hero.close()
            self.bt.call(self.page.close)
        finally:
            self.bt.close()
            self.server.stop()


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    require_chromium()
    w = World()
    try:
        yield w
    finally:
        w.close()


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(junk=st.lists(frames, min_size=1, max_size=6))
def test_page_survives_arbitrary_component_messages(world: World, junk: List[str]) -> None:
    started = time.monotonic()
    for frame in junk:
        world.hero.send(frame)
    world.check_alive()
    assert time.monotonic() - started < 30

"""Fuzzing the server (a real `sidekick serve` on 127.0.0.1) with hypothesis.

A peer in session A sends arbitrary frames: bad JSON, wrong types, huge
values, unknown components, announces with odd roles, nested batches, binary
frames; and peers connect with arbitrary session names. Nothing may crash,
nothing may reach another session, and a valid message after the junk still
arrives. Oversized frames close only their sender.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any, Iterator, List, Optional
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.support.peers import announce
from tests.support.procs import Server
from tests.support.strategies import batches

TIMEOUT = 10.0


class Peer:
    """A raw WebSocket peer that records every text frame it receives."""

    def __init__(self, server: Server, session: Optional[str], name: str) -> None:
        query = "" if session is None else "?session=" + quote(session, safe="")
        self.name = name
        self.frames: List[str] = []
        self.cond = threading.Condition()
        # Entered as a context manager: websockets >= 17.1 warns otherwise.
        self.ws = connect(
            server.ws_url + "/" + query, max_size=None, open_timeout=TIMEOUT
        ).__enter__()
        self.closed = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for frame in self.ws:
                with self.cond:
                    self.frames.append(frame if isinstance(frame, str) else repr(frame))
                    self.cond.notify_all()
        except Exception:
            pass
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def send(self, frame: Any) -> None:
        self.ws.send(frame)

    def announce(self, role: str) -> None:
        self.send(json.dumps(announce(self.name, role)))

    def wait(self, needle: str, timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not any(needle in f for f in self.frames):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.closed:
                    raise AssertionError(f"{self.name} never got {needle!r}: {self.frames[-3:]}")
                self.cond.wait(min(remaining, 0.2))

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass


class World:
    """One server; session A with a junk sender and a UI; session B and the
    default session with peers that must never hear from A."""

    def __init__(self) -> None:
        self.server = Server().start()
        self.log = self.server.log
        self.ui_a = Peer(self.server, "A", "ui-a")
        self.ui_a.announce("sidekick")
        self.hero_b = Peer(self.server, "B", "hero-b")
        self.hero_b.announce("hero")
        self.ui_b = Peer(self.server, "B", "ui-b")
        self.ui_b.announce("sidekick")
        self.ui_default = Peer(self.server, None, "ui-default")
        self.ui_default.announce("sidekick")
        self.junk = self.new_junk_peer()
        self.sentinels = 0

    def new_junk_peer(self) -> Peer:
        peer = Peer(self.server, "A", "junk-a")
        peer.announce("hero")
        return peer

    def sentinel(self) -> None:
        """The junk peer re-announces as a hero and sends a valid update: it must arrive."""
        self.sentinels += 1
        marker = f"sentinel-{self.sentinels}"
        self.junk.announce("hero")
        self.junk.send(
            json.dumps(
                {
                    "id": 0,
                    "component": "label",
                    "type": "update",
                    "target": "label-1",
                    "payload": {"action": "setText", "options": {"text": marker}},
                }
            )
        )
        self.ui_a.wait(f'"{marker}"')

    def healthy(self) -> None:
        assert self.server.proc is not None and self.server.proc.poll() is None
        with urllib.request.urlopen(self.server.http_url + "/healthz", timeout=5) as r:
            assert r.status == 200
        text = "\n".join(self.log.lines)
        assert "Traceback" not in text and "Error in connection handler" not in text, text

    def outsiders(self) -> List[Peer]:
        return [self.hero_b, self.ui_b, self.ui_default]

    def close(self) -> None:
        for peer in (self.ui_a, self.junk, *self.outsiders()):
            peer.close()
        self.server.stop()


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    w = World()
    try:
        yield w
    finally:
        w.close()


def assert_no_leak(world: World) -> None:
    """Outsiders only ever saw their own session's announces, nothing from A."""
    time.sleep(0.2)
    for peer in world.outsiders():
        with peer.cond:
            frames = list(peer.frames)
        for frame in frames:
            assert "junk-a" not in frame and "ui-a" not in frame and "sentinel" not in frame, (
                peer.name,
                frame[:300],
            )
            message = json.loads(frame)
            assert message["component"] == "system" and message["type"] == "announce", frame[:300]


json_leaf = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["system", "global", "announce", "batch", "hero", "sidekick", "A", "B"])
)
json_value = st.recursive(
    json_leaf,
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
    max_leaves=10,
)
message = st.fixed_dictionaries(
    {},
    optional={
        "id": json_leaf,
        "component": st.sampled_from(["system", "global", "grid", "nope"]) | json_leaf,
        "type": st.sampled_from(["announce", "batch", "update", "event", "spawn"]) | json_leaf,
        "target": json_leaf,
        "src": json_leaf,
        "session": st.sampled_from(["B", ""]) | json_leaf,
        "payload": st.fixed_dictionaries(
            {},
            optional={
                "peerId": json_leaf,
                "role": st.sampled_from(["hero", "sidekick", "relay", ""]) | json_leaf,
                "status": st.sampled_from(["online", "offline"]) | json_leaf,
                "session": st.sampled_from(["B", ""]) | json_leaf,
                "messages": st.lists(json_value, max_size=3),
            },
        )
        | json_value,
    },
)
nested = batches(message, max_size=3, max_leaves=6)
frames = st.one_of(
    nested.map(lambda m: json.dumps(m)),
    json_value.map(lambda v: json.dumps(v)),
    st.text(max_size=300),
    st.binary(max_size=300),
    st.sampled_from(
        [
            "",
            "{",
            "NaN",
            '{"a":NaN}',
            "1e400",
            "[" * 100_000 + "]" * 100_000,
            '{"component":"system","type":"announce","payload":{"peerId":"x","role":"hero"}}',
            "\x00" * 100,
            "x" * 1_000_000,
        ]
    ),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(junk=st.lists(frames, min_size=1, max_size=8))
def test_junk_never_crashes_or_leaks_and_valid_frames_still_flow(
    world: World, junk: List[Any]
) -> None:
    for frame in junk:
        try:
            world.junk.send(frame)
        except ConnectionClosed:
            break
    world.sentinel()
    world.healthy()
    assert_no_leak(world)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(min_size=0, max_size=40)
    | st.sampled_from(["a", "A ", " A", "A\x00", "A/..", "../A", "A&session=A", "%41"])
)
def test_only_the_exact_session_name_hears_session_a(world: World, name: str) -> None:
    # The query is percent-encoded, so a name is taken literally; an empty
    # name joins the default session. Only exactly "A" is session A.
    peer = Peer(world.server, name, "probe")
    try:
        peer.announce("sidekick")
        world.sentinel()
        time.sleep(0.05)
        with peer.cond:
            heard = [f for f in peer.frames if "junk-a" in f or "sentinel" in f]
        if name == "A":
            assert heard
        else:
            assert not heard, (name, heard[:2])
    finally:
        peer.close()


def test_oversized_and_binary_frames_close_or_skip_only_their_sender(world: World) -> None:
    world.junk.send(b"\x00\x01binary")
    world.sentinel()  # a binary frame is skipped; the connection stays
    big = json.dumps({"component": "grid", "type": "update", "payload": {"x": "y" * (5 << 20)}})
    world.junk.send(big)
    deadline = time.monotonic() + TIMEOUT
    while not world.junk.closed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert world.junk.closed, "a frame over the server's limit must close its sender"
    assert world.junk.ws.close_code == 1009
    world.junk = world.new_junk_peer()
    world.sentinel()
    for peer in (world.ui_a, *world.outsiders()):
        assert not peer.closed, peer.name
    world.healthy()
    assert_no_leak(world)

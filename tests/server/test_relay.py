"""The relay: announces, routing by role, sessions, junk, size and slow peers."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest
from sidekick_server_testutil import (
    ServerThread,
    announce,
    assert_silent,
    close_all,
    connect_peer,
    expect_forwarded,
    hero_and_ui,
    message,
    recv_json,
    recv_text,
    run,
)
from websockets.exceptions import ConnectionClosed


def test_announce_is_forwarded_and_replayed_to_newcomer_on_connect(server: ServerThread) -> None:
    async def scenario() -> None:
        hero = await connect_peer(server.port)
        ui = await connect_peer(server.port)
        await hero.send(announce("h1", "hero", capabilities=["batch", "replay"], extra={"k": 1}))
        forwarded = await recv_json(ui)
        assert forwarded["payload"]["peerId"] == "h1"
        assert forwarded["payload"]["capabilities"] == ["batch", "replay"]
        await ui.send(announce("s1", "sidekick"))
        assert (await recv_json(hero))["payload"]["peerId"] == "s1"

        # A newcomer that never announces still learns who is online, at once,
        # before anything else, with the announce exactly as it was sent.
        late = await connect_peer(server.port)
        replayed = [await recv_text(late), await recv_text(late)]
        assert replayed == [
            announce("h1", "hero", capabilities=["batch", "replay"], extra={"k": 1}),
            announce("s1", "sidekick"),
        ]
        await assert_silent(late, 0.2)
        await close_all(hero, ui, late)

    run(scenario())


def test_offline_peers_are_not_replayed(server: ServerThread) -> None:
    async def scenario() -> None:
        hero = await connect_peer(server.port)
        await hero.send(announce("h1", "hero"))
        await hero.send(announce("h1", "hero", "offline"))
        observer = await connect_peer(server.port)
        await observer.send(announce("s1", "sidekick"))
        await assert_silent(observer, 0.3)
        await hero.close()
        # The hero said goodbye itself: no second offline on its behalf.
        await assert_silent(observer, 0.3)
        await observer.close()

    run(scenario())


def test_offline_announced_on_behalf_of_a_vanished_peer(server: ServerThread) -> None:
    async def scenario() -> None:
        ui = await connect_peer(server.port)
        await ui.send(announce("s1", "sidekick"))
        hero = await connect_peer(server.port)
        assert (await recv_json(hero))["payload"]["peerId"] == "s1"
        await hero.send(announce("h1", "hero"))
        assert (await recv_json(ui))["payload"]["status"] == "online"
        before = int(time.time() * 1000)
        hero.transport.abort()  # no goodbye, no close frame
        goodbye = await recv_json(ui)
        assert goodbye["component"] == "system" and goodbye["type"] == "announce"
        payload = goodbye["payload"]
        assert payload["peerId"] == "h1"
        assert payload["role"] == "hero"
        assert payload["status"] == "offline"
        assert isinstance(payload["timestamp"], int) and payload["timestamp"] >= before - 1000
        await ui.close()

    run(scenario())


def test_routing_follows_roles(server: ServerThread) -> None:
    async def scenario() -> None:
        hero1 = await connect_peer(server.port)
        hero2 = await connect_peer(server.port)
        ui1 = await connect_peer(server.port)
        ui2 = await connect_peer(server.port)
        anonymous = await connect_peer(server.port)
        await hero1.send(announce("h1", "hero"))
        await hero2.send(announce("h2", "hero"))
        await ui1.send(announce("s1", "sidekick"))
        await ui2.send(announce("s2", "sidekick"))
        # Everyone sees the 3 announces of the others.
        for ws, expected in ((hero1, 3), (hero2, 3), (ui1, 3), (ui2, 3), (anonymous, 4)):
            for _ in range(expected):
                assert (await recv_json(ws))["type"] == "announce"

        spawn = message("g1", action="setColor")
        await hero1.send(spawn)
        assert await recv_text(ui1) == spawn
        assert await recv_text(ui2) == spawn

        event = json.dumps({"id": 0, "component": "grid", "type": "event", "src": "g1"})
        await ui1.send(event)
        assert await recv_text(hero1) == event
        assert await recv_text(hero2) == event

        # An unannounced peer reaches everyone else.
        hello = message("x", note="anonymous")
        await anonymous.send(hello)
        for ws in (hero1, hero2, ui1, ui2):
            assert await recv_text(ws) == hello

        # Heroes never got the hero's message, UIs never got the UI's event,
        # and the unannounced peer got neither.
        for ws in (hero2, ui2, anonymous):
            await assert_silent(ws, 0.2)
        await close_all(hero1, hero2, ui1, ui2, anonymous)

    run(scenario())


def test_sessions_are_isolated(server: ServerThread) -> None:
    async def scenario() -> None:
        hero_a = await connect_peer(server.port, "a")
        ui_a = await connect_peer(server.port, "a")
        ui_b = await connect_peer(server.port, "b")
        ui_default = await connect_peer(server.port)
        await ui_b.send(announce("sb", "sidekick"))
        await ui_default.send(announce("sd", "sidekick"))
        await ui_a.send(announce("sa", "sidekick"))
        assert (await recv_json(hero_a))["payload"]["peerId"] == "sa"
        await hero_a.send(announce("ha", "hero"))
        await hero_a.send(message("g"))
        assert (await recv_json(ui_a))["payload"]["peerId"] == "ha"
        assert await recv_text(ui_a) == message("g")
        await assert_silent(ui_b, 0.2)
        await assert_silent(ui_default, 0.2)
        await hero_a.close()
        assert (await recv_json(ui_a))["payload"]["status"] == "offline"
        await assert_silent(ui_b, 0.2)
        assert server.peer_count("a") == 1
        await close_all(ui_a, ui_b, ui_default)

    run(scenario())


def test_frames_are_forwarded_byte_for_byte(server: ServerThread) -> None:
    async def scenario() -> None:
        hero, ui = await hero_and_ui(server.port)
        odd = (
            '{ "payload" : {"text":"h\\u00e9llo \u2603 \U0001f600", "n": 1.50},'
            '"id":0 ,\n"type":"spawn"}'
        )
        await hero.send(odd)
        assert await recv_text(ui) == odd
        batch = json.dumps(
            {
                "id": 0,
                "component": "global",
                "type": "batch",
                "payload": {"messages": [json.loads(message(f"g{i}")) for i in range(100)]},
            }
        )
        await hero.send(batch)
        assert await recv_text(ui) == batch  # one frame, untouched
        await close_all(hero, ui)

    run(scenario())


@pytest.mark.parametrize(
    "junk",
    [
        "not json",
        "[1, 2]",
        "42",
        '"text"',
        "null",
        '{"a": NaN}',
        '{"a": Infinity}',
        "{",
        "",
        '{"a": 1} {"b": 2}',  # an object, then more: as a whole, not JSON
        '{"a": 1}}',
    ],
)
def test_junk_frames_are_dropped_and_the_connection_stays(
    server: ServerThread, junk: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        hero, ui = await hero_and_ui(server.port)
        await hero.send(junk)
        await hero.send(b'{"binary": "frame"}')
        await expect_forwarded(hero, ui, message("after"))
        await close_all(hero, ui)

    caplog.set_level(logging.WARNING, logger="sidekick.server")
    run(scenario())
    # Dropped, but not silently: the first drop is logged (the rest rate-limited).
    assert any(
        record.name == "sidekick.server" and record.getMessage().startswith("dropped a ")
        for record in caplog.records
    ), caplog.text


def test_an_object_with_white_space_around_it_is_forwarded(server: ServerThread) -> None:
    async def scenario() -> None:
        hero, ui = await hero_and_ui(server.port)
        padded = f" {message('padded')}\n"
        await hero.send(padded)
        assert await recv_text(ui) == padded  # JSON allows it: not junk
        await close_all(hero, ui)

    run(scenario())


def test_malformed_announce_is_dropped(
    server: ServerThread, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        hero = await connect_peer(server.port)
        ui = await connect_peer(server.port)
        await hero.send(announce("h1", "boss"))
        await hero.send(json.dumps({"id": 0, "component": "system", "type": "announce"}))
        await expect_forwarded(hero, ui, message("still here"))
        late = await connect_peer(server.port)
        await assert_silent(late, 0.2)
        await close_all(hero, ui, late)

    caplog.set_level(logging.WARNING, logger="sidekick.server")
    run(scenario())
    assert "dropped a malformed announce" in caplog.text


def test_oversized_frame_closes_only_its_sender(server: ServerThread) -> None:
    async def scenario() -> None:
        big = await connect_peer(server.port, max_size=None)
        other = await connect_peer(server.port)
        listener = await connect_peer(server.port)
        await big.send('{"x":"' + "a" * (5 * 1024 * 1024) + '"}')
        with pytest.raises(ConnectionClosed) as info:
            await asyncio.wait_for(big.recv(), 5)
        assert info.value.rcvd is not None and info.value.rcvd.code == 1009
        await expect_forwarded(other, listener, message("fine"))
        await close_all(other, listener)

    run(scenario())


def test_slow_peer_does_not_block_others_and_is_dropped(server: ServerThread) -> None:
    server.server.relay.max_queue_bytes = 2 * 1024 * 1024
    frame = json.dumps({"id": 0, "component": "grid", "type": "update", "payload": "x" * 65536})
    count = 400  # ~26 MiB: far more than the socket buffers and the queue limit

    async def scenario() -> None:
        hero = await connect_peer(server.port)
        fast = await connect_peer(server.port)
        # A peer whose client buffers at most one frame and that never reads.
        slow = await connect_peer(server.port, max_queue=1)
        await fast.send(announce("s1", "sidekick"))
        await slow.send(announce("s2", "sidekick"))
        await recv_json(hero)
        await recv_json(hero)
        await hero.send(announce("h1", "hero"))
        await recv_json(fast)  # s2's announce
        await recv_json(fast)  # h1's announce

        # The hero waits for the fast peer every 8 frames (512 KiB), so only
        # the peer that does not read at all can fall behind.
        for _batch in range(count // 8):
            for _ in range(8):
                await hero.send(frame)
            for _ in range(8):
                await asyncio.wait_for(fast.recv(), 5)

        deadline = time.monotonic() + 10
        while server.peer_count() != 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert server.peer_count() == 2  # the slow peer is gone
        with pytest.raises(ConnectionClosed):
            while True:
                await asyncio.wait_for(slow.recv(), 5)
        await close_all(hero, fast)

    run(scenario(), timeout=40)


def test_compact_batch_frames_are_forwarded_as_one_frame(server: ServerThread) -> None:
    async def scenario() -> None:
        hero, ui = await hero_and_ui(server.port)
        other_hero = await connect_peer(server.port)
        replayed = [await recv_json(other_hero), await recv_json(other_hero)]
        assert sorted(m["payload"]["peerId"] for m in replayed) == ["h1", "s1"]
        messages = ",".join(message(f"g{i}").replace(" ", "") for i in range(100))
        batch = '{"id":0,"component":"global","type":"batch","payload":{"messages":[' + messages
        batch += "]}}"
        await hero.send(batch)
        assert await recv_text(ui) == batch
        # Routed by role like any other frame: not to the other hero.
        await assert_silent(other_hero, 0.2)
        await close_all(hero, ui, other_hero)

    run(scenario())

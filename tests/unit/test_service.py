"""The connection service against an in-memory transport: state, queue, replay, dispatch."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any, List

import pytest

import sidekick
from sidekick import protocol
from sidekick.errors import SidekickConnectionRefusedError, SidekickError, SidekickTimeoutError

from .memory import Harness, wait_until


def of_type(messages: List[Any], mtype: str) -> List[Any]:
    return [m for m in messages if m.get("type") == mtype]


def test_states_idle_active_shutdown(harness: Harness) -> None:
    svc = harness.service
    assert svc.state == "idle"
    t = harness.connected()
    hello = json.loads(t.frames[0])
    assert hello["component"] == "system" and hello["payload"]["role"] == "hero"
    assert hello["payload"]["status"] == "online"
    assert set(hello["payload"]["capabilities"]) == {"batch", "replay"}
    svc.shutdown(wait=True)
    assert svc.state == "shutdown"
    bye = json.loads(t.frames[-1])
    assert bye["payload"]["status"] == "offline" and t.closed


def test_messages_wait_for_ui_then_arrive_in_order(harness: Harness) -> None:
    t = harness.connected()
    label = sidekick.Label("a")
    label.text = "b"
    label.text = "c"
    assert len(t.frames) == 1  # only the announce: no UI yet
    harness.ui_online(t)
    wait_until(lambda: len(t.messages()) >= 3)
    msgs = t.messages()[1:]
    assert msgs[0] == {"id": 0, "component": "global", "type": "clearAll"}
    # The replay carries the current state, not the history.
    assert msgs[1] == protocol.spawn("label", label.instance_id, {"text": "c"})
    for i in range(500):
        label.text = str(i)
    wait_until(lambda: t.messages()[-1].get("payload", {}).get("options", {}).get("text") == "499")
    texts = [m["payload"]["options"]["text"] for m in t.messages() if m["type"] == "update"]
    assert texts == [str(i) for i in range(500)]


def test_batches_only_when_every_ui_supports_them(harness: Harness) -> None:
    t = harness.connected()
    harness.ui_online(t, "ui-batch", caps=["batch"])
    label = sidekick.Label("x")
    svc = harness.service
    # Hold the loop's lock so a burst accumulates, then release: one drain.
    with svc.lock:
        for i in range(300):
            label.text = str(i)
    wait_until(lambda: len(of_type(t.messages(), "update")) == 300)
    batches = [f for f in t.frames if '"type":"batch"' in f]
    assert batches, "a burst to a batch-capable UI should be batched"
    assert all(len(f) < protocol.MAX_BATCH_BYTES + 4096 for f in t.frames)

    harness.ui_online(t, "ui-old", caps=[])
    before = len(t.frames)
    with svc.lock:
        for i in range(50):
            label.text = "old" + str(i)
    wait_until(lambda: t.messages()[-1]["payload"].get("options", {}).get("text") == "old49")
    assert not any('"type":"batch"' in f for f in t.frames[before:])


def test_batch_frames_are_capped(harness: Harness) -> None:
    t = harness.connected()
    harness.ui_online(t)
    label = sidekick.Label("")
    big = "x" * (protocol.MAX_BATCH_BYTES // 3)  # two fit in a frame, not three
    with harness.service.lock:
        for _ in range(40):
            label.text = big
    wait_until(lambda: len(of_type(t.messages(), "update")) == 40)
    assert max(len(f) for f in t.frames) <= protocol.MAX_BATCH_BYTES
    assert sum('"type":"batch"' in f for f in t.frames) >= 5


def test_replay_on_every_ui_online(harness: Harness) -> None:
    t = harness.connected()
    harness.ui_online(t, "ui-1")
    a = sidekick.Label("a")
    b = sidekick.Button("b")
    a.text = "a2"
    b.remove()
    harness.ui_online(t, "ui-2")  # second tab / reload
    wait_until(
        lambda: t.messages().count({"id": 0, "component": "global", "type": "clearAll"}) == 2
    )
    msgs = t.messages()
    last_clear = max(i for i, m in enumerate(msgs) if m.get("type") == "clearAll")
    replay = msgs[last_clear + 1 :]
    assert replay == [protocol.spawn("label", a.instance_id, {"text": "a2"})]


def test_ui_offline_stops_forwarding_and_state_is_kept(harness: Harness) -> None:
    from tests.support.peers import announce

    t = harness.connected()
    harness.ui_online(t, "ui-1")
    label = sidekick.Label("one")
    harness.inject(t, announce("ui-1", "sidekick", "offline"))
    wait_until(lambda: not harness.service.is_connected())
    label.text = "two"  # nobody to send to: recorded in state only
    harness.ui_online(t, "ui-1")
    wait_until(lambda: t.messages()[-1].get("payload", {}).get("text") == "two")


def test_event_dispatch_runs_on_callback_thread(harness: Harness) -> None:
    t = harness.connected()
    harness.ui_online(t)
    seen: List[Any] = []
    button = sidekick.Button(
        "go", on_click=lambda e: seen.append((e, threading.current_thread().name))
    )
    harness.click(t, button)
    wait_until(lambda: seen)
    event, thread = seen[0]
    assert event == sidekick.ButtonClickEvent(button.instance_id, "click")
    assert thread == "sidekick-callbacks"


def test_events_only_reach_the_owner_and_junk_is_dropped(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    t = harness.connected()
    harness.ui_online(t)
    clicks: List[str] = []
    button = sidekick.Button("go", on_click=lambda e: clicks.append(e.instance_id))
    junk: List[Any] = [
        "not json",
        "[1,2]",
        '{"component": 5}',
        '{"component":"button","type":"event","payload":{}}',  # no src
        '{"component":"button","type":"event","src":"nobody","payload":{"event":"click"}}',
        # A grid event aimed at a button: not dispatched to it.
        json.dumps(
            {
                "component": "grid",
                "type": "event",
                "src": button.instance_id,
                "payload": {"event": "click", "x": 1, "y": 1},
            }
        ),
        '{"component":"global","type":"batch","payload":{"messages":[{"component":"global",'
        '"type":"batch","payload":{"messages":[]}}, 7]}}',
        b"\x00binary",
        '{"component":"button","type":"event","src":"x","payload":[1]}',
    ]
    with caplog.at_level(logging.WARNING, logger="sidekick"):
        for frame in junk:
            harness.inject(t, frame)
        harness.click(t, button)
        wait_until(lambda: clicks)
    assert clicks == [button.instance_id]
    assert harness.service.state == "active" and not t.closed
    assert any("invalid message" in r.getMessage() for r in caplog.records)


def test_raising_callback_reports_and_next_runs(
    harness: Harness, capfd: pytest.CaptureFixture
) -> None:
    t = harness.connected()
    harness.ui_online(t)
    calls: List[int] = []

    def bad(event: Any) -> None:
        calls.append(1)
        raise RuntimeError("boom in callback")

    async def good_async(event: Any) -> None:
        await asyncio.sleep(0)
        calls.append(2)
        raise KeyError("async boom")

    b1 = sidekick.Button("1", on_click=bad)
    b2 = sidekick.Button("2", on_click=good_async)
    for b in (b1, b2):
        harness.click(t, b)
    wait_until(lambda: calls == [1, 2])
    err = ""
    for _ in range(100):
        err += capfd.readouterr().err
        if "boom in callback" in err and "async boom" in err:
            break
        threading.Event().wait(0.02)
    assert "RuntimeError: boom in callback" in err and "Traceback" in err
    assert "KeyError: 'async boom'" in err


def test_ui_error_goes_to_on_error_or_warning(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    t = harness.connected()
    harness.ui_online(t)
    errors: List[Any] = []
    a = sidekick.Label("a")
    a.on_error(errors.append)
    b = sidekick.Label("b")
    with caplog.at_level(logging.WARNING, logger="sidekick"):
        for lab in (a, b):
            harness.inject(
                t,
                {
                    "component": "label",
                    "type": "error",
                    "src": lab.instance_id,
                    "payload": {"message": "cannot"},
                },
            )
        wait_until(lambda: errors and any("cannot" in r.getMessage() for r in caplog.records))
    assert errors == [sidekick.ErrorEvent(a.instance_id, "error", "cannot")]


def test_reconnect_replays_and_warns_once(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    t1 = harness.connected()
    harness.ui_online(t1)
    label = sidekick.Label("before")
    harness.connector.refuse_reconnect = 2  # down for two attempts (0.5 s + 1 s)
    with caplog.at_level(logging.WARNING, logger="sidekick"):
        harness.drop(t1)
        wait_until(lambda: not harness.service.is_connected())
        label.text = "during"
        wait_until(lambda: len(harness.connector.transports) == 2, timeout=10)
        t2 = harness.connector.current
        wait_until(lambda: t2.frames)
        harness.ui_online(t2)
        wait_until(lambda: any(m.get("payload", {}).get("text") == "during" for m in t2.messages()))
    lost = [r for r in caplog.records if "lost the connection" in r.getMessage()]
    back = [r for r in caplog.records if "connection is back" in r.getMessage()]
    assert len(lost) == 1 and len(back) == 1


def test_flush_waits_until_sent(harness: Harness) -> None:
    t = harness.connected()
    harness.ui_online(t)
    label = sidekick.Label("")
    for i in range(2000):
        label.text = str(i)
    sidekick.flush(timeout=5)
    assert t.messages()[-1]["payload"]["options"]["text"] == "1999"


def test_bad_values_raise_at_the_call_and_nothing_breaks(harness: Harness) -> None:
    t = harness.connected()
    harness.ui_online(t)
    label = sidekick.Label("ok")
    with pytest.raises(ValueError, match="NaN"):
        protocol.dumps({"x": float("nan")})  # what every call encodes with
    with pytest.raises(TypeError):
        sidekick.Button("x", on_click=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sidekick.Label("x", instance_id=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        sidekick.Label("x", instance_id=label.instance_id)
    label.text = "still fine"
    wait_until(
        lambda: t.messages()[-1].get("payload", {}).get("options", {}).get("text") == "still fine"
    )


def test_clear_all_and_removed_components(harness: Harness) -> None:
    t = harness.connected()
    harness.ui_online(t)
    label = sidekick.Label("x")
    sidekick.clear_all()
    wait_until(lambda: t.messages()[-1] == {"id": 0, "component": "global", "type": "clearAll"})
    with pytest.raises(SidekickError, match="removed"):
        label.text = "y"
    label.remove()  # idempotent
    assert harness.service.components == {}


def test_global_handler_sees_inbound(harness: Harness) -> None:
    t = harness.connected()
    seen: List[Any] = []
    sidekick.register_global_message_handler(seen.append)
    harness.ui_online(t)
    wait_until(lambda: seen)
    assert seen[0]["component"] == "system"
    with pytest.raises(TypeError):
        sidekick.register_global_message_handler(3)  # type: ignore[arg-type]
    sidekick.register_global_message_handler(None)


def test_first_connect_failure_is_raised_by_waits(harness: Harness) -> None:
    harness.connector.refuse_first = True
    sidekick.activate_connection()
    wait_until(lambda: harness.service.state == "failed")
    with pytest.raises(SidekickConnectionRefusedError):
        sidekick.wait_for_connection(timeout=1)
    with pytest.raises(SidekickConnectionRefusedError):
        sidekick.run_forever()


def test_wait_for_connection_times_out(harness: Harness) -> None:
    harness.connected()
    with pytest.raises(SidekickTimeoutError) as info:
        sidekick.wait_for_connection(timeout=0.2)
    assert info.value.timeout_seconds == 0.2
    with pytest.raises(ValueError):
        sidekick.wait_for_connection(timeout=-1)


def test_shutdown_then_new_call_reconnects(harness: Harness) -> None:
    t1 = harness.connected()
    harness.ui_online(t1)
    label = sidekick.Label("x")
    sidekick.shutdown(wait=True)
    assert harness.service.state == "shutdown"
    label.text = "again"  # starts a fresh connection
    wait_until(lambda: len(harness.connector.transports) == 2 and harness.service.state == "active")
    t2 = harness.connector.current
    harness.ui_online(t2)
    wait_until(lambda: any(m.get("payload", {}).get("text") == "again" for m in t2.messages()))


def test_run_forever_returns_after_shutdown_from_callback(harness: Harness) -> None:
    t = harness.connected()
    harness.ui_online(t)
    button = sidekick.Button("stop", on_click=lambda e: sidekick.shutdown())
    harness.click(t, button)
    sidekick.run_forever()
    wait_until(lambda: harness.service.state == "shutdown", what="shutdown completes")


def test_submit_interval_and_task(harness: Harness) -> None:
    harness.connected()
    ticks: List[str] = []
    handle = sidekick.submit_interval(lambda: ticks.append(threading.current_thread().name), 0.01)
    wait_until(lambda: len(ticks) >= 3)
    handle.cancel()
    assert set(ticks) == {"sidekick-callbacks"}

    async def answer() -> int:
        return 42

    assert sidekick.submit_task(answer()).result(timeout=5) == 42  # type: ignore[union-attr]
    with pytest.raises(TypeError):
        sidekick.submit_interval("nope", 1)  # type: ignore[arg-type]
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            sidekick.submit_interval(lambda: None, bad)
    with pytest.raises(TypeError):
        sidekick.submit_interval(lambda: None, "1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sidekick.submit_task(answer)  # type: ignore[arg-type]


def test_set_url_validates() -> None:
    for bad in ("http://x", "localhost:5163", "ws://"):
        with pytest.raises(ValueError):
            sidekick.set_url(bad)
    with pytest.raises(TypeError):
        sidekick.set_url(5163)  # type: ignore[arg-type]


def test_run_forever_async_inside_users_asyncio_run(harness: Harness) -> None:
    t = harness.connected()
    harness.ui_online(t)
    clicked: List[str] = []

    def stop(event: Any) -> None:
        clicked.append(event.instance_id)
        sidekick.shutdown()

    async def main() -> None:
        button = sidekick.Button("stop", on_click=stop)
        harness.click(t, button)
        await asyncio.wait_for(sidekick.run_forever_async(), 5)

    asyncio.run(main())
    assert clicked
    wait_until(lambda: harness.service.state == "shutdown", what="shutdown completes")


def test_flush_does_not_hang_when_the_transport_drops_mid_send(harness: Harness) -> None:
    t = harness.connected()
    harness.ui_online(t)
    label = sidekick.Label("")
    t.closed = True  # the next send raises TransportClosed, as a dropped socket does
    label.text = "lost with the socket"
    sidekick.flush(timeout=5)  # returns: the reconnect's replay carries this state
    wait_until(lambda: len(harness.connector.transports) == 2, timeout=10)
    t2 = harness.connector.current
    wait_until(lambda: t2.frames)
    harness.ui_online(t2)
    wait_until(
        lambda: any(
            m.get("payload", {}).get("text") == "lost with the socket" for m in t2.messages()
        )
    )


def test_set_url_after_a_failure_lets_the_next_call_retry(harness: Harness) -> None:
    harness.connector.refuse_first = True
    label = sidekick.Label("x")
    wait_until(lambda: harness.service.state == "failed")
    label.text = "still failed"  # a component call does not retry on its own
    assert harness.service.state == "failed" and not harness.connector.transports
    harness.connector.refuse_first = False
    sidekick.set_url("ws://127.0.0.1:9")  # a new URL: the next call tries again
    label.text = "retry"
    wait_until(lambda: harness.service.state == "active", what="reconnected after set_url")
    sidekick.set_url(None)

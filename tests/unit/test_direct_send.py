"""An idle connection's next message leaves from the caller's thread; bursts still batch."""

from __future__ import annotations

import json
import threading
import time

import pytest

import sidekick
from sidekick import protocol, service

from .memory import DirectMemoryTransport, Harness, wait_until


@pytest.fixture(autouse=True)
def direct(harness: Harness) -> None:
    # Before any component exists: the first one starts connecting at once.
    harness.connector.direct = True


def connected(harness: Harness) -> DirectMemoryTransport:
    t = harness.connected()
    harness.ui_online(t)
    sidekick.flush(timeout=5)
    assert isinstance(t, DirectMemoryTransport)
    return t


def texts(t: DirectMemoryTransport) -> list:
    return [
        m["payload"]["options"]["text"]
        for m in t.messages()
        if m["type"] == "update" and m["payload"]["action"] == "setText"
    ]


def test_an_idle_update_is_written_by_the_caller(harness: Harness) -> None:
    label = sidekick.Label("a")
    t = connected(harness)
    time.sleep(0.01)  # idle
    label.text = "b"
    # Written before the setter returned, and not by the loop (t.direct):
    assert json.loads(t.direct[-1])["payload"]["options"]["text"] == "b"
    sidekick.flush(timeout=0.001)  # nothing to wait for: it is already written


def test_answers_a_fraction_of_a_millisecond_apart_each_leave_at_once(harness: Harness) -> None:
    # As when the UI's events come back to back: each answer finds nothing
    # queued and nothing being written, so none waits for the loop's next look.
    label = sidekick.Label("a")
    t = connected(harness)
    time.sleep(0.01)
    direct_before = len(t.direct)
    for i in range(5):
        label.text = f"answer {i}"
        time.sleep(0.0005)
    answers = [json.loads(f)["payload"]["options"]["text"] for f in t.direct[direct_before:]]
    assert answers == [f"answer {i}" for i in range(5)]


def test_a_burst_sends_its_first_message_directly_and_batches_the_rest(harness: Harness) -> None:
    label = sidekick.Label("start")
    t = connected(harness)
    time.sleep(0.01)
    frames_before, direct_before = len(t.frames), len(t.direct)
    for i in range(2000):
        label.text = str(i)
    sidekick.flush(timeout=5)
    assert texts(t)[-2000:] == [str(i) for i in range(2000)]  # order kept across both paths
    # The first message went alone, from this thread (full batches may follow it).
    first = json.loads(t.direct[direct_before])
    assert first["type"] == "update" and first["payload"]["options"]["text"] == "0"
    # Far fewer frames than messages: the loop batched what the caller did not write.
    assert len(t.frames) - frames_before < 200


def is_batch(frame: str) -> bool:
    m = json.loads(frame)
    return bool(m["component"] == "global" and m["type"] == "batch")


def test_a_burst_writes_its_full_batches_from_the_callers_thread(harness: Harness) -> None:
    label = sidekick.Label("start")
    t = connected(harness)
    for i in range(2000):  # ~140 KB of updates: several frames' worth
        label.text = str(i)
    # Before flush: whole batch frames were written by the caller, not the loop.
    direct_batches = [f for f in t.direct if is_batch(f)]
    assert len(direct_batches) >= 2
    assert all(len(f) <= protocol.MAX_BATCH_BYTES for f in direct_batches)
    sidekick.flush(timeout=5)
    assert texts(t)[-2000:] == [str(i) for i in range(2000)]


def test_the_loop_leaves_a_burst_to_callers_writing_it(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A long linger, so a burst spans many of the loop's looks on any machine.
    monkeypatch.setattr(service, "_LINGER", 0.1)
    label = sidekick.Label("start")
    t = connected(harness)
    time.sleep(0.01)
    frames_before, direct_before = len(t.frames), len(t.direct)
    sent = 0
    end = time.monotonic() + 0.6  # six lingers
    while time.monotonic() < end:
        label.text = str(sent)
        sent += 1
    sidekick.flush(timeout=5)
    assert texts(t)[-sent:] == [str(i) for i in range(sent)]
    by_callers = len(t.direct) - direct_before
    by_loop = len(t.frames) - frames_before - by_callers
    assert by_callers >= 8, by_callers
    # The first wake's write and the tail (and one spare, should this thread
    # stall for a whole linger); it wrote at every look before (6 here).
    assert by_loop <= 3, by_loop


def test_without_batching_ui_a_burst_is_written_by_the_loop(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    label = sidekick.Label("start")
    t = harness.connected()
    harness.ui_online(t, caps=())  # a UI that does not take batch frames
    sidekick.flush(timeout=5)
    assert isinstance(t, DirectMemoryTransport)
    svc = harness.service
    looks = []
    full = svc._queue_full_locked
    monkeypatch.setattr(svc, "_queue_full_locked", lambda: looks.append(1) or full())
    time.sleep(0.01)
    for i in range(2000):
        label.text = str(i)
    sidekick.flush(timeout=5)
    assert texts(t)[-2000:] == [str(i) for i in range(2000)]
    assert len(t.direct) <= 1 and not any(is_batch(f) for f in t.frames)
    # Past the first 30 KB the queue is looked at once per loop write, not
    # once per call (it was ~1,500 times here, ~1,500 instructions each).
    assert len(looks) < 100, len(looks)


def test_a_refused_direct_write_goes_through_the_queue(harness: Harness) -> None:
    label = sidekick.Label("a")
    t = connected(harness)
    t.accept_direct = False
    time.sleep(0.01)
    label.text = "queued"
    sidekick.flush(timeout=5)
    assert texts(t)[-1] == "queued" and not t.direct


def test_a_busy_connection_is_not_asked_again_at_every_call_of_a_burst(harness: Harness) -> None:
    label = sidekick.Label("a")
    t = connected(harness)
    t.accept_direct = False  # as when the socket is full
    t.attempts = 0
    for i in range(2000):
        label.text = str(i)
    sidekick.flush(timeout=5)
    assert texts(t)[-2000:] == [str(i) for i in range(2000)]
    # Once refused, the burst leaves the queue to the loop until it has written:
    # about one attempt per loop write, not one per message past the first frame.
    assert t.attempts < 100, t.attempts


def test_updates_from_many_threads_keep_each_threads_order(harness: Harness) -> None:
    labels = [sidekick.Label(str(n)) for n in range(4)]
    t = connected(harness)

    def work(label: sidekick.Label) -> None:
        for i in range(300):
            label.text = f"{label.instance_id}:{i}"
            if i % 50 == 0:
                time.sleep(0.002)  # idle gaps, so some go directly

    threads = [threading.Thread(target=work, args=(lb,)) for lb in labels]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    sidekick.flush(timeout=5)
    wait_until(lambda: len(texts(t)) >= 1200, what="all updates")
    assert t.direct  # the idle gaps did use the direct path
    for label in labels:
        mine = [x for x in texts(t) if x.startswith(label.instance_id + ":")]
        assert mine == [f"{label.instance_id}:{i}" for i in range(300)]

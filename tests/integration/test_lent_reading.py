"""The callback thread reading the connection itself while it is idle (a lent reading).

First the transport's side, against a raw server that writes exactly the
bytes each test needs; then whole scripts through a real relay: events read by
the callback thread keep their order with those the loop reads, and a long
callback does not keep the loop from reading (a new UI still gets its replay).
"""

from __future__ import annotations

import asyncio
import json
import select
import socket
import struct
import subprocess
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional, Tuple

import pytest

from sidekick import callbacks
from sidekick.callbacks import CallbackRunner
from sidekick.task_manager import TaskManager
from sidekick.transport import frames
from sidekick.transport.websocket import WebSocketTransport, connect_websocket
from tests.support.peers import UIPeer, newcomer_sees
from tests.support.procs import Server, start_script, write_script
from tests.support.rawserver import Wire, raw_server, run

# Server frames (unmasked): texts "a", "b", "c", and an empty ping.
TEXT_A, TEXT_B, TEXT_C = b"\x81\x01a", b"\x81\x01b", b"\x81\x01c"
PING = b"\x89\x00"


def borrow_once(client: WebSocketTransport, fd: int) -> Optional[List[str]]:
    """What a borrowing thread does: wait until readable, read, give back if the loan ended."""
    readable, _, _ = select.select([fd], [], [], 5)
    assert readable, "nothing arrived on the lent socket"
    delivered: List[str] = []
    texts = client.read_lent(delivered.extend)
    assert delivered == (texts or []), "read_lent must deliver what it returns"
    if texts is not None and not client.lent:
        client.give_back()
    return texts


async def until(check: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.005)


async def lent(url: str, wire: Wire, wake: Callable[[], None] = lambda: None) -> tuple:
    """A connected client whose reading is lent: (client, what the loop got, descriptor)."""
    client = await connect_websocket(url)
    await wire.connected.wait()
    got: List[Any] = []
    client.set_receiver(got.append)
    fd = client.lend_reading(wake)
    assert fd is not None and client.lent
    return client, got, fd


async def borrow(client: WebSocketTransport, fd: int) -> Optional[List[str]]:
    return await asyncio.get_running_loop().run_in_executor(None, borrow_once, client, fd)


def test_the_borrower_keeps_the_texts_and_the_loop_gets_the_rest_in_order() -> None:
    async def body(url: str, wire: Wire) -> None:
        woken: List[int] = []
        client, got, fd = await lent(url, wire, lambda: woken.append(1))
        assert client.lend_reading(lambda: None) is None  # one loan at a time
        wire.write(TEXT_A + TEXT_B + PING + TEXT_C)
        assert await borrow(client, fd) == ["a", "b"]  # up to the ping; the loop has the rest
        await until(lambda: got == ["c"], "the text after the ping, through the loop")
        await until(lambda: b"\x8a\x80" in wire.received, "our pong")  # masked, empty
        assert not client.lent and not woken  # given back: nobody to wake
        # Reading is the loop's again, and it can be lent again.
        wire.write(TEXT_A)
        await until(lambda: got == ["c", "a"], "a text read by the loop")
        fd = client.lend_reading(lambda: None)
        assert fd is not None
        wire.write(TEXT_B + TEXT_C)
        assert await borrow(client, fd) == ["b", "c"]
        assert client.lent  # only texts came: the borrower keeps reading
        client.give_back()
        await until(lambda: not client.lent, "the loan to end")
        await client.close()

    run(raw_server(body))


def test_the_loop_takes_the_reading_back_only_after_the_borrower_delivered() -> None:
    # Else the loop could read a later message and deliver it first.
    async def body(url: str, wire: Wire) -> None:
        client, got, fd = await lent(url, wire)
        lent_while_delivering: List[bool] = []

        def deliver(texts: List[str]) -> None:
            client.give_back()  # as the loop's check of a long callback may, just now
            time.sleep(0.05)  # the loop's turn to take the reading back...
            lent_while_delivering.append(client.lent)  # ...which waits for this

        def borrower() -> Optional[List[str]]:
            readable, _, _ = select.select([fd], [], [], 5)
            assert readable, "nothing arrived on the lent socket"
            return client.read_lent(deliver)

        wire.write(TEXT_A)
        assert await asyncio.get_running_loop().run_in_executor(None, borrower) == ["a"]
        assert lent_while_delivering == [True]
        await until(lambda: not client.lent, "the loan to end")
        wire.write(TEXT_B)
        await until(lambda: got == ["b"], "the next text, through the loop")
        await client.close()

    run(raw_server(body))


def test_a_reset_while_lent_closes_the_connection_and_says_why() -> None:
    async def body(url: str, wire: Wire) -> None:
        client, _, fd = await lent(url, wire)
        assert wire.writer is not None
        sock = wire.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        wire.writer.transport.abort()  # closing with linger 0: a reset
        assert await borrow(client, fd) == []
        await until(lambda: client._closed is not None, "the connection to close")
        assert "connection lost" in client._closed and "reset" in client._closed.lower()

    run(raw_server(body))


def test_a_partial_frame_is_left_to_the_loop() -> None:
    async def body(url: str, wire: Wire) -> None:
        client, got, fd = await lent(url, wire)
        message = b"\x81\x7e\x01\x00" + b"x" * 256  # a 256-byte text (16-bit length)
        wire.write(TEXT_A + message[:100])
        assert await borrow(client, fd) == ["a"]
        assert not client.lent
        await until(lambda: not client._lent, "the loop to take the reading back")
        assert client.lend_reading(lambda: None) is None  # the loop finishes the frame
        wire.write(message[100:])
        await until(lambda: got == ["x" * 256], "the rest of the message, through the loop")
        await client.close()

    run(raw_server(body))


def test_the_end_of_the_stream_while_lent_closes_the_connection() -> None:
    async def body(url: str, wire: Wire) -> None:
        client, got, fd = await lent(url, wire)
        assert wire.writer is not None
        wire.write(TEXT_A)
        wire.writer.close()  # then the end of the stream
        texts: List[str] = []
        while True:  # "a" and the end may come in one read or two
            more = await borrow(client, fd)
            texts += more or []
            if not client.lent:
                break
        assert texts == ["a"]
        await until(lambda: client._closed is not None, "the connection to close")
        assert client.lend_reading(lambda: None) is None  # nothing left to lend

    run(raw_server(body))


def test_closing_while_lent_wakes_the_borrower() -> None:
    async def body(url: str, wire: Wire) -> None:
        woken = threading.Event()
        client, _, _ = await lent(url, wire, woken.set)
        closing = asyncio.ensure_future(client.close())
        await until(woken.is_set, "the borrower's wake-up")
        assert not client.lent
        assert client.read_lent(pytest.fail) is None  # the loan is over: it must not read
        assert wire.writer is not None
        wire.writer.close()  # the server's side of the close
        await closing

    run(raw_server(body))


def pongs(wire: Wire) -> int:
    sent = frames.FrameParser(len(wire.received), server=True).feed(wire.received)
    return sum(opcode == frames.OP_PONG for opcode, _ in sent)


def test_only_the_latest_loan_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each loan starts the loop's periodic check; a new loan's must replace the last one's."""
    monkeypatch.setattr(callbacks, "_LOAN_CHECK", 0.05)

    async def body(url: str, wire: Wire) -> None:
        client = await connect_websocket(url)
        await wire.connected.wait()
        client.set_receiver(lambda message: None)
        runner = CallbackRunner(TaskManager())
        checked: List[Any] = []
        check = runner._check_loan

        def spy(loan: Any) -> None:
            checked.append(loan)
            check(loan)

        monkeypatch.setattr(runner, "_check_loan", spy)
        runner.read_from(client, lambda texts: None)
        runner.submit(lambda: None)  # the runner's thread: idle after this, it borrows
        await until(lambda: client.lent, "the first loan")
        for n in range(1, 6):  # each ping ends a loan; the runner borrows again
            wire.write(PING)
            await until(lambda n=n: pongs(wire) == n and client.lent, f"loan {n + 1}")
        # On the socket, the runner keeps this loan; earlier loans' checks had their turn.
        await until(lambda: runner._waiting, "the runner to wait on the socket")
        await asyncio.sleep(2 * callbacks._LOAN_CHECK)
        checked.clear()
        await asyncio.sleep(6 * callbacks._LOAN_CHECK)
        assert checked, "the loan is not checked"
        assert all(loan is checked[-1] for loan in checked), "earlier loans are still checked"
        runner.stop_reading()
        await client.close()

    run(raw_server(body))


# A hero's prologue: lent_reads[0] counts the reads by the callback thread that got texts.
COUNT_LENT_READS = """
import json
import sidekick
from sidekick.transport.websocket import WebSocketTransport

lent_reads = [0]
read_lent = WebSocketTransport.read_lent

def counting_read_lent(self, deliver):
    texts = read_lent(self, deliver)
    lent_reads[0] += bool(texts)
    return texts

WebSocketTransport.read_lent = counting_read_lent
"""

ORDER_HERO = (
    COUNT_LENT_READS
    + """
box = sidekick.Textbox()
label = sidekick.Label("0")
seen = []

@box.submit
def submitted(event):
    seen.append(int(event.value))
    if len(seen) == 1000:
        print(json.dumps({"seen": seen, "lent_reads": lent_reads[0]}), flush=True)
    label.text = str(len(seen))

sidekick.run_forever()
"""
)


@contextmanager
def hero(server: Server, tmp_path: Path, source: str) -> Iterator[Tuple[UIPeer, subprocess.Popen]]:
    """A UI, then the hero script ``source`` (killed at the end)."""
    ui = UIPeer(server.ws_url)
    proc = start_script(write_script(tmp_path, source), server.ws_url)
    try:
        yield ui, proc
    finally:
        ui.close()
        proc.kill()
        proc.wait(5)


def last_printed(proc: subprocess.Popen) -> Any:
    """The JSON line the hero printed last (it is killed first)."""
    proc.kill()
    out, err = proc.communicate(timeout=10)
    assert out.strip(), f"the hero printed nothing; stderr: {err[-2000:]}"
    return json.loads(out.strip().splitlines()[-1])


def test_events_keep_their_order_whichever_thread_reads_them(
    server: Server, tmp_path: Path
) -> None:
    with hero(server, tmp_path, ORDER_HERO) as (ui, proc):
        ui.wait_for(lambda u: "textbox-1" in u.model.components, what="the textbox")
        # One by one (each read by the idle callback thread), then a flood
        # that arrives while callbacks run (read by both threads in turn).
        for i in range(20):
            ui.event("textbox", "textbox-1", {"event": "submit", "value": str(i)})
            ui.wait_for(lambda u, n=i + 1: u.model.texts().get("label-1") == str(n), what=f"{i}")
        for i in range(20, 1000):
            ui.event("textbox", "textbox-1", {"event": "submit", "value": str(i)})
        ui.wait_for(lambda u: u.model.texts().get("label-1") == "1000", what="all 1000 events")
        # A UI arriving now is announced to the idle callback thread, which
        # passes the announce to the loop: the newcomer gets the picture.
        newcomer_sees(server.ws_url, lambda u: u.model.texts().get("label-1") == "1000")
        result = last_printed(proc)
        assert result["seen"] == list(range(1000))
        assert result["lent_reads"] >= 20, "the callback thread never read the socket itself"


SLOW_HERO = (
    COUNT_LENT_READS
    + """
import time

label = sidekick.Label("start")
button = sidekick.Button("slow")

@button.click
def clicked(event):
    if label.text == "start":
        label.text = "ready"  # the callback thread exists now, and borrows the reading
        return
    print(json.dumps({"lent_reads": lent_reads[0]}), flush=True)
    time.sleep(4)  # long enough for a new UI to come and be served meanwhile
    label.text = "slept"

sidekick.run_forever()
"""
)


def test_a_long_callback_does_not_keep_the_loop_from_reading(
    server: Server, tmp_path: Path
) -> None:
    with hero(server, tmp_path, SLOW_HERO) as (first, proc):
        first.wait_for(lambda u: "button-1" in u.model.components, what="the button")
        first.event("button", "button-1", {"event": "click"})
        first.wait_for(lambda u: u.model.texts().get("label-1") == "ready", what="the first click")
        time.sleep(0.2)  # idle: the callback thread now waits on the socket itself
        first.event("button", "button-1", {"event": "click"})  # read by the callback thread
        # A UI that comes while the callback sleeps gets the picture as it is
        # now: its announce was read although the callback thread is busy.
        with closing(UIPeer(server.ws_url)) as second:
            second.wait_for(lambda u: u.model.texts().get("label-1") == "ready", what="the replay")
            assert first.model.texts().get("label-1") == "ready", "the callback had already ended"
            second.wait_for(
                lambda u: u.model.texts().get("label-1") == "slept", what="the callback"
            )
        assert last_printed(proc)["lent_reads"] >= 1, (
            "the click was not read by the callback thread"
        )


def test_a_protocol_violation_while_lent_delivers_each_text_once_and_closes() -> None:
    async def body(url: str, wire: Wire) -> None:
        client, got, fd = await lent(url, wire)
        wire.write(TEXT_A + b"\x81\x81abcdx")  # then a masked frame: servers must not mask
        assert await borrow(client, fd) == ["a"]
        await until(lambda: client._closed is not None, "the connection to close")
        assert "protocol error: the server masked" in client._closed
        assert got == []  # "a" went to the borrower only, not to the loop as well

    run(raw_server(body))

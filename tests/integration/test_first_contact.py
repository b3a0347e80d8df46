"""The first connection, made before asyncio loads (sidekick.transport.contact).

A script's first picture is written by the loop thread's prelude, over a
plain socket, and the loop adopts that connection afterwards: what the
prelude read beyond the UIs' announces reaches the script in order.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from sidekick.server.connection import text_frame
from sidekick.transport import frames
from sidekick.transport.frames import FrameParser
from tests.support.peers import UIPeer, announce, newcomer_sees
from tests.support.procs import Server, base_env, start_script, write_script
from tests.support.rawserver import Wire, raw_server, run

# When asyncio is first imported, note how many messages the service had
# written by then, and on which thread.
SPY = """
import json, sys, threading, time

seen = {}

class AsyncioSpy:
    def find_spec(self, name, path=None, target=None):
        if name == "asyncio" and not seen:
            from sidekick import service
            seen["sent"] = service._service._sent if service._service else None
            seen["thread"] = threading.current_thread().name
        return None

sys.meta_path.insert(0, AsyncioSpy())
"""

PICTURE_HERO = (
    SPY
    + """
import sidekick

label = sidekick.Label("hello")
button = sidekick.Button("go")

@button.click
def clicked(event):
    label.text = "clicked"

# Returns once the loop has the connection too, not when the prelude has a UI.
sidekick.wait_for_connection(10)
print(json.dumps(dict(seen, connected=sidekick.is_connected())), flush=True)
sidekick.run_forever()
"""
)


def test_the_first_picture_leaves_before_asyncio_loads(server: Server, tmp_path: Path) -> None:
    ui = UIPeer(server.ws_url)
    proc = start_script(write_script(tmp_path, PICTURE_HERO), server.ws_url)
    try:
        ui.wait_for(lambda u: u.model.texts().get("label-1") == "hello", what="the label")
        seen = json.loads(proc.stdout.readline())  # type: ignore[union-attr]
        # The picture (clearAll and a spawn or two, as the script got there)
        # was on the wire before asyncio was imported.
        assert seen["sent"] >= 2 and seen["thread"] == "sidekick-loop", seen
        assert seen["connected"], "wait_for_connection() returned before is_connected()"
        # The adopted connection carries the rest: a click, its answer, a newcomer.
        ui.event("button", "button-1", {"event": "click"})
        ui.wait_for(lambda u: u.model.texts().get("label-1") == "clicked", what="the answer")
        newcomer_sees(server.ws_url, lambda u: u.model.texts().get("label-1") == "clicked")
    finally:
        ui.close()
        proc.kill()
        proc.communicate(timeout=10)


BUTTON_HERO = """
import sidekick

button = sidekick.Button("go")

@button.click
def clicked(event):
    print("clicked", flush=True)
    sidekick.shutdown()

sidekick.run_forever()
"""


def test_what_the_first_contact_reads_after_the_announces_reaches_the_script(
    tmp_path: Path,
) -> None:
    """A server that, at once, announces a UI, sends a click and pings.

    The prelude handles the announce (the picture goes out) and leaves the
    click and the ping to the loop's transport: the callback runs once, the
    ping gets its pong.
    """
    ui_online = json.dumps(announce("ui-1", "sidekick")).encode()
    event = {"event": "click"}
    click = json.dumps(
        {"id": 0, "component": "button", "type": "event", "src": "button-1", "payload": event}
    ).encode()
    script = write_script(tmp_path, BUTTON_HERO)

    async def body(url: str, wire: Wire) -> None:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(script), stdout=subprocess.PIPE, env=base_env(SIDEKICK_URL=url)
        )
        try:
            await asyncio.wait_for(wire.connected.wait(), 10)
            wire.write(text_frame(ui_online) + text_frame(click) + b"\x89\x04ping")
            assert proc.stdout is not None
            line = await asyncio.wait_for(proc.stdout.readline(), 10)
            assert line.strip() == b"clicked"
            await asyncio.wait_for(proc.wait(), 10)
            assert await proc.stdout.read() == b"", "the callback ran more than once"
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        sent = FrameParser(len(wire.received), server=True).feed(wire.received)
        texts = [json.loads(p) for op, p in sent if op == frames.OP_TEXT]
        kinds = [(t["component"], t["type"]) for t in texts]
        assert kinds[:3] == [
            ("system", "announce"),
            ("global", "clearAll"),
            ("button", "spawn"),
        ], kinds
        assert (frames.OP_PONG, b"ping") in sent

    run(raw_server(body), timeout=30)


BUGGY_CONTACT_HERO = """
from sidekick.transport import contact

def read_answers(self, wait):
    raise RuntimeError("a bug in the first contact")

contact.Contact.read_answers = read_answers

import sidekick

label = sidekick.Label("still here")
sidekick.wait_for_connection(10)
print("connected", flush=True)
sidekick.run_forever()
"""


def test_a_bug_in_the_first_contact_is_reported_and_the_loop_connects(
    server: Server, tmp_path: Path
) -> None:
    # A network failure falls back quietly; a bug must not hide behind it.
    ui = UIPeer(server.ws_url)
    proc = start_script(write_script(tmp_path, BUGGY_CONTACT_HERO), server.ws_url)
    try:
        ui.wait_for(lambda u: u.model.texts().get("label-1") == "still here", what="the label")
        assert proc.stdout is not None and proc.stdout.readline().strip() == "connected"
    finally:
        ui.close()
        proc.kill()
        _, err = proc.communicate(timeout=10)
    assert "the loop's prelude failed" in err and "a bug in the first contact" in err, err

"""The latency floor: a library-free hero that answers each click at once.

It speaks the wire protocol by hand on a blocking socket (``rawpeer.py``, the
same lean client the harness's UI peer uses): a button and a label, and for
each click event a ``setText`` of the label, written from the reading thread.
No asyncio, no threads handing work over: its round trip is what the relay,
the UI peer and the kernel cost, so ``latency - floor`` is what a hero library
adds.
"""

import json
import os
import sys
import threading
from urllib.parse import parse_qs, urlsplit

from _bench import URL, report

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from rawpeer import RawPeer, client_frame  # noqa: E402

BUTTON, LABEL = "button-1", "label-2"


def frame(**fields):
    return client_frame(json.dumps(dict(id=0, **fields), separators=(",", ":")).encode())


def serve(peer, clicks):
    for msg, _ in peer.messages():
        payload = msg.get("payload") or {}
        if msg.get("type") == "announce" and payload.get("role") == "sidekick":
            if payload.get("status") == "online":
                peer.send_frame(frame(component="global", type="clearAll"))
                peer.send_frame(
                    frame(component="label", type="spawn", target=LABEL, payload={"text": "0"})
                )
                peer.send_frame(
                    frame(component="button", type="spawn", target=BUTTON, payload={"text": "ping"})
                )
                report(ready=True)
        elif msg.get("type") == "event" and msg.get("src") == BUTTON:
            clicks[0] += 1
            text = f"pong {clicks[0]}"
            options = {"action": "setText", "options": {"text": text}}
            peer.send_frame(frame(component="label", type="update", target=LABEL, payload=options))


def main():
    url = urlsplit(URL)
    session = parse_qs(url.query).get("session", [""])[0]
    peer = RawPeer(url.hostname, url.port, session, f"echo-{os.getpid()}", role="hero")
    peer.sock.settimeout(None)
    clicks = [0]
    threading.Thread(target=serve, args=(peer, clicks), daemon=True).start()
    sys.stdin.readline()  # the harness is done
    report(clicks=clicks[0])


main()

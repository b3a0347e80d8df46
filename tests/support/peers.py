"""A scripted UI peer (a `sidekick` role WebSocket client) for integration tests."""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import urlencode

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.support.uimodel import UIError, UIModel

Message = Dict[str, Any]


def announce(
    peer_id: str, role: str, status: str = "online", caps: Optional[List[str]] = None
) -> Message:
    payload: Message = {
        "peerId": peer_id,
        "role": role,
        "status": status,
        "version": "test",
        "timestamp": int(time.time() * 1000),
    }
    if caps is not None:
        payload["capabilities"] = caps
    return {"id": 0, "component": "system", "type": "announce", "payload": payload}


class UIPeer:
    """Connects as a UI, records every message, keeps a :class:`UIModel`."""

    def __init__(
        self,
        url: str,
        session: Optional[str] = None,
        caps: Optional[List[str]] = None,
        peer_id: str = "ui-test",
        read: bool = True,
    ) -> None:
        if session is not None:
            url = url + ("&" if "?" in url else "?") + urlencode({"session": session})
        self.url = url
        self.peer_id = peer_id
        self.messages: List[Message] = []
        self.frames = 0
        self.model = UIModel()
        self.errors: List[str] = []  # commands the UI could not apply
        self.failure: Optional[BaseException] = None
        self.heroes: Dict[str, Message] = {}
        self._cond = threading.Condition()
        self._cm = connect(url, max_size=None, compression=None, open_timeout=5)
        self._ws = self._cm.__enter__()
        self._closed = False
        self.send(announce(peer_id, "sidekick", caps=["batch"] if caps is None else caps))
        self._thread = threading.Thread(target=self._reader, daemon=True)
        if read:
            self._thread.start()

    def start_reading(self) -> None:
        self._thread.start()

    def _reader(self) -> None:
        try:
            for frame in self._ws:
                message = json.loads(frame)
                with self._cond:
                    self.frames += 1
                    inner = (
                        message["payload"]["messages"]
                        if message.get("type") == "batch" and message.get("component") == "global"
                        else [message]
                    )
                    for m in inner:
                        self.messages.append(m)
                        if m.get("component") == "system":
                            p = m["payload"]
                            if p.get("role") == "hero":
                                if p.get("status") == "online":
                                    self.heroes[p["peerId"]] = p
                                else:
                                    self.heroes.pop(p["peerId"], None)
                        else:
                            try:
                                self.model.apply(m)
                            except UIError as exc:  # the real UI would answer with an error
                                self.errors.append(str(exc))
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        except Exception as exc:  # a bug in this helper: report it, never hide it
            self.failure = exc
        finally:
            with self._cond:
                self._closed = True
                self._cond.notify_all()

    def send(self, message: Message) -> None:
        self._ws.send(json.dumps(message))

    def event(self, component: str, src: str, payload: Message) -> None:
        self.send(
            {"id": 0, "component": component, "type": "event", "src": src, "payload": payload}
        )

    def wait_for(
        self, predicate: Callable[[UIPeer], bool], timeout: float = 10.0, what: str = ""
    ) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    last = self.messages[-5:]
                    raise AssertionError(
                        f"timed out waiting for {what or predicate}; last: {last}; "
                        f"reader failure: {self.failure!r}"
                    )
                self._cond.wait(min(remaining, 0.2))

    def wait_message(
        self, match: Callable[[Message], bool], timeout: float = 10.0, what: str = ""
    ) -> Message:
        found: List[Message] = []

        def check(peer: UIPeer) -> bool:
            for m in peer.messages:
                if match(m):
                    found.append(m)
                    return True
            return False

        self.wait_for(check, timeout, what)
        return found[0]

    def close(self) -> None:
        try:
            self._ws.close()
        except Exception:
            pass


def newcomer_sees(url: str, predicate: Callable[[UIPeer], bool], timeout: float = 10.0) -> None:
    """A UI that connects now is sent the picture (the hero's replay) ``predicate`` expects."""
    peer = UIPeer(url)
    try:
        peer.wait_for(predicate, timeout, what="the replay to a newly connected UI")
    finally:
        peer.close()

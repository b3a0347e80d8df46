"""Fixtures for the browser tests: Debian's Chromium through Playwright, a real
``sidekick serve`` subprocess, and a scripted hero peer speaking raw protocol.

Nothing here downloads a browser: Playwright drives ``/usr/bin/chromium``.
"""

from __future__ import annotations

import itertools
import json
import queue
import threading
import time
import uuid
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")
ws_sync = pytest.importorskip("websockets.sync.client")

from tests.reliability._browser import require_chromium  # noqa: E402
from tests.support import procs  # noqa: E402
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

TIMEOUT = 10.0


class Server(procs.Server):
    """``python -m sidekick serve --host 127.0.0.1`` (:class:`tests.support.procs.Server`),
    started at once."""

    def __init__(self, *extra: str, port: Optional[int] = None) -> None:
        super().__init__(port, ["--host", "127.0.0.1", *extra])
        self.http = self.http_url
        self.ws = self.ws_url
        self.start(TIMEOUT)  # kills the process itself if it does not come up


class Hero:
    """A scripted hero: raw protocol messages over a plain websockets client."""

    _ids = itertools.count(1)

    def __init__(
        self,
        server: Server,
        session: str,
        *,
        script: Optional[str] = "test_hero.py",
        query: str = "",
    ) -> None:
        self.peer_id = f"hero-{uuid.uuid4().hex[:12]}"
        self.script = script
        self.received: queue.Queue[Dict[str, Any]] = queue.Queue()
        self.seen: List[Dict[str, Any]] = []
        # Entered as a context manager: websockets >= 17.1 warns otherwise.
        self.conn = ws_sync.connect(
            f"{server.ws}/?session={session}{query}", open_timeout=TIMEOUT
        ).__enter__()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.announce("online")

    def _read(self) -> None:
        try:
            for frame in self.conn:
                if isinstance(frame, str):
                    self.received.put(json.loads(frame))
        except Exception:
            pass

    # --- sending ---------------------------------------------------------

    def send(self, message: Dict[str, Any]) -> None:
        self.conn.send(json.dumps(message, allow_nan=False))

    def announce(self, status: str) -> None:
        payload: Dict[str, Any] = {
            "peerId": self.peer_id,
            "role": "hero",
            "status": status,
            "version": "0.0-test",
            "timestamp": int(time.time() * 1000),
        }
        if self.script is not None:
            payload["script"] = self.script
        self.send({"id": 0, "component": "system", "type": "announce", "payload": payload})

    @staticmethod
    def spawn_msg(
        kind: str, target: str, payload: Optional[Dict[str, Any]] = None
    ) -> Dict[str, Any]:
        return {
            "id": 0,
            "component": kind,
            "type": "spawn",
            "target": target,
            "payload": payload or {},
        }

    @staticmethod
    def update_msg(
        kind: str, target: str, action: str, options: Optional[Dict[str, Any]] = None
    ) -> Dict[str, Any]:
        payload: Dict[str, Any] = {"action": action}
        if options is not None:
            payload["options"] = options
        return {"id": 0, "component": kind, "type": "update", "target": target, "payload": payload}

    def spawn(self, kind: str, target: str, payload: Optional[Dict[str, Any]] = None) -> None:
        self.send(self.spawn_msg(kind, target, payload))

    def update(
        self, kind: str, target: str, action: str, options: Optional[Dict[str, Any]] = None
    ) -> None:
        self.send(self.update_msg(kind, target, action, options))

    def remove(self, kind: str, target: str) -> None:
        self.send({"id": 0, "component": kind, "type": "remove", "target": target})

    def clear_all(self) -> None:
        self.send({"id": 0, "component": "global", "type": "clearAll"})

    def batch(self, messages: List[Dict[str, Any]]) -> None:
        self.send(
            {"id": 0, "component": "global", "type": "batch", "payload": {"messages": messages}}
        )

    # --- receiving -------------------------------------------------------

    def wait_for(
        self, predicate: Callable[[Dict[str, Any]], bool], timeout: float = TIMEOUT
    ) -> Dict[str, Any]:
        """The first message (seen before or arriving) that satisfies ``predicate``."""
        for message in self.seen:
            if predicate(message):
                self.seen.remove(message)
                return message
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"no matching message within {timeout}s; saw {self.seen[-10:]}"
                )
            try:
                message = self.received.get(timeout=remaining)
            except queue.Empty:
                continue
            if predicate(message):
                return message
            self.seen.append(message)

    def wait_event(self, src: str, timeout: float = TIMEOUT) -> Dict[str, Any]:
        return self.wait_for(lambda m: m.get("type") == "event" and m.get("src") == src, timeout)

    def wait_error(self, src: Optional[str] = None, timeout: float = TIMEOUT) -> Dict[str, Any]:
        return self.wait_for(
            lambda m: m.get("type") == "error" and (src is None or m.get("src") == src), timeout
        )

    def wait_ui(self, timeout: float = TIMEOUT) -> Dict[str, Any]:
        return self.wait_for(
            lambda m: (
                m.get("component") == "system"
                and m.get("type") == "announce"
                and (m.get("payload") or {}).get("role") == "sidekick"
                and (m.get("payload") or {}).get("status") == "online"
            ),
            timeout,
        )

    def drain(self) -> List[Dict[str, Any]]:
        """Everything received so far and not yet matched."""
        out = list(self.seen)
        self.seen.clear()
        while True:
            try:
                out.append(self.received.get_nowait())
            except queue.Empty:
                return out

    def close(self, *, announce_offline: bool = True) -> None:
        try:
            if announce_offline:
                self.announce("offline")
        except Exception:
            pass
        self.conn.close()
        self._reader.join(timeout=5)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server()
    try:
        yield srv
    finally:
        srv.stop()


# Module scope, not session: Playwright's sync API keeps an asyncio loop
# running on this thread while it lives, and tests elsewhere call asyncio.run().
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    with playwright_sync.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1100, "height": 900})
    ctx.set_default_timeout(TIMEOUT * 1000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def session_id() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def page(context: Any, server: Server, session_id: str) -> Iterator[Any]:
    """A page on its own session, loaded and connected (no hero yet)."""
    pg = context.new_page()
    errors: List[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(f"{server.http}/session/{session_id}")
    pg.wait_for_selector("html[data-sidekick-status=waiting]")
    try:
        yield pg
    finally:
        pg.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def hero(page: Any, server: Server, session_id: str) -> Iterator[Hero]:
    """A hero in the page's session, after it has seen the UI's announce."""
    h = Hero(server, session_id)
    try:
        h.wait_ui()
        page.wait_for_selector("html[data-sidekick-status=connected]")
        yield h
    finally:
        h.close()


@pytest.fixture
def make_server() -> Iterator[Callable[..., Server]]:
    """Start extra servers (``make_server("--token", "t")``); all stopped afterwards."""
    started: List[Server] = []

    def factory(*extra: str, port: Optional[int] = None) -> Server:
        srv = Server(*extra, port=port)
        started.append(srv)
        return srv

    try:
        yield factory
    finally:
        for srv in started:
            srv.stop()


@pytest.fixture
def make_hero() -> Iterator[Callable[..., Hero]]:
    """Connect extra heroes (``make_hero(server, session, script=...)``); all closed afterwards."""
    made: List[Hero] = []

    def factory(server: Server, session: str, **kwargs: Any) -> Hero:
        h = Hero(server, session, **kwargs)
        made.append(h)
        return h

    try:
        yield factory
    finally:
        for h in made:
            try:
                h.close(announce_offline=False)
            except Exception:
                pass

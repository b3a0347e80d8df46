"""Headless Chromium driven over the DevTools protocol, and nothing more.

The browser figures use this instead of Playwright. Playwright turns on the
protocol's Network domain, so Chromium copies every WebSocket frame the page
receives into a DevTools event, and Playwright's Node driver parses each one.
On a 2-core machine that costs as much CPU as the page itself: the same page
and hero measured 70k grid updates/s under Playwright and 133k here, in 6
interleaved runs. A user's browser pays none of it. This client only creates
pages and evaluates scripts in them; Chromium's debugging port listens on
127.0.0.1 only, and the process is ended by its PID.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import tempfile
import time
from typing import Any, Dict, Optional

import websockets

from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS

__all__ = ["Browser", "Page"]


class Browser:
    async def start(self, width: int = 1000, height: int = 900) -> Browser:
        self._profile = tempfile.mkdtemp(prefix="sidekick-bench-chromium-")
        self.proc = await asyncio.create_subprocess_exec(
            CHROMIUM,
            *CHROMIUM_ARGS,
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={self._profile}",
            f"--window-size={width},{height}",
            "about:blank",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            url = await asyncio.wait_for(self._devtools_url(), 30)
            self._stderr = asyncio.ensure_future(self._drain_stderr())
            self._ws = await websockets.connect(url, max_size=None)
        except BaseException:  # no browser to hand back: end the one started
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()
            shutil.rmtree(self._profile, ignore_errors=True)
            raise
        self._next_id = 0
        self._waiting: Dict[int, asyncio.Future[Dict[str, Any]]] = {}
        self._reader = asyncio.ensure_future(self._read())
        return self

    async def _devtools_url(self) -> str:
        assert self.proc.stderr is not None
        while True:
            line = await self.proc.stderr.readline()
            if not line:
                raise RuntimeError("Chromium exited before opening its DevTools port")
            found = re.search(rb"DevTools listening on (ws://\S+)", line)
            if found:
                return found.group(1).decode()

    async def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        while await self.proc.stderr.readline():
            pass

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                message = json.loads(raw)
                waiter = self._waiting.pop(message.get("id", -1), None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(message)
        except websockets.ConnectionClosed:
            pass
        finally:
            for waiter in self._waiting.values():
                if not waiter.done():
                    waiter.set_exception(RuntimeError("the DevTools connection closed"))

    async def send(
        self, method: str, params: Optional[Dict[str, Any]] = None, session: Optional[str] = None
    ) -> Dict[str, Any]:
        self._next_id += 1
        message: Dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        if self._reader.done():
            raise RuntimeError("the DevTools connection closed")
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[self._next_id] = waiter
        await self._ws.send(json.dumps(message))
        reply = await asyncio.wait_for(waiter, 60)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    async def new_page(self, url: str) -> Page:
        target = (await self.send("Target.createTarget", {"url": url}))["targetId"]
        attached = await self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        return Page(self, target, attached["sessionId"])

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.send("Browser.close"), 5)
        except Exception:  # noqa: BLE001 - it may be gone already; the PID is ended below
            pass
        try:
            await asyncio.wait_for(self.proc.wait(), 5)
        except asyncio.TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        self._reader.cancel()
        self._stderr.cancel()
        shutil.rmtree(self._profile, ignore_errors=True)


class Page:
    def __init__(self, browser: Browser, target: str, session: str) -> None:
        self._browser = browser
        self._target = target
        self._session = session

    async def evaluate(self, function: str, arg: Any = None) -> Any:
        """Call the JavaScript ``function`` with ``arg`` (JSON); its result, awaited."""
        result = await self._browser.send(
            "Runtime.evaluate",
            {
                "expression": f"({function})({json.dumps(arg)})",
                "returnByValue": True,
                "awaitPromise": True,
            },
            self._session,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise RuntimeError(details.get("exception", {}).get("description") or details)
        return result["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 15.0, poll: float = 0.05) -> Any:
        """Wait until the JavaScript ``expression`` is truthy; its value."""
        deadline = time.monotonic() + timeout
        error: Optional[RuntimeError] = None
        while True:
            try:
                value = await self.evaluate(f"() => {expression}")
            except RuntimeError as exc:  # e.g. the page is still navigating: try again
                value, error = None, exc
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"still false after {timeout} s: {expression}") from error
            await asyncio.sleep(poll)

    async def close(self) -> None:
        await self._browser.send("Target.closeTarget", {"targetId": self._target})

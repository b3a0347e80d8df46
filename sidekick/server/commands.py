"""What ``sidekick serve`` and ``sidekick run`` do, behind the argument parser.

Signals: SIGINT and SIGTERM end the command cleanly (no traceback). Where the
event loop cannot install signal handlers (Windows), Ctrl+C surfaces as
``KeyboardInterrupt`` and :func:`sidekick.cli.main` turns it into status 130.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Iterable, List, Optional

from ..connector import new_session_id
from .app import DEFAULT_HOST, DEFAULT_PORT, RunningServer, ServerStartError, start_server
from .browser import open_browser
from .probe import probe_server
from .security import is_loopback_host
from .urls import ui_url, url_host, ws_url

__all__ = ["EXIT_SIGINT", "run_script", "serve"]

#: Exit status after Ctrl+C, as Python itself uses (128 + SIGINT).
EXIT_SIGINT = 130

# How long a script gets to react to a Ctrl+C it received from the terminal
# itself (same process group) before we forward one, then before forcing it.
_SIGINT_GRACE = 1.0
_TERMINATE_GRACE = 3.0


class _StopSignals:
    """Turn SIGINT/SIGTERM into an awaitable, remembering which arrived."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        self.signum: Optional[int] = None
        self._installed: List[int] = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                self._loop.add_signal_handler(signum, self._on_signal, signum)
            except (NotImplementedError, RuntimeError, ValueError):
                continue  # Windows, or not the main thread: KeyboardInterrupt applies
            self._installed.append(signum)

    def _on_signal(self, signum: int) -> None:
        if self.signum is None:
            self.signum = signum
        self._event.set()

    def __bool__(self) -> bool:
        return self._event.is_set()

    async def wait(self) -> int:
        await self._event.wait()
        assert self.signum is not None
        return self.signum

    def remove(self) -> None:
        for signum in self._installed:
            self._loop.remove_signal_handler(signum)
        self._installed.clear()


def _error(message: str) -> None:
    print(f"sidekick: {message}", file=sys.stderr, flush=True)


async def _start(
    host: str,
    port: int,
    token: Optional[str],
    allow_origins: Iterable[str],
    extra_hosts: Iterable[str],
) -> Optional[RunningServer]:
    try:
        return await start_server(
            host, port, token=token, allow_origins=allow_origins, extra_hosts=extra_hosts
        )
    except (ServerStartError, ValueError) as exc:  # port taken, bad host or token
        _error(str(exc))
    return None


async def serve(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: Optional[str] = None,
    allow_origins: Iterable[str] = (),
    extra_hosts: Iterable[str] = (),
    open_ui: bool = False,
    pyodide: Optional[str] = None,
) -> int:
    """Serve until SIGINT (returns 130) or SIGTERM (returns 0); 1 if it cannot start.

    With ``pyodide`` (a folder with Pyodide's files) also serve ``/playground``.
    """
    stop = _StopSignals()
    try:
        server = await _start(host, port, token, allow_origins, extra_hosts)
        if server is None:
            return 1
        playground = None
        if pyodide is not None:
            from .playground import add_to_server

            try:
                playground = add_to_server(server, pyodide)
            except ValueError as exc:
                _error(str(exc))
                await server.close(timeout=0.5)
                return 1
        url = server.ui_url()
        print(f"Sidekick UI: {url}", flush=True)
        if playground is not None:
            print(f"Sidekick playground: {playground}", flush=True)
        if not is_loopback_host(host):
            _error(
                "listening beyond this machine: from elsewhere, use this machine's "
                "address instead of 127.0.0.1 (the token is required)"
            )
        if open_ui:
            open_browser(url)
        signum = await stop.wait()
        await server.close(timeout=0.5)
        return EXIT_SIGINT if signum == signal.SIGINT else 0
    finally:
        stop.remove()


def _exit_status(returncode: int) -> int:
    # asyncio reports death by signal N as -N; shells report 128+N.
    return 128 - returncode if returncode < 0 else returncode


async def _wait(proc: asyncio.subprocess.Process, timeout: float) -> bool:
    try:
        await asyncio.wait_for(proc.wait(), timeout)
    except asyncio.TimeoutError:
        return False
    return True


async def _stop_script(proc: asyncio.subprocess.Process, signum: int) -> None:
    """End the script after we received ``signum``, politely first."""
    if signum == signal.SIGINT:
        # A Ctrl+C typed in the terminal reached the script too; give it a
        # moment before sending a second one it would see as a double press.
        if await _wait(proc, _SIGINT_GRACE):
            return
        proc.send_signal(signal.SIGINT)
    else:
        proc.terminate()
    if await _wait(proc, _TERMINATE_GRACE):
        return
    proc.terminate()
    if await _wait(proc, _TERMINATE_GRACE):
        return
    proc.kill()
    await proc.wait()


async def run_script(
    script: str,
    args: Iterable[str] = (),
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: Optional[str] = None,
    allow_origins: Iterable[str] = (),
    extra_hosts: Iterable[str] = (),
    open_ui: bool = True,
    wait_after: bool = True,
) -> int:
    """Run ``script`` in a fresh session of a server, then keep serving.

    Reuses a Sidekick server already answering on ``port`` (the script then
    connects there and nothing is left to serve once it exits). Returns the
    script's exit status, also when Ctrl+C ends the serving afterwards.
    """
    if not os.path.isfile(script):
        _error(f"no such script: {script}")
        return 2
    stop = _StopSignals()
    server: Optional[RunningServer] = None
    try:
        existing = None
        if port:
            existing = await asyncio.get_running_loop().run_in_executor(
                None, probe_server, url_host(host), port
            )
        if existing is None:
            server = await _start(host, port, token, allow_origins, extra_hosts)
            if server is None:
                return 1
            host, port, token = server.host, server.port, server.token
        session = new_session_id()
        url = ui_url(host, port, token, session)
        where = "" if server else f" (on the server already running on port {port})"
        _error(f"UI for {os.path.basename(script)}{where}: {url}")
        if open_ui:
            open_browser(url)
        env = dict(os.environ, SIDEKICK_URL=ws_url(host, port, token, session))
        proc = await asyncio.create_subprocess_exec(sys.executable, script, *args, env=env)
        finished = asyncio.ensure_future(proc.wait())
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({finished, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if not finished.done():
            await _stop_script(proc, stop.signum or signal.SIGINT)
        finished.cancel()
        assert proc.returncode is not None
        status = _exit_status(proc.returncode)
        if server is not None and wait_after and not stop:
            _error(f"the script exited with status {status}; the UI stays up, Ctrl+C to stop")
            await stopped
        stopped.cancel()
        return status
    finally:
        stop.remove()
        if server is not None:
            await server.close(timeout=0.5)

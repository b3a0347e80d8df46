"""Start and stop the server: one port for the UI pages and the relay."""

from __future__ import annotations

import asyncio
import errno
import logging
import re
from pathlib import Path
from typing import Iterable, Optional, Union
from urllib.parse import urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from .._version import __version__
from .connection import RelayConnection
from .logs import RateLimitedLog, logger
from .relay import Relay
from .routes import Router, text_response
from .security import AccessPolicy, generate_token, is_loopback_host
from .urls import ui_url, url_host, ws_url

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "MAX_FRAME_SIZE",
    "RunningServer",
    "ServerStartError",
    "start_server",
]


DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5163
#: Largest frame accepted from a peer; hero batches stay well below 1 MiB.
MAX_FRAME_SIZE = 4 * 1024 * 1024

# websockets' own chatter (every HTTP response, every connection) lives in a
# child logger so that "sidekick.server" stays readable.
_WS_LOGGER = logging.getLogger("sidekick.server.websockets")

_TOKEN_VALUE = re.compile(r"([?&]token=)[^&\s#]*")


class _MaskTokens(logging.Filter):
    """Mask ``?token=`` values in websockets' request lines (logged with ``-v``):
    the token belongs only in the UI URL printed for the user."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token=" in message:
            record.msg = _TOKEN_VALUE.sub(r"\1***", message)
            record.args = ()
        return True


_WS_LOGGER.addFilter(_MaskTokens())


class ServerStartError(OSError):
    """The server could not listen, e.g. because the port is taken."""

    def __init__(self, message: str, *, errno: Optional[int] = None) -> None:
        super().__init__(message)
        self.errno = errno
        self.message = message

    def __str__(self) -> str:
        return self.message


class RunningServer:
    """A started server. Use :func:`start_server` to create one."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        token: Optional[str],
        policy: AccessPolicy,
        relay: Relay,
        router: Router,
    ) -> None:
        #: The host name or address the server is bound to, as requested.
        self.host = host
        #: The actual port (useful when started with ``port=0``).
        self.port = port
        #: The token peers must present, or ``None`` when none is required.
        self.token = token
        self.policy = policy
        self.relay = relay
        self.router = router
        self._server: Optional[Server] = None
        self._closed = asyncio.Event()
        self._close_task: Optional[asyncio.Future[None]] = None
        self._refusals = RateLimitedLog()
        self._log = True

    @property
    def url_host(self) -> str:
        """The host to put in URLs: loopback for wildcard binds, IPv6 in brackets."""
        return url_host(self.host)

    def ui_url(self, session: Optional[str] = None) -> str:
        """The browser URL of the UI (for ``session``), including the token if any."""
        return ui_url(self.host, self.port, self.token, session)

    @property
    def ws_url(self) -> str:
        """The WebSocket URL of the default session, including the token if any."""
        return ws_url(self.host, self.port, self.token)

    def ws_url_for(self, session: Optional[str]) -> str:
        """The WebSocket URL for ``session`` (default session when ``None``)."""
        return ws_url(self.host, self.port, self.token, session)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    async def wait_closed(self) -> None:
        """Wait until :meth:`close` has completed."""
        await self._closed.wait()

    async def close(self, timeout: float = 2.0) -> None:
        """Stop listening and disconnect every peer, within about ``timeout`` seconds.

        Peers get close code 1001 (going away); one that does not complete the
        closing handshake in time is cut off. Safe to call more than once.
        """
        if self._server is None:
            return
        if self._close_task is None:
            self._close_task = asyncio.ensure_future(self._close(self._server, timeout))
        await asyncio.shield(self._close_task)

    async def _close(self, server: Server, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        server.close(close_connections=False)
        await self.relay.close_all(timeout=timeout * 0.75)
        try:
            await asyncio.wait_for(server.wait_closed(), max(0.05, deadline - loop.time()))
        except asyncio.TimeoutError:
            logger.warning("some connections did not close within %.1f s", timeout)
        self._closed.set()
        if self._log:
            logger.info("server on port %d stopped", self.port)

    async def __aenter__(self) -> RunningServer:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- request handling ------------------------------------------------------

    def _process_request(
        self, connection: ServerConnection, request: Request
    ) -> Optional[Response]:
        headers = request.headers
        # A repeated Host or Origin is never legitimate and could make two
        # parties disagree about which one counts: refuse it outright.
        hosts = headers.get_all("Host")
        host = hosts[0] if len(hosts) == 1 else None
        if host is None or not self.policy.host_allowed(host):
            self._refusals.warning(
                "refused a request for host %r (not this server)", ", ".join(hosts)
            )
            return text_response(403, "host not allowed", "localhost")
        parts = urlsplit(request.path)
        upgrade = ",".join(headers.get_all("Upgrade"))
        if "websocket" not in upgrade.lower():
            return self.router.handle(parts.path, parts.query, host)
        origins = headers.get_all("Origin")
        if len(origins) > 1 or not self.policy.origin_allowed(origins[0] if origins else None):
            self._refusals.warning("refused a WebSocket from origin %r", ", ".join(origins))
            return text_response(403, "origin not allowed", host)
        problem = self.policy.token_problem(parts.query)
        if problem is not None:
            self._refusals.warning("refused a WebSocket: %s", problem)
            return text_response(403, problem, host)
        return None  # proceed with the WebSocket handshake


async def start_server(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    token: Optional[str] = None,
    allow_origins: Iterable[str] = (),
    extra_hosts: Iterable[str] = (),
    static_dir: Optional[Union[str, Path]] = None,
    log: bool = True,
) -> RunningServer:
    """Start the relay and UI server on the running event loop.

    ``port=0`` picks a free port (see :attr:`RunningServer.port`). When bound
    beyond loopback a token is always required; one is generated when
    ``token`` is not given. ``log=False`` keeps the server from logging its
    start and stop at INFO level.

    Raises :class:`ServerStartError` when the port is taken or the address
    cannot be used.
    """
    if token is not None and not token:
        raise ValueError("token must not be empty")
    if token is None and not is_loopback_host(host):
        token = generate_token()
    bind_host: Optional[str] = None if host in ("", "*") else host.strip("[]")
    # Built before binding so a bad host name fails without a listener left open.
    policy = AccessPolicy(
        bind_host=bind_host,
        port=port,
        token=token,
        allow_origins=allow_origins,
        extra_hosts=extra_hosts,
    )
    relay = Relay()
    router = Router(Path(static_dir) if static_dir is not None else None, version=__version__)
    # The policy needs the actual port, known only once bound; requests cannot
    # arrive before serve() returns, so the holder is filled in time.
    holder: list[RunningServer] = []

    def process_request(connection: ServerConnection, request: Request) -> Optional[Response]:
        return holder[0]._process_request(connection, request)

    try:
        server = await serve(
            relay.handle,
            bind_host,
            port,
            process_request=process_request,
            create_connection=RelayConnection,  # parses and routes messages as they arrive
            server_header=f"sidekick/{__version__}",
            compression=None,  # CPU matters more than bytes on a local relay
            max_size=MAX_FRAME_SIZE,
            write_limit=512 * 1024,
            logger=_WS_LOGGER,
        )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ServerStartError(
                f"port {port} is already in use by another program; use --port",
                errno=exc.errno,
            ) from exc
        raise ServerStartError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}", errno=exc.errno
        ) from exc
    actual_port = server.sockets[0].getsockname()[1] if server.sockets else port
    policy.port = actual_port
    running = RunningServer(
        host=host, port=actual_port, token=token, policy=policy, relay=relay, router=router
    )
    running._server = server
    running._log = log
    holder.append(running)
    if log:
        logger.info("sidekick server listening on %s:%d", host or "*", actual_port)
    return running

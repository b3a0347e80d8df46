"""ServerConnector: finds something to talk to, in the order of design.md.

1. the Pyodide bridge, when running in Pyodide;
2. an explicit URL (:func:`sidekick.set_url` or ``SIDEKICK_URL``), and only it;
3. a running local server (``ws://localhost:5163``: ``sidekick serve`` or the
   VS Code extension);
4. a cloud relay, only when the user configured one (``SIDEKICK_CLOUD_URL``);
5. the embedded server: ``sidekick/server`` run inside the library's own loop
   on 127.0.0.1, printing the UI URL and opening a browser when it can.
"""

from __future__ import annotations

import base64
import os
import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ._env import IN_PYODIDE
from ._log import logger
from .errors import SidekickConnectionError, SidekickConnectionRefusedError
from .transport.base import Transport
from .urls import display_url, validate_url, with_query

if TYPE_CHECKING:
    from .transport.contact import Contact

__all__ = ["ServerConnector", "Endpoint", "new_session_id"]


DEFAULT_LOCAL_URL = "ws://localhost:5163"
DEFAULT_PORT = 5163


def new_session_id() -> str:
    """An unguessable session id (192 bits; ``secrets`` would cost import time)."""
    return base64.urlsafe_b64encode(os.urandom(24)).decode("ascii")


class Endpoint:
    """What the connector reached: how to reconnect, and what to tell the user."""

    def __init__(
        self, kind: str, url: str = "", opened_browser: bool = False, server: Any = None
    ) -> None:
        self.kind = kind  # "pyodide" | "explicit" | "local" | "cloud" | "embedded"
        self.url = url
        self.opened_browser = opened_browser
        self.server = server

    def __repr__(self) -> str:
        return f"Endpoint({self.kind!r}, {self.url!r})"


class ServerConnector:
    """Tries each way of reaching a UI in turn; remembers what worked."""

    def __init__(self, explicit_url: Callable[[], Optional[str]]) -> None:
        self._explicit_url = explicit_url
        self.endpoint: Optional[Endpoint] = None
        self._last_error: Optional[BaseException] = None
        # URLs the first contact could not reach, and why: not tried again.
        self._unreachable: Dict[str, BaseException] = {}

    def first_url(self) -> Optional[str]:
        """Where a first contact (see :mod:`.transport.contact`) may try: step 2 or 3."""
        if IN_PYODIDE:
            return None
        return self._explicit_url() or DEFAULT_LOCAL_URL

    def unreachable(self, url: str, exc: BaseException) -> None:
        """The first contact failed on ``url``: :meth:`connect` goes on without it."""
        self._unreachable[url] = exc

    async def connect(self, contact: Optional[Contact] = None) -> Transport:
        """First connection: walk the order. Raises ``SidekickConnectionError``.

        ``contact`` is a connection the first contact made already: adopted
        as the endpoint it reached.
        """
        transport: Optional[Transport]
        if contact is not None:
            transport = await self._adopt(contact)
            if transport is not None:
                kind = "explicit" if self._explicit_url() else "local"
                self.endpoint = Endpoint(kind, contact.url)
                return transport
        if IN_PYODIDE:
            from .transport.pyodide import connect_pyodide

            try:
                transport = await connect_pyodide()
            except Exception as exc:
                raise SidekickConnectionError(str(exc), exc) from exc
            self.endpoint = Endpoint("pyodide")
            return transport

        explicit = self._explicit_url()
        if explicit:
            transport = await self._try(explicit)
            if transport is None:
                raise SidekickConnectionRefusedError(
                    f"could not connect to the Sidekick server at {display_url(explicit)}; "
                    "is it running? "
                    "(start one with `sidekick serve`, or unset SIDEKICK_URL)",
                    url=explicit,
                    original_exception=self._last_error,
                )
            self.endpoint = Endpoint("explicit", explicit)
            return transport

        transport = await self._try(DEFAULT_LOCAL_URL)
        if transport is not None:
            self.endpoint = Endpoint("local", DEFAULT_LOCAL_URL)
            return transport

        cloud = os.environ.get("SIDEKICK_CLOUD_URL")
        if cloud:
            url = with_query(validate_url(cloud), session=new_session_id())
            transport = await self._try(url)
            if transport is not None:
                self.endpoint = Endpoint("cloud", url)
                _print_ui_url(_cloud_ui_url(url), opened=False)
                return transport
            logger.warning(
                "sidekick: the cloud relay %s did not answer; starting a local server",
                display_url(cloud),
            )

        return await self._embedded()

    async def reconnect(self) -> Transport:
        """Reconnect to the endpoint that worked before; raises on failure."""
        endpoint = self.endpoint
        if endpoint is None or endpoint.kind == "pyodide":
            return await self.connect()
        transport = await self._try(endpoint.url)
        if transport is None:
            raise SidekickConnectionRefusedError(
                f"no answer from {display_url(endpoint.url)}",
                url=endpoint.url,
                original_exception=self._last_error,
            )
        return transport

    async def _adopt(self, contact: Contact) -> Optional[Transport]:
        from .transport.websocket import adopt_websocket

        try:
            return await adopt_websocket(contact)
        except OSError as exc:  # the walk below connects afresh
            logger.debug("sidekick: adopting the first connection failed: %r", exc)
        except Exception:  # a bug of ours: loud, and the walk below still connects
            logger.exception("sidekick: adopting the first connection failed")
        return None

    async def _try(self, url: str) -> Optional[Transport]:
        """Connect to ``url``; None on failure (kept in ``_last_error`` for the caller's error)."""
        from .transport.websocket import connect_websocket

        failed = self._unreachable.pop(url, None)
        if failed is not None:  # the first contact just tried it
            self._last_error = failed
            return None
        try:
            return await connect_websocket(url, open_timeout=3.0)
        except Exception as exc:  # refused, timeout, handshake rejected, bad host...
            self._last_error = exc
            logger.debug("sidekick: connecting to %s failed: %r", display_url(url), exc)
            return None

    async def _embedded(self) -> Transport:
        if os.environ.get("SIDEKICK_EMBEDDED", "1") == "0":
            raise SidekickConnectionRefusedError(
                "no Sidekick server is running at ws://localhost:5163 and the embedded server is "
                "turned off (SIDEKICK_EMBEDDED=0); start one with `sidekick serve`",
                url=DEFAULT_LOCAL_URL,
            )
        try:
            from .server import open_browser, start_server
        except ImportError as exc:  # pragma: no cover - the server ships with the package
            raise SidekickConnectionError(
                "no Sidekick server is running; start one with `sidekick serve`", exc
            ) from exc
        server = None
        errors: List[BaseException] = []
        for port in (DEFAULT_PORT, 0):
            try:
                server = await start_server("127.0.0.1", port, log=False)
                break
            except OSError as exc:
                errors.append(exc)
        if server is None:
            raise SidekickConnectionError(
                f"could not start the embedded Sidekick server: {errors[-1]}", errors[-1]
            )
        ws_url = server.ws_url
        transport = await self._try(ws_url)
        if transport is None:
            await server.close()
            raise SidekickConnectionError(
                f"the embedded Sidekick server at {ws_url} refused us: {self._last_error}",
                self._last_error,
            )
        ui_url = server.ui_url()
        opened = open_browser(ui_url)
        _print_ui_url(ui_url, opened)
        self.endpoint = Endpoint("embedded", ws_url, opened, server)
        return transport

    async def close_server(self) -> None:
        endpoint = self.endpoint
        if endpoint is not None and endpoint.server is not None:
            server, endpoint.server = endpoint.server, None
            self.endpoint = None
            await server.close()


def _cloud_ui_url(ws_url: str) -> str:
    """The page of a relay's session: same host over http(s), ``/session/<id>``.

    Without it the user would have no way to find the picture: the session id
    is random.
    """
    parts = urlsplit(ws_url)
    query = dict(parse_qsl(parts.query))
    session = query.pop("session", "")
    scheme = "https" if parts.scheme == "wss" else "http"
    return urlunsplit((scheme, parts.netloc, f"/session/{session}", urlencode(query), ""))


def _print_ui_url(url: str, opened: bool) -> None:
    how = "opened in your browser" if opened else "open it in your browser"
    try:
        print(f"Sidekick UI: {url}  ({how})", file=sys.stderr, flush=True)
    except Exception:  # no stderr: nothing to tell
        pass

"""The Sidekick server: a WebSocket relay plus the browser UI, on one port.

Run it with ``sidekick serve``, or embed it::

    server = await start_server(port=0)
    print(server.ui_url())
    ...
    await server.close()
"""

from __future__ import annotations

from .app import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    MAX_FRAME_SIZE,
    RunningServer,
    ServerStartError,
    start_server,
)
from .browser import browser_allowed, open_browser
from .probe import probe_server

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "MAX_FRAME_SIZE",
    "RunningServer",
    "ServerStartError",
    "browser_allowed",
    "open_browser",
    "probe_server",
    "start_server",
]

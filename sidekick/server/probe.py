"""Find out whether a Sidekick server already answers on a port."""

from __future__ import annotations

import http.client
import json
from typing import Any, Dict, Optional

__all__ = ["probe_server"]


def probe_server(
    host: str = "127.0.0.1", port: int = 5163, *, timeout: float = 0.5
) -> Optional[Dict[str, Any]]:
    """Return the ``/healthz`` answer of a Sidekick server on ``host:port``.

    ``None`` when nothing listens there, or something that is not a Sidekick
    server does. Blocking (plain :mod:`http.client`); keep ``timeout`` short.
    """
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        if response.status != 200:
            return None
        body = json.loads(response.read(64 * 1024))
    except (OSError, ValueError, http.client.HTTPException):
        return None
    finally:
        conn.close()
    if isinstance(body, dict) and body.get("name") == "sidekick" and body.get("ok") is True:
        return body
    return None

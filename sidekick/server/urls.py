"""Build the UI and WebSocket URLs of a server."""

from __future__ import annotations

from typing import Dict, Optional
from urllib.parse import quote, urlencode

from .security import is_wildcard_host

__all__ = ["ui_url", "url_host", "ws_url"]


def url_host(host: Optional[str]) -> str:
    """The host to put in URLs: loopback for wildcard binds, IPv6 in brackets."""
    name = "127.0.0.1" if is_wildcard_host(host) else (host or "").strip("[]")
    return f"[{name}]" if ":" in name else name


def ui_url(
    host: Optional[str], port: int, token: Optional[str], session: Optional[str] = None
) -> str:
    """The browser URL of the UI for ``session``, with the token if any."""
    path = "/" if session is None else "/session/" + quote(session, safe="")
    query = "?" + urlencode({"token": token}) if token else ""
    return f"http://{url_host(host)}:{port}{path}{query}"


def ws_url(
    host: Optional[str], port: int, token: Optional[str], session: Optional[str] = None
) -> str:
    """The WebSocket URL for ``session`` (default session when ``None``), with the token."""
    params: Dict[str, str] = {}
    if session is not None:
        params["session"] = session
    if token:
        params["token"] = token
    query = "?" + urlencode(params) if params else ""
    return f"ws://{url_host(host)}:{port}/{query}"

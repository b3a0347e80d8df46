"""Who may talk to the server: Host, Origin and token checks.

The server runs on the user's machine next to their browser, so any web page
the user visits could try to reach it. Three checks keep such pages out:

* ``Host`` must name this server. A DNS-rebinding page reaches us under its
  own host name, so refusing unknown names defeats it.
* A WebSocket request carrying ``Origin`` (every browser sends one) must come
  from our own pages, from a VS Code webview, or from an allow-listed origin.
* When a token is set (always when bound beyond loopback) every WebSocket
  peer must present it as the ``token`` query parameter.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from typing import Iterable, Optional, Tuple
from urllib.parse import parse_qs

__all__ = [
    "AccessPolicy",
    "generate_token",
    "is_loopback_host",
    "is_wildcard_host",
    "parse_host_header",
]

_LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "*"})


def generate_token() -> str:
    """Return a fresh random token suitable for ``?token=``."""
    return secrets.token_urlsafe(32)


def is_wildcard_host(host: Optional[str]) -> bool:
    """Whether binding ``host`` listens on every interface."""
    return host is None or host.strip("[]") in _WILDCARD_HOSTS


def is_loopback_host(host: Optional[str]) -> bool:
    """Whether binding ``host`` keeps the server reachable from this machine only."""
    if host is None:
        return False
    name = host.strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def parse_host_header(value: str) -> Optional[Tuple[str, Optional[int]]]:
    """Split a ``Host`` header (or an origin's authority) into name and port.

    Return ``None`` when it is malformed. The name is lower-cased and IPv6
    brackets are removed; the port is ``None`` when absent.
    """
    value = value.strip().lower()
    if not value or any(c in value for c in "/\\@ \t"):
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1 :]
        if not _is_ip_literal(name):
            return None
    else:
        name, sep, port_text = value.partition(":")
        rest = sep + port_text
        if ":" in port_text:
            return None
    if not name:
        return None
    if not rest:
        return name, None
    if not rest.startswith(":") or not rest[1:].isdigit() or len(rest) > 6:
        return None
    port = int(rest[1:])
    if not 0 < port < 65536:
        return None
    return name, port


class AccessPolicy:
    """The checks for one running server, bound to its actual port.

    ``extra_hosts`` entries are host names (``name``: any port) or
    ``name:port``. ``allow_origins`` entries are full origins such as
    ``https://example.com``.
    """

    def __init__(
        self,
        *,
        bind_host: Optional[str],
        port: int,
        token: Optional[str] = None,
        allow_origins: Iterable[str] = (),
        extra_hosts: Iterable[str] = (),
    ) -> None:
        self.port = port
        self.token = token
        self._token_bytes = token.encode() if token else None
        self._names = set(_LOOPBACK_NAMES)
        # Beyond loopback, peers reach us through one of the machine's
        # addresses; any IP literal is safe to accept since DNS rebinding
        # always presents a host *name*.
        self._any_ip = not is_loopback_host(bind_host)
        if bind_host and not is_wildcard_host(bind_host):
            self._names.add(bind_host.strip("[]").lower())
        self._extra_any_port: set[str] = set()
        self._extra_exact: set[Tuple[str, int]] = set()
        for entry in extra_hosts:
            parsed = parse_host_header(entry)
            if parsed is None:
                raise ValueError(f"invalid host name: {entry!r}")
            name, entry_port = parsed
            if entry_port is None:
                self._extra_any_port.add(name)
            else:
                self._extra_exact.add((name, entry_port))
        self._origins = {_normalize_origin(o) for o in allow_origins}

    # -- Host -------------------------------------------------------------

    def host_allowed(self, host_header: Optional[str]) -> bool:
        """Whether a request's ``Host`` header names this server."""
        if not host_header:
            return False
        parsed = parse_host_header(host_header)
        if parsed is None:
            return False
        return self._authority_allowed(*parsed, default_port=80)

    def _authority_allowed(self, name: str, port: Optional[int], *, default_port: int) -> bool:
        if name in self._extra_any_port:
            return True
        effective = default_port if port is None else port
        if (name, effective) in self._extra_exact:
            return True
        if effective != self.port:
            return False
        return name in self._names or (self._any_ip and _is_ip_literal(name))

    # -- Origin -----------------------------------------------------------

    def origin_allowed(self, origin: Optional[str]) -> bool:
        """Whether a WebSocket request with this ``Origin`` may connect.

        No ``Origin`` means a non-browser client (a hero, an editor
        extension), which the browser's same-origin rules do not concern.
        """
        if origin is None:
            return True
        normalized = _normalize_origin(origin)
        if normalized in self._origins:
            return True
        scheme, sep, authority = normalized.partition("://")
        if not sep:
            return False  # includes the opaque origin "null"
        if scheme == "vscode-webview":
            return bool(authority)
        if scheme != "http":
            return False
        parsed = parse_host_header(authority)
        return parsed is not None and self._authority_allowed(*parsed, default_port=80)

    # -- Token ------------------------------------------------------------

    def token_problem(self, query: str) -> Optional[str]:
        """Return why ``query`` fails the token check, or ``None`` when it passes."""
        if self._token_bytes is None:
            return None
        values = parse_qs(query, keep_blank_values=True).get("token")
        if not values:
            return "token required"
        if not hmac.compare_digest(values[0].encode(), self._token_bytes):
            return "invalid token"
        return None


def _normalize_origin(origin: str) -> str:
    return origin.strip().rstrip("/").lower()

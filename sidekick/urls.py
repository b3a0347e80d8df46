"""URL helpers shared by the connector and the transports (pure, no I/O)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["validate_url", "with_query", "display_url"]


def validate_url(url: Any) -> str:
    """Check a user-given server URL: ``ws://`` or ``wss://`` with a host."""
    if not isinstance(url, str):
        raise TypeError(f"the Sidekick URL must be a string, not {type(url).__name__}")
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.netloc:
        raise ValueError(
            f"the Sidekick URL must start with ws:// or wss:// and name a host, got {url!r}"
        )
    return url


def with_query(url: str, **params: str) -> str:
    """Merge ``params`` into the query of ``url`` (keeping what it has)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def display_url(url: str) -> str:
    """``url`` fit for messages and logs: a ``token`` (or password) in it is masked."""
    parts = masked = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "token" for key, _ in pairs):
        hidden = [(key, "***" if key == "token" else value) for key, value in pairs]
        masked = masked._replace(query=urlencode(hidden, safe="*"))
    if parts.password is not None:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
        masked = masked._replace(netloc=netloc)
    return url if masked is parts else urlunsplit(masked)

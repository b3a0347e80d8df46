"""Exceptions raised by sidekick (the names of sidekick-py 0.0.7).

Argument problems raise the built-in ``TypeError``/``ValueError``/``IndexError``
at the call that caused them; every other problem the library reports is a
:class:`SidekickError`.
"""

from __future__ import annotations

from typing import Optional

__all__ = [
    "SidekickError",
    "SidekickConnectionError",
    "SidekickConnectionRefusedError",
    "SidekickTimeoutError",
    "SidekickDisconnectedError",
]


class SidekickError(Exception):
    """Base class of every error sidekick raises for a non-argument problem."""


class SidekickConnectionError(SidekickError):
    """The connection to a Sidekick server or UI could not be made or kept."""

    def __init__(self, message: str, original_exception: Optional[BaseException] = None):
        super().__init__(message)
        self.original_exception = original_exception


class SidekickConnectionRefusedError(SidekickConnectionError):
    """No Sidekick server answered at ``url``."""

    def __init__(
        self,
        message: str,
        url: Optional[str] = None,
        original_exception: Optional[BaseException] = None,
    ):
        super().__init__(message, original_exception)
        self.url = url


class SidekickTimeoutError(SidekickConnectionError):
    """Waiting (for a UI, or for a flush) took longer than ``timeout_seconds``."""

    def __init__(self, message: str, timeout_seconds: Optional[float] = None):
        super().__init__(message)
        self.timeout_seconds = timeout_seconds


class SidekickDisconnectedError(SidekickConnectionError):
    """The connection was lost or shut down; ``reason`` says why."""

    def __init__(
        self,
        message: str,
        reason: Optional[str] = None,
        original_exception: Optional[BaseException] = None,
    ):
        super().__init__(message, original_exception)
        self.reason = reason if reason is not None else message

"""The server's logger and a rate limit for warnings a peer can trigger at will."""

from __future__ import annotations

import logging
import time
from typing import Any

__all__ = ["RateLimitedLog", "logger"]

logger = logging.getLogger("sidekick.server")


class RateLimitedLog:
    """Log a warning at most once per ``interval`` seconds, counting the rest.

    Junk frames and refused requests come from the outside; without a limit a
    misbehaving peer or a port scanner could flood the user's terminal.
    """

    def __init__(self, interval: float = 5.0) -> None:
        self.interval = interval
        self._last = -interval
        self._suppressed = 0

    def warning(self, message: str, *args: Any) -> None:
        now = time.monotonic()
        if now - self._last < self.interval:
            self._suppressed += 1
            return
        if self._suppressed:
            message += " (%d similar warnings suppressed)"
            args = (*args, self._suppressed)
        self._last = now
        self._suppressed = 0
        logger.warning(message, *args)

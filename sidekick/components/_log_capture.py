"""The log half of :class:`~sidekick.components._capture.OutputCapture`.

Its own module because it needs :mod:`logging` at import time, and only a
capture with ``logging=True`` needs it at all.
"""

from __future__ import annotations

import logging
import sys
from typing import Optional

from ._capture import Sink, _busy, _deliver, _real_stream

__all__ = ["LogHandler"]


class LogHandler(logging.Handler):
    """Appends formatted log records to a console."""

    def __init__(self, sink: Sink) -> None:
        super().__init__()
        self._sink = sink
        self._active = True
        self.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if not self._active or _busy():
            return
        try:
            text = self.format(record)
        except Exception:
            self.handleError(record)
            return
        last = logging.lastResort
        if last is not None and record.levelno >= last.level and self._only_handler(record):
            # Python would have printed this through its last-resort handler:
            # keep it on the terminal too.
            stream = _real_stream(sys.stderr)
            try:
                if stream is not None:
                    stream.write(record.getMessage() + "\n")
            except Exception:
                pass
        if not _deliver(self._sink, text + "\n"):
            self._active = False

    def _only_handler(self, record: logging.LogRecord) -> bool:
        logger: Optional[logging.Logger] = logging.getLogger(record.name)
        while logger is not None:
            if any(h is not self and not isinstance(h, LogHandler) for h in logger.handlers):
                return False
            if not logger.propagate:
                break
            logger = logger.parent
        return True

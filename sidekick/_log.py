"""The library's logger, ``logging.getLogger("sidekick")``, looked up when used.

``import logging`` (with ``traceback``, ``string`` and ``weakref``) is ~8 ms,
a tenth of a script's way to its first picture, and most runs log nothing.
Until something imports :mod:`logging`, nobody can have configured it, so
debug and info records would be dropped anyway: those return at once.
"""

from __future__ import annotations

import sys
from typing import Any


class _SidekickLogger:
    """Forwards every call to the real logger, importing :mod:`logging` first if needed."""

    def debug(self, msg: str, *args: Any, **kwargs: Any) -> None:
        if "logging" in sys.modules:
            real().debug(msg, *args, **kwargs)

    def info(self, msg: str, *args: Any, **kwargs: Any) -> None:
        if "logging" in sys.modules:
            real().info(msg, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(real(), name)


def real() -> Any:
    """The ``sidekick`` :class:`logging.Logger` (imports :mod:`logging`)."""
    import logging

    return logging.getLogger("sidekick")


logger: Any = _SidekickLogger()

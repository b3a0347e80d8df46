"""Open the UI in the user's browser, but only where that makes sense."""

from __future__ import annotations

import os
import sys
import threading

from .logs import logger

__all__ = ["browser_allowed", "open_browser"]

_FALSE = frozenset({"", "0", "false", "no", "off"})


def browser_allowed() -> bool:
    """Whether opening a browser tab is wanted and possible here.

    No when ``SIDEKICK_OPEN_BROWSER=0``, on CI, or on a Linux/BSD machine
    without a graphical display (where :mod:`webbrowser` would fall back to
    a text browser that takes over the terminal). ``SIDEKICK_OPEN_BROWSER=1``
    overrides the CI check, not the display check.
    """
    setting = os.environ.get("SIDEKICK_OPEN_BROWSER", "").strip().lower()
    if setting in _FALSE - {""}:
        return False
    if setting != "1" and os.environ.get("CI", "").strip().lower() not in _FALSE:
        return False
    if sys.platform in ("win32", "darwin"):
        return True
    if sys.platform == "emscripten":
        return False
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_browser(url: str) -> bool:
    """Open ``url`` in a browser tab when :func:`browser_allowed`; never blocks.

    Returns whether an attempt was made. The attempt runs on a daemon thread
    because some :mod:`webbrowser` back ends wait for the browser process.
    """
    if not browser_allowed():
        return False

    def _open() -> None:
        import webbrowser

        try:
            webbrowser.open(url, new=2)
        except Exception:  # a missing browser must never hurt the caller
            # The URL was printed for the user anyway; say why no tab opened.
            logger.debug("could not open a browser", exc_info=True)

    threading.Thread(target=_open, name="sidekick-open-browser", daemon=True).start()
    return True

"""How every test drives a browser: Debian's Chromium, never a downloaded one."""

from __future__ import annotations

import os

CHROMIUM = os.environ.get("SIDEKICK_CHROMIUM", "/usr/bin/chromium")
#: Headless, and quiet: without the background-networking flags Chromium keeps
#: trying to reach Google's hosts through this machine's closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

"""Startup hero: import the library and show one label, as early as possible."""

import time

t_main = time.monotonic()

from _bench import URL, report, wait_for_harness  # noqa: E402

import sidekick  # noqa: E402

t_imported = time.monotonic()
sidekick.set_url(URL)
sidekick.Label("hello")
report(t_main=t_main, t_imported=t_imported)
wait_for_harness()

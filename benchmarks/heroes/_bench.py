"""What every hero script shares: report figures to the harness, wait for it.

A hero talks to the harness through its standard streams only: it prints
``BENCH <json>`` lines and reads one line from stdin when it must wait. This
module uses the standard library only, so the same hero runs under this
library and under sidekick-py 0.0.7.
"""

import json
import os
import resource
import sys

URL = os.environ["BENCH_URL"]


def report(**figures):
    sys.stdout.write("BENCH " + json.dumps(figures) + "\n")
    sys.stdout.flush()


def wait_for_harness():
    """Block until the harness writes a line (or closes our stdin)."""
    return sys.stdin.readline().strip()


def peak_rss_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def int_arg(name, default):
    return int(os.environ.get(name, default))

"""Running Node commands in the repository's ``pyodide/`` package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import List

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "pyodide"


def run_in_package(args: List[str], timeout: float) -> subprocess.CompletedProcess:
    """Run a command in ``pyodide/`` with output captured (stdout + stderr)."""
    env = dict(os.environ)
    # The Node suite copies typing_extensions.py from this interpreter into Pyodide.
    env["SIDEKICK_PYTHON"] = sys.executable
    env.setdefault("NO_COLOR", "1")
    return subprocess.run(
        args,
        cwd=str(PACKAGE),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )

"""The library inside real Pyodide: runs ``npm test`` in ``pyodide/``.

The Node suite (``pyodide/test/*.test.js``) loads the pinned npm ``pyodide``
package, installs ``sidekick`` from this working tree and drives it through
the host bridge with a JS stand-in for the UI. ``npm ci`` runs first when
``pyodide/node_modules`` is missing (the lock file pins everything; the npm
registry is the only network it needs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.pyodide

PACKAGE = Path(__file__).resolve().parents[2] / "pyodide"


def _npm() -> str:
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js (node and npm) is not installed; the Pyodide tests run under Node")
    return npm


def _run(args: list, timeout: float) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    # The suite copies typing_extensions.py from this interpreter into Pyodide.
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


@pytest.mark.timeout(300)
def test_node_suite_in_real_pyodide() -> None:
    npm = _npm()
    if not (PACKAGE / "node_modules" / "pyodide" / "pyodide.asm.wasm").is_file():
        done = _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], timeout=180)
        assert done.returncode == 0, f"npm ci failed in pyodide/:\n{done.stdout[-4000:]}"
    result = _run([npm, "test", "--silent"], timeout=240)
    summary = [line for line in result.stdout.splitlines() if line.startswith("# ")]
    assert result.returncode == 0, f"npm test failed in pyodide/:\n{result.stdout[-8000:]}"
    assert "# fail 0" in summary, result.stdout[-8000:]
    passed = [line for line in summary if line.startswith("# pass ")]
    assert passed and int(passed[0].split()[-1]) > 0, result.stdout[-8000:]

"""The library inside real Pyodide: runs ``npm test`` in ``pyodide/``.

The Node suite (``pyodide/test/*.test.js``) loads the pinned npm ``pyodide``
package, installs ``sidekick`` from this working tree and drives it through
the host bridge with a JS stand-in for the UI. ``npm ci`` runs first when
``pyodide/node_modules`` is missing (the lock file pins everything; the npm
registry is the only network it needs).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .nodeenv import run_in_package

pytestmark = pytest.mark.pyodide


@pytest.mark.timeout(300)
def test_node_suite_in_real_pyodide(npm: str, pyodide_package: Path) -> None:
    result = run_in_package([npm, "test", "--silent"], timeout=240)
    summary = [line for line in result.stdout.splitlines() if line.startswith("# ")]
    assert result.returncode == 0, f"npm test failed in pyodide/:\n{result.stdout[-8000:]}"
    assert "# fail 0" in summary, result.stdout[-8000:]
    passed = [line for line in summary if line.startswith("# pass ")]
    assert passed and int(passed[0].split()[-1]) > 0, result.stdout[-8000:]

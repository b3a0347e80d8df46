"""Small helpers for the reliability tests: process output, memory, expected state."""

from __future__ import annotations

import json
import os
import subprocess
import time
from typing import Any, Callable, Dict, List, Tuple

from tests.support.procs import Lines  # noqa: F401  (re-exported for the suite)

Cells = Dict[Tuple[int, int], Dict[str, Any]]


def require(present: bool, reason: str) -> None:
    """Skip the test when a tool is missing, but fail under CI (``CI=true``):
    ``./dev`` always installs it there, so its absence is a broken setup."""
    if present:
        return
    import pytest

    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI=true, where ./dev installs it)")
    pytest.skip(reason)


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB (Linux ``/proc``)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def expected_cells(line: str) -> Cells:
    """Parse the ``state <json>`` line a burst script prints at its end."""
    cells: Cells = {}
    for x, y, color, text in json.loads(line.split(" ", 1)[1]):
        cell: Dict[str, Any] = {}
        if color is not None:
            cell["color"] = color
        if text is not None:
            cell["text"] = text
        if cell:
            cells[(x, y)] = cell
    return cells


def model_cells(model: Any, target: str = "grid-1") -> Cells:
    """A UIModel's cells of ``target``, without empty ones (None fields are defaults)."""
    if target not in model.components:
        return {}
    return {k: v for k, v in model.grid_cells(target).items() if v}


def converge(
    ui: Any, predicate: Callable[[Any], bool], timeout: float, what: str
) -> Tuple[Any, List[Any]]:
    """Wait until ``predicate(ui)``, reconnecting the UI peer when the relay
    drops it (close code 1013, too slow), as the real page does.

    Returns the final peer and the close codes of the peers it replaced.
    """
    from tests.support.peers import UIPeer

    codes: List[Any] = []
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"timed out waiting for {what}; replaced peers: {codes}")
        try:
            ui.wait_for(lambda u: predicate(u) or u._closed, min(remaining, 5.0), what)
        except AssertionError:
            continue
        if predicate(ui):
            return ui, codes
        codes.append(ui._ws.close_code)
        url = ui.url
        ui.close()
        ui = UIPeer(url)


def stop(proc: subprocess.Popen) -> None:
    """Kill a process we started (by its PID) and reap it."""
    if proc.poll() is None:
        proc.kill()
    try:
        proc.communicate(timeout=5)
    except (subprocess.TimeoutExpired, ValueError):
        pass

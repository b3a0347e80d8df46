"""Small helpers for the reliability tests: process output, memory, expected state."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

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


class Lines:
    """Collects a subprocess's stdout lines on a thread; wait for one by prefix."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.lines: List[str] = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if isinstance(line, bytes):
                line = line.decode("utf-8", "replace")
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self.lines.append("<eof>")
            self._cond.notify_all()

    def find(self, prefix: str) -> Optional[str]:
        with self._cond:
            return next((line for line in self.lines if line.startswith(prefix)), None)

    def wait(self, prefix: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines:
                    if line.startswith(prefix):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0 or "<eof>" in self.lines:
                    stderr = ""
                    if self.proc.poll() is not None and self.proc.stderr is not None:
                        stderr = self.proc.stderr.read()
                    raise AssertionError(
                        f"no line starting with {prefix!r} within {timeout} s; "
                        f"got {self.lines[-5:]}; stderr: {stderr[-2000:]}"
                    )
                self._cond.wait(min(remaining, 0.2))

    def progress(self, prefix: str = "progress ") -> int:
        """The last number printed after ``prefix`` (0 when none yet)."""
        with self._cond:
            for line in reversed(self.lines):
                if line.startswith(prefix):
                    return int(line[len(prefix) :])
        return 0


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

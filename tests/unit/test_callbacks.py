"""The callback runner: order, and handing the GIL over only to an idle runner."""

from __future__ import annotations

import threading
from typing import List

import pytest

from sidekick import callbacks
from sidekick.callbacks import CallbackRunner
from sidekick.task_manager import CPythonTaskManager

from .memory import wait_until


def test_submit_yields_only_when_it_wakes_an_idle_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    yields: List[int] = []
    monkeypatch.setattr(callbacks, "_yield", lambda: yields.append(1))
    runner = CallbackRunner(CPythonTaskManager())
    release = threading.Event()
    ran: List[int] = []

    def slow(i: int) -> None:
        release.wait(5)
        ran.append(i)

    runner.submit(slow, 0)  # idle runner: yield
    assert yields == [1]
    for i in range(1, 4):  # busy with the first: queued, no yield
        runner.submit(ran.append, i)
    assert yields == [1]
    release.set()
    wait_until(lambda: ran == [0, 1, 2, 3])
    wait_until(lambda: runner._finished == 4)
    runner.submit(ran.append, 4)  # idle again
    assert yields == [1, 1]
    wait_until(lambda: ran == [0, 1, 2, 3, 4])


def test_a_failing_prelude_is_reported_and_the_loop_starts_anyway(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tm = CPythonTaskManager()
    ran = threading.Event()

    def prelude() -> None:
        raise RuntimeError("prelude bug")

    async def main() -> None:
        ran.set()

    try:
        tm.start(main, prelude=prelude)
        assert ran.wait(10), "main never ran after the prelude failed"
        assert "the loop's prelude failed" in caplog.text
    finally:
        tm.stop()

"""The loop thread's prelude: what runs before the event loop exists (the first contact)."""

from __future__ import annotations

import threading
from typing import List

import pytest

from sidekick.task_manager import CPythonTaskManager


def test_the_prelude_runs_before_main_on_the_loop_thread() -> None:
    tm = CPythonTaskManager()
    order: List[str] = []
    done = threading.Event()

    def prelude() -> None:
        assert tm.in_loop_thread()
        with pytest.raises(RuntimeError, match="not running yet"):
            tm.ensure_started()  # waiting for the loop from inside its prelude: never
        order.append("prelude")

    async def main() -> None:
        order.append("main")
        done.set()

    try:
        tm.start(main, prelude=prelude)
        assert done.wait(10), "main never ran"
        assert order == ["prelude", "main"]
    finally:
        tm.stop()


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


def test_stop_during_the_prelude_runs_nothing_after_it() -> None:
    tm = CPythonTaskManager()
    entered, release, finished = threading.Event(), threading.Event(), threading.Event()
    ran: List[str] = []

    def prelude() -> None:
        entered.set()
        release.wait(10)
        finished.set()

    async def main() -> None:
        ran.append("main")

    tm.start(main, prelude=prelude)
    assert entered.wait(10)
    thread = tm._thread
    assert thread is not None
    tm.stop(timeout=0.1)  # returns while the prelude still runs
    release.set()
    thread.join(10)
    assert finished.is_set() and not thread.is_alive()
    assert ran == [] and tm._loop is None

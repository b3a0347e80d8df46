"""The callback runner: order, handing the GIL over only to an idle runner, a failing borrower."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import Any, Callable, List, Optional

import pytest

from sidekick import callbacks
from sidekick.callbacks import CallbackRunner
from sidekick.task_manager import CPythonTaskManager
from sidekick.transport.base import Transport

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


class BrokenLender(Transport):
    """Lends a descriptor that is always readable, and fails to read it (a bug of ours)."""

    can_lend = True
    lent = False

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.lends = 0
        self._pipe = os.pipe()
        os.write(self._pipe[1], b"x")

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        self.loop.call_soon_threadsafe(fn, *args)

    def lend_reading(self, wake: Callable[[], None]) -> Optional[int]:
        if self.lent:
            return None
        self.lends += 1
        self.lent = True
        return self._pipe[0]

    def read_lent(self, deliver: Callable[[List[str]], None]) -> Optional[List[str]]:
        raise RuntimeError("borrower bug")

    def give_back(self, wake: bool = False) -> None:
        self.call_soon(setattr, self, "lent", False)


def test_a_failing_borrower_is_reported_once_and_borrows_no_more(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def body() -> None:
        transport = BrokenLender()
        runner = CallbackRunner(CPythonTaskManager())
        runner.read_from(transport, lambda texts: None)
        ran: List[int] = []
        runner.submit(ran.append, 1)  # the runner's thread: idle after this, it borrows
        deadline = time.monotonic() + 5
        while transport.lends == 0 or transport.lent:
            assert time.monotonic() < deadline, "the runner never borrowed, or never gave back"
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)  # time enough to borrow again, were it asking
        assert transport.lends == 1 and not transport.lent
        assert caplog.text.count("error while reading for the callbacks") == 1
        runner.submit(ran.append, 2)  # callbacks still run
        while ran != [1, 2]:
            assert time.monotonic() < deadline, "the runner stopped running callbacks"
            await asyncio.sleep(0.01)
        runner.stop_reading()

    asyncio.run(body())

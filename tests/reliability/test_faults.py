"""Fault injection with real processes on 127.0.0.1: a `sidekick serve`, the
library in a script subprocess, and scripted UI peers.

The exit and reconnect tests take ``python`` and so run on every interpreter
of the matrix (CPython 3.9 and 3.13 in CI, plus the default one).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import List

import pytest

from tests.support.peers import UIPeer
from tests.support.procs import Server, start_script

from . import scripts
from ._util import Lines, converge, expected_cells, model_cells, rss_mb, stop


def label_text(ui: UIPeer) -> object:
    state = ui.model.components.get("label-1")
    return state.get("text") if state else None


def rss_samples(pid: int, seconds: float) -> List[float]:
    """Resident memory of ``pid`` in MiB, sampled every 0.2 s for ``seconds``."""
    samples: List[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        samples.append(rss_mb(pid))
        time.sleep(0.2)
    return samples


def _converges_after_the_stall(ui: UIPeer, lines: Lines) -> UIPeer:
    """Wait until the UI shows the script's final state and count; returns the
    peer that got there. The relay may drop the UI peer as too slow while the
    backlog pours out (close code 1013); the page then reconnects and gets a
    replay, and no other close code is allowed."""
    expected = expected_cells(lines.wait("state ", timeout=30))
    count = lines.wait("count ")
    ui, codes = converge(
        ui,
        lambda u: label_text(u) == "sent " + count.split()[1] and model_cells(u.model) == expected,
        timeout=60,
        what="convergence after the stall",
    )
    assert set(codes) <= {1013}
    return ui


def wait_progress(lines: Lines, at_least: int, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = lines.progress()
        if value >= at_least:
            return value
        if lines.find("<eof>"):
            break
        time.sleep(0.01)
    raise AssertionError(f"the script did not reach {at_least} updates: {lines.lines[-5:]}")


def test_server_sigkilled_and_restarted_during_10k_burst(tmp_path: Path, python: str) -> None:
    """The script keeps running through a relay crash, reconnects by itself and
    the UI ends with exactly the grid the script built, cell by cell."""
    server = Server().start()
    ui = UIPeer(server.ws_url)
    proc = start_script(scripts.write(tmp_path, scripts.BURST, "burst.py"), server.ws_url, python)
    lines = Lines(proc)
    try:
        lines.wait("connected")
        at_kill = wait_progress(lines, 3000)
        server.kill()
        ui.close()
        assert lines.find("state ") is None, "the burst ended before the fault"
        time.sleep(0.3)
        server.start()
        ui = UIPeer(server.ws_url)
        expected = expected_cells(lines.wait("state ", timeout=60))
        assert len(expected) > 100
        ui.wait_for(
            lambda u: label_text(u) == "burst done" and model_cells(u.model) == expected,
            timeout=30,
            what="the UI's grid equal to the script's",
        )
        assert ui.model.order == ["grid-1", "label-1", "button-1"]
        assert at_kill < 10_000
        # The program still works after the fault: a click reaches its callback.
        ui.event("button", "button-1", {"event": "click"})
        ui.wait_for(lambda u: label_text(u) == "clicks 1", what="callback after restart")
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        assert proc.returncode == 130
        ui.wait_for(lambda u: not u.heroes, what="hero offline after Ctrl+C")
    finally:
        stop(proc)
        ui.close()
        server.stop()


def test_ui_that_stops_reading_for_5s(tmp_path: Path, server: Server) -> None:
    """A UI stalls for 5 s while the script streams updates: the hero's memory
    stays flat (the relay holds the backlog, bounded per peer) and the UI
    converges to the script's state once it reads again."""
    ui = UIPeer(server.ws_url, read=False)
    proc = start_script(
        scripts.write(tmp_path, scripts.STREAM, "stream.py"),
        server.ws_url,
        STREAM_SECONDS="7",
        STREAM_SLEEP_MS="10",
    )
    lines = Lines(proc)
    try:
        lines.wait("connected")
        time.sleep(0.5)
        base = rss_mb(proc.pid)
        samples = rss_samples(proc.pid, seconds=5)
        ui.start_reading()
        ui = _converges_after_the_stall(ui, lines)
        assert max(samples) - base < 30, f"hero RSS grew from {base:.1f} to {max(samples):.1f} MiB"
    finally:
        stop(proc)
        ui.close()


def test_relay_stalled_for_5s_hero_memory_stays_bounded(tmp_path: Path) -> None:
    """The relay stops reading (SIGSTOP) for 5 s while the script updates a
    grid as fast as it can: the hero must not queue every update in memory
    (its components' state already is the buffer) and the UI converges."""
    server = Server().start()
    ui = UIPeer(server.ws_url)
    proc = start_script(
        scripts.write(tmp_path, scripts.STREAM, "stream.py"), server.ws_url, STREAM_SECONDS="7"
    )
    lines = Lines(proc)
    stopped = False
    try:
        lines.wait("connected")
        time.sleep(0.5)
        base = rss_mb(proc.pid)
        assert server.proc is not None
        os.kill(server.proc.pid, signal.SIGSTOP)
        stopped = True
        samples = rss_samples(proc.pid, seconds=5)
        os.kill(server.proc.pid, signal.SIGCONT)
        stopped = False
        ui = _converges_after_the_stall(ui, lines)
        assert max(samples) - base < 40, f"hero RSS grew from {base:.1f} to {max(samples):.1f} MiB"
    finally:
        if stopped and server.proc is not None:
            os.kill(server.proc.pid, signal.SIGCONT)
        stop(proc)
        ui.close()
        server.stop()


@pytest.mark.parametrize("how", ["crash", "sigkill"])
def test_script_gone_ui_keeps_picture_next_run_takes_over(
    tmp_path: Path, server: Server, python: str, how: str
) -> None:
    """An unhandled exception (after delivering everything sent) or a SIGKILL:
    the UI learns the hero is offline, keeps what it shows, and the next run
    of the program replaces it."""
    ui = UIPeer(server.ws_url)
    source = scripts.CRASH if how == "crash" else scripts.HANG
    first = start_script(scripts.write(tmp_path, source, "first.py"), server.ws_url, python)
    second = None
    try:
        lines = Lines(first)
        lines.wait("shown")
        if how == "sigkill":
            first.send_signal(signal.SIGKILL)
        first.wait(timeout=15)
        assert first.stderr is not None
        err = first.stderr.read()
        if how == "crash":
            assert first.returncode == 1
            assert "RuntimeError: boom: the script crashed" in err
            # Everything the script sent before dying was delivered.
            ui.wait_for(lambda u: label_text(u) == "run 1: 1999", what="last label text")
        else:
            assert first.returncode == -signal.SIGKILL
        ui.wait_for(lambda u: not u.heroes, what="hero offline")
        shown = dict(ui.model.components)
        assert model_cells(ui.model) == {(1, 2): {"color": "#123456"}}
        assert "label-1" in shown

        second = start_script(
            scripts.write(tmp_path, scripts.NEXT, "second.py"), server.ws_url, python
        )
        Lines(second).wait("shown")
        ui.wait_for(
            lambda u: list(u.model.components) == ["label-1"] and label_text(u) == "run 2",
            what="the next run's picture",
        )
        assert len(ui.heroes) == 1
    finally:
        stop(first)
        if second is not None:
            stop(second)
        ui.close()

"""Load on one real server: active sessions exchanging updates and events
next to idle ones. Asserts correctness only (no cross-talk, no loss, no
reordering, no errors, no server warnings), never time; the figures come
from running ``tests/reliability/load.py`` (see docs/reliability.md).
"""

from __future__ import annotations

import pytest

from .load import Report, run_with_server


def check(report: Report, active: int, burst: int) -> None:
    assert report.ok, report.errors
    assert report.server_warnings == []
    assert report.cross_talk == report.lost == report.out_of_order == 0
    assert report.latency_messages > 0
    assert report.throughput_messages == active * burst
    assert report.events_to_heroes > 0


def test_load_small() -> None:
    report = run_with_server(active=20, idle=200, seconds=1.0, rate=20, burst=100, settle=0.2)
    check(report, 20, 100)


@pytest.mark.slow
def test_load_100_active_and_1000_idle_sessions() -> None:
    report = run_with_server(active=100, idle=1000, seconds=2.0, rate=20, burst=200, batch=10)
    check(report, 100, 200)
    assert report.connections == 2200

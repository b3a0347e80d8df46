from __future__ import annotations

import os
import sys
from typing import Iterator, List

import pytest

from tests.support.procs import Server


def _pythons() -> List[str]:
    """Interpreters for the exit/reconnect matrix: SIDEKICK_TEST_PYTHONS (':'-separated)."""
    listed = [p for p in os.environ.get("SIDEKICK_TEST_PYTHONS", "").split(os.pathsep) if p]
    return listed or [sys.executable]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "python" in metafunc.fixturenames:
        pythons = _pythons()
        ids = [os.path.basename(os.path.dirname(os.path.dirname(p))) or p for p in pythons]
        metafunc.parametrize("python", pythons, ids=ids)


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server().start()
    yield s
    s.stop()

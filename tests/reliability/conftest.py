"""Fixtures for the reliability suite, shared with the other suites by import.

The exit and reconnect tests take a ``python`` argument and run on every
interpreter of the version matrix (``SIDEKICK_TEST_PYTHONS``, set by ``./dev``
to CPython 3.9, 3.13 and the default one), exactly like the integration tests.
``harness`` is the unit suite's in-memory service.
"""

from __future__ import annotations

from tests.integration.conftest import pytest_generate_tests, server  # noqa: F401
from tests.unit.conftest import harness  # noqa: F401

from __future__ import annotations

from typing import Iterator

import pytest

import sidekick.service as service_module
from sidekick.service import ConnectionService

from .memory import Harness, MemoryConnector


@pytest.fixture
def harness(monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    """A fresh ConnectionService over an in-memory transport, as the singleton."""
    service = ConnectionService()
    connector = MemoryConnector()
    service.connector = connector  # type: ignore[assignment]
    monkeypatch.setattr(service_module, "_service", service)
    yield Harness(service, connector)
    service.shutdown(wait=True)
    service._tm.stop()

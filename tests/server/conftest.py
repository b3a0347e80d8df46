from __future__ import annotations

from typing import Any, Callable, Iterator, List

import pytest
from sidekick_server_testutil import ServerThread


@pytest.fixture
def server_factory() -> Iterator[Callable[..., ServerThread]]:
    """Start servers with given options; all are closed after the test."""
    started: List[ServerThread] = []

    def factory(**kwargs: Any) -> ServerThread:
        server = ServerThread(**kwargs)
        started.append(server)
        return server

    yield factory
    for server in started:
        server.close()


@pytest.fixture
def server(server_factory: Callable[..., ServerThread]) -> ServerThread:
    """A default server on 127.0.0.1 and a free port."""
    return server_factory()

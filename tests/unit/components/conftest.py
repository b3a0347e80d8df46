"""Fixtures: a fresh service whose queue the tests read directly (no loop, no network)."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List

import pytest

import sidekick.service as service_module
from sidekick.components import base
from sidekick.service import ConnectionService
from tests.support.uimodel import UIModel

Message = Dict[str, Any]


class Recorder:
    """Reads what components queue, as if a UI had been attached from the start."""

    def __init__(self, service: ConnectionService) -> None:
        self.service = service
        self.log: List[str] = []  # every message ever taken
        self._new: List[str] = []

    def _drain(self) -> None:
        with self.service.lock:
            texts, self.service._queue = self.service._queue, []
        self._new.extend(texts)

    def take_raw(self) -> List[str]:
        """The encoded messages queued since the last call."""
        self._drain()
        texts, self._new = self._new, []
        self.log.extend(texts)
        return texts

    def take(self) -> List[Message]:
        """The messages queued since the last call, decoded."""
        return [json.loads(t) for t in self.take_raw()]

    def ui_event(self, component: Any, message: Message) -> Any:
        """Dispatch ``message`` as if a UI sent it; the models see it in order."""
        self._drain()
        self._new.append(json.dumps(message))
        return component._dispatch(message)

    def one(self) -> Message:
        messages = self.take()
        assert len(messages) == 1, messages
        return messages[0]

    def replay(self) -> List[Message]:
        provider = self.service.replay_provider
        with self.service.lock:
            texts = provider() if provider is not None else []
        return [{"id": 0, "component": "global", "type": "clearAll"}] + [
            json.loads(t) for t in texts
        ]

    def live_model(self) -> UIModel:
        self.take_raw()
        return UIModel().apply_all([json.loads(t) for t in self.log])

    def replay_model(self) -> UIModel:
        return UIModel().apply_all(self.replay())

    def assert_replay_matches(self) -> None:
        assert self.replay_model().snapshot() == self.live_model().snapshot()


@pytest.fixture
def ui(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    service = ConnectionService()
    monkeypatch.setattr(service, "touch", lambda: None)
    monkeypatch.setattr(service, "wake", lambda: None)
    service._forwarding = True
    monkeypatch.setattr(service_module, "_service", service)
    monkeypatch.setattr(base, "_id_counters", {})
    yield Recorder(service)


def update(component: str, target: str, action: str, options: Any = None) -> Message:
    payload: Message = {"action": action}
    if options is not None:
        payload["options"] = options
    return {"id": 0, "component": component, "type": "update", "target": target, "payload": payload}


def spawn(component: str, target: str, payload: Message) -> Message:
    return {"id": 0, "component": component, "type": "spawn", "target": target, "payload": payload}


def event(component: str, src: str, payload: Message) -> Message:
    return {"id": 0, "component": component, "type": "event", "src": src, "payload": payload}

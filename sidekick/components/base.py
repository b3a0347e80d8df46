"""The Component base: ids, parents, removal, errors, the send path and replay.

Every component keeps the state the UI shows, so a new or reconnected UI can
be rebuilt from it (see :mod:`sidekick.service`). Each public method encodes
its message on the caller's thread (bad values raise there), then under the
service lock updates the component's state and queues the message.
"""

from __future__ import annotations

import itertools
import threading
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Dict, List, Optional, TypeVar, Union

from .. import protocol
from ..errors import SidekickError
from ..service import ConnectionService, get_service, logger
from ._values import json_str

if TYPE_CHECKING:  # events load with the first event, not with the import
    from .events import ErrorEvent

__all__ = ["Component", "Container", "replay_messages", "check_callback"]

F = TypeVar("F", bound=Callable[..., Any])

_id_lock = threading.Lock()
_id_counters: Dict[str, itertools.count[int]] = {}


def _next_id(component_type: str) -> str:
    with _id_lock:
        counter = _id_counters.get(component_type)
        if counter is None:
            counter = _id_counters[component_type] = itertools.count(1)
        return f"{component_type}-{next(counter)}"


def check_callback(callback: Any, what: str) -> Any:
    """``callback`` must be callable or None (``TypeError`` otherwise)."""
    if callback is not None and not callable(callback):
        raise TypeError(f"{what} must be a function (or None), not {type(callback).__name__}")
    return callback


class Component:
    """Base of every visual component.

    Args:
        instance_id: A unique id; ``<type>-<n>`` when omitted.
        parent: The container (or its id) to place this in; the top level when omitted.
        on_error: Called with an :class:`ErrorEvent` when the UI rejects a command.
    """

    component_type: ClassVar[str] = ""

    def __init__(
        self,
        instance_id: Optional[str] = None,
        parent: Optional[Union[Component, str]] = None,
        on_error: Optional[Callable[[ErrorEvent], Any]] = None,
    ) -> None:
        if instance_id is None:
            instance_id = _next_id(self.component_type)
        elif not isinstance(instance_id, str):
            raise TypeError(f"instance_id must be a str, not {type(instance_id).__name__}")
        elif not instance_id.strip():
            raise ValueError("instance_id must not be empty")
        self._service: ConnectionService = get_service()
        self.instance_id: str = instance_id
        self._on_error = check_callback(on_error, "on_error")
        self._removed = False
        self._parent_id: Optional[str] = None
        self._parent_arg = parent
        # "...","type":"update","target":"<id>","payload":{"action":  — built once.
        self._update_head = (
            '{"id":0,"component":"'
            + self.component_type
            + '","type":"update","target":'
            + protocol.dumps(instance_id)
            + ',"payload":{"action":"'
        )

    # Subclasses call this at the end of __init__, once their state is set.
    def _spawn(self) -> None:
        svc = self._service
        parent = _resolve_parent(svc, self._parent_arg)
        del self._parent_arg
        if svc.replay_provider is None:
            svc.replay_provider = lambda: replay_messages(svc)
        svc.touch()
        with svc.lock:
            svc.register(self)
            if parent is not None:
                if parent._removed:
                    svc.unregister(self.instance_id)
                    raise SidekickError(
                        f"cannot place {self.instance_id!r} in removed {parent.instance_id!r}"
                    )
                self._parent_id = parent.instance_id
                parent._children.append(self.instance_id)
            text = protocol.encode(self._spawn_message())
            wake = svc.enqueue_locked(text)
        if wake:
            svc.wake()

    # ---------------------------------------------------------- for subclasses

    def _spawn_payload(self) -> Dict[str, Any]:
        """The spawn payload for the component's *current* state (camelCase)."""
        return {}

    def _replay_updates(self) -> List[str]:
        """Encoded updates that, after the spawn, rebuild the current state."""
        return []

    def _handle_event(self, payload: Dict[str, Any]) -> Any:
        """An ``event`` from the UI (runs on the callback thread); returns the callback's result."""
        return None

    def _update(self, action: str, options: Optional[Dict[str, Any]] = None) -> str:
        """Encode an update of this component (raises on bad values)."""
        if options is None:
            return self._update_head + action + '"}}'
        return self._update_head + action + '","options":' + protocol.dumps(options) + "}}"

    def _update_str(self, action: str, key: str, value: str) -> str:
        """Encode an update whose one option is a str: by hand, as the text setters are hot."""
        return f'{self._update_head}{action}","options":{{"{key}":{json_str(value)}}}}}}}'

    def _emit(
        self, text: str, apply: Optional[Callable[[], None]] = None, activate: bool = True
    ) -> None:
        """Apply a state change and queue its message, atomically with replay.

        ``activate=False`` queues without (re)starting the connection.
        """
        svc = self._service
        if activate:
            svc.touch()
        with svc.lock:
            if self._removed:
                raise self._removed_error()
            if apply is not None:
                apply()
            wake = svc.enqueue_locked(text)
        if wake:
            svc.wake()

    def _check_alive(self) -> None:
        if self._removed:
            raise self._removed_error()

    def _removed_error(self) -> SidekickError:
        return SidekickError(f"{self.component_type} {self.instance_id!r} has been removed")

    # ----------------------------------------------------------------- replay

    def _spawn_message(self) -> Dict[str, Any]:
        payload = self._spawn_payload()
        if self._parent_id is not None:
            payload["parent"] = self._parent_id
        return protocol.spawn(self.component_type, self.instance_id, payload)

    def _replay(self) -> List[str]:
        return [protocol.encode(self._spawn_message()), *self._replay_updates()]

    # ----------------------------------------------------------------- public

    def on_error(self, callback: Optional[Callable[[ErrorEvent], Any]]) -> Any:
        """Set the function called with an :class:`ErrorEvent`; usable as a decorator."""
        self._on_error = check_callback(callback, "on_error")
        return callback

    def remove(self) -> None:
        """Remove this component (and a container's children) from the UI.

        Calling it again does nothing; other calls on a removed component raise
        :class:`~sidekick.SidekickError`.
        """
        svc = self._service
        text = protocol.encode(protocol.remove(self.component_type, self.instance_id))
        with svc.lock:
            if self._removed:
                return
            parent = svc.components.get(self._parent_id) if self._parent_id else None
            if parent is not None and self.instance_id in parent._children:
                parent._children.remove(self.instance_id)
            self._release()
            wake = svc.enqueue_locked(text)
        if wake:
            svc.wake()

    def _release(self) -> None:
        """Forget this component (under the lock); containers release children too."""
        self._service.unregister(self.instance_id)
        self._mark_removed()

    def _mark_removed(self) -> None:
        self._removed = True

    # --------------------------------------------------------------- dispatch

    def _dispatch(self, message: Dict[str, Any]) -> Any:
        """Turn an inbound event/error into a callback call (on the callback thread).

        Returns what the callback returned, so the runner can await a coroutine.
        """
        if self._removed:
            return None
        payload = message.get("payload") or {}
        if message["type"] == "error":
            from .events import ErrorEvent

            text = payload.get("message")
            event = ErrorEvent(self.instance_id, "error", str(text) if text is not None else "")
            callback = self._on_error
            if callback is None:
                logger.warning(
                    "sidekick: the UI reported an error for %s %r: %s",
                    self.component_type,
                    self.instance_id,
                    event.message,
                )
                return
            return callback(event)
        return self._handle_event(payload)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(instance_id={self.instance_id!r})"


class Container(Component):
    """A component that holds others (Row, Column)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._children: List[str] = []
        super().__init__(*args, **kwargs)

    def add_child(self, child: Component) -> None:
        """Move ``child`` (with its own children) to the end of this container."""
        if not isinstance(child, Component):
            raise TypeError(f"add_child() needs a sidekick component, not {type(child).__name__}")
        svc = self._service
        text = child._update("changeParent", {"parent": self.instance_id})

        def apply() -> None:
            if child._removed:
                raise child._removed_error()
            node: Optional[Component] = self
            while node is not None:
                if node is child:
                    raise ValueError(
                        f"cannot add {child.instance_id!r} into itself or one of its descendants"
                    )
                node = svc.components.get(node._parent_id) if node._parent_id else None
            old = svc.components.get(child._parent_id) if child._parent_id else None
            if old is not None and child.instance_id in old._children:
                old._children.remove(child.instance_id)
            child._parent_id = self.instance_id
            self._children.append(child.instance_id)

        self._emit(text, apply)

    def _release(self) -> None:
        svc = self._service
        for child_id in self._children:
            child = svc.components.get(child_id)
            if child is not None:
                child._release()
        self._children = []
        super()._release()


def _resolve_parent(
    svc: ConnectionService, parent: Optional[Union[Component, str]]
) -> Optional[Container]:
    if parent is None:
        return None
    if isinstance(parent, str):
        if parent == "root":
            return None
        found = svc.components.get(parent)
        if found is None:
            raise ValueError(f"parent {parent!r} is not the id of a live container")
        parent = found
    if not isinstance(parent, Container):
        raise TypeError(f"parent must be a Row or Column (or its id), not {type(parent).__name__}")
    if parent._removed:
        raise SidekickError(f"parent {parent.instance_id!r} has been removed")
    return parent


def replay_messages(svc: ConnectionService) -> List[str]:
    """Every live component's messages, parents before children, in UI order.

    Components only ever leave the top level (``add_child``), so the top
    level's order is creation order; each container keeps its children's.
    """
    out: List[str] = []
    components = svc.components

    def visit(component: Component) -> None:
        out.extend(component._replay())
        if isinstance(component, Container):
            for child_id in component._children:
                child = components.get(child_id)
                if child is not None:
                    visit(child)

    for component in list(components.values()):
        if component._parent_id is None:
            visit(component)
    return out

"""Viz: shows variables as collapsible trees, live for ObservableValues."""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Tuple, Union

from .. import protocol
from ..errors import SidekickError
from ._observable_ops import ChangeRecord, next_seq
from ._viz_repr import MAX_DEPTH, MAX_ITEMS, Pins, Registry, Representer, _attributes
from .base import Component
from .events import ErrorEvent
from .observable import ObservableValue

__all__ = ["Viz", "MAX_UPDATES"]

#: Replay keeps, per variable, the message that showed it plus at most this
#: many updates; then the variable's current value is represented afresh.
MAX_UPDATES = 256

_JSON_KEYS = (str, int, float, bool, type(None))


class _Variable:
    __slots__ = (
        "name",
        "value",
        "unsubscribe",
        "set_message",
        "updates",
        "pins",
        "since",
        "log_since",
        "complete",
    )

    def __init__(self, name: str, value: Any) -> None:
        self.name = name
        self.value = value
        self.unsubscribe: Optional[Callable[[], None]] = None
        self.set_message = ""
        self.updates: List[str] = []
        self.pins: Pins = {}
        self.since = 0  # changes before this were in the last full message sent
        self.log_since = 0  # ... or in the one kept for replay
        self.complete = True


class Viz(Component):
    """Shows named values as trees: :meth:`show` a value, :meth:`remove_variable` it.

    A plain value is shown as it is at the time of :meth:`show`. An
    :class:`~sidekick.ObservableValue` stays live: each change made through it
    becomes one small update. See ``sidekick.components._viz_repr`` for how
    values are represented and the limits that keep that bounded.

    Replay state, per variable: its last full representation plus the updates
    since (at most :data:`MAX_UPDATES`, then represented afresh).
    """

    component_type = "viz"

    def __init__(
        self,
        instance_id: Optional[str] = None,
        parent: Optional[Union[Component, str]] = None,
        on_error: Optional[Callable[[ErrorEvent], Any]] = None,
    ) -> None:
        super().__init__(instance_id, parent, on_error)
        self._vars: Dict[str, _Variable] = {}
        self._registry = Registry()
        # Guards the registry and orders show() against change handlers.
        self._repr_lock = threading.RLock()
        self._spawn()

    # ----------------------------------------------------------------- public

    def show(self, name: str, value: Any) -> None:
        """Show ``value`` as variable ``name`` (replacing what had that name)."""
        if not isinstance(name, str):
            raise TypeError(f"the variable name must be a str, not {type(name).__name__}")
        if not name:
            raise ValueError("the variable name must not be empty")
        self._check_alive()
        var = _Variable(name, value)
        replaced: List[_Variable] = []
        with self._repr_lock:
            since = next_seq()
            var.set_message, var.pins, var.complete = self._full(var)
            var.since = var.log_since = since
            if isinstance(value, ObservableValue):
                var.unsubscribe = value.subscribe(functools.partial(self._on_change, var))

            def apply() -> None:
                old = self._vars.pop(name, None)
                if old is not None:
                    replaced.append(old)
                self._vars[name] = var

            try:
                self._emit(var.set_message, apply)
            except BaseException:
                self._drop(var)
                raise
            for old in replaced:
                self._drop(old)

    def remove_variable(self, name: str) -> None:
        """Stop showing variable ``name`` (nothing happens if it is not shown)."""
        if name not in self._vars:
            self._check_alive()
            return
        removed: List[_Variable] = []
        message = self._message("removeVariable", name, {})

        def apply() -> None:
            var = self._vars.pop(name, None)
            if var is None:
                raise _NotShown
            removed.append(var)

        with self._repr_lock:
            try:
                self._emit(message, apply)
            except _NotShown:
                return
            for var in removed:
                self._drop(var)

    # --------------------------------------------------------------- messages

    def _message(self, action: str, name: str, options: Dict[str, Any]) -> str:
        return (
            f'{self._update_head}{action}","variableName":{protocol.dumps(name)},'
            f'"options":{protocol.dumps(options)}}}}}'
        )

    def _full(self, var: _Variable) -> Tuple[str, Pins, bool]:
        """A ``set`` message with the variable's whole current value."""
        rep = Representer(self._registry, {})
        value = var.value
        node = rep.node(value, tracked=isinstance(value, ObservableValue))
        options: Dict[str, Any] = {"path": [], "valueRepresentation": node}
        if "length" in node:
            options["length"] = node["length"]
        return self._message("set", var.name, options), rep.pins, rep.complete

    def _drop(self, var: _Variable) -> None:
        unsubscribe, var.unsubscribe = var.unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()
        with self._repr_lock:
            self._registry.release(var.pins)

    # ---------------------------------------------------------------- changes

    def _on_change(self, var: _Variable, record: ChangeRecord) -> None:
        """One change of a shown ObservableValue: one update message."""
        with self._repr_lock:
            if self._removed or self._vars.get(var.name) is not var or record._seq < var.since:
                return
            since = next_seq()
            change = self._change_options(var, record)
            full = change is None
            pins: Pins = {}
            complete = True
            if change is None:
                message, pins, complete = self._full(var)
            else:
                message = self._message(change[0], var.name, change[1])
            log = record._seq >= var.log_since

            def apply() -> None:
                if full:
                    var.set_message, var.updates = message, []
                    var.since = var.log_since = since
                    var.pins, old_pins[0] = pins, var.pins
                    var.complete = complete
                elif log:
                    var.updates.append(message)

            old_pins: List[Pins] = [{}]
            try:
                self._emit(message, apply)
            except SidekickError:
                return  # removed meanwhile
            self._registry.release(old_pins[0])
            if len(var.updates) >= MAX_UPDATES:
                self._compact(var)

    def _compact(self, var: _Variable) -> None:
        since = next_seq()
        message, pins, complete = self._full(var)
        with self._service.lock:
            var.set_message, var.updates = message, []
            var.log_since = since
            var.pins, pins = pins, var.pins
            var.complete = complete
        self._registry.release(pins)

    def _change_options(
        self, var: _Variable, record: ChangeRecord
    ) -> Optional[Tuple[str, Dict[str, Any]]]:
        """The update for ``record``, or None when only a full ``set`` is right."""
        rtype = record["type"]
        path = list(record["path"])
        if not var.complete or not all(
            type(key) in _JSON_KEYS and (type(key) is not float or key - key == 0) for key in path
        ):
            return None
        whole = rtype in ("clear", "add_set", "discard_set")
        if not whole and not path:
            return None  # `set` of the variable itself
        container_path = path if whole else path[:-1]
        found = _walk(var.value, container_path)
        if found is None:
            return None
        holder, container, ancestors = found
        depth = len(container_path) + 1
        rep = Representer(self._registry, var.pins)
        tracked = isinstance(holder, ObservableValue)
        options: Dict[str, Any] = {"path": path}
        length = record["length"]
        is_dict = isinstance(container, dict)
        if rtype in ("setitem", "setattr", "set"):
            value = record._source if rtype == "set" else record["value"]
            options["valueRepresentation"] = rep.node(value, depth, ancestors, tracked)
            if is_dict:
                options["keyRepresentation"] = rep.node(path[-1], depth, ancestors)
            action = "setitem"
        elif rtype in ("append", "insert"):
            options["valueRepresentation"] = rep.node(record["value"], depth, ancestors, tracked)
            action = rtype
        elif rtype in ("delitem", "pop", "remove"):
            action = "delitem" if is_dict or rtype == "delitem" else rtype
        elif rtype == "clear":
            action = "clear"
        elif rtype in ("add_set", "discard_set"):
            item = record["value"] if rtype == "add_set" else record["old_value"]
            if rtype == "discard_set" and type(item) not in _JSON_KEYS:
                return None  # the UI matches removed elements by value
            options["valueRepresentation"] = rep.node(item, depth, ancestors)
            action = rtype
        else:
            return None
        if not rep.complete:
            return None
        if length is not None:
            options["length"] = length
        return action, options

    # ----------------------------------------------------------------- replay

    def _mark_removed(self) -> None:
        super()._mark_removed()
        for var in list(self._vars.values()):
            unsubscribe, var.unsubscribe = var.unsubscribe, None
            if unsubscribe is not None:
                unsubscribe()

    def _replay_updates(self) -> List[str]:
        out: List[str] = []
        for var in self._vars.values():
            out.append(var.set_message)
            out.extend(var.updates)
        return out


class _NotShown(Exception):
    pass


def _walk(root: Any, path: List[Any]) -> Optional[Tuple[Any, Any, FrozenSet[int]]]:
    """Follow ``path`` from ``root`` to a container shown in full.

    Returns (the object at the path, the container it is or wraps, the ids of
    it and everything above), or None when something on the way was cut by
    the representation limits or no longer matches.
    """
    if len(path) >= MAX_DEPTH:
        return None
    ancestors: FrozenSet[int] = frozenset()
    obj = root
    index = 0
    while True:
        holder = obj
        ancestors = ancestors | {id(obj)}
        if isinstance(obj, ObservableValue):
            obj = obj._value
            ancestors = ancestors | {id(obj)}
        if isinstance(obj, (list, tuple, dict, set, frozenset)) and len(obj) >= MAX_ITEMS:
            return None
        if index == len(path):
            return holder, obj, ancestors
        key = path[index]
        index += 1
        try:
            if isinstance(obj, (dict, list, tuple)):
                obj = obj[key]
            else:
                attrs = _attributes(obj)
                if attrs is None:
                    return None
                obj = dict(attrs)[key]
        except (KeyError, IndexError, TypeError):
            return None

"""Turning Python values into Viz representation nodes (see protocol.md).

A node is ``{"id", "type", "value", "length"?, "observableTracked"?}``. Node
ids come from a per-Viz registry keyed by object identity. The registry keeps
every object that a shown representation refers to alive (it is *pinned*),
so an id can never be reused by a new object while the UI may still show the
old one; pins are released when the variable is replaced or removed.

Limits keep a representation small whatever the value: containers deeper
than :data:`MAX_DEPTH` become a ``truncated`` node, only the first
:data:`MAX_ITEMS` items of a container are shown (then one ``truncated``
node says how many are left), strings and reprs are cut at
:data:`MAX_TEXT` characters, and one representation has at most
:data:`MAX_NODES` nodes. A container that contains itself (a true cycle)
shows a ``recursive_ref`` node; an object shared by two branches is shown in
both.
"""

from __future__ import annotations

import enum
import types
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from .observable import ObservableValue

__all__ = ["Registry", "Representer", "MAX_DEPTH", "MAX_ITEMS", "MAX_NODES", "MAX_TEXT"]

MAX_DEPTH = 8
MAX_ITEMS = 100
MAX_NODES = 5000
MAX_TEXT = 1000

_SAFE_INT = 2**53
_OPAQUE = (
    type,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    enum.Enum,
    BaseException,
    bytes,
    bytearray,
    complex,
    range,
    memoryview,
)

Node = Dict[str, Any]
Pins = Dict[int, list]  # id(obj) -> registry entry [obj, node_id, pin_count]


class Registry:
    """Stable node ids by object identity, with pinning (see the module doc)."""

    def __init__(self) -> None:
        self._entries: Dict[int, list] = {}
        self._counter = 0

    def node_id(self, obj: Any, pins: Pins) -> str:
        key = id(obj)
        entry = pins.get(key)
        if entry is not None:
            return entry[1]
        entry = self._entries.get(key)
        if entry is None:
            self._counter += 1
            entry = self._entries[key] = [obj, f"n{self._counter}", 0]
        entry[2] += 1
        pins[key] = entry
        return entry[1]

    def release(self, pins: Pins) -> None:
        for key, entry in pins.items():
            entry[2] -= 1
            if entry[2] <= 0 and self._entries.get(key) is entry:
                del self._entries[key]
        pins.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _safe_repr(obj: Any) -> str:
    return _cut(repr(obj))


class Representer:
    """Builds the nodes of one representation; ``complete`` is False when limits cut it."""

    def __init__(self, registry: Registry, pins: Pins) -> None:
        self._registry = registry
        self.pins = pins
        self._budget = MAX_NODES
        self.complete = True

    def node(
        self,
        obj: Any,
        depth: int = 0,
        ancestors: FrozenSet[int] = frozenset(),
        tracked: bool = False,
    ) -> Node:
        """The node of ``obj`` at ``depth``; ``ancestors`` are the ids above it."""
        node_id = self._registry.node_id(obj, self.pins)
        if isinstance(obj, ObservableValue):
            inner = obj._value
            if id(obj) in ancestors or id(inner) in ancestors:
                return self._marker(node_id, "recursive_ref", "<cycle: contains itself>")
            ancestors = ancestors | {id(obj)}
            node = self._value_node(node_id, inner, depth, ancestors, child_tracked=tracked)
            if tracked:
                node["observableTracked"] = True
            return node
        if id(obj) in ancestors:
            return self._marker(node_id, "recursive_ref", f"<cycle: {type(obj).__name__}>")
        return self._value_node(node_id, obj, depth, ancestors, child_tracked=False)

    def _marker(self, node_id: str, kind: str, text: str) -> Node:
        return {"id": f"{node_id}:{kind}", "type": kind, "value": text}

    def _value_node(
        self, node_id: str, obj: Any, depth: int, ancestors: FrozenSet[int], child_tracked: bool
    ) -> Node:
        self._budget -= 1
        try:
            return self._build(node_id, obj, depth, ancestors, child_tracked)
        except Exception as exc:  # a broken __repr__, a dict changing under us, ...
            return {
                "id": f"{node_id}:error",
                "type": "error",
                "value": _cut(f"<cannot show {type(obj).__name__}: {exc!r}>"),
            }

    def _build(
        self, node_id: str, obj: Any, depth: int, ancestors: FrozenSet[int], child_tracked: bool
    ) -> Node:
        kind = type(obj)
        if obj is None or kind is bool or kind is str:
            value = _cut(obj) if kind is str else obj
            return {"id": node_id, "type": kind.__name__, "value": value}
        if kind is int:
            return {
                "id": node_id,
                "type": "int",
                "value": obj if -_SAFE_INT < obj < _SAFE_INT else repr(obj),
            }
        if kind is float:
            return {"id": node_id, "type": "float", "value": obj if obj - obj == 0.0 else repr(obj)}
        is_mapping = isinstance(obj, dict)
        is_sequence = isinstance(obj, (list, tuple, set, frozenset))
        attrs = None if is_mapping or is_sequence else _attributes(obj)
        if not (is_mapping or is_sequence or attrs is not None):
            return {"id": node_id, "type": _type_name(obj), "value": _safe_repr(obj)}
        type_name = kind.__name__ if attrs is None else f"object ({kind.__name__})"
        length = len(obj) if attrs is None else len(attrs)
        if depth >= MAX_DEPTH or self._budget <= 0:
            self.complete = False
            unit = "attribute" if attrs is not None else "item"
            return self._marker(
                node_id, "truncated", f"<{type_name}: {length} {unit}{'' if length == 1 else 's'}>"
            )
        inner = ancestors | {id(obj)}
        below = depth + 1
        node: Node = {"id": node_id, "type": type_name}
        if attrs is not None:
            node["value"] = {
                name: self.node(value, below, inner, False) for name, value in attrs[:MAX_ITEMS]
            }
            if len(attrs) > MAX_ITEMS:
                self.complete = False
        elif is_mapping:
            pairs: List[Node] = []
            for i, (key, value) in enumerate(list(obj.items())):
                if i >= MAX_ITEMS or self._budget <= 0:
                    more = self._more(node_id, length - i)
                    pairs.append(
                        {"key": {**more, "id": more["id"] + "-key", "value": "..."}, "value": more}
                    )
                    break
                pairs.append(
                    {
                        "key": self.node(key, below, inner, False),
                        "value": self.node(value, below, inner, child_tracked),
                    }
                )
            node["value"] = pairs
        else:
            items: List[Node] = []
            for i, value in enumerate(list(obj)):
                if i >= MAX_ITEMS or self._budget <= 0:
                    items.append(self._more(node_id, length - i))
                    break
                items.append(self.node(value, below, inner, child_tracked))
            node["value"] = items
        node["length"] = length
        return node

    def _more(self, node_id: str, left: int) -> Node:
        self.complete = False
        return self._marker(node_id, "truncated", f"... {left} more")


def _type_name(obj: Any) -> str:
    return type(obj).__name__


def _attributes(obj: Any) -> Optional[List[Tuple[str, Any]]]:
    """An instance's own attributes (``__dict__`` and ``__slots__``), or None if opaque.

    Attributes are read from the instance dict and the slot descriptors, so
    properties and ``__getattr__`` never run.
    """
    if isinstance(obj, _OPAQUE):
        return None
    kind = type(obj)
    found: List[Tuple[str, Any]] = []
    has_slots = False
    for klass in kind.__mro__:
        slots = klass.__dict__.get("__slots__")
        if slots is None:
            continue
        has_slots = True
        for name in (slots,) if isinstance(slots, str) else slots:
            if name in ("__dict__", "__weakref__"):
                continue
            descriptor = klass.__dict__.get(name)
            if type(descriptor) is not types.MemberDescriptorType:
                continue
            try:
                found.append((name, descriptor.__get__(obj, kind)))
            except AttributeError:
                pass  # an unset slot
    try:
        own = object.__getattribute__(obj, "__dict__")
    except AttributeError:
        own = None
    if isinstance(own, dict):
        found.extend((str(name), value) for name, value in list(own.items()))
    elif not has_slots:
        return None
    if kind.__module__ == "builtins" and not found:
        return None
    return found

"""The mutating methods of ObservableValue and its change records.

Each method changes the wrapped value and queues its records under the
observable's lock, then delivers them outside it (see ``observable.py``).
"""

from __future__ import annotations

import itertools
import threading
from typing import Any, Dict, Iterable, List, Optional, Tuple

__all__ = ["ChangeRecord", "Mutations"]

_SEQ = itertools.count(1)
MISSING: Any = object()


class ChangeRecord(Dict[str, Any]):
    """One change: a plain dict to subscribers, with bookkeeping for Viz."""

    _seq: int = 0  # global order of changes
    _source: Any = None  # the ObservableValue where the change happened
    _kind: str = ""  # the container at the end of the path: list, dict, set, object
    _via: Tuple[Any, ...] = ()  # observables the record went through


def next_seq() -> int:
    return next(_SEQ)


def kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, (set, frozenset)):
        return "set"
    return "object"


def make_record(
    source: Any,
    kind: str,
    rtype: str,
    path: List[Any],
    value: Any = None,
    key: Any = None,
    old_value: Any = None,
    length: Optional[int] = None,
) -> ChangeRecord:
    record = ChangeRecord(
        type=rtype, path=path, value=value, key=key, old_value=old_value, length=length
    )
    record._seq = next(_SEQ)
    record._source = source
    record._kind = kind
    record._via = (source,)
    return record


def _position(value: list, index: Any, insert: bool = False) -> int:
    """A list index normalized to ``0 <= i`` (``IndexError`` when out of range)."""
    n = len(value)
    i = index.__index__()
    if insert:
        return max(0, min(n, i + n if i < 0 else i))
    if i < 0:
        i += n
    if not 0 <= i < n:
        raise IndexError("list index out of range")
    return i


class Mutations:
    """Mutating methods of list, dict and set, each announcing what it changed."""

    _value: Any
    _lock: threading.RLock

    # Provided by ObservableValue.
    def _push(self, record: ChangeRecord) -> None:
        raise NotImplementedError

    def _deliver(self) -> None:
        raise NotImplementedError

    def _link(self, item: Any) -> None:
        raise NotImplementedError

    def _rec(self, rtype: str, path: List[Any], **fields: Any) -> None:
        self._push(make_record(self, kind_of(self._value), rtype, path, **fields))

    def _need(self, kinds: Tuple[type, ...], op: str) -> Any:
        value = self._value
        if not isinstance(value, kinds):
            names = " or ".join(k.__name__ for k in kinds)
            raise TypeError(
                f"ObservableValue.{op}() needs a wrapped {names}, not {type(value).__name__}"
            )
        return value

    def _whole(self) -> None:
        """The value was rearranged in place: announce it as a whole."""
        self._rec("set", [], value=self._value)

    # ------------------------------------------------------------------ list

    def append(self, item: Any) -> None:
        """``list.append``: one ``append`` record."""
        with self._lock:
            value = self._need((list,), "append")
            value.append(item)
            self._link(item)
            self._rec("append", [len(value) - 1], value=item, length=len(value))
        self._deliver()

    def extend(self, items: Iterable[Any]) -> None:
        """``list.extend``: one ``append`` record per item."""
        items = list(items)
        with self._lock:
            value = self._need((list,), "extend")
            for item in items:
                value.append(item)
                self._link(item)
                self._rec("append", [len(value) - 1], value=item, length=len(value))
        self._deliver()

    def insert(self, index: int, item: Any) -> None:
        """``list.insert``: one ``insert`` record with the index the item got."""
        with self._lock:
            value = self._need((list,), "insert")
            position = _position(value, index, insert=True)
            value.insert(position, item)
            self._link(item)
            self._rec("insert", [position], value=item, length=len(value))
        self._deliver()

    def sort(self, *, key: Any = None, reverse: bool = False) -> None:
        """``list.sort``: one ``set`` record (the list rearranged)."""
        with self._lock:
            self._need((list,), "sort").sort(key=key, reverse=reverse)
            self._whole()
        self._deliver()

    def reverse(self) -> None:
        """``list.reverse``: one ``set`` record (the list rearranged)."""
        with self._lock:
            self._need((list,), "reverse").reverse()
            self._whole()
        self._deliver()

    def __imul__(self, count: int) -> Any:
        with self._lock:
            value = self._value
            if isinstance(value, list):
                value *= count
                for item in value:
                    self._link(item)
                self._whole()
            else:
                self._replace(value * count)
        self._deliver()
        return self

    # ------------------------------------------------------------ item access

    def __setitem__(self, key: Any, item: Any) -> None:
        with self._lock:
            value = self._value
            if isinstance(value, list) and isinstance(key, slice):
                value[key] = item
                for each in value:
                    self._link(each)
                self._whole()
            elif isinstance(value, list):
                position = _position(value, key)
                old = value[position]
                value[position] = item
                self._link(item)
                self._rec("setitem", [position], value=item, old_value=old, length=len(value))
            else:
                old = value.get(key) if isinstance(value, dict) else None
                value[key] = item
                self._link(item)
                length = len(value) if isinstance(value, dict) else None
                self._rec("setitem", [key], value=item, key=key, old_value=old, length=length)
        self._deliver()

    def __delitem__(self, key: Any) -> None:
        with self._lock:
            value = self._value
            if isinstance(value, list) and isinstance(key, slice):
                del value[key]
                self._whole()
            elif isinstance(value, list):
                position = _position(value, key)
                old = value.pop(position)
                self._rec("delitem", [position], old_value=old, length=len(value))
            else:
                old = value[key] if isinstance(value, dict) else None
                del value[key]
                length = len(value) if isinstance(value, dict) else None
                self._rec("delitem", [key], key=key, old_value=old, length=length)
        self._deliver()

    # ----------------------------------------------------- shared by the types

    def pop(self, *args: Any) -> Any:
        """``list.pop([i])``, ``dict.pop(key[, default])`` or ``set.pop()``."""
        with self._lock:
            value = self._need((list, dict, set), "pop")
            if isinstance(value, list):
                position = _position(value, args[0] if args else -1)
                old = value.pop(position)
                self._rec("pop", [position], old_value=old, length=len(value))
            elif isinstance(value, dict):
                if len(args) not in (1, 2):
                    raise TypeError("pop expected 1 or 2 arguments")
                key = args[0]
                if key not in value:
                    if len(args) == 2:
                        return args[1]
                    raise KeyError(key)
                old = value.pop(key)
                self._rec("pop", [key], key=key, old_value=old, length=len(value))
            else:
                old = value.pop()
                self._rec("discard_set", [], old_value=old, length=len(value))
        self._deliver()
        return old

    def remove(self, item: Any) -> None:
        """``list.remove`` (a ``remove`` record) or ``set.remove`` (``discard_set``)."""
        with self._lock:
            value = self._need((list, set), "remove")
            if isinstance(value, list):
                position = value.index(item)
                old = value.pop(position)
                self._rec("remove", [position], old_value=old, length=len(value))
            else:
                value.remove(item)
                self._rec("discard_set", [], old_value=item, length=len(value))
        self._deliver()

    def clear(self) -> None:
        """Empty the list, dict or set: one ``clear`` record."""
        with self._lock:
            value = self._need((list, dict, set), "clear")
            value.clear()
            self._rec("clear", [], value=value, length=0)
        self._deliver()

    def update(self, *args: Any, **kwargs: Any) -> None:
        """``dict.update`` (``setitem`` per key) or ``set.update`` (``add_set`` per new item)."""
        with self._lock:
            value = self._need((dict, set), "update")
            if isinstance(value, dict):
                for key, item in dict(*args, **kwargs).items():
                    self._set_key(value, key, item)
            else:
                if kwargs:
                    raise TypeError("set.update() takes no keyword arguments")
                for other in args:
                    self._add_all(value, other)
        self._deliver()

    def __iadd__(self, other: Any) -> Any:
        if isinstance(self._value, list):
            self.extend(other)
            return self
        with self._lock:
            self._replace(self._value + other)
        self._deliver()
        return self

    def __ior__(self, other: Any) -> Any:
        with self._lock:
            value = self._value
            if isinstance(value, dict):
                for key, item in dict(other).items():
                    self._set_key(value, key, item)
            elif isinstance(value, set):
                self._add_all(value, other)
            else:
                self._replace(value | other)
        self._deliver()
        return self

    def __isub__(self, other: Any) -> Any:
        if isinstance(self._value, set):
            self.difference_update(other)
            return self
        with self._lock:
            self._replace(self._value - other)
        self._deliver()
        return self

    def __iand__(self, other: Any) -> Any:
        if isinstance(self._value, set):
            self.intersection_update(other)
            return self
        with self._lock:
            self._replace(self._value & other)
        self._deliver()
        return self

    def __ixor__(self, other: Any) -> Any:
        if isinstance(self._value, set):
            self.symmetric_difference_update(other)
            return self
        with self._lock:
            self._replace(self._value ^ other)
        self._deliver()
        return self

    def _replace(self, new: Any) -> None:
        """An in-place operator on an immutable value (``counter += 1``)."""
        old = self._value
        object.__setattr__(self, "_value", new)
        self._push(make_record(self, kind_of(new), "set", [], new, old_value=old))

    # ------------------------------------------------------------------ dict

    def _set_key(self, value: dict, key: Any, item: Any) -> None:
        old = value.get(key)
        value[key] = item
        self._link(item)
        self._rec("setitem", [key], value=item, key=key, old_value=old, length=len(value))

    def setdefault(self, key: Any, default: Any = None) -> Any:
        """``dict.setdefault``: a ``setitem`` record when the key was missing."""
        with self._lock:
            value = self._need((dict,), "setdefault")
            if key in value:
                return value[key]
            self._set_key(value, key, default)
        self._deliver()
        return default

    def popitem(self) -> Tuple[Any, Any]:
        """``dict.popitem``: a ``pop`` record for the key that left."""
        with self._lock:
            value = self._need((dict,), "popitem")
            key, old = value.popitem()
            self._rec("pop", [key], key=key, old_value=old, length=len(value))
        self._deliver()
        return key, old

    # ------------------------------------------------------------------- set

    def _add_all(self, value: set, items: Iterable[Any]) -> None:
        for item in list(items):
            if item not in value:
                value.add(item)
                self._rec("add_set", [], value=item, length=len(value))

    def _discard_all(self, value: set, items: Iterable[Any]) -> None:
        for item in list(items):
            if item in value:
                value.discard(item)
                self._rec("discard_set", [], old_value=item, length=len(value))

    def add(self, item: Any) -> None:
        """``set.add``: an ``add_set`` record when the item is new."""
        with self._lock:
            self._add_all(self._need((set,), "add"), (item,))
        self._deliver()

    def discard(self, item: Any) -> None:
        """``set.discard``: a ``discard_set`` record when the item was there."""
        with self._lock:
            self._discard_all(self._need((set,), "discard"), (item,))
        self._deliver()

    def difference_update(self, *others: Iterable[Any]) -> None:
        """``set.difference_update``: ``discard_set`` per removed item."""
        with self._lock:
            value = self._need((set,), "difference_update")
            for other in others:
                self._discard_all(value, other)
        self._deliver()

    def intersection_update(self, *others: Iterable[Any]) -> None:
        """``set.intersection_update``: ``discard_set`` per removed item."""
        with self._lock:
            value = self._need((set,), "intersection_update")
            keep = value.intersection(*others)
            self._discard_all(value, [item for item in value if item not in keep])
        self._deliver()

    def symmetric_difference_update(self, other: Iterable[Any]) -> None:
        """``set.symmetric_difference_update``: ``discard_set``/``add_set`` per item."""
        with self._lock:
            value = self._need((set,), "symmetric_difference_update")
            other = set(other)
            common = [item for item in other if item in value]
            new = [item for item in other if item not in value]
            self._discard_all(value, common)
            self._add_all(value, new)
        self._deliver()

"""ObservableValue: a wrapper that tells subscribers about every change.

Wrap a list, dict or set (or any value, replaced with :meth:`set`) and show it
in a :class:`~sidekick.Viz`; every mutation through the wrapper becomes one
change record, and the Viz turns each record into one small update.

A change record is a dict with the keys ``type``, ``path``, ``value``,
``key``, ``old_value`` and ``length``. ``path`` leads from the wrapped value
to what changed (list indexes, dict keys); when an ObservableValue sits
directly inside another one, its records reach the outer one's subscribers
with the outer key in front of the path. Types:

=============== =========================================================
``set``         the whole value replaced (:meth:`set`), or rearranged in
                place (``sort``, ``reverse``, slice assignment, ``*=``)
``setitem``     ``obj[key] = value`` (also ``update``, ``setdefault``)
``setattr``     ``obs.name = value`` on a wrapped object
``delitem``     ``del obj[key]``
``append``      ``append``, and ``extend``/``+=`` once per item
``insert``      ``insert(index, value)``
``pop``         ``pop()`` of a list or dict, ``popitem()``
``remove``      ``remove(value)`` of a list
``clear``       ``clear()``
``add_set``     a new element in a set (``add``, ``update``, ``|=``, ...)
``discard_set`` an element left a set (``discard``, ``remove``, ``pop``, ...)
=============== =========================================================

Subscribers run in the thread that made the change, after the change and
outside any lock, one record at a time in the order the changes happened. A
subscriber's exception is printed with its traceback and the others still run.
"""

from __future__ import annotations

import copy
import threading
import weakref
from collections import deque
from typing import Any, Callable, Deque, Dict, Iterable, Iterator, List, Tuple

from ..callbacks import report_callback_error
from ._observable_ops import MISSING, ChangeRecord, Mutations, kind_of, make_record

__all__ = ["ObservableValue", "ChangeRecord"]

Subscriber = Callable[[dict], Any]


class ObservableValue(Mutations):
    """Wraps ``value`` and notifies subscribers of every change made through it.

    Reads pass through: ``len(obs)``, ``obs[i]``, ``for x in obs``, ``x in obs``
    and other attributes behave as on the wrapped value. Changes made to the
    wrapped value directly (not through the wrapper) are not seen; call
    ``obs.set(obs.get())`` to announce them.
    """

    __hash__ = None  # type: ignore[assignment]  # it wraps mutable values

    def __init__(self, value: Any = None) -> None:
        object.__setattr__(self, "_value", value)
        object.__setattr__(self, "_lock", threading.RLock())
        object.__setattr__(self, "_subscribers", [])
        object.__setattr__(self, "_parents", [])
        object.__setattr__(self, "_pending", deque())
        object.__setattr__(self, "_delivering", False)
        self._link_all(value)

    _value: Any
    _lock: threading.RLock
    _subscribers: List[Subscriber]
    _parents: List[weakref.ReferenceType[ObservableValue]]
    _pending: Deque[ChangeRecord]
    _delivering: bool

    # ------------------------------------------------------------ public API

    def get(self) -> Any:
        """The wrapped value itself."""
        return self._value

    def set(self, value: Any) -> None:
        """Replace the wrapped value (always notifies, even when equal)."""
        with self._lock:
            old = self._value
            object.__setattr__(self, "_value", value)
            self._link_all(value)
            self._push(make_record(self, kind_of(value), "set", [], value, old_value=old))
        self._deliver()

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(record)`` on every change; returns a function that unsubscribes."""
        if not callable(callback):
            raise TypeError(f"subscribe() needs a function, not {type(callback).__name__}")
        with self._lock:
            self._subscribers.append(callback)
        return lambda: self.unsubscribe(callback)

    def unsubscribe(self, callback: Subscriber) -> None:
        """Stop calling ``callback`` (nothing happens if it was not subscribed)."""
        with self._lock:
            for i, existing in enumerate(self._subscribers):
                if existing is callback or existing == callback:
                    del self._subscribers[i]
                    return

    # ------------------------------------------------------------ delivery

    def _push(self, record: ChangeRecord) -> None:
        self._pending.append(record)

    def _deliver(self) -> None:
        """Hand pending records to subscribers, in order, outside the lock.

        Only one thread delivers at a time; records pushed meanwhile (also by
        a subscriber that changes the value again) are picked up by that
        thread, so everyone sees the same order.
        """
        with self._lock:
            if self._delivering:
                return
            object.__setattr__(self, "_delivering", True)
        try:
            while True:
                with self._lock:
                    if not self._pending:
                        object.__setattr__(self, "_delivering", False)
                        return
                    record = self._pending.popleft()
                    subscribers = list(self._subscribers)
                    parents = list(self._parents)
                for callback in subscribers:
                    try:
                        callback(record)
                    except Exception as exc:
                        report_callback_error("ObservableValue subscriber", exc)
                for ref in parents:
                    parent = ref()
                    if parent is not None:
                        parent._child_changed(self, record)
        except BaseException:
            with self._lock:
                object.__setattr__(self, "_delivering", False)
            raise

    def _link_all(self, value: Any) -> None:
        if isinstance(value, dict):
            items: Iterable[Any] = value.values()
        elif isinstance(value, list):
            items = value
        else:
            return
        for item in items:
            self._link(item)

    def _link(self, item: Any) -> None:
        if isinstance(item, ObservableValue) and item is not self:
            with item._lock:
                if not any(ref() is self for ref in item._parents):
                    item._parents.append(weakref.ref(self))

    def _child_changed(self, child: ObservableValue, record: ChangeRecord) -> None:
        if any(seen is self for seen in record._via):
            return  # observables inside each other: stop going round
        with self._lock:
            key = _find(self._value, child)
            if key is MISSING:
                with child._lock:
                    child._parents[:] = [
                        r for r in child._parents if r() is not None and r() is not self
                    ]
                return
            outer = ChangeRecord(record)
            outer["path"] = [key, *record["path"]]
            outer._seq = record._seq
            outer._source = record._source
            outer._kind = record._kind
            outer._via = (*record._via, self)
            self._push(outer)
        self._deliver()

    # ------------------------------------------------------------ helpers

    # ------------------------------------------------------------ reading

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            # Private and special names are the wrapper's own (and never
            # recurse while a copy or unpickled object is half built).
            raise AttributeError(name)
        return getattr(self._value, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        with self._lock:
            target = self._value
            old = getattr(target, "__dict__", {}).get(name)
            setattr(target, name, value)
            self._push(make_record(self, "object", "setattr", [name], value, name, old))
        self._deliver()

    def __len__(self) -> int:
        return len(self._value)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._value)

    def __reversed__(self) -> Iterator[Any]:
        return reversed(self._value)

    def __contains__(self, item: Any) -> bool:
        return item in self._value

    def __getitem__(self, key: Any) -> Any:
        return self._value[key]

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, ObservableValue):
            other = other._value
        return bool(self._value == other)

    def __ne__(self, other: Any) -> bool:
        return not self == other

    def __lt__(self, other: Any) -> Any:
        return self._value < _unwrap(other)

    def __le__(self, other: Any) -> Any:
        return self._value <= _unwrap(other)

    def __gt__(self, other: Any) -> Any:
        return self._value > _unwrap(other)

    def __ge__(self, other: Any) -> Any:
        return self._value >= _unwrap(other)

    # Copies and pickles wrap a copy of the value, without the subscribers.
    def __copy__(self) -> ObservableValue:
        return ObservableValue(copy.copy(self._value))

    def __deepcopy__(self, memo: Dict[int, Any]) -> ObservableValue:
        return ObservableValue(copy.deepcopy(self._value, memo))

    def __reduce__(self) -> Tuple[Any, ...]:
        return (ObservableValue, (self._value,))

    def __repr__(self) -> str:
        return f"ObservableValue({self._value!r})"

    def __str__(self) -> str:
        return str(self._value)

    def __format__(self, spec: str) -> str:
        return format(self._value, spec)


def _unwrap(value: Any) -> Any:
    return value._value if isinstance(value, ObservableValue) else value


def _find(container: Any, child: Any) -> Any:
    if isinstance(container, dict):
        for key, item in container.items():
            if item is child:
                return key
    elif isinstance(container, list):
        for index, item in enumerate(container):
            if item is child:
                return index
    return MISSING

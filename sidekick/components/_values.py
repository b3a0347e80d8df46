"""Cheap argument checks and JSON fragments shared by the components.

The hot paths (grid cells, canvas drawing) build their JSON by hand from the
fragments returned here, so each check both validates and encodes.
"""

from __future__ import annotations

import operator
from json.encoder import encode_basestring
from typing import Any, Dict, Tuple, Union

__all__ = [
    "to_text",
    "json_str",
    "json_color",
    "json_number",
    "check_int",
    "check_size",
    "number",
]

Number = Union[int, float]

#: Encoded JSON of recently used color strings (colors repeat a lot). Keyed by
#: str; Grid.set_color looks any value up and takes a miss as "not cached".
_COLOR_CACHE: Dict[Any, str] = {}
_COLOR_CACHE_MAX = 4096


def to_text(value: Any) -> str:
    """``value`` as text, like ``print`` shows it."""
    return value if type(value) is str else str(value)


def json_str(value: str) -> str:
    """A str as a JSON string literal (the same bytes ``protocol.dumps`` makes)."""
    return encode_basestring(value)


def json_color(value: Any, what: str = "color") -> str:
    """Validate a CSS color (str or None) and return its JSON."""
    if value is None:
        return "null"
    if type(value) is str or isinstance(value, str):
        value = str(value)
        encoded = _COLOR_CACHE.get(value)
        if encoded is None:
            encoded = encode_basestring(value)
            if len(_COLOR_CACHE) >= _COLOR_CACHE_MAX:
                _COLOR_CACHE.clear()
            _COLOR_CACHE[value] = encoded
        return encoded
    raise TypeError(f"{what} must be a CSS color string or None, not {type(value).__name__}")


def number(value: Any, what: str) -> Number:
    """An int or a finite float; bools and non-numbers raise ``TypeError``."""
    kind = type(value)
    if kind is int:
        return value
    if kind is float:
        if value - value == 0.0:  # false for NaN and +-inf
            return value
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    if isinstance(value, bool) or value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{what} must be a number, not {kind.__name__}")
    # numpy scalars, Fraction, Decimal and friends.
    try:
        as_int = operator.index(value)
    except TypeError:
        pass
    else:
        return as_int
    try:
        as_float = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a number, not {kind.__name__}") from None
    return number(as_float, what)


def json_number(value: Any, what: str) -> str:
    """Validate a number (see :func:`number`) and return its JSON."""
    kind = type(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float and value - value == 0.0:
        return float.__repr__(value)
    value = number(value, what)
    return int.__repr__(value) if type(value) is int else float.__repr__(value)


def check_int(value: Any, what: str) -> int:
    """An integer (also numpy integers); bool and float raise ``TypeError``."""
    if type(value) is int:
        return value
    if isinstance(value, bool):
        raise TypeError(f"{what} must be an int, not bool")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an int, not {type(value).__name__}") from None


def check_size(value: Any, what: str, low: int, high: int) -> int:
    """An int in ``[low, high]`` (``ValueError`` outside)."""
    value = check_int(value, what)
    if not low <= value <= high:
        raise ValueError(f"{what} must be between {low} and {high}, got {value}")
    return value


def coords(x: Any, y: Any, columns: int, rows: int) -> Tuple[int, int]:
    """Grid coordinates: ints, ``0 <= x < columns``, ``0 <= y < rows``."""
    x = check_int(x, "x")
    y = check_int(y, "y")
    if not (0 <= x < columns and 0 <= y < rows):
        raise IndexError(f"cell ({x}, {y}) is outside the {columns}x{rows} grid")
    return x, y


def event_text(value: Any) -> str:
    """The text of an inbound event's ``value`` (a missing one is ``""``)."""
    return "" if value is None else to_text(value)

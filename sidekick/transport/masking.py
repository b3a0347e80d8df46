"""Client-frame masking (RFC 6455 section 5.3): ``data`` XOR a 4-byte key repeated.

Masking is the one per-byte cost of sending: a 32 KiB batch frame takes about
65 µs in Python, 1 µs in C. ``websockets`` (a dependency of ours) ships that
loop in C as ``websockets.speedups``, but importing it the usual way runs the
package's ``__init__``, which costs ~35 ms (it imports ``importlib.metadata``).
So the compiled file is loaded on its own, on the first large payload, and
checked before use. Without it (a pure-Python install of ``websockets``,
Pyodide) the integer version below does the work.
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
import threading
from typing import Callable, Optional

from .._log import logger

__all__ = ["mask", "python_mask", "load_accelerator"]

#: Payloads this large use the C loop; smaller ones cost ~1 µs either way, and
#: the first small frames (the handshake's) should not pay the ~0.4 ms load.
BULK = 1024


_Mask = Callable[[bytes, bytes], bytes]  # (data, key) -> masked, as websockets has it
_fast: Optional[_Mask] = None
_looked = False
_lock = threading.Lock()


def mask(key: bytes, data: bytes) -> bytes:
    """``data`` XOR the 4-byte ``key`` repeated (masking and unmasking are the same)."""
    if len(data) >= BULK:
        fast = _fast if _looked else _look_once()
        if fast is not None:
            return fast(data, key)
    return python_mask(key, data)


def _look_once() -> Optional[_Mask]:
    global _fast, _looked
    with _lock:
        if not _looked:
            _fast = load_accelerator()
            _looked = True
            how = "in C (websockets.speedups)" if _fast else "in Python"
            logger.debug("sidekick: masking large frames %s", how)
    return _fast


def load_accelerator() -> Optional[_Mask]:
    """``websockets.speedups.apply_mask`` if it is installed and correct, else None."""
    loaded = sys.modules.get("websockets.speedups")  # e.g. a relay in this process
    if loaded is not None:
        return _checked(getattr(loaded, "apply_mask", None))
    try:
        package = importlib.machinery.PathFinder.find_spec("websockets")
        for folder in (package and package.submodule_search_locations) or ():
            for suffix in importlib.machinery.EXTENSION_SUFFIXES:
                path = os.path.join(folder, "speedups" + suffix)
                if os.path.isfile(path):
                    return _load(path)
    except Exception:  # noqa: BLE001 - any failure only means "use Python"
        logger.debug("sidekick: websockets.speedups could not be loaded", exc_info=True)
    return None


def _load(path: str) -> Optional[_Mask]:
    import importlib.util  # not on the startup path

    spec = importlib.util.spec_from_file_location("websockets.speedups", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return _checked(getattr(module, "apply_mask", None))


def _checked(fast: Optional[_Mask]) -> Optional[_Mask]:
    # It is not our code: use it only if it does what ours does.
    key, sample = b"\x01\x80\x7f\xff", bytes(range(256)) * 5 + b"odd"
    try:
        if fast is not None and fast(sample, key) == python_mask(key, sample):
            return fast
    except Exception:  # noqa: BLE001 - a different signature: not usable
        logger.debug("sidekick: websockets.speedups.apply_mask failed", exc_info=True)
        return None
    if fast is not None:
        logger.debug("sidekick: websockets.speedups.apply_mask masks wrong: not used")
    return None


# ---------------------------------------------------------------- pure Python

#: (words, ones): ``ones`` is 1 in the low bit of each of ``words`` 32-bit words,
#: so ``key * (ones >> ...)`` is the key repeated without building it byte by
#: byte. One tuple, so a thread never sees one half of an update.
_ONES = (0, 0)
_ONES_MAX_WORDS = 64 * 1024  # 256 KiB of pattern: a batch frame fits


def _ones(words: int) -> tuple:
    global _ONES
    cached = _ONES
    if cached[0] < words <= _ONES_MAX_WORDS:
        grown = max(words, min(2 * cached[0], _ONES_MAX_WORDS))
        cached = _ONES = (grown, int.from_bytes(b"\x01\x00\x00\x00" * grown, "little"))
    return cached


def python_mask(key: bytes, data: bytes) -> bytes:
    """:func:`mask` on whole integers: a few C-speed big-number operations
    instead of a Python loop per byte (about 2 ns per byte)."""
    n = len(data)
    if not n:
        return b""
    words = (n + 3) // 4
    cached_words, ones = _ones(words)
    if words <= cached_words:
        pattern = int.from_bytes(key, "little") * (ones >> (32 * (cached_words - words)))
    else:  # larger than any batch: build the pattern directly
        pattern = int.from_bytes(key * words, "little")
    value = int.from_bytes(data, "little") ^ pattern
    return value.to_bytes(4 * words, "little")[:n]

"""The Sidekick wire protocol as pure functions: encode, decode, build messages.

No I/O happens here, so everything can be tested without a loop. Encoding is
strict JSON (``NaN``/``Infinity`` are refused with a clear ``ValueError``)
because the existing relay silently drops such frames. See ``protocol.md``.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any, Dict, Iterable, List, Optional

from ._log import logger

__all__ = [
    "Message",
    "ProtocolError",
    "dumps",
    "encode",
    "spawn",
    "update",
    "remove",
    "clear_all",
    "announce",
    "batch_frame",
    "pack_batches",
    "decode",
    "MAX_BATCH_BYTES",
    "CAP_BATCH",
    "CAP_REPLAY",
]

Message = Dict[str, Any]


CAP_BATCH = "batch"
CAP_REPLAY = "replay"

#: A batch frame carries at most this many bytes of messages: well below the
#: 1 MiB that relays commonly accept, and small enough to keep latency low.
#: Smaller frames are cheaper per message for everyone downstream: with 32 KiB
#: instead of 112 KiB the UI peer's CPU per update fell 2.8 -> 2.3 µs, the
#: hero's 2.5 -> 2.05 µs, and end-to-end throughput rose 252k -> 287k/s
#: (medians of three interleaved A/B rounds; benchmarks/RESULTS.md). 16 KiB
#: was worse (more frames, each with its own costs at every hop).
MAX_BATCH_BYTES = 32 * 1024

_encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_encode = _encoder.encode

_BATCH_HEAD = '{"id":0,"component":"global","type":"batch","payload":{"messages":['
_BATCH_TAIL = "]}}"


class ProtocolError(ValueError):
    """An inbound frame is not a valid Sidekick message."""


def dumps(value: Any) -> str:
    """Encode ``value`` as strict, compact JSON.

    Raises ``ValueError`` for NaN or infinity and ``TypeError`` for values JSON
    cannot carry, each with a message that names the problem.
    """
    try:
        return _encode(value)
    except ValueError:
        if _has_non_finite(value):
            raise ValueError(
                "sidekick cannot send NaN or infinity (not valid JSON); got " + _short(value)
            ) from None
        raise
    except TypeError as exc:
        raise TypeError(f"sidekick can only send JSON-compatible values: {exc}") from None


def _has_non_finite(value: Any, depth: int = 0) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if depth > 50:
        return False
    if isinstance(value, dict):
        return any(_has_non_finite(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_non_finite(v, depth + 1) for v in value)
    return False


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def encode(message: Message) -> str:
    """Encode one message (an envelope dict) for the wire."""
    return dumps(message)


def spawn(component: str, target: str, payload: Dict[str, Any]) -> Message:
    return {"id": 0, "component": component, "type": "spawn", "target": target, "payload": payload}


def update(
    component: str, target: str, action: str, options: Optional[Dict[str, Any]] = None
) -> Message:
    payload: Dict[str, Any] = {"action": action}
    if options is not None:
        payload["options"] = options
    return {"id": 0, "component": component, "type": "update", "target": target, "payload": payload}


def remove(component: str, target: str) -> Message:
    return {"id": 0, "component": component, "type": "remove", "target": target}


def clear_all() -> Message:
    return {"id": 0, "component": "global", "type": "clearAll"}


def announce(
    peer_id: str,
    role: str,
    status: str,
    version: str,
    capabilities: Iterable[str] = (),
    **extra: Any,
) -> Message:
    payload: Dict[str, Any] = {
        "peerId": peer_id,
        "role": role,
        "status": status,
        "version": version,
        "timestamp": int(time.time() * 1000),
    }
    caps = list(capabilities)
    if caps:
        payload["capabilities"] = caps
    payload.update(extra)
    return {"id": 0, "component": "system", "type": "announce", "payload": payload}


def batch_frame(encoded: Iterable[str]) -> str:
    """Pack already encoded messages into one ``global/batch`` frame."""
    parts = list(encoded)
    if not parts:
        return _BATCH_HEAD + _BATCH_TAIL
    # One join, so a big frame is allocated (and its memory touched) once.
    parts[0] = _BATCH_HEAD + parts[0]
    parts[-1] = parts[-1] + _BATCH_TAIL
    return ",".join(parts)


def pack_batches(encoded: List[str], max_bytes: int = MAX_BATCH_BYTES) -> List[str]:
    """Split encoded messages into batch frames of at most ~``max_bytes`` each.

    A single message is sent as itself (no batch wrapper), so an idle hero's
    frames look exactly like a peer's that does not batch. A message bigger
    than ``max_bytes`` travels alone.
    """
    count = len(encoded)
    if count <= 1:
        return encoded
    # This runs on every drain of the send queue, over thousands of messages
    # under load: sizes are summed in C (sum/map) rather than message by
    # message in Python. Each message counts its length plus one comma.
    total = sum(map(len, encoded)) + count
    if total <= max_bytes:
        return [batch_frame(encoded)]
    frames: List[str] = []
    start = 0
    while start < count:
        # Guess how many messages fill a frame from the average size of those
        # left, then shrink the guess until the chunk fits.
        left = count - start
        take = max(1, min(left, left * max_bytes // max(total, 1)))
        while True:
            chunk = encoded[start : start + take]
            size = sum(map(len, chunk)) + take
            if size <= max_bytes or take == 1:
                break
            take = max(1, take * max_bytes // size)
        frames.append(chunk[0] if take == 1 else batch_frame(chunk))
        total -= size
        start += take
    return frames


_REQUIRED_SRC = frozenset(("event", "error"))


def decode(text: Any) -> List[Message]:
    """Decode one inbound frame into the messages it carries.

    A ``global/batch`` frame yields its messages in order (one level deep). An
    invalid frame raises :class:`ProtocolError`; an invalid message inside a
    batch is dropped with a logged warning, so the valid ones still arrive.
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        raise ProtocolError("binary frames are not part of the protocol")
    if not isinstance(text, str):
        raise ProtocolError(f"frame must be text, not {type(text).__name__}")
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"frame is not valid JSON: {exc}") from None
    msg = _check(obj)
    if msg["component"] == "global" and msg["type"] == "batch":
        payload = msg.get("payload")
        items = payload.get("messages") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            raise ProtocolError("batch frame without a 'messages' list")
        out: List[Message] = []
        for item in items:
            try:
                inner = _check(item)
            except ProtocolError as exc:
                logger.warning("sidekick: dropped a message inside a batch: %s", exc)
                continue
            if inner["component"] == "global" and inner["type"] == "batch":
                logger.warning("sidekick: dropped a batch nested inside a batch")
                continue
            out.append(inner)
        return out
    return [msg]


def _check(obj: Any) -> Message:
    if not isinstance(obj, dict):
        raise ProtocolError(f"message must be a JSON object, not {type(obj).__name__}")
    component = obj.get("component")
    mtype = obj.get("type")
    if not isinstance(component, str) or not isinstance(mtype, str):
        raise ProtocolError("message lacks a string 'component' and 'type'")
    payload = obj.get("payload")
    if payload is not None and not isinstance(payload, dict):
        raise ProtocolError("message 'payload' must be an object")
    if mtype in _REQUIRED_SRC and not isinstance(obj.get("src"), str):
        raise ProtocolError(f"'{mtype}' message lacks a string 'src'")
    return obj

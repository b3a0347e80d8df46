"""A lean UI peer for round-trip timing: a blocking socket speaking WebSocket.

The latency figure should show what the hero and the relay add, not what an
asyncio WebSocket client in the measuring process costs (about 50 µs per send
or receive here). This peer writes a pre-built masked frame with one system
call and reads the answer with blocking calls, in a thread of its own.
It answers pings, and it unpacks batch frames like the real UI.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import time
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from sidekick.transport.frames import OP_TEXT, encode_frame
from tests.support.peers import announce as announce_message

__all__ = ["RawPeer", "announce", "client_frame"]


def client_frame(data: bytes, opcode: int = OP_TEXT) -> bytes:
    """One masked frame (clients must mask), FIN set."""
    return encode_frame(opcode, data)


def announce(peer_id: str, role: str, capabilities: Sequence[str] = ("batch",)) -> str:
    """The online announce of a peer (by default one that takes ``batch`` frames), as JSON text."""
    message = announce_message(peer_id, role, caps=list(capabilities))
    return json.dumps(message, separators=(",", ":"))


class RawPeer:
    def __init__(
        self, host: str, port: int, session: str, peer_id: str, role: str = "sidekick"
    ) -> None:
        self.sock = socket.create_connection((host, port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET /?session={session} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"handshake refused: {head[:80]!r}")
        self.send_frame(client_frame(announce(peer_id, role).encode()))
        #: instance id -> component type, from spawns
        self.components: Dict[str, str] = {}

    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("the relay closed the connection")
        self.buf += chunk

    def send_json(self, message: Dict[str, Any]) -> None:
        self.sock.sendall(client_frame(json.dumps(message, separators=(",", ":")).encode()))

    def send_frame(self, frame: bytes) -> None:
        self.sock.sendall(frame)

    def recv_text(self) -> Tuple[str, float]:
        """The next text frame and the monotonic time its last byte was read."""
        while True:
            while len(self.buf) < 2:
                self._fill()
            b0, b1 = self.buf[0], self.buf[1]
            n = b1 & 0x7F
            pos = 2
            if n == 126:
                while len(self.buf) < 4:
                    self._fill()
                n = int.from_bytes(self.buf[2:4], "big")
                pos = 4
            elif n == 127:
                while len(self.buf) < 10:
                    self._fill()
                n = int.from_bytes(self.buf[2:10], "big")
                pos = 10
            while len(self.buf) < pos + n:
                self._fill()
            now = time.monotonic()
            payload = self.buf[pos : pos + n]
            self.buf = self.buf[pos + n :]
            opcode = b0 & 0x0F
            if opcode == 0x1:
                return payload.decode(), now
            if opcode == 0x9:  # ping
                self.sock.sendall(client_frame(payload, 0xA))
            elif opcode == 0x8:
                raise ConnectionError("the relay closed the connection")

    def messages(self) -> Iterator[Tuple[Dict[str, Any], float]]:
        """Messages as they arrive (batches unpacked), tracking spawns."""
        while True:
            text, now = self.recv_text()
            msg = json.loads(text)
            items: List[Dict[str, Any]] = (
                msg["payload"]["messages"] if msg.get("type") == "batch" else [msg]
            )
            for m in items:
                if m.get("type") == "spawn":
                    self.components[m["target"]] = m["component"]
                elif m.get("type") == "clearAll":
                    self.components.clear()
                yield m, now

    def wait_for(self, *types: str) -> Dict[str, str]:
        """Read until a component of each type is live; their ids by type."""
        found: Dict[str, Optional[str]] = dict.fromkeys(types)
        for _ in self.messages():
            for cid, ctype in self.components.items():
                if ctype in found and found[ctype] is None:
                    found[ctype] = cid
            if all(found.values()):
                return {k: v for k, v in found.items() if v is not None}
        raise AssertionError("unreachable")

    def close(self) -> None:
        try:
            self.sock.sendall(client_frame(struct.pack("!H", 1000), 0x8))
        except OSError:
            pass
        self.sock.close()

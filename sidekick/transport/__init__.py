"""The I/O edges: a WebSocket client and the Pyodide bridge, one interface."""

from .base import Transport, TransportClosed

__all__ = ["Transport", "TransportClosed"]

"""Hypothesis strategies shared by the fuzz tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


def batches(message: Any, max_size: int, max_leaves: int) -> Any:
    """``message``, or ``global/batch`` envelopes of such messages, nested."""
    return st.recursive(
        message,
        lambda inner: st.builds(
            lambda items: {
                "id": 0,
                "component": "global",
                "type": "batch",
                "payload": {"messages": items},
            },
            st.lists(inner, max_size=max_size),
        ),
        max_leaves=max_leaves,
    )

"""Row and Column: containers that lay their children out side by side or stacked."""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

from .base import Component, Container
from .events import ErrorEvent

__all__ = ["Row", "Column"]


class _Layout(Container):
    def __init__(
        self,
        *children: Component,
        instance_id: Optional[str] = None,
        parent: Optional[Union[Component, str]] = None,
        on_error: Optional[Callable[[ErrorEvent], Any]] = None,
    ) -> None:
        for child in children:
            if not isinstance(child, Component):
                raise TypeError(
                    f"{type(self).__name__}() children must be sidekick components, "
                    f"not {type(child).__name__}"
                )
        super().__init__(instance_id, parent, on_error)
        # The container exists in the UI before its children move in.
        self._spawn()
        for child in children:
            self.add_child(child)


class Row(_Layout):
    """Lays out its children left to right: ``Row(a, b, c)`` or ``row.add_child(c)``.

    Replay state: its place and its children's order.
    """

    component_type = "row"


class Column(_Layout):
    """Stacks its children top to bottom: ``Column(a, b, c)`` or ``column.add_child(c)``.

    Replay state: its place and its children's order.
    """

    component_type = "column"

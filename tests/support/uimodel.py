"""A tiny model of what a Sidekick UI shows, built by applying protocol messages.

Tests compare models: the state the script built versus what a UI peer ends
with after faults, reloads and replays.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional


class UIModel:
    def __init__(self) -> None:
        self.components: Dict[str, Dict[str, Any]] = {}
        self.order: List[str] = []  # spawn order of live components
        self.clears = 0

    def apply(self, message: Dict[str, Any]) -> None:
        component, mtype = message.get("component"), message.get("type")
        if component == "global" and mtype == "batch":
            for inner in message["payload"]["messages"]:
                self.apply(inner)
            return
        if component == "global" and mtype == "clearAll":
            self.components.clear()
            self.order.clear()
            self.clears += 1
            return
        target = message.get("target")
        payload = message.get("payload") or {}
        if mtype == "spawn":
            self.components[target] = {
                "type": component,
                "spawn": {k: v for k, v in payload.items() if k != "parent"},
                "parent": payload.get("parent", "root"),
                "cells": {},
                "updates": [],
            }
            self.order.append(target)
        elif mtype == "remove":
            self._remove(target)
        elif mtype == "update" and target in self.components:
            state = self.components[target]
            action = payload.get("action")
            options = payload.get("options") or {}
            if action == "setColor" or action == "setText" and state["type"] == "grid":
                key = (options["x"], options["y"])
                cell = state["cells"].setdefault(key, {})
                field = "color" if action == "setColor" else "text"
                cell[field] = options.get(field)
            elif action == "clearCell":
                state["cells"].pop((options["x"], options["y"]), None)
            elif action == "clear" and state["type"] == "grid":
                state["cells"].clear()
            elif action == "changeParent":
                state["parent"] = options["parent"]
            elif action in ("setText", "setValue", "setPlaceholder"):
                key = {"setText": "text", "setValue": "value", "setPlaceholder": "placeholder"}[
                    action
                ]
                state["spawn"][key] = options[key]
            else:
                state["updates"].append(payload)

    def _remove(self, target: Optional[str]) -> None:
        if target not in self.components:
            return
        for child in [c for c, s in self.components.items() if s["parent"] == target]:
            self._remove(child)
        del self.components[target]
        self.order.remove(target)

    def grid_cells(self, target: str) -> Dict[Any, Dict[str, Any]]:
        cells = self.components[target]["cells"]
        return {k: {f: v for f, v in c.items() if v is not None} for k, c in cells.items()}

    def texts(self) -> Dict[str, Any]:
        return {k: s["spawn"].get("text") for k, s in self.components.items()}

"""A pure-Python model of what a Sidekick UI shows: replay-equivalence and fault tests.

It applies protocol messages the way our browser UI does (webui/src): the
layout tree with child order, grid cells, canvas drawing per buffer, console
text, textbox fields, and Viz trees with their mutations. ``snapshot()``
returns a plain structure to compare.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Optional

Message = Dict[str, Any]

CONTAINERS = ("row", "column")


class UIError(Exception):
    """The UI would reject this command (it would send an `error` event)."""


class UIModel:
    def __init__(self) -> None:
        self.components: Dict[str, Dict[str, Any]] = {}
        self.children: Dict[str, List[str]] = {"root": []}

    # ---------------------------------------------------------------- apply

    def apply_all(self, messages: List[Message]) -> UIModel:
        for message in messages:
            self.apply(message)
        return self

    def apply(self, message: Message) -> None:
        component, mtype = message["component"], message["type"]
        if component == "system":
            return  # announces: who is online, not what is shown
        if component == "global" and mtype == "batch":
            self.apply_all(message["payload"]["messages"])
            return
        if component == "global" and mtype == "clearAll":
            self.components.clear()
            self.children = {"root": []}
            return
        payload = message.get("payload") or {}
        if mtype == "event":
            # What the UI itself changed when it sent the event.
            state = self.components.get(message["src"])
            if state is not None and state["type"] == "textbox":
                state["value"] = payload.get("value", "")
            return
        target = message["target"]
        if mtype == "spawn":
            if target in self.components:
                raise UIError(f"duplicate spawn of {target}")
            parent = payload.get("parent", "root")
            if parent not in self.children:
                raise UIError(f"spawn into unknown parent {parent}")
            self.components[target] = self._new(component, payload)
            self.components[target]["parent"] = parent
            self.children[parent].append(target)
            if component in CONTAINERS:
                self.children[target] = []
        elif mtype == "remove":
            self._remove(target)
        elif mtype == "update":
            state = self.components.get(target)
            if state is None:
                raise UIError(f"update of unknown {target}")
            action = payload["action"]
            options = payload.get("options") or {}
            if action == "changeParent":
                self._change_parent(target, options)
            else:
                getattr(self, "_" + state["type"])(state, action, options, payload)
        else:
            raise UIError(f"unexpected message {message}")

    def _new(self, component: str, payload: Dict[str, Any]) -> Dict[str, Any]:
        state: Dict[str, Any] = {"type": component}
        if component in ("label", "markdown", "button"):
            state["text"] = payload.get("text", "")
        elif component == "textbox":
            state["value"] = payload.get("value", "")
            state["placeholder"] = payload.get("placeholder", "")
        elif component == "console":
            state["text"] = payload.get("text", "")
            state["showInput"] = payload.get("showInput") is True
        elif component == "grid":
            state["size"] = (payload["numColumns"], payload["numRows"])
            state["colors"] = {}
            state["texts"] = {}
        elif component == "canvas":
            state["size"] = (payload["width"], payload["height"])
            state["buffers"] = {0: []}
        elif component == "viz":
            state["variables"] = {}
        return state

    def _remove(self, target: str) -> None:
        state = self.components.get(target)
        if state is None:
            raise UIError(f"remove of unknown {target}")
        for child in list(self.children.get(target, [])):
            self._remove(child)
        self.children.pop(target, None)
        self.children[state["parent"]].remove(target)
        del self.components[target]

    def _change_parent(self, target: str, options: Dict[str, Any]) -> None:
        parent = options.get("parent") or "root"
        if parent not in self.children:
            raise UIError(f"unknown parent {parent}")
        at: Optional[str] = parent
        while at and at != "root":
            if at == target:
                raise UIError("cannot move into itself")
            at = self.components[at]["parent"]
        state = self.components[target]
        self.children[state["parent"]].remove(target)
        siblings = self.children[parent]
        before = options.get("insertBefore")
        if before in siblings and before != target:
            siblings.insert(siblings.index(before), target)
        else:
            siblings.append(target)
        state["parent"] = parent

    # ----------------------------------------------------------- components

    def _label(self, state: Dict[str, Any], action: str, options: Dict[str, Any], _: Any) -> None:
        if action != "setText":
            raise UIError(action)
        state["text"] = options["text"]

    _markdown = _label
    _button = _label

    def _textbox(self, state: Dict[str, Any], action: str, options: Dict[str, Any], _: Any) -> None:
        if action == "setValue":
            state["value"] = options["value"]
        elif action == "setPlaceholder":
            state["placeholder"] = options["placeholder"]
        else:
            raise UIError(action)

    def _console(self, state: Dict[str, Any], action: str, options: Dict[str, Any], _: Any) -> None:
        if action == "append":
            state["text"] += options["text"]
        elif action == "clear":
            state["text"] = ""
        else:
            raise UIError(action)

    def _grid(self, state: Dict[str, Any], action: str, options: Dict[str, Any], _: Any) -> None:
        columns, rows = state["size"]
        if action == "clear":
            state["colors"].clear()
            state["texts"].clear()
            return
        x, y = options["x"], options["y"]
        if not (0 <= x < columns and 0 <= y < rows):
            raise UIError("outside the grid")
        if action == "setColor":
            self._cell(state["colors"], (x, y), options["color"])
        elif action == "setText":
            self._cell(state["texts"], (x, y), options["text"])
        elif action == "clearCell":
            state["colors"].pop((x, y), None)
            state["texts"].pop((x, y), None)
        else:
            raise UIError(action)

    @staticmethod
    def _cell(cells: Dict[Any, Any], key: Any, value: Any) -> None:
        if value:
            cells[key] = value
        else:
            cells.pop(key, None)

    def _canvas(self, state: Dict[str, Any], action: str, options: Dict[str, Any], _: Any) -> None:
        buffers = state["buffers"]
        if action == "createBuffer":
            buffers[options["bufferId"]] = []
            return
        if action == "destroyBuffer":
            del buffers[options["bufferId"]]
            return
        if action == "drawBuffer":
            source, target = options["sourceBufferId"], options["targetBufferId"]
            if source not in buffers or target not in buffers:
                raise UIError("no such buffer")
            buffers[target] = list(buffers[source])
            return
        bid = options.get("bufferId") or 0
        if bid not in buffers:
            raise UIError(f"buffer {bid} does not exist")
        if action == "clear":
            buffers[bid] = []
        else:
            buffers[bid].append((action, {k: v for k, v in options.items() if k != "bufferId"}))

    # --------------------------------------------------------------------- viz

    def _viz(
        self, state: Dict[str, Any], action: str, options: Dict[str, Any], payload: Dict[str, Any]
    ) -> None:
        VizModel(state["variables"]).update(action, payload["variableName"], options)

    # ------------------------------------------------------ for the fault tests

    @property
    def order(self) -> List[str]:
        """Every live component's id, parents before children, in UI order."""
        out: List[str] = []

        def visit(parent: str) -> None:
            for child in self.children.get(parent, []):
                out.append(child)
                visit(child)

        visit("root")
        return out

    def texts(self) -> Dict[str, Any]:
        """Each component's text (None for those without one)."""
        return {cid: state.get("text") for cid, state in self.components.items()}

    def grid_cells(self, target: str) -> Dict[Any, Dict[str, Any]]:
        """The non-empty cells of grid ``target``: ``{(x, y): {"color": ..., "text": ...}}``."""
        state = self.components[target]
        cells: Dict[Any, Dict[str, Any]] = {}
        for field, values in (("color", state["colors"]), ("text", state["texts"])):
            for key, value in values.items():
                cells.setdefault(key, {})[field] = value
        return cells

    # ---------------------------------------------------------------- snapshot

    def snapshot(self) -> Any:
        def visit(cid: str) -> Any:
            state = {k: v for k, v in self.components[cid].items() if k != "parent"}
            if cid in self.children:
                state["children"] = [visit(c) for c in self.children[cid]]
            return (cid, copy.deepcopy(state))

        return [visit(c) for c in self.children["root"]]


# ------------------------------------------------------------------ viz model


def _kind(node: Dict[str, Any]) -> str:
    value = node.get("value")
    if isinstance(value, list):
        if node.get("type") == "dict":
            return "dict"
        first = value[0] if value else None
        if isinstance(first, dict) and "key" in first and "value" in first and "type" not in first:
            return "dict"
        return "list"
    if isinstance(value, dict):
        return "object"
    return "leaf"


def _js_str(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _same_key(node: Dict[str, Any], key: Any) -> bool:
    value = node.get("value")
    if type(value) is type(key) and value == key:
        return True
    return value is not None and key is not None and _js_str(value) == _js_str(key)


def _same_value(a: Dict[str, Any], b: Dict[str, Any]) -> bool:
    if a.get("id") is not None and a.get("id") == b.get("id"):
        return True
    return (
        a["type"] == b["type"]
        and _kind(a) == "leaf"
        and type(a.get("value")) is type(b.get("value"))
        and a.get("value") == b.get("value")
    )


def _child_count(node: Dict[str, Any]) -> int:
    kind = _kind(node)
    if kind in ("list", "dict", "object"):
        return len(node["value"])
    return 0


def _index(node: Dict[str, Any], key: Any, allow_end: bool) -> int:
    items = node["value"]
    if type(key) is not int:
        raise UIError(f"list index {key!r} is not an integer")
    index = len(items) + key if key < 0 else key
    limit = len(items) if allow_end else len(items) - 1
    if not 0 <= index <= limit:
        raise UIError(f"index {key} out of range")
    return index


class VizModel:
    """Applies viz updates like webui/src/components/viz.ts."""

    def __init__(self, variables: Dict[str, Any]) -> None:
        self.variables = variables

    def update(self, action: str, name: str, options: Dict[str, Any]) -> None:
        path = list(options.get("path") or [])
        length = options.get("length")
        if action == "set" and not path:
            node = copy.deepcopy(options["valueRepresentation"])
            if length is not None and "length" not in node:
                node["length"] = length
            self.variables[name] = node
            return
        if action == "removeVariable":
            if name not in self.variables:
                raise UIError(f"variable {name} is not shown")
            del self.variables[name]
            return
        if name not in self.variables:
            raise UIError(f"variable {name} is not shown")
        container = self._mutate(name, action, path, options)
        if container is not None:
            container["length"] = length if length is not None else _child_count(container)

    def _resolve(self, root: Dict[str, Any], path: List[Any]) -> Dict[str, Any]:
        node = root
        for key in path:
            kind = _kind(node)
            if kind == "list":
                node = node["value"][_index(node, key, False)]
            elif kind == "dict":
                pairs = [p for p in node["value"] if _same_key(p["key"], key)]
                if not pairs:
                    raise UIError(f"key {key!r} not found")
                node = pairs[0]["value"]
            elif kind == "object":
                if str(key) not in node["value"]:
                    raise UIError(f"attribute {key} not found")
                node = node["value"][str(key)]
            else:
                raise UIError(f"path goes through a {node['type']}")
        return node

    def _mutate(
        self, name: str, action: str, path: List[Any], options: Dict[str, Any]
    ) -> Optional[Dict[str, Any]]:
        root = self.variables[name]

        def value() -> Dict[str, Any]:
            return copy.deepcopy(options["valueRepresentation"])

        def parent_of() -> Any:
            if not path:
                raise UIError(f"{action} needs a path")
            return self._resolve(root, path[:-1]), path[-1]

        if action in ("set", "setitem"):
            parent, key = parent_of()
            node = value()
            kind = _kind(parent)
            if kind == "list":
                index = _index(parent, key, True)
                if index == len(parent["value"]):
                    parent["value"].append(node)
                else:
                    parent["value"][index] = node
            elif kind == "dict":
                pairs = [p for p in parent["value"] if _same_key(p["key"], key)]
                if pairs:
                    pairs[0]["value"] = node
                else:
                    key_node = options.get("keyRepresentation") or {"type": "str", "value": key}
                    parent["value"].append({"key": copy.deepcopy(key_node), "value": node})
            elif kind == "object":
                parent["value"][str(key)] = node
            else:
                raise UIError(f"cannot set an item in a {parent['type']}")
            return parent
        if action in ("delitem", "pop", "remove"):
            parent, key = parent_of()
            if action != "delitem" and _kind(parent) != "list":
                parent = self._resolve(root, path)
                key = -1 if action == "pop" else None
            kind = _kind(parent)
            if kind == "list":
                if key is None and action == "remove":
                    target = value()
                    matches = [i for i, n in enumerate(parent["value"]) if _same_value(n, target)]
                    if not matches:
                        raise UIError("value to remove not found")
                    index = matches[0]
                else:
                    index = _index(parent, key, False)
                del parent["value"][index]
            elif kind == "dict":
                matches = [i for i, p in enumerate(parent["value"]) if _same_key(p["key"], key)]
                if not matches:
                    raise UIError(f"key {key!r} not found")
                del parent["value"][matches[0]]
            elif kind == "object":
                parent["value"].pop(str(key), None)
            else:
                raise UIError(f"cannot delete from a {parent['type']}")
            return parent
        if action in ("append", "insert"):
            node = value()
            last = path[-1] if path else None
            parent = self._resolve(root, path[:-1]) if path else None
            if parent is not None and _kind(parent) == "list" and type(last) is int:
                target_list = parent
                items = parent["value"]
                if action == "append":
                    index = len(items)
                else:
                    index = max(0, min(len(items), len(items) + last if last < 0 else last))
                if action == "append" and last != len(items):
                    target = self._resolve(root, path)
                    if _kind(target) == "list" or (
                        isinstance(target.get("value"), list) and not target["value"]
                    ):
                        target_list = target
                        index = len(target["value"])
            else:
                target_list = self._resolve(root, path)
                if not isinstance(target_list.get("value"), list):
                    raise UIError(f"cannot {action} into a {target_list['type']}")
                index = len(target_list["value"])
            target_list["value"].insert(index, node)
            return target_list
        if action == "clear":
            target = self._resolve(root, path)
            if isinstance(target.get("value"), list):
                target["value"] = []
            elif isinstance(target.get("value"), dict):
                target["value"] = {}
            else:
                raise UIError(f"cannot clear a {target['type']}")
            return target
        if action in ("add_set", "discard_set"):
            target = self._resolve(root, path)
            if not isinstance(target.get("value"), list):
                raise UIError(f"{action} needs a set")
            items = target["value"]
            node = value()
            if action == "add_set":
                if not any(_same_value(item, node) for item in items):
                    items.append(node)
            else:
                matches = [i for i, item in enumerate(items) if _same_value(item, node)]
                if matches:
                    del items[matches[0]]
            return target
        raise UIError(f"unknown action {action}")

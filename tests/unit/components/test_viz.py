from __future__ import annotations

import json
from typing import Any, Callable, Dict

import pytest

import sidekick
from sidekick import ObservableValue
from sidekick.components import _viz_repr
from sidekick.components import viz as viz_module

from .conftest import Recorder, spawn


def shown(ui: Recorder, name: str, viz: str = "viz-1") -> Dict[str, Any]:
    return ui.live_model().components[viz]["variables"][name]  # type: ignore[no-any-return]


def fresh(viz: sidekick.Viz, name: str) -> Dict[str, Any]:
    """What a new show() of the variable's current value would send."""
    message, pins, _ = viz._full(viz._vars[name])
    viz._registry.release(pins)
    node = json.loads(message)["payload"]["options"]["valueRepresentation"]
    return node  # type: ignore[no-any-return]


def test_spawn_show_remove_messages(ui: Recorder) -> None:
    viz = sidekick.Viz(instance_id="v")
    viz.show("x", 5)
    viz.show("xs", [1, "a"])
    viz.remove_variable("x")
    viz.remove_variable("never shown")  # like 0.0.7: no error, nothing sent
    messages = ui.take()
    assert messages[0] == spawn("viz", "v", {})
    assert messages[1]["payload"] == {
        "action": "set",
        "variableName": "x",
        "options": {"path": [], "valueRepresentation": {"id": "n1", "type": "int", "value": 5}},
    }
    xs = messages[2]["payload"]["options"]
    assert xs["length"] == 2
    assert xs["valueRepresentation"]["type"] == "list"
    assert [n["value"] for n in xs["valueRepresentation"]["value"]] == [1, "a"]
    assert messages[3]["payload"] == {
        "action": "removeVariable",
        "variableName": "x",
        "options": {},
    }
    assert len(messages) == 4
    ui.assert_replay_matches()


def test_name_errors(ui: Recorder) -> None:
    viz = sidekick.Viz()
    with pytest.raises(ValueError):
        viz.show("", 1)
    with pytest.raises(TypeError):
        viz.show(3, 1)  # type: ignore[arg-type]


class Point:
    def __init__(self) -> None:
        self.x = 1
        self.tags = ["a"]

    @property
    def explode(self) -> None:
        raise AssertionError("properties must not run")


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self) -> None:
        self.a = 1  # b left unset

    def __getattr__(self, name: str) -> Any:
        raise AssertionError("__getattr__ must not run")


class BadDict(dict):  # type: ignore[type-arg]
    def items(self) -> Any:
        raise RuntimeError("no items")


def represent(value: Any) -> Dict[str, Any]:
    rep = _viz_repr.Representer(_viz_repr.Registry(), {})
    return rep.node(value)


def strip_ids(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: strip_ids(v) for k, v in node.items() if k != "id"}
    if isinstance(node, list):
        return [strip_ids(v) for v in node]
    return node


def test_representation_of_types() -> None:
    node = strip_ids(
        represent(
            [
                None,
                True,
                2,
                2.5,
                "s",
                (1,),
                {3},
                frozenset(),
                {"k": 1},
                b"by",
                1j,
                2**60,
                float("nan"),
                len,
            ]
        )
    )
    values = node["value"]
    assert values[:5] == [
        {"type": "NoneType", "value": None},
        {"type": "bool", "value": True},
        {"type": "int", "value": 2},
        {"type": "float", "value": 2.5},
        {"type": "str", "value": "s"},
    ]
    assert values[5] == {"type": "tuple", "value": [{"type": "int", "value": 1}], "length": 1}
    assert values[6]["type"] == "set" and values[7] == {
        "type": "frozenset",
        "value": [],
        "length": 0,
    }
    assert values[8] == {
        "type": "dict",
        "value": [{"key": {"type": "str", "value": "k"}, "value": {"type": "int", "value": 1}}],
        "length": 1,
    }
    assert values[9] == {"type": "bytes", "value": "b'by'"}
    assert values[10] == {"type": "complex", "value": "1j"}
    assert values[11] == {"type": "int", "value": str(2**60)}
    assert values[12] == {"type": "float", "value": "nan"}
    assert values[13]["type"] == "builtin_function_or_method"
    json.dumps(node, allow_nan=False)


def test_objects_use_own_attributes_without_running_code() -> None:
    node = strip_ids(represent(Point()))
    assert node == {
        "type": "object (Point)",
        "value": {
            "x": {"type": "int", "value": 1},
            "tags": {"type": "list", "value": [{"type": "str", "value": "a"}], "length": 1},
        },
        "length": 2,
    }
    assert strip_ids(represent(Slotted())) == {
        "type": "object (Slotted)",
        "value": {"a": {"type": "int", "value": 1}},
        "length": 1,
    }
    broken = represent([BadDict(a=1)])["value"][0]
    assert broken["type"] == "error" and "no items" in broken["value"]


def test_dict_keeps_insertion_order() -> None:
    node = represent({"b": 1, "a": 2, 3: 4})
    assert [p["key"]["value"] for p in node["value"]] == ["b", "a", 3]


def test_cycles_and_shared_objects() -> None:
    shared = [1]
    cyc: list = [shared, shared]
    cyc.append(cyc)
    node = represent(cyc)
    first, second, third = node["value"]
    assert first["type"] == "list" and second["type"] == "list"
    assert first["id"] == second["id"]  # the same object: the same id
    assert third["type"] == "recursive_ref"
    d: dict = {}
    d["self"] = d
    assert represent(d)["value"][0]["value"]["type"] == "recursive_ref"


def test_limits() -> None:
    deep: list = [0]
    for _ in range(20):
        deep = [deep]
    node = represent(deep)
    depth = 0
    while node["type"] == "list":
        node = node["value"][0]
        depth += 1
    assert depth == _viz_repr.MAX_DEPTH and node["type"] == "truncated"

    big = represent(list(range(1000)))
    assert big["length"] == 1000 and len(big["value"]) == _viz_repr.MAX_ITEMS + 1
    assert big["value"][-1]["type"] == "truncated" and "900 more" in big["value"][-1]["value"]

    big_dict = represent({i: i for i in range(150)})
    assert big_dict["value"][-1]["value"]["type"] == "truncated"

    text = represent("x" * 5000)["value"]
    assert len(text) == _viz_repr.MAX_TEXT and text.endswith("…")

    rep = _viz_repr.Representer(_viz_repr.Registry(), {})
    rep.node([[i, i] for i in range(100)] * 1)  # 100 lists of 2 ints: well within budget
    assert rep.complete
    rep = _viz_repr.Representer(_viz_repr.Registry(), {})
    wide = [[list(range(50)) for _ in range(50)] for _ in range(5)]
    rep.node(wide)
    assert not rep.complete


def test_ids_are_stable_across_shows_and_pins_are_released(ui: Recorder) -> None:
    viz = sidekick.Viz()
    data = {"a": [1, 2]}
    viz.show("d", data)
    first = shown(ui, "d")
    data["b"] = [3]
    viz.show("d", data)
    second = shown(ui, "d")
    assert first["id"] == second["id"]
    assert first["value"][0]["value"]["id"] == second["value"][0]["value"]["id"]
    pinned = len(viz._registry)
    viz.remove_variable("d")
    assert len(viz._registry) == 0 < pinned


def test_dead_objects_never_alias(ui: Recorder) -> None:
    viz = sidekick.Viz()
    viz.show("a", [[1]])
    old_inner_id = shown(ui, "a")["value"][0]["id"]
    for _ in range(50):  # new lists may reuse memory of dead ones
        viz.show("a", [[1]])
        assert shown(ui, "a")["value"][0]["id"] != old_inner_id
    ids = set()
    viz2 = sidekick.Viz()
    for i in range(50):
        viz2.show(f"v{i}", [i])
        ids.add(shown(ui, f"v{i}", viz="viz-2")["id"])
    assert len(ids) == 50  # all alive at once: all distinct


OPS: Dict[str, Callable[[ObservableValue], None]] = {
    "append": lambda o: o.append([5, 6]),
    "extend": lambda o: o.extend([7, 8]),
    "insert": lambda o: o.insert(1, "ins"),
    "setitem": lambda o: o.__setitem__(0, {"new": 1}),
    "delitem": lambda o: o.__delitem__(1),
    "pop": lambda o: o.pop(),
    "pop0": lambda o: o.pop(0),
    "remove": lambda o: o.remove(2),
    "sort": lambda o: o.sort(key=str),
    "reverse": lambda o: o.reverse(),
    "slice": lambda o: o.__setitem__(slice(0, 2), ["s"]),
    "clear": lambda o: o.clear(),
    "set": lambda o: o.set([9]),
}


@pytest.mark.parametrize("op", sorted(OPS))
def test_each_list_change_is_one_update_matching_a_fresh_show(ui: Recorder, op: str) -> None:
    viz = sidekick.Viz()
    obs = ObservableValue([1, 2, 3])
    viz.show("v", obs)
    ui.take()
    OPS[op](obs)
    messages = ui.take()
    assert len(messages) == (2 if op == "extend" else 1)  # extend: one append per item
    assert shown(ui, "v") == fresh(viz, "v")
    ui.assert_replay_matches()


DICT_OPS: Dict[str, Callable[[ObservableValue], None]] = {
    "setitem-new": lambda o: o.__setitem__("c", [1]),
    "setitem-old": lambda o: o.__setitem__("a", "x"),
    "delitem": lambda o: o.__delitem__("a"),
    "pop": lambda o: o.pop("b"),
    "popitem": lambda o: o.popitem(),
    "setdefault": lambda o: o.setdefault("z", 0),
    "update": lambda o: o.update(a=3),
    "clear": lambda o: o.clear(),
    "int-key": lambda o: o.__setitem__(7, "seven"),
    "none-key": lambda o: o.__setitem__(None, "none"),
    "tuple-key": lambda o: o.__setitem__((1, 2), "t"),
}


@pytest.mark.parametrize("op", sorted(DICT_OPS))
def test_each_dict_change_matches_a_fresh_show(ui: Recorder, op: str) -> None:
    viz = sidekick.Viz()
    obs = ObservableValue({"a": 1, "b": [2]})
    viz.show("v", obs)
    ui.take()
    DICT_OPS[op](obs)
    assert len(ui.take()) == 1
    assert shown(ui, "v") == fresh(viz, "v")
    ui.assert_replay_matches()


@pytest.mark.parametrize(
    "op",
    [
        lambda o: o.add(4),
        lambda o: o.discard(1),
        lambda o: o.remove(2),
        lambda o: o.pop(),
        lambda o: o.add((1, 2)),
        lambda o: o.clear(),
    ],
)
def test_set_changes_match_a_fresh_show(
    ui: Recorder, op: Callable[[ObservableValue], None]
) -> None:
    viz = sidekick.Viz()
    obs = ObservableValue({1, 2, 3})
    viz.show("v", obs)
    op(obs)
    live = shown(ui, "v")
    expected = fresh(viz, "v")
    # set order is Python's; compare as multisets
    key = lambda n: json.dumps(n, sort_keys=True)  # noqa: E731
    assert sorted(map(key, live["value"])) == sorted(map(key, expected["value"]))
    assert live["length"] == expected["length"]


def test_nested_observable_updates_carry_the_full_path(ui: Recorder) -> None:
    viz = sidekick.Viz()
    inner = ObservableValue([1])
    outer = ObservableValue({"in": inner, "other": 0})
    viz.show("v", outer)
    ui.take()
    inner.append(2)
    (message,) = ui.take()
    assert message["payload"]["action"] == "append"
    assert message["payload"]["options"]["path"] == ["in", 1]
    inner.set(["replaced"])
    (message,) = ui.take()
    assert message["payload"]["action"] == "setitem"
    node = message["payload"]["options"]["valueRepresentation"]
    assert node["observableTracked"] is True
    assert shown(ui, "v") == fresh(viz, "v")
    outer["other"] = inner  # shared: shown in both places
    assert shown(ui, "v") == fresh(viz, "v")
    ui.assert_replay_matches()


def test_observable_cycle_is_a_recursive_ref(ui: Recorder) -> None:
    viz = sidekick.Viz()
    obs = ObservableValue([1])
    viz.show("v", obs)
    obs.append(obs)
    node = shown(ui, "v")
    assert node["value"][1]["type"] == "recursive_ref"
    assert node == fresh(viz, "v")


def test_changes_beyond_the_limits_resend_the_variable(ui: Recorder) -> None:
    viz = sidekick.Viz()
    obs = ObservableValue(list(range(_viz_repr.MAX_ITEMS - 1)))
    viz.show("v", obs)
    ui.take()
    obs.append("a")
    obs.append("b")
    actions = [m["payload"]["action"] for m in ui.take()]
    assert actions == ["set", "set"]
    assert shown(ui, "v") == fresh(viz, "v")
    deep = ObservableValue([[[[[[[[[[[]]]]]]]]]]])
    viz.show("deep", deep)
    inner = deep[0][0][0][0][0][0][0][0][0]
    assert isinstance(inner, list)
    ui.assert_replay_matches()


def test_replay_log_is_bounded_and_compacted(ui: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(viz_module, "MAX_UPDATES", 10)
    viz = sidekick.Viz(instance_id="v")
    obs = ObservableValue([])
    viz.show("v", obs)
    for i in range(25):
        obs.append(i)
        if i % 3 == 0:
            obs.pop(0)
    assert len(viz._vars["v"].updates) < 10
    ui.assert_replay_matches()
    assert len(ui.replay()) < 2 + 10 + 1


def test_unsubscribes_when_replaced_or_removed(ui: Recorder) -> None:
    viz = sidekick.Viz()
    obs = ObservableValue([])
    viz.show("v", obs)
    assert len(obs._subscribers) == 1
    viz.show("v", 5)
    assert obs._subscribers == []
    viz.show("v", obs)
    viz.remove_variable("v")
    assert obs._subscribers == []
    viz.show("w", obs)
    viz.remove()
    assert obs._subscribers == []
    ui.take()
    obs.append(1)  # nothing to send any more
    assert ui.take() == []

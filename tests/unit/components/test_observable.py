from __future__ import annotations

import threading
from typing import Any, List

import pytest

from sidekick import ObservableValue


def recorder(obs: ObservableValue) -> List[dict]:
    seen: List[dict] = []
    obs.subscribe(lambda r: seen.append(dict(r)))
    return seen


def rec(
    type: str, path: list, value: Any = None, key: Any = None, old: Any = None, length: Any = None
) -> dict:
    return {
        "type": type,
        "path": path,
        "value": value,
        "key": key,
        "old_value": old,
        "length": length,
    }


def test_reads_pass_through() -> None:
    obs = ObservableValue([3, 1, 2])
    assert len(obs) == 3 and obs[0] == 3 and list(obs) == [3, 1, 2] and 1 in obs
    assert obs.count(1) == 1 and obs.index(2) == 2
    assert obs == [3, 1, 2] and obs != [1] and obs == ObservableValue([3, 1, 2])
    assert bool(ObservableValue([])) is False
    assert repr(obs) == "ObservableValue([3, 1, 2])" and str(obs) == "[3, 1, 2]"
    assert list(reversed(obs)) == [2, 1, 3]
    d = ObservableValue({"a": 1})
    assert list(d.keys()) == ["a"] and d["a"] == 1
    assert f"{ObservableValue(3.14159):.2f}" == "3.14"
    with pytest.raises(TypeError):
        hash(obs)


def test_list_records() -> None:
    obs = ObservableValue([1, 2])
    seen = recorder(obs)
    obs.append(3)
    obs.insert(0, 9)
    obs.insert(-100, 8)
    obs[1] = 7
    obs[-1] = 6
    del obs[0]
    assert obs.pop() == 6
    obs.remove(7)
    obs.extend([4, 5])
    obs += [6]
    assert obs.get() == [1, 2, 4, 5, 6]
    obs.clear()
    assert seen == [
        rec("append", [2], 3, length=3),
        rec("insert", [0], 9, length=4),
        rec("insert", [0], 8, length=5),
        rec("setitem", [1], 7, old=9, length=5),
        rec("setitem", [4], 6, old=3, length=5),
        rec("delitem", [0], old=8, length=4),
        rec("pop", [3], old=6, length=3),
        rec("remove", [0], old=7, length=2),
        rec("append", [2], 4, length=3),
        rec("append", [3], 5, length=4),
        rec("append", [4], 6, length=5),
        rec("clear", [], [], length=0),
    ]


def test_list_rearrangements_announce_the_whole() -> None:
    obs = ObservableValue([3, 1, 2])
    seen = recorder(obs)
    obs.sort()
    obs.reverse()
    obs[0:2] = ["a"]
    del obs[:1]
    obs *= 2
    assert obs.get() == [1, 1]
    assert [r["type"] for r in seen] == ["set"] * 5
    assert all(r["path"] == [] and r["value"] is obs.get() for r in seen)
    obs.sort(key=lambda v: -v, reverse=True)


def test_dict_records() -> None:
    obs = ObservableValue({"a": 1})
    seen = recorder(obs)
    obs["b"] = 2
    obs["a"] = 5
    del obs["a"]
    obs.update({"z": 1}, y=2)
    assert obs.pop("z") == 1
    assert obs.pop("missing", "dflt") == "dflt"
    assert obs.setdefault("q", 3) == 3
    assert obs.setdefault("q", 4) == 3
    assert obs.popitem() == ("q", 3)
    obs |= {"x": 0}
    obs.clear()
    assert seen == [
        rec("setitem", ["b"], 2, "b", None, 2),
        rec("setitem", ["a"], 5, "a", 1, 2),
        rec("delitem", ["a"], None, "a", 5, 1),
        rec("setitem", ["z"], 1, "z", None, 2),
        rec("setitem", ["y"], 2, "y", None, 3),
        rec("pop", ["z"], None, "z", 1, 2),
        rec("setitem", ["q"], 3, "q", None, 3),
        rec("pop", ["q"], None, "q", 3, 2),
        rec("setitem", ["x"], 0, "x", None, 3),
        rec("clear", [], {}, length=0),
    ]
    with pytest.raises(KeyError):
        obs.pop("nope")


def test_set_records() -> None:
    obs = ObservableValue({1})
    seen = recorder(obs)
    obs.add(2)
    obs.add(2)  # no change, no record
    obs.discard(1)
    obs.discard(99)
    obs.remove(2)
    with pytest.raises(KeyError):
        obs.remove(2)
    obs |= {3, 4}
    obs -= {3}
    obs &= {4, 5}
    obs ^= {4, 7}
    obs.update([8])
    assert obs.pop() in (7, 8)
    assert [(r["type"], r["value"], r["old_value"]) for r in seen[:8]] == [
        ("add_set", 2, None),
        ("discard_set", None, 1),
        ("discard_set", None, 2),
        ("add_set", 3, None),
        ("add_set", 4, None),
        ("discard_set", None, 3),
        ("discard_set", None, 4),
        ("add_set", 7, None),
    ]
    assert [r["type"] for r in seen[8:]] == ["add_set", "discard_set"]


def test_set_replaces_and_notifies_even_when_equal() -> None:
    obs = ObservableValue([1])
    seen = recorder(obs)
    same = obs.get()
    obs.set([1])
    obs.set(same)
    assert [r["type"] for r in seen] == ["set", "set"]
    assert seen[0]["old_value"] == [1]


def test_in_place_operators_on_plain_values() -> None:
    counter = ObservableValue(1)
    seen = recorder(counter)
    counter += 2
    assert isinstance(counter, ObservableValue) and counter.get() == 3
    counter -= 1
    counter *= 5
    assert counter == 10
    assert [(r["type"], r["value"], r["old_value"]) for r in seen] == [
        ("set", 3, 1),
        ("set", 2, 3),
        ("set", 10, 2),
    ]


def test_attribute_writes_on_wrapped_objects() -> None:
    class Point:
        def __init__(self) -> None:
            self.x = 1

    obs = ObservableValue(Point())
    seen = recorder(obs)
    obs.x = 5
    assert obs.get().x == 5 and obs.x == 5
    assert seen == [rec("setattr", ["x"], 5, "x", 1)]


def test_wrong_type_errors() -> None:
    with pytest.raises(TypeError, match="append"):
        ObservableValue({}).append(1)
    with pytest.raises(TypeError):
        ObservableValue([1]).add(1)
    with pytest.raises(TypeError):
        ObservableValue(5).clear()
    with pytest.raises(TypeError):
        ObservableValue([]).subscribe(5)  # type: ignore[arg-type]


def test_unsubscribe() -> None:
    obs = ObservableValue([])
    seen: List[Any] = []
    unsubscribe = obs.subscribe(seen.append)
    obs.append(1)
    unsubscribe()
    obs.append(2)
    cb = seen.append
    obs.subscribe(cb)
    obs.unsubscribe(cb)
    obs.unsubscribe(cb)  # not subscribed: fine
    obs.append(3)
    assert len(seen) == 1


def test_subscriber_errors_are_reported_not_swallowed(capsys: pytest.CaptureFixture) -> None:
    obs = ObservableValue([])
    seen: List[Any] = []

    def bad(record: dict) -> None:
        raise ValueError("boom")

    obs.subscribe(bad)
    obs.subscribe(seen.append)
    obs.append(1)
    assert len(seen) == 1
    err = capsys.readouterr().err
    assert "ValueError: boom" in err and "Traceback" in err


def test_nested_observables_propagate_with_full_path() -> None:
    inner = ObservableValue([1])
    middle = ObservableValue({"in": inner})
    outer = ObservableValue([middle])
    seen_outer = recorder(outer)
    seen_middle = recorder(middle)
    inner.append(2)
    inner.set([7])
    assert [r["path"] for r in seen_middle] == [["in", 1], ["in"]]
    assert [r["path"] for r in seen_outer] == [[0, "in", 1], [0, "in"]]
    # once removed from its parent it no longer propagates there
    middle["in"] = "plain"
    seen_outer.clear()
    inner.append(3)
    assert seen_outer == []
    # children added later propagate too
    late = ObservableValue({})
    outer.append(late)
    seen_outer.clear()
    late["k"] = 1
    assert seen_outer[0]["path"] == [1, "k"]


def test_cycles_of_observables_terminate() -> None:
    a = ObservableValue([])
    b = ObservableValue([a])
    a.append(b)
    a.append(a)  # itself
    seen_a = recorder(a)
    seen_b = recorder(b)
    b.append(1)
    assert [r["path"] for r in seen_b] == [[1]]
    assert [r["path"] for r in seen_a] == [[0, 1]]


def test_subscriber_mutating_the_value_keeps_order() -> None:
    obs = ObservableValue([])
    order: List[Any] = []

    def first(record: dict) -> None:
        order.append(("first", record["value"]))
        if record["value"] == 1:
            obs.append(2)

    obs.subscribe(first)
    obs.subscribe(lambda r: order.append(("second", r["value"])))
    obs.append(1)
    assert order == [("first", 1), ("second", 1), ("first", 2), ("second", 2)]


def test_concurrent_mutations_deliver_every_record_once() -> None:
    obs = ObservableValue([])
    seen: List[Any] = []
    obs.subscribe(lambda r: seen.append(r["value"]))

    def work(base: int) -> None:
        for i in range(200):
            obs.append(base + i)

    threads = [threading.Thread(target=work, args=(k * 1000,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == sorted(obs.get()) and len(seen) == 800


def test_copy_and_pickle_wrap_a_copy_without_subscribers() -> None:
    import copy
    import pickle

    obs = ObservableValue([1, [2]])
    seen = recorder(obs)
    shallow = copy.copy(obs)
    deep = copy.deepcopy(obs)
    loaded = pickle.loads(pickle.dumps(obs))
    for other in (shallow, deep, loaded):
        assert isinstance(other, ObservableValue) and other == obs
        assert other.get() is not obs.get()
        other.append(3)
    assert seen == [] and obs.get() == [1, [2]]
    assert shallow.get()[1] is obs.get()[1] and deep.get()[1] is not obs.get()[1]

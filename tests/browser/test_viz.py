"""Viz: a collapsible tree per variable, updated by observable mutations."""

from __future__ import annotations

import itertools
from typing import Any, Dict, List

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

_ids = itertools.count(1)


def rep(value: Any, tracked: bool = False) -> Dict[str, Any]:
    """A representation node, as the hero builds them (ids made up here)."""
    node: Dict[str, Any] = {"id": f"n{next(_ids)}", "type": type(value).__name__}
    if isinstance(value, (list, tuple, set)):
        node["value"] = [rep(v) for v in value]
        node["length"] = len(value)
    elif isinstance(value, dict):
        node["value"] = [{"key": rep(k), "value": rep(v)} for k, v in value.items()]
        node["length"] = len(value)
    else:
        node["value"] = value
    if tracked:
        node["observableTracked"] = True
    return node


def viz(hero, action: str, name: str, **options: Any) -> None:
    hero.send(
        {
            "id": 0,
            "component": "viz",
            "type": "update",
            "target": "v",
            "payload": {"action": action, "variableName": name, "options": options},
        }
    )


def lines(page, name: str) -> List[str]:
    return page.evaluate(
        """(name) => [...document.querySelectorAll(
                `[data-sidekick-id="v"] [data-variable="${name}"].sk-viz-variable .sk-viz-line`)]
              .map(l => l.querySelector('.sk-viz-label').textContent + ' ' +
                        l.querySelector('.sk-viz-value').textContent)""",
        name,
    )


def wait_lines(page, name: str, expected: List[str]) -> None:
    page.wait_for_function(
        """([name, expected]) => {
            const got = [...document.querySelectorAll(
                `[data-sidekick-id="v"] [data-variable="${name}"].sk-viz-variable .sk-viz-line`)]
              .map(l => l.querySelector('.sk-viz-label').textContent + ' ' +
                        l.querySelector('.sk-viz-value').textContent);
            return JSON.stringify(got) === JSON.stringify(expected);
        }""",
        arg=[name, expected],
        timeout=5000,
    )


@pytest.fixture
def shown(page, hero):
    hero.spawn("viz", "v")
    expect(page.locator('[data-sidekick-id="v"]')).to_have_attribute("data-sidekick-type", "viz")
    return hero


def test_set_renders_tree(page, shown):
    viz(shown, "set", "data", path=[], valueRepresentation=rep({"a": 1, "b": [True, None, "x"]}))
    wait_lines(page, "data", ["data 2 items", '"a" 1', '"b" 3 items', "0 True", "1 None", '2 "x"'])
    viz(shown, "set", "n", path=[], valueRepresentation=rep(42))
    wait_lines(page, "n", ["n 42"])
    # Showing a name again replaces it in place.
    viz(shown, "set", "data", path=[], valueRepresentation=rep([1]))
    wait_lines(page, "data", ["data 1 item", "0 1"])
    order = page.evaluate(
        """() => [...document.querySelectorAll('[data-sidekick-id="v"] .sk-viz-variable')]
                 .map(e => e.dataset.variable)"""
    )
    assert order == ["data", "n"]


def test_list_mutations(page, shown):
    viz(shown, "set", "xs", path=[], valueRepresentation=rep([10, 20, 30], tracked=True), length=3)
    wait_lines(page, "xs", ["xs 3 items", "0 10", "1 20", "2 30"])

    new = rep(99)
    viz(shown, "setitem", "xs", path=[1], valueRepresentation=new)
    wait_lines(page, "xs", ["xs 3 items", "0 10", "1 99", "2 30"])
    # What just changed is highlighted.
    flashing = page.locator(f'[data-node-id="{new["id"]}"]')
    expect(flashing).to_have_class("sk-viz-node sk-viz-flash")

    viz(shown, "append", "xs", path=[3], valueRepresentation=rep(40), length=4)
    wait_lines(page, "xs", ["xs 4 items", "0 10", "1 99", "2 30", "3 40"])
    viz(shown, "insert", "xs", path=[0], valueRepresentation=rep(5), length=5)
    wait_lines(page, "xs", ["xs 5 items", "0 5", "1 10", "2 99", "3 30", "4 40"])
    viz(shown, "pop", "xs", path=[4], length=4)
    wait_lines(page, "xs", ["xs 4 items", "0 5", "1 10", "2 99", "3 30"])
    viz(shown, "remove", "xs", path=[1], length=3)
    wait_lines(page, "xs", ["xs 3 items", "0 5", "1 99", "2 30"])
    viz(shown, "delitem", "xs", path=[0], length=2)
    wait_lines(page, "xs", ["xs 2 items", "0 99", "1 30"])
    viz(shown, "clear", "xs", path=[], length=0)
    wait_lines(page, "xs", ["xs 0 items"])


def test_nested_paths(page, shown):
    viz(shown, "set", "m", path=[], valueRepresentation=rep({"rows": [[1, 2], [3]]}))
    wait_lines(page, "m", ["m 1 item", '"rows" 2 items', "0 2 items", "1 1 item"])
    # Open the deeper lists by clicking them.
    page.locator('[data-variable="m"] .sk-viz-line', has_text="0").last.click()
    wait_lines(page, "m", ["m 1 item", '"rows" 2 items', "0 2 items", "0 1", "1 2", "1 1 item"])
    viz(shown, "setitem", "m", path=["rows", 0, 1], valueRepresentation=rep("two"))
    wait_lines(page, "m", ["m 1 item", '"rows" 2 items', "0 2 items", "0 1", '1 "two"', "1 1 item"])
    # Append where the path names the list itself.
    viz(shown, "append", "m", path=["rows", 0], valueRepresentation=rep(3), length=3)
    wait_lines(
        page, "m", ["m 1 item", '"rows" 2 items', "0 3 items", "0 1", '1 "two"', "2 3", "1 1 item"]
    )


def test_dict_mutations(page, shown):
    viz(shown, "set", "d", path=[], valueRepresentation=rep({"a": 1}))
    wait_lines(page, "d", ["d 1 item", '"a" 1'])
    viz(shown, "setitem", "d", path=["a"], valueRepresentation=rep(2))
    wait_lines(page, "d", ["d 1 item", '"a" 2'])
    viz(shown, "setitem", "d", path=["b"], valueRepresentation=rep([7]), keyRepresentation=rep("b"))
    wait_lines(page, "d", ["d 2 items", '"a" 2', '"b" 1 item', "0 7"])
    viz(
        shown,
        "setitem",
        "d",
        path=[3],
        valueRepresentation=rep("int key"),
        keyRepresentation=rep(3),
    )
    wait_lines(page, "d", ["d 3 items", '"a" 2', '"b" 1 item', "0 7", '3 "int key"'])
    viz(shown, "delitem", "d", path=["a"], length=2)
    wait_lines(page, "d", ["d 2 items", '"b" 1 item', "0 7", '3 "int key"'])


def test_set_mutations(page, shown):
    viz(shown, "set", "s", path=[], valueRepresentation=rep({1, 2}))
    wait_lines(page, "s", ["s 2 items", "0 1", "1 2"])
    viz(shown, "add_set", "s", path=[], valueRepresentation=rep(3), length=3)
    wait_lines(page, "s", ["s 3 items", "0 1", "1 2", "2 3"])
    viz(shown, "discard_set", "s", path=[], valueRepresentation=rep(1), length=2)
    wait_lines(page, "s", ["s 2 items", "0 2", "1 3"])


def test_objects_and_markers(page, shown):
    obj = {
        "id": "o1",
        "type": "object (Point)",
        "value": {
            "x": rep(1),
            "y": rep(2.5),
            "self": {"id": "o1r", "type": "recursive_ref", "value": "<Point ...>"},
        },
    }
    viz(shown, "set", "p", path=[], valueRepresentation=obj)
    wait_lines(page, "p", ["p ", "x 1", "y 2.5", "self <Point ...>"])
    expect(page.locator('[data-variable="p"] .sk-viz-type').first).to_have_text("object (Point)")
    viz(shown, "setitem", "p", path=["x"], valueRepresentation=rep(10))
    wait_lines(page, "p", ["p ", "x 10", "y 2.5", "self <Point ...>"])


def test_collapse_and_remove_variable(page, shown):
    viz(shown, "set", "c", path=[], valueRepresentation=rep([1, 2]))
    wait_lines(page, "c", ["c 2 items", "0 1", "1 2"])
    page.locator('[data-variable="c"] .sk-viz-line').first.click()
    wait_lines(page, "c", ["c 2 items"])
    # Collapsed state survives updates.
    viz(shown, "append", "c", path=[2], valueRepresentation=rep(3), length=3)
    wait_lines(page, "c", ["c 3 items"])
    page.locator('[data-variable="c"] .sk-viz-line').first.click()
    wait_lines(page, "c", ["c 3 items", "0 1", "1 2", "2 3"])
    viz(shown, "removeVariable", "c")
    expect(page.locator('[data-sidekick-id="v"] [data-variable="c"]')).to_have_count(0)


def test_bad_viz_updates_report_errors(page, shown):
    viz(shown, "setitem", "unknown", path=[0], valueRepresentation=rep(1))
    assert "unknown" in shown.wait_error("v")["payload"]["message"]
    viz(shown, "set", "xs", path=[], valueRepresentation=rep([1]))
    viz(shown, "setitem", "xs", path=[5, 2], valueRepresentation=rep(1))
    assert shown.wait_error("v")["component"] == "viz"
    viz(shown, "set", "bad", path=[], valueRepresentation="not a node")
    assert shown.wait_error("v")["component"] == "viz"
    viz(shown, "frobnicate", "xs", path=[])
    assert shown.wait_error("v")["component"] == "viz"
    wait_lines(page, "xs", ["xs 1 item", "0 1"])

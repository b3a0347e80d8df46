"""Layout tree: parents, changeParent, remove, clearAll and batch unpacking."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def el(page, target: str):
    return page.locator(f'[data-sidekick-id="{target}"]')


def child_ids(page, target: str):
    """Ids of the components directly inside ``target`` (or the root column)."""
    return page.evaluate(
        """(target) => {
            const box = target === 'root'
                ? document.querySelector('[data-sidekick-role="root"]')
                : document.querySelector(`[data-sidekick-id="${target}"]`);
            return [...box.children].map(e => e.dataset.sidekickId).filter(Boolean);
        }""",
        target,
    )


def test_nesting_at_depth(page, hero):
    hero.spawn("row", "r1")
    hero.spawn("column", "c1", {"parent": "r1"})
    hero.spawn("row", "r2", {"parent": "c1"})
    hero.spawn("label", "deep", {"text": "deep", "parent": "r2"})
    hero.spawn("label", "side", {"text": "side", "parent": "r1"})
    expect(
        el(page, "r1").locator(
            '[data-sidekick-id="c1"] [data-sidekick-id="r2"] [data-sidekick-id="deep"]'
        )
    ).to_have_text("deep")
    # "side" may come a frame after "deep": wait for it before reading the order.
    expect(el(page, "side")).to_have_text("side")
    assert child_ids(page, "r1") == ["c1", "side"]
    # A row lays children side by side, a column stacks them.
    hero.spawn("label", "a", {"text": "A", "parent": "c1"})
    expect(el(page, "a")).to_have_text("A")
    side = el(page, "side").bounding_box()
    col = el(page, "c1").bounding_box()
    assert side["x"] >= col["x"] + col["width"] - 1
    deep = el(page, "r2").bounding_box()
    a = el(page, "a").bounding_box()
    assert a["y"] >= deep["y"] + deep["height"] - 1


def test_change_parent_and_insert_before(page, hero):
    hero.spawn("column", "col")
    for name in ("x", "y", "z"):
        hero.spawn("label", name, {"text": name})
    hero.update("label", "z", "changeParent", {"parent": "col"})
    hero.update("label", "x", "changeParent", {"parent": "col", "insertBefore": "z"})
    expect(el(page, "col").locator('[data-sidekick-id="x"]')).to_have_count(1)
    assert child_ids(page, "col") == ["x", "z"]
    assert child_ids(page, "root") == ["col", "y"]
    hero.update("label", "y", "changeParent", {"parent": "root", "insertBefore": "col"})
    hero.update("column", "col", "changeParent", {"parent": "root"})
    hero.spawn("label", "sync", {"text": "sync"})
    expect(el(page, "sync")).to_have_count(1)
    assert child_ids(page, "root") == ["y", "col", "sync"]


def test_change_parent_into_own_descendant_is_refused(page, hero):
    hero.spawn("row", "outer")
    hero.spawn("row", "inner", {"parent": "outer"})
    hero.update("row", "outer", "changeParent", {"parent": "inner"})
    error = hero.wait_error("outer")
    assert error["component"] == "row"
    assert child_ids(page, "root") == ["outer"]


def test_remove_container_removes_descendants(page, hero):
    hero.spawn("row", "r")
    hero.spawn("column", "c", {"parent": "r"})
    hero.spawn("label", "l", {"text": "inside", "parent": "c"})
    hero.spawn("label", "keep", {"text": "keep"})
    expect(el(page, "l")).to_have_count(1)
    hero.remove("row", "r")
    expect(el(page, "r")).to_have_count(0)
    expect(el(page, "l")).to_have_count(0)
    # The removed descendants are gone from the model too: updating one fails.
    hero.update("label", "l", "setText", {"text": "ghost"})
    assert hero.wait_error("l")["component"] == "label"
    # And their ids can be used again.
    hero.spawn("label", "l", {"text": "again"})
    expect(el(page, "l")).to_have_text("again")
    expect(el(page, "keep")).to_have_text("keep")


def test_clear_all(page, hero):
    hero.spawn("row", "r")
    hero.spawn("label", "l", {"text": "x", "parent": "r"})
    hero.spawn("grid", "g", {"numColumns": 2, "numRows": 2})
    expect(el(page, "g")).to_have_count(1)
    hero.clear_all()
    expect(page.locator("[data-sidekick-id]")).to_have_count(0)
    hero.spawn("label", "l", {"text": "fresh"})
    expect(el(page, "l")).to_have_text("fresh")


def test_batch_applies_in_order(page, hero):
    hero.batch(
        [
            hero.spawn_msg("column", "bc"),
            hero.spawn_msg("label", "bl", {"text": "one", "parent": "bc"}),
            hero.update_msg("label", "bl", "setText", {"text": "two"}),
            hero.spawn_msg("label", "gone", {"text": "temp"}),
            {"id": 0, "component": "label", "type": "remove", "target": "gone"},
            hero.update_msg("label", "bl", "setText", {"text": "three"}),
            hero.update_msg("label", "missing", "setText", {"text": "?"}),
            hero.spawn_msg("label", "after", {"text": "after error"}),
        ]
    )
    expect(el(page, "after")).to_have_text("after error")
    expect(el(page, "bl")).to_have_text("three")
    expect(el(page, "gone")).to_have_count(0)
    assert hero.wait_error("missing")["component"] == "label"


def test_spawn_with_unknown_parent_reports_and_keeps_it(page, hero):
    hero.spawn("label", "orphan", {"text": "orphan", "parent": "nowhere"})
    error = hero.wait_error("orphan")
    assert "nowhere" in error["payload"]["message"]
    expect(el(page, "orphan")).to_have_text("orphan")

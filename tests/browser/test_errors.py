"""Bad commands come back as `error` messages and never stop the UI."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def el(page, target: str):
    return page.locator(f'[data-sidekick-id="{target}"]')


def test_unknown_target(page, hero):
    hero.update("grid", "ghost", "setColor", {"x": 0, "y": 0, "color": "red"})
    error = hero.wait_error("ghost")
    assert error["id"] == 0
    assert error["component"] == "grid"
    assert isinstance(error["payload"]["message"], str) and error["payload"]["message"]


@pytest.mark.parametrize(
    ("kind", "spawn", "action", "options"),
    [
        ("grid", {"numColumns": 2, "numRows": 2}, "setColor", {"x": 5, "y": 0, "color": "red"}),
        ("grid", {"numColumns": 2, "numRows": 2}, "setColor", {"x": "a", "y": 0, "color": "red"}),
        ("grid", {"numColumns": 2, "numRows": 2}, "explode", {}),
        ("canvas", {"width": 20, "height": 20}, "drawLine", {"x1": 0, "y1": 0, "x2": "far"}),
        (
            "canvas",
            {"width": 20, "height": 20},
            "drawRect",
            {"x": 0, "y": 0, "width": 5, "height": 5, "bufferId": 9},
        ),
        (
            "canvas",
            {"width": 20, "height": 20},
            "drawBuffer",
            {"sourceBufferId": 3, "targetBufferId": 0},
        ),
        ("label", {"text": "x"}, "setText", {"text": {"no": 1}}),
        ("row", {}, "setText", {"text": "rows have no text"}),
        ("textbox", {}, "changeParent", {"parent": "no-such-parent"}),
        ("viz", {}, "setitem", {"path": [0]}),
    ],
)
def test_bad_command_reports_error_and_ui_continues(page, hero, kind, spawn, action, options):
    hero.spawn(kind, "c", spawn)
    hero.update(kind, "c", action, options)
    error = hero.wait_error("c")
    assert error["component"] == kind
    assert error["type"] == "error"
    assert error["payload"]["message"]
    hero.spawn("label", "after", {"text": "still alive"})
    expect(el(page, "after")).to_have_text("still alive")


def test_bad_spawns(page, hero):
    hero.spawn("hologram", "h", {})
    assert hero.wait_error("h")["component"] == "hologram"
    hero.spawn("grid", "g", {"numColumns": 0, "numRows": 3})
    assert hero.wait_error("g")["component"] == "grid"
    expect(el(page, "g")).to_have_count(0)
    hero.spawn("label", "dup", {"text": "first"})
    hero.spawn("label", "dup", {"text": "second"})
    assert hero.wait_error("dup")["component"] == "label"
    expect(el(page, "dup")).to_have_text("first")


def test_malformed_messages_are_dropped(page, hero):
    hero.send({"id": 0, "type": "spawn", "target": "x"})  # no component
    hero.send({"id": 0, "component": "label", "type": "spawn"})  # no target
    hero.send(
        {"id": 0, "component": "global", "type": "batch", "payload": {"messages": [1, "two", None]}}
    )
    hero.conn.send("this is not json")
    hero.spawn("label", "ok", {"text": "fine"})
    expect(el(page, "ok")).to_have_text("fine")


MALICIOUS = """
# Title

<script>window.__pwned = 1</script>

<img src="x" onerror="window.__pwned = 2">

[click me](javascript:window.__pwned=3)

<a href="javascript:window.__pwned=4">raw link</a>

<svg><script>window.__pwned = 5</script></svg>

<iframe src="javascript:window.__pwned=6"></iframe>

<div onclick="window.__pwned = 7" style="position:fixed">div</div>

[safe](https://example.invalid/page)
"""


def test_markdown_is_inert(page, hero):
    hero.spawn("markdown", "md", {"text": MALICIOUS})
    md = el(page, "md")
    expect(md.locator("h1")).to_have_text("Title")
    assert md.locator("script").count() == 0
    assert md.locator("iframe").count() == 0
    found = page.evaluate(
        """() => {
            const root = document.querySelector('[data-sidekick-id="md"]');
            const handlers = [];
            for (const e of root.querySelectorAll('*')) {
                for (const a of e.attributes) {
                    const bad = a.name.startsWith('on') || a.name === 'style'
                        || /^\\s*javascript:/i.test(a.value);
                    if (bad) handlers.push(e.tagName + ' ' + a.name + '=' + a.value);
                }
            }
            return handlers;
        }"""
    )
    assert found == []
    # Click what is left of the links: nothing may run.
    for link in md.locator("a").all():
        if link.get_attribute("href") is None:
            link.click()
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__pwned") is None
    safe = md.locator("a", has_text="safe")
    expect(safe).to_have_attribute("rel", "noopener noreferrer")

"""Label, Markdown, Button, Textbox, Row, Column and the base behaviour."""

from __future__ import annotations

import pytest

import sidekick
from sidekick import ButtonClickEvent, ErrorEvent, SidekickError, TextboxSubmitEvent

from .conftest import Recorder, event, spawn, update


def test_label_markdown_button_messages(ui: Recorder) -> None:
    label = sidekick.Label("hi", instance_id="l")
    md = sidekick.Markdown("# Title", instance_id="m")
    button = sidekick.Button("Go", instance_id="b")
    label.text = 5
    md.text = "*x*"
    button.text = "Stop"
    assert ui.take() == [
        spawn("label", "l", {"text": "hi"}),
        spawn("markdown", "m", {"text": "# Title"}),
        spawn("button", "b", {"text": "Go"}),
        update("label", "l", "setText", {"text": "5"}),
        update("markdown", "m", "setText", {"text": "*x*"}),
        update("button", "b", "setText", {"text": "Stop"}),
    ]
    assert (label.text, md.text, button.text) == ("5", "*x*", "Stop")
    ui.assert_replay_matches()


def test_default_texts(ui: Recorder) -> None:
    sidekick.Markdown()
    sidekick.Textbox()
    assert ui.take() == [
        spawn("markdown", "markdown-1", {"text": ""}),
        spawn("textbox", "textbox-1", {}),
    ]


def test_button_click(ui: Recorder) -> None:
    seen = []
    button = sidekick.Button("Go", instance_id="b", on_click=seen.append)
    button._dispatch(event("button", "b", {"event": "click"}))
    assert seen == [ButtonClickEvent("b", "click")]


def test_textbox(ui: Recorder) -> None:
    box = sidekick.Textbox(value="v", placeholder="type", instance_id="t")
    box.value = "w"
    box.placeholder = "p"
    assert ui.take() == [
        spawn("textbox", "t", {"value": "v", "placeholder": "type"}),
        update("textbox", "t", "setValue", {"value": "w"}),
        update("textbox", "t", "setPlaceholder", {"placeholder": "p"}),
    ]
    seen = []

    @box.submit
    def got(e: TextboxSubmitEvent) -> None:
        seen.append((e, box.value))

    box._dispatch(event("textbox", "t", {"event": "submit", "value": "typed"}))
    assert seen == [(TextboxSubmitEvent("t", "submit", "typed"), "typed")]
    assert box.value == "typed"
    assert ui.take() == []  # the UI already shows it
    assert ui.replay()[1] == spawn("textbox", "t", {"value": "typed", "placeholder": "p"})
    with pytest.raises(TypeError):
        box.on_submit("nope")  # type: ignore[arg-type]


def test_on_error_callback_and_decorator(ui: Recorder, caplog: pytest.LogCaptureFixture) -> None:
    label = sidekick.Label("x", instance_id="l")
    error = {
        "id": 0,
        "component": "label",
        "type": "error",
        "src": "l",
        "payload": {"message": "bad"},
    }
    with caplog.at_level("WARNING", logger="sidekick"):
        label._dispatch(error)
    assert "bad" in caplog.text
    seen = []
    label.on_error(seen.append)
    label._dispatch(error)

    @label.on_error
    def again(e: ErrorEvent) -> None:
        seen.append(("again", e.message))

    label._dispatch(error)
    assert seen == [ErrorEvent("l", "error", "bad"), ("again", "bad")]


def test_ids(ui: Recorder) -> None:
    a = sidekick.Label()
    b = sidekick.Label()
    assert (a.instance_id, b.instance_id) == ("label-1", "label-2")
    with pytest.raises(ValueError):
        sidekick.Label(instance_id="label-1")
    with pytest.raises(TypeError):
        sidekick.Label(instance_id=3)  # type: ignore[arg-type]


def test_row_column_layout(ui: Recorder) -> None:
    a = sidekick.Label("a", instance_id="a")
    b = sidekick.Button("b", instance_id="b")
    row = sidekick.Row(a, b, instance_id="r")
    col = sidekick.Column(instance_id="c")
    col.add_child(row)
    inner = sidekick.Label("i", instance_id="i", parent=col)
    by_id = sidekick.Label("j", instance_id="j", parent="r")
    assert ui.take() == [
        spawn("label", "a", {"text": "a"}),
        spawn("button", "b", {"text": "b"}),
        spawn("row", "r", {}),
        update("label", "a", "changeParent", {"parent": "r"}),
        update("button", "b", "changeParent", {"parent": "r"}),
        spawn("column", "c", {}),
        update("row", "r", "changeParent", {"parent": "c"}),
        spawn("label", "i", {"text": "i", "parent": "c"}),
        spawn("label", "j", {"text": "j", "parent": "r"}),
    ]
    ui.assert_replay_matches()
    assert inner.instance_id == "i" and by_id.instance_id == "j"


def test_layout_errors(ui: Recorder) -> None:
    outer = sidekick.Column(instance_id="o")
    inner = sidekick.Row(instance_id="in", parent=outer)
    with pytest.raises(ValueError):
        inner.add_child(outer)
    with pytest.raises(ValueError):
        outer.add_child(outer)
    with pytest.raises(TypeError):
        sidekick.Row("not a component")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        outer.add_child("x")  # type: ignore[arg-type]
    label = sidekick.Label()
    with pytest.raises(TypeError):
        sidekick.Label(parent=label)
    with pytest.raises(ValueError):
        sidekick.Label(parent="nope")
    ui.assert_replay_matches()


def test_removing_a_container_releases_children(ui: Recorder) -> None:
    child = sidekick.Label("x", instance_id="x")
    col = sidekick.Column(child, instance_id="c")
    col.remove()
    with pytest.raises(SidekickError):
        child.text = "y"
    with pytest.raises(SidekickError):
        sidekick.Label(parent=col)
    ui.assert_replay_matches()
    assert ui.live_model().snapshot() == []


@pytest.mark.parametrize(
    "text", ["", 'quote " back \\ slash', "tab\tnew\nline\x00", "é ✓ 😀", "\ud800"]
)
def test_hand_encoded_text_updates_equal_the_generic_encoding(ui: Recorder, text: str) -> None:
    label = sidekick.Label(instance_id="l")
    assert label._update_str("setText", "text", text) == label._update("setText", {"text": text})
    label.text = text
    assert ui.take()[-1] == update("label", "l", "setText", {"text": text})

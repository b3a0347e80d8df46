from __future__ import annotations

import asyncio
import io
import logging
import sys
import threading
import time

import pytest

import sidekick
from sidekick import ConsoleSubmitEvent, SidekickError
from sidekick import callbacks as callbacks_module
from sidekick.components import console as console_module

from .conftest import Recorder, event, spawn, update


def submit(console: sidekick.Console, value: str) -> object:
    return console._dispatch(
        event("console", console.instance_id, {"event": "submit", "value": value})
    )


def test_spawn_payloads(ui: Recorder) -> None:
    sidekick.Console()
    sidekick.Console(text="start", show_input=True)
    assert ui.take() == [
        spawn("console", "console-1", {"showInput": False}),
        spawn("console", "console-2", {"showInput": True, "text": "start"}),
    ]


def test_print_like_builtin(ui: Recorder) -> None:
    c = sidekick.Console(instance_id="c")
    ui.take()
    c.print("a", 1, None, sep="-", end="!")
    c.print()
    c.print("x", sep=None, end=None)
    c.print(end="")  # nothing to say: nothing sent
    c.clear()
    assert ui.take() == [
        update("console", "c", "append", {"text": "a-1-None!"}),
        update("console", "c", "append", {"text": "\n"}),
        update("console", "c", "append", {"text": "x\n"}),
        update("console", "c", "clear"),
    ]
    with pytest.raises(TypeError):
        c.print("a", sep=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        c.print("a", end=b"x")  # type: ignore[arg-type]


def test_replay_and_scrollback_bound(ui: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    c = sidekick.Console(text="hello ", instance_id="c")
    c.print("world")
    assert ui.replay()[1] == spawn("console", "c", {"showInput": False, "text": "hello world\n"})
    ui.assert_replay_matches()
    c.clear()
    assert ui.replay()[1] == spawn("console", "c", {"showInput": False})
    monkeypatch.setattr(console_module, "MAX_SCROLLBACK", 1000)
    for i in range(500):
        c.print(f"line {i}")
    text = c.text
    assert len(text) <= 1000 and text.endswith("line 499\n") and text.startswith("line ")
    assert len(c._chunks) < 500  # compacted as it goes


def test_submit_event_and_callback(ui: Recorder) -> None:
    seen = []
    c = sidekick.Console(instance_id="c", show_input=True)

    @c.submit
    def got(e: ConsoleSubmitEvent) -> int:
        seen.append(e)
        return 7

    assert submit(c, "hi") == 7
    assert seen == [ConsoleSubmitEvent("c", "submit", "hi")]
    c.on_submit(None)
    assert submit(c, "again") is None


def test_input_blocks_until_submit_and_echoes(ui: Recorder) -> None:
    c = sidekick.Console(instance_id="c", show_input=True)
    ui.take()
    result = []
    t = threading.Thread(target=lambda: result.append(c.input("Name? ")))
    t.start()
    time.sleep(0.1)
    assert result == []
    submit(c, "Ada")
    t.join(2)
    assert result == ["Ada"]
    assert ui.take() == [
        update("console", "c", "append", {"text": "Name? "}),
        update("console", "c", "append", {"text": "Ada\n"}),
    ]


def test_input_turns_on_the_input_line_in_place(ui: Recorder) -> None:
    first = sidekick.Label("before", instance_id="a")
    c = sidekick.Console(text="out\n", instance_id="c")
    sidekick.Label("after", instance_id="b")
    ui.take()
    threading.Timer(0.1, lambda: submit(c, "x")).start()
    assert c.input() == "x"
    assert c.show_input
    messages = ui.take()
    assert messages[:3] == [
        {"id": 0, "component": "console", "type": "remove", "target": "c"},
        spawn("console", "c", {"showInput": True, "text": "out\n"}),
        update("console", "c", "changeParent", {"parent": "root", "insertBefore": "b"}),
    ]
    ui.assert_replay_matches()
    assert [cid for cid, _ in ui.live_model().snapshot()] == ["a", "c", "b"]
    assert first.text == "before"


def test_input_in_a_container_keeps_its_place(ui: Recorder) -> None:
    c = sidekick.Console(instance_id="c")
    last = sidekick.Label("z", instance_id="z")
    sidekick.Column(c, last, instance_id="col")
    threading.Timer(0.1, lambda: submit(c, "ok")).start()
    assert c.input() == "ok"
    ui.assert_replay_matches()
    (col,) = ui.live_model().snapshot()
    assert [cid for cid, _ in col[1]["children"]] == ["c", "z"]


def test_typeahead_is_kept_once_input_was_used(ui: Recorder) -> None:
    c = sidekick.Console(instance_id="c", show_input=True)
    submit(c, "ignored")  # input() never used yet: only on_submit sees it
    threading.Timer(0.05, lambda: submit(c, "first")).start()
    assert c.input() == "first"
    submit(c, "second")
    submit(c, "third")
    assert c.input() == "second"
    assert c.input() == "third"


def test_input_from_callback_thread_raises(ui: Recorder) -> None:
    c = sidekick.Console(instance_id="c", show_input=True)
    errors = []

    def run() -> None:
        callbacks_module._local.active = True
        try:
            c.input()
        except SidekickError as exc:
            errors.append(exc)

    t = threading.Thread(target=run)
    t.start()
    t.join(2)
    assert errors and "callback" in str(errors[0])


def test_input_in_pyodide_raises(ui: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console_module, "IN_PYODIDE", True)
    c = sidekick.Console(instance_id="c", show_input=True)
    with pytest.raises(SidekickError, match="on_submit"):
        c.input()


def test_input_ends_with_eof_on_shutdown_and_error_on_remove(ui: Recorder) -> None:
    c = sidekick.Console(instance_id="c", show_input=True)
    out = []

    def run() -> None:
        try:
            c.input()
        except BaseException as exc:  # noqa: BLE001
            out.append(exc)

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.05)
    c.remove()
    t.join(2)
    assert isinstance(out[0], SidekickError)

    c2 = sidekick.Console(instance_id="c2", show_input=True)
    out.clear()
    t = threading.Thread(target=lambda: out.append(pytest.raises(EOFError, c2.input)))
    t.start()
    time.sleep(0.05)
    ui.service.state = "shutdown"
    t.join(2)
    assert out


# ---------------------------------------------------------------- capture


def appended(messages: list) -> str:
    return "".join(
        m["payload"]["options"]["text"] for m in messages if m["payload"].get("action") == "append"
    )


def test_capture_context_manager_mirrors_and_restores(
    ui: Recorder, capsys: pytest.CaptureFixture
) -> None:
    c = sidekick.Console(instance_id="c")
    ui.take()
    before = sys.stdout, sys.stderr
    with c.capture():
        print("to both")
        print("err", file=sys.stderr)
    assert (sys.stdout, sys.stderr) == before
    print("after")
    out, err = capsys.readouterr()
    assert out == "to both\nafter\n" and err == "err\n"
    assert appended(ui.take()) == "to both\nerr\n"


def test_capture_persistent_until_stop(ui: Recorder, capsys: pytest.CaptureFixture) -> None:
    c = sidekick.Console(instance_id="c")
    cap = c.capture(stderr=False)
    try:
        print("one")
        sys.stderr.write("not captured\n")
        assert cap.active
    finally:
        cap.stop()
    cap.stop()  # idempotent
    assert not cap.active
    print("two")
    assert appended(ui.take()) == "one\n"


def test_capture_logging(ui: Recorder, capsys: pytest.CaptureFixture) -> None:
    c = sidekick.Console(instance_id="c")
    log = logging.getLogger("sidekick-test-capture")
    with c.capture(stdout=False, stderr=False, logging=True):
        log.warning("careful %s", 1)
        log.debug("too low")
    log.warning("not captured")
    assert appended(ui.take()) == "WARNING:sidekick-test-capture:careful 1\n"


def test_capture_never_recurses_and_never_raises(
    ui: Recorder, capsys: pytest.CaptureFixture
) -> None:
    c = sidekick.Console(instance_id="c")
    ui.take()

    # The library writing to stderr while appending must not loop.
    original_append = c._append

    def noisy_append(text: str, activate: bool = True) -> None:
        sys.stderr.write("library noise\n")
        original_append(text, activate)

    c._append = noisy_append  # type: ignore[method-assign]
    with c.capture():
        print("hello")
    assert appended(ui.take()) == "hello\n"
    assert "library noise" in capsys.readouterr().err

    c._append = original_append  # type: ignore[method-assign]
    with c.capture():
        print("lone surrogate \udc80 is fine for the terminal?", file=io.StringIO())
        c.remove()
        print("after removal")  # the console is gone: the program goes on
    assert "after removal" in capsys.readouterr().out


def test_capture_from_many_threads(ui: Recorder, capsys: pytest.CaptureFixture) -> None:
    c = sidekick.Console(instance_id="c")
    ui.take()
    with c.capture():
        threads = [threading.Thread(target=lambda i=i: print(f"t{i}")) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    text = appended(ui.take())
    assert sorted(line for line in text.split("\n") if line) == sorted(f"t{i}" for i in range(8))


def test_nested_captures_on_two_consoles(ui: Recorder, capsys: pytest.CaptureFixture) -> None:
    a = sidekick.Console(instance_id="a")
    b = sidekick.Console(instance_id="b")
    ui.take()
    with a.capture(stderr=False), b.capture(stderr=False):
        print("both")
    print("none")
    texts: dict = {}
    for m in ui.take():
        texts[m["target"]] = texts.get(m["target"], "") + m["payload"]["options"]["text"]
    assert texts == {"a": "both\n", "b": "both\n"}


def test_input_async_waits_for_a_line_and_echoes_it(ui: Recorder) -> None:
    """The Pyodide form of input(): same prologue, polls instead of blocking."""
    c = sidekick.Console(instance_id="c")

    async def main() -> str:
        task = asyncio.ensure_future(c._input_async("? "))
        await asyncio.sleep(0.05)
        assert not task.done()
        submit(c, "hi")
        return await asyncio.wait_for(task, 2)

    assert asyncio.run(main()) == "hi"
    assert c.show_input
    assert c.text == "? hi\n"


def test_input_async_raises_once_removed(ui: Recorder) -> None:
    c = sidekick.Console(instance_id="c", show_input=True)

    async def main() -> None:
        task = asyncio.ensure_future(c._input_async(""))
        await asyncio.sleep(0.05)
        c.remove()
        await asyncio.wait_for(task, 2)

    with pytest.raises(SidekickError, match="removed"):
        asyncio.run(main())

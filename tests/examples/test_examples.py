"""Every example runs as a real script against a real `sidekick serve`, with a
scripted UI peer: it renders, reacts to events, and exits cleanly."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import uuid
from typing import Any, Callable, Dict, Iterator, List

import pytest

from tests.support.peers import UIPeer
from tests.support.procs import ROOT, Server, base_env
from tests.support.uimodel import UIModel

EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    s = Server().start()
    yield s
    s.stop()


class Run:
    """One example process plus a UI peer in its own session."""

    def __init__(self, server: Server, name: str) -> None:
        session = "ex-" + uuid.uuid4().hex[:12]
        url = f"{server.ws_url}?session={session}"
        self.ui = UIPeer(server.ws_url, session=session)
        self.proc = subprocess.Popen(
            [sys.executable, str(EXAMPLES / name)],
            env=base_env(SIDEKICK_URL=url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def model(self) -> UIModel:
        with self.ui._cond:
            messages = [m for m in self.ui.messages if m.get("component") != "system"]
        return UIModel().apply_all(messages)

    def wait(self, predicate: Callable[[UIModel], Any], what: str, timeout: float = 15) -> None:
        def check(_: UIPeer) -> bool:
            try:
                return bool(predicate(self.model()))
            except (KeyError, IndexError, StopIteration, AttributeError, TypeError):
                return False

        try:
            self.ui.wait_for(check, timeout=timeout, what=what)
        except AssertionError:
            if self.proc.poll() is not None:
                raise AssertionError(f"{what}: script exited: {self.proc.stderr.read()}") from None  # type: ignore[union-attr]
            raise

    def updates(self, action: str) -> List[Dict[str, Any]]:
        with self.ui._cond:
            return [
                m["payload"].get("options", {})
                for m in self.ui.messages
                if m.get("type") == "update" and m["payload"].get("action") == action
            ]

    def event(self, component: str, src: str, payload: Dict[str, Any]) -> None:
        self.ui.event(component, src, payload)

    def interrupt(self) -> None:
        """Ctrl+C: the script ends promptly with status 130, and without a traceback."""
        self.proc.send_signal(signal.SIGINT)
        _, err = self.proc.communicate(timeout=10)
        assert self.proc.returncode == 130, err
        assert "Traceback" not in err, err

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate(timeout=5)
        self.ui.close()


@pytest.fixture
def run(server: Server) -> Iterator[Callable[[str], Run]]:
    runs: List[Run] = []

    def start(name: str) -> Run:
        r = Run(server, name)
        runs.append(r)
        return r

    yield start
    for r in runs:
        r.close()


def of_type(model: UIModel, kind: str) -> List[str]:
    return [cid for cid, s in model.components.items() if s["type"] == kind]


def text_of(model: UIModel, cid: str) -> Any:
    return model.components[cid].get("text")


def test_color_grid(run: Callable[[str], Run]) -> None:
    r = run("color_grid.py")
    r.wait(lambda m: of_type(m, "grid") and of_type(m, "label"), "grid and label")
    r.event("grid", "grid-1", {"event": "click", "x": 3, "y": 4})
    r.event("grid", "grid-1", {"event": "click", "x": 3, "y": 4})
    r.wait(lambda m: m.components["grid-1"]["colors"].get((3, 4)) == "#fb5607", "second color")
    r.wait(lambda m: text_of(m, "label-1").startswith("2 clicks"), "click count")
    r.interrupt()


def test_game_of_life(run: Callable[[str], Run]) -> None:
    r = run("game_of_life.py")
    r.wait(lambda m: of_type(m, "grid"), "grid")
    r.wait(
        lambda m: int(re.match(r"Generation (\d+)", text_of(m, "label-1")).group(1)) >= 3,  # type: ignore[union-attr]
        "three generations",
    )
    r.event("button", "button-1", {"event": "click"})  # pause
    r.wait(lambda m: text_of(m, "button-1") == "Start", "paused")
    r.interrupt()


def test_bouncing_ball(run: Callable[[str], Run]) -> None:
    r = run("bouncing_ball.py")
    r.wait(lambda m: len(r.updates("drawBuffer")) >= 5, "five frames")
    model = r.model()
    screen = model.components["canvas-1"]["buffers"][0]
    assert [action for action, _ in screen] == ["drawRect", "drawEllipse", "drawCircle"]
    assert any(isinstance(o.get("cx"), float) for _, o in screen)  # floats kept
    r.event("canvas", "canvas-1", {"event": "click", "x": 100, "y": 50})
    r.wait(lambda m: text_of(m, "label-1") == "Moved to (100, 50)", "click moved the ball")
    r.interrupt()


def test_analog_clock(run: Callable[[str], Run]) -> None:
    r = run("analog_clock.py")
    r.wait(lambda m: re.fullmatch(r"\d\d:\d\d:\d\d", text_of(m, "label-1") or ""), "time")
    r.wait(lambda m: len(r.updates("drawBuffer")) >= 2, "two frames")
    screen = r.model().components["canvas-1"]["buffers"][0]
    assert len(screen) > 60  # face, 60 ticks, hands
    r.interrupt()


def test_tower_of_hanoi(run: Callable[[str], Run]) -> None:
    r = run("tower_of_hanoi.py")
    r.wait(lambda m: "pegs" in m.components["viz-1"]["variables"], "pegs shown")
    r.event("button", "button-1", {"event": "click"})  # one step: disk 1 from A to B
    r.wait(lambda m: text_of(m, "label-1") == "Moved disk 1 from A to B", "first move")
    paths = [o.get("path") for o in r.updates("append")]
    assert ["B", 0] in paths  # the nested ObservableValue's change, with its full path

    def peg(m: UIModel, name: str) -> List[Any]:
        pairs = m.components["viz-1"]["variables"]["pegs"]["value"]
        node = next(p["value"] for p in pairs if p["key"]["value"] == name)
        return [item["value"] for item in node["value"]]

    r.wait(lambda m: peg(m, "A") == [4, 3, 2] and peg(m, "B") == [1], "viz shows the move")
    r.event("button", "button-2", {"event": "click"})  # run the rest
    r.wait(lambda m: text_of(m, "label-1") == "Solved!", "solved", timeout=30)
    model = r.model()
    assert peg(model, "C") == [4, 3, 2, 1] and peg(model, "A") == []
    r.interrupt()


def test_console_echo(run: Callable[[str], Run]) -> None:
    r = run("console_echo.py")
    r.wait(lambda m: text_of(m, "console-1").endswith("What is your name? "), "prompt")
    assert r.model().components["console-1"]["showInput"] is True
    r.event("console", "console-1", {"event": "submit", "value": "Ada"})
    r.wait(lambda m: "Hello, Ada!\n> " in text_of(m, "console-1"), "greeting and next prompt")
    r.event("console", "console-1", {"event": "submit", "value": "hi there"})
    r.wait(lambda m: "echo: hi there (8 characters)" in text_of(m, "console-1"), "echo")
    r.event("console", "console-1", {"event": "submit", "value": "quit"})
    out, err = r.proc.communicate(timeout=10)
    assert r.proc.returncode == 0, err
    assert "Hello, Ada!" in out and "Bye!" in out  # still printed to the terminal


def test_layout_tour(run: Callable[[str], Run]) -> None:
    r = run("layout_tour.py")
    kinds = {
        "markdown",
        "textbox",
        "button",
        "console",
        "label",
        "grid",
        "canvas",
        "row",
        "column",
        "viz",
    }
    r.wait(lambda m: kinds <= {s["type"] for s in m.components.values()}, "every component")
    r.wait(lambda m: "state" in m.components["viz-1"]["variables"], "viz state")
    r.event("grid", "grid-1", {"event": "click", "x": 1, "y": 2})
    r.wait(lambda m: m.components["grid-1"]["colors"].get((1, 2)) == "#3a86ff", "grid click")
    r.event("button", "button-1", {"event": "click"})
    r.wait(lambda m: any(text_of(m, c) == "Hello, stranger!" for c in of_type(m, "label")), "greet")
    r.wait(lambda m: "WARNING:tour:greeted stranger" in text_of(m, "console-1"), "log captured")
    r.event("console", "console-1", {"event": "submit", "value": "yo"})
    r.wait(lambda m: "you typed: yo" in text_of(m, "console-1"), "console line")
    r.interrupt()


def test_demo(run: Callable[[str], Run]) -> None:
    r = run("demo.py")
    r.wait(lambda m: of_type(m, "grid"), "grid")
    r.event("grid", "grid-1", {"event": "click", "x": 0, "y": 0})
    r.wait(lambda m: text_of(m, "label-1") == "1 cells painted", "painted")
    r.interrupt()


def test_every_example_is_tested() -> None:
    tested = {
        "color_grid.py",
        "game_of_life.py",
        "bouncing_ball.py",
        "analog_clock.py",
        "tower_of_hanoi.py",
        "console_echo.py",
        "layout_tour.py",
        "demo.py",
    }
    assert {p.name for p in EXAMPLES.glob("*.py")} == tested
    time.sleep(0)

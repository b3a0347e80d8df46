"""A 0.0.7-style script in a real subprocess, a real `sidekick serve`, a scripted UI.

Runs on every interpreter of the matrix (CPython 3.9 and 3.13 in CI).
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.support.peers import UIPeer
from tests.support.procs import Server, free_port, start_script, write_script

LABEL_BUTTON = """
import sidekick

count = 0
label = sidekick.Label("clicks: 0")
button = sidekick.Button("Click me")

@button.click
def clicked(event):
    global count
    count += 1
    label.text = f"clicks: {count}"
    if count == 3:
        print("stopping", flush=True)
        sidekick.shutdown()

sidekick.run_forever()
print("after run_forever", flush=True)
"""


def label_text(ui: UIPeer) -> object:
    labels = [s for s in ui.model.components.values() if s["type"] == "label"]
    return labels[0].get("text") if labels else None


def test_clicks_reach_callbacks_and_shutdown_exits(
    tmp_path: Path, server: Server, python: str
) -> None:
    ui = UIPeer(server.ws_url)
    proc = start_script(write_script(tmp_path, LABEL_BUTTON), server.ws_url, python)
    try:
        ui.wait_for(lambda u: "button-1" in u.model.components, what="button spawn")
        for n in (1, 2, 3):
            ui.event("button", "button-1", {"event": "click"})
            ui.wait_for(lambda u, n=n: label_text(u) == f"clicks: {n}", what=f"label {n}")
        out, err = proc.communicate(timeout=5)
        assert proc.returncode == 0, err
        assert "stopping" in out and "after run_forever" in out
        ui.wait_for(lambda u: not u.heroes, what="hero offline announce")
    finally:
        proc.kill()
        ui.close()


def test_ctrl_c_exits_130_promptly(tmp_path: Path, server: Server, python: str) -> None:
    ui = UIPeer(server.ws_url)
    proc = start_script(write_script(tmp_path, LABEL_BUTTON), server.ws_url, python)
    try:
        ui.wait_for(lambda u: "button-1" in u.model.components, what="button spawn")
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=5)  # bounded, not timed: a hang fails here
        assert proc.returncode == 130
        ui.wait_for(lambda u: not u.heroes, what="hero offline")
    finally:
        proc.kill()
        ui.close()


def test_script_end_without_run_forever_delivers_everything(
    tmp_path: Path, server: Server, python: str
) -> None:
    ui = UIPeer(server.ws_url)
    script = write_script(
        tmp_path,
        """
        import sidekick
        label = sidekick.Label("start")
        for i in range(3000):
            label.text = f"n={i}"
        """,
    )
    proc = start_script(script, server.ws_url, python)
    try:
        proc.communicate(timeout=15)
        assert proc.returncode == 0
        ui.wait_for(lambda u: label_text(u) == "n=2999", timeout=5, what="final label")
    finally:
        proc.kill()
        ui.close()


def test_no_server_gives_clear_error_and_nonzero_exit(tmp_path: Path, python: str) -> None:
    url = f"ws://127.0.0.1:{free_port()}"
    script = write_script(
        tmp_path, "import sidekick\nsidekick.Label('hi')\nprint('end of script')\n"
    )
    proc = start_script(script, url, python)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode != 0
    assert "end of script" in out
    assert "could not connect" in err and url in err
    assert "Traceback" not in err

    script = write_script(
        tmp_path, "import sidekick\nsidekick.Label('hi')\nsidekick.run_forever()\n", "rf.py"
    )
    proc = start_script(script, url, python)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 1
    assert "SidekickConnectionRefusedError" in err


def test_relay_killed_and_restarted_mid_run(tmp_path: Path, python: str) -> None:
    server = Server(port=free_port()).start()
    script = write_script(
        tmp_path,
        """
        import sys, sidekick
        label = sidekick.Label("start")
        button = sidekick.Button("next")
        step = 0

        @button.click
        def clicked(event):
            global step
            step += 1
            label.text = f"step {step}"

        sidekick.run_forever()
        """,
    )
    proc = start_script(script, server.ws_url, python)
    ui = UIPeer(server.ws_url)
    try:
        ui.wait_for(lambda u: "button-1" in u.model.components, what="spawn")
        ui.event("button", "button-1", {"event": "click"})
        ui.wait_for(lambda u: label_text(u) == "step 1", what="step 1")
        server.kill()
        ui.close()
        time.sleep(0.3)
        server.start()
        ui = UIPeer(server.ws_url)
        # The hero reconnects by itself (backoff 0.5 s, 1 s, ...) and replays.
        ui.wait_for(
            lambda u: label_text(u) == "step 1" and "button-1" in u.model.components,
            timeout=15,
            what="replay after restart",
        )
        ui.event("button", "button-1", {"event": "click"})
        ui.wait_for(lambda u: label_text(u) == "step 2", what="step 2 after restart")
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=5)
        assert proc.returncode == 130
    finally:
        proc.kill()
        ui.close()
        server.stop()


def test_sys_exit_in_callback_ends_with_its_status(
    tmp_path: Path, server: Server, python: str
) -> None:
    ui = UIPeer(server.ws_url)
    script = write_script(
        tmp_path,
        """
        import sys, sidekick
        button = sidekick.Button("quit", on_click=lambda e: sys.exit(3))
        sidekick.run_forever()
        """,
    )
    proc = start_script(script, server.ws_url, python)
    try:
        ui.wait_for(lambda u: "button-1" in u.model.components, what="button spawn")
        ui.event("button", "button-1", {"event": "click"})
        _, err = proc.communicate(timeout=5)
        assert proc.returncode == 3, err
        assert "Traceback" not in err
    finally:
        proc.kill()
        ui.close()

"""With no server anywhere, a script starts the embedded one and prints the UI URL."""

from __future__ import annotations

import re
import signal
import socket
import urllib.request
from pathlib import Path

import pytest

from tests.support.peers import UIPeer
from tests.support.procs import start_script, write_script


def _port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_embedded_server_serves_ui_and_relay(tmp_path: Path) -> None:
    if _port_in_use(5163):
        pytest.skip("a server already runs on 5163: the script would use it, not the embedded one")
    script = write_script(
        tmp_path,
        """
        import sidekick
        button = sidekick.Button("hello")
        label = sidekick.Label("waiting")
        button.on_click(lambda e: setattr(label, "text", "clicked"))
        sidekick.run_forever()
        """,
    )
    proc = start_script(script, None)
    ui = None
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        match = re.search(r"Sidekick UI: (http://127\.0\.0\.1:(\d+)/\S*)", line)
        assert match, line
        url, port = match.group(1), match.group(2)
        assert line.rstrip().endswith("(open it in your browser)"), line  # never opened in tests
        with urllib.request.urlopen(url, timeout=5) as page:
            assert page.status == 200 and b"<html" in page.read().lower()
        ui = UIPeer(f"ws://127.0.0.1:{port}")
        ui.wait_for(lambda u: "button-1" in u.model.components, what="button spawn")
        ui.event("button", "button-1", {"event": "click"})
        ui.wait_for(lambda u: u.model.texts().get("label-1") == "clicked", what="label update")
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=5)
        assert proc.returncode == 130
    finally:
        if ui is not None:
            ui.close()
        proc.kill()
        proc.wait(5)


def test_cloud_relay_prints_the_session_page(tmp_path: Path) -> None:
    """SIDEKICK_CLOUD_URL: a fresh unguessable session, and its page URL printed."""
    if _port_in_use(5163):
        pytest.skip("a server already runs on 5163: the script would use it, not the relay")
    from tests.support.procs import Server

    relay = Server().start()
    script = write_script(
        tmp_path,
        "import sidekick\nsidekick.Label('via relay')\nsidekick.wait_for_connection(10)\n",
    )
    proc = start_script(script, None, SIDEKICK_CLOUD_URL=relay.ws_url)
    ui = None
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        prefix = f"Sidekick UI: http://127.0.0.1:{relay.port}/session/"
        assert line.startswith(prefix), line
        session = line[len(prefix) :].split()[0]
        assert len(session) >= 22  # 128 bits or more, URL-safe base64
        ui = UIPeer(relay.ws_url, session=session)
        ui.wait_for(lambda u: u.model.texts().get("label-1") == "via relay", what="label")
        proc.communicate(timeout=10)
        assert proc.returncode == 0
    finally:
        if ui is not None:
            ui.close()
        proc.kill()
        proc.wait(5)
        relay.stop()

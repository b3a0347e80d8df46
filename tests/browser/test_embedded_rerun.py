"""The first-run path: no server anywhere, the script embeds one; a tab left
open picks up the next run of the script by itself."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.procs import start_script, write_script

pytestmark = pytest.mark.browser

SCRIPT = """
import sidekick
sidekick.Label({text!r})
sidekick.run_forever()
"""


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate(timeout=5)


def test_open_tab_reconnects_to_the_next_run(context: Any, tmp_path: Path) -> None:
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", 5163)) == 0:
            pytest.skip("a server already listens on 5163; the embedded one would not start")
    first = start_script(write_script(tmp_path, SCRIPT.format(text="run 1"), "one.py"), None)
    page = context.new_page()
    try:
        assert first.stderr is not None
        line = first.stderr.readline()
        match = re.search(r"Sidekick UI: (http://127\.0\.0\.1:5163/)", line)
        assert match, line
        page.goto(match.group(1))
        page.wait_for_selector("[data-sidekick-type=label]:has-text('run 1')")
        _stop(first)
        # The server lived in the script: the page says so and keeps the picture.
        page.wait_for_selector("html[data-sidekick-status=disconnected]")
        assert page.text_content("[data-sidekick-type=label]") == "run 1"

        second = start_script(write_script(tmp_path, SCRIPT.format(text="run 2"), "two.py"), None)
        try:
            page.wait_for_selector("[data-sidekick-type=label]:has-text('run 2')", timeout=20_000)
            page.wait_for_selector("html[data-sidekick-status=connected]")
            assert page.locator("[data-sidekick-type=label]").count() == 1
        finally:
            _stop(second)
    finally:
        first.kill()
        page.close()

"""Security, end to end, against a real `sidekick serve` on 127.0.0.1.

Threat model (docs/reliability.md): web pages the user visits (cross-site
WebSocket, DNS rebinding), other sessions on the same server, peers without
the token, requests for files outside the UI, and secrets leaking into logs.
"""

from __future__ import annotations

import contextlib
import hmac
import http.server
import inspect
import json
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator, List, Optional, Tuple

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from sidekick.connector import new_session_id
from sidekick.server import security
from tests.support.peers import UIPeer, announce
from tests.support.procs import ROOT, Server, base_env, free_port, start_script, write_script

from ._util import Lines, stop

SECRET = "tok-" + secrets.token_urlsafe(18)
TIMEOUT = 10.0


# ----------------------------------------------------------------- helpers


def raw_http(port: int, request: bytes) -> Tuple[int, bytes]:
    """Send ``request`` as is (no client-side normalization); return status and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
            if data.startswith(b"HTTP/1.1 101"):
                break
    head, _, body = data.partition(b"\r\n\r\n")
    match = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    assert match, data[:200]
    return int(match.group(1)), body


def get(port: int, target: str, host: Optional[str] = None) -> Tuple[int, bytes]:
    host = f"127.0.0.1:{port}" if host is None else host
    return raw_http(port, f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())


def upgrade(
    port: int, target: str = "/", host: Optional[str] = None, origin: Optional[str] = None
) -> int:
    host = f"127.0.0.1:{port}" if host is None else host
    lines = [
        f"GET {target} HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
    ]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    return raw_http(port, ("\r\n".join(lines) + "\r\n\r\n").encode())[0]


def sidekick_run(script: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``sidekick run --no-open --no-wait`` on a free port, to completion."""
    return subprocess.run(
        [sys.executable, "-m", "sidekick", "run", "--port", str(free_port()), *options]
        + ["--no-open", "--no-wait", str(script)],
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(ROOT),
    )


def ws_status(url: str) -> int:
    """101 when the WebSocket opens, else the HTTP status of the refusal."""
    try:
        with connect(url, open_timeout=TIMEOUT):
            return 101
    except InvalidStatus as exc:
        return exc.response.status_code


class Recorder:
    """A raw peer recording every frame it receives (for leak checks)."""

    def __init__(self, url: str, peer_id: str, role: str) -> None:
        self.frames: List[str] = []
        self.ws = connect(url, open_timeout=TIMEOUT).__enter__()
        threading.Thread(target=self._read, daemon=True).start()
        self.ws.send(json.dumps(announce(peer_id, role)))

    def _read(self) -> None:
        try:
            for frame in self.ws:
                self.frames.append(str(frame))
        except Exception:
            pass

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def token_server() -> Iterator[Tuple[Server, Lines]]:
    server = Server(args=["--token", SECRET, "-v"]).start()
    lines = server.log
    try:
        yield server, lines
    finally:
        server.stop()


# ------------------------------------------------------------------- token


def test_token_missing_or_wrong_is_refused(token_server: Tuple[Server, Lines]) -> None:
    server, _ = token_server
    base = server.ws_url + "/"
    for query in [
        "",
        "?session=s",
        "?token=",
        "?token=wrong",
        "?token=" + SECRET[:-1],
        "?token=" + SECRET + "x",
        "?token=" + SECRET.upper(),
        "?TOKEN=" + SECRET,
        "?tok=" + SECRET,
        "?token=wrong&token=" + SECRET,
    ]:
        assert ws_status(base + query) == 403, query
    assert ws_status(base + "?token=" + SECRET) == 101
    assert ws_status(base + "?session=s&token=" + SECRET) == 101


def test_token_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[Tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(security.hmac, "compare_digest", spy)
    policy = security.AccessPolicy(bind_host="127.0.0.1", port=1, token=SECRET)
    assert policy.token_problem("token=" + SECRET) is None
    assert policy.token_problem("token=nope") == "invalid token"
    assert calls == [(SECRET.encode(), SECRET.encode()), (b"nope", SECRET.encode())]
    # No early-exit comparison anywhere on the token path.
    source = inspect.getsource(security.AccessPolicy.token_problem)
    assert "compare_digest" in source and "==" not in source


def test_page_with_the_token_in_its_url_works(token_server: Tuple[Server, Lines]) -> None:
    """The UI URL printed for the user carries the token; without it the
    page cannot attach."""
    from ._browser import BrowserThread, require_chromium

    require_chromium()
    server, lines = token_server
    printed = lines.wait("Sidekick UI: ")
    url = printed.split(": ", 1)[1].strip()
    assert url == f"http://127.0.0.1:{server.port}/?token={SECRET}"
    bt = BrowserThread()
    try:
        good = bt.open(url, "waiting")
        bad = bt.open(f"http://127.0.0.1:{server.port}/")
        time.sleep(1.0)
        status = bt.call(bad.evaluate, "() => document.documentElement.dataset.sidekickStatus")
        assert status in ("connecting", "disconnected"), status
        bt.call(good.close)
        bt.call(bad.close)
    finally:
        bt.close()


# --------------------------------------------------------- host and origin


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1.evil.example:{port}",
        "localhost.evil.example:{port}",
        "127.0.0.1:{other}",
        "localhost:{other}",
        "",
        "127.0.0.1:{port}@evil.example",
    ],
)
def test_dns_rebinding_host_headers_are_refused(server: Server, host: str) -> None:
    value = host.format(port=server.port, other=server.port + 1)
    assert get(server.port, "/", host=value)[0] == 403
    assert get(server.port, "/healthz", host=value)[0] == 403
    assert upgrade(server.port, host=value) == 403


def test_own_host_names_are_accepted(server: Server) -> None:
    for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}"):
        assert get(server.port, "/healthz", host=host)[0] == 200
        assert upgrade(server.port, host=host) == 101
        assert upgrade(server.port, host=host, origin=f"http://{host}") == 101


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "https://evil.example",
        "http://127.0.0.1:{other}",
        "http://localhost:{other}",
        "http://127.0.0.1:{port}.evil.example",
        "null",
        "file://",
        "https://127.0.0.1:{port}",
        "chrome-extension://abcdef",
    ],
)
def test_foreign_origins_are_refused(server: Server, origin: str) -> None:
    value = origin.format(port=server.port, other=server.port + 1)
    assert upgrade(server.port, origin=value) == 403


class _Attacker:
    """A web page on another origin (another port of 127.0.0.1)."""

    def __init__(self, html: str, host: str = "127.0.0.1") -> None:
        body = html.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://{host}:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


ATTACK_PAGE = """<!doctype html><meta charset="utf-8"><title>evil</title><script>
window.result = null; window.received = []; window.fetched = null;
const ws = new WebSocket(%(ws)s);
let opened = false;
ws.onopen = () => {
  opened = true;
  ws.send(JSON.stringify({id: 0, component: "system", type: "announce", payload:
    {peerId: "evil", role: "sidekick", status: "online", version: "x", timestamp: 0}}));
  ws.send(JSON.stringify({id: 0, component: "button", type: "event", src: "button-1",
    payload: {event: "click"}}));
};
ws.onmessage = (e) => window.received.push(String(e.data));
ws.onclose = (e) => { window.result = {opened: opened, code: e.code}; };
fetch(%(http)s).then((r) => r.text()).then(
  (t) => { window.fetched = "read: " + t; },
  (e) => { window.fetched = "blocked: " + e; });
</script>"""


def _attack(bt: Any, attacker: _Attacker) -> Tuple[Any, Any, List[str]]:
    def run() -> Tuple[Any, Any, List[str]]:
        page = bt.context.new_page()
        try:
            page.goto(attacker.url)
            page.wait_for_function("() => window.result !== null && window.fetched !== null")
            return page.evaluate("() => [window.result, window.fetched, window.received]")
        finally:
            page.close()

    return bt.call(run)  # type: ignore[no-any-return]


@contextlib.contextmanager
def _attack_scene(
    server: Server, host: str, browser_args: Optional[List[str]] = None
) -> Iterator[Tuple[Any, Recorder, _Attacker]]:
    """A hero in session ``victim``, an attack page served as ``host`` aiming
    at that session, and Chromium; all closed afterwards."""
    from ._browser import BrowserThread, require_chromium

    require_chromium()
    hero = Recorder(server.ws_url + "/?session=victim", "hero-victim", "hero")
    attacker = _Attacker(
        ATTACK_PAGE
        % {
            "ws": json.dumps(f"ws://{host}:{server.port}/?session=victim"),
            "http": json.dumps(f"http://{host}:{server.port}/healthz"),
        },
        host=host,
    )
    bt = None
    try:
        bt = BrowserThread(browser_args)
        yield bt, hero, attacker
    finally:
        if bt is not None:
            bt.close()
        attacker.close()
        hero.close()


def _hero_heard_only_the_real_ui(bt: Any, server: Server, hero: Recorder) -> None:
    """Positive control and barrier: the server's own page attaches to the
    victim's session. Once the hero hears that UI, anything of the attack that
    got through would have reached it before; nothing did."""
    assert hero.frames == [], hero.frames
    page = bt.open(f"http://127.0.0.1:{server.port}/session/victim", "connected")
    bt.call(page.close)
    deadline = time.monotonic() + TIMEOUT
    while not any('"sidekick"' in frame for frame in hero.frames):
        assert time.monotonic() < deadline, f"the hero never heard the real UI: {hero.frames}"
        time.sleep(0.05)
    for frame in hero.frames:
        assert "evil" not in frame and '"event"' not in frame, frame


@pytest.mark.browser
def test_cross_site_websocket_from_chromium_is_refused(server: Server) -> None:
    """A page on another origin tries to attach to a session and click: the
    server refuses the handshake and the hero hears nothing of it."""
    with _attack_scene(server, "127.0.0.1") as (bt, hero, attacker):
        result, fetched, received = _attack(bt, attacker)
        assert result == {"opened": False, "code": 1006}, result
        assert received == []
        # The page can send a request but cannot read the answer (no CORS).
        assert fetched.startswith("blocked"), fetched
        _hero_heard_only_the_real_ui(bt, server, hero)


@pytest.mark.browser
def test_dns_rebinding_from_chromium_is_refused(server: Server) -> None:
    """``rebind.test`` resolves to 127.0.0.1 (as after a DNS rebinding): the
    browser reaches our port under a foreign name and gets nothing."""
    rule = ["--host-resolver-rules=MAP rebind.test 127.0.0.1"]
    with _attack_scene(server, "rebind.test", rule) as (bt, hero, attacker):

        def visit() -> Tuple[int, str]:
            page = bt.context.new_page()
            try:
                response = page.goto(f"http://rebind.test:{server.port}/session/victim")
                return response.status, page.content()
            finally:
                page.close()

        status, content = bt.call(visit)
        assert status == 403 and "data-sidekick" not in content and "<script" not in content
        result, fetched, received = _attack(bt, attacker)
        assert result["opened"] is False and received == []
        assert fetched.startswith("blocked"), fetched
        _hero_heard_only_the_real_ui(bt, server, hero)


# ------------------------------------------------------------------ sessions


def test_session_ids_are_unguessable(tmp_path: Path) -> None:
    ids = {new_session_id() for _ in range(2000)}
    assert len(ids) == 2000
    for value in ids:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", value), value  # 24 random bytes: 192 bits
    # `sidekick run` makes one per run: at least 128 bits as well.
    script = write_script(tmp_path, "print('ran')\n", "quick.py")
    proc = sidekick_run(script)
    assert proc.returncode == 0, proc.stderr
    match = re.search(r"/session/([A-Za-z0-9_%-]+)", proc.stderr)
    assert match, proc.stderr
    assert len(match.group(1)) >= 22  # token_urlsafe(16): 128 bits


ISOLATED_HERO = """
import sidekick

label = sidekick.Label("secret picture of session B")

button = sidekick.Button("press")

@button.click
def clicked(event):
    print("CLICKED", flush=True)

sidekick.run_forever()
"""


def test_peers_of_another_session_can_neither_read_nor_inject(
    tmp_path: Path, server: Server
) -> None:
    url_b = server.ws_url + "/?session=B-" + new_session_id()
    proc = start_script(write_script(tmp_path, ISOLATED_HERO), url_b)
    lines = Lines(proc)
    intruders = [
        Recorder(server.ws_url + "/", "intruder-default", "sidekick"),
        Recorder(server.ws_url + "/?session=A", "intruder-a", "sidekick"),
        Recorder(
            server.ws_url + "/?session=" + url_b.split("=", 1)[1].lower(), "i-lower", "sidekick"
        ),
        Recorder(
            server.ws_url + "/?session=A&session=" + url_b.split("=", 1)[1], "i-two", "sidekick"
        ),
        Recorder(server.ws_url + "/?session=A", "intruder-hero", "hero"),
    ]
    ui = None
    try:
        # The session's own UI sees the picture: B's hero is attached before
        # the intruders try.
        ui = UIPeer(url_b)
        ui.wait_for(lambda u: "button-1" in u.model.components, what="B's picture")
        for intruder in intruders:
            for src in ("button-1", "label-1"):
                intruder.ws.send(
                    json.dumps(
                        {
                            "id": 0,
                            "component": "button",
                            "type": "event",
                            "src": src,
                            "payload": {"event": "click"},
                        }
                    )
                )
        # Positive control: the session's own UI clicks.
        ui.event("button", "button-1", {"event": "click"})
        lines.wait("CLICKED")
        time.sleep(0.5)
        assert [line for line in lines.lines if line == "CLICKED"] == ["CLICKED"]
        for intruder in intruders:
            for frame in intruder.frames:
                # Nothing of B: not its picture, not its hero's announce.
                assert "secret picture" not in frame and '"spawn"' not in frame, frame
                assert '"peerId":"hero-' not in frame.replace(" ", ""), frame
    finally:
        stop(proc)
        for intruder in intruders:
            intruder.close()
        if ui is not None:
            ui.close()


# ------------------------------------------------------------ static files


@pytest.mark.parametrize(
    "target",
    [
        "/static/../../../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/static/%252e%252e/%252e%252e/etc/passwd",
        "/static/....//....//....//etc/passwd",
        "/static/..\\..\\..\\..\\etc\\passwd",
        "/static//etc/passwd",
        "/static/./../server/security.py",
        "/static/../security.py",
        "/static/%2e%2e/security.py",
        "/static/.hidden",
        "/static/app.js%00.png",
        "/../../../../etc/passwd",
        "/session/../../etc/passwd",
        "/session/x/../../static/../../security.py",
        "http://127.0.0.1/static/../../etc/passwd",
        "//etc/passwd",
    ],
)
def test_static_server_refuses_path_traversal(server: Server, target: str) -> None:
    status, body = get(server.port, target)
    assert status in (400, 403, 404), (target, status)
    assert b"root:" not in body and b"AccessPolicy" not in body and b"import" not in body


def test_static_files_still_served(server: Server) -> None:
    status, body = get(server.port, "/")
    assert status == 200 and b"<html" in body.lower()


# ------------------------------------------------------------------ secrets


def test_no_secret_is_printed_except_in_the_ui_url(
    tmp_path: Path, token_server: Tuple[Server, Lines]
) -> None:
    """The server prints the token only inside the UI URL meant for the user;
    a hero given a URL with the token never prints it, also when the server
    goes away or cannot be reached."""
    server, server_lines = token_server
    ws = f"{server.ws_url}/?session=s1&token={SECRET}"
    # Refused and accepted connections of every kind, with verbose logging on.
    ws_status(server.ws_url + "/?token=wrong-" + SECRET)
    ws_status(server.ws_url + "/?token=" + SECRET[:-2])
    upgrade(server.port, "/?token=" + SECRET, origin="http://evil.example")
    upgrade(server.port, "/?token=" + SECRET, host="evil.example")
    get(server.port, "/session/s1?token=" + SECRET)
    ui = UIPeer(ws)
    hero = start_script(
        write_script(tmp_path, "import sidekick\nsidekick.Label('x')\nsidekick.run_forever()\n"),
        ws,
    )
    try:
        ui.wait_for(lambda u: "label-1" in u.model.components, what="the hero's label")
        ui.close()
        server.kill()  # the hero now reports the lost connection, and retries
        time.sleep(2.0)
        hero.send_signal(signal.SIGINT)
        out, err = hero.communicate(timeout=10)
        assert "lost the connection" in err, err
        assert SECRET not in out + err, err
    finally:
        stop(hero)
    # Nothing listening at all: the connection error names the server, not the token.
    gone = f"ws://127.0.0.1:{free_port()}/?token={SECRET}"
    proc = start_script(
        write_script(tmp_path, "import sidekick\nsidekick.Label('x')\n", "n.py"), gone
    )
    out, err = proc.communicate(timeout=30)
    assert proc.returncode != 0 and "could not connect" in err, err
    assert SECRET not in out + err, err

    server_lines.wait("<eof>")  # the killed server's output, all of it
    leaking = [line for line in server_lines.lines if SECRET in line]
    assert leaking and all(line.startswith("Sidekick UI: http://") for line in leaking), leaking


def test_sidekick_run_prints_the_token_only_in_the_ui_url(tmp_path: Path) -> None:
    script = write_script(
        tmp_path,
        "import sidekick\nsidekick.Label('x')\nsidekick.flush(timeout=5)\nprint('script done')\n",
        "run_me.py",
    )
    proc = sidekick_run(script, "--token", SECRET)
    output = proc.stdout + proc.stderr
    leaking = [line for line in output.splitlines() if SECRET in line]
    assert leaking and all(
        re.match(r"sidekick: UI for run_me\.py.*: http://", x) for x in leaking
    ), output


def test_urls_in_messages_hide_the_token_and_password() -> None:
    from sidekick.transport.websocket import display_url

    assert display_url("ws://127.0.0.1:5163") == "ws://127.0.0.1:5163"
    assert display_url("ws://h/?session=s") == "ws://h/?session=s"
    assert SECRET not in display_url(f"ws://h/?session=s&token={SECRET}")
    assert "session=s" in display_url(f"ws://h/?session=s&token={SECRET}")
    assert SECRET not in display_url(f"wss://user:{SECRET}@h/")
    assert SECRET not in display_url(f"ws://h/?tok%65n={SECRET}")  # the server decodes names

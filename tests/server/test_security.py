"""Host, Origin and token checks, end to end and on the policy itself."""

from __future__ import annotations

from typing import Callable, Optional

import pytest
from sidekick_server_testutil import ServerThread, raw_http, run, ws_url
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from sidekick.server.security import AccessPolicy, is_loopback_host, parse_host_header


def ws_status(url: str, **kwargs: object) -> int:
    """101 when the handshake succeeds, else the HTTP status of the refusal."""

    async def attempt() -> int:
        try:
            async with connect(url, open_timeout=5, **kwargs):  # type: ignore[arg-type]
                return 101
        except InvalidStatus as exc:
            return exc.response.status_code

    return run(attempt())


def origin_status(port: int, origin: Optional[str], **kwargs: object) -> int:
    headers = {} if origin is None else {"Origin": origin}
    return ws_status(ws_url(port), additional_headers=headers, **kwargs)


HANDSHAKE = {
    "Upgrade": "websocket",
    "Connection": "Upgrade",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
}


# -- Origin -------------------------------------------------------------------


def test_origins(server_factory: Callable[..., ServerThread]) -> None:
    srv = server_factory(allow_origins=["https://Example.com/"])
    port = srv.port
    assert origin_status(port, None) == 101  # heroes, editor extensions
    assert origin_status(port, f"http://127.0.0.1:{port}") == 101
    assert origin_status(port, f"http://localhost:{port}") == 101
    assert origin_status(port, f"http://[::1]:{port}") == 101
    assert origin_status(port, "vscode-webview://1a2b3c") == 101
    assert origin_status(port, "https://example.com") == 101  # allow-listed
    assert origin_status(port, "http://evil.example") == 403
    assert origin_status(port, f"http://evil.example:{port}") == 403
    assert origin_status(port, f"http://127.0.0.1:{port + 1}") == 403
    assert origin_status(port, f"https://127.0.0.1:{port}") == 403
    assert origin_status(port, "https://example.com.evil.example") == 403
    assert origin_status(port, "null") == 403
    assert origin_status(port, "file://") == 403


def test_refusal_says_why(server: ServerThread) -> None:
    headers = dict(HANDSHAKE, Origin="http://evil.example")
    status, _, body = raw_http(server.port, "/", headers=headers)
    assert status == 403
    assert b"origin not allowed" in body


# -- Host ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:{port}", True),
        ("localhost:{port}", True),
        ("LOCALHOST:{port}", True),
        ("[::1]:{port}", True),
        ("evil.example:{port}", False),
        ("evil.example", False),
        ("127.0.0.1", False),
        ("127.0.0.1:1", False),
        ("192.168.1.20:{port}", False),  # loopback bind: not one of our names
        ("localhost.:{port}", False),
        ("user@localhost:{port}", False),
    ],
)
def test_host_header_must_name_the_server(server: ServerThread, host: str, allowed: bool) -> None:
    status, _, _ = raw_http(server.port, "/healthz", host=host.format(port=server.port))
    assert status == (200 if allowed else 403)


def test_missing_host_header_is_refused(server: ServerThread) -> None:
    status, _, _ = raw_http(server.port, "/healthz", omit_host=True)
    assert status in (400, 403)


def test_websocket_host_is_checked_too(server: ServerThread) -> None:
    assert raw_http(server.port, "/", headers=HANDSHAKE)[0] == 101
    host = f"evil.example:{server.port}"
    assert raw_http(server.port, "/", host=host, headers=HANDSHAKE)[0] == 403


def test_repeated_host_or_origin_is_refused(server: ServerThread) -> None:
    headers = {"Host": f"127.0.0.1:{server.port}"}
    assert ws_status(ws_url(server.port), additional_headers=headers) == 403
    own = f"http://127.0.0.1:{server.port}"
    twice = [("Origin", own), ("Origin", own)]
    assert ws_status(ws_url(server.port), additional_headers=twice) == 403


def test_extra_hosts(server_factory: Callable[..., ServerThread]) -> None:
    srv = server_factory(extra_hosts=["box.lan", "proxy.example:443"])
    assert raw_http(srv.port, "/healthz", host="box.lan")[0] == 200
    assert raw_http(srv.port, "/healthz", host="box.lan:8080")[0] == 200
    assert raw_http(srv.port, "/healthz", host="proxy.example:443")[0] == 200
    assert raw_http(srv.port, "/healthz", host="proxy.example")[0] == 403


# -- token --------------------------------------------------------------------


def test_token_required_when_given(server_factory: Callable[..., ServerThread]) -> None:
    srv = server_factory(token="s3cret")
    assert ws_status(ws_url(srv.port)) == 403
    assert ws_status(ws_url(srv.port, token="wrong")) == 403
    assert ws_status(ws_url(srv.port, token="")) == 403
    assert ws_status(ws_url(srv.port, "sess", token="s3cret")) == 101
    # The page itself loads without the token; it reads it from its own URL.
    assert raw_http(srv.port, "/session/sess")[0] == 200
    assert srv.server.ui_url("sess").endswith("/session/sess?token=s3cret")
    assert "token=s3cret" in srv.server.ws_url


def test_token_is_generated_beyond_loopback(server_factory: Callable[..., ServerThread]) -> None:
    srv = server_factory(host="0.0.0.0")
    token = srv.server.token
    assert token and len(token) >= 40
    assert ws_status(ws_url(srv.port)) == 403
    assert ws_status(ws_url(srv.port, token=token)) == 101
    assert srv.server.ui_url() == f"http://127.0.0.1:{srv.port}/?token={token}"
    # Reached through one of the machine's addresses: an IP literal is fine,
    # an unknown host name (DNS rebinding) is not.
    assert raw_http(srv.port, "/healthz", host=f"192.168.1.20:{srv.port}")[0] == 200
    assert raw_http(srv.port, "/healthz", host=f"evil.example:{srv.port}")[0] == 403


# -- the policy on its own ----------------------------------------------------


def test_parse_host_header() -> None:
    assert parse_host_header("LocalHost:80") == ("localhost", 80)
    assert parse_host_header("[::1]:5163") == ("::1", 5163)
    assert parse_host_header("[::1]") == ("::1", None)
    assert parse_host_header("example.com") == ("example.com", None)
    for bad in ("", ":80", "a:b", "a:99999", "a:0", "[::1", "[x]:1", "a b", "a/b", "a:1:2"):
        assert parse_host_header(bad) is None, bad


def test_loopback_detection() -> None:
    assert is_loopback_host("127.0.0.1") and is_loopback_host("::1")
    assert is_loopback_host("localhost") and is_loopback_host("127.5.0.1")
    assert not is_loopback_host("0.0.0.0") and not is_loopback_host("")
    assert not is_loopback_host("192.168.1.2") and not is_loopback_host(None)


def test_policy_token_comparison() -> None:
    policy = AccessPolicy(bind_host="127.0.0.1", port=1, token="abc")
    assert policy.token_problem("token=abc&session=x") is None
    assert policy.token_problem("session=x") == "token required"
    assert policy.token_problem("token=abd") == "invalid token"
    assert AccessPolicy(bind_host="127.0.0.1", port=1).token_problem("") is None


def test_bad_extra_host_is_rejected() -> None:
    with pytest.raises(ValueError):
        AccessPolicy(bind_host="127.0.0.1", port=1, extra_hosts=["bad host"])

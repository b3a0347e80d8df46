"""HTTP routes: the UI page, static files, traversal attempts, /healthz."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest
from sidekick_server_testutil import ServerThread, raw_http

from sidekick._version import __version__

FILES = {
    "index.html": b"<!doctype html><title>UI</title><script src='/static/app.js'></script>",
    "app.js": b"console.log('ui')",
    "app.css": b"body{}",
    "icon.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    "logo.png": b"\x89PNG\r\n\x1a\n",
    "mod.wasm": b"\x00asm\x01\x00\x00\x00",
    "data.json": b"{}",
    "app.js.map": b"{}",
    "blob.bin": b"\x00\x01",
}


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "static"
    folder.mkdir()
    for name, body in FILES.items():
        (folder / name).write_bytes(body)
    (folder / "assets").mkdir()
    (folder / "assets" / "chunk.js").write_bytes(b"export {}")
    (folder / ".secret").write_bytes(b"hidden")
    (tmp_path / "outside.txt").write_bytes(b"TOP SECRET")
    (folder / "link.txt").symlink_to(tmp_path / "outside.txt")
    return folder


@pytest.fixture
def ui_server(server_factory: Callable[..., ServerThread], static_dir: Path) -> ServerThread:
    return server_factory(static_dir=static_dir)


@pytest.mark.parametrize("path", ["/", "/session/abc123", "/session/abc123/", "/?token=x"])
def test_ui_page_is_served_with_security_headers(ui_server: ServerThread, path: str) -> None:
    status, headers, body = raw_http(ui_server.port, path)
    assert status == 200
    assert body == FILES["index.html"]
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    csp = headers["content-security-policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script_src and "unsafe-inline" not in script_src
    assert f"ws://127.0.0.1:{ui_server.port}" in csp
    assert int(headers["content-length"]) == len(body)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("app.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
        ("icon.svg", "image/svg+xml"),
        ("logo.png", "image/png"),
        ("mod.wasm", "application/wasm"),
        ("data.json", "application/json"),
        ("app.js.map", "application/json"),
        ("blob.bin", "application/octet-stream"),
        ("assets/chunk.js", "text/javascript; charset=utf-8"),
    ],
)
def test_static_files_have_their_content_types(
    ui_server: ServerThread, name: str, content_type: str
) -> None:
    status, headers, body = raw_http(ui_server.port, f"/static/{name}")
    assert status == 200
    assert headers["content-type"] == content_type
    assert headers["x-content-type-options"] == "nosniff"
    expected = FILES.get(name, b"export {}")
    assert body == expected


@pytest.mark.parametrize(
    "path",
    [
        "/static/../outside.txt",
        "/static/assets/../../outside.txt",
        "/static/%2e%2e/outside.txt",
        "/static/%2E%2E/outside.txt",
        "/static/..%2foutside.txt",
        "/static/..%5coutside.txt",
        "/static/..\\outside.txt",
        "/static/assets\\..\\..\\outside.txt",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/C:/Windows/win.ini",
        "/static/.secret",
        "/static/./app.js",
        "/static/link.txt",
        "/static/",
        "/static/assets",
        "/static/missing.js",
        "/static/app.js%00.png",
        "/nothing",
        "/session/",
        "/session/a/b",
        "/index.html",
    ],
)
def test_everything_else_is_not_found(ui_server: ServerThread, path: str) -> None:
    status, _, body = raw_http(ui_server.port, path)
    assert status in (400, 404)
    assert b"SECRET" not in body and b"hidden" not in body and b"root:" not in body


def test_healthz(server: ServerThread) -> None:
    status, headers, body = raw_http(server.port, "/healthz")
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"ok": True, "name": "sidekick", "version": __version__}


def test_placeholder_page_when_the_ui_is_not_built(
    server_factory: Callable[..., ServerThread], tmp_path: Path
) -> None:
    srv = server_factory(static_dir=tmp_path / "empty")
    status, headers, body = raw_http(srv.port, "/session/x")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    assert b"Sidekick" in body and b"<script" not in body


def test_routes_can_be_added(ui_server: ServerThread, static_dir: Path) -> None:
    (static_dir / "playground.html").write_bytes(b"<title>play</title>")
    ui_server.server.router.add_page("/playground", "playground.html")
    status, _, body = raw_http(ui_server.port, "/playground")
    assert (status, body) == (200, b"<title>play</title>")


def test_plain_http_to_the_websocket_endpoint_is_not_an_upgrade(server: ServerThread) -> None:
    status, _, _ = raw_http(server.port, "/?session=abc")
    assert status == 200  # the UI page, not a handshake error

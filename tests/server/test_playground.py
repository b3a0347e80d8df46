"""The optional /playground routes (``sidekick serve --pyodide PATH``)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Callable

import pytest
from sidekick_server_testutil import ServerThread, raw_http

from sidekick.server.playground import (
    PYODIDE_FILES,
    add_to_server,
    build_sidekick_zip,
    find_pyodide_dir,
)


@pytest.fixture
def pyodide_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "node_modules" / "pyodide"
    folder.mkdir(parents=True)
    for name in PYODIDE_FILES:
        (folder / name).write_bytes(name.encode())
    (tmp_path / "secret.txt").write_bytes(b"TOP SECRET")
    return folder


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "static"
    (folder / "playground").mkdir(parents=True)
    (folder / "playground" / "index.html").write_bytes(b"<title>playground</title>")
    (folder / "playground" / "worker.js").write_bytes(b"// worker")
    return folder


def test_find_pyodide_dir(pyodide_dir: Path, tmp_path: Path) -> None:
    assert find_pyodide_dir(pyodide_dir) == pyodide_dir.resolve()
    assert find_pyodide_dir(tmp_path) == pyodide_dir.resolve()  # via node_modules/pyodide
    with pytest.raises(ValueError, match="not a Pyodide distribution"):
        find_pyodide_dir(tmp_path / "static")


def test_playground_routes(
    server_factory: Callable[..., ServerThread], pyodide_dir: Path, static_dir: Path
) -> None:
    srv = server_factory(static_dir=static_dir)
    assert raw_http(srv.port, "/playground")[0] == 404  # not installed by default
    url = add_to_server(srv.server, pyodide_dir)
    assert url == f"http://127.0.0.1:{srv.port}/playground"
    for path in ("/playground", "/playground/"):
        status, headers, body = raw_http(srv.port, path)
        assert (status, body) == (200, b"<title>playground</title>")
        assert "wasm-unsafe-eval" in headers["content-security-policy"]
    status, headers, body = raw_http(srv.port, "/playground/worker.js")
    assert (status, body) == (200, b"// worker")
    assert headers["content-type"] == "text/javascript; charset=utf-8"
    status, headers, body = raw_http(srv.port, "/playground/pyodide/pyodide.asm.wasm")
    assert (status, headers["content-type"], body) == (200, "application/wasm", b"pyodide.asm.wasm")
    status, headers, body = raw_http(srv.port, "/playground/sidekick.zip")
    assert status == 200 and headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert "sidekick/__init__.py" in names
    assert not any(n.startswith("sidekick/server/") for n in names)
    for bad in (
        "/playground/pyodide/../secret.txt",
        "/playground/pyodide/%2e%2e/secret.txt",
        "/playground/../static/playground/index.html",
        "/playground/pyodide/",
        "/playground/nothing.js",
    ):
        status, _, body = raw_http(srv.port, bad)
        assert status == 404, bad
        assert b"SECRET" not in body


def test_sidekick_zip_is_deterministic() -> None:
    assert build_sidekick_zip() == build_sidekick_zip()

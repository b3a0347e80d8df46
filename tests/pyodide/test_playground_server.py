"""The playground's routes without a browser or Node: what is served, and
what is not (nothing outside its folders)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from sidekick.server.playground import (
    PYODIDE_FILES,
    build_sidekick_zip,
    find_pyodide_dir,
    install_playground,
)
from sidekick.server.routes import Router


@pytest.fixture
def fake_pyodide(tmp_path: Path) -> Path:
    folder = tmp_path / "project" / "node_modules" / "pyodide"
    folder.mkdir(parents=True)
    for name in PYODIDE_FILES:
        (folder / name).write_bytes(b"x" + name.encode())
    (tmp_path / "project" / "secret.txt").write_text("no")
    return folder


def test_finds_pyodide_in_the_folder_or_its_node_modules(fake_pyodide: Path) -> None:
    assert find_pyodide_dir(fake_pyodide) == fake_pyodide.resolve()
    assert find_pyodide_dir(fake_pyodide.parent.parent) == fake_pyodide.resolve()


def test_a_folder_without_pyodide_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a Pyodide distribution.*pyodide.asm.wasm"):
        find_pyodide_dir(tmp_path)


def test_the_library_zip_has_the_package_without_its_server() -> None:
    names = set(zipfile.ZipFile(io.BytesIO(build_sidekick_zip())).namelist())
    assert "sidekick/__init__.py" in names
    assert "sidekick/transport/pyodide.py" in names
    assert "sidekick/components/grid.py" in names
    assert not any(name.startswith("sidekick/server/") for name in names)
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    pytest.importorskip("typing_extensions")
    assert "typing_extensions.py" in names


def test_routes_serve_pyodide_files_and_nothing_else(fake_pyodide: Path) -> None:
    router = Router()
    install_playground(router, fake_pyodide)

    def get(path: str) -> tuple:
        response = router.handle(path, "", "127.0.0.1:5163")
        return response.status_code, response.headers.get("Content-Type"), response.body

    status, content_type, body = get("/playground/pyodide/pyodide.asm.wasm")
    assert (status, content_type, body) == (200, "application/wasm", b"xpyodide.asm.wasm")
    assert get("/playground/pyodide/pyodide.mjs")[1].startswith("text/javascript")
    for path in [
        "/playground/pyodide/../secret.txt",
        "/playground/pyodide/..%2Fsecret.txt",
        "/playground/pyodide/%2e%2e/secret.txt",
        "/playground/pyodide/",
        "/playground/pyodide/.hidden",
        "/playground/pyodide/sub/pyodide.mjs",
        "/playground/../static/app.js",
    ]:
        assert get(path)[0] == 404, path
    status, content_type, body = get("/playground/sidekick.zip")
    assert status == 200 and content_type == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
    status, content_type, body = get("/playground")
    assert status == 200 and content_type.startswith("text/html")
    assert b"playground" in body
    # The page's CSP allows compiling WebAssembly but not eval().
    csp = router.handle("/playground", "", "127.0.0.1:5163").headers["Content-Security-Policy"]
    assert "'wasm-unsafe-eval'" in csp and "'unsafe-eval'" not in csp.replace("wasm-unsafe", "")

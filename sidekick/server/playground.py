"""The playground page: edit a script, run it in Pyodide in the browser.

``sidekick serve --pyodide PATH`` adds these routes (``PATH`` is a folder
with Pyodide's files, e.g. the npm ``pyodide`` package, or a folder whose
``node_modules/pyodide`` is one):

* ``/playground``: the page (built from ``pyodide/playground/`` of the
  repository into ``static/playground/``);
* ``/playground/<file>``: its script, styles and Web Worker;
* ``/playground/pyodide/<file>``: Pyodide's own files, from ``PATH``;
* ``/playground/sidekick.zip``: this very ``sidekick`` package (without the
  server, which Pyodide cannot run) plus ``typing_extensions``, unpacked
  into the worker's site-packages.

Everything is read-only and served like the UI's static files: one path
segment of safe characters, no way out of its folder.
"""

from __future__ import annotations

import importlib.util
import io
import threading
import zipfile
from pathlib import Path
from typing import Any, Optional, Union
from urllib.parse import urlsplit, urlunsplit

from websockets.http11 import Response

from .routes import Router, RouteRequest, file_response, make_response, text_response

__all__ = [
    "install_playground",
    "add_to_server",
    "find_pyodide_dir",
    "build_sidekick_zip",
    "PYODIDE_FILES",
]

#: Files a folder must hold to be a usable Pyodide distribution.
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the sidekick package
_SKIP_DIRS = {"server", "__pycache__"}  # no sockets or servers in a page

_MISSING_PAGE = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sidekick playground</title></head>
<body><h1>Sidekick playground</h1>
<p>The playground page has not been built into
<code>sidekick/server/static/playground/</code>
(run <code>npm run build:playground</code> in <code>pyodide/</code>).</p></body></html>
"""


def find_pyodide_dir(path: Union[str, Path]) -> Path:
    """The folder holding Pyodide's files: ``path`` or its ``node_modules/pyodide``.

    Raises ``ValueError`` naming what is missing.
    """
    base = Path(path).expanduser().resolve()
    for candidate in (base, base / "node_modules" / "pyodide"):
        if all((candidate / name).is_file() for name in PYODIDE_FILES):
            return candidate
    missing = [name for name in PYODIDE_FILES if not (base / name).is_file()]
    raise ValueError(
        f"{path} is not a Pyodide distribution (missing {', '.join(missing)}); pass the "
        "folder of the npm `pyodide` package, e.g. pyodide/node_modules/pyodide after "
        "`npm ci` in the repository's pyodide/ folder"
    )


def build_sidekick_zip(package_dir: Path = _PACKAGE_DIR) -> bytes:
    """A zip of the ``sidekick`` package for Pyodide, plus ``typing_extensions``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def add(path: Path, name: str) -> None:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())

        root = package_dir.parent
        for path in sorted(package_dir.rglob("*")):
            relative = path.relative_to(package_dir)
            if any(part in _SKIP_DIRS for part in relative.parts[:-1]):
                continue
            if path.is_file() and (path.suffix == ".py" or path.name == "py.typed"):
                add(path, path.relative_to(root).as_posix())
        spec = importlib.util.find_spec("typing_extensions")
        origin = spec.origin if spec is not None else None
        if origin and origin.endswith(".py"):
            add(Path(origin), "typing_extensions.py")
    return buffer.getvalue()


class _Playground:
    def __init__(self, pyodide_dir: Path, static_dir: Path) -> None:
        self.pyodide_dir = pyodide_dir.resolve()
        self.page_dir = (static_dir / "playground").resolve()
        self._zip: Optional[bytes] = None
        self._zip_lock = threading.Lock()

    @staticmethod
    def _file(request: RouteRequest, folder: Path, name: str, cache: str) -> Response:
        # One file directly in the folder: these routes have no subfolders.
        if "/" in name:
            return text_response(404, "not found", request.host)
        return file_response(request, folder, name, cache)

    def asset(self, request: RouteRequest) -> Response:
        return self._file(request, self.page_dir, request.path[len("/playground/") :], "no-cache")

    def pyodide(self, request: RouteRequest) -> Response:
        name = request.path[len("/playground/pyodide/") :]
        # Pyodide's files do not change while we serve them; they are large.
        return self._file(request, self.pyodide_dir, name, "public, max-age=3600")

    def sidekick_zip(self, request: RouteRequest) -> Response:
        with self._zip_lock:
            if self._zip is None:
                self._zip = build_sidekick_zip()
            body = self._zip
        return make_response(200, body, "application/zip", host=request.host)


def install_playground(router: Router, pyodide_path: Union[str, Path]) -> Path:
    """Add the playground's routes to ``router``; returns Pyodide's folder.

    Raises ``ValueError`` when ``pyodide_path`` holds no Pyodide.
    """
    pyodide_dir = find_pyodide_dir(pyodide_path)
    playground = _Playground(pyodide_dir, router.static_dir)
    for path in ("/playground", "/playground/"):
        router.add_page(path, "playground/index.html", _MISSING_PAGE)
    router.add("/playground/sidekick.zip", playground.sidekick_zip)
    router.add_prefix("/playground/pyodide/", playground.pyodide)
    router.add_prefix("/playground/", playground.asset)
    return pyodide_dir


def add_to_server(server: Any, pyodide_path: Union[str, Path]) -> str:
    """Serve the playground from a running server; returns the page's URL.

    Raises ``ValueError`` when ``pyodide_path`` holds no Pyodide.
    """
    install_playground(server.router, pyodide_path)
    # The page talks to no socket, so the UI URL's token is not needed.
    parts = urlsplit(server.ui_url())
    return urlunsplit((parts.scheme, parts.netloc, "/playground", "", ""))

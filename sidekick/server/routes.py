"""HTTP side of the server: the UI page, its static files and ``/healthz``.

Routes are a small table (exact paths and path prefixes) so a new page such as
``/playground`` is one :meth:`Router.add_page` call. Every response closes
the connection: the UI is a handful of files and the server's job is the
WebSocket relay, so keep-alive would buy nothing.
"""

from __future__ import annotations

import email.utils
import json
import re
from http import HTTPStatus
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from websockets.datastructures import Headers
from websockets.http11 import Response

__all__ = [
    "CONTENT_TYPES",
    "DEFAULT_STATIC_DIR",
    "PLACEHOLDER_PAGE",
    "RouteRequest",
    "Router",
    "content_type_for",
    "file_response",
    "make_response",
    "resolve_under",
    "text_response",
]

#: Where the built browser UI lives inside the package.
DEFAULT_STATIC_DIR = Path(__file__).resolve().parent / "static"

CONTENT_TYPES: Dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".wasm": "application/wasm",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".py": "text/plain; charset=utf-8",
}

PLACEHOLDER_PAGE = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sidekick</title></head>
<body><h1>Sidekick</h1>
<p>The server is running, but its browser UI has not been built into
<code>sidekick/server/static/</code>.</p></body></html>
"""

# One path segment of a static file: no leading dot (so no "." or ".." and no
# dotfiles), no separators, no percent-escapes. Anything else is a 404.
_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*\Z")


class RouteRequest:
    """What a route handler sees: the path (without query) and the query."""

    __slots__ = ("host", "path", "query")

    def __init__(self, path: str, query: str, host: str) -> None:
        self.path = path
        self.query = query
        #: The request's (already validated) ``Host`` header.
        self.host = host


Handler = Callable[[RouteRequest], Response]


def content_type_for(name: str) -> str:
    """The ``Content-Type`` for a file name, by extension."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return CONTENT_TYPES.get(suffix, "application/octet-stream")


def _csp(host: str) -> str:
    # The UI's own scripts and styles only; its socket goes back to the host
    # it was loaded from. 'wasm-unsafe-eval' lets a Pyodide page compile
    # WebAssembly without allowing eval() of strings.
    return (
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
        "img-src 'self' data: blob:; font-src 'self'; "
        f"connect-src 'self' ws://{host} wss://{host}; "
        "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'self' vscode-webview:"
    )


def make_response(
    status: int,
    body: bytes,
    content_type: str,
    *,
    host: str = "localhost",
    cache: str = "no-cache",
    extra_headers: Optional[List[Tuple[str, str]]] = None,
) -> Response:
    """Build a complete response carrying the security headers."""
    code = HTTPStatus(status)
    headers = Headers(
        [
            ("Date", email.utils.formatdate(usegmt=True)),
            ("Connection", "close"),
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", cache),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("Content-Security-Policy", _csp(host)),
            ("Cross-Origin-Resource-Policy", "same-origin"),
        ]
    )
    for key, value in extra_headers or ():
        headers[key] = value
    return Response(code.value, code.phrase, headers, body)


def text_response(status: int, message: str, host: str) -> Response:
    """A short plain-text answer such as ``404 not found`` or a refusal's reason."""
    return make_response(status, (message + "\n").encode(), "text/plain; charset=utf-8", host=host)


def resolve_under(folder: Path, relative: str) -> Optional[Path]:
    """The file under ``folder`` (already resolved) named by ``relative``, or ``None``.

    Rejects anything that could step outside the folder: ``..``, escapes
    such as ``%2e%2e``, backslashes, absolute paths and symlinks leading
    out.
    """
    segments = relative.split("/")
    if not all(_SAFE_SEGMENT.match(segment) for segment in segments):
        return None
    try:
        resolved = folder.joinpath(*segments).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_file():
        return None
    try:
        resolved.relative_to(folder)
    except ValueError:
        return None
    return resolved


def file_response(
    request: RouteRequest, folder: Path, relative: str, cache: str = "no-cache"
) -> Response:
    """Serve the file ``relative`` under ``folder`` (see :func:`resolve_under`), or 404."""
    path = resolve_under(folder, relative)
    if path is None:
        return text_response(404, "not found", request.host)
    try:
        body = path.read_bytes()
    except OSError:
        return text_response(404, "not found", request.host)
    return make_response(200, body, content_type_for(path.name), host=request.host, cache=cache)


class Router:
    """Map request paths to handlers; knows the pages the package ships."""

    def __init__(self, static_dir: Optional[Path] = None, *, version: str = "") -> None:
        self.static_dir = (static_dir or DEFAULT_STATIC_DIR).resolve()
        self.version = version
        self._exact: Dict[str, Handler] = {}
        self._prefixes: List[Tuple[str, Handler]] = []
        self.add("/", self._index)
        self.add("/healthz", self._healthz)
        self.add_prefix("/session/", self._session_page)
        self.add_prefix("/static/", self._static)

    def add(self, path: str, handler: Handler) -> None:
        """Serve ``path`` exactly with ``handler``."""
        self._exact[path] = handler

    def add_prefix(self, prefix: str, handler: Handler) -> None:
        """Serve every path starting with ``prefix`` (ending in ``/``) with ``handler``."""
        self._prefixes.append((prefix, handler))
        # Longest prefix first, so nested prefixes win over their parents.
        self._prefixes.sort(key=lambda item: -len(item[0]))

    def add_page(self, path: str, file_name: str, placeholder: bytes = PLACEHOLDER_PAGE) -> None:
        """Serve the static HTML file ``file_name`` at ``path``."""
        self.add(path, lambda request: self._page(request, file_name, placeholder))

    def handle(self, path: str, query: str, host: str) -> Response:
        """Answer one GET request for ``path`` (already split from its query)."""
        request = RouteRequest(path, query, host)
        handler = self._exact.get(path)
        if handler is None:
            for prefix, candidate in self._prefixes:
                if path.startswith(prefix):
                    handler = candidate
                    break
        if handler is None:
            return text_response(404, "not found", host)
        return handler(request)

    # -- built-in routes ---------------------------------------------------

    def _page(self, request: RouteRequest, file_name: str, placeholder: bytes) -> Response:
        try:
            body = (self.static_dir / file_name).read_bytes()
        except OSError:
            body = placeholder
        return make_response(200, body, CONTENT_TYPES[".html"], host=request.host)

    def _index(self, request: RouteRequest) -> Response:
        return self._page(request, "index.html", PLACEHOLDER_PAGE)

    def _session_page(self, request: RouteRequest) -> Response:
        session = request.path[len("/session/") :]
        if session.endswith("/"):
            session = session[:-1]
        if not session or "/" in session:
            return text_response(404, "not found", request.host)
        return self._index(request)

    def _healthz(self, request: RouteRequest) -> Response:
        body = json.dumps({"ok": True, "name": "sidekick", "version": self.version}).encode()
        return make_response(200, body, "application/json", host=request.host, cache="no-store")

    def _static(self, request: RouteRequest) -> Response:
        return file_response(request, self.static_dir, request.path[len("/static/") :])

"""Where the library runs: CPython with threads, or Pyodide in a page."""

from __future__ import annotations

import sys

__all__ = ["IN_PYODIDE"]

#: True only inside Pyodide (Emscripten). A ``pyodide`` helper package that
#: happens to be installed on CPython must not make us think we are in a page.
IN_PYODIDE: bool = sys.platform == "emscripten"

"""The ``sidekick`` command line: ``sidekick serve`` and ``sidekick run``.

Exit statuses:

* ``serve``: 130 after Ctrl+C (SIGINT), as Python itself does; 0 after
  SIGTERM (a supervisor asked for a normal stop); 1 when it cannot listen.
* ``run``: the script's own exit status (128+N when signal N killed it),
  also when Ctrl+C ends the serving that follows the script; 1 when the
  server cannot start, 2 when the script does not exist.

Importing this module loads only argparse; the server (and asyncio) load
when a command runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence

__all__ = ["main"]

EXIT_SIGINT = 130


def _build_parser() -> argparse.ArgumentParser:
    from ._version import __version__

    parser = argparse.ArgumentParser(
        prog="sidekick",
        description="Sidekick: turn a Python script into a live UI in the browser.",
    )
    parser.add_argument("--version", action="version", version=f"sidekick {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
        sub.add_argument("--port", type=int, default=5163, help="port (default 5163)")
        sub.add_argument(
            "--token",
            help="require this token from every peer (always required, and generated "
            "when not given, if --host is not a loopback address)",
        )
        sub.add_argument(
            "--allow-origin",
            action="append",
            default=[],
            metavar="ORIGIN",
            help="also accept browser connections from ORIGIN (repeatable)",
        )
        sub.add_argument(
            "--allow-host",
            action="append",
            default=[],
            metavar="NAME",
            help="also accept requests addressed to host NAME or NAME:PORT (repeatable)",
        )
        sub.add_argument("-v", "--verbose", action="store_true", help="log connections")

    serve = commands.add_parser("serve", help="run the relay and UI server until Ctrl+C")
    common(serve)
    serve.add_argument("--open", action="store_true", help="open the UI in a browser")
    serve.add_argument(
        "--pyodide",
        metavar="PATH",
        help="also serve /playground, running scripts in the browser with the Pyodide "
        "found in PATH (e.g. the npm pyodide package folder)",
    )

    run = commands.add_parser(
        "run",
        help="run a script with its own UI session, then keep serving until Ctrl+C",
    )
    common(run)
    run.add_argument("--no-open", action="store_true", help="do not open a browser")
    run.add_argument(
        "--no-wait",
        action="store_true",
        help="stop serving as soon as the script exits",
    )
    run.add_argument("script", help="the Python script to run")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``sidekick`` console script; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    _configure_logging(args.verbose)
    import asyncio

    from .server.commands import run_script, serve

    common = {
        "host": args.host,
        "port": args.port,
        "token": args.token,
        "allow_origins": args.allow_origin,
        "extra_hosts": args.allow_host,
    }
    try:
        if args.command == "serve":
            return asyncio.run(serve(open_ui=args.open, pyodide=args.pyodide, **common))
        return asyncio.run(
            run_script(
                args.script,
                args.args,
                open_ui=not args.no_open,
                wait_after=not args.no_wait,
                **common,
            )
        )
    except KeyboardInterrupt:  # where the loop cannot handle signals (Windows)
        return EXIT_SIGINT


def _configure_logging(verbose: bool) -> None:
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("sidekick: %(message)s"))
    root = logging.getLogger("sidekick")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    if not verbose:
        # websockets reports each handshake failure (port scans, aborted
        # page loads) at INFO/ERROR; the relay's own warnings are enough.
        logging.getLogger("sidekick.server.websockets").setLevel(logging.CRITICAL)

"""Load test of one `sidekick serve`: many active sessions plus many idle ones.

    python tests/reliability/load.py                      # 100 active + 1,000 idle
    python tests/reliability/load.py --active 20 --idle 200 --seconds 3 --json

Each active session has a hero peer and a UI peer on their own connections.
The hero sends updates (label ``setText``) carrying the session id, a sequence
number and a send timestamp; the UI checks that every update is its own
session's, in order and without gaps, measures the latency, and answers every
tenth with a click event that the hero checks likewise. Each idle session is a
hero and a UI that announced themselves and then stay quiet.

Two phases: *latency* (each hero sends ``--rate`` updates per second, p50/p99
latency measured at that offered load) and *throughput* (each hero sends
``--burst`` updates as fast as the connection takes them; messages/s is what
all UIs received over the time it took). Everything runs on 127.0.0.1, with
timeouts on every wait. The load generator runs in this one process, on the
same machine as the server: the figures are for that whole setup.

The server's resident memory comes from /proc/<pid>/status (VmRSS; VmHWM for
the peak). Tests use :func:`run` with small numbers and assert only
correctness (no cross-talk, no loss, no errors), never time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[2]
CONNECT_TIMEOUT = 20.0
DRAIN_TIMEOUT = 60.0
EVENT_EVERY = 10


@dataclass
class Report:
    active_sessions: int
    idle_sessions: int
    connections: int
    latency_phase_seconds: float
    rate_per_hero: float
    latency_messages: int = 0
    latency_p50_ms: float = 0.0
    latency_p99_ms: float = 0.0
    latency_max_ms: float = 0.0
    burst_per_hero: int = 0
    burst_batch: int = 1  # updates per frame in the throughput phase
    throughput_messages: int = 0
    throughput_seconds: float = 0.0
    throughput_messages_per_s: float = 0.0
    throughput_p99_ms: float = 0.0
    server_cpu_latency_phase: float = 0.0  # CPU seconds the server used / wall seconds
    server_cpu_throughput_phase: float = 0.0
    client_cpu_throughput_phase: float = 0.0
    events_to_heroes: int = 0
    connect_seconds: float = 0.0
    server_rss_start_mib: float = 0.0
    server_rss_idle_mib: float = 0.0
    server_rss_end_mib: float = 0.0
    server_rss_peak_mib: float = 0.0
    cross_talk: int = 0
    lost: int = 0
    out_of_order: int = 0
    errors: List[str] = field(default_factory=list)
    server_warnings: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.cross_talk or self.lost or self.out_of_order or self.errors)


def _memory(pid: int) -> Tuple[float, float]:
    """(VmRSS, VmHWM) of ``pid`` in MiB."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def _cpu_seconds(pid: Optional[int]) -> float:
    """User + system CPU time of ``pid`` (this process when None), in seconds."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _raise_fd_limit(needed: int) -> None:
    """Raise this process's soft RLIMIT_NOFILE to ``needed`` (capped at the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        raise RuntimeError(f"need {needed} file descriptors, the hard limit is {hard}")


def _percentile(sorted_values: List[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, int(round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


class ServerProcess:
    """`python -m sidekick serve` on 127.0.0.1, its output collected on a thread."""

    def __init__(self, fds: int) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        env = dict(os.environ, PYTHONPATH=str(ROOT), SIDEKICK_OPEN_BROWSER="0")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sidekick", "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=lambda: _raise_fd_limit(fds),
        )
        self.lines: List[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 15
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.lines}")
            try:
                url = f"http://127.0.0.1:{self.port}/healthz"
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("server did not start") from None
                time.sleep(0.05)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def _announce(peer_id: str, role: str) -> str:
    payload = {
        "peerId": peer_id,
        "role": role,
        "status": "online",
        "version": "load",
        "timestamp": int(time.time() * 1000),
    }
    return json.dumps({"id": 0, "component": "system", "type": "announce", "payload": payload})


async def _open(url: str, session: str, peer_id: str, role: str) -> ClientConnection:
    ws = await asyncio.wait_for(
        connect(
            f"{url}?session={session}",
            compression=None,
            max_size=1 << 22,
            open_timeout=CONNECT_TIMEOUT,
            ping_interval=None,
            close_timeout=2,
        ),
        CONNECT_TIMEOUT + 5,
    )
    await ws.send(_announce(peer_id, role))
    return ws


class ActiveSession:
    """A hero and a UI in one session, checking everything they receive."""

    def __init__(self, index: int, run_id: str, report: Report) -> None:
        self.session = f"load-{run_id}-{index}"
        self.report = report
        self.sent = 0
        self.received = 0
        self.events = 0
        self.latencies: List[float] = []  # ms, of the current phase
        self.hero: Optional[ClientConnection] = None
        self.ui: Optional[ClientConnection] = None
        self.ui_seen = asyncio.Event()
        self.progress = asyncio.Event()
        self.tasks: List[asyncio.Task[None]] = []

    async def open(self, url: str) -> None:
        self.ui = await _open(url, self.session, f"ui-{self.session}", "sidekick")
        self.hero = await _open(url, self.session, f"hero-{self.session}", "hero")
        self.tasks = [
            asyncio.ensure_future(self._ui_reader()),
            asyncio.ensure_future(self._hero_reader()),
        ]
        await asyncio.wait_for(self.ui_seen.wait(), CONNECT_TIMEOUT)

    def _problem(self, kind: str, detail: str) -> None:
        if kind == "cross_talk":
            self.report.cross_talk += 1
        elif kind == "out_of_order":
            self.report.out_of_order += 1
        if len(self.report.errors) < 20:
            self.report.errors.append(f"{self.session}: {kind}: {detail[:200]}")

    async def _ui_reader(self) -> None:
        assert self.ui is not None
        try:
            async for frame in self.ui:
                now = time.perf_counter_ns()
                message = json.loads(frame)
                if message.get("type") == "announce":
                    if message["payload"]["peerId"] != f"hero-{self.session}":
                        self._problem("cross_talk", frame)
                    continue
                if message.get("type") == "batch":
                    inner = message["payload"]["messages"]
                else:
                    inner = [message]
                for update in inner:
                    await self._on_update(update, frame, now)
                self.progress.set()
        except Exception as exc:  # a closed or broken connection is a failure here
            self._problem("error", f"UI reader: {exc!r}")

    async def _on_update(self, message: Dict[str, Any], frame: str, now: int) -> None:
        assert self.ui is not None
        session, seq, sent_ns = message["payload"]["options"]["text"].split("|")
        if session != self.session:
            self._problem("cross_talk", frame)
            return
        if int(seq) != self.received:
            self._problem("out_of_order", f"got {seq}, expected {self.received}")
        self.received = int(seq) + 1
        self.latencies.append((now - int(sent_ns)) / 1e6)
        if self.received % EVENT_EVERY == 0:
            event = {
                "id": 0,
                "component": "button",
                "type": "event",
                "src": "button-1",
                "payload": {"event": "click", "session": self.session},
            }
            await self.ui.send(json.dumps(event))

    async def _hero_reader(self) -> None:
        assert self.hero is not None
        try:
            async for frame in self.hero:
                message = json.loads(frame)
                if message.get("type") == "announce":
                    if message["payload"]["peerId"] != f"ui-{self.session}":
                        self._problem("cross_talk", frame)
                    self.ui_seen.set()
                    continue
                if message.get("payload", {}).get("session") != self.session:
                    self._problem("cross_talk", frame)
                    continue
                self.events += 1
        except Exception as exc:
            self._problem("error", f"hero reader: {exc!r}")

    def _update(self) -> str:
        text = f"{self.session}|{self.sent}|{time.perf_counter_ns()}"
        self.sent += 1
        return (
            '{"id":0,"component":"label","type":"update","target":"label-1",'
            '"payload":{"action":"setText","options":{"text":' + json.dumps(text) + "}}}"
        )

    async def send_update(self) -> None:
        assert self.hero is not None
        await self.hero.send(self._update())

    async def send_batch(self, count: int) -> None:
        """``count`` updates in one ``global/batch`` frame, as the library sends a burst."""
        assert self.hero is not None
        updates = ",".join(self._update() for _ in range(count))
        await self.hero.send(
            '{"id":0,"component":"global","type":"batch","payload":{"messages":[' + updates + "]}}"
        )

    async def paced(self, rate: float, until: float) -> None:
        interval = 1.0 / rate
        # Spread the sessions' sends over the interval instead of in lockstep.
        next_at = time.monotonic() + interval * secrets.randbelow(1000) / 1000
        while next_at < until:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            await self.send_update()
            next_at += interval

    async def burst(self, count: int, batch: int = 1) -> None:
        while count > 0:
            if batch > 1:
                await self.send_batch(min(batch, count))
            else:
                await self.send_update()
            count -= batch

    async def drained(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.received < self.sent:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.report.lost += self.sent - self.received
                self._problem("lost", f"{self.sent - self.received} updates never arrived")
                return
            self.progress.clear()
            try:
                await asyncio.wait_for(self.progress.wait(), min(remaining, 1.0))
            except asyncio.TimeoutError:
                pass

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for ws in (self.hero, self.ui):
            if ws is not None:
                await ws.close()


async def _gather_limited(coros: List[Any], limit: int) -> List[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(coro: Any) -> Any:
        async with semaphore:
            return await coro

    return await asyncio.gather(*(one(c) for c in coros))


async def run(
    active: int = 100,
    idle: int = 1000,
    seconds: float = 5.0,
    rate: float = 20.0,
    burst: int = 500,
    url: Optional[str] = None,
    server_pid: Optional[int] = None,
    settle: float = 1.0,
    batch: int = 1,
) -> Report:
    """Run both phases against the server at ``url`` (ws://127.0.0.1:port/)."""
    assert url is not None and url.startswith("ws://127.0.0.1:")
    report = Report(
        active, idle, 2 * (active + idle), seconds, rate, burst_per_hero=burst, burst_batch=batch
    )
    _raise_fd_limit(2 * (active + idle) + 256)
    run_id = secrets.token_hex(4)

    def memory() -> Tuple[float, float]:
        return _memory(server_pid) if server_pid else (0.0, 0.0)

    report.server_rss_start_mib = memory()[0]
    started = time.monotonic()
    idle_peers: List[ClientConnection] = []

    async def idle_session(i: int) -> None:
        session = f"idle-{run_id}-{i}"
        idle_peers.append(await _open(url, session, f"ui-{session}", "sidekick"))
        idle_peers.append(await _open(url, session, f"hero-{session}", "hero"))

    sessions = [ActiveSession(i, run_id, report) for i in range(active)]
    try:
        await _gather_limited([idle_session(i) for i in range(idle)], 64)
        await _gather_limited([s.open(url) for s in sessions], 64)
        report.connect_seconds = time.monotonic() - started
        report.server_rss_idle_mib = memory()[0]
        await asyncio.sleep(settle)  # let the last handshakes and announces finish

        # Phase 1: latency at a fixed offered rate.
        cpu0, t0 = _cpu_seconds(server_pid), time.monotonic()
        until = t0 + seconds
        await asyncio.gather(*(s.paced(rate, until) for s in sessions))
        await asyncio.gather(*(s.drained(DRAIN_TIMEOUT) for s in sessions))
        if server_pid:
            report.server_cpu_latency_phase = round(
                (_cpu_seconds(server_pid) - cpu0) / (time.monotonic() - t0), 2
            )
        latencies = sorted(x for s in sessions for x in s.latencies)
        report.latency_messages = len(latencies)
        report.latency_p50_ms = round(_percentile(latencies, 0.50), 3)
        report.latency_p99_ms = round(_percentile(latencies, 0.99), 3)
        report.latency_max_ms = round(latencies[-1], 3) if latencies else 0.0

        # Phase 2: throughput, every hero as fast as its connection takes it.
        for s in sessions:
            s.latencies = []
        before = sum(s.received for s in sessions)
        cpu0, mine0, t0 = _cpu_seconds(server_pid), _cpu_seconds(None), time.monotonic()
        await asyncio.gather(*(s.burst(burst, batch) for s in sessions))
        await asyncio.gather(*(s.drained(DRAIN_TIMEOUT) for s in sessions))
        elapsed = time.monotonic() - t0
        report.throughput_seconds = round(elapsed, 3)
        report.client_cpu_throughput_phase = round((_cpu_seconds(None) - mine0) / elapsed, 2)
        if server_pid:
            report.server_cpu_throughput_phase = round(
                (_cpu_seconds(server_pid) - cpu0) / elapsed, 2
            )
        report.throughput_messages = sum(s.received for s in sessions) - before
        if report.throughput_seconds > 0:
            report.throughput_messages_per_s = round(
                report.throughput_messages / report.throughput_seconds
            )
        burst_latencies = sorted(x for s in sessions for x in s.latencies)
        report.throughput_p99_ms = round(_percentile(burst_latencies, 0.99), 3)
        await asyncio.sleep(0.5)  # let the last events reach their heroes
        report.events_to_heroes = sum(s.events for s in sessions)
        expected_events = sum(s.received // EVENT_EVERY for s in sessions)
        if report.events_to_heroes != expected_events:
            report.errors.append(
                f"heroes got {report.events_to_heroes} events, UIs sent {expected_events}"
            )
        rss, peak = memory()
        report.server_rss_end_mib = rss
        report.server_rss_peak_mib = peak
    finally:
        await _gather_limited([s.close() for s in sessions], 64)
        await _gather_limited([ws.close() for ws in idle_peers], 64)
    return report


def run_with_server(**kwargs: Any) -> Report:
    """Start a server, run the load against it, stop it; server warnings go in the report."""
    active = kwargs.get("active", 100)
    idle = kwargs.get("idle", 1000)
    server = ServerProcess(fds=2 * (active + idle) + 256)
    try:
        report = asyncio.run(run(url=server.url, server_pid=server.proc.pid, **kwargs))
    finally:
        server.stop()
    report.server_warnings = [
        line for line in server.lines if not line.startswith("Sidekick UI:") and line.strip()
    ]
    return report


def _format(report: Report) -> str:
    r = report
    return "\n".join(
        [
            f"sessions: {r.active_sessions} active + {r.idle_sessions} idle "
            f"({r.connections} connections, opened in {r.connect_seconds:.1f} s)",
            f"latency phase: {r.rate_per_hero:g} updates/s per hero for "
            f"{r.latency_phase_seconds:g} s = {r.latency_messages} updates; "
            f"p50 {r.latency_p50_ms:.2f} ms, p99 {r.latency_p99_ms:.2f} ms, "
            f"max {r.latency_max_ms:.2f} ms (server CPU {r.server_cpu_latency_phase:.0%})",
            f"throughput phase: {r.burst_per_hero} updates per hero "
            f"({r.burst_batch} per frame) = "
            f"{r.throughput_messages} in {r.throughput_seconds:.2f} s = "
            f"{r.throughput_messages_per_s:,.0f} messages/s (p99 {r.throughput_p99_ms:.1f} ms; "
            f"CPU: server {r.server_cpu_throughput_phase:.0%}, "
            f"load generator {r.client_cpu_throughput_phase:.0%})",
            f"events UI->hero: {r.events_to_heroes}",
            f"server RSS: start {r.server_rss_start_mib:.1f} MiB, with every session "
            f"connected {r.server_rss_idle_mib:.1f} MiB, end {r.server_rss_end_mib:.1f} MiB, "
            f"peak {r.server_rss_peak_mib:.1f} MiB",
            f"cross-talk {r.cross_talk}, lost {r.lost}, out of order {r.out_of_order}, "
            f"errors {len(r.errors)}, server warnings {len(r.server_warnings)}",
            *(f"  error: {e}" for e in r.errors),
            *(f"  server: {w}" for w in r.server_warnings[:10]),
        ]
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--active", type=int, default=100, help="sessions exchanging updates")
    parser.add_argument("--idle", type=int, default=1000, help="idle sessions (hero + UI each)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the latency phase")
    parser.add_argument("--rate", type=float, default=20.0, help="updates/s per hero (latency)")
    parser.add_argument("--burst", type=int, default=500, help="updates per hero (throughput)")
    parser.add_argument(
        "--batch", type=int, default=1, help="updates per frame in the throughput phase"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    report = run_with_server(
        active=args.active,
        idle=args.idle,
        seconds=args.seconds,
        rate=args.rate,
        burst=args.burst,
        batch=args.batch,
    )
    if args.json:
        print(json.dumps(dict(asdict(report), ok=report.ok), indent=2))
    else:
        print(_format(report))
    return 0 if report.ok and not report.server_warnings else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark this library against sidekick-py 0.0.7, back to back, in one run.

    python benchmarks/run.py            # the full run (medians of several runs)
    python benchmarks/run.py --quick    # a fast smoke run (one run of each, smaller counts)

Both libraries run the same hero scripts (``benchmarks/heroes/``) through the
same relay (this repo's ``python -m sidekick serve`` on 127.0.0.1) to the same
scripted UI peer (``benchmarks/peer.py``). This library is the working tree
(via PYTHONPATH) in ``benchmarks/.venv-ours`` (its dependencies only); the
reference is ``sidekick-py==0.0.7`` from PyPI in ``benchmarks/.venv-ref``.
Both venvs are created on first use. The harness itself runs under the
project's ``.venv`` (it needs websockets; the browser figures need Debian's
Chromium, driven over the DevTools protocol by ``benchmarks/cdp.py``).
Figures are printed as a table and saved under ``benchmarks/out/``. See
``benchmarks/README.md`` for what each figure means.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"


def _reexec_in_venv() -> None:
    """The harness needs websockets (from the project's .venv)."""
    try:
        import websockets  # noqa: F401
    except ImportError:
        venv_python = ROOT / ".venv" / "bin" / "python"
        if venv_python.exists() and Path(sys.executable).resolve() != venv_python.resolve():
            os.execv(str(venv_python), [str(venv_python), *sys.argv])
        raise SystemExit(
            "benchmarks/run.py needs websockets: run it with the project's .venv"
        ) from None


if __name__ == "__main__":
    _reexec_in_venv()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any, Awaitable, Dict, List, Optional, Tuple, TypeVar  # noqa: E402

sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(ROOT))  # tests.support.chromium: one definition of the browser flags

from peer import GridOrderWatcher, UIPeer  # noqa: E402
from rawpeer import RawPeer, client_frame  # noqa: E402
from serverload import relay_load  # noqa: E402

HEROES = BENCH / "heroes"
OUT = BENCH / "out"
REF_VENV = BENCH / ".venv-ref"
REF_REQUIREMENT = "sidekick-py==0.0.7"

OURS = "sidekick"
#: Throughput rounds of ours and of the ceiling for each run of 0.0.7.
PER_REF = 6
REF = "sidekick-py 0.0.7"
T = TypeVar("T")


# --------------------------------------------------------------------- setup


@dataclass
class Lib:
    name: str
    python: str
    env: Dict[str, str]


OUR_VENV = BENCH / ".venv-ours"


def our_python() -> str:
    """A venv with only this library's dependencies, like the reference's.

    The library itself comes from the working tree (PYTHONPATH), so what is
    measured is the code as it is now. The main .venv would do too, but its
    test tools and editable-install hook make every interpreter start slower.
    """
    python = OUR_VENV / "bin" / "python"
    probe = [str(python), "-c", "import websockets, typing_extensions"]
    usable = python.exists() and subprocess.run(probe, capture_output=True, env=clean_env())
    if usable and usable.returncode == 0:
        return str(python)
    print(f"creating {OUR_VENV.relative_to(ROOT)} with this library's dependencies ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(OUR_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *OUR_DEPS],
        check=True,
        env=clean_env(),
    )
    return str(python)


def _our_dependencies() -> list:
    text = (ROOT / "pyproject.toml").read_text()
    block = re.search(r"^dependencies = \[(.*?)\]", text, re.S | re.M)
    if block is None:
        return ["websockets", "typing-extensions"]
    return re.findall(r'"([^"]+)"', block.group(1))


OUR_DEPS = _our_dependencies()


def clean_env() -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SIDEKICK"))}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def ensure_ref_venv() -> str:
    python = REF_VENV / "bin" / "python"
    probe = [str(python), "-c", "import importlib.metadata as m; print(m.version('sidekick-py'))"]
    if python.exists():
        done = subprocess.run(probe, capture_output=True, text=True, env=clean_env())
        if done.returncode == 0 and done.stdout.strip() == "0.0.7":
            return str(python)
    print(f"creating {REF_VENV.relative_to(ROOT)} with {REF_REQUIREMENT} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(REF_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", REF_REQUIREMENT],
        check=True,
        env=clean_env(),
    )
    return str(python)


def libraries() -> List[Lib]:
    ours_env = clean_env()
    ours_env["PYTHONPATH"] = str(ROOT)
    return [Lib(OURS, our_python(), ours_env), Lib(REF, ensure_ref_venv(), clean_env())]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_started: List[asyncio.subprocess.Process] = []  # every process we started, killed by PID at exit


class Relay:
    def __init__(self, lib: Lib) -> None:
        self.lib = lib
        self.port = free_port()
        self.proc: Optional[asyncio.subprocess.Process] = None

    async def start(self) -> None:
        OUT.mkdir(exist_ok=True)
        log = open(OUT / "relay.log", "wb")  # noqa: SIM115  (the relay writes it until stopped)
        self.proc = await asyncio.create_subprocess_exec(
            self.lib.python,
            "-m",
            "sidekick",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=self.lib.env,
            cwd=str(OUT),  # not the repo root: the package comes from PYTHONPATH
        )
        _started.append(self.proc)
        deadline = time.monotonic() + 15
        while True:
            try:
                _, w = await asyncio.open_connection("127.0.0.1", self.port)
                w.close()
                return
            except OSError:
                if time.monotonic() > deadline or self.proc.returncode is not None:
                    raise RuntimeError(
                        "the relay did not start; see benchmarks/out/relay.log"
                    ) from None
                await asyncio.sleep(0.05)

    def cpu_seconds(self) -> Optional[float]:
        """CPU time the relay process has used (all threads), from /proc."""
        if self.proc is None:
            return None
        total = 0
        try:
            for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
                total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError):
            return None
        return total / 1e9

    def ws(self, session: str) -> str:
        return f"ws://127.0.0.1:{self.port}/?session={session}"

    def ui(self, session: str) -> str:
        return f"http://127.0.0.1:{self.port}/session/{session}"

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
            except asyncio.TimeoutError:
                self.proc.kill()


_session_counter = 0


def new_session(kind: str) -> str:
    global _session_counter
    _session_counter += 1
    return f"bench-{kind}-{os.getpid()}-{_session_counter}"


class Hero:
    """A hero script in its own process, talking BENCH lines on stdout/stdin."""

    def __init__(self, lib: Lib, script: str, url: str, **env: Any) -> None:
        self.lib = lib
        self.script = script
        self.env = dict(lib.env, BENCH_URL=url, **{k: str(v) for k, v in env.items()})
        self.proc: Optional[asyncio.subprocess.Process] = None
        self.figures: Dict[str, Any] = {}

    async def start(self) -> None:
        logs = OUT / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        tag = re.sub(r"[^a-z0-9]+", "-", self.lib.name.lower())
        log = logs / f"{Path(self.script).stem}-{tag}.log"
        self.stderr = open(log, "wb")  # noqa: SIM115  (closed in stop())
        self.proc = await asyncio.create_subprocess_exec(
            self.lib.python,
            str(HEROES / self.script),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=self.stderr,
            env=self.env,
            cwd=str(HEROES),
        )
        _started.append(self.proc)

    async def expect(self, key: str, timeout: float = 60.0) -> Dict[str, Any]:
        """Read BENCH lines until one carries ``key``; return everything reported."""
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while key not in self.figures:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"{self.script} under {self.lib.name}: no {key!r} in {timeout} s"
                )
            line = await asyncio.wait_for(self.proc.stdout.readline(), remaining)
            if not line:
                raise RuntimeError(
                    f"{self.script} under {self.lib.name} exited (see benchmarks/out/logs/)"
                )
            if line.startswith(b"BENCH "):
                self.figures.update(json.loads(line[6:]))
        return self.figures

    def tell(self, word: str = "go") -> None:
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write(word.encode() + b"\n")
        except (BrokenPipeError, ConnectionResetError):
            pass

    async def stop(self, timeout: float = 5.0) -> None:
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
        self.stderr.close()


@dataclass
class Ctx:
    relay: Relay
    quick: bool
    runs: int
    updates: int
    results: Dict[str, Dict[str, List[float]]] = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)

    def add(self, lib: str, figure: str, value: Optional[float]) -> None:
        if value is not None:
            self.results.setdefault(lib, {}).setdefault(figure, []).append(value)

    def note(self, text: str) -> None:
        print("  note:", text, flush=True)
        self.notes.append(text)


async def attempt(ctx: Ctx, what: str, run: Awaitable[T]) -> Optional[T]:
    """Run one measurement; a failure is noted (and shown) instead of ending the run (None)."""
    try:
        return await run
    except Exception as exc:
        ctx.note(f"{what} failed: {exc!r}")
        return None


async def connect_peer(relay: Relay, session: str) -> UIPeer:
    peer = UIPeer(relay.ws(session), f"ui-{session}", ["batch"])
    await peer.connect()
    return peer


# ----------------------------------------------------------------- scenarios


async def run_throughput(ctx: Ctx, lib: Lib, script: str = "throughput.py") -> Optional[float]:
    """One run of ``script``: its figures into ``ctx``; its updates/s (None: not counted)."""
    session = new_session("tp")
    peer = await connect_peer(ctx.relay, session)
    hero = Hero(lib, script, ctx.relay.ws(session), BENCH_UPDATES=ctx.updates)
    try:
        await hero.start()
        await hero.expect("ready", 60)
        grid = await peer.wait_for("grid")
        label = await peer.wait_for("label")
        watcher = GridOrderWatcher(grid, label, ctx.updates)
        peer.watcher = watcher
        relay0, peer0, frames0 = ctx.relay.cpu_seconds(), time.process_time(), peer.frames
        hero.tell("go")
        figures = await hero.expect("caller_us", 300)
        await asyncio.wait_for(watcher.done.wait(), 300)
        relay1, peer1, frames1 = ctx.relay.cpu_seconds(), time.process_time(), peer.frames
        hero.tell("done")
        figures = await hero.expect("cpu_us", 60)
        assert watcher.done_at is not None
        elapsed = watcher.done_at - figures["t0_monotonic"]
        if not watcher.ok:
            ctx.note(
                f"{lib.name} {script}: {watcher.seen}/{ctx.updates} updates, "
                f"{watcher.wrong} out of order ({watcher.first_wrong}); run not counted"
            )
            return None
        name = "ceiling" if script == "ceiling.py" else "throughput"
        ups = ctx.updates / elapsed
        ctx.add(lib.name, f"{name}_ups", ups)
        ctx.add(lib.name, f"{name}_caller_us", figures["caller_us"])
        ctx.add(lib.name, f"{name}_caller_cpu_us", figures.get("caller_cpu_us"))
        ctx.add(lib.name, f"{name}_cpu_us", figures["cpu_us"])
        ctx.add(lib.name, f"{name}_rss_mib", figures["rss_kib"] / 1024)
        if relay0 is not None and relay1 is not None:
            ctx.add(lib.name, f"{name}_relay_cpu_us", (relay1 - relay0) / ctx.updates * 1e6)
        ctx.add(lib.name, f"{name}_peer_cpu_us", (peer1 - peer0) / ctx.updates * 1e6)
        ctx.add(lib.name, f"{name}_peer_frames", frames1 - frames0)
        return ups
    finally:
        await hero.stop()
        await peer.close()


async def run_latency(
    ctx: Ctx,
    lib: Lib,
    rounds: int,
    warmup: int = 20,
    script: str = "latency.py",
    idle: float = 0.002,
    name: str = "",
) -> float:
    """Click → label round trips, timed by the lean blocking peer in a thread.

    ``idle`` seconds pass between an answer and the next click; the figures
    are ``<name>_p50_ms`` etc. (name: "floor" for echo.py, else "latency").
    Returns the p50 in ms.
    """
    session = new_session("lat")
    loop = asyncio.get_running_loop()
    peer = await loop.run_in_executor(
        None, RawPeer, "127.0.0.1", ctx.relay.port, session, f"ui-{session}"
    )
    hero = Hero(lib, script, ctx.relay.ws(session))

    def clicks() -> List[float]:
        ids = peer.wait_for("button", "label")
        button, label = ids["button"], ids["label"]
        click = client_frame(
            json.dumps(
                {
                    "id": 0,
                    "component": "button",
                    "type": "event",
                    "src": button,
                    "payload": {"event": "click"},
                },
                separators=(",", ":"),
            ).encode()
        )
        samples: List[float] = []
        messages = peer.messages()
        for k in range(1, warmup + rounds + 1):
            want = f"pong {k}"
            t0 = time.monotonic()
            peer.send_frame(click)
            for m, now in messages:
                if (
                    m.get("target") == label
                    and m.get("type") == "update"
                    and (m["payload"].get("options") or {}).get("text") == want
                ):
                    arrived = now
                    break
            if k > warmup:
                samples.append((arrived - t0) * 1000)
            if idle:
                time.sleep(idle)  # idle between clicks: latency, not throughput
        return samples

    try:
        await hero.start()
        await hero.expect("ready", 60)
        samples = await asyncio.wait_for(loop.run_in_executor(None, clicks), 120)
        samples.sort()
        name = name or ("floor" if script == "echo.py" else "latency")
        for p in (50, 90, 99):
            ctx.add(lib.name, f"{name}_p{p}_ms", percentile(samples, p))
        return percentile(samples, 50)
    finally:
        await hero.stop()
        peer.close()


def percentile(sorted_values: List[float], p: float) -> float:
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


async def run_startup(ctx: Ctx, lib: Lib) -> None:
    session = new_session("start")
    peer = await connect_peer(ctx.relay, session)
    await asyncio.sleep(0.05)  # the relay stored our announce before the hero joins
    hero = Hero(lib, "startup.py", ctx.relay.ws(session))
    try:
        t_start = time.monotonic()
        await hero.start()
        await peer.wait_for("label", 30)
        figures = await hero.expect("t_imported", 30)
        assert peer.first_spawn is not None
        ctx.add(lib.name, "startup_ms", (peer.first_spawn - t_start) * 1000)
        ctx.add(lib.name, "startup_interpreter_ms", (figures["t_main"] - t_start) * 1000)
        ctx.add(lib.name, "startup_import_ms", (figures["t_imported"] - figures["t_main"]) * 1000)
        ctx.add(lib.name, "startup_connect_ms", (peer.first_spawn - figures["t_imported"]) * 1000)
    finally:
        await hero.stop()
        await peer.close()


CLIENT_MODULE = {OURS: "sidekick.transport.websocket", REF: "websockets.asyncio.client"}


def import_report(lib: Lib, repeat: int = 5) -> Dict[str, Any]:
    """``python -X importtime``, best of ``repeat``: where ``import sidekick`` spends its time.

    Reports the total, the cumulative time of the big standard-library and
    third-party packages it pulls in, and the library's own modules (self time).
    """
    best_self: Dict[str, int] = {}
    best_cum: Dict[str, int] = {}
    # What the startup hero needs before its first spawn: the package, a Label
    # and the WebSocket client each library connects with (this library's own
    # since it dropped the websockets client; 0.0.7 imports websockets with
    # the package).
    client = CLIENT_MODULE[lib.name]
    code = f"import sidekick; sidekick.Label; import {client}"
    for _ in range(repeat):
        done = subprocess.run(
            [lib.python, "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            env=lib.env,
            cwd=str(HEROES),
        )
        for line in done.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
            if m:
                name = m.group(3)
                best_self[name] = min(best_self.get(name, 1 << 62), int(m.group(1)))
                best_cum[name] = min(best_cum.get(name, 1 << 62), int(m.group(2)))
    packages = ("asyncio", "logging", "json", "websockets", "typing", "dataclasses", "inspect")
    own = sum(v for k, v in best_self.items() if k == "sidekick" or k.startswith("sidekick."))
    heaviest_own = sorted(
        ((v, k) for k, v in best_self.items() if k.startswith("sidekick.")), reverse=True
    )[:4]
    return {
        "total_ms": best_cum.get("sidekick", 0) / 1000,
        "client": client,
        "client_after_ms": best_cum.get(client, 0) / 1000,
        "modules": len(best_self),
        "packages_ms": {p: best_cum[p] / 1000 for p in packages if p in best_cum},
        "own_ms": own / 1000,
        "heaviest_own_ms": {k: v / 1000 for v, k in heaviest_own},
    }


# ------------------------------------------------------------------- browser


async def run_browser(ctx: Ctx, libs: List[Lib], rounds: int) -> None:
    import browser

    from tests.support.chromium import CHROMIUM

    if not os.access(CHROMIUM, os.X_OK):  # no browser here: say so, skip the figures
        ctx.note(f"browser figures skipped: no Chromium at {CHROMIUM}")
        return
    async with browser.Chromium() as chromium:
        for r in range(rounds):
            for lib in libs:
                print(f"  browser grid   {lib.name:18s} run {r + 1}", flush=True)
                try:
                    ups = await chromium.grid_run(ctx, lib, Hero, new_session("bg"))
                    ctx.add(lib.name, "browser_ups", ups)
                except Exception as exc:
                    ctx.note(f"{lib.name} browser grid run failed: {exc!r}")
        for r in range(rounds):
            for lib in libs:
                print(f"  browser fps    {lib.name:18s} run {r + 1}", flush=True)
                try:
                    fps, sent, long_frames = await chromium.ball_run(
                        ctx, lib, Hero, new_session("bf"), seconds=2 if ctx.quick else 4
                    )
                    ctx.add(lib.name, "browser_fps", fps)
                    ctx.add(lib.name, "ball_frames_sent_per_s", sent)
                    ctx.add(lib.name, "browser_long_frames", long_frames)
                except Exception as exc:
                    ctx.note(f"{lib.name} browser fps run failed: {exc!r}")


# -------------------------------------------------------------------- report

# figure key, label, unit format, better ("hi"/"lo"), target for this library
FIGURES = [
    ("throughput_ups", "throughput, updates/s (end to end)", "{:,.0f}", "hi"),
    ("ceiling_ups", "ceiling (pre-encoded batches of 100), updates/s", "{:,.0f}", "hi"),
    ("throughput_caller_us", "caller cost, µs per set_color", "{:.2f}", "lo"),
    ("throughput_caller_cpu_us", "  of which CPU of the calling thread, µs", "{:.2f}", "lo"),
    ("throughput_cpu_us", "hero CPU (all threads), µs per update", "{:.2f}", "lo"),
    ("throughput_relay_cpu_us", "  relay CPU per update (µs)", "{:.2f}", "lo"),
    ("ceiling_relay_cpu_us", "  relay CPU per update in the ceiling run (µs)", "{:.2f}", "lo"),
    ("throughput_peer_cpu_us", "  UI peer CPU per update (µs)", "{:.2f}", "lo"),
    ("ceiling_peer_cpu_us", "  UI peer CPU per update in the ceiling run (µs)", "{:.2f}", "lo"),
    ("throughput_peer_frames", "  frames the UI peer received per run", "{:,.0f}", "lo"),
    ("ceiling_peer_frames", "  frames the UI peer received per ceiling run", "{:,.0f}", "lo"),
    ("throughput_rss_mib", "peak RSS of the throughput hero, MiB", "{:.1f}", "lo"),
    ("latency_p50_ms", "latency click→label p50, ms", "{:.3f}", "lo"),
    ("latency_p90_ms", "latency p90, ms", "{:.3f}", "lo"),
    ("latency_p99_ms", "latency p99, ms", "{:.3f}", "lo"),
    ("floor_p50_ms", "latency floor (library-free raw-socket hero) p50, ms", "{:.3f}", "lo"),
    ("floor_p99_ms", "latency floor p99, ms", "{:.3f}", "lo"),
    ("latency_added_p50_ms", "latency p50 minus the floor p50 (the library), ms", "{:.3f}", "lo"),
    ("b2b_p50_ms", "latency p50, clicks back to back (no idle), ms", "{:.3f}", "lo"),
    ("b2b_p99_ms", "latency p99, clicks back to back, ms", "{:.3f}", "lo"),
    ("startup_ms", "startup: process start → first spawn at UI, ms", "{:.1f}", "lo"),
    ("startup_interpreter_ms", "  of which interpreter start, ms", "{:.1f}", "lo"),
    ("startup_import_ms", "  of which import sidekick, ms", "{:.1f}", "lo"),
    ("startup_connect_ms", "  of which connect → spawn seen, ms", "{:.1f}", "lo"),
    ("browser_ups", "browser: grid updates/s shown by the real UI", "{:,.0f}", "hi"),
    ("browser_fps", "browser: bouncing ball, frames/s (rAF)", "{:.1f}", "hi"),
    ("ball_frames_sent_per_s", "  ball frames sent by the hero per s", "{:.1f}", "hi"),
    ("browser_long_frames", "  rAF gaps > 50 ms during the animation", "{:.0f}", "lo"),
    ("server_msgs_per_s", "server: msgs/s relayed, 10 sessions, 1 msg/frame", "{:,.0f}", "hi"),
    (
        "server_batched_msgs_per_s",
        "server: msgs/s relayed, 10 sessions, 100/frame",
        "{:,.0f}",
        "hi",
    ),
]


def med(ctx: Ctx, lib: str, key: str) -> Optional[float]:
    values = ctx.results.get(lib, {}).get(key)
    return statistics.median(values) if values else None


def targets(ctx: Ctx) -> List[tuple]:
    def m(key: str, lib: str = OURS) -> Optional[float]:
        return med(ctx, lib, key)

    tp, ceil, ref_tp = m("throughput_ups"), m("ceiling_ups"), m("throughput_ups", REF)
    rows: List[Tuple[str, Optional[float], Optional[float], str, str]] = [
        # Paired: each round's ratio compares two runs made seconds apart. This
        # machine flips between a fast and a slow state (the same work costs
        # the peer 2.3 or 4.5 µs an update), so unpaired medians depend on how
        # many runs of each landed in the fast one: with the same code, 20-round
        # series gave 0.69 to 1.03 unpaired and 0.87 to 1.02 paired.
        (
            "throughput ≥ 80% of the ceiling (median of each round's ratio)",
            m("round_ratio"),
            0.8,
            "{:.0%}",
            "hi",
        ),
        (
            "  for information: ratio of the two medians (unpaired)",
            tp / ceil if tp and ceil else None,
            None,
            "{:.0%}",
            "hi",
        ),
        (
            "throughput ≥ 50× sidekick-py 0.0.7",
            tp / ref_tp if tp and ref_tp else None,
            50,
            "{:.0f}×",
            "hi",
        ),
        ("caller ≤ 4 µs per call", m("throughput_caller_us"), 4, "{:.2f} µs", "lo"),
        ("hero CPU ≤ 5 µs per update", m("throughput_cpu_us"), 5, "{:.2f} µs", "lo"),
        ("latency p50 ≤ 0.5 ms", m("latency_p50_ms"), 0.5, "{:.3f} ms", "lo"),
        ("latency p99 ≤ 2 ms", m("latency_p99_ms"), 2, "{:.3f} ms", "lo"),
        ("first spawn ≤ 100 ms after process start", m("startup_ms"), 100, "{:.1f} ms", "lo"),
        ("peak RSS ≤ 40 MiB", m("throughput_rss_mib"), 40, "{:.1f} MiB", "lo"),
        ("browser ≥ 100,000 grid updates/s", m("browser_ups"), 100_000, "{:,.0f}/s", "hi"),
        ("browser ≥ 30 fps (bouncing ball)", m("browser_fps"), 30, "{:.1f} fps", "hi"),
    ]
    out = []
    for name, value, limit, fmt, better in rows:
        if value is None:
            out.append((name, "not measured", "–"))
            continue
        if limit is None:
            out.append((name, fmt.format(value), ""))
            continue
        ok = value >= limit if better == "hi" else value <= limit
        out.append((name, fmt.format(value), "met" if ok else "NOT met"))
    return out


def table(ctx: Ctx) -> str:
    lines = [
        f"| figure (median of runs) | {OURS} | {REF} | ratio | runs (ours / 0.0.7) |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, label, fmt, better in FIGURES:
        a, b = med(ctx, OURS, key), med(ctx, REF, key)
        if a is None and b is None:
            continue
        ratio = ""
        if a is not None and b is not None and a > 0 and b > 0:
            r = a / b if better == "hi" else b / a
            if 0.95 <= r <= 1.05:
                ratio = "about the same"
            else:
                ratio = f"{r:,.1f}× better" if r >= 1 else f"{1 / r:,.1f}× worse"
        counts = [len(ctx.results.get(lib, {}).get(key, [])) for lib in (OURS, REF)]
        counts = [c for c in counts if c]
        n = str(counts[0]) if len(set(counts)) == 1 else " / ".join(map(str, counts))
        lines.append(
            f"| {label} | {fmt.format(a) if a is not None else '–'} | "
            f"{fmt.format(b) if b is not None else '–'} | {ratio} | {n} |"
        )
    lines += ["", "| target | this library | |", "|---|---:|---|"]
    lines += [f"| {name} | {value} | {verdict} |" for name, value, verdict in targets(ctx)]
    return "\n".join(lines)


def machine() -> Dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def versions(libs: List[Lib]) -> Dict[str, str]:
    out = {}
    code = (
        "import importlib.metadata as m, platform; "
        "print(platform.python_version(), m.version('websockets'))"
    )
    for lib in libs:
        done = subprocess.run([lib.python, "-c", code], capture_output=True, text=True, env=lib.env)
        out[lib.name] = done.stdout.strip()
    return out


# ---------------------------------------------------------------------- main


async def main(args: argparse.Namespace) -> int:
    started = time.monotonic()
    OUT.mkdir(exist_ok=True)
    libs = libraries()
    ours, ref = libs
    if args.ours_only:
        libs = [ours]
    quick = args.quick
    runs = args.runs or (1 if quick else 5)
    ctx = Ctx(Relay(ours), quick, runs, args.updates or 20000)
    only = set(args.only.split(",")) if args.only else None

    def wanted(name: str) -> bool:
        return only is None or name in only

    print(f"machine: {machine()}")
    print(f"versions (python, websockets): {versions(libs)}")
    await ctx.relay.start()
    print(f"relay: {ctx.relay.ws('')} (this repo's `python -m sidekick serve`)")
    try:
        if wanted("startup"):
            print("startup", flush=True)
            for _ in range(max(runs, 3) if not quick else 2):
                for lib in libs:
                    await attempt(ctx, f"startup {lib.name}", run_startup(ctx, lib))
        if wanted("throughput"):
            print(f"throughput ({ctx.updates} updates)", flush=True)
            # A run of ours or of the ceiling takes under a second, one of 0.0.7
            # about ten, and the first two swing by tens of percent from run to
            # run here (the speed of this machine changes from one second to
            # the next): they get PER_REF rounds for each of 0.0.7's, and take
            # turns at going first, so neither always runs after 0.0.7.
            per_ref = 1 if quick else PER_REF
            for r in range(runs * per_ref):
                ups: Dict[str, Optional[float]] = {}
                pair = [(ours, "ceiling.py"), (ours, "throughput.py")]
                for lib, script in (pair if r % 2 == 0 else pair[::-1]) + [(ref, "throughput.py")]:
                    if lib not in libs or (lib is ref and r % per_ref):
                        continue
                    name = "ceiling" if script == "ceiling.py" else lib.name
                    print(f"  {name:18s} run {r + 1}", flush=True)
                    ups[name] = await attempt(
                        ctx, f"{script} {name}", run_throughput(ctx, lib, script)
                    )
                # The ratio within one round: both ran seconds apart, under the same load.
                mine, ceiling = ups.get(OURS), ups.get("ceiling")
                if mine is not None and ceiling is not None:
                    ctx.add(OURS, "round_ratio", mine / ceiling)
        if wanted("latency"):
            rounds = 100 if quick else 500
            print(f"latency ({rounds} round trips)", flush=True)
            for _ in range(1 if quick else runs):
                floor = None
                for lib, script in ((ours, "echo.py"), (ours, "latency.py"), (ref, "latency.py")):
                    if lib not in libs:
                        continue
                    p50 = await attempt(
                        ctx, f"{script} {lib.name}", run_latency(ctx, lib, rounds, script=script)
                    )
                    if script == "echo.py":
                        floor = p50
                    elif p50 is not None and floor is not None:
                        # What the library adds to the floor measured just before it.
                        ctx.add(lib.name, "latency_added_p50_ms", p50 - floor)
                for lib in libs:  # answers that come back to back: no idle between
                    await attempt(
                        ctx,
                        f"back-to-back latency {lib.name}",
                        run_latency(ctx, lib, rounds, idle=0, name="b2b"),
                    )
        if wanted("server"):
            print("server (10 sessions)", flush=True)
            per_session = 2000 if quick else 20000
            for _ in range(1 if quick else 3):
                for batch, key in ((1, "server_msgs_per_s"), (100, "server_batched_msgs_per_s")):
                    result = await relay_load(ctx.relay.port, 10, per_session, batch)
                    if result["complete"]:
                        ctx.add(OURS, key, result["messages_per_s"])
                    else:
                        ctx.note(f"server load ({batch}/frame) incomplete: {result}")
        if wanted("browser"):
            print("browser (headless Chromium)", flush=True)
            await run_browser(ctx, libs, 1 if quick else 3)
    finally:
        await ctx.relay.stop()
        for proc in _started:
            if proc.returncode is None:
                proc.kill()

    imports = {lib.name: import_report(lib) for lib in libs} if wanted("startup") else {}
    text = table(ctx)
    for name, rep in imports.items():
        packages = ", ".join(f"{k} {v:.1f}" for k, v in rep["packages_ms"].items())
        own = ", ".join(f"{k} {v:.1f}" for k, v in rep["heaviest_own_ms"].items())
        text += (
            f"\n\n{name}, best of 5 with `-X importtime`: `import sidekick` "
            f"{rep['total_ms']:.1f} ms (its own modules {rep['own_ms']:.1f} ms, heaviest: {own}), "
            f"then `import {rep['client']}` {rep['client_after_ms']:.1f} ms; "
            f"{rep['modules']} modules in all; packages (cumulative ms): {packages}"
        )
    for note in ctx.notes:
        text += f"\n\nnote: {note}"
    print()
    print(text)
    took = time.monotonic() - started
    print(f"\n(took {took:.0f} s; raw figures in benchmarks/out/results.json)")
    (OUT / "results.json").write_text(
        json.dumps(
            {
                "machine": machine(),
                "versions": versions(libs),
                "quick": quick,
                "runs": runs,
                "updates": ctx.updates,
                "results": ctx.results,
                "imports": imports,
                "notes": ctx.notes,
                "seconds": took,
            },
            indent=1,
        )
    )
    (OUT / "table.md").write_text(text + "\n")
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run of each, smaller counts")
    parser.add_argument(
        "--runs",
        type=int,
        help="runs per figure (default 5; 1 with --quick); throughput: rounds of 0.0.7,"
        f" with {PER_REF} of ours and the ceiling for each",
    )
    parser.add_argument("--updates", type=int, help="grid updates per throughput run (20000)")
    parser.add_argument("--only", help="comma-separated: startup,throughput,latency,server,browser")
    parser.add_argument(
        "--ours-only",
        action="store_true",
        help="skip sidekick-py 0.0.7 (faster rounds when comparing changes of ours)",
    )
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))

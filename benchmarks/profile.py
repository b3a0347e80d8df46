"""Profile one throughput run of this library with py-spy: hero and relay.

    python benchmarks/profile.py [--updates 200000] [--script throughput.py]

Writes collapsed stacks to benchmarks/out/profile-{hero,relay}.txt and prints
the functions where most samples were taken (self and inclusive). Needs
py-spy in benchmarks/.venv-ours (``benchmarks/.venv-ours/bin/pip install py-spy``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (re-executes under the project's .venv when needed)

if __name__ == "__main__":
    run._reexec_in_venv()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import collections  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402

from peer import GridOrderWatcher  # noqa: E402


def summarize(path: Path, top: int = 25) -> str:
    self_counts: collections.Counter = collections.Counter()
    incl: collections.Counter = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        count = int(n)
        total += count
        frames = stack.split(";")
        self_counts[frames[-1]] += count
        for f in set(frames):
            incl[f] += count
    out = [f"{path.name}: {total} samples", "  self:"]
    for f, n in self_counts.most_common(top):
        out.append(f"    {100 * n / total:5.1f}%  {f}")
    out.append("  inclusive:")
    for f, n in incl.most_common(top):
        out.append(f"    {100 * n / total:5.1f}%  {f}")
    return "\n".join(out)


async def main(args: argparse.Namespace) -> None:
    pyspy = str(Path(run.our_python()).parent / "py-spy")
    if not Path(pyspy).exists():
        pyspy = shutil.which("py-spy") or pyspy
    ours = run.libraries()[0]
    relay = run.Relay(ours)
    await relay.start()
    assert relay.proc is not None
    run.OUT.mkdir(exist_ok=True)
    spy_relay = subprocess.Popen(
        [
            pyspy,
            "record",
            "-r",
            "400",
            "-f",
            "raw",
            "-o",
            str(run.OUT / "profile-relay.txt"),
            "--pid",
            str(relay.proc.pid),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    session = run.new_session("prof")
    peer = await run.connect_peer(relay, session)
    hero = run.Hero(ours, args.script, relay.ws(session), BENCH_UPDATES=args.updates)

    # py-spy runs the hero: "py-spy record ... -- python heroes/<script>"
    async def start() -> None:
        logs = run.OUT / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        hero.stderr = open(logs / "profile-hero.log", "wb")  # noqa: SIM115
        hero.proc = await asyncio.create_subprocess_exec(
            pyspy,
            "record",
            "-r",
            "400",
            "--threads",
            "-f",
            "raw",
            "-o",
            str(run.OUT / "profile-hero.txt"),
            "--",
            run.our_python(),
            str(run.HEROES / args.script),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=hero.stderr,
            env=hero.env,
            cwd=str(run.HEROES),
        )
        run._started.append(hero.proc)

    hero.start = start  # type: ignore[method-assign]
    try:
        await hero.start()
        await hero.expect("ready", 60)
        grid = await peer.wait_for("grid")
        label = await peer.wait_for("label")
        watcher = GridOrderWatcher(grid, label, args.updates)
        peer.watcher = watcher
        hero.tell("go")
        figures = await hero.expect("caller_us", 300)
        await asyncio.wait_for(watcher.done.wait(), 300)
        hero.tell("done")
        figures = await hero.expect("cpu_us", 60)
        assert watcher.done_at is not None
        ups = args.updates / (watcher.done_at - figures["t0_monotonic"])
        print(
            f"ok={watcher.ok} updates/s={ups:,.0f} caller={figures['caller_us']:.2f} µs "
            f"cpu={figures['cpu_us']:.2f} µs (under py-spy)"
        )
        await hero.stop(20)
    finally:
        await peer.close()
        spy_relay.send_signal(2)
        spy_relay.wait(20)
        await relay.stop()
    for name in ("hero", "relay"):
        path = run.OUT / f"profile-{name}.txt"
        if path.exists():
            print(summarize(path))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--updates", type=int, default=200000)
    p.add_argument("--script", default="throughput.py")
    asyncio.run(main(p.parse_args()))
    os._exit(0)

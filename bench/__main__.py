"""`python -m bench`: every benchmark of issue 14 in one run (about three minutes on two
cores, five at most), then one table with the ceiling beside each figure.

Each benchmark runs in a process of its own (so one's memory or imports never colour
another's figures) against one PostgreSQL server: DATABASE_URL, or an embedded one started
here for the run; each works in a fresh database of its own there. Each also prints its own
detail above the table. A benchmark that fails or runs out of time leaves its rows out and
says so; the others still report. Figures vary between runs on a shared machine: compare
figures from one run. Nothing here asserts a time.

    python -m bench            # everything
    python -m bench cpu start  # some: cpu, start, balance, charge, generation
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.database import database_server
from bench.table import ROWS_ENV, machine, markdown, read_rows

ROOT = Path(__file__).resolve().parent.parent
# name: (what follows `python`, time limit in seconds). The generation benchmark is started
# with -c, as `python -m bot` is with -m bot: the image pool's spawned workers then import
# only what their work needs, not the benchmark's own module, so its memory is the bot's.
BENCHMARKS: dict[str, tuple[list[str], float]] = {
    "cpu": (["-m", "bench.cpu_per_result"], 60),
    "start": (["-m", "bench.startup"], 90),
    "balance": (["-m", "bench.balance_latency"], 150),
    "charge": (["-m", "bench.charge_throughput"], 90),
    "generation": (
        ["-c", "import sys; from bench.generation_overhead import main; sys.exit(main())"],
        180,
    ),
}


def run(name: str, command: list[str], limit: float, env: dict[str, str]) -> str | None:
    """Runs one benchmark, its output passed through; a sentence if it did not finish."""
    print(f"\n=== {name}: python {' '.join(command)}", flush=True)
    started = time.monotonic()
    # A process group of its own: on time out, what the benchmark started goes with it
    # (a stand-in server, a bot and its embedded PostgreSQL).
    process = subprocess.Popen(
        [sys.executable, *command], cwd=ROOT, env=env, start_new_session=True
    )
    try:
        returncode = process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        _stop_group(process)
        return f"{name}: stopped after {limit:g} s"
    except KeyboardInterrupt:  # Ctrl+C reaches this process only: the group is ours to stop
        _stop_group(process)
        raise
    print(f"=== {name}: {time.monotonic() - started:.0f} s", flush=True)
    return None if returncode == 0 else f"{name}: exit status {returncode}"


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGINT to the benchmark's process group, as Ctrl+C would (Python then runs its
    clean-ups: temporary directories, a bot's orderly stop), then SIGKILL to whatever of
    it is left (at once if the benchmark itself has gone, else after 15 s)."""
    for sig, grace in ((signal.SIGINT, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
        time.sleep(0.5)  # its children, if any, a moment to go too


def main(chosen: list[str]) -> int:
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    names = chosen or list(BENCHMARKS)
    started = time.monotonic()
    problems = []
    with tempfile.TemporaryDirectory(prefix="bench-rows-") as scratch:
        rows_file = Path(scratch) / "rows.jsonl"
        with database_server() as conninfo:
            env = {**os.environ, "DATABASE_URL": conninfo, ROWS_ENV: str(rows_file)}
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
            for name in names:
                command, limit = BENCHMARKS[name]
                problem = run(name, command, limit, env)
                if problem:
                    problems.append(problem)
        rows = read_rows(rows_file)
    print(f"\nmachine: {machine()}; all benchmarks: {time.monotonic() - started:.0f} s\n")
    print(markdown(rows))
    for problem in problems:
        print(f"\nmissing rows: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

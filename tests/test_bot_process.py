"""`python -m bot` on a fresh machine: starts its embedded PostgreSQL, migrates, serves
/health, stops cleanly on SIGTERM, and finds its data again on the next start."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path
from typing import IO

import aiohttp

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The bot's log lines read "<time> LEVEL logger: message" (bot/__main__.py).
_ERROR_LINE = re.compile(r" (?:ERROR|CRITICAL) |Traceback")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN")}
    return {**env, "DATA_DIR": str(data_dir), "PORT": str(port)}


async def wait_for_health(url: str, within: float = 60) -> tuple[int, dict]:
    deadline = asyncio.get_running_loop().time() + within
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as response:
                    return response.status, await response.json()
            except aiohttp.ClientConnectionError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.2)


async def start_bot(
    workdir: Path,
    port: int,
    *args: str,
    env: dict[str, str] | None = None,
    quiet: bool = False,
    log: Path | None = None,
) -> asyncio.subprocess.Process:
    """`python -m bot ARGS` as a fresh machine runs it: from a directory of its own, with
    `env` added to the environment; `quiet` discards its output instead of keeping it,
    `log` writes it to a file (for a process that will be SIGKILLed: its image workers
    outlive it for a moment and would hold a pipe open)."""
    environment = {
        **bot_env(workdir / "data", port),
        "PYTHONPATH": str(PROJECT_ROOT),
        **(env or {}),
    }
    output: int | IO[bytes] = asyncio.subprocess.DEVNULL if quiet else asyncio.subprocess.PIPE
    if log is not None:
        output = log.open("ab")
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=workdir,
            env=environment,
            stdout=output,
            stderr=asyncio.subprocess.DEVNULL if quiet else asyncio.subprocess.STDOUT,
        )
    finally:
        if not isinstance(output, int):
            output.close()


def assert_no_error_lines(output: str) -> None:
    """The same check the e2e harness makes in-process, for a bot run as a process: no
    ERROR or CRITICAL log line and no traceback."""
    found = [line for line in output.splitlines() if _ERROR_LINE.search(line)]
    assert not found, "the bot process reported errors:\n" + "\n".join(found)


async def test_runs_with_no_configuration_and_stops_cleanly(tmp_path: Path):
    port = free_port()
    process = await start_bot(tmp_path, port)
    try:
        health = await wait_for_health(f"http://127.0.0.1:{port}/health")
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)

    assert health == (200, {"status": "ok", "database": "ok"})
    assert process.returncode == 0, output.decode()
    log = output.decode()
    assert "stopped cleanly" in log
    assert_no_error_lines(log)
    assert not (tmp_path / "data" / "postgres" / "postmaster.pid").exists()

    migrate = await start_bot(tmp_path, port, "migrate")
    output, _ = await migrate.communicate()
    assert migrate.returncode == 0, output.decode()
    assert "migrations applied: none (up to date)" in output.decode()
    assert_no_error_lines(output.decode())

"""Wall time of an order of 4 variants against an order of one.

Run from the project root:

    python -m bench.variants [ROUNDS] [LATENCY_SECONDS]

A user of the sandbox chat orders through the real bot (python-telegram-bot against the
loopback Bot API, the embedded PostgreSQL or DATABASE_URL, the job queue and its worker):
/generate, a description, 1 or 4 variants, ✅. The time runs from the tap on ✅ to the
last message of the delivery: the photo for one variant, the buttons message under the
album for four. Once with the offline local renderer, once with the real `replicate`
library against the Replicate stand-in (in a process of its own, each prediction taking
LATENCY_SECONDS, 2 by default, polled as the bot polls without a PUBLIC_URL). ROUNDS
(3 by default) orders of each size, alternating; the median is printed. The variants of
an order run as parallel jobs, so the aim is 4 variants within 1.3x one variant's time.
It asserts nothing.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from pydantic import SecretStr

from bench.database import run_on_a_database
from bench.generation_overhead import start_standin
from bot.settings import Settings
from bot.telegram_app import build_application, start_polling, stop_bot
from bot.wiring import build_services
from bot.workers import build_worker, worker_options
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from services.adapters.db import Database
from services.adapters.migrations import apply_migrations
from services.generators.cpu import warm_up

STANDIN_TOKEN = "r8_standin_token"
TIMEOUT = 120.0  # seconds any one message may take
_user_ids = itertools.count(8_100_000)


def _has_button(fragment: str) -> Callable[[SentMessage], bool]:
    return lambda message: any(fragment in text for text in message.button_texts)


async def _press(user: SandboxUser, message: SentMessage, fragment: str) -> None:
    for button in message.current.buttons:
        if fragment in button["text"]:
            await user.press(message, button["callback_data"])
            return
    raise AssertionError(f"no button {fragment!r} in {message.current.button_texts}")


async def one_order(sandbox: SandboxServer, variants: int) -> float:
    """Seconds from the tap on ✅ to the delivery's last message, for a new user."""
    user = sandbox.user(next(_user_ids), first_name="Bench")
    await user.send_command("/start")
    await user.wait_for_message(lambda m: "Welcome" in (m.text or ""), timeout=TIMEOUT)
    await user.send_command("/generate")
    chooser = await user.wait_for_message(
        lambda m: "What kind of thumbnail" in (m.text or ""), timeout=TIMEOUT
    )
    await _press(user, chooser, "From a description")
    await user.wait_for_message(lambda m: "Describe your video" in (m.text or ""))
    await user.send_text(f"A cabin built alone, take {user.id}")
    order = await user.wait_for_message(_has_button("Generate"), timeout=TIMEOUT)
    if variants > 1:
        await _press(user, order, f"{variants}\N{MULTIPLICATION SIGN}")
        await user.wait_for_message(_has_button(f"({10 * variants} credits)"), timeout=TIMEOUT)
    started = time.monotonic()
    await _press(user, order, "Generate")
    if variants > 1:
        await user.wait_for_message(lambda m: "variants above" in (m.text or ""), timeout=TIMEOUT)
    else:
        await user.wait_for_message(lambda m: m.photo is not None, timeout=TIMEOUT)
    return time.monotonic() - started


async def measure(conninfo: str, label: str, settings: Settings, rounds: int) -> None:
    db = Database(conninfo, min_size=4, max_size=40)
    await db.open()
    sandbox = SandboxServer()
    token = sandbox.register_bot("bench_variants_bot")
    await sandbox.start()
    services = await build_services(settings, db)
    application = build_application(token, sandbox.url, services)
    await start_polling(application)
    worker = build_worker(application, services, worker_options(settings))
    worker.start()
    try:
        await warm_up()
        await one_order(sandbox, 4)  # not counted: first imports, first connections
        times: dict[int, list[float]] = {1: [], 4: []}
        for _ in range(rounds):
            for variants in (1, 4):
                times[variants].append(await one_order(sandbox, variants))
        one, four = statistics.median(times[1]), statistics.median(times[4])
        print(
            f"{label:<28} {one:10.2f} {four:11.2f} {four / one:7.2f}"
            f"   (1: {', '.join(f'{s:.2f}' for s in times[1])};"
            f" 4: {', '.join(f'{s:.2f}' for s in times[4])})"
        )
    finally:
        await worker.stop()
        await stop_bot(application)
        await sandbox.stop()
        await db.close()


async def benchmark(server: str, rounds: int, latency: float) -> None:
    """On a fresh database (dropped at the end), both generators."""
    name = f"bench_variants_{uuid.uuid4().hex[:12]}"
    async with await psycopg.AsyncConnection.connect(server, autocommit=True) as conn:
        await conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        await compare(make_conninfo(server, dbname=name), rounds, latency)
    finally:
        async with await psycopg.AsyncConnection.connect(server, autocommit=True) as conn:
            await conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


async def compare(conninfo: str, rounds: int, latency: float) -> None:
    await apply_migrations(conninfo)
    standin, standin_url = await start_standin(latency)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-variants-") as files:
            data = Path(files)  # the bot's stored pictures, removed at the end
            local = Settings(_env_file=None, data_dir=data / "local")  # type: ignore[call-arg]
            replicate = Settings(  # type: ignore[call-arg]
                _env_file=None,
                data_dir=data / "replicate",
                replicate_api_token=SecretStr(STANDIN_TOKEN),
                replicate_base_url=standin_url,
            )
            print(f"median of {rounds} orders each, from the tap on ✅ to the last message")
            print(f"{'generator':<28} {'1 variant s':>10} {'4 variants s':>11} {'ratio':>7}")
            await measure(conninfo, "local renderer", local, rounds)
            await measure(conninfo, f"Replicate stand-in, {latency:g} s", replicate, rounds)
    finally:
        standin.terminate()
        await standin.wait()


if __name__ == "__main__":
    arguments = sys.argv[1:]
    rounds = int(arguments[0]) if arguments else 3
    latency = float(arguments[1]) if len(arguments) > 1 else 2.0
    raise SystemExit(run_on_a_database(lambda conninfo: benchmark(conninfo, rounds, latency)))

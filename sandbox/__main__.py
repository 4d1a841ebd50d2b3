"""Run the sandbox standalone: ``python -m sandbox --port 8081 [--console]``.

Prints the token and URLs to configure a bot with, then serves until Ctrl+C. With
``--console`` the terminal becomes a Telegram chat with that bot.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from pathlib import Path

from sandbox.console import run_console
from sandbox.server import SandboxServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", help="bot token to register (default: generated)")
    parser.add_argument("--username", default="sandbox_bot", help="the bot's @username")
    parser.add_argument(
        "--auto-register",
        action="store_true",
        help="accept any well-formed token, creating its bot on first use",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep bots, chats, files and payments here across restarts (default: in memory)",
    )
    parser.add_argument("--flood", action="store_true", help="enforce Telegram flood limits")
    parser.add_argument("--console", action="store_true", help="chat with the bot here")
    parser.add_argument("--user-id", type=int, default=1000, help="console user's id")
    parser.add_argument("--first-name", default="Sandbox", help="console user's first name")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every API call")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    server = SandboxServer(
        host=args.host,
        port=args.port,
        auto_register_bots=args.auto_register,
        data_dir=args.data_dir,
    )
    if args.flood:
        server.set_flood_limits(enabled=True)
    token = server.register_bot(args.username, token=args.token)
    await server.start()
    print(f"Telegram Bot API sandbox on {server.url}")
    print(f"  token:         {token}")
    print(f"  base_url:      {server.api_base_url}")
    print(f"  base_file_url: {server.file_base_url}")
    try:
        if args.console:
            await run_console(server.user(args.user_id, first_name=args.first_name))
        else:
            await asyncio.Event().wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()

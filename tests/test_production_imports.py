"""A production run (a real TELEGRAM_BOT_TOKEN) never loads sandbox/: the loopback Bot API
server and the terminal chat are test and demo code, imported only in sandbox mode.

Each check runs in a fresh interpreter, since this test process has imported sandbox/
for other tests already."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path

    import bot.__main__  # the entry point: imports the runtime, the wiring, the services
    from bot.runtime import bot_api
    from bot.settings import Settings

    async def connect(token: str | None) -> str:
        settings = Settings(_env_file=None, telegram_bot_token=token, data_dir=Path(sys.argv[1]))
        async with bot_api(settings) as (_, api_url, _):
            return api_url

    print(asyncio.run(connect(sys.argv[2] if len(sys.argv) > 2 else None)))
    print(sorted({name.split(".")[0] for name in sys.modules} & {"sandbox"}))
    """
)


def run_bot_api(data_dir: Path, *token: str) -> list[str]:
    """The Bot API URL the bot would use and whether sandbox/ got imported, as printed
    by a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data_dir), *token],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.splitlines()


def test_a_run_with_a_token_never_imports_the_sandbox(tmp_path: Path) -> None:
    api_url, imported = run_bot_api(tmp_path, "123456:production-token")

    assert not api_url.startswith("http://127.0.0.1:")  # Telegram's (or TELEGRAM_API_URL)
    assert imported == "[]"
    assert not (tmp_path / "sandbox").exists()


def test_sandbox_mode_does_import_it(tmp_path: Path) -> None:
    api_url, imported = run_bot_api(tmp_path)

    assert api_url.startswith("http://127.0.0.1:")
    assert imported == "['sandbox']"

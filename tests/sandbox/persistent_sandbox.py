"""A persistent sandbox in a process of its own, for the kill -9 test.

``python -m tests.sandbox.persistent_sandbox DATA_DIR`` serves a SandboxServer on
DATA_DIR, prints ``{"url": ..., "token": ...}`` as one JSON line, then performs user
actions read as JSON lines on stdin (see :func:`perform`), answering each with a JSON
line, until it is killed or stdin closes. The in-process tests call :func:`perform`
directly, so both run the very same user actions.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from pathlib import Path
from typing import Any

from sandbox import SandboxServer, SandboxUser

BOT_USERNAME = "keeper_bot"
USER_ID = 1000


async def perform(user: SandboxUser, action: dict[str, Any]) -> Any:
    """One user action: ``command``, ``photo``, ``document`` (bytes in base64) or
    ``pay`` (an invoice message); the user's message, or whether the payment went
    through."""
    kind = action["do"]
    if kind == "command":
        return await user.send_command(action["command"])
    if kind == "photo":
        return await user.send_photo(base64.b64decode(action["data"]))
    if kind == "document":
        data = base64.b64decode(action["data"])
        return await user.send_document(data, action["file_name"])
    if kind == "pay":
        return (await user.pay(action["message_id"])).ok
    raise ValueError(f"unknown action {kind!r}")


async def serve(data_dir: Path) -> None:
    async with SandboxServer(data_dir=data_dir) as server:
        token = server.register_bot(BOT_USERNAME)
        user = server.user(USER_ID, first_name="Ann")
        print(json.dumps({"url": server.url, "token": token}), flush=True)
        while line := await asyncio.to_thread(sys.stdin.readline):
            print(json.dumps(await perform(user, json.loads(line))), flush=True)


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1])))

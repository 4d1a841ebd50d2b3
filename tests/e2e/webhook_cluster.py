"""Several `python -m bot` processes in webhook mode behind one URL, as a deployment runs
them: a small round-robin proxy (aiohttp) takes Telegram's posts and passes each to the
next process. Used by tests/e2e/test_multiprocess.py and bench/webhook_throughput.py.

Like a load balancer, the proxy retries the next process when one refuses the connection
(the request never reached it); a connection that breaks mid-request is answered 502, so
Telegram (the sandbox) delivers the update again.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import signal
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psutil
from aiohttp import web

from tests.test_bot_process import free_port, start_bot, wait_for_health


async def until_ready(url: str, within: float = 90) -> None:
    """Until the bot at `url` answers /readyz with 200 (it serves HTTP a moment before
    its update intake and workers run, and says so)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        status, body = await wait_for_health(f"{url}/readyz", within=within)
        if status == 200:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{url} not ready: {body}")
        await asyncio.sleep(0.1)


class RoundRobinProxy:
    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.port = free_port()
        self.forwarded = [0] * len(backends)
        self.broken = 0  # requests cut off mid-way (answered 502)
        self._next = itertools.cycle(range(len(backends)))
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        for _ in self.backends:
            index = next(self._next)
            try:
                async with self._http.request(
                    request.method,
                    f"{self.backends[index]}{request.rel_url}",
                    data=body,
                    headers=headers,
                ) as answer:
                    self.forwarded[index] += 1
                    return web.Response(status=answer.status, body=await answer.read())
            except aiohttp.ClientConnectorError:
                continue  # refused: never reached that process, the next one may take it
            except aiohttp.ClientError:
                self.broken += 1
                return web.Response(status=502)
        return web.Response(status=502)


@dataclass
class BotProcess:
    port: int
    log: Path
    process: asyncio.subprocess.Process

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def memory(self) -> tuple[int, int]:
        """Resident memory in bytes: (the bot process's, the largest of its image
        workers')."""
        own = psutil.Process(self.process.pid)
        largest = 0
        for child in own.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                largest = max(largest, child.memory_info().rss)
        return own.memory_info().rss, largest


@dataclass
class WebhookCluster:
    """`size` bot processes sharing `env` (their database, the sandbox, ...), each with
    its own port, working directory and log file under `workdir`."""

    workdir: Path
    size: int
    env: dict[str, str]
    bots: list[BotProcess] = field(default_factory=list)
    proxy: RoundRobinProxy | None = None

    async def start(self) -> None:
        ports = [free_port() for _ in range(self.size)]
        self.proxy = RoundRobinProxy([f"http://127.0.0.1:{port}" for port in ports])
        await self.proxy.start()
        for index, port in enumerate(ports):
            home = self.workdir / f"bot{index}"
            home.mkdir(parents=True, exist_ok=True)
            log = home / "bot.log"
            # One DATA_DIR for all, as a shared volume: without Supabase Storage the
            # processes keep users' files there, and any of them may need any file.
            env = {"DATA_DIR": str(self.workdir / "data"), **self.env, "PUBLIC_URL": self.proxy.url}
            process = await start_bot(home, port, env=env, log=log)
            self.bots.append(BotProcess(port, log, process))
        await asyncio.gather(*(self._ready(bot) for bot in self.bots))

    @staticmethod
    async def _ready(bot: BotProcess) -> None:
        """Until it is ready; a process that exits first fails with its log."""
        exited = asyncio.create_task(bot.process.wait())
        ready = asyncio.create_task(until_ready(bot.url))
        await asyncio.wait({exited, ready}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            raise RuntimeError(f"bot on port {bot.port} exited:\n{bot.log.read_text()[-3000:]}")
        exited.cancel()
        await ready

    def kill(self, index: int) -> None:
        self.bots[index].process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        for bot in self.bots:
            if bot.process.returncode is None:
                bot.process.send_signal(signal.SIGTERM)
        for bot in self.bots:
            try:
                await asyncio.wait_for(bot.process.wait(), timeout=60)
            except TimeoutError:
                bot.process.kill()
                await bot.process.wait()
        if self.proxy is not None:
            await self.proxy.stop()

    def logs(self) -> str:
        return "\n".join(bot.log.read_text() for bot in self.bots if bot.log.exists())

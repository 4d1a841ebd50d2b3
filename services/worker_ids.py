"""Names for the holders of leases (jobs, broadcasts, webhook updates)."""

from __future__ import annotations

import os
import socket
import uuid


def new_worker_id() -> str:
    """Host, process and a random tail: an operator can tell from a lease row which
    process holds it, and two workers in one process never share a name."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

"""Where prometheus-client keeps this process's metrics (its multi-process mode), chosen
before the library is imported: it picks its mode from PROMETHEUS_MULTIPROC_DIR at import.

`python -m bot` calls `prepare()` first thing. Set PROMETHEUS_MULTIPROC_DIR to choose the
directory (give each bot process its own); unset, a fresh temporary directory is made and
removed when the process exits (or, when it was killed, by the next process to start). The
image pool's worker processes inherit the variable, so anything they count adds up in the
same place.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "thumbbot-metrics-"


def prepare() -> Path:
    configured = os.environ.get(VARIABLE)
    if configured:
        directory = Path(configured)
        directory.mkdir(parents=True, exist_ok=True)
        return directory
    _remove_orphans()
    directory = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    os.environ[VARIABLE] = str(directory)
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


def _remove_orphans() -> None:
    """The directories of bot processes that were killed (their exit never removed them)."""
    for directory in Path(tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = directory.name.removeprefix(PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(directory, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True

"""Where prometheus-client keeps this process's metrics (its multi-process mode), chosen
before the library is imported: it picks its mode from PROMETHEUS_MULTIPROC_DIR at import.

`python -m bot` calls `prepare()` first thing. Set PROMETHEUS_MULTIPROC_DIR to choose the
directory (give each bot process its own); unset, a fresh temporary directory is made and
removed when the process exits. The image pool's worker processes inherit the variable,
so anything they count adds up in the same place.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def prepare() -> Path:
    configured = os.environ.get(VARIABLE)
    if configured:
        directory = Path(configured)
        directory.mkdir(parents=True, exist_ok=True)
        return directory
    directory = Path(tempfile.mkdtemp(prefix="thumbbot-metrics-"))
    os.environ[VARIABLE] = str(directory)
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory

"""Fails the test run when it leaves a process behind.

The pytest process makes itself a *child subreaper* (Linux), so a process whose parent
died (say an image-pool worker of a bot that a test killed) is re-parented to pytest
instead of to init, and stays visible as its descendant. At the end of the session every
descendant still alive is a leak: reported, killed, and the run fails."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys
import time
from multiprocessing import resource_tracker

import psutil
import pytest

_PR_SET_CHILD_SUBREAPER = 36
#: Workers of a dead parent notice within a second (services/generators/cpu.py).
GRACE_SECONDS = 3.0


def _become_subreaper() -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _reap_zombies() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] != 0:
            pass


def _alive_descendants() -> list[psutil.Process]:
    """Descendants still running, except this process's own multiprocessing resource
    tracker, which by design lives until this process exits."""
    _reap_zombies()
    own_tracker = resource_tracker._resource_tracker._pid
    alive = []
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            if process.pid != own_tracker and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
    return alive


def _describe(process: psutil.Process) -> str:
    with contextlib.suppress(psutil.Error):
        return f"pid {process.pid}: {' '.join(process.cmdline())[:200]}"
    return f"pid {process.pid}"


def pytest_configure(config: pytest.Config) -> None:
    _become_subreaper()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Runs after the session fixtures (the embedded PostgreSQL) were torn down."""
    deadline = time.monotonic() + GRACE_SECONDS
    leftovers = _alive_descendants()
    while leftovers and time.monotonic() < deadline:
        time.sleep(0.1)
        leftovers = _alive_descendants()
    if not leftovers:
        return
    lines = "\n".join(f"  {_describe(process)}" for process in leftovers)
    for process in leftovers:
        with contextlib.suppress(psutil.Error):
            process.kill()
    _reap_zombies()
    session.config.get_terminal_writer().line(
        f"\nThe test run left {len(leftovers)} process(es) behind:\n{lines}", red=True
    )
    session.exitstatus = pytest.ExitCode.TESTS_FAILED

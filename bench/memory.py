"""Memory of a process and its image pool: proportional set size (PSS), so the libraries
the pool's workers share with each other count once between them, not once each."""

from __future__ import annotations

from dataclasses import dataclass

import psutil

MB = 1024 * 1024


@dataclass(frozen=True)
class Footprint:
    process_mb: float
    pool_mb: float
    pool_workers: int

    @property
    def total_mb(self) -> float:
        return self.process_mb + self.pool_mb

    def __str__(self) -> str:
        return (
            f"{self.total_mb:.0f} MB ({self.process_mb:.0f} process + {self.pool_mb:.0f} pool"
            f" of {self.pool_workers})"
        )


def _pss(process: psutil.Process) -> float:
    try:
        return float(process.memory_full_info().pss) / MB
    except (psutil.NoSuchProcess, psutil.AccessDenied, AttributeError):
        return float(process.memory_info().rss) / MB


def footprint(pid: int) -> Footprint:
    """The process `pid` and its image pool's workers (its spawned multiprocessing
    children; other children, such as a stand-in server, are not counted)."""
    process = psutil.Process(pid)
    workers = [
        child
        for child in process.children(recursive=True)
        if any("spawn_main" in part for part in _cmdline(child))
    ]
    return Footprint(_pss(process), sum(_pss(worker) for worker in workers), len(workers))


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []

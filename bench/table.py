"""The figures `python -m bench` collects from each benchmark, and the table it prints.

A benchmark run by `python -m bench` appends its rows as JSON lines to the file named by
BENCH_ROWS; run alone, it only prints its own detail. A row is a figure beside its ceiling;
`within` says whether the figure is inside it (None: a figure reported, with no ceiling).
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROWS_ENV = "BENCH_ROWS"


@dataclass(frozen=True)
class Row:
    order: int  # where the row stands in the table (the order)
    measure: str
    figure: str
    ceiling: str
    within: bool | None


def report(rows: Iterable[Row]) -> None:
    """Hands the rows to `python -m bench` when it runs this benchmark; else nothing."""
    target = os.environ.get(ROWS_ENV)
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")


def read_rows(path: Path) -> list[Row]:
    if not path.exists():
        return []
    return [Row(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()]


def verdict(within: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "-"}[within]


def markdown(rows: Sequence[Row]) -> str:
    """The table as Markdown, rows in the issue's order."""
    lines = ["| measure | measured | ceiling | within |", "|---|---|---|---|"]
    for row in sorted(rows, key=lambda r: r.order):
        lines.append(f"| {row.measure} | {row.figure} | {row.ceiling} | {verdict(row.within)} |")
    return "\n".join(lines)


def machine() -> str:
    """One line about the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    model = _cpu_model()
    if model:
        cpu = model
    memory = _memory_gib()
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f}"
    except OSError:
        pass
    return "?"

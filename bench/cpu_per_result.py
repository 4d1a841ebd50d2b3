"""CPU per delivered result: what the image pool spends finishing one model picture.

Run from the project root:

    python -m bench.cpu_per_result [COUNT]

The work of `finish_thumbnail` as the Replicate generator calls it: decode the model's
JPEG, fit it to the format, draw a headline (another wording, side and emphasis for each
variation), encode the JPEG within the format's limit. Timed as this process's CPU time,
one result after another, COUNT (40) 16:9 results from the busy 1344x768 picture of
bench/pictures.py, after three that warm the caches (fonts, scrims); then a few of each
other format and the Replicate stand-in's smooth picture, for comparison. It asserts
nothing.
"""

from __future__ import annotations

import statistics
import sys
import time

from bench.pictures import provider_picture
from bench.table import Row, report
from services.formats import DEFAULT_FORMAT, FORMATS, ThumbnailFormat
from services.generators.postprocess import finish_thumbnail, overlay_headline_text, text_side
from tests.standins.replicate import output_image

PROMPTS = (
    "I spent 100 days in Minecraft hardcore and here is what happened",
    "The secret trick pro bakers never tell you",
    "Why nobody talks about this budget camera",
    "Как я заработал миллион на YouTube за 30 дней",
)
CEILING_MS = 25.0  # issue 14


def finish(picture: bytes, n: int, fmt: ThumbnailFormat = DEFAULT_FORMAT) -> bytes:
    headline = overlay_headline_text([PROMPTS[n % len(PROMPTS)]], n)
    return finish_thumbnail(picture, headline, text_side(n, fmt), n, fmt=fmt)


def cpu_ms(picture: bytes, count: int, fmt: ThumbnailFormat = DEFAULT_FORMAT) -> list[float]:
    """CPU milliseconds of each of `count` results."""
    for n in range(3):
        finish(picture, n, fmt)
    times = []
    for n in range(count):
        started = time.process_time()
        finish(picture, n, fmt)
        times.append((time.process_time() - started) * 1000)
    return times


def describe(label: str, times: list[float]) -> str:
    return (
        f"{label:<40} p50 {statistics.median(times):6.1f} ms   mean {statistics.mean(times):6.1f}"
        f"   min {min(times):6.1f}   max {max(times):6.1f}"
    )


def main(count: int) -> None:
    busy = provider_picture()
    print(f"model picture: 1344x768 JPEG, {len(busy) / 1024:.0f} KB (bench/pictures.py)")
    times = cpu_ms(busy, count)
    print(describe(f"{count} x 16:9 1280x720", times))
    for fmt in FORMATS.values():
        if fmt != DEFAULT_FORMAT:
            print(describe(f"10 x {fmt.key} {fmt.width}x{fmt.height}", cpu_ms(busy, 10, fmt)))
    smooth = output_image((1344, 768))
    print(describe("10 x 16:9 from the stand-in's picture", cpu_ms(smooth, 10)))
    p50 = statistics.median(times)
    report(
        [
            Row(
                30,
                "CPU per delivered result (decode the model's 1344x768 JPEG, fit to"
                " 1280x720, draw the headline, encode the JPEG)",
                f"p50 {p50:.1f} ms (mean {statistics.mean(times):.1f} ms, {count} results)",
                f"≤ {CEILING_MS:.0f} ms",
                p50 <= CEILING_MS,
            )
        ]
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)

"""Local renderer speed and output size, across the six modes and the three formats.

Run from the project root:

    python -m bench.local_renderer [COUNT]

It renders COUNT thumbnails (54 by default) one after another, cycling through the modes,
formats (16:9, 9:16, 1:1), prompts and variations, and prints per-thumbnail times (mean,
p50, p95, max), JPEG sizes, a per-format and a per-mode breakdown, and the throughput of the
same work run four at a time. The first render is reported apart: it pays for loading
OpenCV's face cascade and finding fonts. Inputs are the drawn pictures the tests use. It
asserts nothing.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid
from collections import defaultdict

from services.formats import FORMATS
from services.generators.base import GenerationRequest, VideoReference
from services.generators.local_renderer import MODES, LocalRenderer
from tests.test_local_renderer import encoded, face_photo, style_frame, video_frame

PROMPTS = (
    "I spent 100 days in Minecraft hardcore and here is what happened",
    "The secret trick pro bakers never tell you",
    "Как я заработал миллион на YouTube за 30 дней",
    "Why nobody talks about this budget camera",
    "How I made $10,000 in one week with a lemonade stand",
)
CONCURRENCY = 4


def build_requests(count: int) -> list[GenerationRequest]:
    face = encoded(face_photo())
    video = VideoReference(
        url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        video_id="dQw4w9WgXcQ",
        title="I Tried 100 Street Foods in Tokyo",
        thumbnail=encoded(video_frame()),
    )
    style = VideoReference(
        url="https://www.youtube.com/watch?v=a-B_c1D2e3F",
        video_id="a-B_c1D2e3F",
        thumbnail=encoded(style_frame()),
    )
    modes, formats = list(MODES), list(FORMATS.values())
    return [
        GenerationRequest(
            generation_id=uuid.uuid4(),
            mode=modes[i % len(modes)],
            prompt=PROMPTS[i % len(PROMPTS)],
            video=video,
            style=style,
            face=face,
            variation=i // (len(modes) * len(formats)),
            format=formats[i // len(modes) % len(formats)],
        )
        for i in range(count)
    ]


async def no_progress(fraction: float, stage: str) -> None:
    return None


async def timed(renderer: LocalRenderer, request: GenerationRequest) -> tuple[float, int]:
    """(milliseconds, JPEG bytes) of one render."""
    started = time.perf_counter()
    data = await renderer.generate(request, no_progress)
    return (time.perf_counter() - started) * 1000, len(data)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(title: str, millis: list[float]) -> None:
    print(
        f"{title:<28} mean {statistics.mean(millis):6.1f} ms   p50 {percentile(millis, 0.5):6.1f}"
        f"   p95 {percentile(millis, 0.95):6.1f}   max {max(millis):6.1f}"
    )


async def main(count: int) -> None:
    renderer = LocalRenderer()
    requests = build_requests(count)
    cold_ms, _ = await timed(renderer, requests[0])
    print(f"first render (cold)          {cold_ms:6.1f} ms")

    results = [await timed(renderer, request) for request in requests]
    millis = [ms for ms, _ in results]
    sizes_kb = [size / 1024 for _, size in results]
    report(f"{count} thumbnails, one by one", millis)
    print(
        f"{'JPEG size':<28} mean {statistics.mean(sizes_kb):6.1f} KB   "
        f"min {min(sizes_kb):6.1f}   max {max(sizes_kb):6.1f}"
    )
    by_format: dict[str, list[float]] = defaultdict(list)
    by_mode: dict[str, list[float]] = defaultdict(list)
    for request, (ms, _) in zip(requests, results, strict=True):
        by_format[request.format.key].append(ms)
        by_mode[request.mode].append(ms)
    for key, values in by_format.items():
        report(f"  format {key}", values)
    for mode, values in by_mode.items():
        report(f"  {mode}", values)

    semaphore = asyncio.Semaphore(CONCURRENCY)

    async def limited(request: GenerationRequest) -> None:
        async with semaphore:
            await renderer.generate(request, no_progress)

    started = time.perf_counter()
    await asyncio.gather(*(limited(request) for request in requests))
    elapsed = time.perf_counter() - started
    print(f"{CONCURRENCY} at a time: {count / elapsed:.1f} thumbnails/s ({elapsed:.2f} s in all)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 54))

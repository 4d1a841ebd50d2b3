"""The offline renderer: a valid 1280x720 JPEG under 2 MB for every mode and any prompt,
the same bytes for the same request, another picture for another variation, and the
user told plainly when their face photo can't be read."""

from __future__ import annotations

import asyncio
import io
import uuid
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat

from services.generators import portrait, render_text
from services.generators.base import (
    THUMBNAIL_SIZE,
    GenerationFailed,
    GenerationRequest,
    Generator,
    VideoReference,
)
from services.generators.headline import pick_headline
from services.generators.local_renderer import MODES, LocalRenderer
from services.generators.palette import palette_from_image
from services.generators.postprocess import MAX_JPEG_BYTES, finish_thumbnail

GENERATION_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")


def face_photo(
    size: tuple[int, int] = (800, 1000), center: tuple[int, int] = (400, 420)
) -> Image.Image:
    """A drawn head and shoulders that OpenCV's frontal face cascade recognises."""
    image = Image.new("RGB", size, (70, 110, 160))
    draw = ImageDraw.Draw(image)
    cx, cy = center
    draw.ellipse((cx - 170, cy - 235, cx + 170, cy + 115), fill=(50, 30, 20))  # hair
    draw.rectangle((cx - 80, cy + 155, cx + 80, cy + 255), fill=(220, 170, 140))  # neck
    draw.ellipse((cx - 260, cy + 215, cx + 260, cy + 695), fill=(200, 40, 40))  # shoulders
    draw.ellipse((cx - 150, cy - 195, cx + 150, cy + 195), fill=(225, 180, 150))  # face
    for side in (-1, 1):
        x, y = cx + side * 70, cy - 40
        draw.rectangle((x - 45, y - 45, x + 45, y - 32), fill=(60, 40, 30))  # brow
        draw.ellipse((x - 35, y - 14, x + 35, y + 14), fill=(245, 245, 245))
        draw.ellipse((x - 13, y - 13, x + 13, y + 13), fill=(40, 30, 25))
    draw.polygon([(cx, cy - 20), (cx - 22, cy + 55), (cx + 22, cy + 55)], fill=(195, 145, 120))
    draw.ellipse((cx - 60, cy + 95, cx + 60, cy + 125), fill=(150, 60, 60))  # mouth
    return image.filter(ImageFilter.GaussianBlur(3))


def video_frame() -> Image.Image:
    """A landscape: sky, hill, sun, grass."""
    image = Image.new("RGB", THUMBNAIL_SIZE, (40, 120, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 450, 1280, 720), fill=(40, 160, 60))
    draw.ellipse((900, 60, 1100, 260), fill=(255, 220, 40))
    draw.polygon([(200, 450), (450, 150), (700, 450)], fill=(120, 120, 130))
    return image


def style_frame(left: tuple[int, int, int] = (230, 30, 160)) -> Image.Image:
    """A loud two-colour thumbnail to borrow a palette from."""
    image = Image.new("RGB", THUMBNAIL_SIZE, (10, 10, 10))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 640, 720), fill=left)
    draw.ellipse((700, 100, 1200, 600), fill=(0, 230, 120))
    return image


def encoded(image: Image.Image, image_format: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format)
    return buffer.getvalue()


FACE = encoded(face_photo())
VIDEO = VideoReference(
    url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    video_id="dQw4w9WgXcQ",
    title="I Tried 100 Street Foods in Tokyo",
    thumbnail=encoded(video_frame()),
)
STYLE = VideoReference(
    url="https://www.youtube.com/watch?v=a-B_c1D2e3F",
    video_id="a-B_c1D2e3F",
    title="A hit",
    thumbnail=encoded(style_frame()),
)


def request_for(mode: str, **changes: Any) -> GenerationRequest:
    """A request with every input a mode could use; the renderer takes what it needs."""
    fields: dict[str, Any] = {
        "prompt": "The secret trick pro bakers never tell you",
        "video": VIDEO,
        "style": STYLE,
        "face": FACE,
    }
    fields.update(changes)
    return GenerationRequest(generation_id=GENERATION_ID, mode=mode, **fields)


async def no_progress(fraction: float, stage: str) -> None:
    return None


async def render(request: GenerationRequest) -> bytes:
    generator: Generator = LocalRenderer()  # the chat and the job runner see only this
    return await generator.generate(request, no_progress)


def assert_thumbnail(data: bytes) -> Image.Image:
    assert len(data) <= MAX_JPEG_BYTES
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.size == THUMBNAIL_SIZE
    image.load()
    return image


def difference(a: bytes, b: bytes) -> float:
    """Mean absolute pixel difference of two JPEGs, 0-255."""
    first, second = (Image.open(io.BytesIO(data)).convert("RGB") for data in (a, b))
    return sum(ImageStat.Stat(ImageChops.difference(first, second)).mean) / 3


@pytest.mark.parametrize("mode", MODES)
async def test_every_mode_renders_a_thumbnail(mode: str) -> None:
    assert_thumbnail(await render(request_for(mode)))


@pytest.mark.parametrize("mode", MODES)
async def test_same_request_gives_same_bytes(mode: str) -> None:
    assert await render(request_for(mode)) == await render(request_for(mode))


@pytest.mark.parametrize("mode", MODES)
async def test_new_variation_gives_another_picture(mode: str) -> None:
    first = await render(request_for(mode, variation=0))
    second = await render(request_for(mode, variation=1))

    assert first != second
    assert difference(first, second) > 5  # visibly different, not just re-encoded


async def test_mode_without_video_or_style_thumbnails_still_renders() -> None:
    bare_video = VideoReference(url=VIDEO.url, video_id=VIDEO.video_id)
    for mode in MODES:
        request = request_for(mode, prompt=None, video=bare_video, style=None, face=FACE)
        assert_thumbnail(await render(request))


async def test_broken_youtube_thumbnail_is_left_out() -> None:
    video = VideoReference(url=VIDEO.url, video_id=VIDEO.video_id, thumbnail=b"<html>")
    assert_thumbnail(await render(request_for("youtube_thumbnail", video=video)))


async def test_no_text_at_all_still_renders() -> None:
    request = GenerationRequest(generation_id=GENERATION_ID, mode="text_to_thumbnail")
    assert_thumbnail(await render(request))


@pytest.mark.parametrize(
    "prompt",
    [
        "x" * 2000,
        ("I spent a whole year building the ultimate gaming PC and it changed everything. " * 25)[
            :2000
        ],
        "🔥🔥🔥",
        "🔥 EPIC fail compilation 😂😂 👨‍👩‍👧‍👦",
        "Как я заработал миллион на YouTube за 30 дней",
        "كيف تصبح غنيا في عشرة أيام",
        "我在日本旅行的一百天，真的太好玩了",  # noqa: RUF001 - a CJK comma on purpose
        "東京で100日間生活してみた",
        "Ünïcödé çafé crème brûlée à Paris — 10,000€!",
        "   \n\t  ",
        "",
        "\u200b\u200d\ufe0f",
    ],
)
@pytest.mark.parametrize("mode", ["text_to_thumbnail", "your_face"])
async def test_awkward_prompts_render(prompt: str, mode: str) -> None:
    assert_thumbnail(await render(request_for(mode, prompt=prompt, video=None)))


@pytest.mark.parametrize(
    "face",
    [b"", b"not an image at all", FACE[:300], encoded(face_photo())[:-2000] + b"\x00" * 10],
    ids=["empty", "text", "header-only", "truncated"],
)
async def test_unreadable_face_is_reported(face: bytes) -> None:
    with pytest.raises(GenerationFailed) as raised:
        await render(request_for("your_face", face=face))
    assert raised.value.key == "face_unreadable"


async def test_face_photo_too_large_to_decode_is_unreadable() -> None:
    huge = encoded(Image.new("L", (8000, 6000)), "PNG")  # 48 megapixels, a few KB of PNG

    with pytest.raises(GenerationFailed) as raised:
        await render(request_for("your_face", face=huge))
    assert raised.value.key == "face_unreadable"


async def test_face_is_ignored_by_modes_without_one() -> None:
    assert_thumbnail(await render(request_for("text_to_thumbnail", face=b"garbage")))


def test_sideways_phone_photo_is_turned_upright() -> None:
    stored = face_photo().transpose(Image.Transpose.ROTATE_90)  # as the camera wrote it
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", exif=exif)

    assert portrait.load_face(buffer.getvalue()).size == (800, 1000)


async def test_face_in_any_common_format() -> None:
    for image_format in ("PNG", "WEBP", "GIF", "BMP"):
        face = encoded(face_photo(), image_format)
        assert_thumbnail(await render(request_for("your_face", face=face)))
    transparent = face_photo().convert("RGBA")
    transparent.putalpha(200)
    assert_thumbnail(await render(request_for("your_face", face=encoded(transparent, "PNG"))))


async def test_unknown_mode_fails_plainly() -> None:
    with pytest.raises(GenerationFailed) as raised:
        await render(request_for("make_it_pop"))
    assert raised.value.key == "generation_failed"


async def test_progress_is_reported_in_increasing_steps() -> None:
    calls: list[tuple[float, str]] = []

    async def progress(fraction: float, stage: str) -> None:
        calls.append((fraction, stage))

    await LocalRenderer().generate(request_for("your_face"), progress)

    fractions = [fraction for fraction, _ in calls]
    assert len(calls) >= 3
    assert fractions == sorted(set(fractions))
    assert fractions[0] > 0
    assert fractions[-1] <= 1
    assert all(stage for _, stage in calls)


async def test_concurrent_renders_match_sequential_ones() -> None:
    requests = [request_for(mode, variation=2) for mode in MODES]
    sequential = [await render(request) for request in requests]

    together = await asyncio.gather(*(render(request) for request in requests))

    assert list(together) == sequential


def test_renders_with_pillows_own_font_only() -> None:
    """A fresh machine may have no font but Pillow's: Latin still renders, accents fold."""
    only_pillow = (render_text.FontSource(None),)

    prepared = render_text.prepare_headline(pick_headline("Crème brûlée"), only_pillow)
    assert prepared is not None
    assert prepared.words == ("CREME", "BRULEE")
    picture = encoded(Image.new("RGB", (1344, 768), (40, 90, 160)), "JPEG")
    for prompt in ("Crème brûlée at home", "Привет мир", "🔥"):
        headline = render_text.prepare_headline(pick_headline(prompt), only_pillow)
        assert_thumbnail(finish_thumbnail(picture, headline))


def test_style_palette_follows_the_reference() -> None:
    def hue(rgb: tuple[int, int, int]) -> int:
        return Image.new("RGB", (1, 1), rgb).convert("HSV").getpixel((0, 0))[0]  # type: ignore[index]

    green = palette_from_image(style_frame(left=(0, 200, 60)), variation=0)
    pink = palette_from_image(style_frame(left=(230, 30, 160)), variation=0)

    assert abs(hue(green.accent) - hue((0, 230, 120))) < 20
    assert pink.accent != green.accent


async def test_style_thumbnail_changes_the_result() -> None:
    other = VideoReference(url=STYLE.url, video_id=STYLE.video_id, thumbnail=encoded(video_frame()))
    first = await render(request_for("top_youtube_style"))
    second = await render(request_for("top_youtube_style", style=other))
    assert difference(first, second) > 5


def looks_like_skin(image: Image.Image) -> bool:
    """Whether the middle of `image` has the drawn face's skin tone."""
    middle = image.crop(
        (
            image.width // 2 - 20,
            image.height // 2 - 20,
            image.width // 2 + 20,
            image.height // 2 + 20,
        )
    )
    red, green, blue = ImageStat.Stat(middle).mean
    return red > 170 and red > green > blue


def test_face_crop_centres_on_a_face_off_to_the_side() -> None:
    pytest.importorskip("cv2")
    photo = face_photo(size=(1600, 900), center=(1150, 400))

    box = portrait.find_face(photo)

    assert box is not None
    assert abs((box[0] + box[2]) / 2 - 1150) < 60
    assert abs((box[1] + box[3]) / 2 - 400) < 80
    crop = portrait.portrait_crop(photo, box, aspect=1.0)
    assert abs(crop.width - crop.height) <= 1
    assert looks_like_skin(crop)
    assert not looks_like_skin(portrait.portrait_crop(photo, None, aspect=1.0))


def test_face_crop_without_a_detector_takes_the_upper_middle() -> None:
    photo = face_photo(size=(1000, 1200))

    assert portrait.detect_face(photo, None) is None
    crop = portrait.portrait_crop(photo, None, aspect=1.0)
    assert crop.size == (1000, 1000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I spent 100 days in Minecraft hardcore and here is what happened", "100"),
        ("How I made $10,000 in one week", "$10,000"),
        ("make a thumbnail about my trip to Japan", "JAPAN"),
        ("Как я заработал миллион на YouTube за 30 дней", "МИЛЛИОН"),
    ],
)
def test_headline_keeps_the_strongest_words(text: str, expected: str) -> None:
    headline = pick_headline(text)

    assert 1 <= len(headline.words) <= 5
    assert expected in headline.words
    assert all(word == word.upper() for word in headline.words)
    assert "THUMBNAIL" not in headline.words


def test_headline_respects_the_space_it_gets() -> None:
    text = "The secret to baking the perfect sourdough bread at home"
    assert len(" ".join(pick_headline(text, max_chars=20).words)) <= 20
    assert not pick_headline("🔥🔥🔥 https://youtu.be/dQw4w9WgXcQ")

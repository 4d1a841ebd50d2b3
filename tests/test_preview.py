"""The "as YouTube shows it" preview: its size and weight, the thumbnail where YouTube puts
it in a light and a dark panel, and the headline judged from the pixels: a local render's
big headline reads at 168x94, small type drawn here does not, a picture without text is
no warning."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from services.formats import FORMATS
from services.generators.base import GenerationFailed, GenerationRequest
from services.generators.cpu import run_cpu_bound
from services.generators.local_renderer import LocalRenderer
from services.generators.preview import (
    DARK,
    LIGHT,
    LIST_SIZE,
    MAX_WIDTH,
    POST_SIZE,
    PREVIEW_MAX_BYTES,
    READABLE_LETTER_PX,
    SHORTS_SIZE,
    Preview,
    headline_share,
    youtube_preview,
)
from services.generators.render_text import font_sources

TITLE = "I quit my job to build a cabin in the woods"


async def nothing(fraction: float, stage: str) -> None:
    return None


async def rendered(shape: str = "16:9", variation: int = 0) -> bytes:
    """A thumbnail from the local renderer, as the bot would deliver it."""
    request = GenerationRequest(
        generation_id=uuid.UUID(int=variation + 1),
        mode="text_to_thumbnail",
        prompt=TITLE,
        format=FORMATS[shape],
        variation=variation,
    )
    return await LocalRenderer().generate(request, nothing)


def decoded(preview: Preview) -> Image.Image:
    image = Image.open(io.BytesIO(preview.jpeg))
    assert image.format == "JPEG"
    return image.convert("RGB")


def encoded(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def small_print(size: int = 30) -> tuple[Image.Image, int]:
    """A 1280x720 picture with a line of small white type on a two-tone backdrop, and
    that type's cap height in pixels."""
    image = Image.new("RGB", (1280, 720), (30, 90, 160))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 480, 1280, 720), fill=(40, 140, 60))
    font = font_sources()[0].load(size)
    draw.text((90, 300), "MY FIRST WEEK LIVING OFF GRID", font=font, fill=(255, 255, 255))
    top, bottom = font.getbbox("M")[1], font.getbbox("M")[3]
    return image, int(bottom - top)


def close_to(region: Image.Image, color: tuple[int, int, int]) -> bool:
    mean = ImageStat.Stat(region).mean
    return all(abs(a - b) < 6 for a, b in zip(mean, color, strict=True))


def shown_at(
    image: Image.Image, thumbnail: bytes, size: tuple[int, int], left: int, tops: range
) -> bool:
    """Whether the thumbnail, scaled to `size`, is in `image` at `left` and one of `tops`
    (compared clear of the rounded corners and the duration badge)."""
    expected = Image.open(io.BytesIO(thumbnail)).convert("RGB").resize(size)
    inner = (8, 8, size[0] - 60, size[1] - 8)
    wanted = expected.crop(inner)
    for top in tops:
        shown = image.crop((left, top, left + size[0], top + size[1])).crop(inner)
        if sum(ImageStat.Stat(ImageChops.difference(shown, wanted)).mean) / 3 < 12:
            return True
    return False


async def test_a_16_9_thumbnail_in_the_feed_and_the_list_in_light_and_dark():
    thumbnail = await rendered("16:9")

    preview = await run_cpu_bound(youtube_preview, [thumbnail], TITLE, "Alex")

    image = decoded(preview)
    assert image.size == preview.size
    assert image.width <= MAX_WIDTH
    assert len(preview.jpeg) <= PREVIEW_MAX_BYTES
    half = image.width // 2
    # Margins of the two panels: light on the left, dark on the right.
    assert close_to(image.crop((0, 0, half, 16)), LIGHT.background)
    assert close_to(image.crop((half, 0, image.width, 16)), DARK.background)
    # The list item: the thumbnail at 168x94 in both panels, under the feed card.
    for left in (20, half + 20):
        assert shown_at(image, thumbnail, LIST_SIZE, left, range(image.height // 2, 360))
    assert preview.read_at == LIST_SIZE
    assert preview.readable
    (letters,) = preview.letter_px
    assert letters is not None
    assert letters >= READABLE_LETTER_PX


@pytest.mark.parametrize(("shape", "smallest"), [("9:16", SHORTS_SIZE), ("1:1", POST_SIZE)])
async def test_shorts_and_community_posts_get_their_own_cards(
    shape: str, smallest: tuple[int, int]
):
    preview = youtube_preview([await rendered(shape)], TITLE, "Alex")

    image = decoded(preview)
    assert image.width <= MAX_WIDTH
    assert len(preview.jpeg) <= PREVIEW_MAX_BYTES
    assert preview.read_at == smallest
    assert image.height > smallest[1]  # the whole card is there, title and all
    half = image.width // 2
    assert close_to(image.crop((0, 0, half, 16)), LIGHT.background)
    assert close_to(image.crop((half, 0, image.width, 16)), DARK.background)
    assert preview.readable


async def test_variants_side_by_side_light_above_dark():
    thumbnails = [await rendered("16:9", variation) for variation in range(4)]

    preview = youtube_preview(thumbnails, TITLE, "Alex")

    image = decoded(preview)
    assert image.width <= MAX_WIDTH
    assert len(preview.jpeg) <= PREVIEW_MAX_BYTES
    assert len(preview.letter_px) == 4
    half = image.height // 2
    assert close_to(image.crop((0, 0, image.width, 16)), LIGHT.background)
    assert close_to(image.crop((0, half, image.width, half + 16)), DARK.background)
    for i, thumbnail in enumerate(thumbnails):  # numbered left to right, as in the album
        assert shown_at(image, thumbnail, LIST_SIZE, 20 + i * 180, range(10, 30)), i


def test_small_print_is_too_small_to_read_at_168x94():
    picture, cap = small_print(30)

    preview = youtube_preview([encoded(picture)], TITLE, "Alex")

    assert not preview.readable
    (letters,) = preview.letter_px
    assert letters is not None
    assert letters < READABLE_LETTER_PX
    share = headline_share(picture)
    assert share is not None
    assert cap <= share * picture.width <= cap * 1.35  # the cap height, give or take


def test_the_letter_height_is_read_from_pixels_at_any_size():
    for size in (40, 90, 160):
        picture, cap = small_print(size)
        share = headline_share(picture)
        assert share is not None
        assert cap <= share * picture.width <= cap * 1.35, size
        half = picture.resize((640, 360), Image.Resampling.LANCZOS)
        assert headline_share(half) == pytest.approx(share, rel=0.15)


def test_a_picture_without_text_is_no_warning():
    picture, _ = small_print()
    plain = Image.new("RGB", picture.size, (30, 90, 160))
    ImageDraw.Draw(plain).ellipse((500, 200, 800, 500), fill=(250, 200, 40), outline=(0, 0, 0))

    preview = youtube_preview([encoded(plain)], TITLE, "Alex")

    assert preview.letter_px == (None,)
    assert preview.readable


def test_what_is_not_a_picture_is_refused():
    with pytest.raises(GenerationFailed):
        youtube_preview([b"not a picture"], TITLE, "Alex")
    with pytest.raises(ValueError, match="1 to 4"):
        youtube_preview([], TITLE, "Alex")

"""Formats, brand styles, overrides and variants in both renderers, checked on real Pillow
output: every shape comes out at its exact size within its byte limit, a brand's colours,
font, headline position and logo show where they should, an exact headline and a face size
change the picture, and consecutive variations are clearly different thumbnails."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from typing import Any

import numpy
import pytest
import replicate
from PIL import Image, ImageDraw, ImageFilter

from services.adapters.db import Database
from services.errors import InputRejected
from services.formats import FORMATS, ThumbnailFormat
from services.generators.base import BrandStyle, GenerationRequest
from services.generators.branding import (
    LOGO_SHARE,
    LOGO_SIDE,
    brand_palette,
    color_name,
    logo_box,
    prepare_logo,
)
from services.generators.fonts import FONTS, headline_fonts
from services.generators.lettering import choose_headline
from services.generators.local_renderer import LocalRenderer
from services.generators.postprocess import (
    encode_jpeg,
    finish_thumbnail,
    overlay_headline_text,
    text_box,
    text_side,
)
from services.generators.replicate_generator import ReplicateGenerator, ReplicateOptions
from services.generators.replicate_models import ReplicateModels, thumbnail_prompt
from tests.standins.replicate import ReplicateStandIn, output_image
from tests.test_local_renderer import FACE, encoded, no_progress, request_for

RED, NAVY, TEAL = (229, 57, 53), (13, 27, 76), (0, 137, 123)
BRAND = BrandStyle(colors=("#e53935", "#0d1b4c", "#00897b"))
WIDE, TALL, SQUARE = FORMATS["16:9"], FORMATS["9:16"], FORMATS["1:1"]
PROMPT = "I spent 100 days in Minecraft hardcore and here is what happened"


async def rendered(mode: str = "your_face", **changes: Any) -> Image.Image:
    data = await LocalRenderer().generate(request_for(mode, **changes), no_progress)
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def pixels(image: Image.Image) -> numpy.ndarray[Any, numpy.dtype[numpy.int16]]:
    return numpy.asarray(image.convert("RGB"), dtype=numpy.int16)


def share_near(image: Image.Image, rgb: tuple[int, int, int], tolerance: int = 40) -> float:
    """The share of pixels within `tolerance` (RGB distance) of a colour."""
    distance = numpy.sqrt(((pixels(image) - numpy.array(rgb)) ** 2).sum(axis=2))
    return float((distance < tolerance).mean())


def ink(a: Image.Image, b: Image.Image) -> numpy.ndarray[Any, numpy.dtype[numpy.bool_]]:
    """Where two renders differ clearly."""
    return numpy.abs(pixels(a) - pixels(b)).sum(axis=2) > 60


def centroid(mask: numpy.ndarray[Any, numpy.dtype[numpy.bool_]]) -> tuple[float, float]:
    """The middle of a mask's set pixels, as shares of its width and height."""
    ys, xs = numpy.nonzero(mask)
    return float(xs.mean()) / mask.shape[1], float(ys.mean()) / mask.shape[0]


def skin(image: Image.Image) -> numpy.ndarray[Any, numpy.dtype[numpy.bool_]]:
    """The drawn face's skin tone (225, 180, 150), wherever the face photo shows."""
    red, green, blue = (pixels(image)[:, :, channel] for channel in range(3))
    return (abs(red - 225) < 25) & (abs(green - 180) < 25) & (abs(blue - 150) < 25)


def noise(size: tuple[int, int]) -> bytes:
    """A picture JPEG compresses badly: softened random pixels (about 0.9 MB at 1080x1920
    in the best quality, 0.25 MB in a middling one)."""
    values = numpy.random.default_rng(7).integers(0, 256, (size[1], size[0], 3), numpy.uint8)
    picture = Image.fromarray(values).filter(ImageFilter.GaussianBlur(1.5))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def logo_picture() -> Image.Image:
    """A magenta disc with a transparent hole in its middle, on a transparent square."""
    logo = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.ellipse((0, 0, 199, 199), fill=(255, 0, 255, 255))
    draw.ellipse((70, 70, 130, 130), fill=(0, 0, 0, 0))
    return logo


@pytest.fixture
def models(db: Database) -> ReplicateModels:
    return ReplicateModels(db)


# Formats.


@pytest.mark.parametrize("fmt", FORMATS.values(), ids=FORMATS.keys())
@pytest.mark.parametrize("mode", ["your_face", "youtube_thumbnail", "text_to_thumbnail"])
async def test_local_renderer_makes_each_format_exactly(fmt: ThumbnailFormat, mode: str) -> None:
    data = await LocalRenderer().generate(request_for(mode, format=fmt), no_progress)

    assert len(data) <= fmt.max_bytes
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ("JPEG", fmt.size)


@pytest.mark.parametrize("fmt", FORMATS.values(), ids=FORMATS.keys())
def test_finish_thumbnail_makes_each_format_exactly(fmt: ThumbnailFormat) -> None:
    headline = overlay_headline_text([PROMPT])
    for side in ("left", "right", "top", "bottom", "center"):
        data = finish_thumbnail(output_image((1344, 768)), headline, side, fmt=fmt)
        assert len(data) <= fmt.max_bytes
        assert Image.open(io.BytesIO(data)).size == fmt.size


async def test_each_format_keeps_its_byte_limit_when_it_binds() -> None:
    """A format's limit reaches the encoder: a picture that is large at full quality
    comes out smaller, not over the limit."""
    small = replace(TALL, max_bytes=400_000)
    assert len(encode_jpeg(Image.open(io.BytesIO(noise(TALL.size))))) > small.max_bytes

    local = await LocalRenderer().generate(
        request_for("your_face", format=replace(SQUARE, max_bytes=60_000)), no_progress
    )
    assert len(local) <= 60_000
    finished = finish_thumbnail(noise((1080, 1920)), None, fmt=small)
    assert len(finished) <= small.max_bytes
    assert Image.open(io.BytesIO(finished)).size == (1080, 1920)


async def test_a_shorts_cover_has_the_headline_in_its_upper_third_and_the_face_below() -> None:
    for variation in (0, 1):
        default = await rendered(format=TALL, variation=variation)
        other = await rendered(format=TALL, variation=variation, headline="MMMM WWWW MMMM")
        _, text_y = centroid(ink(default, other))
        _, face_y = centroid(skin(default))
        assert text_y < 1 / 3
        assert face_y > 0.5
    top, bottom = text_box("top", TALL.size)[1::2]
    assert top >= 0.08 * 1920  # clear of the player's top bar
    assert bottom <= 1920 / 3 + 20


async def test_the_subject_leans_another_way_in_the_next_variation_of_a_square() -> None:
    first, second = [await rendered(format=SQUARE, variation=v) for v in (0, 1)]
    (x1, y1), (x2, y2) = centroid(skin(first)), centroid(skin(second))
    assert abs(x1 - x2) > 0.1 or abs(y1 - y2) > 0.2


# A brand style.


@pytest.mark.parametrize("fmt", FORMATS.values(), ids=FORMATS.keys())
async def test_brand_colours_are_the_palette(fmt: ThumbnailFormat) -> None:
    image = await rendered(brand=BRAND, format=fmt)
    plain = await rendered(format=fmt)

    for color in (RED, NAVY, TEAL):
        assert share_near(image, color) > 0.005, color
    assert share_near(image, NAVY) > 3 * share_near(plain, NAVY)


def test_a_brand_palette_takes_its_colours_by_role() -> None:
    palette = brand_palette(BRAND)
    assert palette is not None
    assert (palette.accent, palette.highlight, palette.dark, palette.light) == (
        RED,
        RED,
        NAVY,
        TEAL,
    )
    only_key = brand_palette(BrandStyle(colors=("#ffd600",)))
    assert only_key is not None
    assert only_key.accent == (255, 214, 0)
    assert sum(only_key.dark) < 120 < sum(only_key.light)  # a dark and a bright end of it
    assert brand_palette(BrandStyle(colors=("not a colour",))) is None
    assert brand_palette(None) is None


@pytest.mark.parametrize("corner", ["top-left", "top-right", "bottom-left", "bottom-right"])
async def test_the_logo_is_in_its_corner_with_its_transparency(corner: str) -> None:
    logo = prepare_logo(encoded(logo_picture(), "PNG"))
    invisible = prepare_logo(encoded(Image.new("RGBA", (200, 200), (0, 0, 0, 0)), "PNG"))
    image = await rendered("text_to_thumbnail", brand=BrandStyle(logo=logo, logo_corner=corner))
    plain = await rendered(  # the same layout: the headline keeps clear of the same box
        "text_to_thumbnail", brand=BrandStyle(logo=invisible, logo_corner=corner)
    )

    side = round(1280 * LOGO_SHARE)
    left, top, right, bottom = logo_box(image.size, (side, side), corner)
    ring = image.crop((left + 10, top + side // 2 - 5, left + 30, top + side // 2 + 5))
    assert share_near(ring, (255, 0, 255), 60) > 0.9
    hole = (left + side // 2 - 8, top + side // 2 - 8, left + side // 2 + 8, top + side // 2 + 8)
    assert not ink(image.crop(hole), plain.crop(hole)).any()  # the background shows through
    changed = ink(image, plain)
    assert changed[top:bottom, left:right].sum() > 0.95 * changed.sum()


@pytest.mark.parametrize("fmt", FORMATS.values(), ids=FORMATS.keys())
async def test_the_headline_keeps_clear_of_the_logo(fmt: ThumbnailFormat) -> None:
    logo = prepare_logo(encoded(logo_picture(), "PNG"))
    brand = BrandStyle(position="left", logo=logo, logo_corner="top-left")
    short = await rendered(brand=brand, format=fmt, headline="IT")
    long = await rendered(brand=brand, format=fmt, headline="MMMM WWWW MMMM MMMM")

    side = round(fmt.width * LOGO_SHARE)
    left, top, right, bottom = logo_box(fmt.size, (side, side), "top-left")
    text = ink(short, long)
    assert text.sum() > 0
    assert not text[top:bottom, left:right].any()
    source = output_image((1344, 768))
    overlays = [
        Image.open(io.BytesIO(finish_thumbnail(source, headline, "left", fmt=fmt, brand=brand)))
        for headline in (overlay_headline_text([], exact=words) for words in ("IT", "MMMM WWWW"))
    ]
    overlay = ink(*overlays)
    assert overlay.sum() > 0
    assert not overlay[top:bottom, left:right].any()


def test_a_logo_upload_is_kept_small_and_transparent() -> None:
    big = logo_picture().resize((2000, 2000))
    stored = Image.open(io.BytesIO(prepare_logo(encoded(big, "PNG"))))

    assert stored.format == "PNG"
    assert max(stored.size) == LOGO_SIDE
    assert stored.mode == "RGBA"
    assert stored.getpixel((LOGO_SIDE // 2, LOGO_SIDE // 2))[3] == 0  # type: ignore[index]
    for unreadable in (b"", b"<svg/>", encoded(big, "PNG")[:200]):
        with pytest.raises(InputRejected) as rejected:
            prepare_logo(unreadable)
        assert rejected.value.key == "logo_unreadable"


@pytest.mark.parametrize(
    ("mode", "position"),
    [
        ("your_face", "left"),
        ("your_face", "right"),
        ("your_face", "top"),
        ("your_face", "bottom"),
        ("text_to_thumbnail", "left"),
        ("text_to_thumbnail", "right"),
        ("text_to_thumbnail", "top"),
        ("text_to_thumbnail", "bottom"),
        ("text_to_thumbnail", "center"),
    ],
)
async def test_the_headline_goes_where_the_brand_puts_it(mode: str, position: str) -> None:
    brand = BrandStyle(position=position)
    short = await rendered(mode, brand=brand, headline="IT")
    long = await rendered(mode, brand=brand, headline="MMMM WWWW MMMM")

    x, y = centroid(ink(short, long))
    expected = {
        "left": x < 0.45,
        "right": x > 0.55,
        "top": y < 0.45,
        "bottom": y > 0.55,
        "center": 0.4 < x < 0.6 and 0.35 < y < 0.65,
    }
    assert expected[position], (x, y)


def test_the_bundled_fonts_are_installed_and_look_different() -> None:
    assert len(FONTS) >= 3
    masks = []
    for key, font in FONTS.items():
        assert font.source is not None, key
        assert headline_fonts(key)[0] == font.source
        masks.append(bytes(font.source.load(80).getmask("BRAND")))
    assert len(set(masks)) == len(masks)
    assert headline_fonts("no such font") == headline_fonts(None)


async def test_the_brand_font_letters_the_headline() -> None:
    renders = [await rendered(brand=BrandStyle(font=key)) for key in FONTS]
    for index, first in enumerate(renders):
        for second in renders[index + 1 :]:
            assert ink(first, second).mean() > 0.02


def test_a_font_lacking_letters_falls_back_for_them() -> None:
    prepared = choose_headline(["Привет мир"], max_chars=20, font="rounded")  # Latin only
    assert prepared.words == ("ПРИВЕТ", "МИР")
    assert prepared.font != FONTS["rounded"].source


# Overrides.


def test_an_exact_headline_is_drawn_as_written() -> None:
    prepared = choose_headline([PROMPT], exact="I quit my JOB", max_chars=20)
    assert prepared.words == ("I", "quit", "my", "JOB")
    blank = choose_headline([PROMPT], exact="   ", max_chars=20)
    assert blank.words == choose_headline([PROMPT], max_chars=20).words


async def test_an_exact_headline_changes_the_drawn_text() -> None:
    default = await rendered()
    exact = await rendered(headline="I QUIT MY JOB")
    again = await rendered(headline="I QUIT MY JOB")

    assert ink(default, exact).mean() > 0.03
    assert not ink(exact, again).any()


async def test_face_scale_changes_the_face_size_within_limits() -> None:
    normal = skin(await rendered(face_scale=1.0)).sum()
    bigger = skin(await rendered(face_scale=1.5)).sum()
    smaller = skin(await rendered(face_scale=0.7)).sum()

    assert bigger > 1.5 * normal
    assert smaller < 0.7 * normal
    assert skin(await rendered(face_scale=9.0)).sum() == skin(await rendered(face_scale=1.6)).sum()


# Variants.


def palette_distance(a: Image.Image, b: Image.Image) -> float:
    """How far apart two pictures' colours are: the mean distance of their 4x4 colour maps."""
    small_a, small_b = (pixels(image.resize((4, 4), Image.Resampling.BOX)) for image in (a, b))
    return float(numpy.sqrt(((small_a - small_b) ** 2).sum(axis=2)).mean())


@pytest.mark.parametrize("fmt", FORMATS.values(), ids=FORMATS.keys())
async def test_consecutive_variations_are_clearly_different(fmt: ThumbnailFormat) -> None:
    images = [await rendered(prompt=PROMPT, format=fmt, variation=v) for v in (0, 1, 2)]
    faces = [centroid(skin(image)) for image in images]
    for first, second in ((0, 1), (1, 2), (0, 2)):
        assert palette_distance(images[first], images[second]) > 40, (first, second)
    for first, second in ((0, 1), (1, 2)):  # the subject moves to another place
        (x1, y1), (x2, y2) = faces[first], faces[second]
        assert abs(x1 - x2) > 0.08 or abs(y1 - y2) > 0.15, (first, second)
    sizes = [int(skin(image).sum()) for image in images]  # a circle, then a card, or back
    assert sizes[0] != sizes[2]


def test_variations_pick_other_wordings_when_the_text_has_them() -> None:
    wordings = [choose_headline([PROMPT], v, max_chars=20).words for v in (0, 1, 2)]
    assert len(set(wordings)) == 3
    assert choose_headline(["Epic cake"], 1, max_chars=20).words == ("EPIC", "CAKE")


# The Replicate path.


def test_the_overlay_uses_the_brand_colour_and_font() -> None:
    source = output_image((1344, 768))
    brand = BrandStyle(colors=("#00c853",), font="condensed")
    headline = overlay_headline_text([PROMPT], font=brand.font)
    plain = Image.open(io.BytesIO(finish_thumbnail(source, overlay_headline_text([PROMPT]))))
    branded = Image.open(io.BytesIO(finish_thumbnail(source, headline, brand=brand)))

    assert headline.font == FONTS["condensed"].source
    assert share_near(branded, (0, 200, 83)) > 3 * share_near(plain, (0, 200, 83)) + 0.002


def test_the_prompt_names_the_brand_colours_and_the_shape() -> None:
    request = request_for("text_to_thumbnail", brand=BRAND, format=TALL)
    prompt = thumbnail_prompt(request, output_text=True)

    for words in ("red (#e53935)", "navy blue (#0d1b4c)", "teal (#00897b)", "9:16"):
        assert words in prompt
    assert "keep the upper part simple" in prompt
    assert color_name((255, 255, 255)) == "white"
    assert text_side(0, TALL) == text_side(1, TALL) == "top"
    assert text_side(1, WIDE, BrandStyle(position="bottom")) == "bottom"


@pytest.mark.parametrize("fmt", [TALL, SQUARE], ids=["9:16", "1:1"])
async def test_replicate_gets_the_aspect_ratio_and_returns_the_format(
    fmt: ThumbnailFormat,
    standin: ReplicateStandIn,
    client: replicate.Client,
    models: ReplicateModels,
) -> None:
    logo = prepare_logo(encoded(logo_picture(), "PNG"))
    brand = replace(BRAND, logo=logo, logo_corner="top-left")
    request = GenerationRequest(
        generation_id=uuid.uuid4(),
        mode="your_face",
        prompt=PROMPT,
        face=FACE,
        format=fmt,
        brand=brand,
        headline="I QUIT",
    )
    options = ReplicateOptions(timeout=10.0, poll_interval=0.02)
    data = await ReplicateGenerator(client, models, options).generate(request, no_progress)

    (call,) = standin.creates
    assert call.input["aspect_ratio"] == fmt.aspect_ratio
    assert "#e53935" in call.input["prompt"]
    image = Image.open(io.BytesIO(data))
    assert image.size == fmt.size
    assert len(data) <= fmt.max_bytes
    side = round(fmt.width * LOGO_SHARE)
    left, top, _, _ = logo_box(image.size, (side, side), "top-left")
    ring = image.crop((left + 10, top + side // 2 - 5, left + 30, top + side // 2 + 5))
    assert share_near(ring, (255, 0, 255), 60) > 0.9

"""Brand kits (/style) against the real database and local storage: colours typed in
every way people type them, what the database refuses, logos that keep their
transparency, and a thumbnail read for its colours and layout."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from uuid import UUID, uuid4

import psycopg
import pytest
from PIL import Image, ImageDraw

from sandbox.samples import sample_face, sample_image
from services.accounts import AccountService, TelegramUser
from services.adapters.db import Database
from services.adapters.storage import LocalStorage, StorageError
from services.brand_images import ThumbnailReading, from_hex, read_thumbnail
from services.brand_kits import PRESETS, BrandKit, BrandKitService, parse_colors
from services.credits import CreditService
from services.drafts import DraftService
from services.errors import InputRejected
from services.faces import FaceService
from services.generators.portrait import find_faces
from services.generators.render_text import font_sources
from services.images import ImageRejected

BLUE, RED, YELLOW = (26, 43, 140), (224, 32, 32), (255, 212, 0)


def thumbnail_with(
    text: str = "left",
    face: bool = True,
    colors: tuple[tuple[int, int, int], ...] = (BLUE, RED, YELLOW),
    fmt: str = "JPEG",
) -> bytes:
    """A 1280x720 thumbnail as creators make them: a flat background (colors[0]), a band
    along the bottom (colors[1]), two big outlined words (colors[2]) on the `text` side
    (left, right or top), and a face cut out as a circle on the other side."""
    back, band, ink = colors
    image = Image.new("RGB", (1280, 720), back)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 600, 1280, 720), fill=band)
    font = font_sources()[0].load(130)
    spots = {"left": [(60, 120), (60, 290)], "right": [(720, 120), (720, 290)]}
    for word, at in zip(("BIG", "WIN"), spots.get(text, [(140, 40), (700, 40)]), strict=True):
        draw.text(at, word, font=font, fill=ink, stroke_width=8, stroke_fill=(0, 0, 0))
    if face:
        photo = Image.open(io.BytesIO(sample_face(1024)))
        found = find_faces(photo)
        left, top, right, bottom = found[0] if found else (400, 300, 620, 520)
        side = (right - left) * 3
        x, y = (left + right) // 2, (top + bottom) // 2 + (bottom - top) // 3
        crop = photo.crop((x - side // 2, y - side // 2, x + side // 2, y + side // 2))
        crop = crop.resize((440, 440))
        mask = Image.new("L", crop.size, 0)
        ImageDraw.Draw(mask).ellipse((0, 0, 439, 439), fill=255)
        image.paste(crop, (780 if text != "right" else 60, 130 if text != "top" else 200), mask)
    buffer = io.BytesIO()
    image.save(buffer, fmt, quality=92)
    return buffer.getvalue()


def logo_png(size: int = 300, margin: int = 50) -> bytes:
    """A magenta disc on a transparent square, with `margin` empty pixels around it."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse(
        (margin, margin, size - margin, size - margin), fill=(230, 0, 200)
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def near(color: str, rgb: tuple[int, int, int], within: int = 24) -> bool:
    return all(abs(a - b) <= within for a, b in zip(from_hex(color), rgb, strict=True))


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path)


@pytest.fixture
def faces(db: Database, storage: LocalStorage) -> FaceService:
    return FaceService(db, storage)


@pytest.fixture
def kits(db: Database, storage: LocalStorage, faces: FaceService) -> BrandKitService:
    return BrandKitService(db, storage, faces)


@pytest.fixture
async def profile_id(accounts: AccountService, new_user: Callable[..., TelegramUser]) -> UUID:
    return (await accounts.register(new_user())).profile.id


# --- typed colours ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "colors"),
    [
        ("#FF3B1F", ("#ff3b1f",)),
        ("ff3b1f, #0B2A6F;#fff", ("#ff3b1f", "#0b2a6f", "#ffffff")),
        ("red yellow black", ("#ff0000", "#ffff00", "#000000")),
        ("dark blue, gold", ("#00008b", "#ffd700")),
        ("Navy\nwhite", ("#000080", "#ffffff")),
        ("красный, жёлтый", ("#e53935", "#fdd835")),
        ("rojo negro", ("#e53935", "#000000")),
        ("red, #ff0000, RED", ("#ff0000",)),  # the same colour typed thrice is one
    ],
)
def test_colours_are_read_as_people_type_them(typed: str, colors: tuple[str, ...]) -> None:
    assert parse_colors(typed) == colors


@pytest.mark.parametrize(
    ("typed", "key", "params"),
    [
        ("red, blurple", "style_colors_unreadable", {"bad": "blurple"}),
        ("#12345", "style_colors_unreadable", {"bad": "#12345"}),
        ("   ", "style_colors_unreadable", {"bad": "—"}),
        ("red green blue white", "style_colors_too_many", {"max": 3}),
    ],
)
def test_what_is_no_colour_is_named(typed: str, key: str, params: dict[str, object]) -> None:
    with pytest.raises(InputRejected) as refused:
        parse_colors(typed)
    assert (refused.value.key, refused.value.params) == (key, params)


# --- saving -------------------------------------------------------------------------------


async def test_a_kit_is_saved_part_by_part_and_snapshotted(kits: BrandKitService, profile_id):
    assert await kits.get(profile_id) == BrandKit()
    assert (await kits.get(profile_id)).is_empty

    await kits.set_colors(profile_id, "#FF3B1F, navy")
    await kits.set_font(profile_id, "condensed")
    await kits.set_position(profile_id, "right")
    kit = await kits.set_logo_corner(profile_id, "top-left")

    assert kit == await kits.get(profile_id)
    assert kit.has_style
    assert kit.snapshot() == {
        "colors": ["#ff3b1f", "#000080"],
        "font": "condensed",
        "position": "right",
        "logo_url": None,
        "logo_corner": "top-left",
    }
    kit = await kits.set_preset(profile_id, "money")
    assert kit.colors == PRESETS["money"]
    assert (kit.font, kit.position) == ("condensed", "right")  # the other parts stay


async def test_bad_parts_change_nothing(kits: BrandKitService, profile_id):
    before = await kits.set_colors(profile_id, "red")
    for attempt in (
        kits.set_colors(profile_id, "red, not-a-colour"),
        kits.set_font(profile_id, "comic_sans"),
        kits.set_position(profile_id, "diagonal"),
        kits.set_logo_corner(profile_id, "middle"),
        kits.set_preset(profile_id, "rainbow"),
    ):
        with pytest.raises(InputRejected):
            await attempt
    assert await kits.get(profile_id) == before


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("colors", ["#FF0000"]),  # upper case
        ("colors", ["red"]),
        ("colors", ["#000000", "#111111", "#222222", "#333333"]),
        ("headline_position", "diagonal"),
        ("logo_corner", "middle"),
        ("font", "Comic Sans"),
    ],
)
async def test_the_database_refuses_what_python_would(db: Database, profile_id, column, value):
    with pytest.raises(psycopg.errors.CheckViolation):
        await db.execute(
            f"INSERT INTO brand_kits (profile_id, {column}) VALUES (%s, %s)", [profile_id, value]
        )


async def test_a_logo_keeps_its_transparency_trimmed_to_what_it_shows(
    kits: BrandKitService, storage: LocalStorage, profile_id
):
    kit = await kits.set_logo(profile_id, logo_png(size=300, margin=50))

    assert kit.logo_url is not None
    assert kit.logo_url.startswith("local://logos/")
    with Image.open(io.BytesIO(await storage.get(kit.logo_url))) as stored:
        assert (stored.format, stored.mode) == ("PNG", "RGBA")
        assert abs(stored.width - 200) <= 2  # the 50 px empty margin is gone
        assert stored.getpixel((0, 0))[3] == 0  # a disc's corner: still transparent
        assert stored.getpixel((stored.width // 2, stored.height // 2)) == (230, 0, 200, 255)


@pytest.mark.parametrize(
    ("upload", "key"),
    [
        (b"%PDF-1.4 not an image", "image_unreadable"),
        (b"\xff\xd8\xff" + b"0" * (11 * 1024 * 1024), "image_too_big"),
        (sample_image(20, 20, "PNG"), "image_too_small"),
        (logo_png(margin=0)[:200], "image_unreadable"),  # cut short
    ],
)
async def test_a_bad_logo_changes_nothing(kits: BrandKitService, profile_id, upload, key):
    before = await kits.set_logo(profile_id, logo_png())
    with pytest.raises(ImageRejected) as refused:
        await kits.set_logo(profile_id, upload)
    assert refused.value.key == key
    assert await kits.get(profile_id) == before


async def test_a_blank_logo_is_refused(kits: BrandKitService, profile_id):
    blank = io.BytesIO()
    Image.new("RGBA", (200, 200), (255, 255, 255, 0)).save(blank, "PNG")
    with pytest.raises(ImageRejected, match="style_logo_blank"):
        await kits.set_logo(profile_id, blank.getvalue())


async def test_an_old_logo_file_stays_while_an_order_names_it(
    kits: BrandKitService, storage: LocalStorage, credits: CreditService, profile_id
):
    first = await kits.set_logo(profile_id, logo_png(margin=10))
    ordered = {"mode": "text_to_thumbnail", "prompt": "x", "brand": first.snapshot()}
    await credits.charge_generation(profile_id, "text_to_thumbnail", ordered, f"t:{uuid4()}")
    second = await kits.set_logo(profile_id, logo_png(margin=30))
    assert first.logo_url is not None
    assert second.logo_url not in (None, first.logo_url)
    assert await storage.get(first.logo_url)  # a regenerate of that order still draws it

    await kits.set_logo(profile_id, logo_png(margin=60))
    with pytest.raises(StorageError):  # named by no order: gone with the change
        await storage.get(second.logo_url)

    assert await kits.reset(profile_id)
    assert await kits.get(profile_id) == BrandKit()
    assert not await kits.reset(profile_id)


async def test_the_default_face_is_one_of_the_creators_own(
    kits: BrandKitService, faces: FaceService, accounts, new_user, profile_id
):
    face = (await faces.save_upload(profile_id, sample_face(), None)).face
    stranger = (await accounts.register(new_user())).profile.id

    assert await kits.set_default_face(stranger, face.id) is None
    kit = await kits.set_default_face(profile_id, face.id)
    assert kit is not None
    assert kit.default_face_id == face.id
    assert not kit.has_style  # a face alone changes no thumbnail's look

    assert await kits.order_defaults(profile_id, "your_face") == {"face_image_id": face.id}
    assert await kits.order_defaults(profile_id, "text_to_thumbnail") == {}
    await kits.set_colors(profile_id, "red")
    assert await kits.order_defaults(profile_id, "text_to_thumbnail") == {"use_brand": True}

    await faces.delete(profile_id, face.id)
    assert (await kits.get(profile_id)).default_face_id is None  # ON DELETE SET NULL


# --- reading a thumbnail ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "face", "face_side", "position"),
    [
        ("left", True, "right", "left"),
        ("right", True, "left", "right"),
        ("left", False, None, "left"),
        ("top", False, None, "top"),
    ],
)
def test_a_thumbnail_is_read_for_its_colours_and_layout(text, face, face_side, position):
    reading = read_thumbnail(thumbnail_with(text, face))

    assert len(reading.colors) == 3
    for color, rgb in zip(reading.colors, (BLUE, RED, YELLOW), strict=True):
        assert near(color, rgb), reading.colors
    assert (reading.face_side, reading.text_position) == (face_side, position)
    assert reading.headline_position == position


def test_without_text_the_headline_goes_beside_the_face() -> None:
    assert ThumbnailReading(("#000000",), "right", None).headline_position == "left"
    assert ThumbnailReading(("#000000",), None, None).headline_position is None


def test_a_plain_picture_has_one_colour_and_no_layout() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), (10, 200, 90)).save(buffer, "PNG")
    reading = read_thumbnail(buffer.getvalue())
    assert len(reading.colors) == 1
    assert near(reading.colors[0], (10, 200, 90), within=2)
    assert (reading.face_side, reading.text_position) == (None, None)


async def test_importing_keeps_colours_and_position_and_the_rest(kits: BrandKitService, profile_id):
    await kits.set_font(profile_id, "rounded")
    imported = await kits.import_from(profile_id, thumbnail_with("right", face=True, fmt="PNG"))

    assert imported.kit == await kits.get(profile_id)
    assert imported.kit.position == "right"
    assert imported.kit.font == "rounded"
    assert len(imported.kit.colors) == 3
    for color, rgb in zip(imported.kit.colors, (BLUE, RED, YELLOW), strict=True):
        assert near(color, rgb), imported.kit.colors
    with pytest.raises(ImageRejected):
        await kits.import_from(profile_id, b"not a picture")
    assert await kits.get(profile_id) == imported.kit


# --- the /style conversation ----------------------------------------------------------------


async def test_what_style_waits_for_survives_and_yields_to_a_newer_order(
    kits: BrandKitService, db: Database, profile_id
):
    drafts = DraftService(db)
    await drafts.start(profile_id)
    assert await kits.awaiting(profile_id) is None

    await kits.begin(profile_id, "colors")  # asked after the order's question
    assert await kits.awaiting(profile_id) == "colors"
    await kits.begin(profile_id, "logo")
    assert await kits.awaiting(profile_id) == "logo"

    draft = await drafts.start(profile_id)  # /generate after /style: its question wins
    assert await kits.awaiting(profile_id) is None
    await kits.begin(profile_id, "import")
    assert await kits.awaiting(profile_id) == "import"
    await db.execute(
        "UPDATE style_sessions SET started_at = now() - interval '31 minutes'"
        " WHERE profile_id = %s",
        [profile_id],
    )
    assert await kits.awaiting(profile_id) is None  # a question left for half an hour
    await drafts.clear(profile_id, draft.token)

    assert await kits.end(profile_id)
    assert not await kits.end(profile_id)
    with pytest.raises(ValueError, match="unknown"):
        await kits.begin(profile_id, "font")


async def test_the_style_card_shows_a_sample_and_the_colours(kits: BrandKitService, profile_id):
    await kits.set_colors(profile_id, "#ff3b1f, #0b2a6f, white")
    kit = await kits.set_logo(profile_id, logo_png())

    card = await kits.card(kit, "YOUR TITLE HERE", None)

    with Image.open(io.BytesIO(card)) as image:
        assert image.size == (960, 540 + 120)
        strip = image.convert("RGB").crop((0, 560, 960, 640))
        for color in kit.colors:
            rgb = from_hex(color)
            assert any(
                all(abs(a - b) <= 12 for a, b in zip(pixel, rgb, strict=True))
                for pixel in strip.get_flattened_data()
            ), color

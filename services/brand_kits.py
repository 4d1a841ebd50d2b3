"""A creator's saved channel style (/style): colours, headline font and position, a logo
and a default face, kept once and used by every later order that wants it.

An order copies the kit into its input when it is charged (`BrandKit.snapshot`), so a
kit changed later never changes an order already made, and "regenerate" looks the same.
A logo file stays in storage while an order still names it. What the /style chat waits
for next (typed colours, a logo, a thumbnail to read) is a row too, so a restart in the
middle of it loses nothing.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from PIL import ImageColor

from services.adapters.db import Database
from services.adapters.storage import LOGOS_BUCKET, Storage
from services.brand_images import (
    MAX_COLORS,
    ThumbnailReading,
    check_logo,
    read_thumbnail,
    style_card,
)
from services.errors import InputRejected
from services.faces import FaceService
from services.generators.base import BrandStyle, GenerationRequest
from services.generators.branding import CORNERS, prepare_logo
from services.generators.cpu import run_cpu_bound
from services.generators.fonts import FONTS
from services.generators.local_renderer import LocalRenderer
from services.modes import MODE_STEPS, Step

POSITIONS = ("left", "right", "top", "bottom", "center")
AWAITING = ("colors", "logo", "import")
SESSION_MINUTES = 30  # a /style question left unanswered this long no longer takes messages
DEFAULT_CORNER = "bottom-right"

#: Ready-made colour sets, key colour first: loud pairs that read at 168x94.
PRESETS: dict[str, tuple[str, ...]] = {
    "fire": ("#ff3b1f", "#ffd400", "#1a0a05"),
    "ocean": ("#00c2ff", "#0b2a6f", "#ffffff"),
    "money": ("#35e06f", "#0d3b1e", "#ffe14d"),
    "neon": ("#ff2bd6", "#2a0a4a", "#00f0ff"),
    "mono": ("#ffd400", "#111111", "#ffffff"),
}

# Colour names people type in the bot's other languages (CSS names cover English).
_NAMES = {
    "красный": "#e53935", "оранжевый": "#fb8c00", "жёлтый": "#fdd835", "желтый": "#fdd835",
    "зелёный": "#43a047", "зеленый": "#43a047", "голубой": "#29b6f6", "синий": "#1e40c8",
    "фиолетовый": "#8e24aa", "розовый": "#ec407a", "чёрный": "#000000", "черный": "#000000",
    "белый": "#ffffff", "серый": "#9e9e9e", "коричневый": "#6d4c41", "золотой": "#ffc107",
    "rojo": "#e53935", "naranja": "#fb8c00", "amarillo": "#fdd835", "verde": "#43a047",
    "celeste": "#29b6f6", "azul": "#1e40c8", "morado": "#8e24aa", "violeta": "#8e24aa",
    "rosa": "#ec407a", "negro": "#000000", "blanco": "#ffffff", "gris": "#9e9e9e",
    "marrón": "#6d4c41", "marron": "#6d4c41", "dorado": "#ffc107",
}  # fmt: skip
_HEX = re.compile(r"#?([0-9a-f]{6})|#([0-9a-f]{3})")
_SEPARATORS = re.compile(r"[,;\n]+")


@dataclass(frozen=True)
class BrandKit:
    """A saved style; every part is optional, and a new creator's kit is all empty."""

    colors: tuple[str, ...] = ()
    font: str | None = None
    position: str | None = None
    logo_url: str | None = None
    logo_corner: str = DEFAULT_CORNER
    default_face_id: UUID | None = None

    @property
    def has_style(self) -> bool:
        """Whether it changes how a thumbnail looks (a default face alone does not)."""
        return bool(self.colors or self.font or self.position or self.logo_url)

    @property
    def is_empty(self) -> bool:
        return not self.has_style and self.default_face_id is None

    def snapshot(self) -> dict[str, Any]:
        """What an order keeps of it (GenerationInput.brand)."""
        return {
            "colors": list(self.colors),
            "font": self.font,
            "position": self.position,
            "logo_url": self.logo_url,
            "logo_corner": self.logo_corner,
        }


@dataclass(frozen=True)
class Imported:
    """A kit made from a thumbnail, and what was read from it."""

    kit: BrandKit
    reading: ThumbnailReading = field(repr=False)


def parse_colors(text: str) -> tuple[str, ...]:
    """Up to three colours typed as hex codes ("#ff0000", "ff0000", "#f00") or names
    ("red", "dark blue", "красный"), separated by commas or spaces; InputRejected naming
    the first that is not a colour, or if there are more than three."""
    parts = [part.strip() for part in _SEPARATORS.split(text.lower()) if part.strip()]
    colors: list[str] = []
    for part in parts:
        whole = _color(part)  # "dark blue" is one colour, "red yellow" two
        typed = [(part, whole)] if whole else [(word, _color(word)) for word in part.split()]
        for word, color in typed:
            if color is None:
                raise InputRejected("style_colors_unreadable", bad=word[:40])
            if color not in colors:
                colors.append(color)
    if not colors:
        raise InputRejected("style_colors_unreadable", bad=text.strip()[:40] or "—")
    if len(colors) > MAX_COLORS:
        raise InputRejected("style_colors_too_many", max=MAX_COLORS)
    return tuple(colors)


def _color(word: str) -> str | None:
    """'#rrggbb' for one typed colour, or None."""
    match = _HEX.fullmatch(word)
    if match is not None:
        digits = match[1] or "".join(c * 2 for c in match[2])
        return f"#{digits}"
    if word in _NAMES:
        return _NAMES[word]
    name = word.replace(" ", "").replace("-", "")
    if name in ImageColor.colormap:
        red, green, blue = ImageColor.getrgb(name)[:3]
        return f"#{red:02x}{green:02x}{blue:02x}"
    return None


_COLUMNS = "colors, font, headline_position AS position, logo_url, logo_corner, default_face_id"
_SETTABLE = frozenset(
    {"colors", "font", "headline_position", "logo_url", "logo_corner", "default_face_id"}
)


class BrandKitService:
    def __init__(self, db: Database, storage: Storage, faces: FaceService) -> None:
        self._db = db
        self._storage = storage
        self._faces = faces

    async def get(self, profile_id: UUID) -> BrandKit:
        """The creator's kit (an empty one if they never saved any)."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM brand_kits WHERE profile_id = %s", [profile_id]
        )
        return _kit(row) if row is not None else BrandKit()

    async def set_colors(self, profile_id: UUID, typed: str) -> BrandKit:
        """Colours as the creator typed them (see `parse_colors`); InputRejected, and
        nothing changed, if they are not colours."""
        return await self._save(profile_id, colors=list(parse_colors(typed)))

    async def set_preset(self, profile_id: UUID, name: str) -> BrandKit:
        if name not in PRESETS:
            raise InputRejected("stale_button")
        return await self._save(profile_id, colors=list(PRESETS[name]))

    async def set_font(self, profile_id: UUID, font: str | None) -> BrandKit:
        """A bundled font by key; None lets every thumbnail use the usual lettering."""
        if font is not None and font not in FONTS:
            raise InputRejected("stale_button")
        return await self._save(profile_id, font=font)

    async def set_position(self, profile_id: UUID, position: str | None) -> BrandKit:
        if position is not None and position not in POSITIONS:
            raise InputRejected("stale_button")
        return await self._save(profile_id, headline_position=position)

    async def set_logo(self, profile_id: UUID, upload: bytes) -> BrandKit:
        """Checks the upload (ImageRejected if it is no usable picture), keeps it as a
        PNG with its transparency and puts it in the kit; the old logo file goes unless
        an order still names it. Decoding runs in the process pool."""
        logo = await run_cpu_bound(_logo_to_keep, upload)
        key = f"{profile_id}/{hashlib.sha256(logo).hexdigest()[:32]}.png"
        url = await self._storage.put(LOGOS_BUCKET, key, logo, "image/png")
        before = await self.get(profile_id)
        kit = await self._save(profile_id, logo_url=url)
        await self._drop_logo(profile_id, before.logo_url, keep=url)
        return kit

    async def set_logo_corner(self, profile_id: UUID, corner: str) -> BrandKit:
        if corner not in CORNERS:
            raise InputRejected("stale_button")
        return await self._save(profile_id, logo_corner=corner)

    async def remove_logo(self, profile_id: UUID) -> BrandKit:
        before = await self.get(profile_id)
        kit = await self._save(profile_id, logo_url=None)
        await self._drop_logo(profile_id, before.logo_url)
        return kit

    async def load_logo(self, kit: BrandKit) -> bytes | None:
        return await self._storage.get(kit.logo_url) if kit.logo_url else None

    async def set_default_face(self, profile_id: UUID, face_id: UUID | None) -> BrandKit | None:
        """One of the creator's saved faces (None: no default); None if that face is
        not theirs or gone."""
        if face_id is not None and await self._faces.get(profile_id, face_id) is None:
            return None
        return await self._save(profile_id, default_face_id=face_id)

    async def import_from(self, profile_id: UUID, picture: bytes) -> Imported:
        """Reads a thumbnail's colours and layout (ImageRejected if it is no usable
        picture) and keeps them as the kit's colours and headline position; the font,
        logo and face stay. A layout it cannot read leaves the position as it was."""
        reading = await run_cpu_bound(read_thumbnail, picture)
        changes: dict[str, Any] = {}
        if reading.colors:
            changes["colors"] = list(reading.colors)
        if reading.headline_position is not None:
            changes["headline_position"] = reading.headline_position
        kit = await self._save(profile_id, **changes) if changes else await self.get(profile_id)
        return Imported(kit, reading)

    async def reset(self, profile_id: UUID) -> bool:
        """Forgets the kit; False if there was none."""
        row = await self._db.fetch_one(
            "DELETE FROM brand_kits WHERE profile_id = %s RETURNING logo_url", [profile_id]
        )
        if row is None:
            return False
        await self._drop_logo(profile_id, row["logo_url"])
        return True

    async def order_defaults(self, profile_id: UUID, mode: str) -> dict[str, Any]:
        """What a new order of `mode` starts with: "my style" on when there is a style,
        and a face mode's face filled with the default face."""
        kit = await self.get(profile_id)
        defaults: dict[str, Any] = {}
        if kit.has_style:
            defaults["use_brand"] = True
        if kit.default_face_id is not None and Step.FACE in MODE_STEPS.get(mode, ()):
            defaults["face_image_id"] = kit.default_face_id
        return defaults

    async def card(self, kit: BrandKit, sample: str, face: bytes | None) -> bytes:
        """The style at a glance: a sample thumbnail drawn in it by the local renderer
        (the headline `sample`, the default face if given) over a strip of its colours."""
        request = GenerationRequest(
            generation_id=uuid.uuid5(uuid.NAMESPACE_URL, f"style-card:{sample}"),
            mode="your_face" if face else "text_to_thumbnail",
            prompt=sample,
            face=face,
            headline=sample,
            brand=await self.brand_style(kit),
        )
        thumbnail = await LocalRenderer().generate(request, _no_progress)
        return await run_cpu_bound(style_card, thumbnail, kit.colors)

    async def brand_style(self, kit: BrandKit) -> BrandStyle | None:
        """The kit as the generators take it (None without a style)."""
        if not kit.has_style:
            return None
        return BrandStyle(
            colors=kit.colors,
            font=kit.font,
            position=kit.position,
            logo=await self.load_logo(kit),
            logo_corner=kit.logo_corner,
        )

    # --- what the /style chat waits for ----------------------------------------------------

    async def begin(self, profile_id: UUID, awaiting: str) -> None:
        """The creator's next message answers /style's question (`awaiting`)."""
        if awaiting not in AWAITING:
            raise ValueError(f"unknown /style question {awaiting!r}")
        await self._db.execute(
            "INSERT INTO style_sessions (profile_id, awaiting) VALUES (%s, %s)"
            " ON CONFLICT (profile_id) DO UPDATE"
            " SET awaiting = EXCLUDED.awaiting, started_at = now()",
            [profile_id, awaiting],
        )

    async def awaiting(self, profile_id: UUID) -> str | None:
        """What /style waits for, if it still does: not after SESSION_MINUTES, and not
        once an order asked something since (the answer is then the order's)."""
        value = await self._db.fetch_value(
            """
            SELECT s.awaiting FROM style_sessions s
              LEFT JOIN generation_drafts d ON d.profile_id = s.profile_id
             WHERE s.profile_id = %s
               AND s.started_at > now() - make_interval(mins => %s)
               AND (d.updated_at IS NULL OR d.updated_at < s.started_at)
            """,
            [profile_id, SESSION_MINUTES],
        )
        return value if isinstance(value, str) else None

    async def end(self, profile_id: UUID) -> bool:
        """Stops waiting; False if /style was not waiting for anything."""
        row = await self._db.fetch_one(
            "DELETE FROM style_sessions WHERE profile_id = %s RETURNING awaiting", [profile_id]
        )
        return row is not None

    # --- storage -----------------------------------------------------------------------

    async def _save(self, profile_id: UUID, **changes: Any) -> BrandKit:
        """Writes the changed parts (creating the kit on the first) and returns it."""
        unknown = set(changes) - _SETTABLE
        if unknown:
            raise ValueError(f"not parts of a brand kit: {sorted(unknown)}")
        names = list(changes)
        columns = ", ".join(names)
        placeholders = ", ".join(["%s"] * len(names))
        updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in names)
        row = await self._db.fetch_one(
            f"""
            INSERT INTO brand_kits (profile_id, {columns}) VALUES (%s, {placeholders})
            ON CONFLICT (profile_id) DO UPDATE SET {updates}, updated_at = now()
            RETURNING {_COLUMNS}
            """,
            [profile_id, *changes.values()],
        )
        assert row is not None
        return _kit(row)

    async def _drop_logo(self, profile_id: UUID, url: str | None, keep: str | None = None) -> None:
        """Deletes a logo file no longer in the kit, unless an order still names it (a
        regenerate draws it again) or it is the one just saved (the same picture)."""
        if url is None or url == keep:
            return
        named = await self._db.fetch_value(
            "SELECT EXISTS (SELECT 1 FROM generations WHERE profile_id = %s"
            " AND input->'brand'->>'logo_url' = %s)",
            [profile_id, url],
        )
        if not named:
            await self._storage.delete(url)


def _logo_to_keep(upload: bytes) -> bytes:
    """Checked here (size, format, a visible picture, trimmed to it), then normalised as
    every generator expects a logo (services/generators/branding.py)."""
    return prepare_logo(check_logo(upload))


def _kit(row: dict[str, Any]) -> BrandKit:
    return BrandKit(
        colors=tuple(row["colors"] or ()),
        font=row["font"],
        position=row["position"],
        logo_url=row["logo_url"],
        logo_corner=row["logo_corner"],
        default_face_id=row["default_face_id"],
    )


async def _no_progress(fraction: float, stage: str) -> None:
    """The style card is drawn while the creator waits on one message: no progress."""

"""/style: the creator's saved channel style (services/brand_kits.py), shown as a sample
thumbnail drawn in it over its colour swatches, with a button per part to change.

Colours, a logo and a thumbnail to import arrive as the creator's next message: /style
records what it waits for in the database (so a restart changes nothing), and the
photo and text handlers (handlers/faces.py, handlers/generate.py) hand such a message
here first (`take_text`, `take_picture`). Other choices are buttons ("style:...").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

from telegram import InlineKeyboardMarkup, Update

from handlers.i18n import Html
from handlers.kit import Button, ChatContext, keyboard, private_only
from services.brand_kits import POSITIONS, PRESETS, BrandKit, Imported
from services.generators.branding import CORNERS
from services.generators.fonts import FONTS

Callback = Callable[[ChatContext, str], Awaitable[None]]
AUTO = "auto"  # a font or position left to each thumbnail


@private_only
async def show_style(update: Update, context: ChatContext) -> None:
    """/style: the kit as it is, and its buttons. A question /style asked before is
    dropped: the creator starts over from here."""
    profile = await context.profile()
    service = context.services.brand_kits
    await service.end(profile.id)
    await send_card(context, await service.get(profile.id))


async def send_card(context: ChatContext, kit: BrandKit, note: Html | None = None) -> None:
    """The style card: a sample thumbnail in the kit's style and the kit in words."""
    profile = await context.profile()
    face = None
    if kit.default_face_id is not None:
        saved = await context.services.faces.get(profile.id, kit.default_face_id)
        face = await context.services.faces.load(saved) if saved is not None else None
    picture = await context.services.brand_kits.card(kit, context.t("style_sample"), face)
    caption = "\n\n".join(part for part in (note, await _summary(context, kit)) if part)
    await context.chat.send_photo(picture, caption=caption, reply_markup=_menu(context))


async def _summary(context: ChatContext, kit: BrandKit) -> Html:
    if kit.is_empty:
        return context.t("style_empty")
    unset = context.t("style_unset")
    colors = " ".join(f"<code>{color}</code>" for color in kit.colors)
    font = FONTS[kit.font].name if kit.font in FONTS else None
    where = context.t(f"where_{kit.position}") if kit.position else None
    corner = context.t(f"corner_{kit.logo_corner.replace('-', '_')}")
    face_number = await _face_number(context, kit.default_face_id)
    lines = [
        context.t("style_title"),
        context.t("style_colors", colors=Html(colors) if colors else unset),
        context.t("style_font", font=font or unset),
        context.t("style_position", where=where or unset),
        context.t("style_logo", corner=corner) if kit.logo_url else context.t("style_no_logo"),
        context.t("style_face", n=face_number) if face_number else context.t("style_no_face"),
        "",
        context.t("style_how_used"),
    ]
    return Html("\n".join(lines))


async def _face_number(context: ChatContext, face_id: UUID | None) -> int | None:
    """The face's number as /faces shows it."""
    if face_id is None:
        return None
    faces = await context.services.faces.list((await context.profile()).id)
    return next((n for n, face in enumerate(faces, 1) if face.id == face_id), None)


def _menu(context: ChatContext) -> InlineKeyboardMarkup:
    return keyboard(
        [
            (context.t("btn_style_colors"), "style:colors"),
            (context.t("btn_style_font"), "style:font"),
        ],
        [
            (context.t("btn_style_position"), "style:pos"),
            (context.t("btn_style_logo"), "style:logo"),
        ],
        [
            (context.t("btn_style_face"), "style:face"),
            (context.t("btn_style_import"), "style:import"),
        ],
        [(context.t("btn_style_reset"), "style:reset")],
    )


# --- buttons --------------------------------------------------------------------------------


async def on_callback(update: Update, context: ChatContext) -> None:
    """Every "style:" button (their shapes are in handlers/buttons.py)."""
    action, _, value = context.data.removeprefix("style:").partition(":")
    handler = _CALLBACKS.get(action)
    if handler is None:
        await context.alert("stale_button")
        return
    await handler(context, value)


def _cancel_row(context: ChatContext) -> list[Button]:
    return [(context.t("btn_cancel"), "style:cancel")]


async def _on_colors(context: ChatContext, preset: str) -> None:
    """The colour question (typed colours answer it), or a preset chosen."""
    profile = await context.profile()
    service = context.services.brand_kits
    await context.query.answer()
    if not preset:
        await service.begin(profile.id, "colors")
        presets = [
            (context.t(f"btn_style_preset_{name}"), f"style:colors:{name}") for name in PRESETS
        ]
        rows = [presets[i : i + 2] for i in range(0, len(presets), 2)]
        await context.say("style_ask_colors", keyboard(*rows, _cancel_row(context)))
        return
    kit = await service.set_preset(profile.id, preset)
    await service.end(profile.id)
    await context.remove_buttons()
    await send_card(context, kit, context.t("style_saved"))


async def _on_font(context: ChatContext, key: str) -> None:
    profile = await context.profile()
    service = context.services.brand_kits
    await context.query.answer()
    if not key:
        current = (await service.get(profile.id)).font
        fonts = [
            (_ticked(font.name, font.key == current), f"style:font:{font.key}")
            for font in FONTS.values()
        ]
        auto = (_ticked(context.t("btn_style_font_auto"), current is None), f"style:font:{AUTO}")
        rows = [fonts[i : i + 2] for i in range(0, len(fonts), 2)]
        await context.say("style_ask_font", keyboard(*rows, [auto]))
        return
    kit = await service.set_font(profile.id, None if key == AUTO else key)
    await context.remove_buttons()
    await send_card(context, kit, context.t("style_saved"))


async def _on_position(context: ChatContext, position: str) -> None:
    profile = await context.profile()
    service = context.services.brand_kits
    await context.query.answer()
    if not position:
        current = (await service.get(profile.id)).position
        choices = [
            (_ticked(context.t(f"btn_style_pos_{name}"), name == current), f"style:pos:{name}")
            for name in (*POSITIONS, AUTO)
        ]
        rows = [choices[0:2], choices[2:4], choices[4:6]]
        await context.say("style_ask_position", keyboard(*rows))
        return
    kit = await service.set_position(profile.id, None if position == AUTO else position)
    await context.remove_buttons()
    await send_card(context, kit, context.t("style_saved"))


async def _on_logo(context: ChatContext, action: str) -> None:
    """The logo question (an image answers it), with the corner and remove buttons when
    there is a logo; or the logo removed."""
    profile = await context.profile()
    service = context.services.brand_kits
    await context.query.answer()
    if action == "del":
        await service.end(profile.id)
        kit = await service.remove_logo(profile.id)
        await context.remove_buttons()
        await send_card(context, kit, context.t("style_logo_removed"))
        return
    await service.begin(profile.id, "logo")
    kit = await service.get(profile.id)
    rows: list[list[Button]] = []
    if kit.logo_url:
        rows = _corner_rows(context, kit.logo_corner)
        rows.append([(context.t("btn_style_logo_remove"), "style:logo:del")])
    await context.say("style_ask_logo", keyboard(*rows, _cancel_row(context)))


def _corner_rows(context: ChatContext, current: str) -> list[list[Button]]:
    corners: list[Button] = [
        (
            _ticked(context.t(f"btn_style_{corner.replace('-', '_')}"), corner == current),
            f"style:corner:{corner}",
        )
        for corner in CORNERS
    ]
    return [corners[0:2], corners[2:4]]


async def _on_corner(context: ChatContext, corner: str) -> None:
    profile = await context.profile()
    service = context.services.brand_kits
    await context.query.answer()
    await service.end(profile.id)
    kit = await service.set_logo_corner(profile.id, corner)
    await context.remove_buttons()
    await send_card(context, kit, context.t("style_saved"))


async def _on_face(context: ChatContext, value: str) -> None:
    """The saved faces to pick the default from, or one picked ("none": no default)."""
    profile = await context.profile()
    service = context.services.brand_kits
    if not value:
        await context.query.answer()
        faces = await context.services.faces.list(profile.id)
        if not faces:
            await context.say("style_no_faces")
            return
        current = (await service.get(profile.id)).default_face_id
        choices = [
            (
                _ticked(context.t("btn_style_face_n", n=n), face.id == current),
                f"style:face:{face.id}",
            )
            for n, face in enumerate(faces, 1)
        ]
        rows = [choices[i : i + 3] for i in range(0, len(choices), 3)]
        none = (_ticked(context.t("btn_style_face_none"), current is None), "style:face:none")
        await context.say("style_ask_face", keyboard(*rows, [none]))
        return
    kit = await service.set_default_face(profile.id, None if value == "none" else UUID(value))
    if kit is None:
        await context.alert("face_gone")
        return
    await context.query.answer()
    await context.remove_buttons()
    await send_card(context, kit, context.t("style_saved"))


async def _on_import(context: ChatContext, _: str) -> None:
    profile = await context.profile()
    await context.query.answer()
    await context.services.brand_kits.begin(profile.id, "import")
    await context.say("style_ask_import", keyboard(_cancel_row(context)))


async def _on_reset(context: ChatContext, confirmed: str) -> None:
    profile = await context.profile()
    await context.query.answer()
    if not confirmed:
        sure = [(context.t("btn_style_reset_yes"), "style:reset:yes"), *_cancel_row(context)]
        await context.say("style_ask_reset", keyboard(sure))
        return
    service = context.services.brand_kits
    await service.end(profile.id)
    await context.remove_buttons()
    await context.say(
        "style_reset_done" if await service.reset(profile.id) else "style_reset_nothing"
    )


async def _on_cancel(context: ChatContext, _: str) -> None:
    await context.query.answer()
    await context.services.brand_kits.end((await context.profile()).id)
    await context.remove_buttons()
    await context.say("style_cancelled")


def _ticked(label: str, chosen: bool) -> str:
    return f"✓ {label}" if chosen else label


_CALLBACKS: dict[str, Callback] = {
    "colors": _on_colors,
    "font": _on_font,
    "pos": _on_position,
    "logo": _on_logo,
    "corner": _on_corner,
    "face": _on_face,
    "import": _on_import,
    "reset": _on_reset,
    "cancel": _on_cancel,
}


# --- the creator's next message ---------------------------------------------------------------


async def take_text(context: ChatContext) -> bool:
    """Typed colours, if /style waits for them: saved, or told why not (InputRejected,
    nothing changed, the question still open). False if /style waits for no text."""
    profile = await context.profile()
    service = context.services.brand_kits
    if await service.awaiting(profile.id) != "colors":
        return False
    kit = await service.set_colors(profile.id, context.message.text or "")
    await service.end(profile.id)
    await send_card(context, kit, context.t("style_saved"))
    return True


async def take_picture(context: ChatContext, file_id: str) -> bool:
    """A logo or a thumbnail to import, if /style waits for one: saved, or told why not
    (ImageRejected, nothing changed, the question still open). False otherwise."""
    profile = await context.profile()
    service = context.services.brand_kits
    awaiting = await service.awaiting(profile.id)
    if awaiting not in ("logo", "import"):
        return False
    data = await context.download(file_id)
    if data is None:
        return True  # the creator was asked to send it again
    if awaiting == "logo":
        kit = await service.set_logo(profile.id, data)
        await service.end(profile.id)
        await send_card(context, kit, context.t("style_logo_saved"))
        await context.say("style_ask_corner", keyboard(*_corner_rows(context, kit.logo_corner)))
    else:
        imported = await service.import_from(profile.id, data)
        await service.end(profile.id)
        await send_card(context, imported.kit, _reading(context, imported))
    return True


def _reading(context: ChatContext, imported: Imported) -> Html:
    """What was read from a thumbnail, and what of it the kit keeps."""
    reading = imported.reading
    colors = " ".join(f"<code>{color}</code>" for color in reading.colors)
    lines = [
        context.t("style_read"),
        context.t("style_read_colors", colors=Html(colors)),
        context.t("style_read_face", where=context.t(f"where_{reading.face_side}"))
        if reading.face_side
        else context.t("style_read_no_face"),
        context.t("style_read_text", where=context.t(f"where_{reading.text_position}"))
        if reading.text_position
        else context.t("style_read_no_text"),
    ]
    position = reading.headline_position
    if position:
        lines.append(context.t("style_read_saved", where=context.t(f"where_{position}")))
    else:
        lines.append(context.t("style_read_saved_colors"))
    return Html("\n".join(lines))

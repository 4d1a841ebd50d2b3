"""Face photos: a photo (or an image sent as a file) is offered to be saved, /faces lists
them with delete buttons, and anything that isn't a usable photo is explained."""

from __future__ import annotations

from uuid import UUID

from telegram import Update

from handlers import generate
from handlers.common import (
    Context,
    NotThatKindOfUpdate,
    button,
    callback_data,
    current_profile,
    download,
    keyboard,
    lang,
    message_of,
    private_only,
    query_of,
    remove_buttons,
    reply,
    send_face,
    services,
)
from handlers.i18n import t
from services.faces import MAX_FACES, Face, FaceLimitReached
from services.images import (
    ALLOWED_MIME_TYPES,
    ImageRejected,
    check_upload_size,
)
from services.modes import Step


async def on_photo(update: Update, context: Context) -> None:
    largest = message_of(update).photo[-1]  # Telegram lists sizes smallest first
    await _receive_image(update, context, largest.file_id, largest.file_size)


async def on_document(update: Update, context: Context) -> None:
    """An uncompressed image is as good as a photo; any other file is explained."""
    document = message_of(update).document
    if document is None:
        raise NotThatKindOfUpdate("no document")
    if document.mime_type not in ALLOWED_MIME_TYPES:
        kind = (document.file_name or "").rsplit(".", 1)[-1].upper() if document.file_name else ""
        await reply(update, t(lang(update), "document_not_image", kind=kind or "?"))
        return
    await _receive_image(update, context, document.file_id, document.file_size)


async def on_sticker(update: Update, context: Context) -> None:
    await reply(update, t(lang(update), "sticker"))


async def _receive_image(update: Update, context: Context, file_id: str, size: int | None) -> None:
    language = lang(update)
    try:
        check_upload_size(size)
    except ImageRejected as rejected:
        await reply(update, t(language, rejected.key, **rejected.params))
        return
    profile = await current_profile(update, context)
    svc = services(context)
    draft = await svc.drafts.current(profile.id)
    if draft is not None and draft.step is Step.FACE:
        face = await _save_face(update, context, file_id)
        if face is not None:
            await generate.use_face(update, context, draft, face)
        return
    if draft is not None and draft.step is Step.STYLE:
        data = await download(update, context, file_id)
        if data is not None:
            await generate.use_style_picture(update, context, draft, data)
        return
    if not await svc.faces.has_room(profile.id):
        await reply(update, t(language, "face_limit", max=MAX_FACES))
        return
    upload_id = await svc.faces.remember_upload(profile.id, file_id)
    await reply(
        update,
        t(language, "face_offer"),
        keyboard(
            [
                button(t(language, "btn_save_face"), f"face:save:{upload_id}"),
                button(t(language, "btn_skip"), f"face:skip:{upload_id}"),
            ]
        ),
    )


async def _save_face(update: Update, context: Context, file_id: str) -> Face | None:
    """Downloads, checks and stores a photo; explains and returns None if it can't."""
    language = lang(update)
    profile = await current_profile(update, context)
    data = await download(update, context, file_id)
    if data is None:
        return None
    try:
        saved = await services(context).faces.save_upload(profile.id, data, file_id)
    except ImageRejected as rejected:
        await reply(update, t(language, rejected.key, **rejected.params))
        return None
    except FaceLimitReached:
        await reply(update, t(language, "face_limit", max=MAX_FACES))
        return None
    count = len(await services(context).faces.list(profile.id))
    key = "face_already" if saved.already_saved else "face_saved"
    text: str = t(language, key, count=count, max=MAX_FACES)
    if saved.faces_in_photo is not None and saved.faces_in_photo > 1:
        text += "\n" + t(language, "face_largest_kept", found=saved.faces_in_photo)
    await reply(update, text)
    return saved.face


async def on_face_callback(update: Update, context: Context) -> None:
    query, data = query_of(update), callback_data(update)
    _, action, value = data.split(":", 2)
    language = lang(update)
    profile = await current_profile(update, context)
    faces = services(context).faces
    if action in ("save", "skip"):
        file_id = await faces.take_upload(profile.id, int(value))
        if file_id is None:
            await query.answer(t(language, "stale_button"), show_alert=True)
            return
        await query.answer()
        await remove_buttons(query)
        if action == "save":
            await _save_face(update, context, file_id)
        else:
            await reply(update, t(language, "face_skipped"))
    elif action == "del":
        deleted = await faces.delete(profile.id, UUID(value))
        if deleted and query.message is not None:
            await query.message.delete()
        await query.answer(t(language, "face_deleted" if deleted else "face_gone"))


@private_only
async def list_faces(update: Update, context: Context) -> None:
    language = lang(update)
    profile = await current_profile(update, context)
    faces = await services(context).faces.list(profile.id)
    if not faces:
        await reply(update, t(language, "faces_empty"))
        return
    await reply(update, t(language, "faces_list", count=len(faces), max=MAX_FACES))
    for number, face in enumerate(faces, start=1):
        delete = keyboard([button(t(language, "btn_delete_face"), f"face:del:{face.id}")])
        await send_face(update, context, face, t(language, "face_caption", n=number), delete)

"""Face photos: a photo (or an image sent as a file) is offered to be saved, /faces lists
them with delete buttons, and anything that isn't a usable photo is explained."""

from __future__ import annotations

from uuid import UUID

from telegram import Update

from handlers import generate, style
from handlers.context import NotThatKindOfUpdate
from handlers.kit import ChatContext, keyboard, private_only
from handlers.stored_photos import send_face
from services.faces import MAX_FACES, Face
from services.images import ALLOWED_MIME_TYPES, check_upload_size
from services.modes import Step


async def on_photo(update: Update, context: ChatContext) -> None:
    largest = context.message.photo[-1]  # Telegram lists sizes smallest first
    await _receive_image(context, largest.file_id, largest.file_size)


async def on_document(update: Update, context: ChatContext) -> None:
    """An uncompressed image is as good as a photo; any other file is explained."""
    document = context.message.document
    if document is None:
        raise NotThatKindOfUpdate("no document")
    if document.mime_type not in ALLOWED_MIME_TYPES:
        kind = (document.file_name or "").rsplit(".", 1)[-1].upper() if document.file_name else ""
        await context.say("document_not_image", kind=kind or "?")
        return
    await _receive_image(context, document.file_id, document.file_size)


async def on_sticker(update: Update, context: ChatContext) -> None:
    await context.say("sticker")


async def _receive_image(context: ChatContext, file_id: str, size: int | None) -> None:
    """A picture: the logo or thumbnail /style waits for, the face or style an order
    waits for, else a face to offer saving. Too big a file is refused (ImageRejected,
    told by handlers/errors.py) unread."""
    check_upload_size(size)
    if await style.take_picture(context, file_id):
        return
    profile = await context.profile()
    services = context.services
    draft = await services.drafts.current(profile.id)
    if draft is not None and draft.step is Step.FACE:
        face = await _save_face(context, file_id)
        if face is not None:
            await generate.use_face(context, draft, face)
        return
    if draft is not None and draft.step is Step.STYLE:
        data = await context.download(file_id)
        if data is not None:
            await generate.use_style_picture(context, draft, data)
        return
    if not await services.faces.has_room(profile.id):
        await context.say("face_limit", max=MAX_FACES)
        return
    upload_id = await services.faces.remember_upload(profile.id, file_id)
    await context.say(
        "face_offer",
        keyboard(
            [
                (context.t("btn_save_face"), f"face:save:{upload_id}"),
                (context.t("btn_skip"), f"face:skip:{upload_id}"),
            ]
        ),
    )


async def _save_face(context: ChatContext, file_id: str) -> Face | None:
    """Downloads, checks and stores a photo; None if the file is gone (the user is told).
    A photo that is no usable face (ImageRejected) or one face too many
    (FaceLimitReached) is told by handlers/errors.py."""
    profile = await context.profile()
    data = await context.download(file_id)
    if data is None:
        return None
    faces = context.services.faces
    saved = await faces.save_upload(profile.id, data, file_id)
    count = len(await faces.list(profile.id))
    key = "face_already" if saved.already_saved else "face_saved"
    text: str = context.t(key, count=count, max=MAX_FACES)
    if saved.faces_in_photo is not None and saved.faces_in_photo > 1:
        text += "\n" + context.t("face_largest_kept", found=saved.faces_in_photo)
    await context.reply(text)
    return saved.face


async def on_face_callback(update: Update, context: ChatContext) -> None:
    _, action, value = context.data.split(":", 2)
    profile = await context.profile()
    faces = context.services.faces
    query = context.query
    if action in ("save", "skip"):
        file_id = await faces.take_upload(profile.id, int(value))
        if file_id is None:
            await context.alert("stale_button")
            return
        await query.answer()
        await context.remove_buttons()
        if action == "save":
            await _save_face(context, file_id)
        else:
            await context.say("face_skipped")
    elif action == "del":
        deleted = await faces.delete(profile.id, UUID(value))
        if deleted:
            await context.message.delete()
        await query.answer(context.t("face_deleted" if deleted else "face_gone"))


@private_only
async def list_faces(update: Update, context: ChatContext) -> None:
    profile = await context.profile()
    faces = await context.services.faces.list(profile.id)
    if not faces:
        await context.say("faces_empty")
        return
    await context.say("faces_list", count=len(faces), max=MAX_FACES)
    for number, face in enumerate(faces, start=1):
        delete = keyboard([(context.t("btn_delete_face"), f"face:del:{face.id}")])
        await send_face(context, face, context.t("face_caption", n=number), delete)

"""Which Replicate model makes a mode's picture, and the input it is sent.

A mode's model, input template and lettering choice live in `generation_types` (sql/007), so
an admin can switch models with `set_generation_model` and the next generation uses the new
one; they are read on every generation. The thumbnail prompt is written here, per mode, and
the pictures the template names are attached as files the replicate library uploads through
its Files API (it uploads any `io.IOBase` value of a prediction's input) rather than inlined
as data URLs.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from services.adapters.db import Database
from services.generators.base import GenerationFailed, GenerationRequest
from services.generators.branding import color_words
from services.generators.edits import EditRequest, edit_prompt
from services.generators.headline import pick_headline
from services.generators.imaging import decode_image
from services.generators.postprocess import Side, text_side

# source_image: the picture an edit by instruction changes (services/generators/edits.py).
IMAGE_PLACEHOLDERS = ("face_image", "video_thumbnail", "style_image", "source_image")
_PLACEHOLDER = re.compile(r"\{(prompt|face_image|video_thumbnail|style_image|source_image)\}")
MATCH_INPUT = "match_input_image"  # an aspect ratio: the edited picture's own
_UPLOAD_SIDE = 2048  # larger pictures are scaled down before upload: models don't use more
_UPLOAD_QUALITY = 92
_SUBJECT_CHARS = 400
_FACE_MODES = frozenset({"your_face", "face_youtube"})

_LOOK = (
    "Bold, high-contrast, expressive {shape}: saturated colours, dramatic lighting, sharp "
    "focus, one clear focal point that reads at a glance even when tiny."
)
_SHAPES = {"16:9": "YouTube thumbnail, 16:9", "9:16": "YouTube Shorts cover, vertical 9:16"}
# Where the headline goes, and the subject so that its part stays clear: (headline, subject).
_PARTS: dict[Side, tuple[str, str]] = {
    "left": ("the left side", "on the right side"),
    "right": ("the right side", "on the left side"),
    "top": ("the upper part", "in the lower part"),
    "bottom": ("the lower part", "in the upper part"),
    "center": ("a band across the middle", "above or below it"),
}
_NO_TEXT = "No text, no letters, no words, no captions, no logos, no watermark."


@dataclass(frozen=True)
class ModelSpec:
    """A mode's Replicate model (owner/name or owner/name:version), its input template, and
    whether the headline is drawn by code (the model is then asked for no text)."""

    model: str
    input_template: Mapping[str, Any] = field(default_factory=dict)
    output_text: bool = True

    @property
    def name(self) -> str:
        """owner/name without the version."""
        return self.model.partition(":")[0]

    @property
    def version(self) -> str | None:
        """The pinned version id, or None for an official model's latest version."""
        return self.model.partition(":")[2] or None


class UploadImage(io.BytesIO):
    """Picture bytes with a file name: the replicate library uploads it and sends the file's
    URL, and the name gives the upload its content type."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


class ReplicateModels:
    """Reads the model of a mode and renders its input for a request."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def spec(self, mode: str) -> ModelSpec:
        """The mode's model as stored now; GenerationFailed if the mode has none."""
        row = await self._db.fetch_one(
            "SELECT model, input_template, output_text FROM generation_types WHERE type_key = %s",
            [mode],
        )
        if row is None or not row["model"]:
            raise GenerationFailed(f"no Replicate model is configured for mode {mode!r}")
        return ModelSpec(row["model"], row["input_template"] or {}, bool(row["output_text"]))

    async def build_input(self, spec: ModelSpec, request: GenerationRequest) -> dict[str, Any]:
        """The prediction input: the template with the prompt and the pictures filled in.
        GenerationFailed("generation_failed") if the template wants a picture the request
        lacks; pictures are re-encoded in a worker thread."""
        wanted = sorted(set(image_placeholders(spec.input_template)))
        sources = _image_sources(request)
        missing = [name for name in wanted if not sources[name]]
        if missing:
            raise GenerationFailed(
                f"mode {request.mode!r} needs {', '.join(missing)}, which the request lacks"
            )
        images = {
            name: await asyncio.to_thread(prepare_upload, sources[name] or b"", name)
            for name in wanted
        }
        if isinstance(request, EditRequest):
            prompt = edit_prompt(request.plans[-1])
        else:
            prompt = thumbnail_prompt(request, output_text=spec.output_text)
        payload = render_template(spec.input_template, prompt, images)
        # the order's shape, whatever the template says (an edit keeps its picture's)
        if payload.get("aspect_ratio", MATCH_INPUT) != MATCH_INPUT:
            payload["aspect_ratio"] = request.format.aspect_ratio
        return payload


def _image_sources(request: GenerationRequest) -> dict[str, bytes | None]:
    return {
        "face_image": request.face,
        "video_thumbnail": request.video.thumbnail if request.video else None,
        "style_image": request.style.thumbnail if request.style else None,
        "source_image": request.source_image if isinstance(request, EditRequest) else None,
    }


def image_placeholders(template: Any) -> Iterator[str]:
    """The picture placeholders a template uses, wherever they are nested."""
    if isinstance(template, str):
        yield from (m[1] for m in _PLACEHOLDER.finditer(template) if m[1] in IMAGE_PLACEHOLDERS)
    elif isinstance(template, Mapping):
        for value in template.values():
            yield from image_placeholders(value)
    elif isinstance(template, list | tuple):
        for value in template:
            yield from image_placeholders(value)


def render_template(
    template: Mapping[str, Any], prompt: str, images: Mapping[str, UploadImage]
) -> dict[str, Any]:
    """The template with "{prompt}" replaced in every string and each string that is exactly
    a picture placeholder replaced by that picture. One pass, so braces in the user's words
    are never read as placeholders."""

    def render(value: Any) -> Any:
        if isinstance(value, str):
            return _render_string(value, prompt, images)
        if isinstance(value, Mapping):
            return {key: render(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [render(item) for item in value]
        return value

    return {key: render(value) for key, value in template.items()}


def _render_string(text: str, prompt: str, images: Mapping[str, UploadImage]) -> Any:
    whole = _PLACEHOLDER.fullmatch(text)
    if whole is not None and whole[1] in IMAGE_PLACEHOLDERS:
        image = images.get(whole[1])
        if image is None:
            raise GenerationFailed(f"no picture for the placeholder {text}")
        return image

    def fill(match: re.Match[str]) -> str:
        if match[1] != "prompt":
            raise GenerationFailed(f"a picture placeholder inside text: {text!r}")
        return prompt

    return _PLACEHOLDER.sub(fill, text)


def prepare_upload(data: bytes, name: str) -> UploadImage:
    """The picture upright, at most 2048 px, as a JPEG without metadata (no GPS position of
    the user's photo leaves us). An unreadable face is the user's to fix."""
    image = decode_image(data, _UPLOAD_SIDE)
    if image is None:
        key = "face_unreadable" if name == "face_image" else "generation_failed"
        raise GenerationFailed(f"the {name.replace('_', ' ')} could not be decoded", key)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=_UPLOAD_QUALITY)
    return UploadImage(buffer.getvalue(), f"{name}.jpg")


def text_sources(request: GenerationRequest) -> tuple[str | None, ...]:
    """Where the request says what the video is about, best first: the video's title in the
    YouTube modes (the prompt is then a title the user typed), else the user's description.
    The prompt's subject and the drawn headline both come from these; a video id, a link
    or a slug never does (it says nothing, and drawn it looks broken)."""
    video = request.video
    title = video.title if video else None
    if request.mode in ("youtube_thumbnail", "face_youtube"):
        return (title, request.prompt)
    return (request.prompt, title)


def subject_of(request: GenerationRequest) -> str:
    """What the video is about, in the user's words, or a neutral stand-in."""
    for source in text_sources(request):
        text = " ".join((source or "").split())
        if text:
            return text[:_SUBJECT_CHARS]
    return "an exciting new video"


def thumbnail_prompt(request: GenerationRequest, *, output_text: bool) -> str:
    """The full prompt for the mode: what to show, how a thumbnail of the order's shape
    looks, where to keep room for the headline (the part the code draws it on), the
    brand's colours, and whether to letter it."""
    subject = subject_of(request)
    free = text_side(request.variation, request.format, request.brand)
    lead = _lead(request.mode, subject)
    shape = _SHAPES.get(request.format.key, f"square {request.format.key} social media post")
    text_part, subject_part = _PARTS[free]
    layout = (
        f"Put the main subject large {subject_part} and keep {text_part} simple and uncluttered."
    )
    parts = [lead, layout, _LOOK.format(shape=shape)]
    colors = color_words(request.brand)
    if colors:
        parts.append(f"Use the channel's colour scheme: {colors}, the first as the accent.")
    if output_text:
        parts.append(_NO_TEXT)
    else:
        words = request.headline or " ".join(pick_headline(subject).words) or "WATCH THIS"
        parts.append(f'Letter the headline "{words}" in huge bold outlined letters in {text_part}.')
    return " ".join(parts)


def _lead(mode: str, subject: str) -> str:
    """The mode's instruction: a scene from words, an edit of the user's photo, or either in
    the look of a reference thumbnail."""
    if mode in _FACE_MODES:
        return (
            f"Turn this photo into a YouTube thumbnail for a video about: {subject}. Keep the "
            "person's face, identity and features exactly the same, give them an expressive, "
            "excited reaction, and place them in a scene that shows the topic."
        )
    if mode == "top_youtube_style":
        return (
            f"A YouTube thumbnail for a video about: {subject}, following the colours, "
            "lighting and composition of the reference image."
        )
    if mode == "top_youtube_style_face":
        return (
            f"A YouTube thumbnail for a video about: {subject}, showing the person from the "
            "first image, with their face and identity exactly the same and an expressive "
            "reaction, in the visual style (colours, lighting, composition) of the second image."
        )
    return f"A YouTube thumbnail for a video about: {subject}."

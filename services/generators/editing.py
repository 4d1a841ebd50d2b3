"""The generator every job goes through: edits by instruction are made here, anything else
passes to the configured generator untouched.

An edit (an EditRequest, built by services/generation.py) is made one of two ways. With the
local renderer, the chain's plans are applied to the root request (headline, colours,
side, face size) and the root mode is drawn again, then the whole-picture look (contrast,
brightness, saturation) is adjusted. With an editing model (Replicate), the model gets the
picture being edited and the picture changes of the newest instruction (the edit_thumbnail
type's model and template), and code draws the chain's headline over its result in the
chain's colour and side, like every Replicate thumbnail.
"""

from __future__ import annotations

import colorsys
import io

from PIL import Image, ImageEnhance

from services.generators.base import GenerationRequest, Generator, ProgressCallback
from services.generators.cpu import run_cpu_bound
from services.generators.edits import (
    EditRequest,
    Look,
    apply_plans,
    backdrop_kept,
)
from services.generators.imaging import RGB, decode_image
from services.generators.local_renderer import headline_side
from services.generators.palette import luma
from services.generators.postprocess import encode_jpeg, text_side

_SAMPLE_SIDE = 640  # the edited picture is only sampled for its background's colours
_SAMPLE_GRID = (64, 36)
_SAMPLE_COLORS = 12
_COLORFUL = 0.25  # the least saturation of a background colour
_HUES = 12  # hues are grouped in twelve 30° slices


class EditingGenerator:
    """A Generator around the configured one that also makes edits."""

    def __init__(self, inner: Generator, *, model_edits: bool) -> None:
        """`model_edits`: the inner generator is Replicate, whose edit_thumbnail model
        edits the picture; otherwise the inner generator is the local renderer."""
        self._inner = inner
        self._model_edits = model_edits

    @property
    def model_edits(self) -> bool:
        return self._model_edits

    async def generate(self, request: GenerationRequest, progress: ProgressCallback) -> bytes:
        if not isinstance(request, EditRequest):
            return await self._inner.generate(request, progress)
        if self._model_edits:
            return await self._inner.generate(for_editing_model(request), progress)
        plans = request.plans
        backdrop: tuple[str, ...] = ()
        if backdrop_kept(request, plans) and request.source_image is not None:
            backdrop = await run_cpu_bound(background_colors, request.source_image)
        edited, look = apply_plans(request, plans, headline_side, backdrop=backdrop)
        image = await self._inner.generate(edited, progress)
        if look.unchanged:
            return image
        return await run_cpu_bound(adjusted, image, look, request.format.max_bytes)


def for_editing_model(request: EditRequest) -> EditRequest:
    """The edit as an editing model makes it: the chain's headline, text colour and side
    applied for the overlay; the picture changes are the model's (the prompt)."""
    edited, _ = apply_plans(request, request.plans, _overlay_side, pixels=False)
    return EditRequest.of(edited, request.instructions, request.source_image)


def _overlay_side(request: GenerationRequest) -> str:
    return text_side(request.variation, request.format, request.brand)


def background_colors(data: bytes) -> tuple[str, ...]:
    """The dark and the bright end of a thumbnail's background, as #rrggbb: a new text
    colour keeps them, instead of a background made from the text colour. The background
    is the hue most of the picture's colourful pixels share (the face's skin and the
    headline's white and black are not colourful); its darkest and brightest tones."""
    image = decode_image(data, _SAMPLE_SIDE)
    if image is None:
        return ()
    quantized = image.resize(_SAMPLE_GRID).quantize(_SAMPLE_COLORS, Image.Quantize.MEDIANCUT)
    flat = quantized.getpalette() or []
    hues: dict[int, list[tuple[float, RGB]]] = {}
    for count, index in quantized.getcolors() or []:
        assert isinstance(index, int)  # a palette image's pixels are indices
        rgb: RGB = (flat[3 * index], flat[3 * index + 1], flat[3 * index + 2])
        hue, saturation, value = colorsys.rgb_to_hsv(*(channel / 255 for channel in rgb))
        if saturation >= _COLORFUL and value >= _COLORFUL / 4:
            hues.setdefault(round(hue * _HUES) % _HUES, []).extend([(value, rgb)] * count)
    if not hues:
        return ()
    tones = max(hues.values(), key=len)
    ends = {min(tones)[1], max(tones)[1]}
    return tuple("#{:02x}{:02x}{:02x}".format(*rgb) for rgb in sorted(ends, key=luma))


def adjusted(data: bytes, look: Look, max_bytes: int) -> bytes:
    """The thumbnail with its contrast, brightness and saturation changed."""
    with Image.open(io.BytesIO(data)) as opened:
        image = opened.convert("RGB")
    image = ImageEnhance.Contrast(image).enhance(look.contrast)
    image = ImageEnhance.Brightness(image).enhance(look.brightness)
    image = ImageEnhance.Color(image).enhance(look.saturation)
    return encode_jpeg(image, max_bytes)

"""The Replicate generator: the real replicate library against the loopback stand-in, the
models and templates read from the test database (sql/007).

Every mode gives a 1280x720 JPEG of at most 2 MB from its model, with an input rendered from
its template and its pictures uploaded as files; throttling is retried; refusals, model
errors, timeouts and cancellations end the way the user is told about, and the prediction is
cancelled at Replicate whenever nobody waits for it any more.
"""

from __future__ import annotations

import asyncio
import io
import logging
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
import replicate
from PIL import Image, ImageChops, ImageDraw, ImageStat
from psycopg.types.json import Jsonb

from services.adapters.db import Database
from services.errors import InvalidArgument, UnknownGenerationType
from services.generators.base import (
    THUMBNAIL_SIZE,
    GenerationFailed,
    GenerationRequest,
    VideoReference,
)
from services.generators.postprocess import (
    MAX_JPEG_BYTES,
    finish_thumbnail,
    overlay_headline_text,
    text_box,
)
from services.generators.replicate_generator import (
    ReplicateGenerator,
    ReplicateOptions,
    Throttled,
    parse_retry_after,
    retry_delay,
)
from services.generators.replicate_models import (
    IMAGE_PLACEHOLDERS,
    ModelSpec,
    ReplicateModels,
    render_template,
    thumbnail_prompt,
)
from tests.replicate_fixtures import REPLICATE_TOKEN
from tests.standins.replicate import ReplicateStandIn, Script, output_image

TOKEN = REPLICATE_TOKEN
MODES = (
    "text_to_thumbnail",
    "youtube_thumbnail",
    "your_face",
    "face_youtube",
    "top_youtube_style",
    "top_youtube_style_face",
)
DEFAULT_MODELS = {
    "text_to_thumbnail": "black-forest-labs/flux-schnell",
    "youtube_thumbnail": "black-forest-labs/flux-schnell",
    "your_face": "black-forest-labs/flux-kontext-pro",
    "face_youtube": "black-forest-labs/flux-kontext-pro",
    "top_youtube_style": "black-forest-labs/flux-1.1-pro",
    "top_youtube_style_face": "flux-kontext-apps/multi-image-kontext-pro",
}


def picture(size: tuple[int, int], color: tuple[int, int, int], exif_make: str = "") -> bytes:
    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).ellipse((size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2))
    exif = Image.Exif()
    if exif_make:
        exif[0x010F] = exif_make  # Make: stands in for the metadata a phone photo carries
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


FACE = picture((600, 800), (220, 170, 140), exif_make="PhoneCam")
VIDEO = VideoReference(
    url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    video_id="dQw4w9WgXcQ",
    title="I Tried 100 Street Foods in Tokyo",
    thumbnail=picture((1280, 720), (40, 120, 200)),
)
STYLE = VideoReference(
    url="https://www.youtube.com/watch?v=9bZkp7q19f0",
    video_id="9bZkp7q19f0",
    title="The loudest thumbnail",
    thumbnail=picture((480, 360), (230, 30, 160)),
)
PROMPT = "How I built a log cabin in 30 days with {face_image} hand tools"
FIELDS: dict[str, dict[str, Any]] = {
    "text_to_thumbnail": {"prompt": PROMPT},
    "youtube_thumbnail": {"video": VIDEO},
    "your_face": {"prompt": PROMPT, "face": FACE},
    "face_youtube": {"video": VIDEO, "face": FACE},
    "top_youtube_style": {"prompt": PROMPT, "style": STYLE},
    "top_youtube_style_face": {"prompt": PROMPT, "style": STYLE, "face": FACE},
}


def request_for(mode: str, **changes: Any) -> GenerationRequest:
    fields = {**FIELDS[mode], **changes}
    return GenerationRequest(generation_id=uuid.uuid4(), mode=mode, **fields)


class Progress:
    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    async def __call__(self, fraction: float, stage: str) -> None:
        self.calls.append((fraction, stage))


@pytest.fixture
def models(db: Database) -> ReplicateModels:
    return ReplicateModels(db)


def make_generator(
    client: replicate.Client, models: ReplicateModels, **options: Any
) -> ReplicateGenerator:
    fast: dict[str, Any] = {
        "timeout": 10.0,
        "poll_interval": 0.02,
        "backoff": 0.01,
        "cancel_timeout": 2.0,
        "download_timeout": 5.0,
    }
    return ReplicateGenerator(client, models, ReplicateOptions(**(fast | options)))


def assert_thumbnail(data: bytes) -> Image.Image:
    assert len(data) <= MAX_JPEG_BYTES
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.size == THUMBNAIL_SIZE
    return image


async def failure_of(generator: ReplicateGenerator, request: GenerationRequest) -> str:
    with pytest.raises(GenerationFailed) as failed:
        await generator.generate(request, Progress())
    return failed.value.key


# Every mode, as configured by the migration.


async def test_the_migration_configures_every_mode(models: ReplicateModels) -> None:
    for mode, model in DEFAULT_MODELS.items():
        spec = await models.spec(mode)
        assert (spec.model, spec.output_text) == (model, True)
        assert spec.input_template["prompt"] == "{prompt}"
        assert spec.input_template["aspect_ratio"] == "16:9"
    face = await models.spec("your_face")
    assert face.input_template["input_image"] == "{face_image}"
    both = await models.spec("top_youtube_style_face")
    assert (both.input_template["input_image_1"], both.input_template["input_image_2"]) == (
        "{face_image}",
        "{style_image}",
    )


@pytest.mark.parametrize("mode", MODES)
async def test_each_mode_makes_a_thumbnail_with_its_model(
    mode: str, standin: ReplicateStandIn, client: replicate.Client, models: ReplicateModels
) -> None:
    request = request_for(mode)
    spec = await models.spec(mode)
    progress = Progress()

    assert_thumbnail(await make_generator(client, models).generate(request, progress))

    (call,) = standin.creates
    assert (call.status, call.path) == (201, f"/v1/models/{spec.name}/predictions")
    assert call.webhook is None
    prompt = thumbnail_prompt(request, output_text=True)
    assert set(call.input) == set(spec.input_template)
    for key, value in spec.input_template.items():
        sent = call.input[key]
        if value in {f"{{{name}}}" for name in IMAGE_PLACEHOLDERS}:
            assert_uploaded_picture(standin, sent, value)
        elif isinstance(value, str):
            assert sent == value.replace("{prompt}", prompt)
        else:
            assert sent == value
    assert "No text" in call.input["prompt"]
    fractions = [fraction for fraction, _ in progress.calls]
    assert fractions == sorted(fractions)
    stages = [stage for _, stage in progress.calls]
    assert stages[0] == "preparing"
    assert {"created", "downloading", "finishing"} <= set(stages)
    assert standin.download_auth == [None]  # the token never goes to the delivery host


def assert_uploaded_picture(standin: ReplicateStandIn, sent: Any, placeholder: str) -> None:
    """The input names a file uploaded to the Files API (not a data URL) holding the
    request's picture, re-encoded without its metadata."""
    assert isinstance(sent, str)
    assert sent.startswith(f"{standin.url}/v1/files/")
    upload = standin.upload_at(sent)
    assert upload is not None
    assert upload.content_type == "image/jpeg"
    image = Image.open(io.BytesIO(upload.data))
    source = {"{face_image}": FACE, "{style_image}": STYLE.thumbnail, "{video_thumbnail}": None}
    assert source[placeholder] is not None
    original = Image.open(io.BytesIO(source[placeholder]))
    assert image.size == original.size
    assert not image.getexif()


async def test_the_prompt_comes_from_the_video_title_and_braces_stay_words(
    standin: ReplicateStandIn, client: replicate.Client, models: ReplicateModels
) -> None:
    generator = make_generator(client, models)
    await generator.generate(request_for("youtube_thumbnail"), Progress())
    await generator.generate(request_for("text_to_thumbnail"), Progress())
    title_prompt, text_prompt = (call.input["prompt"] for call in standin.creates)
    assert "I Tried 100 Street Foods in Tokyo" in title_prompt
    assert "{face_image} hand tools" in text_prompt  # the user's braces are not a placeholder
    assert "YouTube thumbnail" in text_prompt


async def test_regenerating_moves_the_free_side(models: ReplicateModels) -> None:
    first = thumbnail_prompt(request_for("text_to_thumbnail"), output_text=True)
    second = thumbnail_prompt(request_for("text_to_thumbnail", variation=1), output_text=True)
    assert "keep the left side simple" in first
    assert "keep the right side simple" in second


async def test_a_single_url_output_of_another_size_is_fitted(
    standin: ReplicateStandIn, client: replicate.Client, models: ReplicateModels
) -> None:
    standin.script = Script(output_size=(1024, 576), output_as_list=False)
    assert_thumbnail(
        await make_generator(client, models).generate(request_for("your_face"), Progress())
    )


# What the template needs and the request lacks.


async def test_a_mode_without_its_picture_fails_before_anything_is_sent(
    standin: ReplicateStandIn, client: replicate.Client, models: ReplicateModels
) -> None:
    generator = make_generator(client, models)
    assert await failure_of(generator, request_for("your_face", face=None)) == "generation_failed"
    assert await failure_of(generator, request_for("top_youtube_style", style=None)) == (
        "generation_failed"
    )
    assert await failure_of(generator, request_for("your_face", face=b"not a photo")) == (
        "face_unreadable"
    )
    assert standin.creates == []
    assert standin.uploads == []


def test_render_template_fills_nested_values_and_refuses_pictures_inside_text() -> None:
    images = {"face_image": io.BytesIO(b"x")}
    template = {"a": "{prompt}!", "b": ["{face_image}", {"c": "{prompt}"}], "n": 3, "t": True}
    rendered = render_template(template, "P", images)  # type: ignore[arg-type]
    assert rendered == {"a": "P!", "b": [images["face_image"], {"c": "P"}], "n": 3, "t": True}
    with pytest.raises(GenerationFailed):
        render_template({"a": "see {face_image}"}, "P", images)  # type: ignore[arg-type]


# Throttling.


async def test_a_throttled_create_is_retried_and_uploads_happen_once(
    standin: ReplicateStandIn, client: replicate.Client, models: ReplicateModels
) -> None:
    standin.throttle(2, retry_after="0")
    assert_thumbnail(
        await make_generator(client, models).generate(request_for("your_face"), Progress())
    )
    assert [call.status for call in standin.creates] == [429, 429, 201]
    assert len(standin.uploads) == 1


async def test_endless_throttling_gives_up_after_the_allowed_attempts(
    standin: ReplicateStandIn, client: replicate.Client, models: ReplicateModels
) -> None:
    standin.throttle(10, retry_after="0")
    generator = make_generator(client, models, create_attempts=3)
    assert await failure_of(generator, request_for("text_to_thumbnail")) == "provider_failed"
    assert [call.status for call in standin.creates] == [429, 429, 429]


def test_the_retry_wait_honours_retry_after_and_grows() -> None:
    asked = Throttled(retry_after=7.0, detail=None)
    assert retry_delay(1, asked, base=0.5, cap=60) == 7.0
    assert retry_delay(1, asked, base=0.5, cap=5) == 5.0
    assert 4.0 <= retry_delay(3, Throttled(None, None), base=1.0, cap=60) <= 5.0
    assert 16.0 <= retry_delay(3, asked, base=4.0, cap=60) <= 20.0  # backoff outgrows it
    now = datetime(2030, 1, 1, tzinfo=UTC)
    assert parse_retry_after("12", now) == 12.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30)), now) == 30.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


# How predictions end.


@pytest.mark.parametrize(
    ("outcome", "key"),
    [
        ("nsfw", "content_refused"),
        ("model_error", "provider_failed"),
        ("canceled", "provider_failed"),
    ],
)
async def test_a_prediction_that_does_not_succeed_says_why(
    outcome: Any,
    key: str,
    standin: ReplicateStandIn,
    client: replicate.Client,
    models: ReplicateModels,
) -> None:
    standin.script = Script(outcome=outcome)
    generator = make_generator(client, models)
    assert await failure_of(generator, request_for("text_to_thumbnail")) == key
    assert standin.cancels == []  # it had ended: nothing to cancel


async def test_a_slow_prediction_times_out_and_is_cancelled_remotely(
    standin: ReplicateStandIn, client: replicate.Client, models: ReplicateModels
) -> None:
    standin.script = Script(outcome="slow")
    generator = make_generator(client, models, timeout=0.4)
    assert await failure_of(generator, request_for("text_to_thumbnail")) == "provider_timeout"
    assert standin.cancels == [standin.creates[0].prediction_id]


async def test_cancelling_the_waiting_task_cancels_the_prediction(
    standin: ReplicateStandIn, client: replicate.Client, models: ReplicateModels
) -> None:
    standin.script = Script(outcome="slow")
    generator = make_generator(client, models)
    task = asyncio.create_task(generator.generate(request_for("your_face"), Progress()))
    async with asyncio.timeout(5):
        prediction_id = await standin.first_created()
    await asyncio.sleep(0.05)  # polling
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert standin.cancels == [prediction_id]


async def test_a_rejected_token_fails_loudly_without_logging_it(
    standin: ReplicateStandIn, models: ReplicateModels, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = replicate.Client(api_token="r8_WRONG_token_never_logged", base_url=standin.url)
    caplog.set_level(logging.DEBUG)
    try:
        generator = make_generator(wrong, models)
        assert await failure_of(generator, request_for("your_face")) == "provider_failed"
        assert await failure_of(generator, request_for("text_to_thumbnail")) == "provider_failed"
    finally:
        await wrong._async_client.aclose()
    assert standin.unauthorized == 2
    loud = [record for record in caplog.records if record.levelno >= logging.CRITICAL]
    assert loud
    assert "REPLICATE_API_TOKEN" in loud[0].getMessage()
    assert "WRONG" not in caplog.text
    assert TOKEN not in caplog.text


# The admin's switch.


async def test_set_generation_model_changes_what_the_next_generation_uses(
    db: Database, standin: ReplicateStandIn, client: replicate.Client, models: ReplicateModels
) -> None:
    original = await models.spec("text_to_thumbnail")
    version = "0123456789abcdef" * 4
    template = {"prompt": "{prompt}", "width": 1280, "steps": [4, "{prompt}"]}
    try:
        await db.execute(
            "SELECT set_generation_model(%s, %s, %s, %s)",
            ["text_to_thumbnail", f"someone/custom-model:{version}", Jsonb(template), False],
        )
        spec = await models.spec("text_to_thumbnail")
        assert spec == ModelSpec(f"someone/custom-model:{version}", template, False)
        request = request_for("text_to_thumbnail")
        assert_thumbnail(await make_generator(client, models).generate(request, Progress()))
    finally:
        await db.execute(
            "SELECT set_generation_model(%s, %s, %s, %s)",
            ["text_to_thumbnail", original.model, Jsonb(dict(original.input_template)), True],
        )
    (call,) = standin.creates
    assert (call.path, call.version) == ("/v1/predictions", version)
    prompt = thumbnail_prompt(request, output_text=False)
    assert call.input == {"prompt": prompt, "width": 1280, "steps": [4, prompt]}
    assert "Letter the headline" in prompt
    assert "No text" not in prompt
    assert await models.spec("text_to_thumbnail") == original


async def test_set_generation_model_refuses_bad_arguments(db: Database) -> None:
    call = "SELECT set_generation_model(%s, %s, %s, %s)"
    ok = Jsonb({"prompt": "{prompt}"})
    with pytest.raises(UnknownGenerationType):
        await db.execute(call, ["no_such_mode", "a/b", ok, True])
    for model, template, output_text in [
        ("a/b", Jsonb(["{prompt}"]), True),
        ("a/b", Jsonb("{prompt}"), True),
        ("a/b", None, True),
        ("not a model", ok, True),
        ("a/b:not-a-version", ok, True),
        (None, ok, True),
        ("a/b", ok, None),
    ]:
        with pytest.raises(InvalidArgument):
            await db.execute(call, ["text_to_thumbnail", model, template, output_text])


async def test_upsert_generation_type_still_works_and_keeps_the_model(
    db: Database, models: ReplicateModels
) -> None:
    row = await db.fetch_one(
        "SELECT display_name, cost_credits FROM generation_types WHERE type_key = 'your_face'"
    )
    assert row is not None
    before = await models.spec("your_face")
    upserted = await db.fetch_one(
        "SELECT * FROM upsert_generation_type('your_face', %s, %s)",
        [row["display_name"], row["cost_credits"]],
    )
    assert upserted is not None
    assert upserted["model"] == before.model
    assert await models.spec("your_face") == before


# The finish.


def test_the_headline_is_drawn_on_the_free_side() -> None:
    source = output_image((1344, 768))
    plain = Image.open(io.BytesIO(finish_thumbnail(source, None)))
    headline = overlay_headline_text(["I built a cabin in 30 days"])
    lettered = Image.open(io.BytesIO(finish_thumbnail(source, headline, "left")))
    difference = ImageChops.difference(plain.convert("L"), lettered.convert("L"))
    left = ImageStat.Stat(difference.crop(text_box("left"))).mean[0]
    far_right = ImageStat.Stat(difference.crop((1000, 0, 1280, 720))).mean[0]
    assert left > 20
    assert far_right < 3

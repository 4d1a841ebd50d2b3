"""Edit by instruction below the chat: the instruction parser (many phrasings, several
instructions in one message, the bot's three languages, what it must not half-read), what
the local renderer and an editing model each apply, a chain's plans applied to the root
request, and the edit's two ways through a generator: the local renderer drawing the root
again, and Replicate's edit model (the loopback stand-in) given the picture being edited."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
import replicate
from PIL import Image, ImageStat

from services.adapters.db import Database
from services.catalog import CatalogService
from services.errors import InputRejected
from services.formats import format_of
from services.generation import GenerationInput
from services.generators.base import BrandStyle, GenerationRequest
from services.generators.editing import EditingGenerator, background_colors
from services.generators.edits import (
    EDIT_TYPE,
    MAX_HEADLINE_CHARS,
    EditPlan,
    EditRequest,
    applied_by_model,
    applied_locally,
    apply_plans,
    edit_prompt,
    parse_instruction,
)
from services.generators.local_renderer import LocalRenderer, headline_side
from services.generators.replicate_generator import ReplicateGenerator, ReplicateOptions
from services.generators.replicate_models import ReplicateModels
from tests.standins.replicate import ReplicateStandIn

ADMIN = 4_242


def changes(text: str) -> list[tuple[str, str]]:
    return [(change.kind, change.detail) for change in parse_instruction(text).understood]


# --- the parser -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the headline, in words, in quotes, after a colon (in any language)
        ("change the headline to I QUIT MY JOB", [("headline", "I QUIT MY JOB")]),
        ("Change the title to: Never Again", [("headline", "Never Again")]),
        ("replace the text with 'WE ARE BACK'", [("headline", "WE ARE BACK")]),
        ('headline: "I QUIT"', [("headline", "I QUIT")]),
        ("text: I quit my job", [("headline", "I quit my job")]),
        ("the headline should say WE ARE BACK", [("headline", "WE ARE BACK")]),
        ('make it say "NO WAY"', [("headline", "NO WAY")]),
        ("“SIN FILTRO”", [("headline", "SIN FILTRO")]),
        ("Titel: ICH KÜNDIGE", [("headline", "ICH KÜNDIGE")]),
        ('Ändere die Überschrift zu "ICH KÜNDIGE"', [("headline", "ICH KÜNDIGE")]),
        ("change the headline to ROCK AND ROLL", [("headline", "ROCK AND ROLL")]),
        ("change the headline to ME AND YOU", [("headline", "ME AND YOU")]),
        ("change the headline to YELLOW SUBMARINE", [("headline", "YELLOW SUBMARINE")]),
        # the text (accent) colour
        ("make the text red", [("text_color", "red")]),
        ("yellow headline", [("text_color", "yellow")]),
        ("change the text to red", [("text_color", "red")]),
        ("text colour #ff0000", [("text_color", "#ff0000")]),
        ("text: red", [("text_color", "red")]),
        ("please colour the letters gold", [("text_color", "gold")]),
        # the background colour
        ("blue background", [("background", "blue")]),
        ("make the background a dark blue", [("background", "dark blue")]),
        ("background: #123", [("background", "#112233")]),
        ("red text on a blue background", [("text_color", "red"), ("background", "blue")]),
        # layout
        ("swap sides", [("flip", "")]),
        ("mirror", [("flip", "")]),
        ("swap the text and the face", [("flip", "")]),
        ("put the text on the other side", [("flip", "")]),
        ("text on the left", [("position_left", "left")]),
        ("move the headline to the top", [("position_top", "top")]),
        ("put the face on the left", [("position_right", "right")]),
        ("center the text", [("position_center", "center")]),
        # the face's size
        ("bigger face", [("face_bigger", "1.25")]),
        ("make the face bigger", [("face_bigger", "1.25")]),
        ("zoom in on the face", [("face_bigger", "1.25")]),
        ("a bit bigger face", [("face_bigger", "1.12")]),
        ("make the face much bigger", [("face_bigger", "1.45")]),
        ("make the face 30% bigger", [("face_bigger", "1.30")]),
        ("smaller face", [("face_smaller", "0.80")]),
        ("zoom out", [("face_smaller", "0.80")]),
        # the whole picture's look
        ("more contrast", [("contrast_more", "")]),
        ("increase the contrast", [("contrast_more", "")]),
        ("reduce contrast", [("contrast_less", "")]),
        ("make it brighter", [("brighter", "")]),
        ("darker", [("darker", "")]),
        ("more vivid colours", [("vivid", "")]),
        # Russian and Spanish
        ("сделай текст красным", [("text_color", "красным")]),
        ("синий фон", [("background", "синий")]),
        ("лицо больше", [("face_bigger", "1.25")]),
        ("текст слева", [("position_left", "left")]),
        ("поменяй стороны местами", [("flip", "")]),
        ("больше контраста", [("contrast_more", "")]),
        ("поменяй заголовок на Я УВОЛИЛСЯ", [("headline", "Я УВОЛИЛСЯ")]),
        ("texto rojo y fondo azul", [("text_color", "rojo"), ("background", "azul")]),
        ("cara más grande", [("face_bigger", "1.25")]),
        ("cambia el título a DEJÉ MI TRABAJO", [("headline", "DEJÉ MI TRABAJO")]),
    ],
)
def test_a_phrasing_is_understood(text: str, expected: list[tuple[str, str]]) -> None:
    plan = parse_instruction(text)
    assert changes(text) == expected
    assert plan.not_understood == ()


@pytest.mark.parametrize(
    "text",
    [
        "swap the background for a city at night",
        "background: a city at night",
        "make the text bigger",  # its size is fitted, not chosen
        "make it red",  # red what?
        "add a dog",
        "hello there",
        "don't make the text red",
        "make my face green",
        'background "sunset"',
        "change the headline to " + " ".join(["LONG"] * 20),
    ],
)
def test_what_is_not_understood_is_left_whole(text: str) -> None:
    plan = parse_instruction(text)
    assert plan.understood == ()
    assert plan.not_understood == (text,)
    assert plan.picture_edits == (text,)  # an editing model still gets it as it was said


def test_several_instructions_in_one_message_are_each_read() -> None:
    plan = parse_instruction(
        "Change the headline to I QUIT MY JOB and make the text red, a bit bigger face.\n"
        "Swap the background for a city at night; more contrast"
    )
    assert [change.kind for change in plan.understood] == [
        "headline",
        "text_color",
        "face_bigger",
        "contrast_more",
    ]
    assert plan.headline == "I QUIT MY JOB"
    assert plan.text_color == "#e0161e"
    assert plan.face_scale == pytest.approx(1.12)
    assert plan.look.contrast == pytest.approx(1.25)
    assert plan.not_understood == ("Swap the background for a city at night",)
    assert plan.understood[1].phrase == "make the text red"


def test_later_phrases_win_and_flips_cancel() -> None:
    plan = parse_instruction("make the text red, then make the text yellow, swap sides, mirror")
    assert plan.text_color == "#ffde00"
    assert plan.flip is False
    sized = parse_instruction("bigger face and bigger face")
    assert sized.face_scale == pytest.approx(1.25 * 1.25)


def test_a_headline_is_kept_as_typed_and_never_too_long() -> None:
    assert parse_instruction("headline: «Я УВОЛИЛСЯ!»").headline == "Я УВОЛИЛСЯ!"
    assert parse_instruction("change the title to I quit.").headline == "I quit"
    longest = "W" * MAX_HEADLINE_CHARS
    assert parse_instruction(f"headline: {longest}").headline == longest
    assert parse_instruction(f"headline: {longest}W").headline is None


def test_an_empty_instruction_has_nothing_in_it() -> None:
    assert parse_instruction("").empty
    assert parse_instruction("  ,  ").empty


# --- what each generator applies ------------------------------------------------------


def test_the_local_renderer_applies_what_it_understood_and_says_what_not() -> None:
    plan = parse_instruction("make the text red and swap the background for a city at night")
    local = applied_locally(plan, "your_face")
    assert [change.kind for change in local.changes] == ["text_color"]
    assert local.skipped == ("swap the background for a city at night",)
    assert local.anything
    nothing = applied_locally(parse_instruction("add a dog"), "your_face")
    assert not nothing.anything
    assert nothing.skipped == ("add a dog",)


def test_a_thumbnail_without_a_subject_has_no_face_to_resize_or_move() -> None:
    plan = parse_instruction("bigger face, swap sides and make the text red")
    local = applied_locally(plan, "text_to_thumbnail")
    assert [change.kind for change in local.changes] == ["text_color"]
    assert local.skipped == ("bigger face", "swap sides")
    assert [c.kind for c in applied_locally(plan, "your_face").changes] == [
        "face_bigger",
        "flip",
        "text_color",
    ]


def test_an_editing_model_is_given_everything() -> None:
    plan = parse_instruction("change the headline to WOW and swap the background for a city")
    model = applied_by_model(plan)
    assert [change.kind for change in model.changes] == ["headline"]
    assert model.model_phrases == ("swap the background for a city",)
    assert model.skipped == ()


def test_the_edit_prompt_asks_for_the_picture_changes_and_no_text() -> None:
    plan = parse_instruction(
        "change the headline to I QUIT MY JOB, blue background, bigger face, "
        "swap the background for a city at night"
    )
    prompt = edit_prompt(plan)
    assert "Make the background blue." in prompt
    assert "face bigger" in prompt
    assert "swap the background for a city at night." in prompt
    assert "Remove all text" in prompt
    assert "QUIT" not in prompt  # the headline is drawn by code, never painted


# --- a chain applied to the root request ----------------------------------------------


def root_request(**changes: Any) -> GenerationRequest:
    fields: dict[str, Any] = {"mode": "your_face", "prompt": "I quit my job to build a cabin"}
    return GenerationRequest(generation_id=uuid.uuid4(), **(fields | changes))


def plans(*texts: str) -> list[EditPlan]:
    return [parse_instruction(text) for text in texts]


def test_a_chain_is_applied_to_the_root_request_in_order() -> None:
    root = root_request()
    edited, look = apply_plans(
        root,
        plans("headline: FIRST", "make the text red and bigger face", "headline: SECOND"),
        headline_side,
        backdrop=("#101010", "#505050"),
    )
    assert type(edited) is GenerationRequest
    assert edited.headline == "SECOND"
    assert edited.face_scale == pytest.approx(1.25)
    assert edited.brand == BrandStyle(colors=("#e0161e", "#101010", "#505050"))
    assert look.unchanged
    assert (edited.prompt, edited.mode, edited.generation_id) == (
        root.prompt,
        root.mode,
        root.generation_id,
    )


def test_sizes_and_looks_multiply_within_bounds() -> None:
    edited, look = apply_plans(
        root_request(), plans(*["much bigger face"] * 3, "more contrast", "darker"), headline_side
    )
    assert edited.face_scale == 1.6
    assert look.contrast == pytest.approx(1.25)
    assert look.brightness < 1


def test_a_background_colour_keeps_the_styles_key_colour() -> None:
    styled = root_request(brand=BrandStyle(colors=("#00ff00", "#000000"), font="anton"))
    edited, _ = apply_plans(styled, plans("red background"), headline_side)
    assert edited.brand == BrandStyle(colors=("#00ff00", "#e0161e"), font="anton")
    alone, _ = apply_plans(root_request(), plans("white background"), headline_side)
    assert alone.brand is not None
    assert alone.brand.colors[1] == "#ffffff"
    assert alone.brand.colors[0] != "#ffffff"  # a key colour that shows on it


def test_swapping_sides_takes_the_side_opposite_the_current_one() -> None:
    root = root_request()
    side = headline_side(root)
    other = {"left": "right", "right": "left"}[side]
    flipped, _ = apply_plans(root, plans("swap sides"), headline_side)
    assert flipped.brand is not None
    assert flipped.brand.position == other
    assert headline_side(flipped) == other
    back, _ = apply_plans(root, plans("swap sides", "mirror"), headline_side)
    assert back.brand is not None
    assert back.brand.position == side
    placed, _ = apply_plans(root, plans("text at the bottom", "swap sides"), headline_side)
    assert placed.brand is not None
    assert placed.brand.position == "top"


def test_for_an_editing_model_only_the_lettering_is_applied() -> None:
    edited, look = apply_plans(
        root_request(),
        plans("headline: WOW", "make the text red", "blue background", "bigger face, darker"),
        headline_side,
        pixels=False,
    )
    assert edited.headline == "WOW"
    assert edited.brand == BrandStyle(colors=("#e0161e",))  # the model paints the background
    assert edited.face_scale == 1.0
    assert look.unchanged


# --- the edit's input -----------------------------------------------------------------


def test_an_edits_input_names_its_parent_and_keeps_the_chain_as_json() -> None:
    edit = GenerationInput(
        mode="your_face",
        prompt="cabin",
        parent_id=str(uuid.uuid4()),
        instructions=("headline: WOW", "make the text red"),
        edit_skipped=("add a dog",),
    )
    stored = edit.to_json()
    assert stored["instructions"] == ("headline: WOW", "make the text red")
    assert GenerationInput.from_json({**stored, "instructions": list(stored["instructions"])}) == (
        edit
    )
    assert edit.type_key == EDIT_TYPE
    assert GenerationInput(mode="your_face").type_key == "your_face"


async def test_the_edit_type_is_priced_and_configured_but_not_a_mode(
    db: Database, catalog: CatalogService
) -> None:
    assert await catalog.cost_of(EDIT_TYPE) == 10
    assert await catalog.set_cost(EDIT_TYPE, 12, ADMIN) == (10, 12)
    assert await catalog.set_cost(EDIT_TYPE, 10, ADMIN) == (12, 10)
    proposal = await catalog.propose_model(
        EDIT_TYPE, "black-forest-labs/flux-kontext-pro", None, ADMIN
    )
    assert proposal.input_template["input_image"] == "{source_image}"
    assert proposal.input_template["aspect_ratio"] == "match_input_image"
    await catalog.decide_model(proposal.id, False, ADMIN)
    with pytest.raises(InputRejected) as refused:
        await catalog.propose_model(
            "text_to_thumbnail",
            "black-forest-labs/flux-schnell",
            '{"prompt": "{prompt}", "image": "{source_image}"}',
            ADMIN,
        )
    assert refused.value.key == "admin_template_pictures"


# --- the two ways an edit is made -----------------------------------------------------


def jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


async def noop(fraction: float, stage: str) -> None:
    return None


async def test_the_local_renderer_redraws_the_root_with_the_chain_applied() -> None:
    renderer = LocalRenderer()
    root = root_request(mode="text_to_thumbnail")
    original = await renderer.generate(root, noop)
    editing = EditingGenerator(renderer, model_edits=False)

    async def edited(*instructions: str) -> bytes:
        request = EditRequest.of(root, instructions, original)
        return await editing.generate(request, noop)

    assert await editing.generate(root, noop) == original  # not an edit: untouched
    new_headline = await edited("change the headline to I QUIT MY JOB")
    assert new_headline != original
    punchier = Image.open(io.BytesIO(await edited("more contrast")))
    spread = ImageStat.Stat(punchier.convert("L")).stddev[0]
    assert spread > ImageStat.Stat(Image.open(io.BytesIO(original)).convert("L")).stddev[0]
    assert punchier.size == root.format.size


def test_a_new_text_colour_keeps_the_backgrounds_colours() -> None:
    picture = Image.new("RGB", (1280, 720), (10, 30, 90))
    picture.paste((40, 120, 230), (400, 200, 900, 500))
    dark, light = background_colors(jpeg(picture))
    dark_rgb = tuple(int(dark[i : i + 2], 16) for i in (1, 3, 5))
    assert dark_rgb[2] > dark_rgb[0]  # still blue, not the red of the text
    assert light != dark


async def test_an_editing_model_gets_the_picture_and_the_picture_changes(
    standin: ReplicateStandIn, client: replicate.Client, db: Database
) -> None:
    models = ReplicateModels(db)
    options = ReplicateOptions(timeout=10.0, poll_interval=0.02, download_timeout=5.0)
    generator = EditingGenerator(ReplicateGenerator(client, models, options), model_edits=True)
    source = jpeg(Image.new("RGB", (1080, 1920), (200, 40, 40)))
    root = root_request(format=format_of("9:16"))
    request = EditRequest.of(
        root,
        ("headline: FIRST", "change the headline to I QUIT and swap the background for a city"),
        source,
    )

    made = Image.open(io.BytesIO(await generator.generate(request, noop)))

    assert made.size == (1080, 1920)
    (call,) = standin.creates
    assert call.path == "/v1/models/black-forest-labs/flux-kontext-pro/predictions"
    assert call.input["aspect_ratio"] == "match_input_image"
    assert "swap the background for a city." in call.input["prompt"]
    assert "Remove all text" in call.input["prompt"]
    assert "QUIT" not in call.input["prompt"]
    upload = standin.upload_at(call.input["input_image"])
    assert upload is not None
    assert Image.open(io.BytesIO(upload.data)).size == (1080, 1920)

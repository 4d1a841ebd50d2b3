"""Whole chat flows a test drives as a user, written once."""

from __future__ import annotations

from handlers.i18n import t
from sandbox.samples import sample_face
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from services.accounts import Profile
from services.container import Services
from tests.e2e.conftest import PUBLIC_VIDEO, STYLE_VIDEO, containing, with_button, with_photo
from tests.standins.replicate import ReplicateStandIn

VIDEO_LINK = f"https://youtu.be/{PUBLIC_VIDEO}?si=share"
STYLE_LINK = f"https://www.youtube.com/watch?v={STYLE_VIDEO}&t=42"
MODE_BUTTONS = {
    "text_to_thumbnail": "From a description",
    "youtube_thumbnail": "For a YouTube video",
    "your_face": "With your face",
    "face_youtube": "Your face + a YouTube video",
    "top_youtube_style": "In a top video's style",
    "top_youtube_style_face": "Top style + your face",
}
COSTS = {"text_to_thumbnail": 10} | {
    mode: 20 for mode in MODE_BUTTONS if mode != "text_to_thumbnail"
}


async def press_starting_with(user: SandboxUser, message: SentMessage, fragment: str) -> str:
    """Presses the first button whose text contains the fragment; returns the query id."""
    for candidate in message.current.buttons:
        if fragment in candidate["text"]:
            query_id = await user.press(message, candidate["callback_data"])
            assert query_id is not None
            return query_id
    raise AssertionError(f"no button with {fragment!r} in {message.current.button_texts}")


async def choose_mode(user: SandboxUser, mode: str) -> SentMessage:
    await user.send_command("/generate")
    chooser = await user.wait_for_message(containing("What kind of thumbnail"))
    await press_starting_with(user, chooser, MODE_BUTTONS[mode])
    return chooser


async def give_inputs(user: SandboxUser, mode: str, prompt: str = "I built a cabin alone") -> None:
    """Answers whatever the mode asks for, in the order the bot asks."""
    if mode in ("text_to_thumbnail", "your_face", "top_youtube_style", "top_youtube_style_face"):
        await user.wait_for_message(containing("Describe your video"))
        await user.send_text(prompt)
    if mode in ("youtube_thumbnail", "face_youtube"):
        await user.wait_for_message(containing("link to your YouTube video"))
        await user.send_text(f"here it is {VIDEO_LINK} thanks")
        await user.wait_for_message(containing("How I Built a Cabin"))
    if mode in ("top_youtube_style", "top_youtube_style_face"):
        await user.wait_for_message(containing("thumbnail style you like"))
        await user.send_text(STYLE_LINK)
    if mode in ("your_face", "face_youtube", "top_youtube_style_face"):
        await user.wait_for_message(containing("clear photo of your face"))
        await user.send_photo(sample_face())


async def save_a_face(user: SandboxUser) -> None:
    """Sends a face photo outside any flow and taps "Save" on the offer."""
    await user.send_photo(sample_face())
    offer = await user.wait_for_message(with_button("Save"))
    await press_starting_with(user, offer, "Save")
    await user.wait_for_message(containing("Saved"))


async def confirm_and_receive(user: SandboxUser, within: float = 10.0) -> SentMessage:
    order = await user.wait_for_message(with_button("Generate"))
    await press_starting_with(user, order, "Generate")
    return await user.wait_for_message(containing("Here's your thumbnail"), timeout=within)


async def profile_of(services: Services, user: SandboxUser) -> Profile:
    profile = await services.accounts.find_by_telegram_id(user.id)
    assert profile is not None
    return profile


async def started(user: SandboxUser) -> None:
    await user.send_command("/start")
    await user.wait_for_message(containing("Welcome"))


def replicate_bot_env(
    sandbox: SandboxServer, token: str, conninfo: str, replicate: ReplicateStandIn, lease: int
) -> dict[str, str]:
    """The environment of a `python -m bot` process that talks to the sandbox, its own
    database and the Replicate stand-in, with a short job lease."""
    return {
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": sandbox.url,
        "DATABASE_URL": conninfo,
        "REPLICATE_API_TOKEN": replicate.token,
        "REPLICATE_BASE_URL": replicate.url,
        "GENERATION_LEASE_SECONDS": str(lease),
    }


async def order_text_thumbnail(user: SandboxUser, prompt: str, within: float = 60) -> None:
    """/start, /generate, the text mode, a description, confirm: one charged job."""
    await user.send_command("/start")
    await user.wait_for_message(containing("Welcome"), timeout=within)
    await user.send_command("/generate")
    chooser = await user.wait_for_message(containing("What kind of thumbnail"), timeout=within)
    await user.press(chooser, chooser.buttons[0]["callback_data"])
    await user.wait_for_message(containing("Describe your video"), timeout=within)
    await user.send_text(prompt)
    order = await user.wait_for_message(with_button("Generate"), timeout=within)
    await user.press(order, order.buttons[0]["callback_data"])


def photos(user: SandboxUser) -> int:
    """How many photos the bot sent this user (not counting a thumbnail's YouTube
    preview): a duplicate delivery shows here."""
    return sum(1 for message in user.messages() if with_photo(message))


def told_ready(user: SandboxUser) -> bool:
    """The status message says the thumbnail is ready (a delivery resumed, not re-sent)."""
    ready = t("en", "status_ready")
    return any(message.text == ready for message in user.messages())

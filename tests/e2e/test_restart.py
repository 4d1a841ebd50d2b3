"""A restart of the bot and of the sandbox Telegram (as `python -m bot` does with no
token) keeps what a creator saw: their faces, their history, the buttons on old
messages, and the file ids the bot stored, which the persistent sandbox still knows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.wiring import build_services
from sandbox.server import SandboxServer
from services.adapters.db import Database
from services.adapters.migrations import apply_migrations
from services.adapters.youtube import YouTubeClient
from services.container import Services
from tests.conftest import ledger_sum
from tests.e2e.conftest import RunningBot, containing, with_photo
from tests.e2e.flows import (
    choose_mode,
    confirm_and_receive,
    give_inputs,
    press_starting_with,
    profile_of,
    save_a_face,
    started,
)
from tests.standins.youtube import YouTubeStandIn

BOT_USERNAME = "restart_test_bot"
USER_ID = 5_300_001


@pytest.fixture
async def own_services(
    create_database: Callable[[], str], youtube: YouTubeStandIn, tmp_path: Path
) -> AsyncIterator[Services]:
    """Services on a database of their own, so no other test's worker takes these jobs."""
    conninfo = create_database()
    await apply_migrations(conninfo)
    db = Database(conninfo, max_size=10)
    await db.open()
    settings = Settings(_env_file=None, data_dir=tmp_path / "bot-data")  # type: ignore[call-arg]
    videos = YouTubeClient(
        oembed_url=youtube.oembed_url, thumbnail_url_template=youtube.thumbnail_url_template
    )
    yield await build_services(settings, db, videos=videos)
    await db.close()


async def telegram_and_bot(data_dir: Path, services: Services) -> tuple[SandboxServer, RunningBot]:
    sandbox = SandboxServer(data_dir=data_dir)
    token = sandbox.register_bot(BOT_USERNAME, first_name="Thumbnail Bot")
    await sandbox.start()
    bot = RunningBot(token, sandbox.url, services)
    await bot.start()
    return sandbox, bot


async def stop(sandbox: SandboxServer, bot: RunningBot) -> None:
    await bot.stop()
    await sandbox.stop()


async def test_after_a_restart_faces_history_and_old_buttons_still_work(
    own_services: Services, tmp_path: Path
):
    sandbox, bot = await telegram_and_bot(tmp_path / "sandbox", own_services)
    try:
        user = sandbox.user(USER_ID, first_name="Rita")
        await started(user)
        await save_a_face(user)
        await choose_mode(user, "text_to_thumbnail")
        await give_inputs(user, "text_to_thumbnail", "Before the restart")
        delivered = await confirm_and_receive(user)
        last_id_before = max(message.message_id for message in user.messages())
    finally:
        await stop(sandbox, bot)

    sandbox, bot = await telegram_and_bot(tmp_path / "sandbox", own_services)
    try:
        user = sandbox.user(USER_ID)
        assert delivered.message_id in {message.message_id for message in user.messages()}

        await user.send_command("/faces")
        face = await user.wait_for_message(with_photo)
        assert "Delete" in " ".join(face.button_texts)
        await user.send_command("/history")
        page = await user.wait_for_message(containing("Your thumbnails", "Before the restart"))
        await press_starting_with(user, page, "🖼 1")
        shown = await user.wait_for_message(with_photo)
        assert "Before the restart" in (shown.caption or "")
        await choose_mode(user, "your_face")
        await user.wait_for_message(containing("Describe your video"))
        await user.send_text("After the restart")
        await user.wait_for_message(containing("Which face"))
        picker = await user.wait_for_message(with_photo)
        assert picker.button_texts
        await press_starting_with(user, delivered, "Regenerate")  # a message from before
        await user.wait_for_message(containing("Here's your thumbnail", "Before the restart"))

        assert min(m.message_id for m in (face, page, shown, picker)) > last_id_before
        # The face twice and the history photo went by their stored file ids, no upload.
        by_id = [
            call for call in sandbox.calls("sendPhoto") if isinstance(call.params["photo"], str)
        ]
        assert len(by_id) == 3
        assert all(call.status == 200 for call in by_id)
        profile = await profile_of(own_services, user)
        assert profile.credits == 50 - 10 - 10 == await ledger_sum(own_services.db, profile.id)
    finally:
        await stop(sandbox, bot)

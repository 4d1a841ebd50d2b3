"""/broadcast through the real bot: the admin composes, sees the preview exactly as users
will, picks an audience and confirms; every reachable user gets one copy, users who
blocked the bot are marked (and reachable again once they write), /broadcast_stop stops
it and "Resume" sends the rest; and, last, a `kill -9` halfway through a broadcast to
3,000 users with Telegram's flood limits on.

The bot's database is shared by the whole e2e session, so these broadcasts go to the
Spanish-speaking audience and the users made here are Spanish; assertions are about them
and about the broadcast's own rows."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from bench import broadcast as scenario
from handlers.i18n import t
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from services.adapters.db import Database
from services.adapters.migrations import apply_migrations
from services.broadcasts import BroadcastOptions
from services.container import Services
from tests.e2e.conftest import ADMIN_ID, containing, eventually, text_of, with_button
from tests.test_bot_process import assert_no_error_lines, free_port, start_bot

AUDIENCE = "lang:es"


async def started_users(new_chat_user: Callable[..., SandboxUser], count: int) -> list[SandboxUser]:
    users = [new_chat_user(f"Oyente{n}", language_code="es") for n in range(count)]
    for user in users:
        await user.send_command("/start")
    for user in users:
        await user.wait_for_message()
    return users


def admin(sandbox: SandboxServer) -> SandboxUser:
    return sandbox.user(ADMIN_ID, first_name="Admin", language_code="en")


def copies(user: SandboxUser, text: str) -> int:
    return sum(1 for message in user.messages() if text_of(message) == text)


def button_for(message: SentMessage, fragment: str) -> str:
    """The callback data of the message's button whose data contains `fragment`."""
    return next(
        data for button in message.buttons if fragment in (data := button.get("callback_data", ""))
    )


async def compose(
    boss: SandboxUser,
    *,
    text: str,
    bold: int = 0,
    photo: bool = False,
    button: str | None = None,
) -> tuple[SentMessage, SentMessage]:
    """/broadcast, the message, the button (or skip): (the preview, the audience question)."""
    await boss.send_command("/broadcast")
    await boss.wait_for_message(containing("New broadcast"))
    entities = [{"type": "bold", "offset": 0, "length": bold}] if bold else None
    if photo:
        await boss.send_photo(caption=text)
    else:
        await boss.send_text(text, entities=entities)
    ask = await boss.wait_for_message(containing("link button"))
    if button is None:
        await boss.press(ask, button_for(ask, ":skip:"))
    else:
        await boss.send_text(button)
    preview = await boss.wait_for_message()
    audiences = await boss.wait_for_message(containing("Who should get it"))
    return preview, audiences


async def confirm(boss: SandboxUser, audiences: SentMessage, audience: str = AUDIENCE) -> int:
    """Picks the audience and sends; the broadcast's id."""
    await boss.press(audiences, button_for(audiences, f":{audience}"))
    question = await boss.wait_for_message(containing("Send broadcast"))
    await boss.press(question, button_for(question, f":{audience}"))
    await boss.wait_for_message(containing("Broadcast #"))
    return int(button_for(question, f":{audience}").split(":")[2])


async def final_report(boss: SandboxUser, broadcast_id: int, db: Database) -> str:
    """The progress message's text once the outcome is shown on it."""
    await eventually(lambda: _reported(db, broadcast_id), within=20)
    message_id = await db.fetch_value(
        "SELECT progress_message_id FROM broadcasts WHERE id = %s", [broadcast_id]
    )
    (progress,) = [m.current for m in boss.messages() if m.message_id == message_id]
    return progress.source_text or ""


async def _reported(db: Database, broadcast_id: int) -> bool:
    return bool(
        await db.fetch_value(
            "SELECT reported_at IS NOT NULL FROM broadcasts WHERE id = %s", [broadcast_id]
        )
    )


async def states(db: Database, broadcast_id: int) -> dict[int, str]:
    rows = await db.fetch_all(
        "SELECT telegram_id, state FROM broadcast_recipients WHERE broadcast_id = %s",
        [broadcast_id],
    )
    return {row["telegram_id"]: row["state"] for row in rows}


async def test_a_photo_broadcast_with_a_link_reaches_everyone_once_and_marks_who_blocked(
    sandbox: SandboxServer, new_chat_user, chat_services: Services
):
    db = chat_services.db
    users = await started_users(new_chat_user, 6)
    blocker = users[-1]
    await blocker.block_bot()
    boss = admin(sandbox)
    caption = "Nuevos estilos esta semana"

    preview, audiences = await compose(
        boss, text=caption, photo=True, button="Ver ahora | https://example.com/nuevo"
    )
    assert preview.photo is not None
    assert preview.caption == caption
    assert preview.buttons == [{"text": "Ver ahora", "url": "https://example.com/nuevo"}]
    broadcast_id = await confirm(boss, audiences)
    report = await final_report(boss, broadcast_id, db)

    for user in users[:-1]:
        got = [m for m in user.messages() if m.caption == caption]
        assert len(got) == 1
        assert got[0].photo is not None
        assert got[0].buttons == preview.buttons
    assert copies(blocker, caption) == 0
    recorded = await states(db, broadcast_id)
    assert [recorded[user.id] for user in users] == ["sent"] * 5 + ["blocked"]
    tally = {state: list(recorded.values()).count(state) for state in ("sent", "blocked", "failed")}
    assert report == t("en", "broadcast_done_report", id=broadcast_id, **tally)
    marked = await db.fetch_value(
        "SELECT blocked_bot_at IS NOT NULL FROM profiles WHERE telegram_id = %s", [blocker.id]
    )
    assert marked
    audit = await chat_services.audit.latest(5)
    assert any(
        entry.action == "broadcast" and entry.arguments["broadcast_id"] == broadcast_id
        for entry in audit
    )

    # Blocked users are left out of the next audience, until they write again.
    _, audiences = await compose(boss, text="Otra noticia")
    assert blocker.id not in await _would_reach(db)
    await blocker.unblock_bot()
    await blocker.send_command("/balance")
    await blocker.wait_for_message()
    await eventually(lambda: _reachable(db, blocker.id))
    await boss.press(audiences, button_for(audiences, ":cancel:"))
    await boss.wait_for_message(containing("discarded"))


async def _would_reach(db: Database) -> set[int]:
    rows = await db.fetch_all(
        "SELECT telegram_id FROM profiles WHERE blocked_bot_at IS NULL AND telegram_id IS NOT NULL"
    )
    return {row["telegram_id"] for row in rows}


async def _reachable(db: Database, telegram_id: int) -> bool:
    return telegram_id in await _would_reach(db)


async def test_formatting_is_kept_and_a_bad_button_is_refused_without_reaching_generate(
    sandbox: SandboxServer, new_chat_user, chat_services: Services
):
    users = await started_users(new_chat_user, 2)
    boss = admin(sandbox)
    await boss.send_command("/broadcast")
    await boss.wait_for_message(containing("New broadcast"))
    await boss.send_text("Hola a todos", entities=[{"type": "bold", "offset": 0, "length": 4}])
    await boss.wait_for_message(containing("link button"))
    await boss.send_text("no link here")
    refusal = await boss.wait_for_message()
    assert text_of(refusal).startswith("That isn't a link button.")
    await boss.send_text("Abrir | https://example.com")
    preview = await boss.wait_for_message()
    assert preview.source_text == "<b>Hola</b> a todos"
    audiences = await boss.wait_for_message(containing("Who should get it"))
    broadcast_id = await confirm(boss, audiences)
    await final_report(boss, broadcast_id, chat_services.db)
    for user in users:
        got = [m for m in user.messages() if m.text == "Hola a todos"]
        assert [m.source_text for m in got] == ["<b>Hola</b> a todos"]


async def test_stop_leaves_the_rest_pending_and_resume_sends_only_those(
    sandbox: SandboxServer, new_chat_user, chat_services: Services
):
    db = chat_services.db
    users = await started_users(new_chat_user, 14)
    held = {str(user.chat_id) for user in users[4:]}
    hold = sandbox.hold("sendMessage", when=lambda params: str(params.get("chat_id")) in held)
    boss = admin(sandbox)
    text = "Se acaba la oferta"
    try:
        _, audiences = await compose(boss, text=text)
        broadcast_id = await confirm(boss, audiences)
        await hold.wait_for(1)
        await boss.send_command("/broadcast_stop")
        stopped = await boss.wait_for_message(with_button("Resume"))
    finally:
        sandbox.faults.clear()
    await eventually(lambda: _none_sending(db, broadcast_id))
    recorded = await states(db, broadcast_id)
    pending = [user for user in users if recorded[user.id] == "pending"]
    assert pending, "the stop left nobody pending"
    assert all(copies(user, text) == 0 for user in pending)
    assert "stopped" in text_of(stopped)

    await boss.press(stopped, button_for(stopped, f"resume:{broadcast_id}"))
    await boss.wait_for_message(containing("resumed"))
    await final_report(boss, broadcast_id, db)
    assert [copies(user, text) for user in users] == [1] * len(users)
    actions = [entry.action for entry in await chat_services.audit.latest(5)]
    assert {"broadcast", "broadcast_stop", "broadcast_resume"} <= set(actions)


async def _none_sending(db: Database, broadcast_id: int) -> bool:
    return "sending" not in (await states(db, broadcast_id)).values()


@pytest.mark.expect_errors("Rate limit hit after maximum")
async def test_a_429_that_outlasts_the_rate_limiter_puts_the_user_back_for_one_copy_later(
    sandbox: SandboxServer, new_chat_user, chat_services: Services
):
    """AIORateLimiter retries a 429 three times (logging an ERROR when it gives up); the
    fourth reaches the broadcast, which pauses and sends to that user again at the end."""
    users = await started_users(new_chat_user, 3)
    target = str(users[1].chat_id)
    sandbox.fail_next(
        "sendMessage",
        429,
        "Too Many Requests: retry after 1",
        times=4,
        retry_after=1,
        when=lambda params: str(params.get("chat_id")) == target,
    )
    boss = admin(sandbox)
    text = "Llega el descuento"
    try:
        _, audiences = await compose(boss, text=text)
        broadcast_id = await confirm(boss, audiences)
        await final_report(boss, broadcast_id, chat_services.db)
    finally:
        sandbox.faults.clear()
    refused = [
        call for call in sandbox.calls("sendMessage")
        if call.status == 429 and str(call.params.get("chat_id")) == target
    ]  # fmt: skip
    assert len(refused) == 4
    assert [copies(user, text) for user in users] == [1, 1, 1]
    assert (await states(chat_services.db, broadcast_id))[users[1].id] == "sent"


async def test_non_admins_get_the_unknown_command_answer(new_chat_user, chat_services: Services):
    (user,) = await started_users(new_chat_user, 1)
    before = await chat_services.db.fetch_value("SELECT count(*) FROM broadcasts")
    for command in ("/broadcast", "/broadcast_stop"):
        await user.send_command(command)
        answer = await user.wait_for_message()
        assert answer.source_text == t("es", "unknown_command", command=command)
    assert await chat_services.db.fetch_value("SELECT count(*) FROM broadcasts") == before


async def test_kill_9_halfway_through_3000_users_with_flood_limits_sends_the_rest_once(
    create_database: Callable[[], str], tmp_path: Path
):
    """bench/broadcast.py's scenario through `python -m bot`, killed with SIGKILL while
    the sends to the second half are held in flight (Telegram performed them, the answers
    are not back), then started again."""
    conninfo = create_database()
    await apply_migrations(conninfo)
    db = Database(conninfo, max_size=scenario.SETUP_CONCURRENCY)
    await db.open()
    processes: list[asyncio.subprocess.Process] = []
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    async with scenario.flood_limited_sandbox() as sandbox:
        token = sandbox.register_bot("thumbs_broadcast_kill_bot")
        audience = await scenario.populate(sandbox, token, db, scenario.USERS)
        env = scenario.bot_env(sandbox, token, conninfo)
        port = free_port()
        try:
            processes.append(await start_bot(tmp_path, port, env=env, log=logs[0]))
            admin = sandbox.user(scenario.ADMIN_ID, first_name="Admin", bot=token)
            broadcast_id = await scenario.compose_and_confirm(admin)
            second_half = {
                str(row["telegram_id"])
                for row in await db.fetch_all(
                    "SELECT telegram_id FROM broadcast_recipients"
                    " WHERE broadcast_id = %s AND position > %s",
                    [broadcast_id, scenario.USERS // 2],
                )
            }
            hold = sandbox.hold(
                "sendMessage", when=lambda params: str(params.get("chat_id")) in second_half
            )
            await hold.wait_for(BroadcastOptions().concurrency, within=150)
            first = processes[0]
            first.send_signal(signal.SIGKILL)
            await first.wait()
            sandbox.faults.clear()
            processes.append(await start_bot(tmp_path, port, env=env, log=logs[1]))
            await scenario.wait_until_reported(db, broadcast_id, within=150)
        finally:
            sandbox.faults.clear()
            for process in processes:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
                    await process.wait()
        floods = [
            f"{call.method} to {call.params.get('chat_id')}"
            for call in sandbox.calls()
            if call.status == 429
        ]
    recorded = await states(db, broadcast_id)
    marked = await db.fetch_value("SELECT count(*) FROM profiles WHERE blocked_bot_at IS NOT NULL")
    await db.close()

    got = [scenario.copies(user) for user in audience.users]
    blocked = {user.id for user in audience.blocked}
    unconfirmed = [tid for tid, state in recorded.items() if state == "sending"]
    print(
        f"\nbroadcast kill -9: {len(got)} users, {sum(got)} copies, "
        f"{sum(max(0, n - 1) for n in got)} duplicates, {len(unconfirmed)} unconfirmed "
        f"(performed, not repeated), {len(blocked)} blocked, {len(floods)} x 429"
    )
    for log in logs:
        assert_no_error_lines(log.read_text())
    assert [n for user, n in zip(audience.users, got, strict=True) if user.id in blocked] == [
        0
    ] * len(blocked)
    assert [n for user, n in zip(audience.users, got, strict=True) if user.id not in blocked] == [
        1
    ] * (len(got) - len(blocked))
    assert {recorded[tid] for tid in blocked} == {"blocked"}
    assert marked == len(blocked)
    assert len(unconfirmed) == BroadcastOptions().concurrency  # held when the bot died
    assert floods == []


async def test_a_draft_abandoned_for_half_an_hour_no_longer_takes_the_admins_messages(
    sandbox: SandboxServer, chat_services: Services
):
    db = chat_services.db
    boss = admin(sandbox)
    await boss.send_command("/broadcast")
    await boss.wait_for_message(containing("New broadcast"))
    await db.execute(
        "UPDATE broadcasts SET created_at = created_at - interval '31 minutes'"
        " WHERE composer_telegram_id = %s AND status = 'draft'",
        [ADMIN_ID],
    )
    await boss.send_text("A cabin built in thirty days")
    answer = await boss.wait_for_message()
    assert "link button" not in text_of(answer)
    step = await db.fetch_value(
        "SELECT step FROM broadcasts WHERE composer_telegram_id = %s AND status = 'draft'",
        [ADMIN_ID],
    )
    assert step == "text"

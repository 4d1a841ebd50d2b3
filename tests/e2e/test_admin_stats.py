"""The admin's overview through the real bot: /admin (every admin command as a button),
/stats (figures checked against events made through the chat), /audit (grant, revoke and
refund rows with the balance before and after), who may use them, and the admin-only
command menu."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from decimal import Decimal

import pytest

import handlers
from handlers.admin_menu import AUDIT_MAX, USAGE
from handlers.buttons import is_valid_button
from handlers.i18n import t
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from services.admin_stats import AdminStats, AdminStatsService, CreditFlows
from services.audit import AuditEntry
from services.container import Services
from tests.e2e.conftest import ADMIN_ID, RunningBot, containing, text_of
from tests.e2e.flows import choose_mode, confirm_and_receive, give_inputs, profile_of, started
from tests.e2e.raw_updates import callback_query
from tests.e2e.test_payments import buy_pack

SETTLE_SECONDS = 0.5  # for the bot to handle updates whose whole point is to change nothing


@pytest.fixture
def admin(sandbox: SandboxServer, running_bot: RunningBot) -> SandboxUser:
    return sandbox.user(ADMIN_ID, first_name="Admin", language_code="en")


async def audit_rows(services: Services, count: int = 100) -> list[AuditEntry]:
    return await services.audit.latest(count)


async def read_stats(services: Services) -> AdminStats:
    return await AdminStatsService(services.db).read()


# --- who may use them ---------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/admin", "/stats", "/audit"])
async def test_admin_overview_commands_look_unknown_to_everyone_else(
    command: str, new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    before = await audit_rows(chat_services)

    await user.send_command(command, "5")

    answer = await user.wait_for_message(containing(f"I don't know the command {command}"))
    assert "Stats" not in text_of(answer)
    assert await audit_rows(chat_services) == before


@pytest.mark.parametrize("data", ["adm:stats", "adm:audit", "adm:broadcast", "adm:usage:ban"])
async def test_an_admin_button_pressed_by_anyone_else_reads_as_expired(
    data: str, new_chat_user, sandbox: SandboxServer, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    welcome = user.messages()[-1]
    sent = len(user.messages())

    query = callback_query(sandbox, user, data, welcome.data)
    sandbox.push_raw_update({"callback_query": query})

    answer = await user.wait_for_callback_answer(query["id"])
    assert answer.text == t("en", "stale_button")
    await asyncio.sleep(SETTLE_SECONDS)
    assert len(user.messages()) == sent


@pytest.mark.parametrize("command", ["/admin", "/stats", "/audit"])
async def test_in_a_group_the_figures_stay_private(
    command: str, admin: SandboxUser, sandbox: SandboxServer
):
    in_group = admin.in_chat(sandbox.group(title="Operators"))

    await in_group.send_command(command)

    pointer = await in_group.wait_for_message(containing("in private"))
    assert "Users:" not in text_of(pointer)
    await asyncio.sleep(SETTLE_SECONDS)
    assert [m for m in in_group.messages() if "Stats" in text_of(m)] == []


# --- /audit -------------------------------------------------------------------------------


@pytest.mark.parametrize("args", ["abc", "100000", "0", f"{AUDIT_MAX + 1}", "5 6", "-3"])
async def test_audit_with_a_bad_count_gets_its_usage_line(args: str, admin: SandboxUser):
    await admin.send_command("/audit", args)
    answer = await admin.wait_for_message(containing("Usage: /audit"))
    assert f"n from 1 to {AUDIT_MAX}" in text_of(answer)


async def test_grant_revoke_and_refund_leave_audit_rows_with_before_and_after(
    new_chat_user, admin: SandboxUser, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    payment = await buy_pack(user, "pack_100")  # 50 + 100 credits
    newest = (await audit_rows(chat_services, 1) or [None])[0]

    await admin.send_command("/grant", f"{user.id} 25 goodwill after an outage")
    await admin.wait_for_message(containing("New balance: 175"))
    await admin.send_command("/revoke", f"{user.id} 500 chargeback")  # refused: no row
    await admin.wait_for_message(containing("nothing was taken"))
    await admin.send_command("/revoke", f"{user.id} 100 chargeback")
    await admin.wait_for_message(containing("New balance: 75"))
    await admin.send_command("/refund", payment.charge_id)
    await admin.wait_for_message(containing("Refunded payment"))

    rows = [
        row for row in await audit_rows(chat_services, 10) if newest is None or row.id > newest.id
    ]
    assert [row.action for row in reversed(rows)] == ["grant", "revoke", "refund"]
    refund, revoke, grant = rows
    assert all(row.admin_telegram_id == ADMIN_ID for row in rows)
    assert grant.arguments == {
        "telegram_id": user.id,
        "amount": 25,
        "reason": "goodwill after an outage",
    }
    assert (grant.before, grant.after) == ({"credits": 150}, {"credits": 175})
    assert revoke.arguments["amount"] == 100
    assert (revoke.before, revoke.after) == ({"credits": 175}, {"credits": 75})
    assert refund.arguments["reference"] == payment.charge_id
    assert refund.arguments["telegram_id"] == user.id
    assert refund.before == {"credits": 75, "refunded": False}
    assert refund.after == {"credits": 0, "refunded": True, "taken": 75, "shortfall": 25}

    await admin.send_command("/refund", payment.charge_id)  # again: recorded, nothing moved
    await admin.wait_for_message(containing("was already refunded"))
    [again] = await audit_rows(chat_services, 1)
    assert (again.action, again.arguments) == ("refund", refund.arguments)
    assert again.before == again.after == {"credits": 0, "refunded": True}

    await admin.send_command("/audit", "4")

    listing = text_of(await admin.wait_for_message(containing("The last 4 admin actions")))
    assert listing.index("refund") < listing.index("revoke") < listing.index("grant")
    # jsonb keeps keys shortest first
    assert f"amount=25, reason=goodwill after an outage, telegram_id={user.id}" in listing
    assert "credits=150 → credits=175" in listing
    assert "credits=75, refunded=false → taken=75, credits=0, refunded=true, shortfall=25" in (
        listing
    )


async def test_a_long_audit_list_is_split_to_fit_telegram(
    new_chat_user, admin: SandboxUser, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    reason = "a long reason " * 30
    for _ in range(AUDIT_MAX):
        await chat_services.audit.record(
            ADMIN_ID, "grant", {"telegram_id": user.id, "reason": reason}, {"a": 1}, {"a": 2}
        )

    await admin.send_command("/audit", str(AUDIT_MAX))

    first = await admin.wait_for_message(containing(f"The last {AUDIT_MAX} admin actions"))
    parts = [first]
    while sum(text_of(part).count(" · admin ") for part in parts) < AUDIT_MAX:
        parts.append(await admin.wait_for_message(containing(" · admin ")))
    assert len(parts) > 1
    assert all(len(text_of(part)) <= 4096 for part in parts)


# --- /stats -------------------------------------------------------------------------------


def flows_delta(after: CreditFlows, before: CreditFlows) -> CreditFlows:
    return CreditFlows(
        **{
            name: getattr(after, name) - getattr(before, name)
            for name in CreditFlows.__dataclass_fields__
        }
    )


async def test_stats_count_what_happened_in_the_chat(
    new_chat_user, admin: SandboxUser, chat_services: Services
):
    before = await read_stats(chat_services)
    referrer = new_chat_user()
    await started(referrer)
    code = (await profile_of(chat_services, referrer)).referral_code
    friend = new_chat_user(first_name="Sam")
    await friend.send_command("/start", f"ref_{code}")
    await friend.wait_for_message(containing("Welcome"))
    await choose_mode(referrer, "text_to_thumbnail")
    await give_inputs(referrer, "text_to_thumbnail")
    await confirm_and_receive(referrer)
    await buy_pack(friend, "pack_100")
    await asyncio.sleep(SETTLE_SECONDS)  # the delivery is recorded right after the photo
    cost = 50 + 30 - (await profile_of(chat_services, referrer)).credits  # an admin may set it

    await admin.send_command("/stats")

    shown = text_of(await admin.wait_for_message(containing("Stats")))
    after = await read_stats(chat_services)
    assert after.users.total - before.users.total == 2
    assert after.users.new.today - before.users.new.today == 2
    assert after.users.active_week - before.users.active_week >= 2  # and the admin, maybe
    assert after.referrals.today - before.referrals.today == 1
    assert after.referrals_total - before.referrals_total == 1
    assert flows_delta(after.credits.today, before.credits.today) == CreditFlows(
        granted=50 + 50 + 30, bought=100, spent=cost, refunded=0, taken_back=0
    )
    assert after.credits.outstanding - before.credits.outstanding == 50 + 50 + 30 + 100 - cost

    def succeeded_texts(stats: AdminStats) -> int:
        return next(
            (
                count.last_day
                for count in stats.generations.counts
                if (count.mode, count.status) == ("text_to_thumbnail", "succeeded")
            ),
            0,
        )

    assert succeeded_texts(after) - succeeded_texts(before) == 1
    assert after.generations.last_day.median_delivery is not None
    [stars] = [item for item in after.revenue if item.provider == "telegram_stars"]
    [stars_before] = [item for item in before.revenue if item.provider == "telegram_stars"] or [
        replace(stars, today=Decimal(0))
    ]
    assert stars.today - stars_before.today == 100
    assert stars.currency == "XTR"

    # What the admin reads is these figures.
    users = after.users
    assert f"Users: {users.total} · new today {users.new.today}" in shown
    assert f"active in 7 days {users.active_week}" in shown
    assert f"✍️ From a description · succeeded: {succeeded_texts(after)} /" in shown
    assert f"⭐ Stars: {stars.today.normalize():f} / " in shown
    assert f"Outstanding on balances: {after.credits.outstanding}" in shown
    assert f"Referral sign-ups: {after.referrals_total}" in shown


# --- /admin -------------------------------------------------------------------------------


async def test_the_admin_menu_has_a_button_for_every_admin_command(admin: SandboxUser):
    await admin.send_command("/admin")

    menu = await admin.wait_for_message(containing("Admin tools"))

    data = [button["callback_data"] for button in menu.buttons]
    assert all(is_valid_button(item) for item in data)
    commands = {item.removeprefix("adm:").removeprefix("usage:") for item in data}
    assert commands == {name for name, _ in handlers.ADMIN_COMMANDS} - {"admin"}
    for command in USAGE:
        await admin.press(menu, f"adm:usage:{command}")
        usage = await admin.wait_for_message(containing("Usage: /"))
        assert f"/{command}" in text_of(usage)

    await admin.press(menu, "adm:stats")
    await admin.wait_for_message(containing("Stats", "Revenue"))
    await admin.press(menu, "adm:audit")
    await admin.wait_for_message(containing("admin actions"))


async def test_the_broadcast_button_starts_the_composer(admin: SandboxUser):
    await admin.send_command("/admin")
    menu = await admin.wait_for_message(containing("Admin tools"))

    await admin.press(menu, "adm:broadcast")

    ask = await admin.wait_for_message(containing("New broadcast"))
    cancel = next(b["callback_data"] for b in ask.buttons if b["callback_data"].startswith("bc:"))
    await admin.press(ask, cancel)  # the composer must not take the next tests' texts
    await admin.wait_for_message(containing("discarded"))


# --- the command menu ---------------------------------------------------------------------


def published(sandbox: SandboxServer, scope: dict[str, object], language: str = "") -> list[str]:
    commands = sandbox.bot().commands.get((json.dumps(scope, sort_keys=True), language), [])
    return [command["command"] for command in commands]


async def test_admins_get_their_own_command_menu_and_nobody_else_sees_it(
    sandbox: SandboxServer, running_bot: RunningBot
):
    assert running_bot.application is not None
    await handlers.publish_commands(running_bot.application)
    admin_commands = [name for name, _ in handlers.ADMIN_COMMANDS]
    user_commands = [name for name, _ in handlers.COMMANDS]

    for language in ("", "ru", "es"):
        everyone = published(sandbox, {"type": "default"}, language)
        assert everyone == user_commands
        mine = published(sandbox, {"type": "chat", "chat_id": ADMIN_ID}, language)
        assert mine == user_commands + admin_commands
    scoped = [
        json.loads(call.params["scope"])
        for call in sandbox.calls("setMyCommands")
        if call.params.get("scope")
    ]
    assert {scope["chat_id"] for scope in scoped if scope.get("type") == "chat"} == {ADMIN_ID}
    assert {"setcost", "ban", "broadcast", "stats", "audit"} <= set(admin_commands)


async def test_an_admin_telegram_does_not_know_yet_does_not_stop_the_start(
    sandbox: SandboxServer, running_bot: RunningBot, caplog: pytest.LogCaptureFixture
):
    assert running_bot.application is not None
    sandbox.fail_next(
        "setMyCommands",
        400,
        "Bad Request: chat not found",
        times=None,
        when=lambda params: "scope" in params,
    )
    try:
        with caplog.at_level(logging.WARNING, logger="handlers"):
            await handlers.publish_commands(running_bot.application)
    finally:
        sandbox.faults.clear()
    assert f"no admin command menu for admin {ADMIN_ID}: Chat not found" in caplog.text

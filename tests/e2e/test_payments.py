"""Telegram Stars over the Bot API: /buy -> invoice -> pre-checkout -> successful payment ->
credits and a payments row; refusals at pre-checkout; the monthly plan with renewals,
cancel and expiry; refunds by an admin and by Telegram; admin commands."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.payments import EXPIRY_JOB
from sandbox.errors import ApiError, bad_request
from sandbox.faults import Fault
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from sandbox.views import PaymentResult, SentMessage
from services.accounts import Profile
from services.adapters.db import Database
from services.container import Services
from services.payments import InvoicePayload, ProductKind
from tests.conftest import ledger_sum
from tests.e2e.conftest import ADMIN_ID, RunningBot, containing
from tests.e2e.test_generate import choose_mode, give_inputs, press_starting_with
from tests.test_payments import assert_stars_pack_row

SETTLE_SECONDS = 0.5  # for the bot to handle updates whose whole point is to change nothing


async def started(user: SandboxUser) -> None:
    await user.send_command("/start")
    await user.wait_for_message(containing("Welcome"))


async def profile_of(services: Services, user: SandboxUser) -> Profile:
    profile = await services.accounts.find_by_telegram_id(user.id)
    assert profile is not None
    return profile


async def balance_of(services: Services, user: SandboxUser) -> int:
    profile = await profile_of(services, user)
    assert profile.credits == await ledger_sum(services.db, profile.id)
    return profile.credits


async def payments_of(db: Database, profile: Profile) -> list[dict]:
    return await db.fetch_all(
        "SELECT * FROM payments WHERE profile_id = %s ORDER BY created_at", [profile.id]
    )


def has_invoice(message: SentMessage) -> bool:
    return message.invoice is not None


async def invoice_for(user: SandboxUser, pack_id: str) -> SentMessage:
    await user.send_command("/buy")
    menu = await user.wait_for_message(containing("Credit packs"))
    await user.press(menu, f"buy:pack:{pack_id}")
    return await user.wait_for_message(has_invoice)


async def buy_pack(user: SandboxUser, pack_id: str) -> PaymentResult:
    payment = await user.pay(await invoice_for(user, pack_id))
    assert payment.ok, payment.error_message
    await user.wait_for_message(containing("Payment received"))
    return payment


async def subscribe(user: SandboxUser) -> PaymentResult:
    await user.send_command("/subscription")
    offer = await user.wait_for_message(containing("Monthly plan", "don't have a plan"))
    link = next(b["url"] for b in offer.buttons if "url" in b)
    payment = await user.pay(link)
    assert payment.ok, payment.error_message
    await user.wait_for_message(containing("You're subscribed"))
    return payment


def count(user: SandboxUser, *fragments: str) -> int:
    return sum(1 for m in user.messages() if all(f in (m.text or "") for f in fragments))


def for_user(user: SandboxUser) -> Callable[[dict], bool]:
    """A fault filter: only calls about this user (tests run next to each other)."""
    return lambda params: str(params.get("user_id")) == str(user.id)


def redeliver(user: SandboxUser, content: dict, times: int) -> None:
    """The same service message delivered again (new update ids), as after a crash."""
    for _ in range(times):
        message = user.world.new_message(user.bot, user.chat, user.account.user_object(), content)
        user.world.push_update(user.bot, "message", message.snapshot())


# --- packs -------------------------------------------------------------------------------


async def test_a_pack_bought_with_stars_credits_the_balance_and_records_the_payment(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    await user.send_command("/buy")
    menu = await user.wait_for_message(containing("Credit packs"))
    assert "300 + 30 bonus credits" in (menu.text or "")
    assert "⭐ 330 credits" in " ".join(menu.button_texts)
    assert "Monthly plan" in (menu.text or "")
    assert not [text for text in menu.button_texts if "by card" in text]  # Stripe is off

    await user.press(menu, "buy:pack:pack_300")
    invoice = await user.wait_for_message(has_invoice)
    assert invoice.invoice is not None
    assert (invoice.invoice["currency"], invoice.invoice["total_amount"]) == ("XTR", 275)

    payment = await user.pay(invoice, timeout=3)  # Telegram allows 10 s; we need far less

    assert payment.ok
    done = await user.wait_for_message(containing("Payment received"))
    assert "+330 credits" in (done.text or "")
    assert "balance is 380" in (done.text or "")
    assert await balance_of(chat_services, user) == 380
    [row] = await payments_of(chat_services.db, await profile_of(chat_services, user))
    assert_stars_pack_row(row, payment.charge_id, "pack_300", stars=275, credits=330)


async def test_every_get_credits_button_leads_to_buy(new_chat_user):
    user = new_chat_user()
    await started(user)
    await user.send_command("/balance")
    balance = await user.wait_for_message(containing("You have"))
    await user.press(balance, "buy:open")
    await user.wait_for_message(containing("Credit packs"))


@pytest.fixture
async def temporary_pack(chat_services: Services):
    """A pack only this test sells, so changing it disturbs no one."""
    pack_id = f"e2e_{uuid.uuid4().hex[:12]}"
    await chat_services.db.execute(
        "INSERT INTO credit_packs (id, credits, price_stars, stripe_price_cents, sort)"
        " VALUES (%s, 40, 77, 99, 999)",
        [pack_id],
    )
    yield pack_id
    await chat_services.db.execute("DELETE FROM credit_packs WHERE id = %s", [pack_id])


REFUSALS: dict[str, tuple[str, str]] = {
    "price changed": (
        "UPDATE credit_packs SET price_stars = 78 WHERE id = %(pack)s",
        "The price changed",
    ),
    "pack withdrawn": ("DELETE FROM credit_packs WHERE id = %(pack)s", "no longer available"),
    "user banned": (
        "UPDATE profiles SET is_banned = true WHERE telegram_id = %(user)s",
        "can't make purchases",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
async def test_pre_checkout_refuses_and_nothing_is_credited(
    case: str, new_chat_user, chat_services: Services, temporary_pack: str
):
    user = new_chat_user()
    await started(user)
    invoice = await invoice_for(user, temporary_pack)
    change, explanation = REFUSALS[case]
    await chat_services.db.execute(change, {"pack": temporary_pack, "user": user.id})

    payment = await user.pay(invoice)

    assert not payment.ok
    assert explanation in (payment.error_message or "")
    assert await balance_of(chat_services, user) == 50
    assert await payments_of(chat_services.db, await profile_of(chat_services, user)) == []


async def test_a_forwarded_invoice_link_is_refused(new_chat_user, chat_services: Services):
    owner, other = new_chat_user(), new_chat_user()
    await started(owner)
    await started(other)
    await owner.send_command("/subscription")
    offer = await owner.wait_for_message(containing("don't have a plan"))
    link = next(b["url"] for b in offer.buttons if "url" in b)

    payment = await other.pay(link)

    assert not payment.ok
    assert "made for another account" in (payment.error_message or "")
    assert await balance_of(chat_services, owner) == await balance_of(chat_services, other) == 50


async def test_50_deliveries_of_one_successful_payment_credit_once(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    invoice = await invoice_for(user, "pack_100")

    payment = await user.pay(invoice)
    assert payment.successful_payment is not None
    redeliver(user, {"successful_payment": payment.successful_payment}, times=49)

    await user.wait_for_message(containing("Payment received"))
    await asyncio.sleep(SETTLE_SECONDS)
    assert await balance_of(chat_services, user) == 150
    assert len(await payments_of(chat_services.db, await profile_of(chat_services, user))) == 1
    assert count(user, "Payment received") == 1


# Sent straight to the bot (as a buggy or hostile client could), not through an invoice.
MISMATCHED = {
    "one star for the biggest pack": (1, "XTR", "less than the price", 0),
    "the price in another currency": (850, "USD", "not in the currency", 0),
    "more than the price": (900, "XTR", "more than the price", 1150),
}


@pytest.mark.parametrize("case", list(MISMATCHED))
async def test_a_successful_payment_that_does_not_match_the_price(
    case: str, new_chat_user, admin: SandboxUser, chat_services: Services
):
    amount, currency, explanation, credited = MISMATCHED[case]
    user = new_chat_user()
    await started(user)
    await admin.send_command("/balance")
    await admin.wait_for_message(containing("You have"))
    profile = await profile_of(chat_services, user)
    paid = {
        "currency": currency,
        "total_amount": amount,
        "invoice_payload": InvoicePayload(ProductKind.PACK, "pack_1000", profile.id).encode(),
        "telegram_payment_charge_id": f"stxforged{uuid.uuid4().hex}",
        "provider_payment_charge_id": "",
    }

    redeliver(user, {"successful_payment": paid}, times=2)

    told = await user.wait_for_message(containing(explanation))
    assert "850 ⭐" in (told.text or "")
    assert "a pack of 1150 credits" in (told.text or "")
    alert = await admin.wait_for_message(containing("Payment mismatch", str(user.id)))
    await asyncio.sleep(SETTLE_SECONDS)
    assert await balance_of(chat_services, user) == 50 + credited
    [row] = await payments_of(chat_services.db, profile)
    assert (row["amount"], row["currency"], row["credits_added"]) == (amount, currency, credited)
    assert row["provider_payment_id"] == paid["telegram_payment_charge_id"]
    assert row["details"]["mismatch"]["expected_amount"] == 850
    assert f"/refund {row['id']}" in (alert.text or "")
    assert f"credited {credited} of 1150 credits" in (alert.text or "")
    assert count(user, explanation) == 1
    mentions = [m for m in admin.messages() if str(row["id"]) in (m.text or "")]
    assert len(mentions) == 1


@pytest.mark.parametrize("product", ["foreign", "withdrawn pack", "impossible amount"])
async def test_a_successful_payment_naming_nothing_we_sell_is_reported(
    product: str, new_chat_user, admin: SandboxUser, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    payload = "gift:for-someone"
    amount = 40
    if product != "foreign":  # an invoice of ours: for a pack no longer in the table, or
        profile = await profile_of(chat_services, user)  # a sum too large to be real
        pack = "pack_gone" if product == "withdrawn pack" else "pack_100"
        payload = InvoicePayload(ProductKind.PACK, pack, profile.id).encode()
        amount = 40 if product == "withdrawn pack" else 10**9
    await admin.send_command("/balance")
    await admin.wait_for_message(containing("You have"))
    charge = f"stxforeign{uuid.uuid4().hex}"
    paid = {
        "currency": "XTR",
        "total_amount": amount,
        "invoice_payload": payload,
        "telegram_payment_charge_id": charge,
        "provider_payment_charge_id": "",
    }

    redeliver(user, {"successful_payment": paid}, times=1)

    told = await user.wait_for_message(containing("doesn't match anything I sell"))
    assert f"{amount} ⭐" in (told.text or "")
    alert = await admin.wait_for_message(containing("Unmatched payment", str(user.id)))
    assert charge in (alert.text or "")
    assert await balance_of(chat_services, user) == 50
    assert await payments_of(chat_services.db, await profile_of(chat_services, user)) == []


# --- the monthly plan --------------------------------------------------------------------


def moment(timestamp: int | None) -> datetime:
    assert timestamp is not None
    return datetime.fromtimestamp(timestamp, UTC)


async def subscription_row(db: Database, profile: Profile) -> dict:
    [row] = await db.fetch_all("SELECT * FROM subscriptions WHERE profile_id = %s", [profile.id])
    return row


async def test_subscription_first_payment_and_renewals_grant_250_and_extend(
    new_chat_user, chat_services: Services, sandbox: SandboxServer
):
    user = new_chat_user()
    await started(user)

    first = await subscribe(user)

    assert first.charge is not None
    profile = await profile_of(chat_services, user)
    assert await balance_of(chat_services, user) == 300
    row = await subscription_row(chat_services.db, profile)
    assert (row["plan_name"], row["provider"], row["is_active"]) == (
        "monthly_25images",
        "telegram_stars",
        True,
    )
    assert row["provider_subscription_id"] == first.charge_id
    assert row["end_date"] == moment(first.charge.expiration_date)

    renewal = await user.renew_subscription(first, advance_time=True)
    assert renewal.charge is not None
    await user.wait_for_message(containing("plan renewed", "+250"))
    assert await balance_of(chat_services, user) == 550
    row = await subscription_row(chat_services.db, profile)
    assert row["end_date"] == moment(renewal.charge.expiration_date)
    assert row["end_date"] > moment(first.charge.expiration_date)
    kinds = [p["kind"] for p in await payments_of(chat_services.db, profile)]
    assert kinds == ["subscription", "subscription"]

    await user.send_command("/subscription")
    status = await user.wait_for_message(containing("is active", "renews automatically"))
    assert "Cancel renewal" in " ".join(status.button_texts)


async def test_cancel_in_subscription_calls_edit_user_star_subscription(
    new_chat_user, chat_services: Services, sandbox: SandboxServer
):
    user = new_chat_user()
    await started(user)
    first = await subscribe(user)

    await user.send_command("/subscription")
    status = await user.wait_for_message(containing("is active"))
    await user.press(status, "sub:cancel")
    await user.wait_for_message(containing("Renewal is off"))

    edit = sandbox.subscription_edits[-1]
    assert (edit.user_id, edit.charge_id, edit.details) == (
        user.id,
        first.charge_id,
        {"is_canceled": True},
    )
    row = await subscription_row(chat_services.db, await profile_of(chat_services, user))
    assert row["canceled_at"] is not None
    assert row["is_active"]  # the paid period stays
    assert not (await user.renew_subscription(first)).ok

    await user.send_command("/subscription")
    status = await user.wait_for_message(containing("Renewal is off"))
    await user.press(status, "sub:resume")
    await user.wait_for_message(containing("Renewal is back on"))
    assert sandbox.subscription_edits[-1].details == {"is_canceled": False}
    assert (await user.renew_subscription(first)).ok


@pytest.mark.expect_errors("could not change renewal")
async def test_a_renewal_switch_telegram_did_not_make_changes_nothing(
    new_chat_user, chat_services: Services, sandbox: SandboxServer
):
    """Telegram charges the next period, so its state comes first: when the switch does
    not go through, the plan is recorded as it still is, and the user is told."""
    user = new_chat_user()
    await started(user)
    first = await subscribe(user)
    await user.send_command("/subscription")
    status = await user.wait_for_message(containing("is active"))
    down = ApiError(502, "Bad Gateway")  # refused before anything happened
    sandbox.faults.add(Fault("editUserStarSubscription", error=down, when=for_user(user)))

    await user.press(status, "sub:cancel")

    await user.wait_for_message(containing("couldn't change your plan"))
    row = await subscription_row(chat_services.db, await profile_of(chat_services, user))
    assert row["canceled_at"] is None
    assert (await user.renew_subscription(first)).ok  # Telegram still renews it
    await user.send_command("/subscription")
    await user.wait_for_message(containing("renews automatically"))


async def test_a_lapsed_plan_is_ended_by_the_job_and_the_user_told_once(
    new_chat_user, chat_services: Services, running_bot: RunningBot
):
    user = new_chat_user()
    await started(user)
    await subscribe(user)
    profile = await profile_of(chat_services, user)
    await chat_services.db.execute(
        "UPDATE subscriptions SET end_date = now() - interval '1 day' WHERE profile_id = %s",
        [profile.id],
    )
    application = running_bot.application
    assert application is not None
    assert application.job_queue is not None
    [job] = application.job_queue.get_jobs_by_name(EXPIRY_JOB)

    await job.run(application)
    await user.wait_for_message(containing("monthly plan has ended"))
    await job.run(application)

    await asyncio.sleep(SETTLE_SECONDS)
    assert count(user, "monthly plan has ended") == 1
    assert not (await subscription_row(chat_services.db, profile))["is_active"]
    assert await chat_services.subscriptions.current(profile.id) is None


# --- refunds -----------------------------------------------------------------------------


@pytest.fixture
def admin(sandbox: SandboxServer, running_bot: RunningBot) -> SandboxUser:
    return sandbox.user(ADMIN_ID, first_name="Admin", language_code="en")


async def test_admin_refund_calls_telegram_and_takes_back_what_is_left(
    new_chat_user, admin: SandboxUser, chat_services: Services, sandbox: SandboxServer
):
    user = new_chat_user()
    await started(user)
    payment = await buy_pack(user, "pack_100")  # 150
    profile = await profile_of(chat_services, user)
    await chat_services.credits.admin_adjust(profile.id, -120, "spent on thumbnails", ADMIN_ID)

    await admin.send_command("/refund", payment.charge_id)

    answer = await admin.wait_for_message(containing("Refunded payment"))
    assert "took back 30 of 100 credits (shortfall 70). New balance: 0" in (answer.text or "")
    refund = sandbox.refunds[-1]
    assert (refund.user_id, refund.charge_id) == (user.id, payment.charge_id)
    told = await user.wait_for_message(containing("payment was refunded"))
    assert "took back the 30 credits you had left; the other 70 were already spent" in (
        told.text or ""
    )
    assert await balance_of(chat_services, user) == 0

    # Telegram's refunded_payment update for the same charge, and a second /refund: no-ops.
    await user.notify_refund(payment)
    await admin.send_command("/refund", payment.charge_id)
    await admin.wait_for_message(containing("was already refunded"))
    await asyncio.sleep(SETTLE_SECONDS)
    assert count(user, "payment was refunded") == 1
    assert len(sandbox.refunds) == len({r.charge_id for r in sandbox.refunds})
    [row] = await payments_of(chat_services.db, profile)
    assert (row["credits_refunded"], row["refund_shortfall"]) == (30, 70)
    assert row["refunded_at"] is not None


@pytest.mark.expect_errors(r"update \d+ failed")
async def test_a_refund_whose_answer_was_lost_is_recorded_when_asked_again(
    new_chat_user, admin: SandboxUser, chat_services: Services, sandbox: SandboxServer
):
    """Telegram refunded the Stars but the bot heard 502: nothing is taken back yet (the
    outcome is unknown); the admin's second /refund hears "already refunded" and records it."""
    user = new_chat_user()
    await started(user)
    payment = await buy_pack(user, "pack_100")
    lost = ApiError(502, "Bad Gateway")
    sandbox.faults.add(Fault("refundStarPayment", error=lost, performed=True, when=for_user(user)))

    await admin.send_command("/refund", payment.charge_id)
    await admin.wait_for_message(containing("something went wrong"))
    assert await balance_of(chat_services, user) == 150
    await admin.send_command("/refund", payment.charge_id)

    answer = await admin.wait_for_message(containing("Refunded payment"))
    assert "took back 100 of 100 credits" in (answer.text or "")
    await user.wait_for_message(containing("payment was refunded"))
    assert await balance_of(chat_services, user) == 50
    assert [r.charge_id for r in sandbox.refunds].count(payment.charge_id) == 1


async def test_a_refund_telegram_refuses_takes_nothing_back(
    new_chat_user, admin: SandboxUser, chat_services: Services, sandbox: SandboxServer
):
    user = new_chat_user()
    await started(user)
    payment = await buy_pack(user, "pack_100")
    refusal = bad_request("CHARGE_NOT_REFUNDABLE")
    sandbox.faults.add(Fault("refundStarPayment", error=refusal, when=for_user(user)))

    await admin.send_command("/refund", payment.charge_id)

    answer = await admin.wait_for_message(containing("Telegram refused the refund"))
    assert "charge_not_refundable" in (answer.text or "").lower()
    await asyncio.sleep(SETTLE_SECONDS)
    assert await balance_of(chat_services, user) == 150
    [row] = await payments_of(chat_services.db, await profile_of(chat_services, user))
    assert row["refunded_at"] is None
    assert count(user, "payment was refunded") == 0


async def test_a_refunded_payment_update_is_handled_once(new_chat_user, chat_services: Services):
    user = new_chat_user()
    await started(user)
    payment = await buy_pack(user, "pack_300")
    assert await balance_of(chat_services, user) == 380

    await user.notify_refund(payment)
    told = await user.wait_for_message(containing("payment was refunded"))
    await user.notify_refund(payment)

    assert "its 330 credits were taken back" in (told.text or "")
    await asyncio.sleep(SETTLE_SECONDS)
    assert count(user, "payment was refunded") == 1
    assert await balance_of(chat_services, user) == 50


async def test_refunding_a_plan_payment_ends_the_plan_and_its_renewals(
    new_chat_user, admin: SandboxUser, chat_services: Services, sandbox: SandboxServer
):
    user = new_chat_user()
    await started(user)
    first = await subscribe(user)

    await admin.send_command("/refund", first.charge_id)
    await admin.wait_for_message(containing("Refunded payment"))

    assert await balance_of(chat_services, user) == 50
    assert (
        await chat_services.subscriptions.current((await profile_of(chat_services, user)).id)
        is None
    )
    assert sandbox.subscription_edits[-1].details == {"is_canceled": True}
    assert not (await user.renew_subscription(first)).ok


# --- admin commands ----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/refund", "/grant", "/revoke"])
async def test_admin_commands_look_unknown_to_everyone_else(command: str, new_chat_user):
    user = new_chat_user()
    await started(user)
    await user.send_command(command, "1 2 3")
    await user.wait_for_message(containing(f"I don't know the command {command}"))


async def test_admin_grant_and_revoke_answer_with_the_new_balance(
    new_chat_user, admin: SandboxUser, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    say = admin.send_command

    await say("/grant", f"{user.id} 25 goodwill after an outage")
    await admin.wait_for_message(containing(f"+25 credits for user {user.id}. New balance: 75"))
    await say("/revoke", f"{user.id} 100 chargeback")
    await admin.wait_for_message(containing("only 75 credits; nothing was taken"))
    await say("/revoke", f"{user.id} 75 chargeback")
    await admin.wait_for_message(containing("-75 credits", "New balance: 0"))
    await say("/grant", f"{user.id} 5")
    await admin.wait_for_message(containing("Usage: /grant"))
    await say("/refund", "no-such-payment")
    await admin.wait_for_message(containing("No payment no-such-payment"))

    assert await balance_of(chat_services, user) == 0
    notes = [
        e.note
        for e in await chat_services.credits.ledger((await profile_of(chat_services, user)).id, 2)
    ]
    assert notes == ["chargeback", "goodwill after an outage"]


async def test_pre_checkout_is_answered_while_generations_run(
    new_chat_user, chat_services: Services
):
    """Telegram waits 10 s for the pre-checkout answer (the sandbox's `pay` deadline too);
    thirty thumbnails being made at that moment must not delay it."""
    makers = [new_chat_user() for _ in range(30)]
    for maker in makers:
        await started(maker)
        await choose_mode(maker, "text_to_thumbnail")
        await give_inputs(maker, "text_to_thumbnail", f"Busy video {maker.id}")
    orders = [
        await m.wait_for_message(lambda msg: "Generate" in " ".join(msg.button_texts))
        for m in makers
    ]
    buyer = new_chat_user()
    await started(buyer)
    invoice = await invoice_for(buyer, "pack_100")

    await asyncio.gather(
        *(press_starting_with(m, o, "Generate") for m, o in zip(makers, orders, strict=True))
    )
    payment = await buyer.pay(invoice)

    assert payment.ok
    await buyer.wait_for_message(containing("Payment received"))
    assert await balance_of(chat_services, buyer) == 150

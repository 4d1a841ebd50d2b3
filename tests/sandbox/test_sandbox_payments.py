"""Telegram Stars: invoice -> pre-checkout -> successful_payment, subscriptions, refunds."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, LabeledPrice
from telegram.error import BadRequest

from sandbox import PaymentResult, SandboxServer, SandboxUser

from .conftest import UpdateReader

pytestmark = pytest.mark.asyncio(loop_scope="function")

MONTH = 30 * 24 * 3600


async def _pay(
    user: SandboxUser, updates: UpdateReader, invoice: object, *, ok: bool = True
) -> PaymentResult:
    """Pay as the user while the bot answers the pre-checkout query."""
    paying = asyncio.create_task(user.pay(invoice))  # type: ignore[arg-type]
    query = (await updates.next()).pre_checkout_query
    if ok:
        await query.answer(ok=True)
    else:
        await query.answer(ok=False, error_message="Out of stock")
    return await paying


async def test_invoice_payment_flow(
    bot: Bot, server: SandboxServer, user: SandboxUser, updates: UpdateReader
) -> None:
    await user.send_command("/start")
    await updates.next()
    invoice = await bot.send_invoice(
        user.id,
        "10 thumbnails",
        "A pack of 10",
        "pack:10:user1001",
        "XTR",
        [LabeledPrice("Pack", 50)],
    )
    assert (invoice.invoice.currency, invoice.invoice.total_amount) == ("XTR", 50)
    shown = await user.wait_for_message()
    assert shown.invoice["title"] == "10 thumbnails"

    paying = asyncio.create_task(user.pay(shown))
    query = (await updates.next()).pre_checkout_query
    assert (query.currency, query.total_amount) == ("XTR", 50)
    assert query.invoice_payload == "pack:10:user1001"
    assert query.from_user.id == user.id
    await query.answer(ok=True)
    result = await paying
    assert result.ok

    payment = (await updates.next()).message.successful_payment
    assert payment.telegram_payment_charge_id == result.charge_id
    assert payment.provider_payment_charge_id
    assert (payment.total_amount, payment.invoice_payload) == (50, "pack:10:user1001")
    assert payment.subscription_expiration_date is None

    second = await _pay(user, updates, shown)
    assert second.charge_id != result.charge_id
    await updates.next()
    declined = await _pay(user, updates, shown, ok=False)
    assert (declined.ok, declined.error_message) == (False, "Out of stock")
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_pre_checkout_query(declined.pre_checkout_query_id, ok=True)


async def test_unanswered_pre_checkout_times_out(
    server: SandboxServer, bot: Bot, user: SandboxUser
) -> None:
    link = await bot.create_invoice_link("T", "D", "p", "XTR", [LabeledPrice("x", 1)])
    with pytest.raises(TimeoutError, match="pre_checkout_query"):
        await user.pay(link, timeout=0.2)


async def test_subscription_renewal_cancel_and_refund(
    bot: Bot, server: SandboxServer, user: SandboxUser, updates: UpdateReader
) -> None:
    link = await bot.create_invoice_link(
        "Pro",
        "Unlimited thumbnails",
        "sub:pro",
        "XTR",
        [LabeledPrice("Pro", 250)],
        subscription_period=MONTH,
    )
    assert link.startswith("https://t.me/$")
    first = await _pay(user, updates, link)
    message = (await updates.next()).message
    payment = message.successful_payment
    assert payment.is_recurring
    assert payment.is_first_recurring
    expires = payment.subscription_expiration_date.timestamp()
    assert expires == pytest.approx(message.date.timestamp() + MONTH, abs=2)

    renewal = await user.renew_subscription(first, advance_time=True)
    renewed = (await updates.next()).message.successful_payment
    assert renewed.is_recurring
    assert not renewed.is_first_recurring
    assert renewed.telegram_payment_charge_id == renewal.charge_id != first.charge_id
    assert renewed.subscription_expiration_date.timestamp() == pytest.approx(expires + MONTH)

    assert await bot.edit_user_star_subscription(user.id, first.charge_id, is_canceled=True)
    stopped = await user.renew_subscription(first)
    assert not stopped.ok
    assert server.subscription_edits[0].details == {"is_canceled": True}

    assert await bot.refund_star_payment(user.id, renewal.charge_id)
    with pytest.raises(BadRequest, match="Charge_already_refunded"):
        await bot.refund_star_payment(user.id, renewal.charge_id)
    with pytest.raises(BadRequest, match="Charge_id_invalid"):
        await bot.refund_star_payment(user.id, "stx-unknown")
    assert [r.charge_id for r in server.refunds] == [renewal.charge_id]
    await user.notify_refund(renewal)
    refunded = (await updates.next()).message.refunded_payment
    assert (refunded.telegram_payment_charge_id, refunded.total_amount) == (renewal.charge_id, 250)
    transactions = (await bot.get_star_transactions()).transactions
    assert len(transactions) == 3


async def test_invoice_validation(bot: Bot, user: SandboxUser, updates: UpdateReader) -> None:
    await user.send_command("/start")
    with pytest.raises(BadRequest, match=r"(?i)provider_token must be empty"):
        await bot.send_invoice(
            user.id, "T", "D", "p", "XTR", [LabeledPrice("x", 5)], provider_token="tok"
        )
    with pytest.raises(BadRequest, match=r"(?i)exactly one price"):
        await bot.send_invoice(
            user.id, "T", "D", "p", "XTR", [LabeledPrice("a", 5), LabeledPrice("b", 5)]
        )
    with pytest.raises(BadRequest, match="Subscription_period_invalid"):
        await bot.create_invoice_link(
            "T", "D", "p", "XTR", [LabeledPrice("x", 5)], subscription_period=3600
        )

"""Telegram Stars payments: invoices, pre-checkout answers, refunds, subscriptions."""

from __future__ import annotations

from typing import Any

from sandbox.errors import bad_request
from sandbox.methods.common import check_flood, replied_message, reply_markup, send, target_chat
from sandbox.methods.registry import Call, method
from sandbox.payments import SUBSCRIPTION_PERIOD, Invoice
from sandbox.state import World

MAX_STARS = 100_000


def _invoice(call: Call, *, allow_subscription: bool) -> Invoice:
    """Validate the invoice arguments shared by sendInvoice and createInvoiceLink."""
    params = call.params
    title = params.get_str("title") or ""
    description = params.get_str("description") or ""
    payload = params.get_str("payload") or ""
    currency = (params.get_str("currency") or "").upper()
    provider_token = params.get_str("provider_token") or ""
    if not 1 <= len(title) <= 32:
        raise bad_request("invoice title must be 1-32 characters long")
    if not 1 <= len(description) <= 255:
        raise bad_request("invoice description must be 1-255 characters long")
    if not 1 <= len(payload.encode("utf-8")) <= 128:
        raise bad_request("INVOICE_PAYLOAD_INVALID")
    if not currency:
        raise bad_request("currency is empty")
    if currency == "XTR" and provider_token:
        raise bad_request("PAYMENT_PROVIDER_INVALID: provider_token must be empty for Stars")
    if currency != "XTR" and not provider_token:
        raise bad_request("PAYMENT_PROVIDER_INVALID")
    prices = params.get_json("prices", error="can't parse prices JSON object")
    if (
        not isinstance(prices, list)
        or not prices
        or not all(
            isinstance(p, dict)
            and isinstance(p.get("label"), str)
            and isinstance(p.get("amount"), int)
            for p in prices
        )
    ):
        raise bad_request("can't parse prices JSON object")
    if currency == "XTR" and len(prices) != 1:
        raise bad_request("STARS_INVOICE_INVALID: exactly one price is allowed for Telegram Stars")
    total = sum(p["amount"] for p in prices)
    if total <= 0 or (currency == "XTR" and total > MAX_STARS):
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    period = params.get_int("subscription_period") if allow_subscription else None
    if period is not None and (period != SUBSCRIPTION_PERIOD or currency != "XTR"):
        raise bad_request("SUBSCRIPTION_PERIOD_INVALID")
    return Invoice(
        title=title,
        description=description,
        payload=payload,
        currency=currency,
        prices=prices,
        subscription_period=period,
        start_parameter=params.get_str("start_parameter"),
    )


@method("sendInvoice")
async def send_invoice(call: Call) -> dict[str, Any]:
    chat = target_chat(call)
    invoice = _invoice(call, allow_subscription=False)
    markup = reply_markup(call)
    reply_to = replied_message(call, chat)
    check_flood(call, chat)
    content = {"invoice": invoice.invoice_object()}
    message = send(
        call, chat, content, markup=markup, reply_to=reply_to, extra={"invoice": invoice}
    )
    return message.snapshot()


@method("createInvoiceLink")
async def create_invoice_link(call: Call) -> str:
    return call.world.payments.create_link(_invoice(call, allow_subscription=True))


@method("answerPreCheckoutQuery")
async def answer_pre_checkout_query(call: Call) -> bool:
    if not call.params.has("ok"):
        raise bad_request("parameter ok is required")
    ok = call.params.get_bool("ok")
    error_message = call.params.get_str("error_message")
    if not ok and not error_message:
        raise bad_request("ERROR_MESSAGE_EMPTY")
    call.world.queries.answer(
        "pre_checkout_query",
        call.bot.id,
        call.params.get_str("pre_checkout_query_id"),
        {"ok": ok, "error_message": error_message},
    )
    return True


@method("refundStarPayment")
async def refund_star_payment(call: Call) -> bool:
    user_id = call.params.get_int("user_id", required="user not found")
    assert user_id is not None
    call.world.payments.refund(
        call.bot.id, user_id, call.params.get_str("telegram_payment_charge_id"), call.world.now()
    )
    return True


@method("editUserStarSubscription")
async def edit_user_star_subscription(call: Call) -> bool:
    user_id = call.params.get_int("user_id", required="user not found")
    assert user_id is not None
    if not call.params.has("is_canceled"):
        raise bad_request("parameter is_canceled is required")
    call.world.payments.edit_subscription(
        call.bot.id,
        user_id,
        call.params.get_str("telegram_payment_charge_id"),
        call.params.get_bool("is_canceled"),
        call.world.now(),
    )
    return True


def _partner(world: World, user_id: int) -> dict[str, Any]:
    """Telegram's ``TransactionPartnerUser`` for an invoice payment."""
    return {
        "type": "user",
        "transaction_type": "invoice_payment",
        "user": world.users[user_id].user_object(),
    }


@method("getStarTransactions")
async def get_star_transactions(call: Call) -> dict[str, Any]:
    """Incoming payments and outgoing refunds of this bot, oldest first."""
    world = call.world
    transactions: list[dict[str, Any]] = []
    for charge in world.payments.charges.values():
        if charge.bot_id != call.bot.id or charge.invoice.currency != "XTR":
            continue
        source: dict[str, Any] = {
            **_partner(world, charge.user_id),
            "invoice_payload": charge.invoice.payload,
        }
        if charge.invoice.subscription_period:
            source["subscription_period"] = charge.invoice.subscription_period
        transactions.append(
            {
                "id": charge.charge_id,
                "amount": charge.invoice.total_amount,
                "date": charge.date,
                "source": source,
            }
        )
    for refund in world.payments.refunds:
        if refund.bot_id != call.bot.id:
            continue
        charge = world.payments.charges[refund.charge_id]
        transactions.append(
            {
                "id": refund.charge_id,
                "amount": charge.invoice.total_amount,
                "date": refund.date,
                "receiver": _partner(world, refund.user_id),
            }
        )
    transactions.sort(key=lambda t: t["date"])
    offset = call.params.get_int("offset") or 0
    limit = min(max(call.params.get_int("limit") or 100, 1), 100)
    return {"transactions": transactions[offset : offset + limit]}

"""The payment services that reach Telegram themselves (a Stars refund, a renewal switch,
an alert to the admins). They cannot live in `context.services`, which is built before
the bot: bot/payments.py builds them around each application's bot (services never
import telegram) and leaves them in the application's bot_data, where handlers find them
with `payment_desk(context)`."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.context import ChatContext
from services.refunds import RefundService
from services.renewals import RenewalService
from services.stars import StarsPaymentService

PAYMENT_DESK_KEY = "payment_desk"


@dataclass(frozen=True)
class PaymentDesk:
    stars: StarsPaymentService  # successful and refunded Stars payments
    refunds: RefundService  # an admin's /refund
    renewals: RenewalService  # renewal off and on again


def payment_desk(context: ChatContext) -> PaymentDesk:
    desk: PaymentDesk = context.bot_data[PAYMENT_DESK_KEY]
    return desk

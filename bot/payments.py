"""The Telegram side of payments: the Stars calls services make through StarsApi, the
payment services that need them (bound to each application's bot and left for the
handlers, see handlers/payment_desk.py), and the job that ends lapsed plans."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.exclusive import exclusively
from bot.notifiers import TelegramAdminNotifier, TelegramPaymentNotifier
from handlers.context import ChatContext, TelegramApp
from handlers.payment_desk import PAYMENT_DESK_KEY, PaymentDesk
from services.container import Services
from services.payments import PaymentNotifier, StarsRefund, StarsRefused
from services.refunds import RefundService
from services.renewals import RenewalService
from services.stars import StarsPaymentService

logger = logging.getLogger(__name__)

EXPIRY_JOB = "expire_subscriptions"
EXPIRY_INTERVAL_SECONDS = 600


class TelegramStars:
    """StarsApi over the Bot API: refundStarPayment and editUserStarSubscription, with
    Telegram's refusals turned into what they mean for the caller."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def refund(self, telegram_id: int, charge_id: str) -> StarsRefund:
        """A charge Telegram refunded before (say, just before a crash) is not an error:
        the caller still has to record it. Anything but a refusal (a timeout, a 5xx)
        propagates: whether the refund happened is unknown, and a retry will tell."""
        try:
            await self._bot.refund_star_payment(telegram_id, charge_id)
        except BadRequest as error:
            # PTB passes Telegram's CHARGE_ALREADY_REFUNDED on as "Charge_already_refunded".
            if "charge_already_refunded" in error.message.lower():
                return StarsRefund.ALREADY_REFUNDED
            raise StarsRefused(error.message) from error
        return StarsRefund.REFUNDED

    async def set_renewal(self, telegram_id: int, charge_id: str, renews: bool) -> None:
        """Any failure counts as not switched; the user is told and may try again."""
        try:
            await self._bot.edit_user_star_subscription(
                telegram_id, charge_id, is_canceled=not renews
            )
        except TelegramError as error:
            raise StarsRefused(error.message) from error


def connect_payments(application: TelegramApp, services: Services) -> None:
    """Gives the handlers the payment services that reach Telegram, through this
    application's bot, and schedules the lapsed-plan job."""
    bot = application.bot
    stars_api = TelegramStars(bot)
    notify = TelegramPaymentNotifier(bot, services.accounts, services.drafts)
    alert = TelegramAdminNotifier(bot, services.accounts, services.admin_ids)
    application.bot_data[PAYMENT_DESK_KEY] = PaymentDesk(
        stars=StarsPaymentService(services.payments, services.subscriptions, alert),
        refunds=RefundService(
            services.payments,
            services.subscriptions,
            services.accounts,
            stars_api,
            notify,
            services.audit,
        ),
        renewals=RenewalService(services.subscriptions, stars_api, services.stripe),
    )
    _schedule_expiry(application, services, notify)


def _schedule_expiry(application: TelegramApp, services: Services, notify: PaymentNotifier) -> None:
    """Every 10 minutes, scheduled in every bot process and run by one of them at a time
    (the SQL also returns each lapse once)."""
    if application.job_queue is None:
        logger.warning("no job queue (python-telegram-bot[job-queue]); plans won't expire")
        return

    async def end_lapsed_plans(_: ChatContext) -> None:
        await exclusively(
            services.db, EXPIRY_JOB, lambda: services.subscriptions.end_lapsed(notify)
        )

    application.job_queue.run_repeating(
        end_lapsed_plans, interval=EXPIRY_INTERVAL_SECONDS, first=60, name=EXPIRY_JOB
    )

"""Messages about money that reach a chat from outside it: the PaymentNotifier and the
AdminNotifier that services are given (they never import telegram)."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import BadRequest, Forbidden

from handlers.formatting import money, payment_notice
from handlers.i18n import language_of, t
from services.accounts import AccountService
from services.drafts import DraftService
from services.payments import PaymentMismatch, PaymentNotice, UnmatchedPayment

logger = logging.getLogger(__name__)


class TelegramPaymentNotifier:
    """Tells a user about money that moved outside their chat (a Stripe payment, an
    admin's refund, a lapsed plan), in their language."""

    def __init__(self, bot: Bot, accounts: AccountService, drafts: DraftService) -> None:
        self._bot = bot
        self._accounts = accounts
        self._drafts = drafts

    async def __call__(self, notice: PaymentNotice) -> None:
        profile = await self._accounts.get(notice.profile_id)
        if profile.telegram_id is None:
            return
        language = language_of(profile.language_code)
        text, markup = await payment_notice(language, notice, self._drafts)
        try:
            await self._bot.send_message(profile.telegram_id, text, reply_markup=markup)
        except Forbidden:
            logger.info("profile %s blocked the bot; payment notice not sent", profile.id)


class TelegramAdminNotifier:
    """Tells every admin (ADMIN_IDS) about a payment that needs a person, with what they
    need to act on it (the user, the payment or charge id for /refund)."""

    def __init__(self, bot: Bot, accounts: AccountService, admin_ids: frozenset[int]) -> None:
        self._bot = bot
        self._accounts = accounts
        self._admin_ids = admin_ids

    async def __call__(self, mismatch: PaymentMismatch) -> None:
        """A payment that did not match its price."""
        payer = await self._accounts.get(mismatch.profile_id)
        await self._tell(
            "admin_payment_mismatch",
            reason=mismatch.reason.value,
            user=payer.telegram_id or mismatch.profile_id,
            paid=money(mismatch.amount, mismatch.currency),
            price=money(mismatch.expected_amount, mismatch.expected_currency),
            product=mismatch.product_id,
            credits=mismatch.credits_added,
            due=mismatch.credits_due,
            payment=str(mismatch.payment_id),
            provider=mismatch.provider.value,
            charge=mismatch.provider_payment_id,
        )

    async def unmatched(self, payment: UnmatchedPayment) -> None:
        """A payment that names nothing to credit."""
        await self._tell(
            "admin_payment_unmatched",
            user=payment.telegram_id,
            paid=money(payment.amount, payment.currency),
            payload=payment.payload[:64],
            charge=payment.charge_id,
        )

    async def _tell(self, key: str, **params: object) -> None:
        """One catalog text to every admin, each in their own language."""
        for admin_id in sorted(self._admin_ids):
            admin = await self._accounts.find_by_telegram_id(admin_id)
            text = t(language_of(admin.language_code if admin else None), key, **params)
            try:
                await self._bot.send_message(admin_id, text)
            except (Forbidden, BadRequest) as error:  # blocked, or never started the bot
                logger.warning("admin %s not told %s: %s", admin_id, key, error)

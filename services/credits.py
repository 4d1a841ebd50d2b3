"""Credits: every movement is one call of a SQL function in sql/002 (one transaction,
one ledger row). This module only names the calls and types their results; the
database does the checking, so concurrent callers can never overspend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from services.adapters.db import Database, Row
from services.errors import ProfileNotFound


class PaymentProvider(StrEnum):
    TELEGRAM_STARS = "telegram_stars"
    STRIPE = "stripe"


@dataclass(frozen=True)
class Charge:
    generation_id: UUID
    cost: int
    balance: int
    created: bool  # False: the request key matched an earlier charge; nothing was taken


@dataclass(frozen=True)
class Refund:
    generation_id: UUID
    profile_id: UUID
    refunded: int
    balance: int
    already: bool  # True: it was refunded before; nothing moved this time


@dataclass(frozen=True)
class PaymentCredit:
    payment_id: UUID
    credited: bool  # False: this provider id was credited before
    balance: int


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    delta: int
    balance_after: int
    reason: str
    reference: str | None
    note: str | None
    created_at: datetime


def _one(row: Row | None) -> Row:
    if row is None:
        raise RuntimeError("a credit function returned no row")
    return row


class CreditService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def balance(self, profile_id: UUID) -> int:
        value = await self._db.fetch_value(
            "SELECT credits FROM profiles WHERE id = %s", [profile_id]
        )
        if value is None:
            raise ProfileNotFound(f"profile {profile_id} not found")
        return int(value)

    async def charge_generation(
        self,
        profile_id: UUID,
        type_key: str,
        generation_input: dict[str, Any] | None = None,
        request_key: str | None = None,
        shown_cost: int | None = None,
    ) -> Charge:
        """Takes the mode's cost and creates the queued generation, or raises
        InsufficientCredits / UnknownGenerationType / ProfileBanned / PriceChanged (the
        cost is no longer `shown_cost`) and changes nothing."""
        row = _one(
            await self._db.fetch_one(
                "SELECT * FROM charge_generation(%s, %s, %s, %s, %s)",
                [profile_id, type_key, Jsonb(generation_input or {}), request_key, shown_cost],
            )
        )
        return Charge(row["generation_id"], row["credit_cost"], row["balance"], row["created"])

    async def complete_generation(self, generation_id: UUID, output_url: str) -> bool:
        """Stores the output; returns True if it had already been stored."""
        row = _one(
            await self._db.fetch_one(
                "SELECT * FROM complete_generation(%s, %s)", [generation_id, output_url]
            )
        )
        return bool(row["already"])

    async def fail_generation(self, generation_id: UUID, error: str) -> Refund:
        """Marks the generation failed and refunds it, exactly once."""
        row = _one(
            await self._db.fetch_one(
                "SELECT * FROM fail_generation(%s, %s)", [generation_id, error]
            )
        )
        return Refund(
            row["generation_id"], row["profile_id"], row["refunded"], row["balance"], row["already"]
        )

    async def credit_payment(
        self,
        profile_id: UUID,
        provider: PaymentProvider,
        provider_payment_id: str,
        amount: Decimal | int,
        currency: str,
        credits: int,
        kind: str = "pack",
        details: dict[str, Any] | None = None,
    ) -> PaymentCredit:
        """Records and credits an external payment at most once per provider id."""
        row = _one(
            await self._db.fetch_one(
                "SELECT * FROM credit_payment(%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    profile_id,
                    provider.value,
                    provider_payment_id,
                    Decimal(amount),
                    currency,
                    credits,
                    kind,
                    Jsonb(details or {}),
                ],
            )
        )
        return PaymentCredit(row["payment_id"], row["credited"], row["balance"])

    async def admin_adjust(
        self, profile_id: UUID, amount: int, reason: str, admin_telegram_id: int
    ) -> int:
        """Grants (amount > 0) or revokes (amount < 0) credits; returns the new balance.
        The SQL function (sql/016) writes the ledger row and the admin_audit row (the
        balance before and after) in one transaction."""
        return int(
            await self._db.fetch_value(
                "SELECT admin_adjust_credits(%s, %s, %s, %s)",
                [profile_id, amount, reason, admin_telegram_id],
            )
        )

    async def ledger(self, profile_id: UUID, limit: int = 50) -> list[LedgerEntry]:
        """The newest ledger entries first."""
        rows = await self._db.fetch_all(
            """
            SELECT id, delta, balance_after, reason, reference, note, created_at
              FROM credit_ledger WHERE profile_id = %s ORDER BY id DESC LIMIT %s
            """,
            [profile_id, limit],
        )
        return [LedgerEntry(**row) for row in rows]

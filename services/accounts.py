"""Accounts: a Telegram user becomes an auth user plus a profile with starting credits.

`register` is what /start calls. It is idempotent: a returning user gets their profile
back (display fields refreshed), and a referral code only counts for a brand-new user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.adapters.auth_users import AuthUsers
from services.adapters.db import Database
from services.errors import ProfileNotFound
from services.referrals import ReferralOutcome, ReferralStatus


@dataclass(frozen=True)
class TelegramUser:
    """The parts of a Telegram user the bot keeps."""

    id: int
    username: str | None = None
    first_name: str | None = None
    language_code: str | None = None


@dataclass(frozen=True)
class Profile:
    id: UUID
    telegram_id: int | None
    credits: int
    referral_code: str
    referred_by: str | None
    referred_by_profile_id: UUID | None
    username: str | None
    first_name: str | None
    language_code: str | None
    is_banned: bool
    created_at: datetime
    thumbnail_format: str | None  # the shape last chosen (services/formats.py)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Profile:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Arrival:
    """What an update needs first, read in one round trip: the sender's profile (None
    before their first contact), the version of the price list (services/catalog.py),
    and whether their contact is due to be noted (last noted minutes ago, or blocked)."""

    profile: Profile | None
    catalog_version: int
    contact_due: bool


@dataclass(frozen=True)
class Registration:
    profile: Profile
    created: bool
    referral: ReferralOutcome | None


_PROFILE_COLUMNS = ", ".join(Profile.__dataclass_fields__)
_PROFILE_COLUMNS_OF_P = ", ".join(f"p.{name}" for name in Profile.__dataclass_fields__)


class AccountService:
    def __init__(self, db: Database, auth_users: AuthUsers) -> None:
        self._db = db
        self._auth_users = auth_users

    async def register(self, user: TelegramUser, referral_code: str | None = None) -> Registration:
        """Creates the account on first contact; applies a referral for new users only."""
        existing = await self.find_by_telegram_id(user.id)
        if existing is not None:
            user_id = existing.id
        else:
            display = {"username": user.username, "first_name": user.first_name}
            user_id = await self._auth_users.ensure_user(user.id, display)
        row = await self._db.fetch_one(
            "SELECT * FROM create_profile(%s, %s, %s, %s, %s, %s)",
            [user_id, user.id, user.username, user.first_name, user.language_code, referral_code],
        )
        assert row is not None
        referral = None
        if row["referral_status"] is not None:
            referral = ReferralOutcome(
                ReferralStatus(row["referral_status"]),
                row["referrer_id"],
                row["referrer_telegram_id"],
                row["referrer_credits"],
            )
        return Registration(await self.get(row["profile_id"]), bool(row["created"]), referral)

    async def find_by_telegram_id(self, telegram_id: int) -> Profile | None:
        row = await self._db.fetch_one(
            f"SELECT {_PROFILE_COLUMNS} FROM profiles WHERE telegram_id = %s", [telegram_id]
        )
        return Profile.from_row(row) if row else None

    async def arrive(self, telegram_id: int) -> Arrival:
        """An update from this user came in: their profile and the catalog's version, in
        one read (sql/027)."""
        row = await self._db.fetch_one(
            f"SELECT s.version AS catalog_version, {_PROFILE_COLUMNS_OF_P},"
            " (p.id IS NOT NULL AND contact_due(p)) AS contact_due"
            " FROM catalog_state s LEFT JOIN profiles p ON p.telegram_id = %s",
            [telegram_id],
        )
        assert row is not None  # catalog_state has its one row
        profile = Profile.from_row(row) if row["id"] is not None else None
        return Arrival(profile, int(row["catalog_version"]), bool(row["contact_due"]))

    async def note_contact(self, telegram_id: int) -> None:
        """The user wrote: active now, and no longer blocking the bot (sql/015)."""
        await self._db.execute("SELECT note_contact(%s)", [telegram_id])

    async def get(self, profile_id: UUID) -> Profile:
        row = await self._db.fetch_one(
            f"SELECT {_PROFILE_COLUMNS} FROM profiles WHERE id = %s", [profile_id]
        )
        if row is None:
            raise ProfileNotFound(f"profile {profile_id} not found")
        return Profile.from_row(row)

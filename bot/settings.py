"""Runtime configuration, read from the environment and `.env` (design.md's contract).

Every knob is optional: unset means the embedded default, so a fresh clone runs with
no configuration at all. Secrets are `SecretStr` so they never print in logs or reprs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"


class Settings(BaseSettings):
    """The bot's configuration; field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    database_url: SecretStr | None = None
    data_dir: Path = Path("data")
    supabase_url: str | None = None
    supabase_service_role_key: SecretStr | None = None
    replicate_api_token: SecretStr | None = None
    replicate_base_url: str | None = None
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_base: str | None = None
    public_url: str | None = None
    port: int = 8080
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    generation_workers: int = Field(default=32, ge=1, le=512)
    generation_lease_seconds: int = Field(default=60, ge=5, le=3600)
    update_lease_seconds: int = Field(default=30, ge=2, le=600)
    log_format: Literal["text", "json"] = "text"
    sentry_dsn: SecretStr | None = None

    @field_validator(
        "telegram_bot_token",
        "database_url",
        "supabase_url",
        "supabase_service_role_key",
        "replicate_api_token",
        "replicate_base_url",
        "stripe_secret_key",
        "stripe_webhook_secret",
        "stripe_api_base",
        "public_url",
        "sentry_dsn",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """`FOO=` in a `.env` file means "not configured", not "configured as empty"."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _log_format(cls, value: object) -> object:
        """Any case; blank is the default (human-readable lines)."""
        if isinstance(value, str):
            return value.strip().lower() or "text"
        return value

    @field_validator("telegram_api_url", "supabase_url", "public_url", mode="after")
    @classmethod
    def _strip_trailing_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        """ADMIN_IDS is a comma-separated list of Telegram user ids."""
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",")]
            return frozenset(int(part) for part in parts if part)
        return value

    @property
    def sandbox_mode(self) -> bool:
        """No token: the bot talks to the project's own loopback Bot API server."""
        return self.telegram_bot_token is None

    @property
    def supabase_enabled(self) -> bool:
        return bool(self.supabase_url and self.supabase_service_role_key)

    @property
    def stripe_enabled(self) -> bool:
        return bool(self.stripe_secret_key and self.stripe_webhook_secret)

    @property
    def replicate_enabled(self) -> bool:
        return self.replicate_api_token is not None

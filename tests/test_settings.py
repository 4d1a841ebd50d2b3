"""Configuration follows design.md's table: unset means the embedded default."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEFAULT_TELEGRAM_API_URL, Settings

KNOBS = [
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_URL",
    "DATABASE_URL",
    "DATA_DIR",
    "SUPABASE_URL",
    "SUPABASE_SERVICE_ROLE_KEY",
    "REPLICATE_API_TOKEN",
    "REPLICATE_BASE_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_API_BASE",
    "PUBLIC_URL",
    "PORT",
    "ADMIN_IDS",
    "GENERATION_WORKERS",
    "GENERATION_LEASE_SECONDS",
]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for knob in KNOBS:
        monkeypatch.delenv(knob, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return monkeypatch


def test_defaults_mean_embedded_everything(clean_env):
    settings = Settings()
    assert settings.sandbox_mode
    assert settings.telegram_api_url == DEFAULT_TELEGRAM_API_URL
    assert settings.database_url is None
    assert settings.data_dir == Path("data")
    assert not settings.supabase_enabled
    assert not settings.stripe_enabled
    assert not settings.replicate_enabled
    assert settings.public_url is None
    assert settings.port == 8080
    assert settings.admin_ids == frozenset()


def test_environment_and_dotenv_are_read(clean_env, tmp_path: Path):
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=123:abc\nPORT=9000\nSTRIPE_SECRET_KEY=\n")
    clean_env.setenv("ADMIN_IDS", " 11, 22,,33 ")
    clean_env.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")

    settings = Settings()

    assert not settings.sandbox_mode
    assert settings.port == 9000
    assert settings.admin_ids == frozenset({11, 22, 33})
    assert settings.telegram_api_url == "http://127.0.0.1:8081"
    assert settings.stripe_secret_key is None  # blank in .env means unset


def test_secrets_never_show_in_reprs(clean_env):
    clean_env.setenv("TELEGRAM_BOT_TOKEN", "123456:very-secret-token")
    clean_env.setenv("DATABASE_URL", "postgresql://u:hunter2@db/x")
    text = repr(Settings()) + str(Settings().model_dump())
    assert "very-secret-token" not in text
    assert "hunter2" not in text


def test_env_example_documents_every_knob():
    example = (Path(__file__).resolve().parent.parent / ".env.example").read_text()
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for knob in KNOBS:
        assert f"{knob}=" in example, knob
        assert f"`{knob}`" in readme, knob

"""/readyz names what is not ready; the start-up warnings about where a real bot keeps its
data; log lines as JSON or text, redacted; the Sentry SDK set up from SENTRY_DSN."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import aiohttp
import pytest
import sentry_sdk
from pydantic import SecretStr

from bot.health import Readiness, health_routes, temporary_place, warn_if_data_is_fragile
from bot.log_setup import (
    REDACTED,
    HumanFormatter,
    JsonFormatter,
    Redactor,
    about,
    init_sentry,
    secrets_of,
    user_ref,
)
from bot.settings import Settings
from bot.web import create_web_app, serving
from services.adapters.db import Database
from tests.test_bot_process import free_port

TOKEN = SecretStr("740000003:health-test-token")


async def test_readyz_says_what_is_not_ready_and_healthz_still_answers():
    unreachable = Database(
        f"host=127.0.0.1 port={free_port()} dbname=none connect_timeout=1", min_size=0
    )
    readiness = Readiness(unreachable, {"update_intake": lambda: "not polling"})
    app = create_web_app(unreachable, health_routes(readiness))
    async with serving(app, 0, "127.0.0.1") as port, aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert (response.status, await response.json()) == (200, {"status": "alive"})
        async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
            status, body = response.status, await response.json()
    assert status == 503
    assert body["status"] == "not ready"
    assert body["checks"]["database"].startswith("unreachable")
    assert body["checks"]["update_intake"] == "not polling"


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", **values)  # type: ignore[call-arg]


def warnings_for(caplog: pytest.LogCaptureFixture, config: Settings) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.health"):
        warn_if_data_is_fragile(config)
    return [record.getMessage() for record in caplog.records]


def test_a_real_bot_is_warned_about_data_it_would_lose(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    assert temporary_place(tmp_path) is not None  # pytest's tmp_path is under /tmp
    embedded = warnings_for(caplog, settings(tmp_path, telegram_bot_token=TOKEN))
    assert len(embedded) == 2
    assert "embedded PostgreSQL" in embedded[0]
    assert "temporary" not in embedded[0]
    assert "will be lost at the next reboot" in embedded[1]

    files_only = settings(tmp_path, telegram_bot_token=TOKEN, database_url="dbname=x")
    assert ["users' files" in line for line in warnings_for(caplog, files_only)] == [True]

    hosted = settings(
        tmp_path,
        telegram_bot_token=TOKEN,
        database_url="dbname=x",
        supabase_url="https://x.supabase.co",
        supabase_service_role_key="key",
    )
    assert warnings_for(caplog, hosted) == []
    assert warnings_for(caplog, settings(tmp_path)) == [], "sandbox mode loses nothing real"


def test_a_tmpfs_counts_as_temporary():
    shm = Path("/dev/shm")
    if not shm.is_dir():
        pytest.skip("no /dev/shm here")
    assert temporary_place(shm / "bot-data") is not None


def record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    return logging.LogRecord(
        "services.jobs",
        logging.ERROR,
        __file__,
        1,
        message,
        args,
        (type(exc), exc, exc.__traceback__) if exc is not None else None,
    )


def test_json_lines_carry_what_they_are_about_and_no_secret(tmp_path: Path):
    config = settings(
        tmp_path,
        telegram_bot_token=TOKEN,
        database_url="host=db user=bot password=hunter2-database-pw dbname=bot",
        stripe_secret_key="sk_live_0123456789",
    )
    redact = Redactor(secrets_of(config, ["derived-webhook-secret"]))
    assert "hunter2-database-pw" in redact.secrets
    try:
        raise RuntimeError("calling https://api/bot740000003:health-test-token/getMe failed")
    except RuntimeError as error:
        failure = error
    with about(update_id=42, telegram_id=1234567, payment_id="stx-1"):
        line = JsonFormatter(redact).format(
            record("charge %s with %s", "sk_live_0123456789", "hunter2-database-pw", exc=failure)
        )
    data = json.loads(line)
    assert data["level"] == "ERROR"
    assert data["logger"] == "services.jobs"
    assert data["message"] == f"charge {REDACTED} with {REDACTED}"
    assert (data["update_id"], data["user"], data["payment_id"]) == (42, user_ref(1234567), "stx-1")
    assert "1234567" not in line
    assert "health-test-token" not in line
    assert "RuntimeError" in data["exception"]

    human = HumanFormatter(redact).format(record("plain %s", "derived-webhook-secret"))
    assert human.endswith(f"ERROR services.jobs: plain {REDACTED}")


def test_sentry_is_set_up_only_with_a_dsn(tmp_path: Path):
    redact = Redactor(["a-secret-value"])
    assert not init_sentry(settings(tmp_path), redact)
    dsn = f"http://publickey@127.0.0.1:{free_port()}/1"
    try:
        assert init_sentry(settings(tmp_path, sentry_dsn=dsn), redact)
        client = sentry_sdk.get_client()
        assert client.is_active()
        collected = client.options["data_collection"]
        assert collected["user_info"] is False
        assert collected["stack_frame_variables"] is False
        scrub = client.options["before_send"]
        event = scrub({"message": "token a-secret-value leaked"}, {})
        assert event == {"message": f"token {REDACTED} leaked"}
    finally:
        sentry_sdk.init(dsn=None)

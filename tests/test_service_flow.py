"""`python -m bot` as a service runs it: webhook mode, every secret set to a recognisable
value, JSON logs, Sentry pointed at a loopback stand-in that records what it is sent. A
user goes through the whole flow (start, a face, a thumbnail made by Replicate, a credit
pack) and one request fails on purpose. Then:

- no secret appears in the log, in any message the bot sent, in any file under DATA_DIR,
  or in what reached Sentry (which did get the failure);
- every log line is one JSON object, and the lines about an update carry its id and a
  hashed user id (never the raw one), a job's lines its generation id, a payment's its id;
- /readyz is ready, and /metrics shows the updates, handlers, the provider, the jobs,
  the ledger and the payment.
"""

from __future__ import annotations

import json
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families
from psycopg.conninfo import make_conninfo

from bot.telegram_webhook import webhook_secret
from sandbox.samples import sample_face
from sandbox.server import SandboxServer
from services.adapters.migrations import apply_migrations
from tests.e2e.conftest import containing, with_button, with_photo
from tests.e2e.flows import press_starting_with
from tests.e2e.webhook_cluster import until_ready
from tests.standins.loopback import LoopbackServer
from tests.standins.replicate import ReplicateStandIn
from tests.standins.stripe import StripeStandIn
from tests.standins.supabase_auth import SupabaseAuthStandIn
from tests.standins.supabase_storage import SupabaseStorageStandIn
from tests.test_bot_process import free_port, start_bot

TOKEN = "740000001:SECRET-TELEGRAM-TOKEN-h7x"
SECRETS = {
    "TELEGRAM_BOT_TOKEN": TOKEN,
    "SUPABASE_SERVICE_ROLE_KEY": "SECRET-SUPABASE-KEY-h7x",
    "REPLICATE_API_TOKEN": "r8_SECRET-REPLICATE-TOKEN-h7x",
    "STRIPE_SECRET_KEY": "sk_test_SECRET-STRIPE-KEY-h7x",
    "STRIPE_WEBHOOK_SECRET": "whsec_SECRET-STRIPE-WEBHOOK-h7x",
}
DB_PASSWORD = "SECRET-DB-PASSWORD-h7x"
SENTRY_KEY = "5ecre7sentrykeyh7x"
USER_ID = 7_400_123


class SupabaseStandIn(LoopbackServer):
    """Supabase Auth and Storage behind one URL, as a Supabase project serves them."""

    def __init__(self, conninfo: str, service_key: str) -> None:
        super().__init__()
        self.auth = SupabaseAuthStandIn(conninfo, service_key)
        self.storage = SupabaseStorageStandIn(service_key)

    def add_routes(self, app: web.Application) -> None:
        self.auth.add_routes(app)
        self.storage.add_routes(app)


class SentryStandIn(LoopbackServer):
    """Records the envelopes the Sentry SDK posts (aiohttp undoes their gzip)."""

    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[str] = []

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/api/{project}/envelope/", self._envelope)

    async def _envelope(self, request: web.Request) -> web.Response:
        self.envelopes.append((await request.read()).decode("utf-8", "replace"))
        return web.json_response({})


def every_secret() -> list[str]:
    return [*SECRETS.values(), DB_PASSWORD, SENTRY_KEY, webhook_secret(TOKEN)]


def files_under(directory: Path) -> Iterator[Path]:
    yield from (path for path in directory.rglob("*") if path.is_file())


@pytest.fixture
async def conninfo(create_database: Callable[[], str]) -> str:
    """A database of the test's own: its counts are the test's."""
    created = create_database()
    await apply_migrations(created)
    return created


@pytest.fixture
async def standins(conninfo: str) -> AsyncIterator[dict[str, Any]]:
    servers: dict[str, Any] = {
        "sandbox": SandboxServer(),
        "replicate": ReplicateStandIn(token=SECRETS["REPLICATE_API_TOKEN"]),
        "stripe": StripeStandIn(api_key=SECRETS["STRIPE_SECRET_KEY"]),
        "supabase": SupabaseStandIn(conninfo, SECRETS["SUPABASE_SERVICE_ROLE_KEY"]),
        "sentry": SentryStandIn(),
    }
    for server in servers.values():
        await server.start()
    yield servers
    for server in servers.values():
        await server.stop()


async def test_the_whole_flow_leaks_no_secret_and_is_logged_measured_and_reported(
    conninfo: str, standins: dict[str, Any], tmp_path: Path
):
    sandbox: SandboxServer = standins["sandbox"]
    sandbox.register_bot("thumbs_service_bot", token=TOKEN)
    port = free_port()
    sentry_port = standins["sentry"].url.rsplit(":", 1)[1]
    env = {
        **SECRETS,
        "TELEGRAM_API_URL": sandbox.url,
        "DATABASE_URL": make_conninfo(conninfo, password=DB_PASSWORD),
        "SUPABASE_URL": standins["supabase"].url,
        "REPLICATE_BASE_URL": standins["replicate"].url,
        "STRIPE_API_BASE": standins["stripe"].url,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SENTRY_DSN": f"http://{SENTRY_KEY}@127.0.0.1:{sentry_port}/1",
        "LOG_FORMAT": "json",
    }
    log = tmp_path / "bot.log"
    process = await start_bot(tmp_path, port, env=env, log=log)
    user = sandbox.user(USER_ID, first_name="Sam", bot=TOKEN)
    try:
        await until_ready(f"http://127.0.0.1:{port}")
        await user.send_command("/start")
        await user.wait_for_message(containing("Welcome"), timeout=30)
        await user.send_photo(sample_face())
        offer = await user.wait_for_message(with_button("Save"))
        await press_starting_with(user, offer, "Save")
        await user.wait_for_message(containing("Saved"))
        await user.send_command("/generate")
        chooser = await user.wait_for_message(containing("What kind of thumbnail"))
        await press_starting_with(user, chooser, "From a description")
        await user.wait_for_message(containing("Describe your video"))
        await user.send_text("A week alone on a frozen lake")
        order = await user.wait_for_message(with_button("Generate"))
        await press_starting_with(user, order, "Generate")
        await user.wait_for_message(with_photo, timeout=30)
        await user.send_command("/buy")
        menu = await user.wait_for_message(containing("Credit packs"))
        await user.press(menu, "buy:pack:pack_100")
        invoice = await user.wait_for_message(lambda m: m.invoice is not None)
        assert (await user.pay(invoice)).ok
        await user.wait_for_message(containing("Payment received"))
        # One request fails on purpose: Telegram refuses the answer to /balance.
        sandbox.fail_next("sendMessage", 400, "Bad Request: provoked by the test")
        await user.send_command("/balance")
        await user.wait_for_message(containing("something went wrong"))

        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                ready = (response.status, await response.json())
            async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                metrics = await response.text()
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()

    text = log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    # Everything the bot asked Telegram to show or send (setWebhook carries the webhook
    # secret to Telegram, which is where it belongs).
    said = [call.params for call in sandbox.calls() if call.method.lower() != "setwebhook"]
    sent = json.dumps(said, default=str)
    files = list(files_under(tmp_path / "data"))
    envelopes = "\n".join(standins["sentry"].envelopes)
    for secret in every_secret():
        assert secret not in text, f"{secret} in the log"
        assert secret not in sent, f"{secret} in a message"
        # The DSN's key is how Sentry knows the sender: it is the one secret it gets.
        assert secret == SENTRY_KEY or secret not in envelopes, f"{secret} sent to Sentry"
        for path in files:
            assert secret.encode() not in path.read_bytes(), f"{secret} in {path}"

    assert ready[0] == 200, ready
    assert "provoked by the test" in envelopes.lower()
    assert str(USER_ID) not in envelopes, "no user ids go to Sentry"

    about_updates = [line for line in lines if "update_id" in line]
    assert about_updates
    assert all("user" in line for line in about_updates)
    assert all(str(USER_ID) not in json.dumps(line) for line in lines)
    assert any("generation_id" in line for line in lines), "a job's lines name it"
    assert any("payment_id" in line for line in lines), "a payment's lines name it"
    assert any(line["level"] == "ERROR" and "update_id" in line for line in lines)
    assert process.returncode == 0

    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
    }

    def value(name: str, **labels: str) -> float:
        return samples.get((name, tuple(sorted(labels.items()))), 0.0)

    assert value("thumbbot_updates_total", kind="message") >= 6
    assert value("thumbbot_updates_total", kind="callback_query") >= 3
    assert value("thumbbot_updates_total", kind="pre_checkout_query") == 1
    assert value("thumbbot_handler_seconds_count", handler="start.start") == 1
    assert value("thumbbot_provider_seconds_count", provider="replicate", outcome="made") == 1
    assert value("thumbbot_errors_total", where="handler", kind="BadRequest") == 1
    assert value("thumbbot_errors_total", where="log", kind="handlers") == 1
    assert value("thumbbot_http_requests_total", route="/telegram", status="200") >= 10
    assert value("thumbbot_http_requests_total", route="/replicate/webhook", status="200") == 1
    assert value("thumbbot_generations", status="succeeded") == 1
    assert value("thumbbot_generation_queue_depth") == 0
    assert value("thumbbot_credit_movements_total", reason="generation_charge") == 1
    assert value("thumbbot_credits_moved_total", reason="payment") == 100
    assert value("thumbbot_payments_total", provider="telegram_stars", kind="pack") == 1
    assert value("thumbbot_payments_amount_total", provider="telegram_stars", currency="XTR") == 100
    assert value("thumbbot_database_up") == 1

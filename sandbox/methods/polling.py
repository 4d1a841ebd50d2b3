"""Update delivery methods: getUpdates and the webhook trio."""

from __future__ import annotations

from typing import Any

from sandbox.errors import bad_request, conflict
from sandbox.methods.registry import Call, Described, method
from sandbox.validation import check_secret_token
from sandbox.webhook import WebhookConfig, WebhookDeliverer

#: Longest long-poll the sandbox will hold a request open for.
MAX_POLL_TIMEOUT = 50


def _allowed_updates(call: Call) -> list[str] | None:
    allowed = call.params.get_json("allowed_updates", error="can't parse allowed_updates")
    if allowed is not None and not (
        isinstance(allowed, list) and all(isinstance(a, str) for a in allowed)
    ):
        raise bad_request("can't parse allowed_updates")
    return allowed


@method("getUpdates")
async def get_updates(call: Call) -> list[dict[str, Any]]:
    if call.bot.webhook is not None:
        raise conflict(
            "can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first"
        )
    queue = call.bot.updates
    queue.set_allowed(_allowed_updates(call))
    limit = min(max(call.params.get_int("limit") or 100, 1), 100)
    timeout = min(max(call.params.get_int("timeout") or 0, 0), MAX_POLL_TIMEOUT)
    return await queue.poll(call.params.get_int("offset"), limit, timeout)


async def _remove_webhook(call: Call) -> bool:
    deliverer = call.bot.webhook
    if deliverer is None:
        return False
    call.bot.webhook = None
    await deliverer.stop()
    return True


@method("setWebhook")
async def set_webhook(call: Call) -> Described:
    url = call.params.get_str("url") or ""
    if not url:
        return await _delete(call, "Webhook was deleted", "Webhook is already deleted")
    if not url.startswith(("https://", "http://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = call.params.get_str("secret_token")
    check_secret_token(secret)
    max_connections = call.params.get_int("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = _allowed_updates(call)
    await _remove_webhook(call)
    queue = call.bot.updates
    if call.params.get_bool("drop_pending_updates"):
        queue.drop_pending()
    queue.set_allowed(allowed)
    config = WebhookConfig(
        url=url,
        secret_token=secret,
        max_connections=max_connections,
        ip_address=call.params.get_str("ip_address"),
        has_custom_certificate=call.params.upload("certificate") is not None,
    )
    call.bot.webhook = WebhookDeliverer(queue, config, call.http)
    call.bot.webhook.start()
    queue.terminate_pollers()
    return Described(True, "Webhook was set")


async def _delete(call: Call, done: str, already: str) -> Described:
    removed = await _remove_webhook(call)
    if call.params.get_bool("drop_pending_updates"):
        call.bot.updates.drop_pending()
    return Described(True, done if removed else already)


@method("deleteWebhook")
async def delete_webhook(call: Call) -> Described:
    return await _delete(call, "Webhook was deleted", "Webhook is already deleted")


@method("getWebhookInfo")
async def get_webhook_info(call: Call) -> dict[str, Any]:
    if call.bot.webhook is not None:
        return call.bot.webhook.info()
    return {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": call.bot.updates.pending_count,
    }

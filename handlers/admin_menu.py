"""The admin's overview (ADMIN_IDS only): /admin, a menu of every admin command as
buttons; /stats, the operator's figures (services/admin_stats.py); /audit [n], the last
n admin actions from admin_audit. Buttons of commands that need arguments answer with
their usage line; the broadcast button starts the composer of handlers/admin_broadcast.py.
The figures are nobody else's business: in a group these point to the private chat.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from datetime import UTC, timedelta
from decimal import Decimal
from typing import Any

from telegram import Update

from handlers.admin import admin_button, admin_only
from handlers.admin_broadcast import start_composer
from handlers.i18n import Html, mode_name
from handlers.kit import ChatContext, keyboard, private_only
from services.admin_stats import AdminStats, AdminStatsService, CreditFlows, Outcomes
from services.audit import AuditEntry
from services.catalog import MAX_COST

AUDIT_DEFAULT = 20
AUDIT_MAX = 100
_COUNT = re.compile(r"[0-9]{1,6}")
#: Telegram's limit for one message; a long audit list is sent in several.
MESSAGE_LIMIT = 4096
#: An argument or value longer than this is cut in the audit list (a model template).
VALUE_LIMIT = 160

#: The menu's buttons that answer with their command's usage line: (command, text key,
#: its parameters). Their callback data is "adm:usage:<command>" (handlers/buttons.py).
USAGE: dict[str, tuple[str, dict[str, object]]] = {
    "user": ("admin_usage_user", {}),
    "grant": ("admin_usage_adjust", {"command": "grant"}),
    "revoke": ("admin_usage_adjust", {"command": "revoke"}),
    "refund": ("admin_usage_refund", {}),
    "setcost": ("admin_usage_setcost", {"max": MAX_COST}),
    "setmodel": ("admin_usage_setmodel", {}),
    "mode": ("admin_usage_mode", {}),
    "ban": ("admin_usage_ban", {}),
    "unban": ("admin_usage_unban", {}),
    "broadcast_stop": ("admin_usage_broadcast_stop", {}),
}
_MENU_ROWS: tuple[tuple[str, ...], ...] = (
    ("stats", "audit"),
    ("user", "grant", "revoke"),
    ("refund", "ban", "unban"),
    ("setcost", "setmodel", "mode"),
    ("broadcast", "broadcast_stop"),
)


def _data(command: str) -> str:
    return f"adm:usage:{command}" if command in USAGE else f"adm:{command}"


@admin_only
@private_only
async def admin_menu(update: Update, context: ChatContext) -> None:
    rows = [[(context.t(f"btn_adm_{name}"), _data(name)) for name in row] for row in _MENU_ROWS]
    await context.say("admin_menu", keyboard(*rows))


@admin_button
async def on_button(update: Update, context: ChatContext) -> None:
    """adm:stats | adm:audit | adm:broadcast | adm:usage:<command>."""
    action = context.data.removeprefix("adm:")
    if action == "stats":
        await _send_stats(context)
    elif action == "audit":
        await _send_audit(context, AUDIT_DEFAULT)
    elif action == "broadcast":
        await start_composer(context)
    else:
        key, params = USAGE[action.removeprefix("usage:")]
        await context.say(key, **params)


@admin_only
@private_only
async def stats(update: Update, context: ChatContext) -> None:
    await _send_stats(context)


@admin_only
@private_only
async def audit(update: Update, context: ChatContext) -> None:
    """/audit [n]: n from 1 to AUDIT_MAX; anything else gets the usage line."""
    args = context.args or [str(AUDIT_DEFAULT)]
    count = int(args[0]) if len(args) == 1 and _COUNT.fullmatch(args[0]) else 0
    if not 1 <= count <= AUDIT_MAX:
        await context.say("admin_usage_audit", max=AUDIT_MAX, default=AUDIT_DEFAULT)
        return
    await _send_audit(context, count)


# --- /stats -------------------------------------------------------------------------------


async def _send_stats(context: ChatContext) -> None:
    figures = await AdminStatsService(context.services.db).read()
    await context.reply(stats_text(context, figures))


def _rate(outcomes: Outcomes) -> str:
    rate = outcomes.failure_rate
    return "—" if rate is None else f"{rate:.1%} ({outcomes.failed}/{outcomes.finished})"


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "—"
    seconds = value.total_seconds()
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    return f"{whole // 60}m {whole % 60:02d}s"


def _money(amount: Decimal) -> str:
    return f"{amount.normalize():f}"


def _flows(flows: Iterable[CreditFlows], field: str) -> str:
    return " / ".join(str(getattr(window, field)) for window in flows)


def stats_text(context: ChatContext, figures: AdminStats) -> Html:
    """The /stats message: one section a line or block, in the admin's language."""
    users, generations, credits = figures.users, figures.generations, figures.credits
    lines = [
        context.t("stats_title", at=figures.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")),
        context.t(
            "stats_users",
            total=users.total,
            today=users.new.today,
            week=users.new.week,
            month=users.new.month,
            active=users.active_week,
        ),
        "",
        context.t("stats_generations"),
    ]
    lines += [
        f"{mode_name(context.language, count.mode)} · {count.status}: "
        f"{count.last_day} / {count.last_week}"
        for count in generations.counts
    ] or [context.t("stats_generations_none")]
    lines.append(
        context.t(
            "stats_outcomes",
            rate_day=_rate(generations.last_day),
            rate_week=_rate(generations.last_week),
            median_day=_duration(generations.last_day.median_delivery),
            median_week=_duration(generations.last_week.median_delivery),
        )
    )
    windows = (credits.today, credits.week, credits.month)
    lines += [
        "",
        context.t(
            "stats_credits",
            outstanding=credits.outstanding,
            **{field: _flows(windows, field) for field in CreditFlows.__dataclass_fields__},
        ),
        "",
        context.t("stats_revenue"),
    ]
    lines += [
        f"{context.t(f'stats_provider_{item.provider}')}: {_money(item.today)} / "
        f"{_money(item.week)} / {_money(item.month)} {html.escape(item.currency)}"
        for item in figures.revenue
    ] or [context.t("stats_revenue_none")]
    lines += [
        "",
        context.t(
            "stats_growth",
            total=figures.referrals_total,
            today=figures.referrals.today,
            week=figures.referrals.week,
            month=figures.referrals.month,
            subscriptions=figures.active_subscriptions,
        ),
    ]
    return Html("\n".join(lines))


# --- /audit -------------------------------------------------------------------------------


async def _send_audit(context: ChatContext, count: int) -> None:
    entries = await context.services.audit.latest(count)
    if not entries:
        await context.say("audit_empty")
        return
    blocks = [context.t("audit_title", count=len(entries))]
    blocks += [audit_entry_text(context, entry) for entry in entries]
    for message in _messages(blocks):
        await context.reply(message)


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def _pairs(value: Any) -> str:
    """{"credits": 50} as "credits=50"; None as "—"."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{key}={_value(item)}" for key, item in value.items()) or "—"
    return _value(value)


def audit_entry_text(context: ChatContext, entry: AuditEntry) -> Html:
    return context.t(
        "audit_entry",
        when=entry.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        admin=str(entry.admin_telegram_id),
        action=entry.action,
        arguments=_pairs(entry.arguments),
        before=_pairs(entry.before),
        after=_pairs(entry.after),
    )


def _messages(blocks: list[Html]) -> list[Html]:
    """Blocks joined by blank lines into as few messages as fit Telegram's limit."""
    messages: list[str] = []
    for block in blocks:
        if messages and len(messages[-1]) + 2 + len(block) <= MESSAGE_LIMIT:
            messages[-1] += "\n\n" + block
        else:
            messages.append(block)
    return [Html(message) for message in messages]

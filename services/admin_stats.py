"""The operator's figures for /stats, read in one statement.

One statement, so every figure comes from the same snapshot (the counts agree with each
other) and /stats costs one round trip. Besides the profiles (one row a user), it reads
only recent rows (today, 24 hours, 7 and 30 days), through index-only range scans of the
time indexes of sql/016_stats.sql, so its cost follows the month's activity rather than
the size of the ledger; bench/admin_stats.py measures it on a million ledger rows.

"Today" is the UTC day. Revenue is money kept: refunded payments are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from services.adapters.db import Database

STATS_QUERY = """
WITH bounds AS (
  SELECT now() AS at,
         date_trunc('day', now(), 'UTC') AS today,
         now() - interval '24 hours' AS day_ago,
         now() - interval '7 days' AS week_ago,
         now() - interval '30 days' AS month_ago
),
users AS (
  SELECT count(*) AS total,
         count(*) FILTER (WHERE p.created_at >= b.today) AS today,
         count(*) FILTER (WHERE p.created_at >= b.week_ago) AS week,
         count(*) FILTER (WHERE p.created_at >= b.month_ago) AS month,
         -- last_seen_at: the user wrote to the bot (sql/015), as broadcasts count it.
         count(*) FILTER (WHERE p.last_seen_at >= b.week_ago) AS active_week,
         COALESCE(sum(p.credits), 0) AS outstanding
    FROM profiles p, bounds b
),
generation_groups AS (
  SELECT g.generation_type AS mode, g.status, GROUPING(g.generation_type) = 1 AS overall,
         count(*) FILTER (WHERE g.created_at >= b.day_ago) AS last_day,
         count(*) AS last_week,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY g.delivered_at - g.created_at)
           FILTER (WHERE g.status = 'succeeded' AND g.created_at >= b.day_ago) AS median_day,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY g.delivered_at - g.created_at)
           FILTER (WHERE g.status = 'succeeded') AS median_week
    FROM generations g, bounds b
   WHERE g.created_at >= b.week_ago
   GROUP BY GROUPING SETS ((g.generation_type, g.status), ())
),
generations AS (
  SELECT COALESCE(jsonb_agg(jsonb_build_object(
           'mode', gg.mode, 'status', gg.status,
           'last_day', gg.last_day, 'last_week', gg.last_week)
           ORDER BY gg.mode, gg.status) FILTER (WHERE NOT gg.overall), '[]'::jsonb) AS counts,
         extract(epoch FROM max(gg.median_day) FILTER (WHERE gg.overall)) AS median_day,
         extract(epoch FROM max(gg.median_week) FILTER (WHERE gg.overall)) AS median_week
    FROM generation_groups gg
),
credits AS (
  SELECT COALESCE(jsonb_object_agg(t.reason, jsonb_build_array(t.today, t.week, t.month)),
                  '{}'::jsonb) AS by_reason
    FROM (
      SELECT l.reason,
             COALESCE(sum(l.delta) FILTER (WHERE l.created_at >= b.today), 0) AS today,
             COALESCE(sum(l.delta) FILTER (WHERE l.created_at >= b.week_ago), 0) AS week,
             sum(l.delta) AS month
        FROM credit_ledger l, bounds b
       WHERE l.created_at >= b.month_ago
       GROUP BY l.reason
    ) t
),
revenue AS (
  SELECT COALESCE(jsonb_agg(jsonb_build_object(
           'provider', v.provider, 'currency', v.currency, 'today', v.today::text,
           'week', v.week::text, 'month', v.month::text)
           ORDER BY v.provider, v.currency), '[]'::jsonb) AS rows
    FROM (
      SELECT pm.provider, upper(COALESCE(pm.currency, '?')) AS currency,
             COALESCE(sum(pm.amount) FILTER (WHERE pm.created_at >= b.today), 0) AS today,
             COALESCE(sum(pm.amount) FILTER (WHERE pm.created_at >= b.week_ago), 0) AS week,
             sum(pm.amount) AS month
        FROM payments pm, bounds b
       WHERE pm.created_at >= b.month_ago AND pm.refunded_at IS NULL
       GROUP BY pm.provider, upper(COALESCE(pm.currency, '?'))
    ) v
),
referral_counts AS (
  SELECT count(*) AS total,
         count(*) FILTER (WHERE r.created_at >= b.today) AS today,
         count(*) FILTER (WHERE r.created_at >= b.week_ago) AS week,
         count(*) FILTER (WHERE r.created_at >= b.month_ago) AS month
    FROM referrals r, bounds b
),
subscription_counts AS (
  SELECT count(*) AS active
    FROM subscriptions s, bounds b
   WHERE s.is_active AND (s.end_date IS NULL OR s.end_date > b.at)
)
SELECT b.at,
       u.total AS users_total, u.today AS users_today, u.week AS users_week,
       u.month AS users_month, u.active_week AS users_active_week, u.outstanding,
       g.counts AS generation_counts, g.median_day, g.median_week,
       c.by_reason AS credits_by_reason, v.rows AS revenue,
       rc.total AS referrals_total, rc.today AS referrals_today, rc.week AS referrals_week,
       rc.month AS referrals_month, s.active AS subscriptions_active
  FROM bounds b, users u, generations g, credits c, revenue v, referral_counts rc,
       subscription_counts s
"""


@dataclass(frozen=True)
class Window:
    """A count today, in the last 7 days and in the last 30 days."""

    today: int
    week: int
    month: int


@dataclass(frozen=True)
class UserStats:
    total: int
    new: Window
    active_week: int  # wrote to the bot in the last 7 days (profiles.last_seen_at)


@dataclass(frozen=True)
class GenerationCount:
    """Generations of one mode in one status, ordered in the last 24 hours and 7 days."""

    mode: str
    status: str
    last_day: int
    last_week: int


@dataclass(frozen=True)
class Outcomes:
    """Generations ordered in a window: how many finished, how many of those failed, and
    how long a success took from the order to the user's chat (the median)."""

    failed: int
    finished: int
    median_delivery: timedelta | None

    @property
    def failure_rate(self) -> float | None:
        return self.failed / self.finished if self.finished else None


@dataclass(frozen=True)
class GenerationStats:
    counts: list[GenerationCount]
    last_day: Outcomes
    last_week: Outcomes


@dataclass(frozen=True)
class CreditFlows:
    """Credits that moved in one window, by kind (all counted as positive numbers)."""

    granted: int  # free: start bonus, referral bonuses, admin grants
    bought: int  # packs and plan periods
    spent: int  # on generations, net of the refunds below
    refunded: int  # given back for failed generations
    taken_back: int  # by payment refunds and admin revokes


@dataclass(frozen=True)
class CreditStats:
    today: CreditFlows
    week: CreditFlows
    month: CreditFlows
    outstanding: int  # on all balances now


@dataclass(frozen=True)
class Revenue:
    """Money kept (refunded payments left out) from one provider in one currency."""

    provider: str  # 'telegram_stars' | 'stripe'
    currency: str  # XTR for Stars
    today: Decimal
    week: Decimal
    month: Decimal


@dataclass(frozen=True)
class AdminStats:
    at: datetime
    users: UserStats
    generations: GenerationStats
    credits: CreditStats
    revenue: list[Revenue]
    referrals_total: int
    referrals: Window
    active_subscriptions: int


def _outcomes(counts: list[GenerationCount], window: str, median: float | None) -> Outcomes:
    def total(*statuses: str) -> int:
        return sum(getattr(c, window) for c in counts if c.status in statuses)

    return Outcomes(
        failed=total("failed"),
        finished=total("succeeded", "failed"),
        median_delivery=None if median is None else timedelta(seconds=float(median)),
    )


def _flows(by_reason: dict[str, list[int]], index: int) -> CreditFlows:
    def total(*reasons: str) -> int:
        return sum(int(by_reason.get(reason, [0, 0, 0])[index]) for reason in reasons)

    return CreditFlows(
        granted=total("signup_bonus", "referral_bonus", "admin_grant"),
        bought=total("payment"),
        spent=-total("generation_charge", "generation_refund"),
        refunded=total("generation_refund"),
        taken_back=-total("payment_refund", "admin_revoke"),
    )


def _stats(row: dict[str, Any]) -> AdminStats:
    counts = [GenerationCount(**count) for count in row["generation_counts"]]
    by_reason = row["credits_by_reason"]
    return AdminStats(
        at=row["at"],
        users=UserStats(
            total=row["users_total"],
            new=Window(row["users_today"], row["users_week"], row["users_month"]),
            active_week=row["users_active_week"],
        ),
        generations=GenerationStats(
            counts=counts,
            last_day=_outcomes(counts, "last_day", row["median_day"]),
            last_week=_outcomes(counts, "last_week", row["median_week"]),
        ),
        credits=CreditStats(
            today=_flows(by_reason, 0),
            week=_flows(by_reason, 1),
            month=_flows(by_reason, 2),
            outstanding=int(row["outstanding"]),
        ),
        revenue=[
            Revenue(
                item["provider"],
                item["currency"],
                Decimal(item["today"]),
                Decimal(item["week"]),
                Decimal(item["month"]),
            )
            for item in row["revenue"]
        ],
        referrals_total=row["referrals_total"],
        referrals=Window(row["referrals_today"], row["referrals_week"], row["referrals_month"]),
        active_subscriptions=row["subscriptions_active"],
    )


class AdminStatsService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def read(self) -> AdminStats:
        row = await self._db.fetch_one(STATS_QUERY)
        assert row is not None  # the statement always yields its one row
        return _stats(row)

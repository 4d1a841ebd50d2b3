"""/stats on a million ledger rows: how long its one statement takes, with and without
the indexes of sql/016_stats.sql.

Run from the project root:

    python -m bench.admin_stats

It prints figures and asserts nothing about speed. It uses DATABASE_URL if set (the role
needs CREATEDB), otherwise an embedded PostgreSQL in a temporary directory; either way it
works in a fresh database of its own, created, migrated and dropped at the end.

The data is made by generate_series in a few statements: 100,000 users who joined over
half a year, 800,000 generations (5% failed and refunded), 50,000 payments in Stars and
by card, 20,000 referrals, and their ledger rows (start bonus, charges, refunds,
payments, referral bonuses: about a million). The ledger's chain trigger checks each row
against the previous one; it is switched off while the rows, already chained by a window
sum, go in, and on again before anything is measured.
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from bench.database import run_on_a_database
from services.adapters.db import Database
from services.adapters.migrations import apply_migrations
from services.admin_stats import STATS_QUERY, AdminStatsService

USERS = 100_000
GENERATIONS = 800_000
PAYMENTS = 50_000
REFERRALS = 20_000
RUNS = 7
#: The indexes sql/016_stats.sql adds for /stats, dropped for the "without" figure.
STATS_INDEXES = (
    "profiles_created_at_idx",
    "credit_ledger_created_at_idx",
    "generations_created_at_idx",
    "payments_created_at_idx",
    "referrals_created_at_idx",
)

FILL_SQL = f"""
ALTER TABLE credit_ledger DISABLE TRIGGER credit_ledger_chain_guard;

CREATE TEMP TABLE bench_users AS
  SELECT gen_random_uuid() AS id, n,
         now() - random() * interval '180 days' AS joined
    FROM generate_series(1, {USERS}) n;
INSERT INTO auth.users (id, created_at) SELECT id, joined FROM bench_users;
INSERT INTO profiles (id, credits, referral_code, telegram_id, language_code, created_at)
  SELECT id, 0, 'B' || n, 10000000 + n, (ARRAY['en', 'ru', 'es'])[1 + n % 3], joined
    FROM bench_users;

INSERT INTO generations (
    profile_id, generation_type, credit_cost, status, created_at, completed_at,
    delivered_at, refunded_at)
  SELECT u.id, t.type_key, t.cost_credits,
         CASE WHEN g.failed THEN 'failed' ELSE 'succeeded' END,
         g.at, g.at + interval '20 seconds',
         g.at + (10 + random() * 50) * interval '1 second',
         CASE WHEN g.failed THEN g.at + interval '20 seconds' END
    FROM (
      SELECT 1 + (random() * ({USERS} - 1))::int AS n, random() < 0.05 AS failed,
             (random() * 5)::int AS mode, random() AS frac
        FROM generate_series(1, {GENERATIONS})
    ) r
    JOIN bench_users u ON u.n = r.n
    CROSS JOIN LATERAL (
      SELECT GREATEST(u.joined, now() - r.frac * interval '180 days') AS at, r.failed) g
    JOIN (SELECT type_key, cost_credits, row_number() OVER (ORDER BY type_key) - 1 AS mode
            FROM generation_types) t ON t.mode = r.mode;

INSERT INTO payments (
    profile_id, amount, credits_added, provider, provider_payment_id, currency, kind,
    created_at, refunded_at)
  SELECT u.id, CASE WHEN s.i % 4 = 0 THEN 4.99 ELSE 275 END, 330,
         CASE WHEN s.i % 4 = 0 THEN 'stripe' ELSE 'telegram_stars' END, 'bench-' || s.i,
         CASE WHEN s.i % 4 = 0 THEN 'usd' ELSE 'XTR' END, 'pack',
         GREATEST(u.joined, now() - random() * interval '180 days'),
         CASE WHEN s.i % 50 = 0 THEN now() END
    FROM generate_series(1, {PAYMENTS}) s (i)
    JOIN bench_users u ON u.n = 1 + (s.i * 7919) % {USERS};

INSERT INTO referrals (referred_id, referrer_id, credits_awarded, created_at)
  SELECT referred.id, referrer.id, 30, referred.joined
    FROM generate_series(1, {REFERRALS}) s (i)
    JOIN bench_users referred ON referred.n = s.i
    JOIN bench_users referrer ON referrer.n = {USERS} - s.i;

INSERT INTO subscriptions (profile_id, plan_name, is_active, end_date)
  SELECT id, 'monthly_25images', n % 3 = 0, now() + interval '10 days'
    FROM bench_users WHERE n % 40 = 0;

-- Every movement, then chained by a running sum in time order (the start bonus comes
-- first and is big enough that no balance goes below zero).
CREATE TEMP TABLE bench_moves AS
  SELECT id AS profile_id, 5000 AS delta, 'signup_bonus' AS reason, id::text AS reference,
         joined - interval '1 second' AS at
    FROM bench_users
  UNION ALL
  SELECT profile_id, -credit_cost, 'generation_charge', id::text, created_at FROM generations
  UNION ALL
  SELECT profile_id, credit_cost, 'generation_refund', id::text, refunded_at
    FROM generations WHERE status = 'failed'
  UNION ALL
  SELECT profile_id, credits_added, 'payment', id::text, created_at FROM payments
  UNION ALL
  SELECT profile_id, -credits_added, 'payment_refund', id::text, refunded_at
    FROM payments WHERE refunded_at IS NOT NULL
  UNION ALL
  SELECT referrer_id, credits_awarded, 'referral_bonus', referred_id::text, created_at
    FROM referrals;
INSERT INTO credit_ledger (profile_id, delta, balance_after, reason, reference, created_at)
  SELECT profile_id, delta,
         sum(delta) OVER (PARTITION BY profile_id ORDER BY at, reason, reference
                          ROWS UNBOUNDED PRECEDING),
         reason, reference, at
    FROM bench_moves ORDER BY at, reason, reference;
UPDATE profiles p SET credits = s.balance, updated_at = s.moved, last_seen_at = s.moved
  FROM (SELECT profile_id, sum(delta) AS balance, max(at) AS moved
          FROM bench_moves GROUP BY profile_id) s
 WHERE s.profile_id = p.id;

ALTER TABLE credit_ledger ENABLE TRIGGER credit_ledger_chain_guard;
"""


async def admin_execute(conninfo: str, statement: sql.Composed) -> None:
    """CREATE/DROP DATABASE cannot run in a transaction: an autocommit connection."""
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        await conn.execute(statement)


async def timed_runs(db: Database) -> list[float]:
    """Milliseconds of each /stats read, after one untimed read that warms the cache."""
    stats = AdminStatsService(db)
    await stats.read()
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await stats.read()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def report(label: str, timings: list[float]) -> None:
    print(
        f"{label}: median {statistics.median(timings):.1f} ms"
        f" (min {min(timings):.1f}, max {max(timings):.1f}, {len(timings)} runs)"
    )


async def without_indexes(db: Database) -> list[float]:
    """The same reads with the /stats indexes dropped, then the indexes rebuilt as
    the migration made them."""
    definitions = await db.fetch_all(
        "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
        [list(STATS_INDEXES)],
    )
    assert len(definitions) == len(STATS_INDEXES), "an index of sql/016_stats.sql is missing"
    for row in definitions:
        await db.execute(f"DROP INDEX {row['indexname']}")
    await db.execute("ANALYZE")
    timings = await timed_runs(db)
    for row in definitions:
        await db.execute(row["indexdef"])
    await db.execute("VACUUM ANALYZE")
    return timings


async def run(db: Database) -> None:
    started = time.perf_counter()
    async with db.transaction() as conn:
        await conn.execute(FILL_SQL)
    await db.execute("VACUUM ANALYZE")
    counts = await db.fetch_one(
        "SELECT (SELECT count(*) FROM credit_ledger) AS ledger,"
        " (SELECT count(*) FROM profiles) AS users,"
        " (SELECT count(*) FROM generations) AS generations,"
        " (SELECT count(*) FROM payments) AS payments"
    )
    assert counts is not None
    print(
        f"filled in {time.perf_counter() - started:.1f}s: {counts['ledger']:,} ledger rows,"
        f" {counts['users']:,} users, {counts['generations']:,} generations,"
        f" {counts['payments']:,} payments"
    )
    stats = await AdminStatsService(db).read()
    outstanding: int = await db.fetch_value("SELECT sum(credits) FROM profiles")
    assert stats.credits.outstanding == outstanding, "the outstanding credits are wrong"
    print(
        f"sample: {stats.users.total:,} users, {stats.users.active_week:,} active in 7 days,"
        f" {sum(c.last_week for c in stats.generations.counts):,} generations in 7 days,"
        f" median delivery {stats.generations.last_week.median_delivery},"
        f" {stats.credits.month.spent:,} credits spent in 30 days"
    )
    report("/stats with the 016 indexes", await timed_runs(db))
    report("/stats without them        ", await without_indexes(db))
    report("/stats with them again     ", await timed_runs(db))
    plan = await db.fetch_all("EXPLAIN " + STATS_QUERY)
    lines = (str(next(iter(row.values()))) for row in plan)
    scans = sorted(
        {line.split("->")[-1].split("  (")[0].strip() for line in lines if "Scan" in line}
    )
    print("plan's scans:", "; ".join(scans))


async def benchmark(conninfo: str) -> None:
    dbname = f"bench_stats_{uuid.uuid4().hex[:12]}"
    bench_conninfo = make_conninfo(conninfo, dbname=dbname)
    await admin_execute(conninfo, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    print(f"database: {dbname} (fresh, dropped at the end)")
    try:
        await apply_migrations(bench_conninfo)
        db = Database(bench_conninfo, min_size=1, max_size=2)
        await db.open()
        try:
            await run(db)
        finally:
            await db.close()
    finally:
        await admin_execute(
            conninfo,
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)),
        )


def main() -> int:
    return run_on_a_database(benchmark)


if __name__ == "__main__":
    sys.exit(main())

"""Charge throughput and correctness: our one-call SQL charge against the seed's sketch.

Run from the project root:

    python -m bench.charge_throughput                    # the table's row
    python -m bench.charge_throughput --without-guards   # what the guarantees cost

It prints figures and asserts nothing about speed. It uses DATABASE_URL if set, otherwise
an embedded PostgreSQL in a temporary directory; either way it works in a fresh database
of its own (created, migrated, dropped at the end), so it never touches real data.

Two approaches, same pool, same database, same run:

* ours: `SELECT * FROM charge_generation(...)`, one SQL call and one transaction; the row
  lock on the profile serializes charges of one profile, and a ledger row is written.
* seed: the product owner's Node.js sketch: read the balance, read the cost, compare in
  the client, write `credits = <read value> - cost`, insert the generation; four
  separately autocommitted statements, no locking.

The seed approach cannot run against our `public.profiles`: a deferred trigger (sql/002)
refuses any change of `profiles.credits` without a matching ledger row. So the seed runs
use plain copies of the seed's tables in a schema of their own (`seed_sketch.profiles`,
`seed_sketch.generations`, the seed's columns, no triggers), created here and dropped at
the end. Both approaches read the cost from the same `public.generation_types`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from bench.database import run_on_a_database
from bench.table import Row, report
from services.accounts import AccountService, TelegramUser
from services.adapters.auth_users import LocalAuthUsers
from services.adapters.db import Database
from services.adapters.migrations import apply_migrations
from services.credits import CreditService
from services.errors import InsufficientCredits

TYPE_KEY = "text_to_thumbnail"
POOL_SIZE = 50  # the embedded server allows 100 connections; leave room for the admin one
CONCURRENCY = 50
WARMUP_CHARGES = 200
HOT_CHARGES = 2_000
SPREAD_CHARGES = 5_000
SPREAD_PROFILES = 1_000
ROUNDS = 3  # each scenario runs ours, seed, ours, seed...: both meet the machine's same moments
RACE_ATTEMPTS = 200
RACE_CREDITS = 100
RACE_ROUNDS = 5
SETUP_CONCURRENCY = 25
ADMIN_TELEGRAM_ID = 1  # recorded in the ledger notes of the setup top-ups
SEED_OUTPUT_URL = "https://example.invalid/bench-thumbnail.png"
RATIO_FLOOR = 2.0  # ours over the seed's, spread over the profiles (issue 14)

# The seed's two tables, outside `public` and without our triggers (see module docstring).
SEED_SCHEMA_SQL = """
CREATE SCHEMA seed_sketch;
CREATE TABLE seed_sketch.profiles (
  id UUID PRIMARY KEY,
  credits INT NOT NULL DEFAULT 0
);
CREATE TABLE seed_sketch.generations (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  profile_id UUID NOT NULL REFERENCES seed_sketch.profiles (id) ON DELETE CASCADE,
  generation_type TEXT NOT NULL REFERENCES public.generation_types (type_key),
  output_image_url TEXT,
  credit_cost INT NOT NULL DEFAULT 0,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now()
);
"""

# --without-guards: a what-if on the benchmark's own throwaway database, never a figure for
# the table. It drops what a charge guards and the sketch does not: the ledger's chain guard
# and the commit-time balance check (sql/002, 025), the CHECK constraints and foreign keys of
# the rows a charge writes, and the indexes no charge reads. The debit stays a conditional
# UPDATE under the row lock, so the race still grants no more than was paid for.
GUARDS_SQL = """
DROP TRIGGER profiles_balance_matches_ledger ON profiles;
DROP TRIGGER credit_ledger_chain_guard ON credit_ledger;
ALTER TABLE profiles DROP CONSTRAINT profiles_thumbnail_format_known;
ALTER TABLE generations
  DROP CONSTRAINT generations_status_known, DROP CONSTRAINT generations_variant_index_range,
  DROP CONSTRAINT generations_cost_not_negative, DROP CONSTRAINT generations_variant_in_batch,
  DROP CONSTRAINT generations_generation_type_fkey, DROP CONSTRAINT generations_profile_id_fkey,
  DROP CONSTRAINT generations_batch_id_fkey;
ALTER TABLE credit_ledger
  DROP CONSTRAINT credit_ledger_reason_known, DROP CONSTRAINT credit_ledger_delta_check,
  DROP CONSTRAINT credit_ledger_profile_id_fkey;
DROP INDEX generations_generation_type_idx, generations_open_idx, generations_undelivered_idx,
  generations_created_at_idx, generations_favourites_idx, credit_ledger_created_at_idx,
  credit_ledger_once_per_reference;
"""

Charge = Callable[[Database, UUID], Awaitable[bool]]

logger = logging.getLogger("bench.charge_throughput")


# --------------------------------------------------------------------------------------
# The two approaches. Each returns True when it granted a generation, False on refusal.
# --------------------------------------------------------------------------------------


async def charge_ours(db: Database, profile_id: UUID) -> bool:
    """One call, one transaction: the database checks and moves credits atomically."""
    try:
        await db.fetch_one(
            "SELECT * FROM charge_generation(%s, 'text_to_thumbnail', '{}'::jsonb, NULL)",
            [profile_id],
        )
    except InsufficientCredits:
        return False
    return True


async def charge_seed(db: Database, profile_id: UUID) -> bool:
    """The seed sketch: check-then-write from the client, each step its own request.

    Like the sketch's supabase-js calls, every statement is an independent, autocommitted
    request (its own pool checkout); nothing locks the balance between the read and the
    write, which is why concurrent charges can all pass the check on the same balance.
    """
    credits = await db.fetch_value(
        "SELECT credits FROM seed_sketch.profiles WHERE id = %s", [profile_id]
    )
    cost = await db.fetch_value(
        "SELECT cost_credits FROM generation_types WHERE type_key = %s", [TYPE_KEY]
    )
    if credits is None or cost is None:
        raise RuntimeError(f"seed sketch: profile {profile_id} or type {TYPE_KEY} missing")
    if credits < cost:
        return False
    await db.execute(
        "UPDATE seed_sketch.profiles SET credits = %s WHERE id = %s", [credits - cost, profile_id]
    )
    await db.execute(
        """
        INSERT INTO seed_sketch.generations
          (profile_id, generation_type, output_image_url, credit_cost)
        VALUES (%s, %s, %s, %s)
        """,
        [profile_id, TYPE_KEY, SEED_OUTPUT_URL, cost],
    )
    return True


APPROACHES: dict[str, Charge] = {"ours": charge_ours, "seed": charge_seed}


# --------------------------------------------------------------------------------------
# Measurements.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throughput:
    """One timed run: how many charges, how fast, and whether the balances add up."""

    scenario: str
    approach: str
    charges: int
    granted: int
    refused: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    lost_credits: int  # granted * cost minus the credits actually taken from balances

    @property
    def per_second(self) -> float:
        return self.charges / self.seconds if self.seconds else math.nan

    def percentile(self, pct: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else math.nan
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[pct - 1]


@dataclass(frozen=True)
class RaceRound:
    """One race: many simultaneous attempts on one profile that can pay for few."""

    approach: str
    attempts: int
    granted: int  # generation rows written for the profile
    final_balance: int
    ledger_sum: int | None  # ours only: the sum of the profile's ledger deltas


async def run_throughput(
    db: Database,
    scenario: str,
    approach: str,
    targets: Sequence[UUID],
) -> Throughput:
    """Runs one charge per target with CONCURRENCY workers and times each charge."""
    charge = APPROACHES[approach]
    latencies: list[float] = []
    outcomes = {"granted": 0, "refused": 0, "errors": 0}
    next_index = 0

    async def worker() -> None:
        nonlocal next_index
        while next_index < len(targets):
            profile_id = targets[next_index]
            next_index += 1
            started = time.perf_counter()
            try:
                granted = await charge(db, profile_id)
            except Exception:  # a benchmark reports failures instead of stopping
                logger.exception("%s charge failed", approach)
                outcomes["errors"] += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            outcomes["granted" if granted else "refused"] += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    seconds = time.perf_counter() - started
    return Throughput(
        scenario=scenario,
        approach=approach,
        charges=len(targets),
        granted=outcomes["granted"],
        refused=outcomes["refused"],
        errors=outcomes["errors"],
        seconds=seconds,
        latencies_ms=latencies,
        lost_credits=0,
    )


async def total_credits(db: Database, approach: str, profile_ids: Sequence[UUID]) -> int:
    """The summed balance of some profiles in the approach's own profiles table."""
    table = "profiles" if approach == "ours" else "seed_sketch.profiles"
    value = await db.fetch_value(
        f"SELECT COALESCE(SUM(credits), 0) FROM {table} WHERE id = ANY(%s)", [list(profile_ids)]
    )
    return int(value)


async def measured(
    db: Database, scenario: str, approach: str, targets: Sequence[UUID], cost: int
) -> Throughput:
    """A throughput run plus the credits that went missing from the balances' point of view.

    For the seed a lost update shows up as credits granted but never deducted.
    """
    profile_ids = list(dict.fromkeys(targets))
    before = await total_credits(db, approach, profile_ids)
    result = await run_throughput(db, scenario, approach, targets)
    after = await total_credits(db, approach, profile_ids)
    lost = result.granted * cost - (before - after)
    return replace(result, lost_credits=lost)


async def race_round(db: Database, approach: str, profile_id: UUID) -> RaceRound:
    """All attempts launched at once so they truly overlap on the pre-opened pool."""
    results = await asyncio.gather(
        *(APPROACHES[approach](db, profile_id) for _ in range(RACE_ATTEMPTS)),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, BaseException):
            raise result
    if approach == "ours":
        row = await db.fetch_one(
            """
            SELECT (SELECT count(*) FROM generations WHERE profile_id = %(id)s) AS granted,
                   (SELECT credits FROM profiles WHERE id = %(id)s) AS balance,
                   (SELECT COALESCE(SUM(delta), 0) FROM credit_ledger
                     WHERE profile_id = %(id)s) AS ledger_sum
            """,
            {"id": profile_id},
        )
    else:
        row = await db.fetch_one(
            """
            SELECT (SELECT count(*) FROM seed_sketch.generations
                     WHERE profile_id = %(id)s) AS granted,
                   (SELECT credits FROM seed_sketch.profiles WHERE id = %(id)s) AS balance,
                   NULL::BIGINT AS ledger_sum
            """,
            {"id": profile_id},
        )
    assert row is not None
    ledger_sum = None if row["ledger_sum"] is None else int(row["ledger_sum"])
    return RaceRound(approach, RACE_ATTEMPTS, int(row["granted"]), int(row["balance"]), ledger_sum)


# --------------------------------------------------------------------------------------
# Setup: a fresh database, profiles created the way the bot creates them.
# --------------------------------------------------------------------------------------


async def create_profiles(
    db: Database, count: int, first_telegram_id: int, credits: int
) -> list[UUID]:
    """Registers users through AccountService and tops them up to `credits` via the ledger.

    The same ids and balances are mirrored into seed_sketch.profiles, so both approaches
    start from identical balances.
    """
    accounts = AccountService(db, LocalAuthUsers(db))
    service = CreditService(db)
    limit = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def one(telegram_id: int) -> UUID:
        async with limit:
            registration = await accounts.register(TelegramUser(id=telegram_id))
            profile = registration.profile
            if profile.credits != credits:
                await service.admin_adjust(
                    profile.id, credits - profile.credits, "benchmark setup", ADMIN_TELEGRAM_ID
                )
            return profile.id

    ids = list(await asyncio.gather(*(one(first_telegram_id + n) for n in range(count))))
    await db.execute(
        "INSERT INTO seed_sketch.profiles (id, credits) SELECT unnest(%s::uuid[]), %s",
        [ids, credits],
    )
    return ids


async def admin_execute(conninfo: str, statement: sql.Composable) -> None:
    """CREATE/DROP DATABASE cannot run in a transaction: an autocommit connection."""
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        await conn.execute(statement)


async def benchmark(conninfo: str, without_guards: bool = False) -> None:
    """Creates the bench database, runs every scenario, and drops the database again."""
    dbname = f"bench_charge_{uuid.uuid4().hex[:12]}"
    bench_conninfo = make_conninfo(conninfo, dbname=dbname)
    await admin_execute(conninfo, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    print(f"database: {dbname} (fresh, dropped at the end)")
    try:
        async with AsyncExitStack() as stack:
            started = time.perf_counter()
            await apply_migrations(bench_conninfo)
            # min_size = max_size: every connection is open before the first timed charge.
            db = Database(bench_conninfo, min_size=POOL_SIZE, max_size=POOL_SIZE)
            await db.open()
            stack.push_async_callback(db.close)
            await db.execute(SEED_SCHEMA_SQL)
            stack.push_async_callback(db.execute, "DROP SCHEMA IF EXISTS seed_sketch CASCADE")
            if without_guards:
                await db.execute(GUARDS_SQL)
                print("without guards: a what-if, not the table's figure (see GUARDS_SQL)")
            await run_scenarios(db, started, report_row=not without_guards)
    finally:
        await admin_execute(
            conninfo,
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)),
        )


async def run_scenarios(db: Database, setup_started: float, report_row: bool) -> None:
    """Sets up the profiles, then warms up, runs throughput and the race, and prints."""
    cost = int(
        await db.fetch_value(
            "SELECT cost_credits FROM generation_types WHERE type_key = %s", [TYPE_KEY]
        )
    )
    per_spread_profile = math.ceil(SPREAD_CHARGES / SPREAD_PROFILES)
    warm = await create_profiles(db, 1, 9_000_000, WARMUP_CHARGES * cost)
    hot = await create_profiles(db, 1, 9_100_000, HOT_CHARGES * cost * ROUNDS)
    spread = await create_profiles(
        db, SPREAD_PROFILES, 9_200_000, per_spread_profile * cost * ROUNDS
    )
    racers = await create_profiles(db, RACE_ROUNDS, 9_300_000, RACE_CREDITS)
    await db.execute("ANALYZE")
    print(
        f"setup: {len(warm) + len(hot) + len(spread) + len(racers)} profiles via "
        f"AccountService in {time.perf_counter() - setup_started:.1f}s; "
        f"cost of {TYPE_KEY} = {cost}; pool {POOL_SIZE}, concurrency {CONCURRENCY}"
    )

    for approach in APPROACHES:  # untimed: fills caches, plans and the pool's connections
        await run_throughput(db, "warm-up", approach, warm * WARMUP_CHARGES)

    spread_targets = [spread[n % len(spread)] for n in range(SPREAD_CHARGES)]
    runs: list[Throughput] = []
    for scenario, targets in (
        (f"hot: 1 profile, {HOT_CHARGES} charges", hot * HOT_CHARGES),
        (f"spread: {SPREAD_PROFILES} profiles, {SPREAD_CHARGES} charges", spread_targets),
    ):
        for _ in range(ROUNDS):
            for approach in APPROACHES:
                result = await measured(db, scenario, approach, targets, cost)
                runs.append(result)
                print(
                    f"  {scenario:<38} {approach:<5} {result.per_second:8.0f} charges/s "
                    f"p50 {result.percentile(50):6.1f} ms  p99 {result.percentile(99):6.1f} ms"
                )

    rounds: list[RaceRound] = []
    print(f"race: {RACE_ATTEMPTS} simultaneous attempts, balance {RACE_CREDITS}, cost {cost}")
    for index, profile_id in enumerate(racers, start=1):
        for approach in APPROACHES:
            result = await race_round(db, approach, profile_id)
            rounds.append(result)
            ledger = "" if result.ledger_sum is None else f", ledger sum {result.ledger_sum}"
            print(
                f"  round {index} {approach:<5} granted {result.granted:3d}, "
                f"final balance {result.final_balance}{ledger}"
            )

    print_tables(runs, rounds, cost)
    row = spread_row(runs)
    if report_row:
        report([row])
    else:
        print(f"spread over the profiles: {row.figure}")


def spread_row(runs: Sequence[Throughput]) -> Row:
    """The table's row: ours over the seed's charges a second, spread over the profiles,
    each approach's runs taken together."""
    spread = [run for run in runs if run.scenario.startswith("spread")]
    rate = {
        approach: sum(r.charges for r in spread if r.approach == approach)
        / sum(r.seconds for r in spread if r.approach == approach)
        for approach in APPROACHES
    }
    ratio = rate["ours"] / rate["seed"]
    return Row(
        60,
        f"credit charges spread over {SPREAD_PROFILES:,} profiles, against the seed sketch on"
        " the same database",
        f"{rate['ours']:.0f} vs {rate['seed']:.0f} charges/s = {ratio:.2f}x",
        f"≥ {RATIO_FLOOR:g}x",
        ratio >= RATIO_FLOOR,
    )


def print_tables(runs: Sequence[Throughput], rounds: Sequence[RaceRound], cost: int) -> None:
    """The summary: throughput side by side, then the race outcome per approach."""
    line = "-" * 100
    print()
    print(line)
    print("THROUGHPUT (pool 50, 50 concurrent workers; latency = one whole charge, client side)")
    print(line)
    print(
        f"{'scenario':<38} {'approach':<8} {'charges/s':>10} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'granted':>8} {'refused':>8} {'errors':>7} {'lost cr':>8}"
    )
    for run in runs:
        print(
            f"{run.scenario:<38} {run.approach:<8} {run.per_second:>10.0f} "
            f"{run.percentile(50):>8.1f} {run.percentile(99):>8.1f} {run.granted:>8} "
            f"{run.refused:>8} {run.errors:>7} {run.lost_credits:>8}"
        )
    print("lost cr = credits granted (granted x cost) but never deducted from the balance")
    print()
    print(line)
    max_grants = RACE_CREDITS // cost
    print(
        f"RACE ({RACE_ATTEMPTS} attempts at once on a profile holding {RACE_CREDITS} credits, "
        f"cost {cost}: at most {max_grants} may be granted)"
    )
    print(line)
    print(f"{'approach':<8} {'granted per round':<28} {'final balances':<24} ledger sum = balance")
    for approach in APPROACHES:
        mine = [r for r in rounds if r.approach == approach]
        granted = ", ".join(str(r.granted) for r in mine)
        balances = ", ".join(str(r.final_balance) for r in mine)
        if approach == "ours":
            ledger = "yes" if all(r.ledger_sum == r.final_balance for r in mine) else "NO"
        else:
            ledger = "n/a (no ledger)"
        print(f"{approach:<8} {granted:<28} {balances:<24} {ledger}")
    for approach in APPROACHES:
        mine = [r for r in rounds if r.approach == approach]
        free = sum(max(0, r.granted - max_grants) for r in mine)
        print(f"{approach}: {free} generations granted beyond what was paid for, in total")
    print(line)
    print(
        "seed = the product owner's sketch run against plain copies of its tables "
        "(seed_sketch.profiles,\n"
        "seed_sketch.generations, no triggers), because our deferred ledger trigger refuses "
        "its bare\n"
        "UPDATE of profiles.credits. Each seed statement is its own pool checkout, as the "
        "sketch's\n"
        "separate requests are."
    )


def main() -> int:
    without_guards = "--without-guards" in sys.argv[1:]
    return run_on_a_database(lambda conninfo: benchmark(conninfo, without_guards))


if __name__ == "__main__":
    sys.exit(main())

"""Durable jobs: a generation whose worker died is finished by another worker, and one
interrupted too often is refunded exactly once; either way the user hears back."""

from __future__ import annotations

from sandbox.users import SandboxUser
from services.container import Services
from services.generation import GenerationInput
from tests.conftest import ledger_sum
from tests.e2e.conftest import containing, eventually, image_size, with_photo

DEAD_WORKER = "a-process-that-crashed"


async def queued_job(user: SandboxUser, services: Services):
    """A charged, queued generation for the user, as /generate leaves it."""
    await user.send_command("/start")
    await user.wait_for_message(containing("Welcome"))
    profile = await services.accounts.find_by_telegram_id(user.id)
    assert profile is not None
    request = GenerationInput(mode="text_to_thumbnail", prompt="Crash test of the century")
    charge = await services.generations.start(profile.id, request, f"test:{user.id}", user.id)
    return profile, charge.generation_id


async def claim_as_dead_worker(services: Services, generation_id) -> None:
    """Claims the job (queued a while ago) with a lease that ends at once, as a worker
    that then died. One transaction, so the live worker cannot claim it first."""
    async with services.db.transaction() as conn:
        await conn.execute(
            "UPDATE generations SET created_at = created_at - interval '1 minute' WHERE id = %s",
            [generation_id],
        )
        cursor = await conn.execute(
            "SELECT id FROM claim_generations(%s, 0, 1000, 3) WHERE id = %s",
            [DEAD_WORKER, generation_id],
        )
        assert len(await cursor.fetchall()) == 1


async def dead_three_times(services: Services, generation_id) -> None:
    """The state a job is in after three workers died while running it."""
    await services.db.execute(
        """
        UPDATE generations SET status = 'running', attempts = 3, lease_owner = %s,
               lease_expires_at = now() - interval '1 second'
         WHERE id = %s
        """,
        [DEAD_WORKER, generation_id],
    )


async def test_a_job_whose_worker_died_is_finished_by_another(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    profile, generation_id = await queued_job(user, chat_services)
    await claim_as_dead_worker(chat_services, generation_id)

    delivered = await user.wait_for_message(with_photo, timeout=20)

    assert image_size(user.file_bytes(delivered)) == (1280, 720)

    async def delivered_once_on_the_second_attempt() -> bool:
        row = await chat_services.db.fetch_one(
            "SELECT status, attempts, delivered_at FROM generations WHERE id = %s",
            [generation_id],
        )
        assert row is not None
        return (row["status"], row["attempts"]) == ("succeeded", 2) and bool(row["delivered_at"])

    await eventually(delivered_once_on_the_second_attempt)
    assert await ledger_sum(chat_services.db, profile.id) == 40


async def test_a_job_interrupted_too_often_is_refunded_once_and_the_user_told(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    profile, generation_id = await queued_job(user, chat_services)
    await dead_three_times(chat_services, generation_id)

    apology = await user.wait_for_message(containing("interrupted"), timeout=20)

    assert "10" in (apology.text or "")
    assert await ledger_sum(chat_services.db, profile.id) == 50
    reasons = await chat_services.db.fetch_all(
        "SELECT reason FROM credit_ledger WHERE reference = %s ORDER BY id", [str(generation_id)]
    )
    assert [r["reason"] for r in reasons] == ["generation_charge", "generation_refund"]

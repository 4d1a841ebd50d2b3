"""What every update reads first (sql/027): the sender's profile, whether their contact is
due to be noted, and the version of a price list a process may keep until another
process changes it, in one round trip."""

from __future__ import annotations

from collections.abc import Callable

from services.accounts import AccountService, TelegramUser
from services.adapters.db import Database
from services.catalog import CatalogService
from services.credits import CreditService

ADMIN = 1
MODE = "text_to_thumbnail"


async def seen_and_blocked(db: Database, telegram_id: int) -> tuple[object, object]:
    row = await db.fetch_one(
        "SELECT last_seen_at, blocked_bot_at FROM profiles WHERE telegram_id = %s", [telegram_id]
    )
    assert row is not None
    return row["last_seen_at"], row["blocked_bot_at"]


async def test_a_first_contact_has_no_profile_yet_and_still_gets_the_catalog_version(
    accounts: AccountService, new_user: Callable[..., TelegramUser]
) -> None:
    arrival = await accounts.arrive(new_user().id)

    assert arrival.profile is None
    assert not arrival.contact_due  # nobody to note yet: /start registers them
    assert arrival.catalog_version >= 1


async def test_registering_is_a_first_contact_noted(
    db: Database, accounts: AccountService, new_user: Callable[..., TelegramUser]
) -> None:
    user = new_user()
    await accounts.register(user)

    seen, blocked = await seen_and_blocked(db, user.id)
    assert seen is not None
    assert blocked is None
    assert not (await accounts.arrive(user.id)).contact_due


async def test_an_arrival_reads_the_profile_as_it_is_and_says_when_contact_is_due(
    db: Database,
    accounts: AccountService,
    credits: CreditService,
    new_user: Callable[..., TelegramUser],
) -> None:
    user = new_user(first_name="Ana")
    profile = (await accounts.register(user)).profile
    await credits.admin_adjust(profile.id, 25, "test", ADMIN)
    await db.execute(
        "UPDATE profiles SET blocked_bot_at = now(), last_seen_at = now() - interval '1 day'"
        " WHERE id = %s",
        [profile.id],
    )

    arrival = await accounts.arrive(user.id)
    await accounts.note_contact(user.id)  # what the gate then does in the background

    assert arrival.profile == await accounts.get(profile.id)
    assert arrival.profile is not None
    assert arrival.profile.credits == profile.credits + 25
    assert arrival.contact_due  # blocked, and last seen a day ago
    seen, blocked = await seen_and_blocked(db, user.id)
    assert blocked is None  # writing again means the bot is no longer blocked
    assert seen is not None

    assert not (await accounts.arrive(user.id)).contact_due  # noted minutes ago



async def test_a_price_change_in_one_process_shows_in_another_at_its_next_update(
    db: Database, accounts: AccountService, new_user: Callable[..., TelegramUser]
) -> None:
    user = new_user()
    await accounts.register(user)
    this_process, other_process = CatalogService(db), CatalogService(db)
    cost = await this_process.cost_of(MODE)
    name = await db.fetch_value(
        "SELECT display_name FROM generation_types WHERE type_key = %s", [MODE]
    )
    try:
        before = (await accounts.arrive(user.id)).catalog_version
        listed = await this_process.generation_types(as_of=before)
        assert {kind.type_key: kind.cost_credits for kind in listed}[MODE] == cost
        # The list kept for that version is used, not read again (a row changed behind
        # the version's back, as no statement of the bot can, shows that).
        await db.execute("ALTER TABLE generation_types DISABLE TRIGGER generation_types_changed")
        try:
            await db.execute(
                "UPDATE generation_types SET display_name = 'hidden' WHERE type_key = %s", [MODE]
            )
        finally:
            await db.execute("ALTER TABLE generation_types ENABLE TRIGGER generation_types_changed")
        kept = await this_process.generation_types(as_of=before)
        assert "hidden" not in {kind.display_name for kind in kept}

        await other_process.set_cost(MODE, cost + 7, ADMIN)
        after = (await accounts.arrive(user.id)).catalog_version

        assert after > before
        listed = await this_process.generation_types(as_of=after)
        assert {kind.type_key: kind.cost_credits for kind in listed}[MODE] == cost + 7
        fresh = await this_process.generation_types()  # no version: read now
        assert {kind.type_key: kind.cost_credits for kind in fresh}[MODE] == cost + 7
    finally:
        await other_process.set_cost(MODE, cost, ADMIN)
        await db.execute(
            "UPDATE generation_types SET display_name = %s WHERE type_key = %s", [name, MODE]
        )


async def test_a_mode_switched_off_leaves_the_kept_list_for_the_next_version(
    db: Database, accounts: AccountService, new_user: Callable[..., TelegramUser]
) -> None:
    user = new_user()
    await accounts.register(user)
    catalog = CatalogService(db)
    await catalog.generation_types(as_of=(await accounts.arrive(user.id)).catalog_version)
    try:
        assert await catalog.set_active(MODE, False, ADMIN)
        version = (await accounts.arrive(user.id)).catalog_version

        offered = await catalog.generation_types(as_of=version)
        everything = await catalog.generation_types(include_off=True, as_of=version)

        assert MODE not in {kind.type_key for kind in offered}
        assert MODE in {kind.type_key for kind in everything}
    finally:
        await catalog.set_active(MODE, True, ADMIN)

"""The admin audit trail: rows are written and read back, and cannot be changed."""

from __future__ import annotations

import pytest

from services.adapters.db import Database
from services.audit import AuditService
from services.errors import InvalidArgument


async def test_an_action_is_recorded_and_the_trail_is_append_only(db: Database) -> None:
    audit = AuditService(db)
    entry_id = await audit.record(4242, "setcost", {"type": "x"}, {"cost": 10}, {"cost": 15})
    async with db.transaction() as conn:
        await audit.record(4242, "grant", {"amount": 5}, conn=conn)

    latest = await audit.latest(50)
    mine = [entry for entry in latest if entry.admin_telegram_id == 4242]
    assert [entry.action for entry in mine][:2] == ["grant", "setcost"]
    assert mine[1].before == {"cost": 10}
    assert mine[1].after == {"cost": 15}
    for statement in (
        "UPDATE admin_audit SET action = 'x' WHERE id = %s",
        "DELETE FROM admin_audit WHERE id = %s",
    ):
        with pytest.raises(InvalidArgument, match="append-only"):
            await db.execute(statement, [entry_id])
    assert len([e for e in await audit.latest(50) if e.id == entry_id]) == 1

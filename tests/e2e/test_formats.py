"""Shapes through the real bot: a 9:16 Shorts cover or a 1:1 post chosen on the confirm
screen arrives at its exact pixel size, its full-quality file within the format's byte
limit, and the next order offers the same shape already ticked."""

from __future__ import annotations

import pytest

from handlers.i18n import t
from services.formats import FORMATS
from tests.e2e.conftest import containing, image_size, with_button
from tests.e2e.flows import choose_mode, give_inputs, press_starting_with, started

LABELS = {"9:16": "btn_format_tall", "1:1": "btn_format_square"}


@pytest.mark.parametrize("key", LABELS)
async def test_a_chosen_shape_is_delivered_exactly_and_remembered(key: str, new_chat_user):
    shape = FORMATS[key]
    label = t("en", LABELS[key])
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "your_face")
    await give_inputs(user, "your_face", "I spent 100 days in Minecraft hardcore")
    order = await user.wait_for_message(with_button("Generate"))
    assert f"✓ {t('en', 'btn_format_wide')}" in order.button_texts  # the first order: 16:9

    await press_starting_with(user, order, label)
    await user.wait_for_message(lambda m: m.is_edit and with_button(f"✓ {label}")(m))
    assert f"{shape.width}\N{MULTIPLICATION SIGN}{shape.height}" in (order.current.text or "")
    await press_starting_with(user, order, "Generate")
    delivered = await user.wait_for_message(containing("Here's your thumbnail"), timeout=30)

    assert image_size(user.file_bytes(delivered)) == shape.size
    await press_starting_with(user, delivered, "Full-quality")
    document = await user.wait_for_message(lambda m: m.document is not None)
    full = user.file_bytes(document)
    assert image_size(full) == shape.size
    assert len(full) <= shape.max_bytes

    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail", "Tiny house tour")
    again = await user.wait_for_message(with_button("Generate"))
    assert f"✓ {label}" in again.button_texts
    assert f"✓ {t('en', 'btn_format_wide')}" not in again.button_texts

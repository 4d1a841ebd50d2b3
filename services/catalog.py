"""The generation modes and their costs (generation_types), as the seed defines them, and
an admin's changes to them: the cost (/setcost), the model and its input template
(/setmodel, shown back and confirmed before it applies) and the on/off switch (/mode).
Each change writes its admin_audit row in its own transaction (sql/014)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from services.adapters.db import Database
from services.errors import InputRejected, UnknownGenerationType
from services.generators.edits import EDIT_TYPE
from services.generators.replicate_models import IMAGE_PLACEHOLDERS, image_placeholders
from services.modes import MODE_STEPS, Step

#: The most an admin may set a mode's cost to: a typo's extra zeros are refused.
MAX_COST = 10_000
# sql/007's generation_types_model_reference: owner/name or owner/name:<64-hex version>.
_MODEL_REFERENCE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*(:[0-9a-f]{64})?"
)
_BRACED = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: Which picture a mode's input step gives the generator (services/generators).
_STEP_PICTURES = {
    Step.FACE: "face_image",
    Step.STYLE: "style_image",
    Step.VIDEO: "video_thumbnail",
}
#: Pictures a type gets that no input step gives: an edit's, the picture it edits.
_TYPE_PICTURES = {EDIT_TYPE: frozenset({"source_image"})}
#: Pictures a template must use: a face or style the user gave and paid for, the picture
#: an edit changes.
_NEEDED_PICTURES = frozenset({"face_image", "style_image", "source_image"})


@dataclass(frozen=True)
class GenerationType:
    type_key: str
    display_name: str | None
    cost_credits: int
    is_active: bool = True


@dataclass(frozen=True)
class ModelProposal:
    """A /setmodel waiting for the admin's confirmation, with what it would replace."""

    id: int
    type_key: str
    model: str
    input_template: dict[str, Any]
    output_text: bool
    current_model: str | None
    current_template: dict[str, Any]


@dataclass(frozen=True)
class ModelDecision:
    type_key: str
    model: str
    #: None: the proposal was waiting and this call decided it; else how it was decided
    #: before ('applied', 'cancelled'), and nothing changed now.
    previous_outcome: str | None


@dataclass(frozen=True)
class _KeptList:
    """Every mode, as of one catalog version (sql/027)."""

    version: int
    kinds: tuple[GenerationType, ...]


class CatalogService:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._kept: _KeptList | None = None

    async def generation_types(
        self, *, include_off: bool = False, as_of: int | None = None
    ) -> list[GenerationType]:
        """The modes on offer (an admin's listing also shows those switched off).

        `as_of` is a catalog version just read (AccountService.arrive, once per update):
        the list this process read last is used while it is that version, which saves the
        most frequent read of all; without it the list is read now."""
        kept = self._kept
        if kept is None or as_of is None or kept.version != as_of:
            kept = self._kept = await self._read_list()
        return [kind for kind in kept.kinds if include_off or kind.is_active]

    async def _read_list(self) -> _KeptList:
        """The list and its version, read in one snapshot."""
        rows = await self._db.fetch_all(
            "SELECT s.version, t.type_key, t.display_name, t.cost_credits, t.is_active"
            " FROM catalog_state s LEFT JOIN generation_types t ON true"
            " ORDER BY t.cost_credits, t.type_key"
        )
        kinds = tuple(
            GenerationType(**{key: row[key] for key in GenerationType.__dataclass_fields__})
            for row in rows
            if row["type_key"] is not None
        )
        return _KeptList(int(rows[0]["version"]), kinds)

    async def cost_of(self, type_key: str) -> int:
        """What one generation of the mode costs now; UnknownGenerationType if none."""
        cost = await self._db.fetch_value(
            "SELECT cost_credits FROM generation_types WHERE type_key = %s", [type_key]
        )
        if cost is None:
            raise UnknownGenerationType(f"unknown generation type {type_key}")
        return int(cost)

    async def upsert_generation_type(
        self, type_key: str, display_name: str | None, cost_credits: int
    ) -> GenerationType:
        """Adds a mode or changes its name and cost (an admin action)."""
        row = await self._db.fetch_one(
            "SELECT type_key, display_name, cost_credits, is_active"
            " FROM upsert_generation_type(%s, %s, %s)",
            [type_key, display_name, cost_credits],
        )
        assert row is not None
        return GenerationType(**row)

    # --- an admin's changes -------------------------------------------------------------

    async def set_cost(self, type_key: str, cost: int, admin_telegram_id: int) -> tuple[int, int]:
        """/setcost: the mode's cost before and after. Drafts already shown keep their
        price: their buttons carry it, and charge_generation refuses any other."""
        await self._known(type_key)
        if not 0 <= cost <= MAX_COST:
            raise InputRejected("admin_cost_range", max=MAX_COST)
        row = await self._db.fetch_one(
            "SELECT * FROM admin_set_generation_cost(%s, %s, %s, %s)",
            [type_key, cost, MAX_COST, admin_telegram_id],
        )
        assert row is not None
        return int(row["before_cost"]), int(row["after_cost"])

    async def set_active(self, type_key: str, active: bool, admin_telegram_id: int) -> bool:
        """/mode: switches a mode on or off; returns whether it was on."""
        await self._known(type_key)
        return bool(
            await self._db.fetch_value(
                "SELECT admin_set_generation_active(%s, %s, %s)",
                [type_key, active, admin_telegram_id],
            )
        )

    async def propose_model(
        self, type_key: str, model: str, template_json: str | None, admin_telegram_id: int
    ) -> ModelProposal:
        """/setmodel: a checked proposal (the mode's current template when none is
        given), kept until the admin applies or cancels it."""
        await self._known(type_key)
        if not _MODEL_REFERENCE.fullmatch(model):
            raise InputRejected("admin_model_invalid")
        current = await self._db.fetch_one(
            "SELECT model, input_template, output_text FROM generation_types WHERE type_key = %s",
            [type_key],
        )
        assert current is not None
        template = current["input_template"] if template_json is None else _parse(template_json)
        check_template(type_key, template)
        proposal_id = await self._db.fetch_value(
            "INSERT INTO generation_model_proposals"
            " (type_key, model, input_template, output_text, proposed_by)"
            " VALUES (%s, %s, %s, %s, %s) RETURNING id",
            [type_key, model, Jsonb(template), current["output_text"], admin_telegram_id],
        )
        return ModelProposal(
            int(proposal_id),
            type_key,
            model,
            template,
            bool(current["output_text"]),
            current["model"],
            current["input_template"],
        )

    async def decide_model(
        self, proposal_id: int, apply: bool, admin_telegram_id: int
    ) -> ModelDecision:
        """Applies (with its audit row) or cancels a waiting proposal, once."""
        row = await self._db.fetch_one(
            "SELECT * FROM admin_decide_generation_model(%s, %s, %s)",
            [proposal_id, apply, admin_telegram_id],
        )
        assert row is not None
        return ModelDecision(**row)

    async def _known(self, type_key: str) -> None:
        """InputRejected naming the modes there are, unless `type_key` is one of them."""
        types = [kind.type_key for kind in await self.generation_types(include_off=True)]
        if type_key not in types:
            raise InputRejected("admin_unknown_type", type=type_key, types=", ".join(types))


def _parse(text: str) -> dict[str, Any]:
    try:
        template = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputRejected("admin_template_bad_json", error=str(error)) from error
    if not isinstance(template, dict):
        raise InputRejected("admin_template_not_object")
    return template


def check_template(type_key: str, template: Mapping[str, Any]) -> None:
    """A template the generator can fill for this mode (services/generators/
    replicate_models.py): "{prompt}" somewhere, no placeholder it does not know, each
    picture as a whole string, the face and style the mode takes from the user, and no
    picture the mode never has."""
    names = set(_braced(template))
    unknown = names - {"prompt", *IMAGE_PLACEHOLDERS}
    if unknown:
        listed = ", ".join("{" + name + "}" for name in sorted(unknown))
        raise InputRejected("admin_template_unknown", names=listed)
    if "prompt" not in names:
        raise InputRejected("admin_template_no_prompt", placeholder="{prompt}")
    whole = set(image_placeholders(template))
    if any(_picture_inside_text(value) for value in _strings(template)):
        raise InputRejected("admin_template_picture_in_text", example="{face_image}")
    offered = {
        _STEP_PICTURES[step] for step in MODE_STEPS.get(type_key, ()) if step in _STEP_PICTURES
    } | _TYPE_PICTURES.get(type_key, frozenset())
    needed = offered & _NEEDED_PICTURES
    if not needed <= whole <= offered:
        raise InputRejected(
            "admin_template_pictures",
            type=type_key,
            needed=", ".join("{" + name + "}" for name in sorted(needed)) or "-",
            offered=", ".join("{" + name + "}" for name in sorted(offered)) or "-",
        )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _braced(template: Mapping[str, Any]) -> Iterator[str]:
    for text in _strings(template):
        yield from _BRACED.findall(text)


def _picture_inside_text(text: str) -> bool:
    """A picture placeholder with other text around it: the generator cannot fill it."""
    found = set(_BRACED.findall(text)) & set(IMAGE_PLACEHOLDERS)
    return bool(found) and _BRACED.fullmatch(text) is None

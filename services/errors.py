"""The one kind of error a user is told about, and the database's refusals among them.

Services raise a `UserFacingError`: a catalog key and its parameters (what to say), with
a detail for the log (what happened). Handlers catch one only where they answer with more
than words (say, buttons to buy credits); everything else reaches handlers/errors.py,
the one place that turns it into a reply. tests/test_i18n.py checks that every key a
service can raise has a text in every language.

The `DomainError`s are the refusals of the money-moving SQL functions (sql/002, sql/008),
one per SQLSTATE; `from_sqlstate` is the single mapping between the two.
"""

from __future__ import annotations

import json
import logging
from typing import ClassVar


class UserFacingError(Exception):
    """Something to tell the user: `key` names the catalog text, `params` fill it in."""

    key: str = "error_generic"
    #: Where the key's text is in the catalog: failures of a generation, for instance,
    #: are told as "reason_<key>" inside the apology.
    catalog_prefix: ClassVar[str] = ""
    #: How loudly handlers/errors.py logs it: a refusal is routine; an outside service
    #: being down is worth a warning.
    log_level: ClassVar[int] = logging.INFO

    def __init__(self, detail: str = "", *, key: str | None = None, **params: object) -> None:
        super().__init__(detail or key or self.key)
        if key is not None:
            self.key = key
        self.params = params

    @property
    def text_key(self) -> str:
        return self.catalog_prefix + self.key


class InputRejected(UserFacingError):
    """User input the bot cannot use; `key` says why."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key, key=key, **params)


class DomainError(UserFacingError):
    """A refusal by the database; what the user is told unless a handler says more."""

    sqlstate: ClassVar[str] = ""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class InsufficientCredits(DomainError):
    sqlstate = "TB001"
    key = "insufficient"

    def __init__(self, message: str, balance: int | None = None, needed: int | None = None):
        super().__init__(message)
        self.balance = balance
        self.needed = needed
        self.params = {"cost": needed or 0, "credits": balance or 0}


class ProfileNotFound(DomainError):
    sqlstate = "TB002"


class UnknownGenerationType(DomainError):
    sqlstate = "TB003"
    key = "stale_button"  # a mode withdrawn since its button was shown


class GenerationNotFound(DomainError):
    sqlstate = "TB004"


class InvalidGenerationState(DomainError):
    sqlstate = "TB005"


class InvalidArgument(DomainError):
    sqlstate = "TB006"


class ProfileBanned(DomainError):
    sqlstate = "TB007"
    key = "banned"


class AccountConflict(DomainError):
    sqlstate = "TB008"


class PaymentNotFound(DomainError):
    sqlstate = "TB009"


class PriceChanged(DomainError):
    """The price the user was shown is no longer the price; `cost` is the current one."""

    sqlstate = "TB010"
    key = "price_changed"

    def __init__(self, message: str, cost: int | None = None):
        super().__init__(message)
        self.cost = cost
        self.params = {"cost": cost or 0}


class ModeDisabled(DomainError):
    """An admin switched the mode off (/mode): it is neither offered nor charged."""

    sqlstate = "TB011"
    key = "mode_disabled"


_BY_SQLSTATE: dict[str, type[DomainError]] = {
    cls.sqlstate: cls
    for cls in (
        InsufficientCredits,
        ProfileNotFound,
        UnknownGenerationType,
        GenerationNotFound,
        InvalidGenerationState,
        InvalidArgument,
        ProfileBanned,
        AccountConflict,
        PaymentNotFound,
        PriceChanged,
        ModeDisabled,
    )
}
# A number too large for its column (a forged payment of 10^9 Stars) is a bad argument.
_BY_SQLSTATE["22003"] = InvalidArgument  # numeric_value_out_of_range


def from_sqlstate(sqlstate: str | None, message: str, detail: str | None) -> DomainError | None:
    """The domain error for a SQLSTATE of class TB (or an out-of-range number), or None
    for any other database error."""
    cls = _BY_SQLSTATE.get(sqlstate or "")
    if cls is None:
        return None
    if cls is InsufficientCredits:
        figures = json.loads(detail) if detail else {}
        return InsufficientCredits(message, figures.get("balance"), figures.get("needed"))
    if cls is PriceChanged:
        return PriceChanged(message, json.loads(detail).get("cost") if detail else None)
    return cls(message)

"""Domain errors, one per SQLSTATE raised by the money-moving SQL functions (sql/002, sql/008).

The database decides; these classes carry its decision to the handlers, which turn each
one into a friendly message. `from_sqlstate` is the single mapping between the two.
"""

from __future__ import annotations

import json


class DomainError(Exception):
    """A refusal by the database that a user or admin can be told about."""

    sqlstate: str = ""


class InsufficientCredits(DomainError):
    sqlstate = "TB001"

    def __init__(self, message: str, balance: int | None = None, needed: int | None = None):
        super().__init__(message)
        self.balance = balance
        self.needed = needed


class ProfileNotFound(DomainError):
    sqlstate = "TB002"


class UnknownGenerationType(DomainError):
    sqlstate = "TB003"


class GenerationNotFound(DomainError):
    sqlstate = "TB004"


class InvalidGenerationState(DomainError):
    sqlstate = "TB005"


class InvalidArgument(DomainError):
    sqlstate = "TB006"


class ProfileBanned(DomainError):
    sqlstate = "TB007"


class AccountConflict(DomainError):
    sqlstate = "TB008"


class PaymentNotFound(DomainError):
    sqlstate = "TB009"


class PriceChanged(DomainError):
    """The price the user was shown is no longer the price; `cost` is the current one."""

    sqlstate = "TB010"

    def __init__(self, message: str, cost: int | None = None):
        super().__init__(message)
        self.cost = cost


class InputRejected(Exception):
    """User input the bot cannot use; `key` names the catalog message that explains why
    and `params` fill it in."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


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

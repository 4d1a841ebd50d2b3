"""A property-based fuzz of the whole bot: 5,000 random updates of every kind Telegram has
(and some no server should send) through the real Application, long polling against the
sandbox, its own PostgreSQL database, the generation worker running.

Hypothesis draws batches of 100 updates; each becomes a "recipe", then a raw update
against the sandbox's current state (a user's own buttons and messages, another user's
buttons, stored photos and files), pushed past allowed_updates. Within a batch every
update goes to a different user, so whatever the bot sends to a private chat answers
that chat's one update. The properties: nothing logs an ERROR (any logger, asyncio's
"exception was never retrieved" included), every private message from a user is
answered, every button press and pre-checkout query is answered (presses exactly once),
and the process's memory stays flat.

Hypothesis runs in a worker thread and hands each batch to the event loop, so the bot
keeps running between examples. Telegram never delivers NUL characters or lone
surrogates, so generated texts have neither.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import random
import re
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from telegram.ext import AIORateLimiter, Application

from bot.settings import Settings
from bot.telegram_app import build_application, start_polling, stop_bot
from bot.wiring import build_services
from bot.workers import build_worker
from sandbox.accounts import ChatInfo
from sandbox.samples import sample_face, sample_image, sample_sticker
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from services.adapters.db import Database
from services.adapters.migrations import apply_migrations
from services.adapters.youtube import YouTubeClient
from services.container import Services
from services.payments import InvoicePayload, ProductKind
from tests.e2e.conftest import (
    PUBLIC_VIDEO,
    WORKER_OPTIONS,
    _described,
    containing,
    with_button,
    with_photo,
)
from tests.e2e.raw_updates import (
    INACCESSIBLE,
    callback_query,
    pre_checkout_query,
    user_message,
)
from tests.standins.youtube import YouTubeStandIn

EXAMPLES = 50
BATCH = 100
USERS = 160  # more than a batch: each update of a batch goes to another user
WARM_UP_EXAMPLES = 5  # memory is measured from the end of these to the end of the run
MAX_RSS_GROWTH_BYTES = 20 * 1024 * 1024
ANSWER_TIMEOUT = 30.0
FIRST_USER_ID = 8_100_000
ADMIN_USER = 0  # the first pool user is an admin (ADMIN_IDS), so admin commands are fuzzed
BOT_USERNAME = "thumbs_fuzz_bot"
PACKS = ("pack_100", "pack_300", "pack_1000")
PRODUCTS = (*PACKS, "monthly_25images", "nope")

# --- what hypothesis draws ------------------------------------------------------------
#
# Per update, hypothesis draws its kind, one free text (a message, a caption, command
# arguments, callback data, an invoice payload, a name) and a seed from which the rest
# (flags, entities, which button, which file...) is derived. Few draws per update keep
# hypothesis's own bookkeeping small, so the memory figure is about the bot.

texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=80)
SPECIAL_TEXTS = [
    "",
    " ",
    "\n\t",
    "ж" * 4096,  # Telegram's longest message
    "x" * 5000,
    f"https://youtu.be/{PUBLIC_VIDEO}",
    "https://www.youtube.com/watch?v=AAAAAAAAAAA",
    "youtube.com/shorts/zzzzzzzzzzz",
    "https://example.com/video www.",
    "99999999999999999999999999",
    "-1",
    "1e3",
    "1_000",
    "\u0663\u0664",  # digits int() accepts
    "9c7e4a36-6b0b-4d8e-9c39-1a0a8f2e1d11",
    "<b>bold</b> &amp; <i>",
    "*_`[markdown](x)",
    "ref_AAAAAAAA",
    "/start",
    "\u202eRTL\u200b",
    "🙂" * 50,
]
free_texts = st.one_of(texts, st.sampled_from(SPECIAL_TEXTS))
COMMANDS = [
    "start", "generate", "faces", "style", "balance", "profile", "history", "referral", "buy",
    "subscription", "cancel", "help", "terms", "paysupport", "grant", "revoke", "refund",
    "nosuch", "START", f"start@{BOT_USERNAME}", "start@other_bot", "history@" + BOT_USERNAME,
]  # fmt: skip
ENTITY_TYPES = ["bot_command", "mention", "url", "text_link", "bold", "pre", "custom_emoji", "x"]
LANGUAGES = ["en", "ru", "es", "pt-br", "", "zz-ZZ", None]
# kind -> weight
KINDS = {
    "text": 3, "command": 3, "media": 2, "payment": 1, "other": 1,
    "press": 5, "pre_checkout": 2, "raw": 2,
}  # fmt: skip


@dataclass(frozen=True)
class Text:
    text: str
    entities: list[dict[str, Any]]


@dataclass(frozen=True)
class Command:
    name: str
    args: list[str]
    leading_space: bool


@dataclass(frozen=True)
class Media:
    """A photo, document or sticker from the sandbox's stored files (Telegram only
    delivers file ids it knows); `size` overrides the reported file size."""

    kind: str
    index: int
    caption: str | None
    size: int | None


@dataclass(frozen=True)
class Payment:
    """successful_payment or refunded_payment with any amount and currency. Telegram
    sends successful_payment only for an invoice the bot made and approved at
    pre-checkout, so its payload names a real pack and the payer's own profile (a plan's
    payments come with a Telegram subscription the sandbox would have to know); a
    refunded_payment's payload is anything."""

    kind: str
    product: str
    junk_payload: str
    currency: str
    amount: int


@dataclass(frozen=True)
class Other:
    """Message content the bot has no use for (voice, location, a dice...)."""

    field: str


@dataclass(frozen=True)
class Message:
    content: Text | Command | Media | Payment | Other
    in_group: bool
    without_sender: bool
    reply: bool
    language: str | None
    first_name: str


@dataclass(frozen=True)
class Press:
    """A button press: `source` is "own" (a button in the user's chat), "foreign"
    (another user's), "template", "random" or "none" (no data); `message` is "own",
    "inaccessible" (too old to act on) or "inline"."""

    source: str
    pick: int
    data: str | None
    mutation: str
    message: str


@dataclass(frozen=True)
class PreCheckout:
    payload: str
    own_profile: bool
    currency: str
    amount: int


@dataclass(frozen=True)
class Raw:
    """An update of a kind the bot does not serve, or one that no parser can read."""

    update: dict[str, Any]


_SENDER = {"id": 1, "is_bot": False, "first_name": "Somebody"}
_CHAT = {"id": -1_009_999_000_001, "type": "supergroup", "title": "Elsewhere"}
_CHANNEL = {"id": -1_009_999_000_002, "type": "channel", "title": "News"}
_MESSAGE = {"message_id": 1, "date": 1_700_000_000, "chat": _CHAT, "from": _SENDER, "text": "x"}
_MEMBER = {"status": "member", "user": {**_SENDER, "id": 7}}
UNSERVED = [
    {"edited_message": {**_MESSAGE, "edit_date": 1_700_000_001}},
    {"channel_post": {**_MESSAGE, "chat": _CHANNEL}},
    {"edited_channel_post": {**_MESSAGE, "chat": _CHANNEL, "edit_date": 1}},
    {"inline_query": {"id": "1", "from": _SENDER, "query": "cats", "offset": ""}},
    {"chosen_inline_result": {"result_id": "1", "from": _SENDER, "query": "q"}},
    {"shipping_query": {"id": "1", "from": _SENDER, "invoice_payload": "p", "shipping_address": {
        "country_code": "DE", "state": "", "city": "B", "street_line1": "s",
        "street_line2": "", "post_code": "1"}}},
    {"poll": {"id": "1", "question": "?", "options": [], "total_voter_count": 0,
              "is_closed": False, "is_anonymous": True, "type": "regular",
              "allows_multiple_answers": False}},
    {"poll_answer": {"poll_id": "1", "user": _SENDER, "option_ids": [0]}},
    {"my_chat_member": {"chat": _CHAT, "from": _SENDER, "date": 1,
                        "old_chat_member": _MEMBER, "new_chat_member": _MEMBER}},
    {"chat_member": {"chat": _CHAT, "from": _SENDER, "date": 1,
                     "old_chat_member": _MEMBER, "new_chat_member": _MEMBER}},
    {"chat_join_request": {"chat": _CHAT, "from": _SENDER, "user_chat_id": 1, "date": 1}},
    {"message_reaction": {"chat": _CHAT, "message_id": 1, "date": 1, "user": _SENDER,
                          "old_reaction": [], "new_reaction": []}},
    {"removed_chat_boost": {"chat": _CHAT, "boost_id": "b", "remove_date": 1,
                            "source": {"source": "premium", "user": _SENDER}}},
    {"business_message": {**_MESSAGE, "business_connection_id": "c"}},
    {"future_update_kind": {"anything": [1, 2, 3]}},
    {},
]  # fmt: skip
BROKEN = [
    {"poll": {"id": "2"}},  # an older Bot API server's poll
    {"message": {"message_id": 1, "text": "no chat, no date"}},
    {"message": {**_MESSAGE, "chat": {"type": "private"}}},
    {"callback_query": {"id": "1", "data": "menu:help"}},
    {"pre_checkout_query": {"id": "1", "from": _SENDER}},
    {"inline_query": {"id": "1"}},
    {"chat_member": {"chat": _CHAT}},
    {"message": "not an object"},
]


OTHER_CONTENT: dict[str, Any] = {
    "voice": {"file_id": "AwAC", "file_unique_id": "v", "duration": 1},
    "location": {"latitude": 52.5, "longitude": 13.4},
    "contact": {"phone_number": "+100", "first_name": "C"},
    "dice": {"emoji": "🎲", "value": 3},
    "venue": {
        "location": {"latitude": 1.0, "longitude": 2.0},
        "title": "T",
        "address": "A",
    },
}


def recipe(kind: str, text: str, rng: random.Random) -> Message | Press | PreCheckout | Raw:
    """One update's recipe: `text` is its free text, `rng` decides everything else."""
    if kind == "press":
        return Press(
            _weighted(rng, own=10, foreign=3, template=3, random=3, none=1),
            rng.randrange(1000),
            _template(rng, text) if rng.random() < 0.5 else text,
            _weighted(rng, none=12, truncate=2, append=2, digits=2, upper=2),
            _weighted(rng, own=17, inaccessible=1, inline=2),
        )
    if kind == "pre_checkout":
        payload = rng.choice(PRODUCTS) if rng.random() < 0.6 else text
        amount = rng.choice([rng.randrange(-1, 2**63), rng.choice([100, 275, 850, 199])])
        return PreCheckout(payload, rng.random() < 0.7, rng.choice(["XTR", "XTR", "EUR"]), amount)
    if kind == "raw":
        return Raw(rng.choice(UNSERVED + BROKEN))
    return Message(
        _content(kind, rng, text),
        in_group=rng.random() < 0.3,
        without_sender=rng.random() < 0.05,
        reply=rng.random() < 0.3,
        language=rng.choice(LANGUAGES),
        first_name=text[:64] if rng.random() < 0.2 else "Fuzz",
    )


def _content(kind: str, rng: random.Random, text: str) -> Text | Command | Media | Payment | Other:
    if kind == "text":
        command = [{"type": "bot_command", "offset": 0, "length": rng.randrange(len(text) + 2)}]
        entities = command if rng.random() < 0.1 else []
        entities += [
            {
                "type": rng.choice(ENTITY_TYPES),
                "offset": rng.randrange(len(text) + 3),
                "length": rng.randrange(len(text) + 3),
            }
            for _ in range(rng.choice([0, 0, 1, 2]))
        ]
        return Text(text, entities)
    if kind == "command":
        args = text.split()[:4] if rng.random() < 0.7 else [str(rng.getrandbits(80))]
        return Command(rng.choice(COMMANDS), args, leading_space=rng.random() < 0.05)
    if kind == "media":
        size = rng.choice([None, None, -1, 0, 30_000_000, rng.randrange(10**7)])
        caption = text if rng.random() < 0.5 else None
        return Media(rng.choice(["photo", "document", "sticker"]), rng.randrange(10), caption, size)
    if kind == "payment":
        return Payment(
            rng.choice(["successful_payment", "refunded_payment"]),
            rng.choice(PACKS),
            text,
            rng.choice(["XTR", "USD", ""]),
            rng.randrange(100_001),  # Telegram's ceiling on a Stars payment
        )
    return Other(rng.choice(sorted(OTHER_CONTENT)))


def _weighted(rng: random.Random, **weights: int) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _template(rng: random.Random, text: str) -> str:
    """Callback data of a real prefix and action with a wrong or extreme value."""
    value = rng.choice(
        [text, str(rng.getrandbits(70)), str(uuid.UUID(int=rng.getrandbits(128))), "1e3", "-1"]
    )
    if rng.random() < 0.2:
        return f"gen:mode:{text}:{rng.choice(['text_to_thumbnail', 'x'])}"
    prefix = rng.choice(["menu", "gen", "face", "hist", "buy", "sub"])
    action = rng.choice(["page", "show", "del", "save", "skip", "mode", "again", "file", "pack"])
    return f"{prefix}:{action}:{value}"


# (kind, free text, seed) per update
drawn = st.tuples(
    st.sampled_from([kind for kind, weight in KINDS.items() for _ in range(weight)]),
    free_texts,
    st.integers(0, 2**32 - 1),
)
batches = st.tuples(
    st.lists(drawn, min_size=BATCH, max_size=BATCH),
    st.integers(0, USERS - 1),  # the first recipe's user; the others follow in turn
)


# --- the world the recipes are played in ----------------------------------------------


class ErrorRecords(logging.Handler):
    """Every ERROR (or worse) record of the process while the fuzz runs, of any logger
    (the e2e conftest's check watches the project's loggers only)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Expectations:
    """What a batch must have made the bot do."""

    chats: dict[SandboxUser, int] = field(default_factory=dict)  # private chat -> events seen
    presses: list[str] = field(default_factory=list)
    pre_checkouts: list[str] = field(default_factory=list)


@dataclass
class FuzzWorld:
    sandbox: SandboxServer
    services: Services
    users: list[SandboxUser]
    groups: list[ChatInfo]
    foreign_buttons: list[str]
    media: dict[str, list[dict[str, Any]]]
    profiles: dict[int, uuid.UUID] = field(default_factory=dict)
    presses: list[str] = field(default_factory=list)
    examples: int = 0
    baseline_rss: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    pushed: int = 0
    answers: Counter[str] = field(default_factory=Counter)  # answerCallbackQuery calls per id

    async def play(self, batch: list[tuple[str, str, int]], first_user: int) -> None:
        """Pushes one batch, then waits until everything in it was answered.

        Hypothesis repeats much of an example in the next (it mutates earlier ones), so
        a seed is combined with the update's position in the run: no two updates are
        the same."""
        expected = Expectations()
        for number, (kind, text, seed) in enumerate(batch):
            user_index = (first_user + number) % USERS
            user = self.users[user_index]
            self.pushed += 1
            made = recipe(kind, text, random.Random(seed << 16 | self.pushed))
            self.kinds[kind] += 1
            update = await self._update(made, user, user_index, expected)
            self.sandbox.push_raw_update(update)
        await self._answered(expected)
        self.forget_history()
        self.examples += 1
        if self.examples == WARM_UP_EXAMPLES:
            self.baseline_rss = rss_bytes()

    async def _update(
        self, recipe: Any, user: SandboxUser, user_index: int, expected: Expectations
    ) -> dict[str, Any]:
        if isinstance(recipe, Message):
            return await self._message(recipe, user, user_index, expected)
        if isinstance(recipe, Press):
            query = self._press(recipe, user)
            expected.presses.append(query["id"])
            return {"callback_query": query}
        if isinstance(recipe, PreCheckout):
            payload = await self._payload(recipe.payload, recipe.own_profile, user)
            query = pre_checkout_query(self.sandbox, user, payload, recipe.currency, recipe.amount)
            expected.pre_checkouts.append(query["id"])
            return {"pre_checkout_query": query}
        return dict(recipe.update)

    async def _message(
        self, recipe: Message, user: SandboxUser, user_index: int, expected: Expectations
    ) -> dict[str, Any]:
        chat = user.in_chat(self.groups[user_index % len(self.groups)]) if recipe.in_group else user
        content = await self._content(recipe.content, user)
        if recipe.reply and chat.messages():
            content["reply_to_message"] = chat.messages()[-1].data
        message = user_message(chat, content)
        sender = message.pop("from")
        if not recipe.without_sender:
            message["from"] = {
                **sender,
                "first_name": recipe.first_name or "x",
                "language_code": recipe.language,
            }
        private = not recipe.in_group
        if private and not isinstance(recipe.content, Payment):
            expected.chats[chat] = chat.log.event_count
        return {"message": message}

    async def _content(self, content: Any, user: SandboxUser) -> dict[str, Any]:
        if isinstance(content, Text):
            return {"text": content.text or " ", "entities": content.entities}
        if isinstance(content, Command):
            head = f"/{content.name}"
            text = " ".join([head, *content.args])
            entity = {"type": "bot_command", "offset": 0, "length": len(head)}
            return {"text": (" " if content.leading_space else "") + text, "entities": [entity]}
        if isinstance(content, Media):
            options = self.media[content.kind]
            item = dict(options[content.index % len(options)])
            body: dict[str, Any] = {content.kind: item}
            if content.kind == "photo":
                item = body["photo"] = [dict(size) for size in item["sizes"]]
                if content.size is not None:
                    item[-1]["file_size"] = content.size
            elif content.size is not None:
                item["file_size"] = content.size
            if content.caption and content.kind != "sticker":
                body["caption"] = content.caption
            return body
        if isinstance(content, Payment):
            payload = content.junk_payload
            if content.kind == "successful_payment":
                payload = await self._payload(content.product, True, user)
            charge = f"stxfuzz{uuid.uuid4().hex}"
            paid = {
                "currency": content.currency,
                "total_amount": content.amount,
                "invoice_payload": payload,
                "telegram_payment_charge_id": charge,
            }
            if content.kind == "successful_payment":
                paid["provider_payment_charge_id"] = ""
            return {content.kind: paid}
        return {content.field: OTHER_CONTENT[content.field]}

    async def _payload(self, drawn: str, own_profile: bool, user: SandboxUser) -> str:
        """A product id becomes an invoice payload (the user's own profile or a
        stranger's); anything else is sent as it is."""
        if drawn not in PRODUCTS:
            return drawn
        kind = ProductKind.SUBSCRIPTION if drawn.startswith("monthly") else ProductKind.PACK
        profile = self.profiles[user.id] if own_profile else uuid.uuid4()
        return InvoicePayload(kind, drawn, profile).encode()

    def _press(self, recipe: Press, user: SandboxUser) -> dict[str, Any]:
        own = [(m, data) for m in user.messages() for data in callback_datas(m)]
        attached, own_data = own[recipe.pick % len(own)]
        data: str | None = {
            "own": own_data,
            "foreign": self.foreign_buttons[recipe.pick % len(self.foreign_buttons)],
            "none": None,  # a game button
        }.get(recipe.source, recipe.data)
        message = {"own": attached.data, "inline": None, "inaccessible": INACCESSIBLE}[
            recipe.message
        ]
        query = callback_query(self.sandbox, user, mutated(data, recipe.mutation), message)
        self.presses.append(query["id"])
        return query

    async def _answered(self, expected: Expectations) -> None:
        queries = self.sandbox.world.queries
        waits = [queries.wait_answer(q, ANSWER_TIMEOUT) for q in expected.presses]
        waits += [queries.wait_answer(q, ANSWER_TIMEOUT) for q in expected.pre_checkouts]
        waits += [self._chat_answered(chat, seen) for chat, seen in expected.chats.items()]
        results = await asyncio.gather(*waits, return_exceptions=True)
        missed = [r for r in results if isinstance(r, BaseException)]
        assert not missed, f"{len(missed)} updates of the batch were never answered: {missed[:3]}"

    def forget_history(self) -> None:
        """Counts the answers to presses, then lets the sandbox forget its call log, chat
        events and answered queries, so the memory figure is about the bot rather than
        the sandbox's records."""
        calls = self.sandbox.api_calls
        self.answers.update(
            str(call.params.get("callback_query_id"))
            for call in calls
            if call.method.lower() == "answercallbackquery"
        )
        calls.clear()
        self.sandbox.world.forget_history()

    async def _chat_answered(self, chat: SandboxUser, seen: int) -> None:
        log = chat.log
        try:
            await log.changed.wait_for(lambda: log.event_count > seen or None, ANSWER_TIMEOUT)
        except TimeoutError:
            raise AssertionError(f"no answer in chat {chat.chat_id}") from None


def callback_datas(message: SentMessage) -> list[str]:
    return [b["callback_data"] for b in message.buttons if "callback_data" in b]


def mutated(data: str | None, mutation: str) -> str | None:
    """Near-valid callback data: cut short, lengthened, with a huge number, upper case."""
    if data is None or mutation == "none":
        return data
    if mutation == "truncate":
        return data[: max(len(data) - 3, 0)]
    if mutation == "append":
        return data + ":x"
    if mutation == "digits":
        return re.sub(r"\d+", "99999999999999999999", data) if re.search(r"\d", data) else data
    return data.upper()


def rss_bytes() -> int:
    """This process's resident memory (VmRSS, from /proc/self/status) after a garbage
    collection and after glibc returned its free heap pages to the system, so that
    fragmentation left by short-lived objects does not count as growth."""
    gc.collect()
    ctypes.CDLL(None).malloc_trim(0)
    status = Path("/proc/self/status").read_text()
    kilobytes = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    assert kilobytes is not None
    return int(kilobytes.group(1)) * 1024


# --- setting the world up ---------------------------------------------------------------


@pytest.fixture(scope="module")
async def fuzz_services(
    create_database: Callable[[], str],
    youtube: YouTubeStandIn,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Services]:
    """Services on a database of their own, so the fuzz's users and jobs stay apart
    from the other tests' bots."""
    conninfo = create_database()
    await apply_migrations(conninfo)
    db = Database(conninfo, min_size=2, max_size=40)
    await db.open()
    settings_ = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("fuzz-data"),
        admin_ids=frozenset({FIRST_USER_ID + ADMIN_USER}),
    )
    videos = YouTubeClient(
        oembed_url=youtube.oembed_url, thumbnail_url_template=youtube.thumbnail_url_template
    )
    yield await build_services(settings_, db, videos=videos)
    await db.close()


@pytest.fixture(scope="module")
async def fuzz_world(fuzz_services: Services) -> AsyncIterator[FuzzWorld]:
    """Its own sandbox and bot, without flood limits on either side: 5,000 answers at
    Telegram's 30 messages a second would take minutes."""
    sandbox = await SandboxServer().start()
    token = sandbox.register_bot(BOT_USERNAME, first_name="Fuzz Bot")
    unlimited = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=0)
    application: Application = build_application(  # type: ignore[type-arg]
        token, sandbox.url, fuzz_services, rate_limiter=unlimited
    )
    await start_polling(application)
    worker = build_worker(application, fuzz_services, WORKER_OPTIONS)
    worker.start()
    try:
        yield await _populated(sandbox, fuzz_services)
    finally:
        await worker.stop()
        await stop_bot(application)
        await sandbox.stop()


async def _populated(sandbox: SandboxServer, services: Services) -> FuzzWorld:
    """The users (started), a few groups, stored media, and one more user whose
    buttons (a face, a pending upload, a draft, packs, the plan) others will press."""
    users = [
        sandbox.user(FIRST_USER_ID + n, first_name=f"Fuzz{n}", language_code="en")
        for n in range(USERS)
    ]
    await asyncio.gather(*(user.send_command("/start") for user in users))
    await asyncio.gather(*(user.wait_for_message(containing("Welcome")) for user in users))
    groups = [sandbox.group(title=f"Fuzz group {n}") for n in range(3)]
    world = FuzzWorld(
        sandbox,
        services,
        users,
        groups,
        await _foreign_buttons(sandbox.user(FIRST_USER_ID + USERS, first_name="Other")),
        _media(sandbox),
    )
    for user in users:
        profile = await services.accounts.find_by_telegram_id(user.id)
        assert profile is not None
        world.profiles[user.id] = profile.id
    return world


async def _foreign_buttons(other: SandboxUser) -> list[str]:
    """Every button of another user's chat: a saved face, a pending upload, /faces,
    /buy, /subscription and a /generate draft."""
    await other.send_command("/start")
    await other.wait_for_message(containing("Welcome"))
    await other.send_photo(sample_face())
    offer = await other.wait_for_message(with_button("Save as face"))
    await other.wait_for_callback_answer(await other.press(offer, "✅ Save as face"))
    await other.wait_for_message(containing("Saved!"))
    await other.send_photo(sample_face(seed=1))
    await other.wait_for_message(with_button("Save as face"))
    await other.send_command("/faces")
    await other.wait_for_message(with_photo)
    for command in ("/buy", "/subscription", "/generate"):
        await other.send_command(command)
        await other.wait_for_message()
    return sorted({data for message in other.messages() for data in callback_datas(message)})


def _media(sandbox: SandboxServer) -> dict[str, list[dict[str, Any]]]:
    """Photos, documents and stickers the sandbox stores, as their Telegram objects."""
    files = sandbox.world.files
    photos = [sample_face(), sample_image(64, 64), sample_image(1280, 720, "PNG")]
    documents = [
        files.add("document", sample_face(), file_name="me.jpg", mime_type="image/jpeg"),
        files.add("document", b"not an image", file_name="fake.png", mime_type="image/png"),
        files.add("document", b"%PDF-1.4", file_name="doc.pdf", mime_type="application/pdf"),
        files.add("document", sample_image(300, 300, "WEBP"), file_name="w", mime_type=None),
    ]
    sticker = files.add("sticker", sample_sticker(), width=512, height=512)
    return {
        "photo": [{"sizes": [s.photo_size() for s in files.add_photo(p)]} for p in photos],
        "document": [stored.document() for stored in documents],
        "sticker": [
            {
                **sticker.photo_size(),
                "type": "regular",
                "is_animated": False,
                "is_video": False,
                "emoji": "🙂",
            }
        ],
    }


# --- the property -----------------------------------------------------------------------


async def test_no_update_crashes_the_bot_or_goes_unanswered(fuzz_world: FuzzWorld):
    errors = ErrorRecords()
    logging.getLogger().addHandler(errors)
    loop = asyncio.get_running_loop()
    started = time.monotonic()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # the world keeps state: no shrinking
        suppress_health_check=list(HealthCheck),
    )
    @given(batches)
    def fuzz(batch: tuple[list[tuple[str, str, int]], int]) -> None:
        future = asyncio.run_coroutine_threadsafe(fuzz_world.play(*batch), loop)
        future.result(timeout=ANSWER_TIMEOUT * 3)
        assert not errors.records, f"the bot logged: {_described(errors.records[0])}"

    try:
        await asyncio.to_thread(fuzz)
        await asyncio.sleep(1.0)  # the worker may still deliver something
        fuzz_world.forget_history()
    finally:
        logging.getLogger().removeHandler(errors)
    growth = rss_bytes() - fuzz_world.baseline_rss
    elapsed = time.monotonic() - started
    print(
        f"\nfuzz: {fuzz_world.pushed} updates {dict(fuzz_world.kinds)} in {elapsed:.1f} s; "
        f"RSS growth after warm-up {growth / 2**20:.1f} MB"
    )

    assert fuzz_world.pushed == EXAMPLES * BATCH >= 5000
    assert [_described(r) for r in errors.records] == []
    answers = fuzz_world.answers
    assert {q: answers[q] for q in fuzz_world.presses if answers[q] != 1} == {}
    assert growth < MAX_RSS_GROWTH_BYTES

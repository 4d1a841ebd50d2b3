"""Act as a Telegram user: send messages, press buttons, pay, and read the bot's replies.

A :class:`SandboxUser` is one user talking to one bot in one chat (their private chat
by default; ``user.in_chat(group)`` for a group). Actions produce the same updates
Telegram would send, and the reading side sees exactly what the bot sent through the
API. ``wait_for_message`` reads the chat's bot events (sent and edited messages) with
a per-view cursor: each call returns the first matching event after the previous
result, skipping non-matching ones, like an ``expect`` script.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sandbox.accounts import BotAccount, ChatInfo, UserAccount
from sandbox.chatlog import ChatLog, StoredMessage
from sandbox.entities import detect_entities, utf16_len
from sandbox.files import guess_mime_type
from sandbox.payments import Charge, Invoice
from sandbox.samples import sample_image, sample_sticker
from sandbox.state import World
from sandbox.validation import check_upload_size
from sandbox.views import CallbackAnswer, PaymentResult, SentMessage, file_id_of

MessageRef = SentMessage | StoredMessage | int
Predicate = Callable[[SentMessage], bool]


class SandboxUser:
    """One user in one chat with one bot."""

    def __init__(
        self,
        world: World,
        bot: BotAccount,
        account: UserAccount,
        chat: ChatInfo | None = None,
        _views: dict[int, SandboxUser] | None = None,
    ) -> None:
        self.world = world
        self.bot = bot
        self.account = account
        self.chat = chat or ChatInfo.private(account)
        self._views = _views if _views is not None else {}
        self._views.setdefault(self.chat.id, self)
        self._cursor = self.log.event_count

    def __repr__(self) -> str:
        return f"<SandboxUser {self.account.id} in chat {self.chat.id} with @{self.bot.username}>"

    @property
    def id(self) -> int:
        return self.account.id

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def log(self) -> ChatLog:
        return self.world.log(self.bot.id, self.chat.id)

    def in_chat(self, chat: ChatInfo) -> SandboxUser:
        """The same user acting in another chat (a group); views are cached."""
        view = self._views.get(chat.id)
        if view is None:
            view = SandboxUser(self.world, self.bot, self.account, chat, self._views)
        return view

    # --- sending ----------------------------------------------------------------------

    async def send_text(
        self,
        text: str,
        *,
        reply_to: MessageRef | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Send a text message; Telegram-style entities (commands, links...) are added."""
        content: dict[str, Any] = {"text": text}
        found = detect_entities(text, entities)
        if found:
            content["entities"] = found
        return await self._send(content, reply_to)

    async def send_command(
        self,
        command: str,
        payload: str | None = None,
        *,
        mention_bot: bool | None = None,
    ) -> dict[str, Any]:
        """Send ``/command [payload]``; in groups it becomes ``/command@botname``."""
        head = command if command.startswith("/") else f"/{command}"
        mention = self.chat.type != "private" if mention_bot is None else mention_bot
        if mention:
            head = f"{head}@{self.bot.username}"
        text = f"{head} {payload}" if payload else head
        command_entity = {"type": "bot_command", "offset": 0, "length": utf16_len(head)}
        return await self._send({"text": text, "entities": detect_entities(text, [command_entity])})

    async def send_photo(
        self,
        data: bytes | None = None,
        *,
        caption: str | None = None,
        width: int = 1280,
        height: int = 720,
    ) -> dict[str, Any]:
        """Send a compressed photo (a generated image of width x height if no data)."""
        data = data if data is not None else sample_image(width, height)
        check_upload_size("photo", len(data))
        sizes = self.world.files.add_photo(data)
        content = {"photo": [size.photo_size() for size in sizes]}
        return await self._send(self._with_caption(content, caption))

    async def send_document(
        self,
        data: bytes,
        file_name: str = "document.bin",
        mime_type: str | None = None,
        *,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """Send a file as a document (uncompressed)."""
        stored = self.world.files.add(
            "document",
            data,
            file_name=file_name,
            mime_type=guess_mime_type(file_name, mime_type),
        )
        return await self._send(self._with_caption({"document": stored.document()}, caption))

    async def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        """Send a regular static sticker."""
        stored = self.world.files.add("sticker", sample_sticker(), width=512, height=512)
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "SandboxStickers",
        }
        return await self._send({"sticker": sticker})

    def _with_caption(self, content: dict[str, Any], caption: str | None) -> dict[str, Any]:
        if caption:
            content["caption"] = caption
            found = detect_entities(caption)
            if found:
                content["caption_entities"] = found
        return content

    async def _send(
        self, content: dict[str, Any], reply_to: MessageRef | None = None
    ) -> dict[str, Any]:
        self._open_private_chat()
        body = dict(content)
        if reply_to is not None:
            replied = self._record(reply_to).snapshot()
            replied.pop("reply_to_message", None)
            body["reply_to_message"] = replied
        message = self.world.new_message(self.bot, self.chat, self.account.user_object(), body)
        if self._bot_receives(message.data):
            self.world.push_update(self.bot, "message", message.snapshot())
        await asyncio.sleep(0)
        return message.snapshot()

    def _bot_receives(self, data: dict[str, Any]) -> bool:
        """Group privacy mode: only commands, mentions and replies reach the bot."""
        if self.chat.type == "private" or not self.bot.privacy_mode:
            return True
        text = data.get("text") or data.get("caption") or ""
        mention = f"@{self.bot.username}"
        if text.startswith("/"):
            command = text.split()[0]
            return "@" not in command or command.endswith(mention)
        replied = data.get("reply_to_message") or {}
        return mention in text or replied.get("from", {}).get("id") == self.bot.id

    def _open_private_chat(self) -> None:
        """Writing to a bot starts it, and restarts it after a block (like Telegram)."""
        if self.chat.type != "private":
            return
        if self.bot.id in self.account.blocked_bots:
            self.account.blocked_bots.discard(self.bot.id)
            self._push_member_change("kicked", "member")
        self.account.started_bots.add(self.bot.id)

    # --- buttons ----------------------------------------------------------------------

    async def press(self, message: MessageRef, button: str) -> str | None:
        """Press a button by its text or callback_data.

        Inline callback buttons produce a ``callback_query`` update and return its id
        (see :meth:`wait_for_callback_answer`); reply-keyboard buttons send their text
        and return ``None``.
        """
        record = self._record(message)
        markup = record.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard")
        found = None
        for row in rows or []:
            for candidate in row:
                entry = candidate if isinstance(candidate, dict) else {"text": candidate}
                if button in (entry.get("text"), entry.get("callback_data")):
                    found = entry
                    break
            if found is not None:
                break
        if found is None:
            texts = SentMessage.latest(record).button_texts
            raise LookupError(f"no button {button!r} on message {record.message_id}; has {texts}")
        if "keyboard" in markup:
            await self.send_text(found["text"])
            return None
        if "callback_data" not in found:
            raise ValueError(f"button {button!r} has no callback_data; only those can be pressed")
        query = self.world.queries.open(
            "callback_query",
            self.bot.id,
            self.account.id,
            self.chat.id,
            {"data": found["callback_data"], "message_id": record.message_id},
        )
        self.world.push_update(
            self.bot,
            "callback_query",
            {
                "id": query.id,
                "from": self.account.user_object(),
                "message": record.snapshot(),
                "chat_instance": str(abs(hash((self.bot.id, self.chat.id)))),
                "data": found["callback_data"],
            },
        )
        await asyncio.sleep(0)
        return query.id

    async def wait_for_callback_answer(
        self,
        query_id: str,
        timeout: float = 10.0,  # noqa: ASYNC109 - test-facing convenience
    ) -> CallbackAnswer:
        """The bot's answerCallbackQuery for a press."""
        try:
            await self.world.queries.wait_answer(query_id, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"bot did not answer callback query {query_id} within {timeout}s"
            ) from None
        return next(a for a in self.answered_callbacks() if a.query_id == query_id)

    def answered_callbacks(self) -> list[CallbackAnswer]:
        """Answers to this chat's button presses, in the order they were pressed."""
        answers = []
        for query in self.world.queries.answered("callback_query", self.bot.id, self.chat.id):
            answer = query.answer or {}
            answers.append(
                CallbackAnswer(
                    query_id=query.id,
                    data=query.context.get("data"),
                    message_id=query.context.get("message_id"),
                    text=answer.get("text"),
                    show_alert=bool(answer.get("show_alert")),
                    url=answer.get("url"),
                    cache_time=int(answer.get("cache_time") or 0),
                )
            )
        return answers

    # --- payments ---------------------------------------------------------------------

    async def pay(
        self,
        invoice: MessageRef | str,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - Telegram's pre-checkout deadline
    ) -> PaymentResult:
        """Pay an invoice message or invoice link.

        Sends a ``pre_checkout_query``, waits for answerPreCheckoutQuery and, if the bot
        said ok, posts the ``successful_payment`` service message. Raises TimeoutError
        if the bot does not answer in time (Telegram allows 10 seconds).
        """
        details = self.invoice_of(invoice)
        self._open_private_chat()
        query = self.world.queries.open(
            "pre_checkout_query", self.bot.id, self.account.id, self.chat.id
        )
        self.world.push_update(
            self.bot,
            "pre_checkout_query",
            {
                "id": query.id,
                "from": self.account.user_object(),
                "currency": details.currency,
                "total_amount": details.total_amount,
                "invoice_payload": details.payload,
            },
        )
        try:
            answer = await self.world.queries.wait_answer(query.id, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"bot did not answer pre_checkout_query {query.id} within {timeout}s"
            ) from None
        if not answer["ok"]:
            return PaymentResult(False, answer.get("error_message"), pre_checkout_query_id=query.id)
        charge = self.world.payments.charge(self.bot.id, self.account.id, details, self.world.now())
        message = await self._service_message({"successful_payment": charge.successful_payment()})
        return PaymentResult(True, charge=charge, message=message, pre_checkout_query_id=query.id)

    async def renew_subscription(
        self, payment: PaymentResult | Charge | str, *, advance_time: bool = False
    ) -> PaymentResult:
        """Charge the next period of a Stars subscription, as Telegram does at expiry.

        With ``advance_time`` the sandbox clock first jumps to the current expiration.
        Returns ``ok=False`` if the bot cancelled the subscription.
        """
        charge = self._charge(payment)
        latest = self.world.payments.latest_in_subscription(charge)
        if latest.expiration_date is None:
            raise ValueError(f"charge {latest.charge_id} is not a subscription payment")
        if latest.subscription_canceled:
            return PaymentResult(False, "subscription was canceled by the bot", charge=latest)
        if advance_time and latest.expiration_date > self.world.now():
            self.world.time_offset += latest.expiration_date - self.world.now()
        renewal = self.world.payments.charge(
            self.bot.id, self.account.id, latest.invoice, self.world.now(), previous=latest
        )
        message = await self._service_message({"successful_payment": renewal.successful_payment()})
        return PaymentResult(True, charge=renewal, message=message)

    async def notify_refund(self, payment: PaymentResult | Charge | str) -> dict[str, Any]:
        """Post the ``refunded_payment`` service message for a charge (marks it refunded)."""
        charge = self._charge(payment)
        charge.refunded = True
        return await self._service_message({"refunded_payment": charge.refunded_payment()})

    def invoice_of(self, invoice: MessageRef | str) -> Invoice:
        """What an invoice message or invoice link asks to pay (title, payload, price)."""
        if isinstance(invoice, str):
            try:
                return self.world.payments.invoice_links[invoice]
            except KeyError:
                raise LookupError(f"unknown invoice link {invoice!r}") from None
        details = self._record(invoice).extra.get("invoice")
        if not isinstance(details, Invoice):
            raise ValueError("this message is not an invoice")
        return details

    def _charge(self, payment: PaymentResult | Charge | str) -> Charge:
        if isinstance(payment, PaymentResult):
            if payment.charge is None:
                raise ValueError("this payment did not succeed")
            return payment.charge
        if isinstance(payment, Charge):
            return payment
        return self.world.payments.find(self.bot.id, self.account.id, payment)

    async def _service_message(self, content: dict[str, Any]) -> dict[str, Any]:
        message = self.world.new_message(self.bot, self.chat, self.account.user_object(), content)
        self.world.push_update(self.bot, "message", message.snapshot())
        await asyncio.sleep(0)
        return message.snapshot()

    # --- blocking ---------------------------------------------------------------------

    async def block_bot(self) -> None:
        """Block the bot: it gets ``my_chat_member`` and 403 on further messages."""
        if self.bot.id not in self.account.blocked_bots:
            self.account.blocked_bots.add(self.bot.id)
            self._push_member_change("member", "kicked")
        await asyncio.sleep(0)

    async def unblock_bot(self) -> None:
        """Unblock (restart) the bot."""
        self._open_private_chat()
        await asyncio.sleep(0)

    def _push_member_change(self, old: str, new: str) -> None:
        def member(status: str) -> dict[str, Any]:
            body: dict[str, Any] = {"status": status, "user": self.bot.user_object()}
            if status == "kicked":
                body["until_date"] = 0
            return body

        self.world.push_update(
            self.bot,
            "my_chat_member",
            {
                "chat": self.chat.chat_object(),
                "from": self.account.user_object(),
                "date": self.world.now(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    # --- reading ----------------------------------------------------------------------

    def messages(self, *, include_deleted: bool = False) -> list[SentMessage]:
        """The bot's messages in this chat, oldest first, in their current state."""
        return [SentMessage.latest(m) for m in self.log.bot_messages(include_deleted)]

    def last_message(self) -> SentMessage | None:
        found = self.messages()
        return found[-1] if found else None

    async def wait_for_message(
        self,
        predicate: Predicate | None = None,
        timeout: float | None = 10.0,  # noqa: ASYNC109 - test-facing convenience
    ) -> SentMessage:
        """The next bot message or edit (after the previous result) matching *predicate*."""
        log = self.log

        def next_match() -> SentMessage | None:
            self._cursor = max(self._cursor, log.forgotten_events)
            while self._cursor < log.event_count:
                event = log.event_at(self._cursor)
                self._cursor += 1
                if event is None or event.kind == "deleted":
                    continue
                view = SentMessage.from_event(event)
                if predicate is None or predicate(view):
                    return view
            return None

        try:
            return await log.changed.wait_for(next_match, timeout)
        except TimeoutError:
            seen = [repr(m) for m in self.messages()]
            raise TimeoutError(
                f"no matching bot message in chat {self.chat.id} within {timeout}s; "
                f"bot messages so far: {seen}"
            ) from None

    def successful_payments(self) -> list[dict[str, Any]]:
        """The user's ``successful_payment`` service messages in this chat, oldest first."""
        return [
            message.snapshot()
            for message in self.log.messages.values()
            if not message.from_bot and "successful_payment" in message.data
        ]

    def chat_actions(self) -> list[str]:
        """sendChatAction actions in this chat, oldest first."""
        return [record.action for record in self.log.actions]

    def file_bytes(self, target: SentMessage | dict[str, Any] | str) -> bytes:
        """Bytes of a message's document/sticker/largest photo, or of a file_id."""
        if isinstance(target, SentMessage):
            file_id = target.file_id
        elif isinstance(target, dict):
            file_id = file_id_of(target)
        else:
            file_id = target
        stored = self.world.files.get(file_id or "")
        if stored is None:
            raise LookupError(f"no file for {target!r}")
        return stored.data

    def _record(self, message: MessageRef) -> StoredMessage:
        if isinstance(message, SentMessage):
            message = message.record
        if isinstance(message, StoredMessage):
            message = message.message_id
        record = self.log.get(message)
        if record is None:
            raise LookupError(f"message {message} does not exist in chat {self.chat.id}")
        return record

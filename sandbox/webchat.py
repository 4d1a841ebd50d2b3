"""The sandbox as a web chat: a page that looks and behaves like a Telegram chat with the
bot, served by the bot's own web server in sandbox mode (``python -m bot`` without a token).

The page (``sandbox/web/``: hand-written HTML, CSS and JavaScript, no build step, nothing
fetched from elsewhere) talks to the JSON API here, which acts through the same
:class:`SandboxUser` API the tests use: sending text, photos and files, pressing buttons,
paying invoices, following bot links. What the bot does arrives over server-sent events:
one stream per open chat sends the chat's messages (again when edited), chat actions, the
command menu the bot set for that user, the users and groups, and per-chat message counts
for unread badges. The world's journal (``DATA_DIR/sandbox``) keeps it all across restarts.

Bot text reaches the page as Telegram sends it to clients, plain text plus entities; the
page builds DOM nodes from them and never parses bot text as HTML.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from aiohttp import BodyPartReader, web

from sandbox.accounts import ChatInfo, UserAccount
from sandbox.chatlog import ChatLog, StoredMessage
from sandbox.console import _bot_link, stable_user_id
from sandbox.errors import ApiError
from sandbox.payments import Invoice
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from sandbox.validation import MAX_DOCUMENT_BYTES

PAGE_DIR = Path(__file__).with_name("web")
_ASSET_TYPES = {".js": "text/javascript", ".css": "text/css"}
# The page runs only its own script and style and talks only to this server.
_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# A file someone uploaded, opened in a tab, runs nothing and reaches nothing of the page.
_FILE_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
_INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*")
_PREVIEW_SIDE = 800  # the photo size a chat shows inline; a click opens the largest
_TICK_SECONDS = 0.5  # how often a stream looks at other chats (its own wakes it at once)
_HEARTBEAT_SECONDS = 10.0  # a comment line, so a closed tab is noticed
_ANSWER_SECONDS = 10.0  # Telegram's deadline for callback and pre-checkout answers
MAX_NAME = 64
MAX_TITLE = 128

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadInput(Exception):
    """A request the page should not have made (an unknown user, a chat not theirs)."""


class WebChat:
    """The web chat over one sandbox server and its default bot.

    ``admin_ids`` are the bot's admins (shown with a badge); ``default_user`` is the
    user a new page acts as. Both exist as users from the start.
    """

    def __init__(
        self,
        server: SandboxServer,
        *,
        default_user: int,
        admin_ids: frozenset[int] = frozenset(),
    ) -> None:
        self.server = server
        self.world = server.world
        self.bot = server.bot()
        self.admin_ids = admin_ids
        self.default_user = default_user
        self._closing = asyncio.Event()
        self._ensure_user(default_user, "You")
        for number, admin_id in enumerate(sorted(admin_ids - {default_user}), 1):
            self._ensure_user(admin_id, "Admin" if number == 1 else f"Admin {number}")

    def mount(self, app: web.Application) -> None:
        """Adds the page and its API to *app*; its streams end when the app shuts down."""
        app.router.add_get("/", self.page)
        app.router.add_get("/webchat/{name}", self.asset)
        app.router.add_get("/api/state", _answering(self.first_state))
        app.router.add_get("/api/chats/{chat_id}/events", self.events)
        app.router.add_post("/api/chats/{chat_id}/messages", _answering(self.send_text))
        app.router.add_post("/api/chats/{chat_id}/files", _answering(self.send_file))
        app.router.add_post("/api/chats/{chat_id}/press", _answering(self.press))
        app.router.add_post("/api/chats/{chat_id}/pay", _answering(self.pay))
        app.router.add_get("/api/chats/{chat_id}/invoice", _answering(self.invoice))
        app.router.add_post("/api/open", _answering(self.open_link))
        app.router.add_get("/api/files/{file_id}", self.file)
        app.router.add_post("/api/users", _answering(self.create_user))
        app.router.add_post("/api/users/{user_id}", _answering(self.update_user))
        app.router.add_post("/api/groups", _answering(self.create_group))
        app.on_shutdown.append(self._shut_down)

    async def _shut_down(self, app: web.Application) -> None:
        self._closing.set()

    # --- the page ---------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.Response:
        body = await asyncio.to_thread((PAGE_DIR / "index.html").read_bytes)
        return web.Response(body=body, content_type="text/html", headers=_page_headers())

    async def asset(self, request: web.Request) -> web.Response:
        path = PAGE_DIR / request.match_info["name"]
        content_type = _ASSET_TYPES.get(path.suffix)
        if content_type is None or path.parent != PAGE_DIR or not path.is_file():
            raise web.HTTPNotFound()
        body = await asyncio.to_thread(path.read_bytes)
        return web.Response(body=body, content_type=content_type, headers=_page_headers())

    async def file(self, request: web.Request) -> web.Response:
        """A file's bytes: images inline (the page shows them), anything else as a
        download; ``?download=1`` downloads an image too."""
        stored = self.world.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        default = {"photo": "image/jpeg", "sticker": "image/webp"}.get(stored.kind)
        content_type = stored.mime_type or default or "application/octet-stream"
        headers = {
            "Content-Security-Policy": _FILE_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=86400, immutable",
        }
        if content_type not in _INLINE_TYPES or request.query.get("download"):
            name = stored.file_name or Path(stored.file_path).name
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        data = await asyncio.to_thread(lambda: stored.data)
        return web.Response(body=data, content_type=content_type, headers=headers)

    # --- live updates -----------------------------------------------------------------

    async def events(self, request: web.Request) -> web.StreamResponse:
        """The open chat as server-sent events: everything in it first (then ``ready``),
        then each change as it happens, until the page goes away or the bot stops."""
        try:
            user, chat = self._chat_of(request, request.query.get("as"))
        except BadInput as error:
            return web.json_response({"error": str(error)}, status=400)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        stream = ChatStream(self, user, chat)
        try:
            async for event, payload in stream.changes(self._closing):
                line = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
                await response.write(f"event: {event}\ndata: {line}\n\n".encode())
        except ConnectionResetError:
            pass  # the page was closed or reloaded
        return response

    async def first_state(self, request: web.Request) -> dict[str, Any]:
        """What a page needs before it opens a chat: the users and groups there are, and
        whom to act as when it remembers nobody."""
        default = self.world.users[self.default_user]
        return {**self.state(default), "default_user": default.id}

    def state(self, viewer: UserAccount) -> dict[str, Any]:
        """Who the bot is, the users one can act as and the groups there are."""
        return {
            "bot": {
                "id": self.bot.id,
                "username": self.bot.username,
                "name": self.bot.first_name,
            },
            "me": viewer.id,
            "users": [
                {
                    "id": account.id,
                    "name": _full_name(account.user_object()),
                    "language": account.language_code or "",
                    "admin": account.id in self.admin_ids,
                }
                for account in self.world.users.values()
            ],
            "groups": [
                {"id": group.id, "title": group.title or "Group"}
                for group in self.world.groups.values()
            ],
        }

    def message_counts(self) -> dict[str, int]:
        """The bot's messages in every chat (private chats by user id), for badges."""
        counts: dict[str, int] = {}
        for (bot_id, chat_id), log in self.world.logs.items():
            if bot_id == self.bot.id:
                counts[str(chat_id)] = sum(
                    1 for m in log.messages.values() if m.from_bot and not m.deleted
                )
        return counts

    # --- acting as a user -------------------------------------------------------------

    async def send_text(self, request: web.Request) -> dict[str, Any]:
        """A text message (a command when it starts with /), maybe a reply."""
        body = await _json(request)
        user = self._acting(request, body)
        text = str(body.get("text") or "").strip()
        if not text:
            raise BadInput("type a message first")
        replied = self._message(user, body["reply_to"]) if body.get("reply_to") else None
        sent = await user.send_text(text, reply_to=replied)
        user.log.changed.notify()
        return {"id": sent["message_id"]}

    async def send_file(self, request: web.Request) -> dict[str, Any]:
        """A photo (compressed, as Telegram's "send as photo") or a file as a document,
        from a multipart form: ``as``, ``kind`` (photo or document), ``caption``, ``file``."""
        fields, upload = await _form(request)
        user = self._acting(request, fields)
        if upload is None:
            raise BadInput("choose a file to send")
        name, content_type, data = upload
        caption = fields.get("caption", "").strip() or None
        if fields.get("kind") == "photo":
            sent = await user.send_photo(data, caption=caption)
        else:
            sent = await user.send_document(data, name, content_type, caption=caption)
        user.log.changed.notify()
        return {"id": sent["message_id"]}

    async def press(self, request: web.Request) -> dict[str, Any]:
        """An inline callback button (by row and column of the message's keyboard, as
        it is now): the bot's answer comes back as a popup text or an alert."""
        body = await _json(request)
        user = self._acting(request, body)
        message = self._message(user, body.get("message_id"))
        button = _button_at(message.reply_markup, body.get("row"), body.get("column"))
        data = button.get("callback_data")
        if not isinstance(data, str):
            raise BadInput("this button has no callback data")
        query_id = await user.press(message.message_id, data)
        assert query_id is not None
        try:
            answer = await user.wait_for_callback_answer(query_id, timeout=_ANSWER_SECONDS)
        except TimeoutError:
            return {"answered": False}
        return {"answered": True, "text": answer.text, "show_alert": answer.show_alert}

    async def invoice(self, request: web.Request) -> dict[str, Any]:
        """What the payment sheet shows for an invoice message or an invoice link."""
        user = self._acting(request, dict(request.query))
        return _invoice_view(user.invoice_of(self._invoice_target(user, dict(request.query))))

    async def pay(self, request: web.Request) -> dict[str, Any]:
        """Pays an invoice message or link as Telegram's payment form does: a
        pre-checkout query the bot must approve, then the successful payment."""
        body = await _json(request)
        user = self._acting(request, body)
        target = self._invoice_target(user, body)
        try:
            result = await user.pay(target, timeout=_ANSWER_SECONDS)
        except TimeoutError:
            return {"ok": False, "error": "The bot did not confirm the payment in time."}
        user.log.changed.notify()
        if not result.ok:
            return {"ok": False, "error": result.error_message or "The bot declined it."}
        return {"ok": True, "charge_id": result.charge_id}

    async def open_link(self, request: web.Request) -> dict[str, Any]:
        """Follows a link to this bot (``t.me/<bot>?start=<payload>``) as the given user:
        their private chat with the bot opens and, as on Telegram, says /start."""
        body = await _json(request)
        account = self._account(body.get("as"))
        link = str(body.get("link") or "")
        target = _bot_link(link)
        if target is None or target[0].casefold() != self.bot.username.casefold():
            raise BadInput(f"{link} is not a link to @{self.bot.username}")
        user = self._user(account)
        payload = target[1]
        if payload is not None or self.bot.id not in account.started_bots:
            await user.send_command("/start", payload)
            user.log.changed.notify()
        return {"chat_id": account.id}

    async def create_user(self, request: web.Request) -> dict[str, Any]:
        """A new simulated user, or the one of that name: the same name gets the same id
        on every run (and in the terminal chat's ``:as``)."""
        body = await _json(request)
        name = _short(body.get("name"), MAX_NAME, "a name")
        language = _language(body.get("language") or "en")
        for account in self.world.users.values():
            if account.first_name.casefold() == name.casefold():
                return {"id": account.id}
        created = self.world.add_user(stable_user_id(name), first_name=name, language_code=language)
        self.world.commit()
        return {"id": created.id}

    async def update_user(self, request: web.Request) -> dict[str, Any]:
        """Changes a user's Telegram language (the bot sees it from their next update)."""
        body = await _json(request)
        account = self._account(request.match_info["user_id"])
        self.world.add_user(account.id, language_code=_language(body.get("language")))
        self.world.commit()
        return {"id": account.id}

    async def create_group(self, request: web.Request) -> dict[str, Any]:
        """A new group chat; any user can talk in it (the sandbox keeps no member list)."""
        body = await _json(request)
        group = self.server.group(title=_short(body.get("title"), MAX_TITLE, "a group name"))
        self.world.commit()
        return {"id": group.id}

    # --- lookups ----------------------------------------------------------------------

    def _ensure_user(self, user_id: int, first_name: str) -> None:
        if user_id not in self.world.users:
            self.world.add_user(user_id, first_name=first_name, language_code="en")
            self.world.commit()

    def _account(self, raw: object) -> UserAccount:
        try:
            account = self.world.users.get(int(str(raw)))
        except ValueError:
            account = None
        if account is None:
            raise BadInput("no such user")
        return account

    def _user(self, account: UserAccount, chat: ChatInfo | None = None) -> SandboxUser:
        user = self.server.user(account.id, language_code=None)
        return user if chat is None or chat.type == "private" else user.in_chat(chat)

    def _chat_of(self, request: web.Request, acting: object) -> tuple[UserAccount, ChatInfo]:
        """The user acting and the chat of the URL: their private chat or a group."""
        account = self._account(acting)
        try:
            chat_id = int(request.match_info["chat_id"])
        except ValueError:
            raise BadInput("no such chat") from None
        if chat_id > 0:
            if chat_id != account.id:
                raise BadInput("a private chat is only its own user's")
            return account, ChatInfo.private(account)
        group = self.world.groups.get(chat_id)
        if group is None:
            raise BadInput("no such chat")
        return account, group

    def _acting(self, request: web.Request, fields: dict[str, Any]) -> SandboxUser:
        account, chat = self._chat_of(request, fields.get("as"))
        return self._user(account, chat)

    def _message(self, user: SandboxUser, raw: object) -> StoredMessage:
        try:
            message = user.log.get(int(str(raw)))
        except ValueError:
            message = None
        if message is None:
            raise BadInput("that message is gone")
        return message

    def _invoice_target(self, user: SandboxUser, fields: dict[str, Any]) -> int | str:
        link = fields.get("link")
        if isinstance(link, str) and link:
            return link
        return self._message(user, fields.get("message_id")).message_id


class ChatStream:
    """What one open page has been sent of one chat, and what to send it next."""

    def __init__(self, chat: WebChat, viewer: UserAccount, where: ChatInfo) -> None:
        self.chat = chat
        self.viewer = viewer
        self.log: ChatLog = chat.world.log(chat.bot.id, where.id)
        self.where = where
        self.sent: dict[int, tuple[int, bool]] = {}  # message id -> (edits, deleted)
        self.actions_seen = len(self.log.actions)
        self.last: dict[str, str] = {}  # event name -> the JSON last sent, for state events

    async def changes(self, closing: asyncio.Event) -> AsyncIterator[tuple[str, Any]]:
        """Everything first, then what changed after each wake-up (this chat's
        notifier, or a short tick for the rest), a heartbeat now and then."""
        loop = asyncio.get_running_loop()
        for item in self._news():
            yield item
        yield "ready", {"chat_id": self.where.id}
        quiet_since = loop.time()
        while not closing.is_set():
            await self.log.changed.wait(_TICK_SECONDS)
            sent_any = False
            for item in self._news():
                sent_any = True
                yield item
            if sent_any:
                quiet_since = loop.time()
            elif loop.time() - quiet_since > _HEARTBEAT_SECONDS:
                quiet_since = loop.time()
                yield "ping", {}

    def _news(self) -> list[tuple[str, Any]]:
        news: list[tuple[str, Any]] = []
        chat = self.chat
        for name, value in (
            ("state", {**chat.state(self.viewer), "chat": self._chat_view()}),
            ("commands", commands_for(chat.bot.commands, self.where, self.viewer)),
            ("counts", chat.message_counts()),
        ):
            encoded = json.dumps(value, sort_keys=True)
            if self.last.get(name) != encoded:
                self.last[name] = encoded
                news.append((name, value))
        for message in list(self.log.messages.values()):
            revision = (len(message.history), message.deleted)
            if self.sent.get(message.message_id) == revision:
                continue
            if message.deleted:
                if message.message_id in self.sent:
                    news.append(("deleted", {"id": message.message_id}))
            else:
                news.append(("message", message_view(message, chat.bot.id)))
            self.sent[message.message_id] = revision
        for record in self.log.actions[self.actions_seen :]:
            news.append(("action", {"action": record.action, "date": record.date}))
        self.actions_seen = len(self.log.actions)
        return news

    def _chat_view(self) -> dict[str, Any]:
        where = self.where
        title = where.title if where.type != "private" else self.chat.bot.first_name
        return {"id": where.id, "type": where.type, "title": title}


# --- what the page is sent --------------------------------------------------------------


def message_view(message: StoredMessage, bot_id: int) -> dict[str, Any]:
    """One message as the page draws it: its text (or caption) with Telegram's entities,
    its media, the message it replies to, and its keyboard (reply keyboards included,
    which Telegram keeps out of the message object)."""
    data = message.data
    sender = data.get("from") or {}
    view: dict[str, Any] = {
        "id": message.message_id,
        "from_bot": sender.get("id") == bot_id,
        "sender": {"id": sender.get("id"), "name": _full_name(sender)},
        "date": data.get("date"),
        "edited": bool(message.history),
        "text": data.get("text") or data.get("caption") or "",
        "entities": data.get("entities") or data.get("caption_entities") or [],
    }
    if data.get("media_group_id"):
        view["album"] = data["media_group_id"]
    if data.get("photo"):
        sizes = data["photo"]
        preview = next(
            (s for s in reversed(sizes) if max(s["width"], s["height"]) <= _PREVIEW_SIDE),
            sizes[0],
        )
        largest = sizes[-1]
        view["photo"] = {
            "preview": preview["file_id"],
            "full": largest["file_id"],
            "width": largest["width"],
            "height": largest["height"],
        }
    if data.get("document"):
        document = data["document"]
        view["document"] = {
            "file_id": document["file_id"],
            "name": document.get("file_name") or "file",
            "size": document.get("file_size") or 0,
            "mime_type": document.get("mime_type") or "",
        }
    if data.get("sticker"):
        view["sticker"] = {"emoji": data["sticker"].get("emoji") or "🙂"}
    if data.get("invoice"):
        view["invoice"] = data["invoice"]
    for service in ("successful_payment", "refunded_payment"):
        if service in data:
            view["service"] = {"kind": service, **data[service]}
    replied = data.get("reply_to_message")
    if replied:
        view["reply_to"] = {
            "id": replied.get("message_id"),
            "name": _full_name(replied.get("from") or {}),
            "text": _summary(replied),
        }
    keyboard = keyboard_view(message.reply_markup)
    if keyboard is not None:
        view["keyboard"] = keyboard
    return view


def keyboard_view(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """An inline keyboard (buttons with their kind), a reply keyboard, or the order to
    remove one; None for no markup."""
    if not markup:
        return None
    if "inline_keyboard" in markup:
        rows = [[_inline_button(button) for button in row] for row in markup["inline_keyboard"]]
        return {"inline": rows}
    if "keyboard" in markup:
        return {
            "reply": [
                [button if isinstance(button, str) else button.get("text", "") for button in row]
                for row in markup["keyboard"]
            ],
            "one_time": bool(markup.get("one_time_keyboard")),
            "placeholder": markup.get("input_field_placeholder") or "",
        }
    if markup.get("remove_keyboard"):
        return {"remove": True}
    if markup.get("force_reply"):
        return {"force_reply": True, "placeholder": markup.get("input_field_placeholder") or ""}
    return None


def _inline_button(button: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = {"text": button.get("text", "")}
    if button.get("pay"):
        view["kind"] = "pay"
    elif "url" in button:
        view["kind"] = "url"
        view["url"] = button["url"]
    elif "callback_data" in button:
        view["kind"] = "callback"
    elif "copy_text" in button:
        view["kind"] = "copy"
        view["copy"] = (button["copy_text"] or {}).get("text", "")
    else:
        view["kind"] = "other"
    return view


def commands_for(
    commands: dict[tuple[str, str], list[dict[str, Any]]], chat: ChatInfo, user: UserAccount
) -> list[dict[str, Any]]:
    """The command menu Telegram shows *user* in *chat*: the narrowest scope the bot set
    commands for, each scope first in the user's language and then for all languages
    (Bot API, "Determining list of commands"). Group admin scopes do not apply: nobody
    administers a sandbox group."""
    language = (user.language_code or "").split("-")[0].split("_")[0]
    scopes: list[tuple[str, int | None, int | None]]
    if chat.type == "private":
        scopes = [("chat", chat.id, None), ("all_private_chats", None, None)]
    else:
        scopes = [
            ("chat_member", chat.id, user.id),
            ("chat", chat.id, None),
            ("all_group_chats", None, None),
        ]
    scopes.append(("default", None, None))
    table: dict[tuple[tuple[str, int | None, int | None], str], list[dict[str, Any]]] = {}
    for (scope_json, code), listed in commands.items():
        table[(_scope(scope_json), code)] = listed
    for scope in scopes:
        for code in dict.fromkeys((language, "")):
            found = table.get((scope, code))
            if found:
                return [{"command": c["command"], "description": c["description"]} for c in found]
    return []


def _scope(scope_json: str) -> tuple[str, int | None, int | None]:
    scope = json.loads(scope_json)

    def number(key: str) -> int | None:
        value = scope.get(key)
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    return str(scope.get("type")), number("chat_id"), number("user_id")


def _invoice_view(invoice: Invoice) -> dict[str, Any]:
    return {
        "title": invoice.title,
        "description": invoice.description,
        "currency": invoice.currency,
        "total_amount": invoice.total_amount,
        "subscription_period": invoice.subscription_period,
    }


def _full_name(user: dict[str, Any]) -> str:
    return " ".join(part for part in (user.get("first_name"), user.get("last_name")) if part)


def _summary(message: dict[str, Any]) -> str:
    """A line that stands for a message in a reply's quote."""
    text = message.get("text") or message.get("caption")
    if text:
        return str(text)[:120]
    for key, label in (
        ("photo", "Photo"),
        ("document", "File"),
        ("sticker", "Sticker"),
        ("invoice", "Invoice"),
    ):
        if key in message:
            return label
    return "Message"


def _button_at(markup: dict[str, Any] | None, row: object, column: object) -> dict[str, Any]:
    rows = (markup or {}).get("inline_keyboard") or []
    try:
        button = rows[int(str(row))][int(str(column))]
    except (IndexError, ValueError):
        raise BadInput("that button is gone") from None
    if not isinstance(button, dict):
        raise BadInput("that button is gone")
    return button


def _short(raw: object, limit: int, what: str) -> str:
    text = " ".join(str(raw or "").split())
    if not text or len(text) > limit:
        raise BadInput(f"{what} of 1 to {limit} characters, please")
    return text


def _language(raw: object) -> str:
    code = str(raw or "")
    if not _LANGUAGE.fullmatch(code):
        raise BadInput("a language code like en, ru or es, please")
    return code


def _page_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": _PAGE_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-cache",
        "Referrer-Policy": "no-referrer",
    }


async def _json(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise BadInput("expected a JSON object")
    try:
        body = await request.json()
    except ValueError:
        raise BadInput("expected a JSON object") from None
    if not isinstance(body, dict):
        raise BadInput("expected a JSON object")
    return body


async def _form(request: web.Request) -> tuple[dict[str, str], tuple[str, str, bytes] | None]:
    """The text fields and the one file of a multipart form, the file read up to
    Telegram's document limit (a larger one is refused before it is all in memory)."""
    try:
        reader = await request.multipart()
    except (AssertionError, ValueError):  # aiohttp asserts on a non-multipart body
        raise BadInput("expected a multipart form") from None
    fields: dict[str, str] = {}
    upload: tuple[str, str, bytes] | None = None
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is None:
            fields[part.name] = (await part.read(decode=True)).decode("utf-8", "replace")
            continue
        chunks: list[bytes] = []
        size = 0
        while chunk := await part.read_chunk():
            size += len(chunk)
            if size > MAX_DOCUMENT_BYTES:
                raise BadInput("Telegram takes files of at most 50 MB")
            chunks.append(chunk)
        content_type = part.headers.get("Content-Type") or "application/octet-stream"
        upload = (Path(part.filename).name or "file", content_type, b"".join(chunks))
    return fields, upload


def _answering(action: Callable[[web.Request], Awaitable[dict[str, Any]]]) -> Handler:
    """A JSON API handler: the action's result as JSON; the page's own mistakes and
    what Telegram would refuse (a too-big photo, a button gone) as a 400 it can show.
    Another site's page in the same browser gets a 403: only this page acts as users."""

    async def handle(request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc != request.host:
            return web.json_response({"error": "only the sandbox's own page may"}, status=403)
        try:
            result = await action(request)
        except BadInput as error:
            return web.json_response({"error": str(error)}, status=400)
        except ApiError as error:
            return web.json_response({"error": error.description}, status=400)
        except (LookupError, ValueError) as error:
            return web.json_response({"error": str(error)}, status=400)
        return web.json_response(result)

    return handle


__all__ = ["PAGE_DIR", "ChatStream", "WebChat", "commands_for", "keyboard_view", "message_view"]

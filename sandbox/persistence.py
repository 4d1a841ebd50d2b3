"""A persistent sandbox world: a journal of JSON lines under a data directory.

state.py changes the world only in synchronous steps on one loop, so the components
report the objects a step changed and :class:`Journal` writes them, one JSON line each
and one ``write(2)`` for all, before anyone hears of the step: the server flushes at the
end of every API call, before its answer leaves; other steps flush on the next turn of
the loop, ahead of the waiters they woke. A killed process thus loses nothing it told
anyone, and no id is ever handed out twice. Lines are whole objects keyed by identity
(the last one wins) or ordered deltas (the update queue, refund records); replaying
them rebuilds the world, which is then written back as a snapshot. File bytes are kept
beside the journal, one file per content hash. What survives and what does not, and
why this design: sandbox/README.md, "Persistence".
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.accounts import BotAccount, ChatInfo, UserAccount
from sandbox.chatlog import StoredMessage
from sandbox.files import StoredFile
from sandbox.payments import ApiRecord, Charge, Invoice

if TYPE_CHECKING:
    from sandbox.state import World

JOURNAL_NAME = "journal.jsonl"
HEADER = {"t": "sandbox", "version": 1}
#: The journal is rewritten as a snapshot once it is this many times the last snapshot
#: (and at least COMPACT_MIN_BYTES), which keeps the cost of rewriting linear.
COMPACT_FACTOR = 4
COMPACT_MIN_BYTES = 8 << 20

Key = tuple[Any, ...]
Record = dict[str, Any]
Encoder = Callable[[], Record]


class Journal:
    """The world's write-ahead record: components report what they changed, the journal
    writes it at the end of the step, and :meth:`load` replays it into a new world."""

    def __init__(self, data_dir: Path, world: World) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = _lock(data_dir / "lock")
        self._world = world
        self._path = data_dir / JOURNAL_NAME
        self._blobs = data_dir / "files"
        self._fd: int | None = None
        self._dirty: dict[Key, tuple[Encoder, bool]] = {}
        self._deltas: list[str] = []
        self._written: dict[Key, int] = {}  # hash of the last line of a deduplicated key
        self._flush_scheduled = False
        self._replaying = False
        self._size = 0
        self._snapshot_size = 0

    # --- lifecycle --------------------------------------------------------------------

    def load(self) -> None:
        """Replay the journal into the (empty) world, then rewrite it as a snapshot."""
        self._replaying = True
        try:
            for record in _read(self._path):
                _apply(self._world, record, self._blobs)
        except BaseException:
            os.close(self._lock)  # a world that failed to load holds nothing
            raise
        finally:
            self._replaying = False
        self.compact()

    def close(self) -> None:
        """Write what is pending, fsync, and let another process open the directory."""
        if self._fd is None:
            return
        self.flush()
        assert self._fd is not None
        os.fsync(self._fd)
        os.close(self._fd)
        self._fd = None
        os.close(self._lock)

    # --- what components report -------------------------------------------------------

    def bot(self, bot: BotAccount) -> None:
        self._put(("bot", bot.token), partial(_bot_record, bot), dedupe=True)

    def user(self, user: UserAccount) -> None:
        self._put(("user", user.id), partial(_user_record, user), dedupe=True)

    def group(self, chat: ChatInfo) -> None:
        self._put(("group", chat.id), partial(_record, "group", chat))

    def message(self, bot_id: int, message: StoredMessage) -> None:
        key = ("message", bot_id, message.chat_id, message.message_id)
        self._put(key, partial(_message_record, bot_id, message))

    def file(self, stored: StoredFile) -> None:
        self._put(("file", stored.file_id), partial(_file_record, stored))

    def photo(self, sizes: list[StoredFile]) -> None:
        self._put(("photo", sizes[0].file_id), partial(_photo_record, sizes))

    def invoice_link(self, link: str, invoice: Invoice) -> None:
        self._put(("link", link), partial(_link_record, link, invoice))

    def charge(self, charge: Charge) -> None:
        self._put(("charge", charge.charge_id), partial(_record, "charge", charge))

    def api_record(self, kind: str, record: ApiRecord) -> None:
        self._append(_record(kind, record))

    def update(self, owner: str, update: dict[str, Any]) -> None:
        self._append({"t": "update", "bot": owner, "update": update})

    def updates_gone(self, owner: str, update_ids: list[int]) -> None:
        self._append({"t": "updates_gone", "bot": owner, "ids": update_ids})

    def store_bytes(self, data: bytes) -> Path:
        """Keep *data* on disk (once per content) and return its path; written at once,
        so it is there before any record names it."""
        path = self._blob(hashlib.sha256(data).hexdigest())
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial_path = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            partial_path.write_bytes(data)
            os.replace(partial_path, path)  # a kill mid-write leaves no torn file
        return path

    # --- writing ----------------------------------------------------------------------

    def flush(self) -> None:
        """Write every record reported since the last flush with one write."""
        self._flush_scheduled = False
        if self._fd is None:
            return
        self._dirty[("world",)] = (partial(_world_record, self._world), True)
        lines = []
        for key, (encode, dedupe) in self._dirty.items():
            line = _dumps(encode())
            if dedupe:
                if self._written.get(key) == hash(line):
                    continue
                self._written[key] = hash(line)
            lines.append(line)
        self._dirty.clear()
        lines.extend(self._deltas)
        self._deltas.clear()
        if lines:
            self._size += _write_all(self._fd, "".join(lines).encode())
        if self._size > max(COMPACT_FACTOR * self._snapshot_size, COMPACT_MIN_BYTES):
            self.compact()

    def compact(self) -> None:
        """Replace the journal with a snapshot of the world, atomically."""
        lines = []
        self._written.clear()
        for key, record in _snapshot(self._world):
            line = _dumps(record)
            if key is not None:
                self._written[key] = hash(line)
            lines.append(line)
        data = "".join(lines).encode()
        rewritten = self._path.with_name(f"{JOURNAL_NAME}.tmp")
        with rewritten.open("wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(rewritten, self._path)
        _fsync_directory(self._path.parent)
        if self._fd is not None:
            os.close(self._fd)
        self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND)
        self._size = self._snapshot_size = len(data)

    def _put(self, key: Key, encode: Encoder, *, dedupe: bool = False) -> None:
        """Mark an object changed; it is encoded as it is at flush time."""
        if self._replaying:
            return
        self._dirty[key] = (encode, dedupe)
        self._schedule()

    def _append(self, record: Record) -> None:
        """Add an ordered delta, encoded now."""
        if self._replaying:
            return
        self._deltas.append(_dumps(record))
        self._schedule()

    def _schedule(self) -> None:
        """Flush on the next turn of the loop (at once when no loop runs): after the
        current synchronous step, before the waiters it woke."""
        if self._flush_scheduled:
            return
        if self._fd is None:
            raise RuntimeError(
                "the sandbox journal is closed: a stopped persistent SandboxServer cannot "
                "be reused; make a new one on the same data_dir"
            )
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._flush_scheduled = True
        loop.call_soon(self.flush)

    def _blob(self, digest: str) -> Path:
        return self._blobs / digest[:2] / digest


# --- encoding ---------------------------------------------------------------------------


def _dumps(record: Record) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def _record(kind: str, value: Any) -> Record:
    """A dataclass as a record (nested dataclasses become dicts)."""
    return {"t": kind, **asdict(value)}


def _world_record(world: World) -> Record:
    return {
        "t": "world",
        "time_offset": world.time_offset,
        "next_bot_id": world.next_bot_id,
        "next_user_id": world.next_user_id,
        "next_group_id": world.next_group_id,
        "last_file_number": world.files.last_number,
    }


def _bot_record(bot: BotAccount) -> Record:
    """The bot's identity and settings; its queue is journaled update by update."""
    return {
        "t": "bot",
        "token": bot.token,
        "username": bot.username,
        "first_name": bot.first_name,
        "privacy_mode": bot.privacy_mode,
        "commands": [[*key, value] for key, value in bot.commands.items()],
        "profile_texts": [[*key, value] for key, value in bot.profile_texts.items()],
        "menu_buttons": [[key, value] for key, value in bot.menu_buttons.items()],
        "allowed_updates": bot.updates.allowed_updates or [],
    }


def _user_record(user: UserAccount) -> Record:
    record = _record("user", user)
    record["started_bots"] = sorted(user.started_bots)
    record["blocked_bots"] = sorted(user.blocked_bots)
    return record


def _message_record(bot_id: int, message: StoredMessage) -> Record:
    record = _record("message", message)
    record["bot_id"] = bot_id
    return record


def _file_record(stored: StoredFile) -> Record:
    record = {"t": "file", **{k: v for k, v in vars(stored).items() if k != "content"}}
    assert isinstance(stored.content, Path), "a persistent world keeps file bytes on disk"
    record["blob"] = stored.content.name
    return record


def _photo_record(sizes: list[StoredFile]) -> Record:
    return {"t": "photo", "sizes": [size.file_id for size in sizes]}


def _link_record(link: str, invoice: Invoice) -> Record:
    return {"t": "link", "link": link, "invoice": asdict(invoice)}


def _snapshot(world: World) -> Iterator[tuple[Key | None, Record]]:
    """The whole world as records, with the keys of the deduplicated ones."""
    yield None, HEADER
    yield ("world",), _world_record(world)
    for bot in world.bots.values():
        yield ("bot", bot.token), _bot_record(bot)
        queue = bot.updates
        yield None, {"t": "queue", "bot": bot.token, "next_update_id": queue.next_update_id}
        for update in queue.pending():
            yield None, {"t": "update", "bot": bot.token, "update": update}
    for user in world.users.values():
        yield ("user", user.id), _user_record(user)
    for group in world.groups.values():
        yield None, _record("group", group)
    for stored in world.files.all():
        yield None, _file_record(stored)
    for sizes in world.files.photos():
        yield None, _photo_record(sizes)
    for log in world.logs.values():
        for message in log.messages.values():
            yield None, _message_record(log.bot_id, message)
    for link, invoice in world.payments.invoice_links.items():
        yield None, _link_record(link, invoice)
    for charge in world.payments.charges.values():
        yield None, _record("charge", charge)
    for refund in world.payments.refunds:
        yield None, _record("refund", refund)
    for edit in world.payments.subscription_edits:
        yield None, _record("subscription_edit", edit)


# --- replaying --------------------------------------------------------------------------


def _read(path: Path) -> Iterator[Record]:
    """The journal's records; a torn last line (a write cut by a kill) is skipped."""
    if not path.exists():
        return
    lines = path.read_bytes().split(b"\n")
    for number, line in enumerate(lines, 1):
        if not line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            if number == len(lines):
                return
            raise ValueError(f"{path}:{number}: not a journal record") from None
        if number == 1 and record != HEADER:
            raise ValueError(f"{path}: not a sandbox journal of version {HEADER['version']}")
        yield record


def _apply(world: World, record: Record, blobs: Path) -> None:
    """Replay one record into *world*."""
    kind = record.pop("t")
    if kind == "sandbox":
        return
    if kind == "world":
        world.time_offset = record["time_offset"]
        world.next_bot_id = record["next_bot_id"]
        world.next_user_id = record["next_user_id"]
        world.next_group_id = record["next_group_id"]
        world.files.last_number = record["last_file_number"]
    elif kind == "bot":
        _apply_bot(world, record)
    elif kind == "queue":
        world.bots[record["bot"]].updates.skip_to(record["next_update_id"])
    elif kind == "update":
        world.bots[record["bot"]].updates.restore(record["update"])
    elif kind == "updates_gone":
        queue = world.bots[record["bot"]].updates
        for update_id in record["ids"]:
            queue.remove(update_id)
    elif kind == "user":
        started, blocked = set(record.pop("started_bots")), set(record.pop("blocked_bots"))
        user = world.add_user(record.pop("id"), **record)
        user.started_bots, user.blocked_bots = started, blocked
    elif kind == "group":
        world.add_group(
            record["id"], record["title"], chat_type=record["type"], username=record["username"]
        )
    elif kind == "message":
        bot_id = record.pop("bot_id")
        if "invoice" in record["extra"]:
            record["extra"]["invoice"] = Invoice(**record["extra"]["invoice"])
        message = StoredMessage(**record)
        world.log(bot_id, message.chat_id).restore(message)
    elif kind == "file":
        digest = record.pop("blob")
        world.files.restore(StoredFile(content=blobs / digest[:2] / digest, **record))
    elif kind == "photo":
        sizes = [world.files.get(file_id) for file_id in record["sizes"]]
        world.files.restore_photo([size for size in sizes if size is not None])
    elif kind == "link":
        world.payments.invoice_links[record["link"]] = Invoice(**record["invoice"])
    elif kind == "charge":
        charge = Charge(**{**record, "invoice": Invoice(**record["invoice"])})
        world.payments.charges[charge.charge_id] = charge
    elif kind in ("refund", "subscription_edit"):
        world.payments.keep(kind, ApiRecord(**record))
    else:
        raise ValueError(f"unknown journal record {kind!r}")


def _apply_bot(world: World, record: Record) -> None:
    bot = world.bots.get(record["token"]) or world.register_bot(token=record["token"])
    bot.username = record["username"]
    bot.first_name = record["first_name"]
    bot.privacy_mode = record["privacy_mode"]
    bot.commands = {(scope, language): value for scope, language, value in record["commands"]}
    bot.profile_texts = {(name, language): text for name, language, text in record["profile_texts"]}
    bot.menu_buttons = {chat_id: button for chat_id, button in record["menu_buttons"]}
    bot.updates.set_allowed(record["allowed_updates"])


# --- files ------------------------------------------------------------------------------


def _lock(path: Path) -> int:
    """Hold an exclusive lock on *path* for as long as the descriptor is open (the kernel
    drops it when the process dies, however it dies)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise RuntimeError(f"{path.parent} is in use by another sandbox server") from None
    return fd


def _write_all(fd: int, data: bytes) -> int:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    return len(data)


def _fsync_directory(path: Path) -> None:
    """Make a rename in *path* durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""A loopback Telegram Bot API server for end-to-end tests, benchmarks and local demos.

Start a :class:`SandboxServer`, point python-telegram-bot at it, and act as users::

    server = await SandboxServer().start()
    token = server.register_bot(username="thumbs_bot")
    user = server.user(id=42, first_name="Ann")
    await user.send_command("/start")
    reply = await user.wait_for_message()
"""

from sandbox.accounts import BotAccount, ChatInfo, UserAccount
from sandbox.errors import ApiError
from sandbox.flood import FloodLimits
from sandbox.samples import sample_image
from sandbox.server import ApiCall, SandboxServer
from sandbox.users import SandboxUser
from sandbox.views import CallbackAnswer, PaymentResult, SentMessage

__all__ = [
    "ApiCall",
    "ApiError",
    "BotAccount",
    "CallbackAnswer",
    "ChatInfo",
    "FloodLimits",
    "PaymentResult",
    "SandboxServer",
    "SandboxUser",
    "SentMessage",
    "UserAccount",
    "sample_image",
]

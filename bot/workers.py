"""The generation worker of this process, reporting to Telegram through the bot."""

from __future__ import annotations

from bot.delivery import TelegramReporter
from bot.settings import Settings
from handlers.context import TelegramApp
from services.container import Services
from services.generation import Doorbell
from services.jobs import GenerationWorker, WorkerOptions


def worker_options(settings: Settings) -> WorkerOptions:
    return WorkerOptions(
        concurrency=settings.generation_workers, lease_seconds=settings.generation_lease_seconds
    )


def build_worker(
    application: TelegramApp,
    services: Services,
    options: WorkerOptions,
    doorbell: Doorbell | None = None,
) -> GenerationWorker:
    """`doorbell`: the one the worker waits on (bot/health.py watches it for a
    heartbeat); by default the services' own."""
    reporter = TelegramReporter(application.bot, services.generations, services.catalog)
    return GenerationWorker(
        services.db, services.generations, reporter, doorbell or services.doorbell, options
    )

"""The Generator that has Replicate models paint the picture.

One generation: read the mode's model and template (sql/007), upload the pictures, create a
prediction (retrying Replicate's 429s, which the library does not retry for POSTs), wait for
it by polling or by webhook, download the image, then finish it like every thumbnail
(postprocess: the order's format, the headline drawn by code, the brand's logo, a JPEG within
the format's byte limit).

Whatever stops the wait early (the timeout, the task being cancelled, an error) cancels the
prediction at Replicate too, best effort, so nobody pays for a picture no one will see.
The API token is never logged.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.utils
import functools
import logging
import random
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

import httpx
from replicate.client import Client
from replicate.exceptions import ReplicateError
from replicate.helpers import async_encode_json
from replicate.prediction import Prediction, Predictions
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from services.generators.base import GenerationFailed, GenerationRequest, ProgressCallback
from services.generators.cpu import run_cpu_bound
from services.generators.edits import generation_type
from services.generators.postprocess import (
    finish_thumbnail,
    overlay_headline_text,
    text_side,
)
from services.generators.prediction_log import PredictionLog
from services.generators.replicate_models import ModelSpec, ReplicateModels, text_sources
from services.generators.replicate_webhook import PredictionWaiter

logger = logging.getLogger(__name__)

_P = ParamSpec("_P")
_T = TypeVar("_T")

TERMINAL = frozenset({"succeeded", "failed", "canceled"})
_REFUSAL = re.compile(
    r"nsfw|safety|sensitive|flagged|content[ _-]?polic|moderation|inappropriate|\bE005\b",
    re.IGNORECASE,
)
_FATAL_STATUSES = frozenset({400, 401, 402, 403, 404, 422})
_MAX_POLL_FAILURES = 5


@dataclass(frozen=True)
class ReplicateOptions:
    """How long to wait and how to learn that a prediction is done."""

    timeout: float = 180.0  # from upload to a finished prediction
    poll_interval: float = 1.0
    webhook_url: str | None = None  # set: Replicate posts "completed" there
    webhook_poll_interval: float = 10.0  # the fallback poll while a webhook is expected
    create_attempts: int = 5  # tries of a create (or upload) that Replicate throttles
    backoff: float = 1.0  # first wait after a 429 without Retry-After, then doubling
    max_backoff: float = 60.0
    download_timeout: float = 60.0
    max_download_bytes: int = 20 * 1024 * 1024
    cancel_timeout: float = 10.0


class Throttled(ReplicateError):
    """A 429 with the wait Replicate asked for (the library's ReplicateError drops headers)."""

    def __init__(self, retry_after: float | None, detail: str | None) -> None:
        super().__init__(title="Too Many Requests", status=429, detail=detail)
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


async def _raise_throttled(response: httpx.Response) -> None:
    """An httpx response hook: a 429 becomes Throttled, carrying its Retry-After."""
    if response.status_code != 429:
        return
    await response.aread()
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    raise Throttled(parse_retry_after(response.headers.get("retry-after")), detail)


def replicate_client(api_token: str, base_url: str | None = None) -> Client:
    """A Replicate client whose 429 answers raise `Throttled` (a ReplicateError with status
    429) carrying their Retry-After, so the generator's retries wait as long as asked. The
    constructor hands the hook to its httpx clients; being async, it suits the async API,
    the only one the bot uses."""
    return Client(
        api_token=api_token, base_url=base_url, event_hooks={"response": [_raise_throttled]}
    )


def retry_delay(attempt: int, error: BaseException | None, base: float, cap: float) -> float:
    """Seconds before retry number `attempt` (1-based): exponential with jitter, but never
    sooner than the Retry-After Replicate sent, and never more than `cap`."""
    exponential = base * 2.0 ** (attempt - 1)
    exponential += random.uniform(0, exponential / 4)
    asked = error.retry_after if isinstance(error, Throttled) else None
    return min(max(exponential, asked or 0.0), cap)


def _is_throttled(error: BaseException) -> bool:
    return isinstance(error, ReplicateError) and error.status == 429


class _Progress:
    """Forwards progress only when it moves, and never backwards."""

    def __init__(self, callback: ProgressCallback) -> None:
        self._callback = callback
        self._last: tuple[float, str] = (-1.0, "")

    async def __call__(self, fraction: float, stage: str) -> None:
        fraction = max(fraction, self._last[0])
        if (round(fraction, 2), stage) == (round(self._last[0], 2), self._last[1]):
            return
        self._last = (fraction, stage)
        await self._callback(fraction, stage)

    async def prediction(self, prediction: Prediction) -> None:
        if prediction.status == "starting":
            await self(0.15, "starting")
        elif prediction.status == "processing":
            done = prediction.progress.percentage if prediction.progress else 0.0
            await self(0.2 + 0.6 * min(max(done, 0.0), 1.0), "processing")


@dataclass
class _Started:
    """The prediction this generation created, if it got that far."""

    prediction: Prediction | None = None

    @property
    def running(self) -> Prediction | None:
        prediction = self.prediction
        return prediction if prediction and prediction.status not in TERMINAL else None


class ReplicateGenerator:
    """Makes thumbnails with the Replicate models configured per mode in the database.

    Give it a client from `replicate_client` so that Replicate's Retry-After is honoured;
    with another client, 429s are still retried, with backoff alone."""

    def __init__(
        self,
        client: Client,
        models: ReplicateModels,
        options: ReplicateOptions | None = None,
        waiter: PredictionWaiter | None = None,
        log: PredictionLog | None = None,
    ) -> None:
        self._log = log
        self._client = client
        self._models = models
        self._options = options or ReplicateOptions()
        if self._options.webhook_url and waiter is None:
            raise ValueError("a webhook_url needs the PredictionWaiter its webhook resolves")
        self._waiter = waiter if self._options.webhook_url else None
        self._cancels: set[asyncio.Task[None]] = set()
        self._download_client: httpx.AsyncClient | None = None

    async def generate(self, request: GenerationRequest, progress: ProgressCallback) -> bytes:
        """JPEG bytes of a thumbnail of the request's format, or GenerationFailed with the
        reason's key."""
        report = _Progress(progress)
        spec = await self._models.spec(generation_type(request))  # an edit: its own model
        await report(0.05, "preparing")
        prediction = await self._predict(spec, request, report)
        await report(0.85, "downloading")
        picture = await self._download(prediction.output)
        await report(0.95, "finishing")
        brand = request.brand
        headline = None
        if spec.output_text:
            headline = overlay_headline_text(
                text_sources(request),
                request.variation,
                exact=request.headline,
                font=brand.font if brand else None,
            )
        finish = functools.partial(finish_thumbnail, fmt=request.format, brand=brand)
        side = text_side(request.variation, request.format, brand)
        return await run_cpu_bound(finish, picture, headline, side, request.variation)

    async def _predict(
        self, spec: ModelSpec, request: GenerationRequest, report: _Progress
    ) -> Prediction:
        """The finished prediction; cancels it remotely if the wait ends any other way."""
        started = _Started()
        try:
            async with asyncio.timeout(self._options.timeout):
                started.prediction = await self._resume(request)
                if started.prediction is None:
                    payload = await self._models.build_input(spec, request)
                    encoded = await self._retrying(async_encode_json, payload, self._client)
                    started.prediction = await self._retrying(self._create, spec, encoded)
                    logger.info("prediction %s created on %s", started.prediction.id, spec.model)
                    if self._log is not None:
                        await self._log.record(request.generation_id, started.prediction.id)
                await report(0.1, "created")
                await self._wait(started.prediction, report)
        except TimeoutError as error:
            await self._cancel(started.running)
            raise GenerationFailed(
                f"{spec.model} gave no result within {self._options.timeout:g} s",
                "provider_timeout",
            ) from error
        except (ReplicateError, httpx.HTTPError) as error:
            await self._cancel(started.running)
            raise _failure(error, spec) from error
        except BaseException:
            await self._cancel(started.running)
            raise
        finally:
            if self._waiter is not None and started.prediction is not None:
                self._waiter.forget(started.prediction.id)
        return _succeeded(started.prediction, spec)

    async def _resume(self, request: GenerationRequest) -> Prediction | None:
        """The prediction an earlier attempt of this generation started (a worker that
        died), if it is still running or succeeded; None means start a new one."""
        previous = await self._log.previous(request.generation_id) if self._log else None
        if previous is None:
            return None
        try:
            prediction = await self._client.predictions.async_get(previous)
        except (ReplicateError, httpx.HTTPError) as error:
            logger.warning("cannot resume prediction %s: %r", previous, error)
            return None
        if prediction.status in ("failed", "canceled"):
            return None
        logger.info("resuming prediction %s (%s)", previous, prediction.status)
        return prediction

    async def _retrying(
        self, call: Callable[_P, Awaitable[_T]], *args: _P.args, **kwargs: _P.kwargs
    ) -> _T:
        """`call(*args, **kwargs)`, retried with backoff while Replicate answers 429."""
        retrying = AsyncRetrying(
            retry=retry_if_exception(_is_throttled),
            stop=stop_after_attempt(self._options.create_attempts),
            wait=self._retry_wait,
            before_sleep=_log_throttle,
            reraise=True,
        )
        return await retrying(call, *args, **kwargs)

    def _retry_wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        options = self._options
        return retry_delay(state.attempt_number, error, options.backoff, options.max_backoff)

    async def _create(self, spec: ModelSpec, encoded: dict[str, Any]) -> Prediction:
        params: Predictions.CreatePredictionParams = {}
        if self._options.webhook_url:
            params = {"webhook": self._options.webhook_url, "webhook_events_filter": ["completed"]}
        if spec.version:
            return await self._client.predictions.async_create(
                version=spec.version, input=encoded, **params
            )
        return await self._client.models.predictions.async_create(
            model=spec.name, input=encoded, **params
        )

    async def _wait(self, prediction: Prediction, report: _Progress) -> None:
        """Until the prediction is finished: polls, or waits for its webhook with a slow poll
        as the fallback. A few failed polls in a row are tolerated (a network blip)."""
        failures = 0
        await report.prediction(prediction)
        while prediction.status not in TERMINAL:
            if self._waiter is not None:
                payload = None
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._options.webhook_poll_interval):
                        payload = await self._waiter.wait(prediction.id)
                if payload is not None and payload.get("status") in TERMINAL:
                    _apply_webhook(prediction, payload)  # signed by Replicate: no GET needed
                    break
            else:
                await asyncio.sleep(self._options.poll_interval)
            try:
                await prediction.async_reload()
            except (ReplicateError, httpx.TransportError) as error:
                failures += 1
                status = getattr(error, "status", None)
                if status in _FATAL_STATUSES or failures >= _MAX_POLL_FAILURES:
                    raise
                logger.warning("polling prediction %s failed: %r", prediction.id, error)
                continue
            failures = 0
            await report.prediction(prediction)

    async def _cancel(self, prediction: Prediction | None) -> None:
        """Cancels a running prediction at Replicate, best effort and bounded in time; the
        request goes on in the background if this task is cancelled meanwhile."""
        if prediction is None:
            return
        task = asyncio.create_task(self._send_cancel(prediction.id))
        self._cancels.add(task)
        task.add_done_callback(self._cancels.discard)
        await asyncio.shield(task)

    async def _send_cancel(self, prediction_id: str) -> None:
        try:
            async with asyncio.timeout(self._options.cancel_timeout):
                await self._client.predictions.async_cancel(prediction_id)
            logger.info("prediction %s canceled", prediction_id)
        except (ReplicateError, httpx.HTTPError, TimeoutError) as error:
            logger.warning("could not cancel prediction %s: %r", prediction_id, error)

    def _downloads(self) -> httpx.AsyncClient:
        """One client for all output downloads (connection reuse), without our token."""
        if self._download_client is None:
            self._download_client = httpx.AsyncClient(
                timeout=httpx.Timeout(self._options.download_timeout), follow_redirects=True
            )
        return self._download_client

    async def _download(self, output: Any) -> bytes:
        """The first image of the output, at most max_download_bytes, within the download
        timeout. Sent without our API token: the file lives on a delivery host."""
        url = first_output_url(output)
        limit = self._options.max_download_bytes
        if url.startswith("data:"):
            return _decode_data_url(url, limit)
        if not url.startswith(("https://", "http://")):
            raise GenerationFailed(f"unexpected output location {url[:40]!r}", "provider_failed")
        try:
            async with asyncio.timeout(self._options.download_timeout):
                return await _fetch(self._downloads(), url, limit)
        except TimeoutError as error:
            raise GenerationFailed("downloading the image timed out", "provider_timeout") from error
        except httpx.HTTPError as error:
            raise GenerationFailed(
                f"downloading the image failed: {error!r}", "provider_failed"
            ) from error


def _apply_webhook(prediction: Prediction, payload: Mapping[str, Any]) -> None:
    """Takes the finished state from a verified webhook payload."""
    for field_name in ("status", "output", "error", "logs", "metrics", "completed_at"):
        if field_name in payload:
            setattr(prediction, field_name, payload[field_name])


def _log_throttle(state: RetryCallState) -> None:
    wait = state.next_action.sleep if state.next_action else 0.0
    logger.warning("Replicate throttled us (429); retry %d in %.1f s", state.attempt_number, wait)


def _succeeded(prediction: Prediction | None, spec: ModelSpec) -> Prediction:
    """The prediction if it succeeded; otherwise why not, as GenerationFailed."""
    assert prediction is not None
    if prediction.status == "succeeded":
        return prediction
    error = str(prediction.error or "")
    if prediction.status == "failed" and _REFUSAL.search(error):
        logger.info("prediction %s refused by %s: %s", prediction.id, spec.model, error)
        raise GenerationFailed(f"{spec.model} refused the content: {error}", "content_refused")
    logger.warning(
        "prediction %s on %s ended %s: %s", prediction.id, spec.model, prediction.status, error
    )
    raise GenerationFailed(f"{spec.model} {prediction.status}: {error}", "provider_failed")


def _failure(error: ReplicateError | httpx.HTTPError, spec: ModelSpec) -> GenerationFailed:
    """An API or network error as GenerationFailed; a rejected token is logged loudly."""
    status = getattr(error, "status", None)
    if status in (401, 403):
        logger.critical(
            "Replicate rejected the API token (HTTP %s): check REPLICATE_API_TOKEN", status
        )
    elif status == 402:
        logger.critical("Replicate refused to run %s: billing (HTTP 402)", spec.model)
    elif status == 429:
        logger.error("Replicate kept throttling %s; giving up", spec.model)
    else:
        logger.error("Replicate call for %s failed: %r", spec.model, error)
    return GenerationFailed(f"Replicate call for {spec.model} failed: {error!r}", "provider_failed")


def first_output_url(output: Any) -> str:
    """The URL of the first image in an output: a URL, a list of URLs, or FileOutput objects
    (anything with a `url`)."""
    item = output
    if isinstance(item, list | tuple):
        item = next((entry for entry in item if entry), None)
    url = getattr(item, "url", item)
    if not isinstance(url, str) or not url:
        raise GenerationFailed(f"the model returned no image: {output!r:.80}", "provider_failed")
    return url


def _decode_data_url(url: str, limit: int) -> bytes:
    header, _, encoded = url.partition(",")
    if ";base64" not in header or len(encoded) > limit * 4 // 3 + 4:
        raise GenerationFailed("an unusable or oversized data URL output", "provider_failed")
    try:
        return base64.b64decode(encoded, validate=True)
    except ValueError as error:
        raise GenerationFailed("an undecodable data URL output", "provider_failed") from error


async def _fetch(http: httpx.AsyncClient, url: str, limit: int) -> bytes:
    """GET `url` into memory, refusing more than `limit` bytes."""
    async with http.stream("GET", url) as response:
        if response.status_code != 200:
            raise GenerationFailed(
                f"downloading the image answered HTTP {response.status_code}", "provider_failed"
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise GenerationFailed("the image is larger than allowed", "provider_failed")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise GenerationFailed("the image is larger than allowed", "provider_failed")
            chunks.append(chunk)
    return b"".join(chunks)

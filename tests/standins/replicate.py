"""A loopback stand-in for Replicate's HTTP API, for tests of the real `replicate` library.

Point a client at it with `replicate.Client(api_token=standin.token, base_url=standin.url)`.
It answers like Replicate: bearer-token auth on /v1 (401 problem details otherwise),
`POST /v1/models/{owner}/{name}/predictions`, `POST /v1/predictions` (a version),
`GET /v1/predictions/{id}`, `POST /v1/predictions/{id}/cancel`, `POST /v1/files` (multipart,
answers a file object whose `urls.get` serves the bytes back), `GET /v1/webhooks/default/secret`,
and the output images at `/delivery/{id}.jpg` (no auth, like replicate.delivery).

A prediction moves by the clock: "starting", then "processing" (with tqdm-style progress in
its logs), then the outcome of the `Script` in force when it was created. With a webhook, the
stand-in posts the finished prediction to it, signed as Replicate signs (Standard Webhooks),
by its own HMAC code rather than the library's. Everything received is recorded.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import io
import itertools
import json
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import aiohttp
from aiohttp import web
from PIL import Image, ImageDraw

from sandbox.faults import Hold
from tests.standins.loopback import LoopbackServer

Outcome = Literal["succeed", "nsfw", "model_error", "canceled", "slow"]
TERMINAL = ("succeeded", "failed", "canceled")
NSFW_ERROR = "NSFW content detected. Try running it again, or try a different prompt."
MODEL_ERROR = "CUDA error: an illegal memory access was encountered"


@dataclass
class Script:
    """How predictions created from now on behave."""

    outcome: Outcome = "succeed"
    latency: float = 0.05  # seconds from creation to the outcome
    output_size: tuple[int, int] = (1344, 768)
    output_as_list: bool = True  # flux-schnell answers a list, most others a single URL


@dataclass
class WebhookSigning:
    """How deliveries are signed: a wrong secret or a skewed clock, to test rejection."""

    secret: str | None = None  # None: the account's real secret
    clock_offset: int = 0  # seconds added to the webhook-timestamp


@dataclass(frozen=True)
class CreateCall:
    """One create request: where it went, what it carried, what the stand-in answered."""

    path: str
    model: str | None
    version: str | None
    input: dict[str, Any]
    webhook: str | None
    events_filter: list[str] | None
    status: int
    prediction_id: str | None = None


@dataclass(frozen=True)
class Upload:
    id: str
    filename: str
    content_type: str
    data: bytes
    url: str


@dataclass(frozen=True)
class Delivery:
    prediction_id: str
    status: int | None  # what the receiver answered; None if it could not be reached


@dataclass
class _Prediction:
    id: str
    model: str
    version: str | None
    input: dict[str, Any]
    script: Script
    created: float
    webhook: str | None
    events_filter: list[str] | None
    created_at: str
    canceled_at: float | None = None
    finished: asyncio.Event = field(default_factory=asyncio.Event)

    def status(self, now: float) -> str:
        if self.canceled_at is not None:
            return "canceled"
        elapsed = now - self.created
        if self.script.outcome == "slow" or elapsed < self.script.latency:
            return "starting" if elapsed < self.script.latency * 0.3 else "processing"
        return {"succeed": "succeeded", "canceled": "canceled"}.get(self.script.outcome, "failed")


def sign_webhook(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header Replicate sends: v1,<base64 HMAC-SHA256>."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> Any:
    return web.json_response(
        {"title": title, "detail": detail, "status": status}, status=status, headers=headers
    )


def output_image(size: tuple[int, int]) -> bytes:
    """A busy picture, as a model might paint: a gradient sky, a sun, a figure on the right."""
    width, height = size
    ramp = Image.linear_gradient("L").resize(size)
    flipped = ramp.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    image = Image.merge("RGB", (ramp, Image.new("L", size, 60), flipped))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.6, height * 0.1, width * 0.9, height * 0.6), fill=(250, 200, 40))
    draw.rectangle((width * 0.7, height * 0.5, width * 0.8, height), fill=(30, 90, 200))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


class ReplicateStandIn(LoopbackServer):
    def __init__(self, token: str = "r8_standin_token") -> None:
        super().__init__()
        self.token = token
        self.webhook_secret = new_secret()
        self.script = Script()
        # Scripts of the next predictions created, in order (one of four variants
        # failing, say); `script` again once they are used up.
        self.upcoming: list[Script] = []
        self.signing = WebhookSigning()
        self.creates: list[CreateCall] = []
        self.uploads: list[Upload] = []
        self.cancels: list[str] = []
        self.polls: Counter[str] = Counter()  # GET /v1/predictions/{id} per id
        self.deliveries: list[Delivery] = []
        self.download_auth: list[str | None] = []  # Authorization headers sent to outputs
        self.secret_reads = 0
        self.unauthorized = 0
        self._throttle: list[str] = []  # Retry-After of each 429 still to answer
        self._predictions: dict[str, _Prediction] = {}
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self._images: dict[tuple[int, int], bytes] = {}
        self._created = asyncio.Event()
        self.delivered = asyncio.Event()  # set once a webhook delivery has been attempted
        # Set by a test to keep output downloads waiting (a bot killed mid-download).
        self.output_hold: Hold | None = None

    def throttle(self, count: int, retry_after: str = "0") -> None:
        """The next `count` creates answer 429 with this Retry-After."""
        self._throttle.extend([retry_after] * count)

    def prediction_input(self, prediction_id: str) -> dict[str, Any]:
        return self._predictions[prediction_id].input

    def upload_at(self, url: str) -> Upload | None:
        return next((upload for upload in self.uploads if upload.url == url), None)

    async def first_created(self) -> str:
        """The id of the first prediction created, once there is one."""
        await self._created.wait()
        return next(iter(self._predictions))

    def add_routes(self, app: web.Application) -> None:
        app.middlewares.append(self._auth)
        app.router.add_post("/v1/models/{owner}/{name}/predictions", self._create_for_model)
        app.router.add_post("/v1/predictions", self._create_for_version)
        app.router.add_get("/v1/predictions/{id}", self._get)
        app.router.add_post("/v1/predictions/{id}/cancel", self._cancel)
        app.router.add_post("/v1/files", self._upload)
        app.router.add_get("/v1/files/{id}/download", self._download_upload)
        app.router.add_get("/v1/webhooks/default/secret", self._secret)
        app.router.add_get("/delivery/{id}.jpg", self._output)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await super().stop()

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        authorized = request.headers.get("Authorization") == f"Bearer {self.token}"
        if request.path.startswith("/v1/") and not authorized:
            self.unauthorized += 1
            return _problem(401, "Unauthenticated", "You did not pass a valid authentication token")
        return await handler(request)

    # Predictions.

    async def _create_for_model(self, request: web.Request) -> web.StreamResponse:
        model = f"{request.match_info['owner']}/{request.match_info['name']}"
        return await self._create(request, model=model, version=None)

    async def _create_for_version(self, request: web.Request) -> web.StreamResponse:
        return await self._create(request, model=None, version="")

    async def _create(
        self, request: web.Request, *, model: str | None, version: str | None
    ) -> web.StreamResponse:
        try:
            body = await request.json()
        except ValueError:
            return _problem(400, "Bad request", "The body is not JSON")
        if version is not None:
            version = body.get("version") if isinstance(body, dict) else None
        payload = body.get("input") if isinstance(body, dict) else None
        record = {
            "path": request.path,
            "model": model,
            "version": version,
            "input": payload if isinstance(payload, dict) else {},
            "webhook": body.get("webhook") if isinstance(body, dict) else None,
            "events_filter": body.get("webhook_events_filter") if isinstance(body, dict) else None,
        }
        if self._throttle:
            retry_after = self._throttle.pop(0)
            self.creates.append(CreateCall(**record, status=429))
            return _problem(
                429,
                "Request was throttled",
                "Request was throttled. Your rate limit resets in ~1s.",
                {"Retry-After": retry_after},
            )
        if not isinstance(payload, dict) or (version is not None and not version):
            self.creates.append(CreateCall(**record, status=422))
            return _problem(422, "Input validation failed", "input and version are required")
        prediction = _Prediction(
            id=f"standin{next(self._ids):06d}",
            model=model or "someone/pinned",
            version=version,
            input=payload,
            script=self.upcoming.pop(0) if self.upcoming else self.script,
            created=time.monotonic(),
            webhook=record["webhook"],
            events_filter=record["events_filter"],
            created_at=datetime.now(UTC).isoformat(),
        )
        self._predictions[prediction.id] = prediction
        self._created.set()
        self.creates.append(CreateCall(**record, status=201, prediction_id=prediction.id))
        if prediction.webhook:
            self._spawn(self._deliver_when_done(prediction))
        return web.json_response(self._json(prediction), status=201)

    async def _get(self, request: web.Request) -> web.StreamResponse:
        prediction = self._predictions.get(request.match_info["id"])
        if prediction is None:
            return _problem(404, "Not found", "No such prediction")
        self.polls[prediction.id] += 1
        return web.json_response(self._json(prediction))

    async def _cancel(self, request: web.Request) -> web.StreamResponse:
        prediction = self._predictions.get(request.match_info["id"])
        if prediction is None:
            return _problem(404, "Not found", "No such prediction")
        self.cancels.append(prediction.id)
        if prediction.status(time.monotonic()) not in TERMINAL:
            prediction.canceled_at = time.monotonic()
            prediction.finished.set()
        return web.json_response(self._json(prediction))

    def _json(self, prediction: _Prediction) -> dict[str, Any]:
        now = time.monotonic()
        status = prediction.status(now)
        script = prediction.script
        output: Any = None
        error = None
        if status == "succeeded":
            width, height = script.output_size
            url = f"{self.url}/delivery/{prediction.id}.jpg?w={width}&h={height}"
            output = [url] if script.output_as_list else url
        elif status == "failed":
            error = NSFW_ERROR if script.outcome == "nsfw" else MODEL_ERROR
        logs = ""
        if status != "starting":
            share = min(1.0, (now - prediction.created) / max(script.latency, 1e-6))
            steps = round(share * 4) if script.outcome != "slow" else 1
            logs = f"Using seed: 42\n{steps * 25:3d}%|{'#' * steps}{' ' * (4 - steps)}| {steps}/4"
        base = f"{self.url}/v1/predictions/{prediction.id}"
        return {
            "id": prediction.id,
            "model": prediction.model,
            "version": prediction.version or "hidden",
            "input": prediction.input,
            "logs": logs,
            "output": output,
            "error": error,
            "status": status,
            "data_removed": False,
            "created_at": prediction.created_at,
            "started_at": prediction.created_at if status != "starting" else None,
            "completed_at": prediction.created_at if status in TERMINAL else None,
            "metrics": {"predict_time": script.latency} if status == "succeeded" else {},
            "urls": {"get": base, "cancel": f"{base}/cancel"},
        }

    # Webhooks.

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver_when_done(self, prediction: _Prediction) -> None:
        """Posts the finished prediction to its webhook, as Replicate does for "completed"."""
        if prediction.events_filter and "completed" not in prediction.events_filter:
            return
        if prediction.script.outcome != "slow":
            remaining = prediction.script.latency - (time.monotonic() - prediction.created)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(remaining, 0) + 0.005):
                    await prediction.finished.wait()  # or a cancel, sooner
        else:
            await prediction.finished.wait()
        assert prediction.webhook is not None
        body = json.dumps(self._json(prediction)).encode()
        webhook_id = f"msg_{secrets.token_hex(8)}"
        timestamp = int(time.time()) + self.signing.clock_offset
        secret = self.signing.secret or self.webhook_secret
        headers = {
            "Content-Type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign_webhook(secret, webhook_id, timestamp, body),
        }
        status: int | None = None
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.post(prediction.webhook, data=body, headers=headers) as response,
            ):
                status = response.status
        except aiohttp.ClientError:
            status = None
        self.deliveries.append(Delivery(prediction.id, status))
        self.delivered.set()

    async def _secret(self, request: web.Request) -> web.StreamResponse:
        self.secret_reads += 1
        return web.json_response({"key": self.webhook_secret})

    # Files.

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        reader = await request.multipart()
        upload: Upload | None = None
        async for part in reader:
            if not isinstance(part, aiohttp.BodyPartReader) or part.name != "content":
                continue
            file_id = f"file{len(self.uploads) + 1:04d}"
            upload = Upload(
                id=file_id,
                filename=part.filename or "file",
                content_type=part.headers.get("Content-Type", "application/octet-stream"),
                data=bytes(await part.read()),
                url=f"{self.url}/v1/files/{file_id}/download",
            )
        if upload is None:
            return _problem(400, "Bad request", "A multipart field named content is required")
        self.uploads.append(upload)
        now = datetime.now(UTC).isoformat()
        return web.json_response(
            {
                "id": upload.id,
                "name": upload.filename,
                "content_type": upload.content_type,
                "size": len(upload.data),
                "etag": hashlib.md5(upload.data, usedforsecurity=False).hexdigest(),
                "checksums": {"sha256": hashlib.sha256(upload.data).hexdigest()},
                "metadata": {},
                "created_at": now,
                "expires_at": None,
                "urls": {"get": upload.url},
            },
            status=201,
        )

    async def _download_upload(self, request: web.Request) -> web.StreamResponse:
        upload = next((u for u in self.uploads if u.id == request.match_info["id"]), None)
        if upload is None:
            return _problem(404, "Not found", "No such file")
        return web.Response(body=upload.data, content_type=upload.content_type)

    async def _output(self, request: web.Request) -> web.StreamResponse:
        self.download_auth.append(request.headers.get("Authorization"))
        if self.output_hold is not None:
            await self.output_hold.keep()
        if request.match_info["id"] not in self._predictions:
            return web.Response(status=404)
        size = (int(request.query.get("w", 1344)), int(request.query.get("h", 768)))
        if size not in self._images:
            self._images[size] = await asyncio.to_thread(output_image, size)
        return web.Response(body=self._images[size], content_type="image/jpeg")


async def _serve_forever(port: int, latency: float) -> None:
    """Runs the stand-in on its own, so a benchmark can keep it out of the measured process."""
    standin = ReplicateStandIn()
    standin.script.latency = latency
    await standin.start_on(port)
    print(standin.url, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    import sys

    asyncio.run(_serve_forever(int(sys.argv[1]), float(sys.argv[2])))

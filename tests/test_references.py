"""Reading what an order points at: the YouTube stand-in over HTTP, real local storage."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from PIL import Image

from services.adapters.storage import LocalStorage
from services.adapters.youtube import VideoUnavailable, YouTubeClient
from services.references import ReferenceService
from tests.standins.youtube import StandInVideo, YouTubeStandIn, jpeg


def gif(width: int, height: int) -> bytes:
    """A picture YouTube would never send: it opens, but is not a format the bot keeps."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 200, 90)).save(buffer, "GIF")
    return buffer.getvalue()


@pytest.fixture
async def youtube() -> YouTubeStandIn:
    standin = YouTubeStandIn(
        {
            "readable001": StandInVideo("Readable", thumbnails={"hqdefault.jpg": jpeg(480, 360)}),
            "garbledThmb": StandInVideo("Garbled", thumbnails={"hqdefault.jpg": gif(480, 360)}),
            "silentVideo": StandInVideo(oembed_status=503),
            "privateVid1": StandInVideo(oembed_status=401),
        }
    )
    await standin.start()
    yield standin
    await standin.stop()


@pytest.fixture
def references(youtube: YouTubeStandIn, tmp_path: Path) -> ReferenceService:
    videos = YouTubeClient(
        oembed_url=youtube.oembed_url, thumbnail_url_template=youtube.thumbnail_url_template
    )
    storage = LocalStorage(tmp_path)
    return ReferenceService(videos, storage)


async def test_a_readable_video_keeps_its_title_and_a_stored_copy_of_its_thumbnail(references):
    read = await references.read_video(uuid.uuid4(), "look https://youtu.be/readable001 !")
    assert read is not None
    assert read.title == "Readable"
    assert read.image_url is not None
    assert (await references.load(read.image_url)).startswith(b"\xff\xd8")


async def test_a_silent_youtube_gives_the_link_without_title_or_picture(references):
    read = await references.read_video(uuid.uuid4(), "https://youtu.be/silentVideo")
    assert read is not None
    assert (read.title, read.image_url) == (None, None)
    assert read.url == "https://www.youtube.com/watch?v=silentVideo"


async def test_a_thumbnail_that_is_not_a_picture_is_no_picture(references):
    read = await references.read_video(uuid.uuid4(), "https://youtu.be/garbledThmb")
    assert read is not None
    assert read.title == "Garbled"
    assert read.image_url is None


async def test_a_private_video_is_refused_and_text_without_a_link_is_none(references):
    with pytest.raises(VideoUnavailable):
        await references.read_video(uuid.uuid4(), "https://youtu.be/privateVid1")
    assert await references.read_video(uuid.uuid4(), "just a title") is None

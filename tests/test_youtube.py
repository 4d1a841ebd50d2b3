"""YouTube links: every common URL form parses to its id (and look-alikes don't), and the
client reads title and thumbnail from a loopback stand-in of oEmbed and i.ytimg.com."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from services.adapters import youtube
from services.adapters.youtube import (
    NotAYouTubeLink,
    VideoUnavailable,
    YouTubeClient,
    YouTubeUnreachable,
    parse_video_id,
)
from tests.standins.youtube import PLACEHOLDER, StandInVideo, YouTubeStandIn, jpeg

ID = "dQw4w9WgXcQ"
ID2 = "a-B_c1D2e3F"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"https://www.youtube.com/watch?v={ID}", ID),
        (f"https://youtube.com/watch?v={ID}", ID),
        (f"http://www.youtube.com/watch?v={ID}", ID),
        (f"www.youtube.com/watch?v={ID}", ID),
        (f"youtube.com/watch?v={ID}", ID),
        (f"https://www.youtube.com/watch?v={ID}&t=42s", ID),
        (f"https://www.youtube.com/watch?t=42&v={ID}", ID),
        (f"https://www.youtube.com/watch?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG&v={ID}", ID),
        (f"https://www.youtube.com/watch?feature=share&v={ID}&index=2", ID),
        (f"https://www.youtube.com/watch?v={ID}#t=30", ID),
        (f"https://youtu.be/{ID}", ID),
        (f"https://youtu.be/{ID}?si=AbCdEfGhIjKlMnOp", ID),
        (f"youtu.be/{ID}?t=10", ID),
        (f"https://www.youtube.com/shorts/{ID}", ID),
        (f"https://youtube.com/shorts/{ID}?feature=share", ID),
        (f"https://www.youtube.com/embed/{ID}?autoplay=1", ID),
        (f"https://www.youtube.com/live/{ID}?si=xyz", ID),
        (f"https://www.youtube.com/v/{ID}?version=3", ID),
        (f"https://m.youtube.com/watch?v={ID}", ID),
        (f"https://music.youtube.com/watch?v={ID}&list=RDAMVM{ID}", ID),
        (f"https://www.youtube-nocookie.com/embed/{ID}", ID),
        (f"HTTPS://WWW.YOUTUBE.COM/watch?v={ID}", ID),
        (f"https://www.youtube.com/watch?v={ID2}", ID2),
        (f"check this https://youtu.be/{ID} thanks", ID),
        (f"  \n https://www.youtube.com/watch?v={ID}\n", ID),
        (f"(https://www.youtube.com/watch?v={ID}).", ID),
        (f"look:https://youtu.be/{ID}!", ID),
        (f"first https://example.com then youtu.be/{ID}", ID),
        # not YouTube, or not a video
        (f"https://youtube.com.evil.example/watch?v={ID}", None),
        (f"https://notyoutube.com/watch?v={ID}", None),
        (f"https://evilyoutu.be/{ID}", None),
        (f"https://www.youtube.com@evil.example/watch?v={ID}", None),
        (f"ftp://www.youtube.com/watch?v={ID}", None),
        (f"https://vimeo.com/{ID}", None),
        ("https://www.youtube.com/@MrBeast", None),
        ("https://www.youtube.com/channel/UCX6OQ3DkcsbYNE6H8uQQuVA", None),
        ("https://www.youtube.com/playlist?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG", None),
        ("https://www.youtube.com/embed/videoseries?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG", None),
        ("https://www.youtube.com/", None),
        ("https://youtu.be/", None),
        # malformed ids
        ("https://www.youtube.com/watch?v=dQw4w9WgXc", None),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQQ", None),
        ("https://youtu.be/dQw4w9WgX!Q", None),
        ("https://www.youtube.com/watch?v=", None),
        ("https://www.youtube.com/shorts/", None),
        (ID, None),
        ("", None),
        ("just some words", None),
    ],
)
def test_parse_video_id(text: str, expected: str | None) -> None:
    assert parse_video_id(text) == expected


MAXRES = jpeg(1280, 720)
HQ = jpeg(480, 360, (40, 40, 200))


@pytest.fixture
async def standin() -> AsyncIterator[YouTubeStandIn]:
    videos = {
        ID: StandInVideo(
            title="  Never Gonna Give You Up  ",
            thumbnails={"maxresdefault.jpg": MAXRES, "hqdefault.jpg": HQ},
        ),
        "NoMaxresVid": StandInVideo(title="Old video", thumbnails={"hqdefault.jpg": HQ}),
        "NoThumbsVid": StandInVideo(title="Processing"),
        "PrivateVid1": StandInVideo(oembed_status=401),
        "Forbidden01": StandInVideo(oembed_status=403),
        "BadRequest1": StandInVideo(oembed_status=400),
        "OembedDown1": StandInVideo(oembed_status=503),
    }
    server = YouTubeStandIn(videos)
    await server.start()
    yield server
    await server.stop()


def client_for(server: YouTubeStandIn, **options: float) -> YouTubeClient:
    return YouTubeClient(
        oembed_url=server.oembed_url,
        thumbnail_url_template=server.thumbnail_url_template,
        **options,
    )


async def test_fetch_reads_title_and_maxres_thumbnail(standin: YouTubeStandIn) -> None:
    video = await client_for(standin).fetch(f"look at this https://youtu.be/{ID}?si=x please")

    assert video.video_id == ID
    assert video.url == f"https://www.youtube.com/watch?v={ID}"
    assert video.title == "Never Gonna Give You Up"
    assert video.thumbnail == MAXRES
    oembed = standin.requests[0]
    assert oembed.startswith("/oembed?")
    assert "format=json" in oembed
    assert ID in oembed


async def test_placeholder_maxres_falls_back_to_hq(standin: YouTubeStandIn) -> None:
    video = await client_for(standin).fetch("https://www.youtube.com/watch?v=NoMaxresVid")

    assert video.thumbnail == HQ
    assert standin.requests[-2:] == [
        "/vi/NoMaxresVid/maxresdefault.jpg",
        "/vi/NoMaxresVid/hqdefault.jpg",
    ]


async def test_video_without_thumbnails_has_none(standin: YouTubeStandIn) -> None:
    video = await client_for(standin).fetch("https://youtu.be/NoThumbsVid")

    assert video.title == "Processing"
    assert video.thumbnail is None


async def test_oversized_thumbnail_counts_as_missing(standin: YouTubeStandIn) -> None:
    client = client_for(standin, max_thumbnail_bytes=len(HQ) + 1)

    video = await client.fetch(f"https://youtu.be/{ID}")

    assert video.thumbnail == HQ  # maxres is larger than the limit


@pytest.mark.parametrize("video_id", ["PrivateVid1", "Forbidden01"])
async def test_private_video(standin: YouTubeStandIn, video_id: str) -> None:
    with pytest.raises(VideoUnavailable) as raised:
        await client_for(standin).fetch(f"https://youtu.be/{video_id}")
    assert raised.value.key == "video_private"


@pytest.mark.parametrize("video_id", ["DeletedVid1", "BadRequest1"])
async def test_deleted_or_unknown_video(standin: YouTubeStandIn, video_id: str) -> None:
    with pytest.raises(VideoUnavailable) as raised:
        await client_for(standin).fetch(f"https://youtu.be/{video_id}")
    assert raised.value.key == "video_not_found"


async def test_not_a_link_needs_no_network() -> None:
    client = YouTubeClient(oembed_url="http://127.0.0.1:9/oembed")
    with pytest.raises(NotAYouTubeLink) as raised:
        await client.fetch("https://vimeo.com/123456")
    assert raised.value.key == "not_youtube_link"


async def test_stopped_server_is_unreachable() -> None:
    server = YouTubeStandIn({ID: StandInVideo()})
    await server.start()
    await server.stop()

    with pytest.raises(YouTubeUnreachable) as raised:
        await client_for(server).fetch(f"https://youtu.be/{ID}")
    assert raised.value.key == "youtube_unreachable"


async def test_timeout_is_unreachable(standin: YouTubeStandIn) -> None:
    client = YouTubeClient(
        oembed_url=f"{standin.url}/slow/oembed",
        thumbnail_url_template=standin.thumbnail_url_template,
        timeout=0.3,
    )
    with pytest.raises(YouTubeUnreachable):
        await client.fetch(f"https://youtu.be/{ID}")


@pytest.mark.parametrize("path", ["/broken/oembed", "/oembed"])
async def test_server_errors_are_unreachable(standin: YouTubeStandIn, path: str) -> None:
    client = YouTubeClient(
        oembed_url=f"{standin.url}{path}",
        thumbnail_url_template=standin.thumbnail_url_template,
    )
    with pytest.raises(YouTubeUnreachable):
        await client.fetch("https://youtu.be/OembedDown1")


async def test_shared_session_is_left_open(standin: YouTubeStandIn) -> None:
    async with aiohttp.ClientSession() as session:
        client = YouTubeClient(
            session,
            oembed_url=standin.oembed_url,
            thumbnail_url_template=standin.thumbnail_url_template,
        )
        first = await client.fetch(f"https://youtu.be/{ID}")
        second = await client.fetch("https://youtu.be/NoMaxresVid")
        assert not session.closed
    assert (first.thumbnail, second.thumbnail) == (MAXRES, HQ)


async def test_session_factory_sessions_are_closed(standin: YouTubeStandIn) -> None:
    made: list[aiohttp.ClientSession] = []

    def factory() -> aiohttp.ClientSession:
        made.append(aiohttp.ClientSession())
        return made[-1]

    client = YouTubeClient(
        factory,
        oembed_url=standin.oembed_url,
        thumbnail_url_template=standin.thumbnail_url_template,
    )
    video = await client.fetch(f"https://youtu.be/{ID}")

    assert video.thumbnail == MAXRES
    assert len(made) == 1
    assert made[0].closed


def test_placeholder_is_the_size_youtube_serves() -> None:
    assert youtube.PLACEHOLDER_SIZE == (120, 90)
    assert not youtube._is_real_picture(PLACEHOLDER)
    assert youtube._is_real_picture(HQ)
    assert not youtube._is_real_picture(b"<html>not an image</html>")

"""Face photos are checked for a face before they are kept: none is refused, several are
cut down to the largest one, and without OpenCV nothing is refused."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from sandbox.samples import sample_face, sample_faces, sample_image
from services.generators.imaging import Box
from services.generators.portrait import find_faces
from services.images import (
    GROUP_CROP_FACE_HEIGHTS,
    MIN_SIDE,
    ImageRejected,
    normalize_face_photo,
)

pytest.importorskip("cv2")


def faces_in(data: bytes) -> list[Box]:
    with Image.open(io.BytesIO(data)) as image:
        found = find_faces(image)
    assert found is not None
    return found


def height(box: Box) -> int:
    return box[3] - box[1]


@pytest.mark.parametrize(
    "picture",
    [sample_image(), sample_image(512, 512, "PNG"), sample_image(800, 600, label="me")],
)
def test_a_picture_without_a_face_is_refused(picture: bytes) -> None:
    with pytest.raises(ImageRejected) as refused:
        normalize_face_photo(picture)
    assert refused.value.key == "face_not_found"


def test_a_photo_of_one_face_is_kept_whole() -> None:
    kept = normalize_face_photo(sample_face(800))

    assert (kept.faces, kept.width, kept.height) == (1, 800, 800)
    assert len(faces_in(kept.data)) == 1


@pytest.mark.parametrize("count", [2, 3, 4])
def test_a_group_photo_is_cut_down_to_its_largest_face(count: int) -> None:
    group = sample_faces(count)
    largest, *others = faces_in(group)
    assert len(others) == count - 1
    assert all(height(largest) > height(other) for other in others)

    kept = normalize_face_photo(group)

    assert kept.faces == count
    # A square around the largest face, as many of its heights tall as the crop is meant to be.
    assert kept.width == kept.height == round(GROUP_CROP_FACE_HEIGHTS * height(largest))
    assert len(faces_in(kept.data)) == 1


def test_a_small_group_photo_keeps_a_crop_of_at_least_the_minimum_size() -> None:
    with Image.open(io.BytesIO(sample_faces(3))) as group:
        small = group.resize((round(group.width * 300 / group.height), 300))
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=90)

    kept = normalize_face_photo(buffer.getvalue())

    assert kept.faces == 3
    assert kept.width == kept.height >= MIN_SIDE
    assert len(faces_in(kept.data)) == 1


def test_without_opencv_a_photo_is_kept_unchecked() -> None:
    """A missing OpenCV must not turn every upload away: the photo is kept, count unknown."""
    script = (
        "import sys; sys.modules['cv2'] = None\n"
        "from sandbox.samples import sample_image\n"
        "from services.images import normalize_face_photo\n"
        "print(normalize_face_photo(sample_image()).faces)\n"
    )
    root = Path(__file__).resolve().parent.parent
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "None"

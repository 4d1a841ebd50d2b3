"""The deploy files, checked here since no image can be built on this machine (its base
image would come from a registry): the Dockerfile copies files that exist and that
.dockerignore lets through, installs requirements.lock with hashes, runs as a non-root
user with a health check; the code it copies is enough to run the bot; the lock pins
every package the bot's requirements pull in, at the versions these tests ran with, each
with its hashes; compose.yaml and the Procfile run the migrations and the bot."""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
LOCK = (ROOT / "requirements.lock").read_text()


def final_stage() -> str:
    return DOCKERFILE.rsplit("\nFROM ", 1)[1]


def copied_sources() -> list[str]:
    sources = []
    for line in DOCKERFILE.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            sources += line.split()[1:-1]
    return sources


def test_the_dockerfile_copies_what_exists_and_builds_no_tools_in():
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for source in copied_sources():
        assert (ROOT / source).exists(), source
        assert not any(fnmatch.fnmatch(source.rstrip("/"), pattern) for pattern in ignored)
    assert all(
        line.startswith("FROM python:3.11-slim")
        for line in re.findall(r"^FROM .*", DOCKERFILE, re.M)
    )
    assert "pip install --require-hashes --no-deps -r /tmp/requirements.lock" in DOCKERFILE
    assert not re.search(r"apt-get|build-essential|gcc", DOCKERFILE)
    user = re.findall(r"^USER (\S+)", final_stage(), re.M)
    assert user
    assert user[-1] not in ("root", "0")
    assert "HEALTHCHECK" in final_stage()
    assert "/healthz" in final_stage()
    assert 'CMD ["python", "-m", "bot"]' in final_stage()


def test_the_code_the_image_gets_is_enough_to_run_the_bot(tmp_path: Path):
    """Only the copied directories on the path: the entry point and both modes import."""
    for source in copied_sources():
        if source.endswith("/"):
            (tmp_path / source.rstrip("/")).symlink_to(ROOT / source.rstrip("/"))
    script = "import bot.__main__, bot.runtime, bot.sandbox_mode, services.adapters.migrations"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
        check=False,
    )
    assert done.returncode == 0, done.stderr


def pins(text: str) -> dict[str, tuple[str, str]]:
    """name -> (version, environment marker) of every `name==version` line."""
    found = {}
    for match in re.finditer(
        r"^([A-Za-z0-9_.\-\[\],]+)==([^\s;\\]+)(?: ; ([^\\\n]+))?", text, re.M
    ):
        name = canonicalize_name(match[1].split("[")[0])
        found[name] = (match[2], (match[3] or "").strip())
    return found


def test_the_lock_pins_every_package_with_its_hashes():
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK.strip())
    for block in blocks:
        if block.startswith("#"):
            continue
        assert "--hash=sha256:" in block, block.splitlines()[0]
    locked = pins(LOCK)
    for name, (version, _) in pins((ROOT / "requirements.txt").read_text()).items():
        assert locked[name][0] == version, name


def test_the_lock_covers_what_the_requirements_pull_in_at_the_tested_versions():
    """The installed dependency tree of requirements.txt (what these tests ran on), each
    package pinned in the lock at the version installed."""
    locked = pins(LOCK)
    environment = default_environment()
    todo = [
        Requirement(line.split("#")[0])
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.split("#")[0].strip()
    ]
    seen: set[str] = set()
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        assert name in locked, f"{name} is not in requirements.lock"
        assert locked[name][0] == metadata.version(name), name
        for extra in [*requirement.extras, ""]:
            for needed in metadata.requires(name) or []:
                dependency = Requirement(needed)
                marker = dependency.marker
                if marker is None or marker.evaluate({**environment, "extra": extra}):
                    todo.append(dependency)
    assert len(seen) > 40


def test_compose_and_the_procfile_migrate_then_run():
    compose = (ROOT / "compose.yaml").read_text()
    for needed in (
        "postgres:",
        'python", "-m", "bot", "migrate"',
        "replicas: 2",
        "service_completed_successfully",
        "8080",
        "PUBLIC_URL",
    ):
        assert needed in compose, needed
    procfile = (ROOT / "Procfile").read_text().splitlines()
    assert "release: python -m bot migrate" in procfile
    assert "web: python -m bot" in procfile

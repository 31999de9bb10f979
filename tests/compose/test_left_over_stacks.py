"""A killed session's stacks come back when the private engine starts again; the compose tests and
the stack benchmark remove them first (``remove_left_over_stacks``), and nothing else."""

import secrets
import subprocess

import pytest

from tests.compose import images
from tests.compose.conftest import (
    COMPOSE_PROJECT_LABEL,
    LEFT_OVER_PREFIXES,
    REPOSITORY_ROOT,
    remove_left_over_stacks,
)

pytestmark = [pytest.mark.docker]


def docker(*arguments: str) -> str:
    return subprocess.run(
        ["docker", *arguments], check=True, capture_output=True, text=True, timeout=300
    ).stdout.strip()


def leave_a_stack(project: str) -> dict[str, str]:
    """A running container that restarts unless stopped, a volume and a network, as compose
    labels them for ``project``."""
    label = f"{COMPOSE_PROJECT_LABEL}={project}"
    network = docker("network", "create", "--label", label, f"{project}_default")
    volume = docker("volume", "create", "--label", label, f"{project}_data")
    container = docker(
        "run", "-d", "--restart", "unless-stopped", "--label", label, "--network", network,
        "-v", f"{volume}:/data", images.DEBIAN, "sleep", "infinity",
    )  # fmt: skip
    return {"container": container, "volume": volume, "network": network}


def exists(kind: str, identifier: str) -> bool:
    inspected = subprocess.run(
        ["docker", kind, "inspect", identifier], capture_output=True, text=True, timeout=60
    )
    return inspected.returncode == 0


def test_a_killed_sessions_stack_goes_and_other_projects_stay(docker_engine_environ, tmp_path):
    with open(tmp_path / "build.log", "w") as log:
        images.build_debian(log)
    # a prefix of this test's own, so that the live stack of the compose tests is not touched
    prefix = f"reference-sweep-{secrets.token_hex(3)}-"
    killed = leave_a_stack(f"{prefix}killed")
    other = leave_a_stack(f"someone-else-{secrets.token_hex(3)}")
    try:
        removed = remove_left_over_stacks(docker_engine_environ, prefixes=(prefix,))

        assert removed == [f"{prefix}killed"]
        assert not exists("container", killed["container"])
        assert not exists("volume", killed["volume"])
        assert not exists("network", killed["network"])
        assert exists("container", other["container"])
        assert exists("volume", other["volume"])
        assert exists("network", other["network"])
        assert remove_left_over_stacks(docker_engine_environ, prefixes=(prefix,)) == []
    finally:
        docker("rm", "-f", other["container"])
        docker("volume", "rm", other["volume"])
        docker("network", "rm", other["network"])


def test_the_prefixes_cover_the_projects_the_tests_and_the_benchmark_name():
    named = {
        REPOSITORY_ROOT / "tests/compose/conftest.py": 'f"reference-test-{',
        REPOSITORY_ROOT / "benchmarks/compose_stack.py": 'f"reference-benchmark-{',
    }
    for source, project in named.items():
        assert project in source.read_text(), source
        assert project.removeprefix('f"').removesuffix("{").startswith(LEFT_OVER_PREFIXES)

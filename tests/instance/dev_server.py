"""`dagster dev` as scripts/dev.sh starts it (webserver, daemon and code server on the embedded
default's instance), over a code location of the test's choice, for tests of what the daemon
does: run monitoring, run retries, pool slots, alert sensors.

The instance is the project's ``dagster.yaml`` (or the stack's), with the test's ``overrides``
merged into it; runs are submitted and read through the webserver's GraphQL API, as the UI does.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import requests
import yaml
from dagster_graphql import DagsterGraphQLClient

from dagster_project.settings import REPOSITORY_ROOT
from tests.instance import fault_location
from tests.processes import free_port, stop_process_group, wait_until

# The daemons the tests rely on: the queue, run monitoring (and the pool-slot sweep), retries.
NEEDED_DAEMONS = {"QUEUED_RUN_COORDINATOR", "MONITORING", "EVENT_LOG_CONSUMER"}
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}


@dataclass
class DevServer:
    home: Path
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def client(self) -> DagsterGraphQLClient:
        return DagsterGraphQLClient("127.0.0.1", port_number=self.port)

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(str(self.home))

    def submit(self, job: str, tags: dict[str, str] | None = None) -> str:
        return self.client.submit_job_execution(job, tags=tags or {})

    def status(self, run_id: str) -> str:
        return self.client.get_run_status(run_id).value

    def wait_for(self, run_id: str, statuses: set[str] = TERMINAL, timeout_s: float = 120) -> str:
        """Poll until the run's status is one of ``statuses``; fail naming the last status."""
        deadline = time.monotonic() + timeout_s
        status = self.status(run_id)
        while status not in statuses:
            if time.monotonic() > deadline:
                with self.instance() as instance:
                    story = run_story(instance, run_id)
                raise TimeoutError(
                    f"run {run_id} still {status} after {timeout_s} s, not one of {statuses} "
                    f"(log: {self.log})\n{story}"
                )
            time.sleep(0.5)
            status = self.status(run_id)
        return status


def instance_config(source: Path, overrides: dict) -> dict:
    """``source`` with each top-level section of ``overrides`` merged into its own."""
    config = yaml.safe_load(source.read_text())
    for section, values in overrides.items():
        if isinstance(values, dict) and isinstance(config.get(section), dict):
            config[section] = {**config[section], **values}
        else:
            config[section] = values
    return config


@contextlib.contextmanager
def dagster_dev(
    folder: Path,
    module: str,
    environ: dict[str, str],
    overrides: dict | None = None,
    instance_file: Path = REPOSITORY_ROOT / "dagster.yaml",
    dev_arguments: tuple[str, ...] = (),
) -> Iterator[DevServer]:
    """`dagster dev -m module` on a new instance in ``folder/home``, ready once the webserver
    answers and the daemons the tests need have sent a heartbeat."""
    home = folder / "home"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(
        yaml.safe_dump(instance_config(instance_file, overrides or {}))
    )
    log = folder / "dagster-dev.log"
    port = free_port()
    command = [str(Path(sys.executable).parent / "dagster"), "dev", "-m", module]
    command += ["-h", "127.0.0.1", "-p", str(port), *dev_arguments]
    with open(log, "w") as output:
        process = subprocess.Popen(
            command,
            cwd=REPOSITORY_ROOT,
            env={**os.environ, **environ, "DAGSTER_HOME": str(home)},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = DevServer(home, port, process, log)
    try:
        wait_until(
            lambda: requests.get(f"http://127.0.0.1:{port}/server_info", timeout=2).ok,
            process,
            f"dagster dev's webserver (log: {log})",
        )
        with server.instance() as instance:
            wait_until(
                lambda: set(instance.get_daemon_heartbeats()) >= NEEDED_DAEMONS,
                process,
                f"dagster dev's daemons (log: {log})",
            )
        yield server
    finally:
        stop_process_group(process)


def dagster_daemon(log: Path, environ: dict[str, str] | None = None) -> subprocess.Popen:
    """`dagster-daemon run` over the project's code location, as scripts/dev.sh names it, its
    output in ``log``, in a process group of its own (stop it with stop_process_group)."""
    with open(log, "w") as output:
        return subprocess.Popen(
            [
                Path(sys.executable).parent / "dagster-daemon",
                "run",
                "-m",
                "dagster_project.definitions",
            ],
            cwd=REPOSITORY_ROOT,
            env=environ,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


class Gate:
    """One gate of the fault location: a run tagged with it waits in its step until opened."""

    def __init__(self, folder: Path):
        self.name = f"gate-{uuid.uuid4().hex[:8]}"
        self.file = folder / self.name

    @property
    def tags(self) -> dict[str, str]:
        return {fault_location.GATE_TAG: self.name}

    def open(self) -> None:
        self.file.touch()


def poll(condition: Callable[[], object], what: str, timeout_s: float = 60):
    """``condition()`` once it is truthy; fail naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout_s} s")
        time.sleep(0.25)


def run_story(instance: dg.DagsterInstance, run_id: str, last: int = 15) -> str:
    """The run's status, tags and last event messages: what a failed wait reports."""
    run = instance.get_run_by_id(run_id)
    if run is None:
        return f"run {run_id}: not in the instance"
    messages = [
        f"  {record.dagster_event.event_type_value if record.dagster_event else 'LOG'}: "
        f"{record.message[:200]}"
        for record in instance.all_logs(run_id)[-last:]
    ]
    return "\n".join([f"run {run_id}: {run.status.value}, tags {dict(run.tags)}", *messages])


@contextlib.contextmanager
def story_on_timeout(dev: DevServer, run_id: str, log_lines: int = 30) -> Iterator[None]:
    """A TimeoutError in the block also tells the run's story and the end of dagster dev's log
    (what a CI failure needs to be understood without the machine)."""
    try:
        yield
    except TimeoutError as error:
        with dev.instance() as instance:
            story = run_story(instance, run_id)
        log = dev.log.read_text(errors="replace").splitlines()[-log_lines:]
        raise TimeoutError("\n".join([str(error), story, f"end of {dev.log}:", *log])) from None


def slot_holders(instance: dg.DagsterInstance, pool: str) -> set[str]:
    """The runs that claim a slot of ``pool``."""
    info = instance.event_log_storage.get_concurrency_info(pool)
    return {slot.run_id for slot in info.claimed_slots}


def run_worker_pid(instance: dg.DagsterInstance, run_id: str) -> int:
    """The PID the run's process reported when it started (a process of the code server)."""
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        found = re.match(r"Started process for run \(pid: (\d+)\)", record.message)
        if found:
            return int(found.group(1))
    raise AssertionError(f"run {run_id} reported no process")


def kill_while_holding(dev: DevServer, run_id: str, pool: str) -> None:
    """SIGKILL the run's process once its step holds a slot of ``pool`` (as the OOM killer
    would: no handler runs, nothing is cleaned up)."""
    with dev.instance() as instance:
        poll(lambda: run_id in slot_holders(instance, pool), f"{run_id} holding {pool}")
        os.kill(run_worker_pid(instance, run_id), signal.SIGKILL)


def hold_warehouse_slot_then_die(instance: dg.DagsterInstance, gates: Path) -> str:
    """A run process of the fault location (no daemon, no code server, as `dg launch` runs it)
    takes the warehouse pool's slot and is SIGKILLed; its run is then failed as run monitoring
    would fail it. The slot stays claimed: nothing here frees it. The run's id."""
    writer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.instance.fault_location",
            instance.root_directory,
            Gate(gates).name,
        ],
        cwd=REPOSITORY_ROOT,
        env={**os.environ, "GATE_FOLDER": str(gates)},
    )
    try:
        (run_id,) = poll(lambda: slot_holders(instance, "warehouse"), "the slot claimed")
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.kill()
        writer.wait(timeout=30)
    instance.report_run_failed(instance.get_run_by_id(run_id), "its process was killed")
    return run_id

"""The stack's code server entry (dagster_project/instance/code_server.py) on a real instance:
it serves the code location with `dagster code-server start`, then ends exactly the runs its
previous process left behind on its own address; and the run launcher's health check
answers for runs on this machine by their process, for runs elsewhere with RUNNING."""

import json
import os
import subprocess
import sys

import dagster as dg
from dagster._core.events import EngineEventData  # how a run's process reports its PID

from dagster_project.dagster_internals import GRPC_INFO_TAG, WorkerStatus
from dagster_project.instance.code_server import end_runs_left_behind
from dagster_project.instance.run_launcher import MonitoredRunLauncher
from dagster_project.settings import REPOSITORY_ROOT
from tests.processes import free_port, stop_process_group, wait_until


@dg.op
def step() -> None:
    pass


@dg.job
def job():
    step()


def run_on(instance, host: str, port: int, status: dg.DagsterRunStatus) -> str:
    """A run launched on ``host:port`` and left in ``status``."""
    run = instance.create_run_for_job(
        job, tags={GRPC_INFO_TAG: json.dumps({"host": host, "port": port})}
    )
    if status != dg.DagsterRunStatus.NOT_STARTED:
        instance.report_dagster_event(
            dg.DagsterEvent(dg.DagsterEventType.RUN_START.value, job_name=run.job_name),
            run_id=run.run_id,
        )
    if status == dg.DagsterRunStatus.CANCELING:
        instance.report_run_canceling(instance.get_run_by_id(run.run_id))
    if status == dg.DagsterRunStatus.SUCCESS:
        instance.report_dagster_event(
            dg.DagsterEvent(dg.DagsterEventType.RUN_SUCCESS.value, job_name=run.job_name),
            run_id=run.run_id,
        )
    return run.run_id


def statuses(instance, run_ids: dict[str, str]) -> dict[str, str]:
    return {name: instance.get_run_by_id(run).status.value for name, run in run_ids.items()}


def test_only_the_unfinished_runs_of_this_address_are_ended(instance):
    runs = {
        "started here": run_on(instance, "code-location", 4000, dg.DagsterRunStatus.STARTED),
        "cancelling here": run_on(instance, "code-location", 4000, dg.DagsterRunStatus.CANCELING),
        "finished here": run_on(instance, "code-location", 4000, dg.DagsterRunStatus.SUCCESS),
        "not started": run_on(instance, "code-location", 4000, dg.DagsterRunStatus.NOT_STARTED),
        "another port": run_on(instance, "code-location", 4001, dg.DagsterRunStatus.STARTED),
        "another host": run_on(instance, "elsewhere", 4000, dg.DagsterRunStatus.STARTED),
    }

    ended = end_runs_left_behind(instance, "code-location", 4000)

    assert sorted(ended) == sorted([runs["started here"], runs["cancelling here"]])
    assert statuses(instance, runs) == {
        "started here": "FAILURE",
        "cancelling here": "CANCELED",
        "finished here": "SUCCESS",
        "not started": "NOT_STARTED",
        "another port": "STARTED",
        "another host": "STARTED",
    }
    messages = [record.message for record in instance.all_logs(runs["started here"])]
    assert any("The code server at code-location:4000 restarted" in text for text in messages)


def test_the_entry_serves_the_code_location_then_ends_the_runs_left(tmp_path, small_scale_environ):
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPOSITORY_ROOT / "dagster.yaml").read_text())
    port = free_port()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        left = run_on(instance, "127.0.0.1", port, dg.DagsterRunStatus.STARTED)
    environ = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DAGSTER_CODE_LOCATION_HOST": "127.0.0.1",
        "DAGSTER_CODE_LOCATION_PORT": str(port),
    }
    command = [sys.executable, "-m", "dagster_project.instance.code_server"]
    command += ["-m", "dagster_project.definitions", "-h", "127.0.0.1", "-p", str(port)]
    server = subprocess.Popen(command, cwd=REPOSITORY_ROOT, env=environ, start_new_session=True)
    health = [sys.executable, "-m", "dagster_project.instance.health", "grpc", str(port)]
    try:
        wait_until(
            lambda: subprocess.run(health, capture_output=True, check=False).returncode == 0,
            server,
            "the code server",
        )
        with dg.DagsterInstance.from_config(str(home)) as instance:
            wait_until(
                lambda: instance.get_run_by_id(left).status == dg.DagsterRunStatus.FAILURE,
                server,
                "the run left behind ended",
            )
    finally:
        stop_process_group(server)


def test_the_health_check_asks_the_process_on_this_machine_and_trusts_other_machines(instance):
    launcher = MonitoredRunLauncher()
    launcher.register_instance(instance)
    alive = run_on(instance, "127.0.0.1", 4000, dg.DagsterRunStatus.STARTED)
    gone = run_on(instance, "localhost", 4000, dg.DagsterRunStatus.STARTED)
    elsewhere = run_on(instance, "code-location", 4000, dg.DagsterRunStatus.STARTED)
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    for run_id, pid in ((alive, os.getpid()), (gone, finished.pid)):
        instance.report_engine_event(
            f"Started process for run (pid: {pid}).",
            instance.get_run_by_id(run_id),
            EngineEventData.in_process(pid),
        )

    def health(run_id: str):
        return launcher.check_run_worker_health(instance.get_run_by_id(run_id)).status

    assert health(alive) == WorkerStatus.RUNNING
    assert health(gone) == WorkerStatus.FAILED
    assert health(elsewhere) == WorkerStatus.RUNNING

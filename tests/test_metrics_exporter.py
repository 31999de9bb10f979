"""The metrics exporter (dagster_project/metrics_exporter.py) as Prometheus scrapes it: a real
`python -m dagster_project.metrics_exporter` on an instance where the test caused, for real, a
run that succeeded and one that failed, a run waiting in the queue, a pool slot held by a run
whose process was killed, an asset past its freshness window (Dagster's FreshnessDaemon says so)
and a failed asset check; each metric's value is checked. A scrape with the instance's
PostgreSQL stopped, or never answering, answers `dagster_up 0` within the scrape deadline."""

import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psutil
import pytest
import requests
from dagster._core.test_utils import freeze_time
from dagster._daemon.freshness import FreshnessDaemon
from prometheus_client.parser import text_string_to_metric_families

from dagster_project.definitions import defs
from dagster_project.metrics_exporter import SCRAPE_DEADLINE_S
from dagster_project.settings import REPOSITORY_ROOT
from deploy import postgres
from tests.conftest import POSTGRES_PASSWORD
from tests.daemon_workspace import code_location_workspace
from tests.instance import fault_location
from tests.instance.dev_server import Gate, poll, slot_holders
from tests.processes import free_port, stop_process_group, wait_until

HOUR = 3600
STALE = dg.AssetKey("sensor_anomalies")  # fails 3 h after its last materialization


def scrape(port: int, timeout: float = 30) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of one scrape, by name and sorted labels."""
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=timeout).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.fixture
def exporter(request) -> Iterator[int]:
    """``start(environ)`` runs the exporter with ``environ``; yields its port once it answers."""
    processes = []

    def start(environ: dict[str, str]) -> int:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "dagster_project.metrics_exporter", "--port", str(port)],
            cwd=REPOSITORY_ROOT,
            env={**os.environ, **environ},
            start_new_session=True,
        )
        processes.append(process)
        wait_until(
            lambda: requests.get(f"http://127.0.0.1:{port}/metrics", timeout=30).ok,
            process,
            "the metrics exporter",
        )
        return port

    yield start
    for process in processes:
        stop_process_group(process)


@pytest.fixture(scope="module")
def caused(tmp_path_factory) -> Iterator[Path]:
    """An instance of the project's dagster.yaml in which each condition was caused for real."""
    home = tmp_path_factory.mktemp("metrics-home")
    gates = tmp_path_factory.mktemp("gates")
    with code_location_workspace(home) as (instance, workspace):
        jobs = dg.Definitions(
            assets=[fault_location.failing_step, fault_location.endless_step],
            jobs=[fault_location.failing_job],
        )
        assert (
            not jobs.resolve_job_def("failing_job")
            .execute_in_process(instance=instance, raise_on_error=False)
            .success
        )
        assert dg.materialize([quick], instance=instance).success
        instance.report_runless_asset_event(
            dg.AssetCheckEvaluation(
                asset_key=dg.AssetKey("orders_raw"), check_name="schema", passed=False
            )
        )
        queue_a_run(instance, workspace, "storage_cleanup_job")
        hold_a_slot_then_die(home, gates)
        with freeze_time(time.time() - 4 * HOUR):
            instance.report_runless_asset_event(
                dg.AssetMaterialization(STALE, partition="2026-03-10-11:00")
            )
        list(FreshnessDaemon().run_iteration(workspace))
    yield home


def queue_a_run(instance: dg.DagsterInstance, workspace, job_name: str) -> None:
    """A run of the code location's job left queued, as the run coordinator leaves a submitted
    run while no daemon dequeues it."""
    (location,) = workspace.create_request_context().code_locations
    (repository,) = location.get_repositories().values()
    remote_job = repository.get_full_job(job_name)
    instance.create_run_for_job(
        defs.resolve_job_def(job_name),
        status=dg.DagsterRunStatus.QUEUED,
        remote_job_origin=remote_job.get_remote_origin(),
        job_code_origin=remote_job.get_python_origin(),
    )


@dg.asset
def quick() -> int:
    return 1


def hold_a_slot_then_die(home: Path, gates: Path) -> None:
    """A run process that takes the warehouse pool's slot, SIGKILLed, its run then failed as run
    monitoring would fail it: the slot stays claimed (no daemon here frees it)."""
    gate = Gate(gates)
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.instance.fault_location", str(home), gate.name],
        cwd=REPOSITORY_ROOT,
        env={**os.environ, "GATE_FOLDER": str(gates)},
    )
    with dg.DagsterInstance.from_config(str(home)) as instance:
        try:
            (run_id,) = poll(lambda: slot_holders(instance, "warehouse"), "the slot claimed")
            writer.send_signal(signal.SIGKILL)
        finally:
            writer.kill()
            writer.wait(timeout=30)
        instance.report_run_failed(instance.get_run_by_id(run_id), "its process was killed")


def test_each_metric_reads_what_the_instance_holds(caused, exporter):
    port = exporter({"DAGSTER_HOME": str(caused)})

    metrics = scrape(port)

    def value(name: str, **labels: str) -> float:
        return metrics[(name, tuple(sorted(labels.items())))]

    assert value("dagster_up") == 1
    assert value("dagster_runs_finished_total", status="FAILURE", job="failing_job") == 1
    assert (
        value("dagster_runs_finished_total", status="FAILURE", job="__ephemeral_asset_job__") == 1
    )
    assert (
        value("dagster_runs_finished_total", status="SUCCESS", job="__ephemeral_asset_job__") == 1
    )
    assert value("dagster_runs", status="QUEUED", job="storage_cleanup_job") == 1
    assert value("dagster_queued_runs") == 1
    assert 0 < value("dagster_oldest_queued_run_age_seconds") < 600
    assert value("dagster_run_duration_seconds_count", job="failing_job") == 1
    assert value("dagster_pool_limit", pool="warehouse") == 1
    assert value("dagster_pool_slots_claimed", pool="warehouse") == 1
    assert value("dagster_pool_slots_held_by_ended_runs", pool="warehouse") == 1
    assert value("dagster_asset_freshness_state", asset="sensor_anomalies", state="FAIL") == 1
    assert value("dagster_asset_freshness_state", asset="sensor_anomalies", state="PASS") == 0
    stale_s = value("dagster_asset_seconds_since_last_materialization", asset="sensor_anomalies")
    assert 4 * HOUR <= stale_s < 5 * HOUR
    assert "dagster_step_last_duration_seconds" in {name for name, _ in metrics}
    assert value("dagster_asset_check_passed", asset="orders_raw", check="schema") == 0
    # the daemons the instance needs heartbeat only while they run; none ran here
    assert value("dagster_daemon_seconds_since_heartbeat", daemon="SCHEDULER") == math.inf
    assert value("dagster_daemon_seconds_since_heartbeat", daemon="QUEUED_RUN_COORDINATOR") == (
        math.inf
    )
    assert value("dagster_pool_held_slot_age_seconds", pool="warehouse") > 0
    assert value("dagster_queued_run_alert_seconds") == 30 * 60
    assert value("dagster_pool_held_slot_alert_seconds") == 2 * 60
    # every job of the definitions, from 0: Prometheus sees the first failure as an increase
    assert value("dagster_runs_finished_total", status="FAILURE", job="iot_hourly_job") == 0


def test_the_finished_run_counters_survive_an_exporter_restart(caused, exporter):
    first = scrape(exporter({"DAGSTER_HOME": str(caused)}))
    again = scrape(exporter({"DAGSTER_HOME": str(caused)}))

    finished = {key: v for key, v in first.items() if key[0] == "dagster_runs_finished_total"}
    assert finished and finished == {
        key: v for key, v in again.items() if key[0] == "dagster_runs_finished_total"
    }


@pytest.fixture
def own_postgres() -> Iterator[postgres.PostgresServer]:
    """A PostgreSQL of this test alone, which it stops or freezes."""
    folder = Path(tempfile.mkdtemp(prefix="test-exporter-postgres-", dir="/tmp"))
    folder.chmod(0o755)  # the cluster runs as the postgres user when the tests run as root
    server = postgres.start(folder / "data", free_port(), POSTGRES_PASSWORD)
    try:
        yield server
    finally:
        for process in cluster_processes(server):
            process.resume()
        postgres.stop(server.data_dir)
        shutil.rmtree(folder, ignore_errors=True)


def cluster_processes(server: postgres.PostgresServer) -> list[psutil.Process]:
    return [
        process
        for process in psutil.process_iter(["cmdline"])
        if str(server.data_dir) in " ".join(process.info["cmdline"] or [])
    ]


@pytest.mark.timeout(180)
@pytest.mark.parametrize("fault", ["stopped", "frozen"])
def test_a_scrape_without_its_database_answers_up_0_within_the_deadline(
    fault, tmp_path, exporter, own_postgres
):
    """``stopped``: the server is gone (connections refused); ``frozen``: its processes are
    stopped with SIGSTOP, so it accepts connections and never answers (and no libpq connect
    timeout is set). Once the database is back, the next scrapes read it again."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(REPOSITORY_ROOT / "deploy" / "dagster.stack.yaml", home / "dagster.yaml")
    own_postgres.psql("CREATE DATABASE dagster")
    environ = {
        **{name: value for name, value in os.environ.items() if name != "PGCONNECT_TIMEOUT"},
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_HOST": own_postgres.host,
        "DAGSTER_PG_PORT": str(own_postgres.port),
        "DAGSTER_PG_USER": own_postgres.username,
        "DAGSTER_PG_PASSWORD": POSTGRES_PASSWORD,
        "DAGSTER_PG_DB": "dagster",
        "S3_BUCKET": "unused",
    }
    port = exporter(environ)
    assert scrape(port)[("dagster_up", ())] == 1

    if fault == "stopped":
        postgres.stop(own_postgres.data_dir)
    else:
        for process in cluster_processes(own_postgres):
            process.suspend()
    # bounded by the request's own timeout: the exporter must answer, and say it is down
    down = scrape(port, timeout=SCRAPE_DEADLINE_S + 5)

    assert down[("dagster_up", ())] == 0
    assert not any(name.startswith("dagster_runs") for name, _ in down)

    if fault == "stopped":
        postgres.start(own_postgres.data_dir, own_postgres.port, POSTGRES_PASSWORD)
    else:
        for process in cluster_processes(own_postgres):
            process.resume()
    poll(lambda: scrape(port)[("dagster_up", ())] == 1, "dagster_up 1 with the database back")

"""The metrics exporter's tests: a real `python -m dagster_project.metrics_exporter`
(``exporter``), scraped as Prometheus scrapes it (``scrape``), over an instance of the project's
dagster.yaml in which the test caused each condition for real (``caused``): a run that succeeded
and one that failed, a run waiting in the queue, a pool slot held by a run whose process was
killed, an asset past its freshness window (Dagster's FreshnessDaemon says so) and a failed
asset check."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import requests
from dagster._core.test_utils import freeze_time
from dagster._daemon.freshness import FreshnessDaemon
from prometheus_client.parser import text_string_to_metric_families

from dagster_project.definitions import defs
from dagster_project.settings import REPOSITORY_ROOT
from tests.daemon_workspace import code_location_workspace
from tests.instance import fault_location
from tests.instance.dev_server import hold_warehouse_slot_then_die
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


@pytest.fixture(scope="package")
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
        hold_warehouse_slot_then_die(instance, gates)
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

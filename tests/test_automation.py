"""The automation sensor and the eager conditions of the ecommerce group (customer_ltv and
product_performance, downstream of orders_raw) as Dagster's AssetDaemon evaluates them: daemon
iterations over the code location (loaded through a code server, as `dagster-daemon` loads it,
with AUTOMATION in its environment) on an instance made from the project's dagster.yaml. That
instance queues what the daemon requests; the queued-run daemon launches it through the code
server. The asset keys are written out here, not read from the definitions, so a changed
condition fails a test."""

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg
import pytest
from dagster._core.definitions.repository_definition.valid_definitions import (
    SINGLETON_REPOSITORY_NAME,
)
from dagster._core.remote_representation.external import RemoteSensor
from dagster._core.scheduler.instigation import InstigatorTick, TickStatus
from dagster._core.storage.tags import AUTOMATION_CONDITION_TAG
from dagster._core.test_utils import (
    freeze_time,
    load_remote_repo,
)
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._daemon.controller import create_daemon_of_type
from dagster._daemon.daemon import DagsterDaemon
from dagster._utils.error import SerializableErrorInfo

from dagster_project.definitions import defs
from tests.daemon_workspace import code_location_workspace

ORDERS_RAW = dg.AssetKey("orders_raw")
CUSTOMER_LTV = dg.AssetKey("customer_ltv")
PRODUCT_PERFORMANCE = dg.AssetKey("product_performance")
SENSOR_INTERVAL = 60  # the automation sensor's minimum_interval_seconds
RUN_TIMEOUT_S = 120


@dataclass
class Deployment:
    instance: dg.DagsterInstance
    workspace: WorkspaceProcessContext
    asset_daemon: DagsterDaemon
    evaluations: int = 0


@pytest.fixture
def deploy(tmp_path, small_scale_environ, monkeypatch):
    """Starts the deployment with AUTOMATION set to a value (None: unset); its code server reads
    the small-scale settings and AUTOMATION from this process's environment when it starts."""

    @contextlib.contextmanager
    def start(automation: str | None) -> Iterator[Deployment]:
        if automation is None:
            monkeypatch.delenv("AUTOMATION", raising=False)
        else:
            monkeypatch.setenv("AUTOMATION", automation)
        home = tmp_path / "dagster_home"
        home.mkdir()
        with code_location_workspace(home) as (instance, workspace):
            # what `dagster-daemon run` starts (dagster/_daemon/controller.py)
            yield Deployment(instance, workspace, create_daemon_of_type("ASSET", instance))

    return start


def evaluate(project: Deployment) -> None:
    """One iteration of the AssetDaemon's loop, a sensor interval after the previous one (Dagster's
    clock moves on, so the sensor's minimum interval never skips an iteration)."""
    project.evaluations += 1
    shutdown = threading.Event()
    shutdown.set()  # the loop's wait between iterations returns at once
    with freeze_time(time.time() + project.evaluations * SENSOR_INTERVAL):
        for item in project.asset_daemon.core_loop(project.workspace, shutdown):
            if isinstance(item, SerializableErrorInfo):
                raise AssertionError(f"the AssetDaemon failed: {item.to_string()}")
            if item is None:  # the end of an iteration
                break


def automation_runs(project: Deployment) -> list[dg.DagsterRun]:
    """The runs Declarative Automation requested, oldest first."""
    runs = project.instance.get_runs(dg.RunsFilter(tags={AUTOMATION_CONDITION_TAG: "true"}))
    return list(reversed(runs))


def automation_sensor(project: Deployment) -> RemoteSensor:
    repository = load_remote_repo(project.workspace, SINGLETON_REPOSITORY_NAME)
    return repository.get_sensor("automation_sensor")


def sensor_ticks(project: Deployment) -> list[InstigatorTick]:
    sensor = automation_sensor(project)
    return list(project.instance.get_ticks(sensor.get_remote_origin_id(), sensor.selector_id))


def materialize_orders_raw(project: Deployment, resources: dict) -> None:
    result = dg.materialize(
        list(defs.assets or []),
        selection=dg.AssetSelection.assets(ORDERS_RAW),
        resources=resources,
        instance=project.instance,
    )
    assert result.success


def launch_queued_runs(project: Deployment) -> None:
    """One iteration of the queued-run daemon, then waits until the runs it launched end."""
    daemon = create_daemon_of_type("QUEUED_RUN_COORDINATOR", project.instance)
    list(daemon.run_iteration(project.workspace))
    project.instance.run_launcher.join(timeout=RUN_TIMEOUT_S)


def test_with_automation_running_each_new_orders_raw_runs_its_two_eager_assets_once(
    deploy, small_scale_resources
):
    with deploy("running") as project:
        assert "ASSET" in project.instance.get_required_daemon_types()
        evaluate(project)
        assert automation_runs(project) == []  # every eager asset still lacks an upstream

        materialize_orders_raw(project, small_scale_resources)
        evaluate(project)
        [run] = automation_runs(project)
        # not web_analytics (its upstream is missing), nor the churn assets (no eager condition)
        assert set(run.asset_selection or []) == {CUSTOMER_LTV, PRODUCT_PERFORMANCE}
        assert run.status == dg.DagsterRunStatus.QUEUED
        assert run.tags["dagster/sensor_name"] == "automation_sensor"

        launch_queued_runs(project)
        finished = project.instance.get_run_by_id(run.run_id)
        assert finished is not None
        assert finished.status == dg.DagsterRunStatus.SUCCESS
        for key in (CUSTOMER_LTV, PRODUCT_PERFORMANCE):
            materialization = project.instance.get_latest_materialization_event(key)
            assert materialization is not None
            assert materialization.run_id == run.run_id

        evaluate(project)
        assert len(automation_runs(project)) == 1  # both are up to date now

        materialize_orders_raw(project, small_scale_resources)
        evaluate(project)
        runs = automation_runs(project)
        assert len(runs) == 2
        assert set(runs[1].asset_selection or []) == {CUSTOMER_LTV, PRODUCT_PERFORMANCE}


def test_with_automation_unset_the_sensor_waits_to_be_switched_on(deploy, small_scale_resources):
    with deploy(None) as project:
        evaluate(project)
        materialize_orders_raw(project, small_scale_resources)
        evaluate(project)
        assert automation_runs(project) == []
        assert sensor_ticks(project) == []  # a stopped sensor is not evaluated at all

        project.instance.start_sensor(automation_sensor(project))  # what the UI's switch does
        evaluate(project)
        # eager reacts to changes after the sensor's first evaluation, so that one only records
        # the state: orders_raw was materialized before, customer_ltv stays missing
        assert [tick.status for tick in sensor_ticks(project)] == [TickStatus.SKIPPED]
        assert automation_runs(project) == []

        materialize_orders_raw(project, small_scale_resources)
        evaluate(project)
        [run] = automation_runs(project)
        assert set(run.asset_selection or []) == {CUSTOMER_LTV, PRODUCT_PERFORMANCE}

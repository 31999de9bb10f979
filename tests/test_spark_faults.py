"""Faults under a running step of the spark group on a real standalone cluster: the application
killed from the master's UI, the executor SIGKILLed, the worker SIGKILLed. A gate holds the step's
tasks, so each fault lands while the job runs; DuckDB, not Spark, checks what was written."""

import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.definitions import defs
from dagster_project.defs.spark import assets as spark_assets
from dagster_project.deployment import build_resources
from deploy import spark_cluster as cluster_script
from tests.spark_faults import (
    TaskGate,
    active_jobs,
    application_state,
    executor_pids,
    kill_from_master_ui,
    running_application,
)

ROWS = 100_000  # lake_transactions at the tests' scale: one partition, so one task


@pytest.fixture
def on_cluster(small_scale_environ, monkeypatch):
    """Point the definitions' Spark resource at a cluster."""
    # The gate is Python run by the executors, with the driver's PYSPARK_PYTHON (else python3 on
    # the PATH, which may lack pyarrow).
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)

    def point_at(cluster: cluster_script.SparkCluster) -> cluster_script.SparkCluster:
        monkeypatch.setenv("SPARK_MASTER_URL", cluster.master_url)
        monkeypatch.setenv("SPARK_MASTER_UI_URL", cluster.master_ui_url)
        return cluster

    return point_at


@pytest.fixture
def gate(tmp_path) -> TaskGate:
    return TaskGate(tmp_path / "gate")


def hold_transactions_at(gate: TaskGate, monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, lake_transactions' write job holds its tasks at the gate."""
    generate = spark_assets.generate_transactions
    monkeypatch.setattr(
        spark_assets, "generate_transactions", lambda *args, **kw: gate.gated(generate(*args, **kw))
    )


def materialize(assets: list[str], instance) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        list(defs.assets or []),
        selection=assets,
        resources=build_resources(),
        instance=instance,
        raise_on_error=False,
    )


@contextmanager
def materializing(assets: list[str], instance, gate: TaskGate) -> Iterator[Future]:
    """The run in a thread while the test causes the fault; the gate opens on the way out, so a
    failed assertion never leaves a task held."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            yield pool.submit(materialize, assets, instance)
        finally:
            gate.open()


def reference(instance, asset: str) -> str:
    """The dataset URI of the asset's latest materialization."""
    event = instance.get_latest_materialization_event(dg.AssetKey(asset))
    return event.asset_materialization.metadata["reference"].value


def folder(uri: str) -> Path:
    return Path(uri.removeprefix("file://"))


def parquet(uri: str) -> str:
    return f"read_parquet('{folder(uri)}/*.parquet')"


def transactions_are_whole(uri: str) -> None:
    """Every transaction id from 1 to ROWS exactly once: no task's rows lost or written twice."""
    assert duckdb.sql(
        f"SELECT count(*), count(DISTINCT transaction_id), min(transaction_id), "
        f"max(transaction_id) FROM {parquet(uri)}"
    ).fetchall() == [(ROWS, ROWS, 1, ROWS)]
    assert (folder(uri) / "_SUCCESS").exists()


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout_s} s for {what}")
        time.sleep(0.2)


def retried_steps(result: dg.ExecuteInProcessResult) -> list[str]:
    return [
        str(event.step_key)
        for event in result.all_events
        if event.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY
    ]


@pytest.mark.timeout(300)  # the cluster's start (shared by the session) and three short runs
def test_an_application_killed_in_the_master_ui_fails_the_step_and_keeps_the_previous_dataset(
    spark_cluster, on_cluster, instance, gate, monkeypatch
):
    cluster = on_cluster(spark_cluster)
    assert materialize(["lake_transactions"], instance).success
    previous = reference(instance, "lake_transactions")

    hold_transactions_at(gate, monkeypatch)
    with materializing(["lake_transactions"], instance, gate) as run:
        gate.wait_for_attempt(0)
        killed = running_application(cluster)
        kill_from_master_ui(cluster, killed)
        result = run.result(timeout=120)

    assert not result.success
    (failure,) = result.get_step_failure_events()
    message = failure.step_failure_data.error.message
    assert f"lake_transactions: the Spark application {killed} on {cluster.master_url}" in message
    assert "Master removed our application: KILLED" in message
    assert "Re-run the asset to start a new application" in message
    assert retried_steps(result) == []  # a stopped application is not retried into
    assert application_state(cluster, killed) == "KILLED"

    # The previous version is still the asset's value, whole, and the only committed one.
    assert reference(instance, "lake_transactions") == previous
    transactions_are_whole(previous)
    versions = sorted(folder(previous).parent.iterdir())
    assert [path for path in versions if (path / "_SUCCESS").exists()] == [folder(previous)]

    # The next run of this process starts a new application and reads the previous version.
    following = materialize(["large_dataset_spark"], instance)
    assert following.success
    summary = reference(instance, "large_dataset_spark")
    assert duckdb.sql(f"SELECT sum(transaction_count) FROM {parquet(summary)}").fetchall() == [
        (ROWS,)
    ]
    event = instance.get_latest_materialization_event(dg.AssetKey("large_dataset_spark"))
    application = event.asset_materialization.metadata["spark_application_id"].value
    assert application != killed


@pytest.mark.timeout(300)
def test_an_executor_killed_mid_job_is_replaced_and_its_task_retried_to_a_whole_dataset(
    spark_cluster, on_cluster, instance, gate, monkeypatch
):
    cluster = on_cluster(spark_cluster)
    hold_transactions_at(gate, monkeypatch)

    with materializing(["lake_transactions"], instance, gate) as run:
        gate.wait_for_attempt(0)
        application = running_application(cluster)
        (executor,) = executor_pids(cluster, application)
        os.kill(executor, signal.SIGKILL)
        # Spark retries the task on the executor the worker starts in the killed one's place.
        gate.wait_for_attempt(1)
        assert executor not in executor_pids(cluster, application)
        assert len(executor_pids(cluster, application)) == 1
        gate.open()
        result = run.result(timeout=120)

    assert result.success
    assert retried_steps(result) == []  # Spark's own task retry, not Dagster's step retry
    transactions_are_whole(reference(instance, "lake_transactions"))
    executors = Path(cluster.work_dir, "worker", application)
    assert sorted(path.name for path in executors.iterdir()) == ["0", "1"]


@pytest.fixture
def own_cluster():
    """A cluster of its own for a test that kills its worker (about 15 s to start)."""
    work_dir = Path(tempfile.mkdtemp(prefix="test-spark-worker-loss-"))
    clusters = [cluster_script.start(work_dir, cores=2, memory="2g")]
    try:
        yield clusters
    finally:
        cluster_script.stop(clusters[-1])
        shutil.rmtree(work_dir, ignore_errors=True)


@pytest.mark.timeout(300)
def test_a_worker_killed_mid_job_leaves_the_step_waiting_until_a_worker_returns(
    own_cluster, on_cluster, instance, gate, monkeypatch
):
    cluster = on_cluster(own_cluster[0])
    hold_transactions_at(gate, monkeypatch)

    with materializing(["lake_transactions"], instance, gate) as run:
        gate.wait_for_attempt(0)
        application = running_application(cluster)
        assert len(executor_pids(cluster, application)) == 1
        os.kill(cluster.worker_pid, signal.SIGKILL)
        # The executor exits with its worker and the master marks the worker dead...
        wait_for(lambda: not executor_pids(cluster, application), "the executor to exit")
        wait_for(
            lambda: [worker["state"] for worker in cluster.status()["workers"]] == ["DEAD"],
            "the master to mark the worker dead",
        )
        # ...but the application and its job wait for an executor, and so does the step.
        assert application_state(cluster, application) == "RUNNING"
        assert active_jobs()
        assert not run.done()

        own_cluster.append(cluster_script.replace_worker(cluster))
        gate.wait_for_attempt(1)
        gate.open()
        result = run.result(timeout=120)

    assert result.success
    assert retried_steps(result) == []
    transactions_are_whole(reference(instance, "lake_transactions"))

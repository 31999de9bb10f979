"""Failed attempts in the monitoring history, read from a real instance.

Dagster's open-source event storages drop ASSET_FAILED_TO_MATERIALIZE events, so these rows are
worked out from runs; each test causes the failure for real and checks the rows it gives."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from dagster_project.monitoring.alerts import AlertRules, evaluate_alerts
from dagster_project.monitoring.dashboard import asset_summary
from dagster_project.monitoring.instance_history import (
    FAILED,
    MATERIALIZED,
    NEVER_MATERIALIZED,
    MonitoredAsset,
    asset_history,
)

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


class FailConfig(dg.Config):
    fail: bool = False


@dg.asset
def flaky(config: FailConfig) -> int:
    if config.fail:
        raise RuntimeError("told to fail")
    return 1


@dg.asset
def after_flaky(flaky: int) -> int:
    return flaky + 1


@dg.multi_asset(outs={"first": dg.AssetOut(), "second": dg.AssetOut()})
def pair():
    yield dg.Output(1, output_name="first")
    raise RuntimeError("the second output cannot be computed")


@dg.asset(partitions_def=dg.StaticPartitionsDefinition(["good", "bad"]))
def by_partition(context: dg.AssetExecutionContext) -> int:
    if context.partition_key == "bad":
        raise RuntimeError("bad partition")
    return 1


def monitored(*names: str) -> list[MonitoredAsset]:
    return [MonitoredAsset(dg.AssetKey(name), "tested") for name in names]


def run(instance, assets, fail=False, partition=None) -> dg.ExecuteInProcessResult:
    config = {"ops": {"flaky": {"config": {"fail": fail}}}} if flaky in assets else None
    return dg.materialize(
        assets,
        instance=instance,
        run_config=config,
        partition_key=partition,
        raise_on_error=False,
    )


def statuses(history: pd.DataFrame, name: str) -> list[str]:
    return history.loc[history["asset_key"] == name, "status"].tolist()


def test_a_failed_step_is_a_failed_row_between_the_materializations(instance):
    first = run(instance, [flaky])
    failed = run(instance, [flaky], fail=True)
    last = run(instance, [flaky])
    assert (first.success, failed.success, last.success) == (True, False, True)

    history = asset_history(instance, monitored("flaky"))

    assert statuses(history, "flaky") == [MATERIALIZED, FAILED, MATERIALIZED]  # newest first
    assert history["run_id"].tolist() == [last.run_id, failed.run_id, first.run_id]
    failed_row = history.iloc[1]
    assert failed_row["step_seconds"] >= 0  # the failed step's own duration
    assert history["timestamp"].is_monotonic_decreasing
    summary = asset_summary(history).set_index("asset_key").loc["flaky"]
    assert (summary["materializations"], summary["failures"]) == (2, 1)
    assert summary["success_rate"] == pytest.approx(2 / 3)


def test_one_failure_in_three_raises_the_low_success_rate_alert_from_the_instance(instance):
    for fail in (False, True, False):
        run(instance, [flaky], fail=fail)

    alerts = evaluate_alerts(asset_history(instance, monitored("flaky")), AlertRules(), 64_000)

    assert alerts[["asset_key", "kind", "severity"]].values.tolist() == [
        ["flaky", "low_success_rate", "critical"]
    ]
    assert alerts.iloc[0]["message"] == (
        "flaky failed 1 of its last 3 attempts (success rate 67%)."
    )


def test_a_step_skipped_because_its_upstream_failed_is_not_a_failure(instance):
    run(instance, [flaky, after_flaky], fail=True)

    history = asset_history(instance, monitored("flaky", "after_flaky"))

    assert statuses(history, "flaky") == [FAILED]
    assert statuses(history, "after_flaky") == [NEVER_MATERIALIZED]


def test_a_step_that_fails_after_one_output_fails_only_the_other(instance):
    result = run(instance, [pair])
    assert not result.success

    history = asset_history(instance, monitored("first", "second"))

    assert statuses(history, "first") == [MATERIALIZED]
    assert statuses(history, "second") == [FAILED]


def test_a_failed_partition_is_named_and_the_good_one_is_not_failed(instance):
    run(instance, [by_partition], partition="good")
    run(instance, [by_partition], partition="bad")

    history = asset_history(instance, monitored("by_partition"))

    assert history[["status", "partition"]].values.tolist() == [
        [FAILED, "bad"],
        [MATERIALIZED, "good"],
    ]


def test_a_window_of_two_keeps_the_newest_two_attempts(instance):
    for fail in (True, False, True):
        run(instance, [flaky], fail=fail)

    history = asset_history(instance, monitored("flaky"), window=2)

    assert statuses(history, "flaky") == [FAILED, MATERIALIZED]


def step_started(instance: dg.DagsterInstance) -> bool:
    return any(
        instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.STEP_START).records
        for run in instance.get_runs()
    )


def test_a_run_whose_worker_was_killed_mid_step_is_a_failure_once_the_run_is_failed(instance):
    """The run worker is SIGKILLed inside the step; the run stays STARTED until Dagster's run
    monitoring marks it failed (here the call the monitoring daemon makes)."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.monitoring.stalled_run", instance.root_directory],
        cwd=REPOSITORY_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY_ROOT)},
    )
    try:
        deadline = time.monotonic() + 120
        while not step_started(instance):
            assert worker.poll() is None, "the stalled run ended before its step started"
            assert time.monotonic() < deadline, "the stalled run's step never started"
            time.sleep(0.2)
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait(timeout=30)
    (started,) = instance.get_runs()
    assert started.status == dg.DagsterRunStatus.STARTED
    assert statuses(asset_history(instance, monitored("stalled")), "stalled") == [
        NEVER_MATERIALIZED
    ]  # a run still going has not failed

    instance.report_run_failed(started)

    history = asset_history(instance, monitored("stalled"))
    assert history[["status", "run_id"]].values.tolist() == [[FAILED, started.run_id]]

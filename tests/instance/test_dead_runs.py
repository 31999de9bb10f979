"""What the embedded default's daemon (`dagster dev`, scripts/dev.sh, on the project's
dagster.yaml) does about runs that die, hang or overrun, with real run processes killed by the
test: a dead run's pool slot is freed and its retry succeeds, a dead run is retried at most
twice, a run that failed in its own code is not retried, `dagster/max_runtime` ends a run, and a
run that never starts or never finishes cancelling is ended after the instance's timeouts.

The start and cancel timeouts are shortened to 15 s here (the shipped 180 s are checked as
written); everything else is the shipped file."""

import os
import signal
import time

import dagster as dg
import pytest
import yaml

from dagster_project.settings import REPOSITORY_ROOT
from tests.instance import fault_location
from tests.instance.conftest import SHORT_TIMEOUT_S
from tests.instance.dev_server import (
    kill_while_holding,
    poll,
    run_worker_pid,
    slot_holders,
)

RETRIES = 2


@pytest.mark.timeout(300)
def test_a_killed_runs_pool_slot_is_freed_and_its_retry_and_the_next_run_succeed(dev, gate):
    killed = dev.submit("warehouse_job", gate.tags)
    kill_while_holding(dev, killed, "warehouse")
    waiting = dev.submit("warehouse_job", gate.tags)  # needs the same pool slot
    gate.open()

    assert dev.wait_for(killed) == "FAILURE"
    with dev.instance() as instance:
        retry = poll(lambda: retries_of(instance, killed), "a retry of the killed run")
        assert len(retry) == 1
        assert dev.wait_for(retry[0].run_id) == "SUCCESS"
        assert dev.wait_for(waiting) == "SUCCESS"
        assert slot_holders(instance, "warehouse") == set()
        assert unfinished_runs(instance) == []


@pytest.mark.timeout(300)
def test_a_run_whose_process_dies_every_time_is_retried_at_most_twice(dev, gate):
    attempts = [dev.submit("spark_job", gate.tags)]
    with dev.instance() as instance:
        for _ in range(RETRIES):
            kill_while_holding(dev, attempts[-1], "spark")
            assert dev.wait_for(attempts[-1]) == "FAILURE"
            (retry,) = poll(lambda: retries_of(instance, attempts[-1]), "a retry")
            attempts.append(retry.run_id)
        kill_while_holding(dev, attempts[-1], "spark")
        assert dev.wait_for(attempts[-1]) == "FAILURE"
        # the last attempt records that it is not retried (the daemon writes it at once)
        poll(
            lambda: instance.get_run_by_id(attempts[-1]).tags.get("dagster/will_retry") == "false",
            "the last attempt marked as not retried",
        )
        time.sleep(10)  # two more polls of the daemons: still nothing launched

        runs = instance.get_runs(filters=dg.RunsFilter(job_name="spark_job"))
        assert sorted(run.run_id for run in runs) == sorted(attempts)
        assert [instance.get_run_by_id(run_id).status for run_id in attempts] == [
            dg.DagsterRunStatus.FAILURE
        ] * (RETRIES + 1)
        poll(lambda: not slot_holders(instance, "spark"), "the spark slot freed")


def test_a_run_that_failed_in_its_own_code_is_not_retried(dev):
    run_id = dev.submit("failing_job")

    assert dev.wait_for(run_id) == "FAILURE"
    with dev.instance() as instance:
        poll(
            lambda: any(
                "Not retrying run since it failed due to an asset or op failure" in record.message
                for record in instance.all_logs(run_id)
            ),
            "the retry daemon's verdict",
        )
        assert retries_of(instance, run_id) == []


def ended_for_overrunning(dev, run_id: str) -> str:
    """The finished status of a run that run monitoring ended for passing its max runtime.

    The monitor marks the run CANCELING, terminates its process and records FAILURE with the
    overrun message; the process records CANCELED as it exits, before or after that FAILURE, so
    either status can be the last one. The monitor's message is what shows it acted.
    """
    overrun = f"Exceeded maximum runtime of {fault_location.MAX_RUNTIME_SECONDS} seconds"
    with dev.instance() as instance:
        poll(
            lambda: any(overrun in record.message for record in instance.all_logs(run_id)),
            f"run monitoring's verdict on {run_id}",
            timeout_s=90,
        )
    return dev.wait_for(run_id, {"FAILURE", "CANCELED"}, timeout_s=30)


def test_a_run_past_its_max_runtime_is_ended(dev):
    run_id = dev.submit("endless_job")

    assert ended_for_overrunning(dev, run_id) in {"FAILURE", "CANCELED"}
    # like a run whose process died, it is launched again (at most twice): a hang may pass
    with dev.instance() as instance:
        (retry,) = poll(lambda: retries_of(instance, run_id), "a retry of the overrun")
    assert ended_for_overrunning(dev, retry.run_id) in {"FAILURE", "CANCELED"}


def test_a_run_that_never_finishes_cancelling_is_ended_after_the_cancel_timeout(dev, gate):
    run_id = dev.submit("stubborn_job", gate.tags)
    with dev.instance() as instance:
        poll(lambda: run_id in slot_holders(instance, "warehouse"), "the step started")
    dev.client.terminate_run(run_id)
    canceling_at = time.monotonic()

    assert dev.wait_for(run_id, {"CANCELING", "CANCELED", "FAILURE", "SUCCESS"}) == "CANCELING"
    assert dev.wait_for(run_id, timeout_s=SHORT_TIMEOUT_S + 60) == "CANCELED"
    assert time.monotonic() - canceling_at >= SHORT_TIMEOUT_S - 1
    with dev.instance() as instance:
        messages = [record.message for record in instance.all_logs(run_id)]
        assert any(f"longer than {SHORT_TIMEOUT_S} seconds to cancel" in m for m in messages)
        # the operator kills the stubborn process: the slot it held is freed by the daemon
        os.kill(run_worker_pid(instance, run_id), signal.SIGKILL)
        poll(lambda: not slot_holders(instance, "warehouse"), "the warehouse slot freed")
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.CANCELED


def test_a_run_that_never_starts_is_failed_after_the_start_timeout(dev):
    """A launched run whose process never reported that it started, as a run worker that hangs
    before loading its code leaves it: STARTING with a launch time."""
    with dev.instance() as instance:
        job = dg.Definitions(
            jobs=[fault_location.failing_job], assets=[fault_location.failing_step]
        )
        run = instance.create_run_for_job(job.resolve_job_def("failing_job"))
        instance.report_dagster_event(
            dg.DagsterEvent(
                event_type_value=dg.DagsterEventType.PIPELINE_STARTING.value,
                job_name=run.job_name,
            ),
            run_id=run.run_id,
        )
        assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.STARTING

    assert dev.wait_for(run.run_id, timeout_s=SHORT_TIMEOUT_S + 60) == "FAILURE"
    with dev.instance() as instance:
        messages = [record.message for record in instance.all_logs(run.run_id)]
    assert any(f"longer than {SHORT_TIMEOUT_S} seconds to start" in m for m in messages)


def test_the_long_jobs_of_the_project_carry_a_max_runtime():
    from dagster_project.definitions import defs

    for job in ("iot_hourly_job", "marketing_daily_job"):
        assert int(defs.resolve_job_def(job).tags["dagster/max_runtime"]) > 0, job


@pytest.mark.parametrize(
    "instance_file", ["dagster.yaml", "deploy/dagster.stack.yaml"], ids=["embedded", "stack"]
)
def test_both_instances_ship_the_timeouts_the_docs_state(instance_file):
    config = yaml.safe_load((REPOSITORY_ROOT / instance_file).read_text())

    assert config["run_monitoring"] == {
        "enabled": True,
        "start_timeout_seconds": 180,
        "cancel_timeout_seconds": 180,
        "poll_interval_seconds": 5,
        "free_slots_after_run_end_seconds": 10,
    }
    assert config["run_retries"] == {
        "enabled": True,
        "max_retries": RETRIES,
        "retry_on_asset_or_op_failure": False,
    }
    assert config["run_launcher"]["class"] == "MonitoredRunLauncher"


def retries_of(instance: dg.DagsterInstance, run_id: str) -> list[dg.DagsterRun]:
    return list(instance.get_runs(filters=dg.RunsFilter(tags={"dagster/parent_run_id": run_id})))


def unfinished_runs(instance: dg.DagsterInstance) -> list[str]:
    return [
        f"{run.run_id} {run.job_name} {run.status.value}"
        for run in instance.get_runs()
        if not run.is_finished
    ]

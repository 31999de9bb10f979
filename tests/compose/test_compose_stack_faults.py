"""The compose stack under infrastructure faults caused for real, on the stack the other compose
tests use (after them, with the whole graph materialized): a container's main process killed from
the host, PostgreSQL restarted under runs, the object store down for a minute.

After each fault: the restart policy brought the service back, no run is left unfinished, no
earlier run, materialization or stored object is lost, and a new run of the affected group
succeeds. Every wait is bounded; the seconds each recovery took go to
test-artifacts/compose-timings.json.
"""

import time

import pytest

from dagster_project.launch_plan import Launch
from tests.compose import faults
from tests.deploy import graphql_runs

pytestmark = [pytest.mark.compose, pytest.mark.docker]

SPARK = Launch(groups=("spark",))
WAREHOUSE = Launch(groups=("warehouse",))
ECOMMERCE = Launch(groups=("ecommerce",))
RECOVERY_TIMEOUT_S = 600  # runs crawl on 2 cores while the rest of the suite runs beside


@pytest.fixture
def stack(compose_stack):
    """The stack, checked on the way out: nothing unfinished, nothing lost."""
    before = compose_stack.probe()
    yield compose_stack
    assert faults.unfinished(compose_stack) == []
    faults.nothing_lost(before, compose_stack.probe())


def record(stack, fault: str, **seconds: float) -> None:
    stack.timings[f"fault: {fault}"] = {name: round(value, 1) for name, value in seconds.items()}


def submit(stack, launch: Launch) -> str:
    """Submit through the webserver, waiting while the code location it asks is restarting."""
    return faults.poll(lambda: graphql_runs.submit(stack.webserver_port, launch), "submit", 120)


def wait_for(stack, run_id: str, statuses=graphql_runs.TERMINAL) -> str:
    return graphql_runs.wait_for(stack.webserver_port, run_id, statuses, RECOVERY_TIMEOUT_S)


def submit_until_in_step(stack, launch: Launch, pool: str) -> str:
    """Submit ``launch``; return its run id once one of its steps holds a slot of ``pool``."""
    run = submit(stack, launch)
    faults.poll(
        lambda: run in faults.slot_holders(stack).get(pool, set()),
        f"a step of {run} holding a slot of {pool}",
        RECOVERY_TIMEOUT_S,
    )
    return run


def succeeded_or_retried(stack, run_id: str) -> str:
    """SUCCESS if the run, or the retry run_retries launched for it, succeeded."""
    if wait_for(stack, run_id) == "SUCCESS":
        return "SUCCESS"
    (retry,) = faults.poll(lambda: faults.retries_of(stack, run_id), f"a retry of {run_id}", 120)
    return wait_for(stack, retry["runId"])


def test_a_code_location_crash_in_pooled_steps_frees_their_slots_and_every_run_succeeds(stack):
    spark_run, warehouse_run = submit(stack, SPARK), submit(stack, WAREHOUSE)
    faults.poll(
        lambda: (
            spark_run in (holders := faults.slot_holders(stack)).get("spark", set())
            and warehouse_run in holders.get("warehouse", set())
        ),
        "a Spark step and a warehouse step holding their pools' slots",
        RECOVERY_TIMEOUT_S,
    )

    crashed_at = time.monotonic()
    before = faults.crash(stack, "code-location")
    back_s = faults.wait_restarted(stack, "code-location", before)
    later_runs = [submit(stack, SPARK), submit(stack, WAREHOUSE)]  # behind the dead runs' slots

    assert [wait_for(stack, run) for run in (spark_run, warehouse_run)] == ["FAILURE"] * 2
    failed_s = time.monotonic() - crashed_at
    retries = [
        faults.poll(lambda run=run: faults.retries_of(stack, run), "a retry", 120)[0]["runId"]
        for run in (spark_run, warehouse_run)
    ]
    assert [wait_for(stack, run) for run in retries + later_runs] == ["SUCCESS"] * 4
    assert faults.slot_holders(stack) == {"spark": set(), "warehouse": set()}
    record(
        stack,
        "code location killed in a Spark and a warehouse step",
        healthy_again=back_s,
        runs_failed=failed_s,
        all_succeeded=time.monotonic() - crashed_at,
    )


def test_a_webserver_crash_then_a_daemon_crash_with_runs_queued_lose_no_run(stack):
    crashed_at = time.monotonic()
    webserver = faults.crash(stack, "webserver")
    webserver_s = faults.wait_restarted(stack, "webserver", webserver)
    assert faults.runs(stack)  # it answers again

    queued = [submit(stack, ECOMMERCE) for _ in range(5)]
    daemon = faults.crash(stack, "daemon")
    daemon_s = faults.wait_restarted(stack, "daemon", daemon)

    # A run the kill caught between "starting" and its launch has no process: run monitoring
    # fails it once run_monitoring.start_timeout_seconds has passed, and run_retries launches it
    # again. Any other failure is not retried, and fails here.
    assert [succeeded_or_retried(stack, run) for run in queued] == ["SUCCESS"] * 5
    failed = {run: faults.failure_message(stack, run) for run in queued}
    assert all(
        "seconds to start" in message for message in failed.values() if message is not None
    ), failed
    record(
        stack,
        "webserver, then daemon with 5 runs queued, killed",
        webserver_healthy_again=webserver_s,
        daemon_healthy_again=daemon_s,
        all_succeeded=time.monotonic() - crashed_at,
        runs_retried=sum(message is not None for message in failed.values()),
    )


def test_a_spark_worker_crash_mid_job_is_rescheduled_and_the_run_succeeds(stack):
    run = submit(stack, SPARK)
    faults.poll(
        lambda: faults.spark_executors_running(stack),
        "an executor of the run's Spark job on the worker",
        RECOVERY_TIMEOUT_S,
    )

    crashed_at = time.monotonic()
    worker = faults.crash(stack, "spark-worker")
    worker_s = faults.wait_restarted(stack, "spark-worker", worker)

    assert wait_for(stack, run) == "SUCCESS"
    succeeded_s = time.monotonic() - crashed_at
    assert wait_for(stack, submit(stack, SPARK)) == "SUCCESS"
    record(stack, "Spark worker killed mid-job", healthy_again=worker_s, succeeded=succeeded_s)


def restart_postgres(stack) -> float:
    started = time.monotonic()
    stack.compose("restart", "postgres")
    return time.monotonic() - started


def test_postgres_restarted_at_several_moments_ends_every_run_and_the_webserver_answers(stack):
    idle_s = restart_postgres(stack)
    faults.runs(stack)  # the first query after the restart: no stale connection error

    in_step = submit_until_in_step(stack, WAREHOUSE, "warehouse")
    restart_postgres(stack)
    faults.runs(stack)

    in_writes = []
    for delay_s in (0, 3):  # two moments of the run, each inside an event write
        run = submit_until_in_step(stack, WAREHOUSE, "warehouse")
        time.sleep(delay_s)
        with faults.event_writes_held(stack):
            faults.poll(
                lambda: faults.event_writes_waiting(stack),
                "an event write waiting",
                60,
            )
            restart_postgres(stack)
        faults.runs(stack)
        in_writes.append(run)

    assert [succeeded_or_retried(stack, run) for run in [in_step, *in_writes]] == ["SUCCESS"] * 3
    record(stack, "PostgreSQL restarted (idle, in a step, in event writes)", restart=idle_s)


def test_the_object_store_down_for_a_minute_fails_steps_naming_it_and_loses_nothing(stack):
    stored = {key: etag for key, etag in stack.probe()["objects"].items() if "/small/" in key}
    stack.compose("stop", "minio")
    stopped_at = time.monotonic()

    run = submit(stack, ECOMMERCE)
    assert wait_for(stack, run) == "FAILURE"
    failed_s = time.monotonic() - stopped_at
    errors = faults.step_errors(stack, run)
    assert errors and all("http://minio:9000" in error for error in errors.values()), errors

    time.sleep(max(0.0, 60 - (time.monotonic() - stopped_at)))
    stack.compose("start", "minio")
    stack.up()
    # a downstream-only run loads what the store held before the outage
    downstream = faults.poll(
        lambda: graphql_runs.graphql_client(stack.webserver_port).submit_job_execution(
            "__ASSET_JOB",
            repository_location_name=graphql_runs.LOCATION,
            repository_name="__repository__",
            asset_selection=[["customer_ltv"], ["product_performance"]],
        ),
        "submit",
        120,
    )
    assert wait_for(stack, downstream) == "SUCCESS"
    after = stack.probe()["objects"]
    assert {key: after.get(key) for key in stored} == stored  # the failed writes replaced nothing
    assert wait_for(stack, submit(stack, ECOMMERCE)) == "SUCCESS"
    record(stack, "object store down for a minute", run_failed=failed_s)

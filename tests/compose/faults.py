"""Faults caused for real on the running compose stack, and what the tests read back.

A crash is a SIGKILL of the container's main process from the host, as the kernel's OOM killer
would deliver it: Docker then applies the service's ``restart:`` policy (it does not after
``docker kill`` or ``docker stop``, which it treats as a manual stop). Everything read back goes
through the webserver's GraphQL API, as the UI reads it, except what only a process inside the
stack can see (``ComposeStack.probe``).
"""

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import requests

from tests.compose.conftest import REPOSITORY_ROOT, ComposeStack
from tests.deploy import graphql_runs

POOLS_QUERY = """
{ instance { concurrencyLimits { concurrencyKey claimedSlots { runId stepKey } } } }
"""
RUNS_QUERY = """
query ($limit: Int!) {
  runsOrError(limit: $limit) {
    ... on Runs { results { runId status jobName tags { key value } } }
  }
}
"""


def poll(condition: Callable[[], object], what: str, timeout_s: float):
    """``condition()`` once it is truthy; fail naming ``what`` after ``timeout_s``. A condition
    that raises (a service restarting) counts as not yet."""
    deadline = time.monotonic() + timeout_s
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception as error:  # the service may be restarting
            last_error = error
        else:
            if value:
                return value
        time.sleep(1)
    raise TimeoutError(f"{what}: not within {timeout_s} s (last error: {last_error})")


@dataclass(frozen=True)
class ContainerState:
    pid: int
    restarts: int
    health: str


def container_state(stack: ComposeStack, service: str) -> ContainerState:
    container = stack.compose("ps", "-q", service).stdout.strip()
    fields = subprocess.run(
        [
            "docker",
            "inspect",
            "-f",
            "{{.State.Pid}} {{.RestartCount}} {{if .State.Health}}{{.State.Health.Status}}"
            "{{else}}none{{end}}",
            container,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return ContainerState(int(fields[0]), int(fields[1]), fields[2])


def crash(stack: ComposeStack, service: str) -> ContainerState:
    """SIGKILL the service's main process from the host; the state it had before."""
    before = container_state(stack, service)
    os.kill(before.pid, signal.SIGKILL)
    return before


def wait_restarted(stack: ComposeStack, service: str, before: ContainerState, timeout_s=180):
    """Wait until the restart policy brought the service back and it is healthy again; the
    seconds that took."""
    started = time.monotonic()
    poll(
        lambda: (
            (state := container_state(stack, service)).restarts > before.restarts
            and state.pid not in (0, before.pid)
            and state.health in ("healthy", "none")
        ),
        f"{service} restarted by its policy and healthy",
        timeout_s,
    )
    return time.monotonic() - started


def slot_holders(stack: ComposeStack) -> dict[str, set[str]]:
    """Run ids holding a slot of each pool, from the webserver."""
    limits = graphql_runs.query(stack.webserver_port, POOLS_QUERY)["instance"]["concurrencyLimits"]
    return {
        limit["concurrencyKey"]: {slot["runId"] for slot in limit["claimedSlots"]}
        for limit in limits
    }


def runs(stack: ComposeStack, limit: int = 500) -> list[dict]:
    """The instance's most recent runs: id, status, job and tags (as a dict)."""
    results = graphql_runs.query(stack.webserver_port, RUNS_QUERY, limit=limit)["runsOrError"]
    return [
        {**run, "tags": {tag["key"]: tag["value"] for tag in run["tags"]}}
        for run in results["results"]
    ]


def retries_of(stack: ComposeStack, run_id: str) -> list[dict]:
    return [run for run in runs(stack) if run["tags"].get("dagster/parent_run_id") == run_id]


def unfinished(stack: ComposeStack) -> list[str]:
    return [
        f"{run['runId']} {run['status']}"
        for run in runs(stack)
        if run["status"] not in graphql_runs.TERMINAL
    ]


def nothing_lost(before: dict, after: dict) -> None:
    """Every run recorded before is still recorded, and each that had finished keeps its status
    (one still queued or running then, such as a retry that run_retries launched, may finish
    since); every asset materialized before still has a materialization at least as new; every
    stored object is still there, and every Spark dataset still has a published version (older
    versions are pruned by design)."""
    changed = {
        run: f"{status} -> {after['runs'].get(run, 'missing')}"
        for run, status in before["runs"].items()
        if after["runs"].get(run) != status
        and (status in graphql_runs.TERMINAL or run not in after["runs"])
    }
    assert changed == {}, f"earlier runs lost or changed: {changed}"
    assert {
        asset: after["materialized"].get(asset, 0) >= timestamp
        for asset, timestamp in before["materialized"].items()
    } == dict.fromkeys(before["materialized"], True)
    assert set(before["objects"]) <= set(after["objects"])
    datasets = {version.rsplit("/", 1)[0] for version in before["lake"]}
    assert datasets <= {version.rsplit("/", 1)[0] for version in after["lake"]}


STEP_ERRORS_QUERY = """
query ($runId: ID!) {
  runOrError(runId: $runId) {
    ... on Run {
      eventConnection(limit: 5000) {
        events {
          __typename
          ... on ExecutionStepFailureEvent { stepKey error { message causes { message } } }
        }
      }
    }
  }
}
"""


def step_errors(stack: ComposeStack, run_id: str) -> dict[str, str]:
    """Each failed step's error with its causes, as the UI shows it."""
    run = graphql_runs.query(stack.webserver_port, STEP_ERRORS_QUERY, runId=run_id)["runOrError"]
    return {
        event["stepKey"]: "\n".join(
            [event["error"]["message"], *(cause["message"] for cause in event["error"]["causes"])]
        )
        for event in run["eventConnection"]["events"]
        if event["__typename"] == "ExecutionStepFailureEvent"
    }


RUN_FAILURE_QUERY = """
query ($runId: ID!) {
  runOrError(runId: $runId) {
    ... on Run {
      status
      eventConnection(limit: 5000) {
        events { __typename ... on RunFailureEvent { message } }
      }
    }
  }
}
"""


def failure_message(stack: ComposeStack, run_id: str) -> str | None:
    """Why the run failed, as its run-failure event says; None for a run that did not fail."""
    run = graphql_runs.query(stack.webserver_port, RUN_FAILURE_QUERY, runId=run_id)["runOrError"]
    if run["status"] != "FAILURE":
        return None
    events = run["eventConnection"]["events"]
    return "\n".join(e["message"] for e in events if e["__typename"] == "RunFailureEvent")


def spark_executors_running(stack: ComposeStack) -> bool:
    """Whether an application on the Spark master has cores on the worker (from the master's
    UI, published on 127.0.0.1)."""
    port = stack.values["SPARK_MASTER_UI_PORT"]
    master = requests.get(f"http://127.0.0.1:{port}/json/", timeout=5).json()
    return any(app.get("cores", 0) > 0 for app in master.get("activeapps", []))


def psql(stack: ComposeStack, sql: str) -> str:
    """One statement through psql inside the postgres container, as the stack's user."""
    arguments = ["-U", stack.values["DAGSTER_PG_USER"], "-d", stack.values["DAGSTER_PG_DB"]]
    return stack.compose("exec", "-T", "postgres", "psql", *arguments, "-tAc", sql).stdout.strip()


def event_writes_waiting(stack: ComposeStack) -> bool:
    """Whether an INSERT into Dagster's event log is waiting on a lock."""
    waiting = psql(
        stack,
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND query LIKE 'INSERT INTO event_logs%'",
    )
    return int(waiting) > 0


@contextlib.contextmanager
def event_writes_held(stack: ComposeStack) -> Iterator[subprocess.Popen]:
    """Every INSERT into Dagster's event log waits while the block lasts (a table lock held by
    a psql session in the postgres container), so a restart inside the block lands inside
    Dagster's own write."""
    arguments = ["-U", stack.values["DAGSTER_PG_USER"], "-d", stack.values["DAGSTER_PG_DB"]]
    command = [*stack.command(), "exec", "-T", "postgres", "psql", *arguments]
    holder = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=REPOSITORY_ROOT
    )
    try:
        assert holder.stdin is not None
        holder.stdin.write(
            "BEGIN; LOCK TABLE event_logs IN EXCLUSIVE MODE; SELECT pg_sleep(600);\n"
        )
        holder.stdin.flush()
        poll(
            lambda: (
                psql(
                    stack,
                    "SELECT count(*) FROM pg_locks JOIN pg_class ON pg_class.oid = relation "
                    "WHERE relname = 'event_logs' AND mode = 'ExclusiveLock' AND granted",
                )
                == "1"
            ),
            "the event log locked",
            60,
        )
        yield holder
    finally:
        holder.kill()
        holder.wait(timeout=30)

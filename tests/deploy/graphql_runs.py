"""Runs launched and read through a webserver's GraphQL API, as the UI does: shared by the native
stack's tests and the compose stack's tests."""

import time

import dagster as dg
import requests
from dagster_graphql import DagsterGraphQLClient

from dagster_project.definitions import defs
from dagster_project.launch_plan import FINAL_GROUPS, Launch, launch_plan

TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}
LOCATION = "reference_code_location"
RUN_TIMEOUT_S = 900


def graphql_client(port: int) -> DagsterGraphQLClient:
    return DagsterGraphQLClient("127.0.0.1", port_number=port)


def assets_of(launch: Launch) -> list[list[str]]:
    selection = dg.AssetSelection.from_coercible(launch.selection.split(","))
    return [key.path for key in sorted(selection.resolve(defs.resolve_asset_graph()))]


def submit(port: int, launch: Launch) -> str:
    """Submit the assets of one launch of the plan; return the run id."""
    return graphql_client(port).submit_job_execution(
        "__ASSET_JOB",
        repository_location_name=LOCATION,
        repository_name="__repository__",
        asset_selection=assets_of(launch),
        tags=launch.tags(),
    )


def wait_for(
    port: int, run_id: str, statuses: set[str] = TERMINAL, timeout_s: float = RUN_TIMEOUT_S
) -> str:
    """Poll the run's status until it is one of ``statuses``; return the status reached."""
    client = graphql_client(port)
    deadline = time.monotonic() + timeout_s
    status = client.get_run_status(run_id).value
    while status not in statuses and time.monotonic() < deadline:
        time.sleep(2)
        status = client.get_run_status(run_id).value
    return status


def launch_everything(port: int) -> dict[str, str]:
    """One run per launch of the plan, in the order scripts/materialize_all.py runs them: a
    launch beside the others is submitted first and waited for only before the final ones;
    the status of each."""
    statuses: dict[str, str] = {}
    beside: dict[str, str] = {}
    for launch in launch_plan(defs):
        if beside and set(launch.groups) & set(FINAL_GROUPS):
            statuses |= {selection: wait_for(port, run) for selection, run in beside.items()}
            beside = {}
        if launch.beside:
            beside[launch.selection] = submit(port, launch)
        else:
            statuses[launch.selection] = wait_for(port, submit(port, launch))
    return statuses | {selection: wait_for(port, run) for selection, run in beside.items()}


def query(port: int, text: str, **variables) -> dict:
    """A raw GraphQL query against the webserver; its ``data``."""
    answer = requests.post(
        f"http://127.0.0.1:{port}/graphql",
        json={"query": text, "variables": variables},
        timeout=60,
    )
    answer.raise_for_status()
    body = answer.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


CAPTURED_LOGS = """
query ($runId: ID!) {
  runOrError(runId: $runId) {
    ... on Run {
      eventConnection(limit: 1000) {
        events { __typename ... on LogsCapturedEvent { fileKey } }
      }
    }
  }
}
"""

CAPTURED_LOG = """
query ($runId: ID!, $fileKey: String!) {
  runOrError(runId: $runId) {
    ... on Run { capturedLogs(fileKey: $fileKey) { stdout stderr } }
  }
}
"""


def captured_logs(port: int, run_id: str) -> dict[str, str]:
    """The run's captured stdout + stderr per file key, read back by the webserver."""
    events = query(port, CAPTURED_LOGS, runId=run_id)["runOrError"]["eventConnection"]["events"]
    file_keys = {event["fileKey"] for event in events if event["__typename"] == "LogsCapturedEvent"}
    logs = {}
    for file_key in sorted(file_keys):
        log = query(port, CAPTURED_LOG, runId=run_id, fileKey=file_key)["runOrError"]
        logs[file_key] = (log["capturedLogs"]["stdout"] or "") + (
            log["capturedLogs"]["stderr"] or ""
        )
    return logs

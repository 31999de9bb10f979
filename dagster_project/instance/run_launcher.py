"""Dagster's default run launcher, with the health check the daemon's run monitoring needs.

The stack starts runs as processes of the code-location server (``DefaultRunLauncher``). When a
run's process dies, that server notices and marks the run failed itself; but when the server dies
with it (a killed or restarted container), nothing is left to notice, and the run would stay
"started" for good. ``DefaultRunLauncher`` offers the daemon no way to ask, so this subclass
answers the daemon's health check by asking the server the run was launched on whether it still
has a live process for that run:

- it has: ``RUNNING``;
- it answers without one (it was restarted, or the process ended without a verdict): ``FAILED``,
  and the daemon marks the run failed; ``run_retries`` then launches it again;
- it does not answer (restarting right now): ``RUNNING``, so a short restart is not a failure; the
  next check, one poll interval later, asks again.
"""

import json
from typing import Any

import dagster as dg

from dagster_project.dagster_internals import (
    GRPC_INFO_TAG,
    CanCancelExecutionRequest,
    CanCancelExecutionResult,
    CheckRunHealthResult,
    DagsterGrpcClient,
    WorkerStatus,
)

HEALTH_CHECK_TIMEOUT_S = 10


class MonitoredRunLauncher(dg.DefaultRunLauncher):
    """``DefaultRunLauncher`` whose runs the daemon's run monitoring can check."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: dg.DagsterRun) -> Any:
        client = _code_server_of(run)
        if client is None:
            return CheckRunHealthResult(WorkerStatus.UNKNOWN, "the run has no code server tag")
        try:
            answer = client.can_cancel_execution(
                CanCancelExecutionRequest(run_id=run.run_id), timeout=HEALTH_CHECK_TIMEOUT_S
            )
        except Exception as error:  # unreachable or restarting: no verdict yet
            return CheckRunHealthResult(
                WorkerStatus.RUNNING,
                f"code server {client.host}:{client.port} did not answer ({error}); asking again",
                transient=True,
            )
        if dg.deserialize_value(answer, CanCancelExecutionResult).can_cancel:
            return CheckRunHealthResult(WorkerStatus.RUNNING)
        return CheckRunHealthResult(
            WorkerStatus.FAILED,
            f"code server {client.host}:{client.port} has no live process for this run: the "
            "process or the server itself died",
        )


def _code_server_of(run: dg.DagsterRun) -> Any:
    """A client of the code server the run was launched on (from the tag the launch wrote)."""
    if GRPC_INFO_TAG not in run.tags:
        return None
    info = json.loads(run.tags[GRPC_INFO_TAG])
    return DagsterGrpcClient(
        port=info.get("port"),
        socket=info.get("socket"),
        host=info.get("host"),
        use_ssl=bool(info.get("use_ssl", False)),
    )

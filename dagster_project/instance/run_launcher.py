"""Dagster's default run launcher, with the health check the daemon's run monitoring asks.

Runs start as processes of the code server (``DefaultRunLauncher``). When a run's process dies
while its server lives, the server marks the run failed itself. When the server dies with it,
nothing is left to notice, and the run would stay "started" for good, holding its queue and pool
slots. ``DefaultRunLauncher`` offers the daemon no way to ask, so this subclass answers:

- the code server runs on this machine (``dagster dev``, the native stack): the run's process is
  looked up by the PID it reported when it started. Alive: ``RUNNING``; gone, or the PID now
  belongs to a younger process: ``FAILED``, and the daemon marks the run failed, frees its pool
  slots and ``run_retries`` launches it again;
- the code server runs elsewhere (the compose stack's code-location container): its processes
  are out of sight, so ``RUNNING``. There the code server itself fails, as it starts, the runs its
  previous process left behind (:mod:`dagster_project.instance.code_server`). Asking the server
  over gRPC whether it still has the run's process would be wrong after a reload from the UI:
  ``dagster code-server start`` then answers from a new process that never had it, while the old
  one still runs it to the end.
"""

import json
from typing import Any

import dagster as dg
import psutil

from dagster_project.dagster_internals import GRPC_INFO_TAG, CheckRunHealthResult, WorkerStatus

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
STARTED_MESSAGE_EVENTS = 20
# A PID reused by a process younger than the run's own start (plus this much clock slack).
START_SLACK_S = 1.0


class MonitoredRunLauncher(dg.DefaultRunLauncher):
    """``DefaultRunLauncher`` whose runs the daemon's run monitoring can check."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: dg.DagsterRun) -> Any:
        if not on_this_machine(run):
            return CheckRunHealthResult(
                WorkerStatus.RUNNING,
                "its code server runs on another machine, which fails such runs when it restarts",
            )
        started = run_process(self._instance, run.run_id)
        if started is None:
            return CheckRunHealthResult(WorkerStatus.UNKNOWN, "the run reported no process yet")
        pid, reported_at = started
        if process_alive(pid, reported_at):
            return CheckRunHealthResult(WorkerStatus.RUNNING)
        return CheckRunHealthResult(
            WorkerStatus.FAILED,
            f"the run's process (pid {pid}) is gone: it or its code server died",
        )


def on_this_machine(run: dg.DagsterRun) -> bool:
    """Whether the run was launched on a code server of this machine (a local host or socket)."""
    if GRPC_INFO_TAG not in run.tags:
        return False
    info = json.loads(run.tags[GRPC_INFO_TAG])
    return bool(info.get("socket")) or info.get("host") in LOCAL_HOSTS


def run_process(instance: dg.DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """The PID the run's process reported when it started, and when it reported it."""
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ENGINE_EVENT, limit=STARTED_MESSAGE_EVENTS
    ).records
    for record in records:
        event = record.event_log_entry.dagster_event
        metadata = event.engine_event_data.metadata if event and event.engine_event_data else {}
        if "pid" in metadata:
            return int(str(metadata["pid"].value)), record.event_log_entry.timestamp
    return None


def process_alive(pid: int, reported_at: float) -> bool:
    try:
        process = psutil.Process(pid)
        return (
            process.status() != psutil.STATUS_ZOMBIE
            and process.create_time() <= reported_at + START_SLACK_S
        )
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False

"""What holds the run queue up, read from a Dagster instance: runs waiting in the queue, and pool
slots still claimed by runs that already ended.

A slot held by an ended run blocks every later step of its pool (the queue holds those runs back)
until the daemon's run monitoring frees it (``free_slots_after_run_end_seconds`` in the instance
files); a slot held long after its run ended means that sweep is not happening. Each read is
bounded: at most ``limit`` queued runs, one query per pool for the claims and one for their runs.
"""

from dataclasses import dataclass

import dagster as dg

QUEUED_RUNS_LIMIT = 1000


@dataclass(frozen=True)
class QueuedRun:
    run_id: str
    job_name: str
    queued_seconds: float


@dataclass(frozen=True)
class HeldSlot:
    """A pool slot claimed by a step of a run that ended ``ended_seconds`` ago."""

    pool: str
    run_id: str
    step_key: str
    run_status: str
    ended_seconds: float


def queued_runs(
    instance: dg.DagsterInstance, now: float, limit: int = QUEUED_RUNS_LIMIT
) -> list[QueuedRun]:
    """The runs in the queue, the longest waiting first (at most ``limit``)."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.QUEUED]),
        limit=limit,
        order_by="create_timestamp",
        ascending=True,
    )
    return [
        QueuedRun(
            record.dagster_run.run_id,
            record.dagster_run.job_name,
            max(0.0, now - record.create_timestamp.timestamp()),
        )
        for record in records
    ]


def slots_held_by_ended_runs(instance: dg.DagsterInstance, now: float) -> list[HeldSlot]:
    """Every claimed pool slot whose run has ended (succeeded, failed or was canceled)."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    claims = [
        (pool, slot.run_id, slot.step_key)
        for pool in sorted(storage.get_concurrency_keys())
        for slot in storage.get_concurrency_info(pool).claimed_slots
    ]
    return ended_claims(instance, claims, now)


def ended_claims(
    instance: dg.DagsterInstance, claims: list[tuple[str, str, str]], now: float
) -> list[HeldSlot]:
    """Those of ``claims`` (pool, run id, step key) whose run has ended: one run query."""
    if not claims:
        return []
    ended = {
        record.dagster_run.run_id: record
        for record in instance.get_run_records(
            filters=dg.RunsFilter(
                run_ids=sorted({run_id for _, run_id, _ in claims}),
                statuses=[
                    dg.DagsterRunStatus.SUCCESS,
                    dg.DagsterRunStatus.FAILURE,
                    dg.DagsterRunStatus.CANCELED,
                ],
            )
        )
    }
    held = []
    for pool, run_id, step_key in claims:
        record = ended.get(run_id)
        if record is None:
            continue
        end_time = record.end_time or record.update_timestamp.timestamp()
        held.append(
            HeldSlot(
                pool, run_id, step_key, record.dagster_run.status.value, max(0.0, now - end_time)
            )
        )
    return held

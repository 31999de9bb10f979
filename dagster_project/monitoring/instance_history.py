"""Recent materializations and failures of every asset, read from the Dagster instance.

The instance is the one record every process shares (the run worker, the webserver, the daemon,
a test), where metrics kept in a Python list would be empty in every process but the one that
ran the asset. Durations come from the instance's step statistics, sizes and memory from the
uniform performance metadata (:mod:`dagster_project.monitoring.step_meter`).

Failures are worked out from runs, because Dagster's open-source event storages drop
``ASSET_FAILED_TO_MATERIALIZE`` events (``fetch_failed_materializations`` is always empty there):
a failure is a planned materialization whose step started in a run that ended failed or canceled
without materializing it. A step that failed, a run worker killed mid-step, a step canceled
while it ran all count; a step skipped because its upstream failed does not.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import dagster as dg
import pandas as pd

from dagster_project.dagster_internals import CheckError

METADATA_COLUMNS = {
    "compute_seconds": "compute_seconds",
    "serialization_seconds": "serialization_seconds",
    "peak_memory_mb": "peak_memory_mb",
    "memory_size_mb": "memory_size_mb",
    "file_size_mb": "file_size_mb",
    "dagster/row_count": "rows",
}
HISTORY_COLUMNS = [
    "asset_key",
    "group",
    "status",
    "partition",
    "run_id",
    "timestamp",
    "step_seconds",
    *METADATA_COLUMNS.values(),
]
MATERIALIZED, FAILED, NEVER_MATERIALIZED = "materialized", "failed", "never_materialized"
UNSUCCESSFUL = [dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
RUN_EVENTS_READ = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.ASSET_MATERIALIZATION}


@dataclass(frozen=True)
class MonitoredAsset:
    """An asset of the graph and its group."""

    key: dg.AssetKey
    group: str


def assets_to_monitor(
    context: dg.AssetExecutionContext | dg.OpExecutionContext | dg.SensorEvaluationContext,
) -> list[MonitoredAsset]:
    """Every materializable asset of the code location.

    Outside a code location (``dg.materialize`` in a test) there is no repository: then the
    run's own assets and every asset the instance holds records of (group ``unknown``)."""
    try:
        repository = context.repository_def
    except CheckError:
        repository = None
    extra: list[MonitoredAsset] = []
    if repository is not None:
        graph = repository.asset_graph
    elif isinstance(context, dg.SensorEvaluationContext):
        raise ValueError(
            "A sensor's context without definitions has no assets to monitor: evaluate the sensor "
            "in the code location, or build its context with definitions=defs."
        )
    else:
        graph = context.job_def.asset_layer.asset_graph
        known = set(graph.materializable_asset_keys)
        extra = [
            MonitoredAsset(key, "unknown")
            for key in context.instance.all_asset_keys()
            if key not in known
        ]
    assets = [
        MonitoredAsset(key, graph.get(key).group_name) for key in graph.materializable_asset_keys
    ]
    return sorted(assets + extra, key=lambda asset: asset.key.to_user_string())


def asset_history(
    instance: dg.DagsterInstance, assets: Iterable[MonitoredAsset], window: int = 20
) -> pd.DataFrame:
    """The latest ``window`` materializations and failures per asset, newest first, and one
    ``never_materialized`` row for each asset the instance holds nothing about."""
    step_seconds = _StepDurations(instance)
    ended_runs = _EndedRuns(instance)
    rows: list[dict] = []
    for asset in assets:
        events = [
            _Attempt(MATERIALIZED, record.storage_id, record.event_log_entry.timestamp, record)
            for record in instance.fetch_materializations(asset.key, limit=window).records
        ] + ended_runs.failures(asset.key, window)
        events.sort(key=lambda event: (event.timestamp, event.storage_id), reverse=True)
        for status, _, timestamp, record in events[:window]:
            row = {
                "asset_key": asset.key.to_user_string(),
                "group": asset.group,
                "status": status,
                "partition": record.partition_key,
                "run_id": record.run_id,
                "timestamp": pd.Timestamp(timestamp, unit="s", tz="UTC"),
                "step_seconds": step_seconds(record.run_id, record.event_log_entry.step_key),
            }
            materialization = record.asset_materialization
            if status == MATERIALIZED and materialization is not None:
                row |= _performance_values(materialization.metadata)
            rows.append(row)
        if not events:
            rows.append(
                {
                    "asset_key": asset.key.to_user_string(),
                    "group": asset.group,
                    "status": NEVER_MATERIALIZED,
                }
            )
    history = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    return history.astype({name: "float64" for name in HISTORY_COLUMNS[6:]})


class _Attempt(NamedTuple):
    status: str
    storage_id: int
    timestamp: float
    record: dg.EventLogRecord  # the materialization, or the plan of a failed one


class _EndedRuns:
    """Failed attempts, from planned materializations and the runs that ended without them.

    Each run's status, and each failed run's events, are fetched once for all assets."""

    def __init__(self, instance: dg.DagsterInstance):
        self._instance = instance
        self._failed_at: dict[str, float | None] = {}  # run id -> when it ended, if it failed
        self._events: dict[str, list[dg.EventLogRecord]] = {}

    def failures(self, key: dg.AssetKey, window: int) -> list[_Attempt]:
        plans = self._instance.get_event_records(
            dg.EventRecordsFilter(dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED, key),
            limit=window,
        )
        self._read_statuses({plan.run_id for plan in plans} - self._failed_at.keys())
        attempts = []
        for plan in plans:
            ended = self._failed_at[plan.run_id]
            if ended is not None and self._failed_in_step(key, plan):
                attempts.append(_Attempt(FAILED, plan.storage_id, ended, plan))
        return attempts

    def _read_statuses(self, run_ids: set[str]) -> None:
        if not run_ids:
            return
        for run_id in run_ids:
            self._failed_at[run_id] = None
        for record in self._instance.get_run_records(
            dg.RunsFilter(run_ids=list(run_ids), statuses=UNSUCCESSFUL)
        ):
            self._failed_at[record.dagster_run.run_id] = (
                record.end_time or record.update_timestamp.timestamp()
            )

    def _failed_in_step(self, key: dg.AssetKey, plan: dg.EventLogRecord) -> bool:
        """Whether the plan's step started and its run did not materialize the asset."""
        if plan.run_id not in self._events:
            self._events[plan.run_id] = list(
                self._instance.get_records_for_run(
                    plan.run_id, of_type=RUN_EVENTS_READ, limit=None
                ).records
            )
        step_key, partition = plan.event_log_entry.step_key, plan.partition_key
        started = False
        for event in self._events[plan.run_id]:
            entry = event.event_log_entry
            if entry.dagster_event_type == dg.DagsterEventType.STEP_START:
                started = started or entry.step_key == step_key
            elif event.asset_key == key and partition in (None, event.partition_key):
                return False
        return started


def _performance_values(metadata) -> dict[str, float]:
    values = {}
    for key, column in METADATA_COLUMNS.items():
        entry = metadata.get(key)
        value = getattr(entry, "value", entry)
        if isinstance(value, int | float):
            values[column] = float(value)
    return values


class _StepDurations:
    """Step durations of each run, fetched once per run."""

    def __init__(self, instance: dg.DagsterInstance):
        self._instance = instance
        self._runs: dict[str, dict[str, float]] = {}

    def __call__(self, run_id: str, step_key: str | None) -> float | None:
        if step_key is None:
            return None
        if run_id not in self._runs:
            self._runs[run_id] = {
                stats.step_key: stats.end_time - stats.start_time
                for stats in self._instance.get_run_step_stats(run_id)
                if stats.start_time is not None and stats.end_time is not None
            }
        return self._runs[run_id].get(step_key)

"""The capacity planners (:mod:`dagster_project.planning`) fed with what the instance measured.

Per asset: the latest stored and in-memory size, the highest step peak in the window, how often
it runs and how long its tier keeps it. How often: a partitioned asset runs once per partition
(hourly keys ``YYYY-MM-DD-HH:MM`` mean 24 a day, daily keys one); an unpartitioned one as often
as the window shows, at least daily.
"""

import pandas as pd

from dagster_project.monitoring.instance_history import MATERIALIZED
from dagster_project.monitoring.retention import DEFAULT_RETENTION_DAYS
from dagster_project.planning import AssetMeasurement, CapacityPlan, Machine, plan_from_measurements
from dagster_project.tiers import GROUP_TIERS, WAREHOUSE_NATIVE_GROUPS, Tier

HOURLY_RUNS_PER_DAY = 24.0


def capacity_plan_from_history(
    history: pd.DataFrame, memory_budget_mb: float, cores: int
) -> CapacityPlan:
    """The plan for this code location on a machine with ``memory_budget_mb`` and ``cores``."""
    return plan_from_measurements(
        measurements_from_history(history), Machine(memory_budget_mb=memory_budget_mb, cores=cores)
    )


def measurements_from_history(history: pd.DataFrame) -> list[AssetMeasurement]:
    """One measurement per materialized asset of a known group."""
    measurements = []
    materialized = history[history["status"] == MATERIALIZED]
    for (asset_key, group), events in materialized.groupby(["asset_key", "group"], sort=True):
        tier = tier_of(group)
        if tier is None:
            continue
        events = events.sort_values("timestamp")
        measurements.append(
            AssetMeasurement(
                asset_key=asset_key,
                tier=tier,
                size_mb=_latest(events["file_size_mb"]),
                memory_size_mb=_latest(events["memory_size_mb"]),
                peak_memory_mb=_maximum(events["peak_memory_mb"]),
                runs_per_day=runs_per_day(events),
                retention_days=DEFAULT_RETENTION_DAYS[tier.value],
            )
        )
    return measurements


def tier_of(group: str) -> Tier | None:
    """The tier that stores a group's values; dbt's stay in the warehouse (reference)."""
    if group in WAREHOUSE_NATIVE_GROUPS:
        return Tier.REFERENCE
    return GROUP_TIERS.get(group)


def runs_per_day(events: pd.DataFrame) -> float:
    partitions = events["partition"].dropna()
    if len(partitions):
        return HOURLY_RUNS_PER_DAY if ":" in str(partitions.iloc[-1]) else 1.0
    span_days = (events["timestamp"].max() - events["timestamp"].min()) / pd.Timedelta(days=1)
    return max(1.0, len(events) / max(span_days, 1.0))


def _latest(values: pd.Series) -> float:
    values = values.dropna()
    return float(values.iloc[-1]) if len(values) else 0.0


def _maximum(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.max()) if len(values) else None

"""The measured history becomes planner input with the right tiers and frequencies."""

import pandas as pd

from dagster_project.monitoring.capacity import (
    capacity_plan_from_history,
    measurements_from_history,
)
from dagster_project.monitoring.instance_history import HISTORY_COLUMNS
from dagster_project.planning.render import plan_as_dict, plan_as_markdown
from dagster_project.tiers import Tier


def event(asset, group, hour, partition=None, file_mb=2.0, peak_mb=400.0, status="materialized"):
    return {
        "asset_key": asset,
        "group": group,
        "status": status,
        "partition": partition,
        "timestamp": pd.Timestamp("2026-01-01", tz="UTC") + pd.Timedelta(hours=hour),
        "file_size_mb": file_mb,
        "memory_size_mb": 3 * file_mb if file_mb is not None else None,
        "peak_memory_mb": peak_mb,
    }


HISTORY = pd.DataFrame(
    [
        event("sensor_data", "iot", 0, partition="2026-01-01-00:00"),
        event("campaign_data", "marketing", 0, partition="2026-01-01"),
        # Unpartitioned, 8 materializations over 2 days: 4 a day; the latest size counts.
        # One step of the eight peaked at 1270 MB: the highest peak in the window counts.
        *[
            event(
                "web_logs_raw", "logs", 6 * i, file_mb=10.0 + i, peak_mb=1270.0 if i == 3 else 400
            )
            for i in range(8)
        ],
        event("web_logs_raw", "logs", 50, status="failed", file_mb=None),
        event("stg_sales", "dbt", 0, file_mb=0.0, peak_mb=None),
        event("never", "unknown", 0),
    ],
    columns=HISTORY_COLUMNS,
)


def test_measurements_carry_tier_frequency_and_latest_size():
    measured = {m.asset_key: m for m in measurements_from_history(HISTORY)}

    assert sorted(measured) == ["campaign_data", "sensor_data", "stg_sales", "web_logs_raw"]
    assert measured["sensor_data"].runs_per_day == 24.0
    assert measured["sensor_data"].tier == Tier.TIME_SERIES
    assert measured["campaign_data"].runs_per_day == 1.0
    # 8 runs between hour 0 and hour 42 (1.75 days, counted as at least 1 day): 8 / 1.75.
    assert measured["web_logs_raw"].runs_per_day == 8 / 1.75
    assert measured["web_logs_raw"].size_mb == 17.0
    assert measured["web_logs_raw"].retention_days == 90.0
    assert measured["stg_sales"].tier == Tier.REFERENCE


def test_the_plan_uses_the_measured_peaks_worked_by_hand():
    plan = capacity_plan_from_history(HISTORY, memory_budget_mb=2048, cores=2)

    # Working memory = measured peak - the 270 MB baseline: web_logs_raw 1270 - 270 = 1000,
    # sensor_data and campaign_data 400 - 270 = 130; stg_sales has no peak and the reference
    # tier's factor is 0. Usable: 2048 * 0.8 = 1638.4 MB. One step: 270 + 1000 = 1270 fits; two:
    # 1270 + 270 + 130 = 1670 does not. Both cores: 1670 / 0.8 = 2087.5 MB.
    memory = plan_as_dict(plan)["memory"]
    working = {row["category"]: row["working_mb"] for row in memory["categories"]}
    assert working == {
        "campaign_data": 130.0,
        "sensor_data": 130.0,
        "stg_sales": 0.0,
        "web_logs_raw": 1000.0,
    }
    assert memory["sequential_peak_mb"] == 1270.0
    assert memory["memory_safe_concurrency"] == 1
    assert memory["recommended_concurrency"] == 1
    assert memory["parallel_peak_mb"] == 1270.0
    assert memory["memory_for_all_cores_mb"] == 2087.5

    text = plan_as_markdown(plan)
    assert "| web_logs_raw | medium | 51.0 | 1,000.0 | measured peak |" in text
    assert "- To run one step per core, the machine needs 2,088 MB." in text

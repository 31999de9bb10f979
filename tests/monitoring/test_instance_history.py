"""The monitoring history read from a real instance: materializations and assets never
materialized; and the dashboard's per-asset summary of it, worked by hand. Failed attempts are
in test_instance_failures.py."""

import dagster as dg
import pandas as pd
import pytest

from dagster_project.io_managers.small import PickleIOManager
from dagster_project.monitoring.dashboard import asset_summary
from dagster_project.monitoring.instance_history import (
    MATERIALIZED,
    NEVER_MATERIALIZED,
    MonitoredAsset,
    asset_history,
)
from dagster_project.monitoring.step_meter import measured


class RowsConfig(dg.Config):
    rows: int = 3


@dg.asset(group_name="tested")
@measured
def counted(config: RowsConfig) -> pd.DataFrame:
    return pd.DataFrame({"n": range(config.rows)})


@dg.asset(group_name="tested")
def never() -> int:
    return 1


MONITORED = [
    MonitoredAsset(dg.AssetKey("counted"), "tested"),
    MonitoredAsset(dg.AssetKey("never"), "tested"),
]


@pytest.fixture
def history(instance, tmp_path) -> pd.DataFrame:
    manager = PickleIOManager(base_path=str(tmp_path))
    for rows in (3, 5):
        dg.materialize(
            [counted],
            instance=instance,
            resources={"io_manager": manager},
            run_config={"ops": {"counted": {"config": {"rows": rows}}}},
        )
    return asset_history(instance, MONITORED)


def test_the_history_holds_each_materialization_and_the_never_materialized(history):
    rows = history[["asset_key", "group", "status", "rows"]]

    # Newest first: the 5-row run, then the 3-row run.
    assert rows.astype(object).where(rows.notna(), None).values.tolist() == [
        ["counted", "tested", MATERIALIZED, 5.0],
        ["counted", "tested", MATERIALIZED, 3.0],
        ["never", "tested", NEVER_MATERIALIZED, None],
    ]
    assert history["run_id"].iloc[:2].nunique() == 2
    materialized = history[history["status"] == MATERIALIZED]
    assert materialized["step_seconds"].notna().all()
    assert (materialized["file_size_mb"] > 0).all()


def test_the_summary_counts_materializations_and_the_latest_values(history):
    summary = asset_summary(history).set_index("asset_key")

    counted_row = summary.loc["counted"]
    assert (counted_row["materializations"], counted_row["failures"]) == (2, 0)
    assert counted_row["success_rate"] == 1.0
    assert counted_row["latest_rows"] == 5.0  # the latest successful run's, not the first's
    latest = history[history["status"] == MATERIALIZED].iloc[0]
    assert counted_row["latest_file_size_mb"] == latest["file_size_mb"]
    assert counted_row["latest_seconds"] == latest["step_seconds"]
    never_row = summary.loc["never"]
    assert (never_row["materializations"], never_row["failures"]) == (0, 0)
    assert pd.isna(never_row["success_rate"])

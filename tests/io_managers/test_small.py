"""The small tier stores any picklable value, one file per asset and per partition."""

from pathlib import Path

import dagster as dg
import pandas as pd

from dagster_project.io_managers.small import PickleIOManager
from tests.io_managers.stored_values import load, store

DAYS = dg.DailyPartitionsDefinition(start_date="2024-01-01")


def test_round_trip_of_frames_models_and_plain_values(tmp_path):
    manager = PickleIOManager(base_path=str(tmp_path))
    frame = pd.DataFrame({"a": [1, 2], "when": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    values = {"frame": frame, "model": {"weights": [0.5, 1.5], "bias": 2}, "count": 42}

    for asset, value in values.items():
        store(manager, value, asset=asset)

    pd.testing.assert_frame_equal(load(manager, asset="frame"), frame)
    assert load(manager, asset="model") == values["model"]
    assert load(manager, asset="count") == 42


def test_one_file_per_asset_and_per_partition(tmp_path):
    manager = PickleIOManager(base_path=str(tmp_path))
    store(manager, "first day", asset="daily", partition="2024-01-01", partitions_def=DAYS)
    store(manager, "second day", asset="daily", partition="2024-01-02", partitions_def=DAYS)
    store(manager, "whole", asset="whole")

    stored = sorted(str(path.relative_to(tmp_path)) for path in Path(tmp_path).rglob("*.pkl"))
    assert stored == ["daily/2024-01-01.pkl", "daily/2024-01-02.pkl", "whole.pkl"]
    assert load(manager, asset="daily", partition="2024-01-02", partitions_def=DAYS) == "second day"


def test_loading_a_partition_range_returns_each_partition(tmp_path):
    manager = PickleIOManager(base_path=str(tmp_path))
    for day in ("2024-01-01", "2024-01-02", "2024-01-03"):
        store(manager, day.upper(), asset="daily", partition=day, partitions_def=DAYS)

    loaded = load(
        manager,
        asset="daily",
        partitions_def=DAYS,
        partition_range=dg.PartitionKeyRange("2024-01-01", "2024-01-03"),
    )

    assert loaded == {day: day.upper() for day in ("2024-01-01", "2024-01-02", "2024-01-03")}


def test_metadata_reports_the_file_size(tmp_path):
    manager = PickleIOManager(base_path=str(tmp_path))
    metadata = store(manager, b"x" * 3 * 2**20)

    assert metadata["file_size_mb"] == round((tmp_path / "victim.pkl").stat().st_size / 2**20, 3)
    assert metadata["path"] == str(tmp_path / "victim.pkl")


def test_a_rewrite_replaces_the_value(tmp_path):
    manager = PickleIOManager(base_path=str(tmp_path))
    store(manager, "old")
    store(manager, "new")

    assert load(manager) == "new"

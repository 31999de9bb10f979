"""Every group materializes in process at small scale, following the launch plan; then the
monitoring group has read every asset's records back from the instance."""

import os
import pickle

import dagster as dg
import pandas as pd
import pyarrow.parquet as pq

from dagster_project.definitions import defs
from dagster_project.launch_plan import launch_plan
from dagster_project.monitoring.step_meter import PERFORMANCE_KEYS
from dagster_project.tiers import WAREHOUSE_NATIVE_GROUPS


def test_every_asset_of_every_group_materializes_and_passes_its_checks(
    small_scale_resources, instance
):
    assets = list(defs.assets or [])
    failed_checks = []
    for launch in launch_plan(defs):
        result = dg.materialize(
            assets,
            selection=dg.AssetSelection.from_coercible(launch.selection.split(",")),
            tags=launch.tags(),  # one partition, a range, or none: what `dg launch` sets
            resources=small_scale_resources,
            instance=instance,
        )
        assert result.success, launch
        failed_checks += [
            c.check_name for c in result.get_asset_check_evaluations() if not c.passed
        ]

    missing = [
        key.to_user_string()
        for key in defs.resolve_asset_graph().materializable_asset_keys
        if instance.get_latest_materialization_event(key) is None
    ]
    assert missing == []
    assert failed_checks == []
    assert_uniform_performance_metadata(instance)
    assert_performance_values_match_the_stored_values(instance)
    assert_monitoring_read_every_asset(instance)


def assert_uniform_performance_metadata(instance):
    graph = defs.resolve_asset_graph()
    lacking = {}
    for key in graph.materializable_asset_keys:
        if graph.get(key).group_name in WAREHOUSE_NATIVE_GROUPS:
            continue  # dbt writes in the warehouse; nothing passes through an I/O manager
        metadata = instance.get_latest_materialization_event(key).asset_materialization.metadata
        if absent := [name for name in PERFORMANCE_KEYS if name not in metadata]:
            lacking[key.to_user_string()] = absent
    assert lacking == {}


def assert_performance_values_match_the_stored_values(instance):
    """Each figure is worked out again from what the run stored and what the instance recorded."""
    graph = defs.resolve_asset_graph()
    wrong = {}
    checked_memory = 0
    for key in graph.materializable_asset_keys:
        if graph.get(key).group_name in WAREHOUSE_NATIVE_GROUPS:
            continue
        event = instance.get_latest_materialization_event(key)
        metadata = {
            name: getattr(entry, "value", entry)
            for name, entry in event.asset_materialization.metadata.items()
        }
        stats = instance.get_run_stats(event.run_id)
        run_seconds = stats.end_time - stats.start_time
        path = str(metadata["path"])
        expected = {
            "file_size_mb": round(os.path.getsize(path) / 2**20, 3),
            "compute_seconds within the run": True,
            "serialization_seconds within the run": True,
        }
        actual = {
            "file_size_mb": metadata["file_size_mb"],
            "compute_seconds within the run": 0 <= metadata["compute_seconds"] <= run_seconds,
            "serialization_seconds within the run": (
                0 <= metadata["serialization_seconds"] <= run_seconds
            ),
        }
        if path.endswith(".parquet"):
            expected["dagster/row_count"] = pq.read_metadata(path).num_rows
            actual["dagster/row_count"] = metadata["dagster/row_count"]
        if path.endswith(".pkl"):
            with open(path, "rb") as file:
                value = pickle.load(file)  # the digest footer follows the pickle's STOP
            if isinstance(value, pd.DataFrame):
                checked_memory += 1
                # Within 1 KB (the metadata's rounding) and 1 %: an index's cached hash table
                # counts in memory_usage while the frame is in use and is gone once unpickled.
                in_memory_mb = value.memory_usage(deep=True).sum() / 2**20
                expected["memory_size_mb"] = True
                actual["memory_size_mb"] = (
                    abs(metadata["memory_size_mb"] - in_memory_mb) <= 0.001 + 0.01 * in_memory_mb
                )
                expected["dagster/row_count"] = len(value)
                actual["dagster/row_count"] = metadata["dagster/row_count"]
        if actual != expected:
            wrong[key.to_user_string()] = (actual, expected)
    assert wrong == {}
    assert checked_memory >= 5  # the small tier's frames (ecommerce, marketing, monitoring)


def assert_monitoring_read_every_asset(instance):
    graph = defs.resolve_asset_graph()
    every_asset = {key.to_user_string() for key in graph.materializable_asset_keys}
    metrics = load_value(instance, "performance_metrics")
    assert set(metrics["asset_key"]) == every_asset
    # Everything launched before the monitoring group has been materialized, with durations.
    before = metrics[~metrics["group"].eq("monitoring")]
    assert set(before["status"]) == {"materialized"}
    assert before["step_seconds"].notna().all()

    dashboard = instance.get_latest_materialization_event(dg.AssetKey("performance_dashboard"))
    chart = dashboard.asset_materialization.metadata["chart"].value
    assert chart.startswith("![duration and size](data:image/png;base64,iVBOR")  # a PNG
    # The capacity plan's figures are checked in the native stack's test: in process, without a
    # code location, the monitoring run does not know the other assets' groups (nor their tiers).


def load_value(instance, asset: str):
    event = instance.get_latest_materialization_event(dg.AssetKey(asset))
    with open(event.asset_materialization.metadata["path"].value, "rb") as file:
        return pickle.load(file)


def test_rematerializing_a_partition_reproduces_its_data(small_scale_resources, instance):
    assets = list(defs.assets or [])
    partition = "2024-03-01-12:00"
    stored = []
    for _ in range(2):
        dg.materialize(
            assets,
            selection=["sensor_data"],
            partition_key=partition,
            resources=small_scale_resources,
            instance=instance,
        )
        latest = instance.get_latest_materialization_event(dg.AssetKey("sensor_data"))
        path = latest.asset_materialization.metadata["path"].value
        with open(path, "rb") as file:
            stored.append(file.read())

    assert stored[0] == stored[1]

"""The warehouse group, the hybrid group's warehouse steps and the dbt models, end to end on both
warehouses: the DuckDB file of the embedded default and the suite's own PostgreSQL (dbt's `local`
and `stack` targets). The full stack, object store included, is tested in tests/deploy/."""

import dagster as dg
import pandas as pd
import pytest
from dagster._core.storage.defs_state.base import set_defs_state_storage

from dagster_project.definitions import defs
from dagster_project.deployment import build_resources
from dagster_project.launch_plan import launch_plan
from dagster_project.resources.warehouse import WarehouseResource
from tests.stack_layout import WAREHOUSE_TABLES

WAREHOUSE_GROUPS = dg.AssetSelection.groups("warehouse", "hybrid", "dbt")


@pytest.fixture(params=["duckdb", "postgresql"])
def backend(request, small_scale_environ, monkeypatch) -> str:
    if request.param == "postgresql":
        monkeypatch.setenv("WAREHOUSE_URL", request.getfixturevalue("postgres_url"))
    return request.param


def snapshot(warehouse: WarehouseResource) -> dict[str, pd.DataFrame]:
    """Every table's rows in a stable order."""
    frames = {}
    for table in WAREHOUSE_TABLES:
        frame = warehouse.fetch_frame(f"SELECT * FROM {warehouse.quote(table)}")
        frames[table] = frame.sort_values(list(frame.columns), ignore_index=True)
    return frames


def materialize(resources: dict, instance: dg.DagsterInstance) -> list[dg.ExecuteInProcessResult]:
    """The groups as the launch plan runs them: the unpartitioned assets, then the daily dbt
    model over all its days in one run."""
    results = []
    # Each call runs with the definitions-state storage of a live handle on the same storage set
    # as the current one: loading the definitions reads the storage of the instance entered last
    # in this context, and full test sessions failed here (twice) with that storage's instance
    # already collected ("Attempted to resolve undefined DagsterInstance weakref"); what left it
    # there earlier in the process was not found.
    with dg.DagsterInstance.from_ref(instance.get_ref()) as handle:
        for launch in launch_plan(defs):
            selection = dg.AssetSelection.from_coercible(launch.selection.split(","))
            selected = selection.resolve(defs.resolve_asset_graph()) & WAREHOUSE_GROUPS.resolve(
                defs.resolve_asset_graph()
            )
            if not selected:
                continue
            with set_defs_state_storage(handle.defs_state_storage):
                results.append(
                    dg.materialize(
                        list(defs.assets or []),
                        selection=sorted(selected),
                        tags=launch.tags(),
                        resources=resources,
                        instance=handle,
                    )
                )
    return results


def latest_metadata(instance: dg.DagsterInstance, asset: str) -> dict:
    event = instance.get_latest_materialization_event(dg.AssetKey(asset))
    return {key: value.value for key, value in event.asset_materialization.metadata.items()}


def test_warehouse_and_dbt_build_pass_and_a_rerun_gives_the_same_tables(backend, instance):
    resources = build_resources()
    warehouse = resources["warehouse"].process_config_and_initialize()
    assert warehouse.backend == backend
    assert warehouse.dbt_environment()["DBT_TARGET"] == (
        "local" if backend == "duckdb" else "stack"
    )

    first = materialize(resources, instance)
    checks = [check for result in first for check in result.get_asset_check_evaluations()]
    before = snapshot(warehouse)
    second = materialize(resources, instance)
    after = snapshot(warehouse)

    assert [result.success for result in first + second] == [True] * 4
    graph = defs.resolve_asset_graph()
    selected = WAREHOUSE_GROUPS.resolve(graph)
    assert len(checks) == len([key for key in graph.asset_check_keys if key.asset_key in selected])
    assert [check.check_name for check in checks if not check.passed] == []
    assert all(len(before[table]) > 0 for table in WAREHOUSE_TABLES)
    for table in WAREHOUSE_TABLES:
        pd.testing.assert_frame_equal(before[table], after[table], obj=table)
    assert_only_references_passed_through_dagster(instance)


def assert_only_references_passed_through_dagster(instance: dg.DagsterInstance) -> None:
    def latest_metadata(asset: str) -> dict:
        event = instance.get_latest_materialization_event(dg.AssetKey(asset))
        return {key: value.value for key, value in event.asset_materialization.metadata.items()}

    for asset in ("transactions_daily", "customer_segments", "big_data_processing"):
        assert latest_metadata(asset)["bytes_through_dagster"] == 0
        assert latest_metadata(asset)["processing_location"] == "warehouse"
    loaded = latest_metadata("raw_transactions")
    assert loaded["dagster/table_name"] == "raw.raw_transactions"
    assert loaded["bytes_through_dagster"] > 0
    assert loaded["dagster/row_count"] == 10_000
    assert latest_metadata("big_data_processing")["storage_tier"] == "reference"

"""The size router stores each value in the tier its size calls for, and always loads the latest."""

import logging

import dagster as dg
import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from dagster_project.io_managers.errors import MissingStoredValueError
from dagster_project.io_managers.medium import ParquetIOManager
from dagster_project.io_managers.reference import ReferenceIOManager
from dagster_project.io_managers.size_router import SizeRouterIOManager
from dagster_project.io_managers.small import PickleIOManager
from tests.io_managers.managers import make_manager
from tests.io_managers.stored_values import load, store

SMALL_FRAME_ROWS = 10  # well under the test router's 1 MB threshold
LARGE_FRAME_ROWS = 200_000  # about 3 MB


def frame(rows: int, version: int = 1) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": np.arange(rows),
            "value": np.full(rows, float(version)),
            "kind": pd.array(["x"] * rows, dtype=pd.StringDtype("pyarrow")),
        }
    )


def stored_files(tmp_path) -> list[str]:
    return sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file())


def test_small_frames_go_to_pickle_and_large_frames_to_parquet(tmp_path):
    router = make_manager("size_router", str(tmp_path))
    small_metadata = store(router, frame(SMALL_FRAME_ROWS), asset="catalog")
    large_metadata = store(router, frame(LARGE_FRAME_ROWS), asset="sales")

    assert stored_files(tmp_path) == [
        "medium/sales.parquet",
        "routes/catalog.route.json",
        "routes/sales.route.json",
        "small/catalog.pkl",
    ]
    assert small_metadata["storage_tier"] == "small"
    assert large_metadata["storage_tier"] == "medium"
    assert large_metadata["measured_size_mb"] == pytest.approx(
        frame(LARGE_FRAME_ROWS).memory_usage(deep=True).sum() / 2**20, abs=0.001
    )
    assert large_metadata["dagster/row_count"] == LARGE_FRAME_ROWS  # the medium tier's metadata
    pd.testing.assert_frame_equal(load(router, asset="sales"), frame(LARGE_FRAME_ROWS))


def test_values_that_are_not_frames_go_to_the_small_tier(tmp_path):
    router = make_manager("size_router", str(tmp_path))
    metadata = store(router, {"model": "weights"})

    assert metadata["storage_tier"] == "small"
    assert metadata["measured_size_mb"] is None
    assert load(router) == {"model": "weights"}


def test_strings_are_references_and_go_to_the_reference_tier(tmp_path):
    router = make_manager("size_router", str(tmp_path))
    metadata = store(router, "analytics.sales_by_customer_month")

    assert metadata["storage_tier"] == "reference"
    assert metadata["reference_kind"] == "table"  # the reference tier's own metadata
    assert load(router) == "analytics.sales_by_customer_month"
    assert stored_files(tmp_path) == ["reference/victim.json", "routes/victim.route.json"]


def test_route_changes_always_load_the_latest_and_delete_the_stale_copy(tmp_path):
    router = make_manager("size_router", str(tmp_path))

    store(router, frame(SMALL_FRAME_ROWS, version=1))
    pd.testing.assert_frame_equal(load(router), frame(SMALL_FRAME_ROWS, version=1))

    store(router, frame(LARGE_FRAME_ROWS, version=2))
    pd.testing.assert_frame_equal(load(router), frame(LARGE_FRAME_ROWS, version=2))
    assert stored_files(tmp_path) == ["medium/victim.parquet", "routes/victim.route.json"]

    store(router, frame(SMALL_FRAME_ROWS, version=3))
    pd.testing.assert_frame_equal(load(router), frame(SMALL_FRAME_ROWS, version=3))
    assert stored_files(tmp_path) == ["routes/victim.route.json", "small/victim.pkl"]


def test_a_new_router_instance_sees_routes_written_by_another(tmp_path):
    store(make_manager("size_router", str(tmp_path)), frame(LARGE_FRAME_ROWS, version=7))

    loaded = load(make_manager("size_router", str(tmp_path)))
    pd.testing.assert_frame_equal(loaded, frame(LARGE_FRAME_ROWS, version=7))


def test_partitions_are_routed_independently(tmp_path):
    router = make_manager("size_router", str(tmp_path))
    days = dg.DailyPartitionsDefinition(start_date="2024-01-01")
    store(router, frame(SMALL_FRAME_ROWS), partition="2024-01-01", partitions_def=days)
    store(router, frame(LARGE_FRAME_ROWS), partition="2024-01-02", partitions_def=days)

    loaded = load(
        router,
        partitions_def=days,
        partition_range=dg.PartitionKeyRange("2024-01-01", "2024-01-02"),
    )
    assert {key: len(value) for key, value in loaded.items()} == {
        "2024-01-01": SMALL_FRAME_ROWS,
        "2024-01-02": LARGE_FRAME_ROWS,
    }
    assert (tmp_path / "small" / "victim" / "2024-01-01.pkl").exists()
    assert (tmp_path / "medium" / "victim" / "2024-01-02.parquet").exists()


def test_frames_above_the_large_threshold_are_flagged(tmp_path, instance):
    router = SizeRouterIOManager(
        base_path=f"{tmp_path}/routes",
        small=PickleIOManager(base_path=f"{tmp_path}/small"),
        medium=ParquetIOManager(base_path=f"{tmp_path}/medium"),
        reference=ReferenceIOManager(base_path=f"{tmp_path}/reference"),
        small_threshold_mb=1,
        large_threshold_mb=2,
    )

    @dg.asset
    def sales() -> pd.DataFrame:
        return frame(LARGE_FRAME_ROWS)

    result = dg.materialize([sales], resources={"io_manager": router}, instance=instance)

    metadata = result.asset_materializations_for_node("sales")[0].metadata
    assert metadata["size_warning"].value is True
    warnings = [
        entry.user_message
        for entry in instance.all_logs(result.run_id)
        if entry.level == logging.WARNING
    ]
    assert any("warehouse or Spark tier" in message for message in warnings)


def test_a_tier_file_without_a_route_record_is_not_loaded(tmp_path):
    router = make_manager("size_router", str(tmp_path))
    store(router.small, frame(SMALL_FRAME_ROWS))  # written by someone else, never routed

    with pytest.raises(MissingStoredValueError, match=r"routes/victim\.route\.json"):
        load(router)


def test_thresholds_out_of_order_are_refused_at_configuration(tmp_path):
    with pytest.raises(ValidationError, match="must not exceed"):
        SizeRouterIOManager(
            base_path=str(tmp_path),
            small=PickleIOManager(base_path=str(tmp_path)),
            medium=ParquetIOManager(base_path=str(tmp_path)),
            reference=ReferenceIOManager(base_path=str(tmp_path)),
            small_threshold_mb=600,
            large_threshold_mb=500,
        )

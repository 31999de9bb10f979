"""The time-series tier: one sorted Parquet file per time partition, loadable as a range."""

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from dagster_project.io_managers.errors import MissingStoredValueError
from dagster_project.io_managers.time_series import PartitionWindowError, TimeSeriesIOManager
from tests.io_managers.stored_values import load, run_failure_text, store

THREE_HOURS = dg.HourlyPartitionsDefinition(
    start_date="2024-01-01-00:00", end_date="2024-01-01-03:00"
)
HOURS = ("2024-01-01-00:00", "2024-01-01-01:00", "2024-01-01-02:00")


def readings(hour: int, sensors: int = 3, shuffled: bool = True) -> pd.DataFrame:
    """``sensors`` readings per minute-of-hour 0..9 inside hour ``hour`` of 2024-01-01."""
    start = pd.Timestamp("2024-01-01") + pd.Timedelta(hours=hour)
    frame = pd.DataFrame(
        {
            "sensor_id": np.tile(np.arange(1, sensors + 1), 10),
            "timestamp": start + pd.to_timedelta(np.repeat(np.arange(10), sensors), unit="min"),
            "temperature": np.arange(10 * sensors, dtype="float64"),
        }
    )
    return frame.sample(frac=1, random_state=hour) if shuffled else frame


def test_rows_are_stored_sorted_by_timestamp(tmp_path):
    manager = TimeSeriesIOManager(base_path=str(tmp_path))
    store(manager, readings(0), partition=HOURS[0], partitions_def=THREE_HOURS)

    loaded = load(manager, partition=HOURS[0], partitions_def=THREE_HOURS)
    assert loaded["timestamp"].is_monotonic_increasing
    expected = readings(0, shuffled=False).sort_values("timestamp", kind="stable")
    pd.testing.assert_frame_equal(
        loaded.sort_values(["timestamp", "sensor_id"], ignore_index=True),
        expected.sort_values(["timestamp", "sensor_id"], ignore_index=True),
    )


def test_one_file_per_partition_key(tmp_path):
    manager = TimeSeriesIOManager(base_path=str(tmp_path))
    for hour, key in enumerate(HOURS):
        store(manager, readings(hour), partition=key, partitions_def=THREE_HOURS)

    assert sorted(path.name for path in (tmp_path / "victim").iterdir()) == [
        f"{key}.parquet" for key in HOURS
    ]


def test_an_empty_frame_round_trips_with_its_columns_and_dtypes(tmp_path):
    manager = TimeSeriesIOManager(base_path=str(tmp_path))
    empty = readings(0).iloc[0:0].assign(flag=pd.Series([], dtype="bool"))
    metadata = store(manager, empty, partition=HOURS[0], partitions_def=THREE_HOURS)

    loaded = load(manager, partition=HOURS[0], partitions_def=THREE_HOURS)
    assert loaded.empty
    assert loaded.dtypes.to_dict() == empty.dtypes.to_dict()
    assert metadata["dagster/row_count"] == 0
    assert metadata["time_span_hours"] == 0.0


def test_metadata_reports_time_span_and_distinct_sensors(tmp_path):
    manager = TimeSeriesIOManager(base_path=str(tmp_path))
    metadata = store(
        manager, readings(1, sensors=4), partition=HOURS[1], partitions_def=THREE_HOURS
    )

    assert metadata["time_span_hours"] == pytest.approx(9 / 60, abs=1e-4)  # minutes 0..9
    assert metadata["first_timestamp"] == "2024-01-01 01:00:00"
    assert metadata["last_timestamp"] == "2024-01-01 01:09:00"
    assert metadata["distinct_entities"] == 4
    assert metadata["entity_column"] == "sensor_id"


def test_rows_outside_the_partition_window_are_refused(tmp_path):
    manager = TimeSeriesIOManager(base_path=str(tmp_path))

    with pytest.raises(PartitionWindowError, match=r"asset 'victim', partition '2024-01-01-00:00'"):
        store(manager, readings(1), partition=HOURS[0], partitions_def=THREE_HOURS)
    assert not (tmp_path / "victim" / f"{HOURS[0]}.parquet").exists()


def test_a_frame_without_the_timestamp_column_is_refused(tmp_path):
    manager = TimeSeriesIOManager(base_path=str(tmp_path))

    with pytest.raises(ValueError, match="'timestamp'"):
        store(manager, pd.DataFrame(), partition=HOURS[0], partitions_def=THREE_HOURS)


def test_a_range_loads_as_one_sorted_frame_or_as_a_dict_when_annotated(tmp_path):
    manager = TimeSeriesIOManager(base_path=str(tmp_path))
    for hour, key in enumerate(HOURS):
        store(manager, readings(hour), partition=key, partitions_def=THREE_HOURS)
    whole_range = dg.PartitionKeyRange(HOURS[0], HOURS[-1])

    combined = load(manager, partitions_def=THREE_HOURS, partition_range=whole_range)
    by_partition = load(
        manager, partitions_def=THREE_HOURS, partition_range=whole_range, dagster_type=dict
    )

    assert len(combined) == 3 * 30
    assert combined["timestamp"].is_monotonic_increasing
    assert combined["timestamp"].min() == pd.Timestamp("2024-01-01 00:00")
    assert sorted(by_partition) == list(HOURS)


def test_an_unpartitioned_downstream_asset_reads_every_partition_in_a_run(tmp_path):
    manager = TimeSeriesIOManager(base_path=str(tmp_path))

    @dg.asset(partitions_def=THREE_HOURS)
    def hourly(context: dg.AssetExecutionContext) -> pd.DataFrame:
        return readings(HOURS.index(context.partition_key))

    @dg.asset(io_manager_key="summary_io_manager")
    def daily_summary(hourly: pd.DataFrame) -> int:
        return len(hourly)

    resources = {"io_manager": manager, "summary_io_manager": dg.InMemoryIOManager()}
    for key in HOURS:
        dg.materialize([hourly], partition_key=key, resources=resources)
    result = dg.materialize([hourly, daily_summary], selection=[daily_summary], resources=resources)

    assert result.output_for_node("daily_summary") == 90


def test_a_missing_partition_in_a_range_is_named(tmp_path):
    manager = TimeSeriesIOManager(base_path=str(tmp_path))
    store(manager, readings(0), partition=HOURS[0], partitions_def=THREE_HOURS)
    store(manager, readings(2), partition=HOURS[2], partitions_def=THREE_HOURS)

    with pytest.raises(MissingStoredValueError, match=f"partition '{HOURS[1]}'"):
        load(manager, partitions_def=THREE_HOURS, partition_range=dg.PartitionKeyRange(*HOURS[::2]))


def test_missing_partitions_are_skipped_when_the_input_allows_it(tmp_path):
    manager = TimeSeriesIOManager(base_path=str(tmp_path))
    store(manager, readings(0), partition=HOURS[0], partitions_def=THREE_HOURS)
    store(manager, readings(2), partition=HOURS[2], partitions_def=THREE_HOURS)

    loaded = load(
        manager,
        partitions_def=THREE_HOURS,
        partition_range=dg.PartitionKeyRange(HOURS[0], HOURS[2]),
        metadata={"allow_missing_partitions": True},
    )
    assert len(loaded) == 60


def test_a_missing_partition_fails_the_run_with_the_command_to_fix_it(tmp_path):
    manager = TimeSeriesIOManager(base_path=str(tmp_path))

    @dg.asset(partitions_def=THREE_HOURS)
    def hourly() -> pd.DataFrame:
        return readings(0)

    @dg.asset(partitions_def=THREE_HOURS)
    def anomalies(hourly: pd.DataFrame) -> pd.DataFrame:
        return hourly

    result = dg.materialize(
        [hourly, anomalies],
        selection=[anomalies],
        partition_key=HOURS[1],
        resources={"io_manager": manager},
        raise_on_error=False,
    )

    assert f"dg launch --assets hourly --partition {HOURS[1]}" in run_failure_text(result)


def one_reading_at(timestamp: pd.Timestamp) -> pd.DataFrame:
    return pd.DataFrame({"sensor_id": [1], "timestamp": [timestamp], "temperature": [20.5]})


@pytest.mark.parametrize(
    ("timestamp", "inside"),
    [
        (pd.Timestamp("2024-01-01 01:00:00"), True),  # the window's first instant
        (pd.Timestamp("2024-01-01 01:59:59.999999999"), True),  # its last nanosecond
        (pd.Timestamp("2024-01-01 00:59:59.999999999"), False),  # one ns before it opens
        (pd.Timestamp("2024-01-01 02:00:00"), False),  # the next window's first instant
        # Timezone-aware: compared as instants. 02:30 in Paris (UTC+1 in January) is 01:30 UTC.
        (pd.Timestamp("2024-01-01 02:30", tz="Europe/Paris"), True),
        (pd.Timestamp("2024-01-01 01:30", tz="Europe/Paris"), False),  # 00:30 UTC
    ],
)
def test_the_window_holds_its_start_and_not_its_end(tmp_path, timestamp, inside):
    manager = TimeSeriesIOManager(base_path=str(tmp_path))
    frame = one_reading_at(timestamp)

    if inside:
        store(manager, frame, partition=HOURS[1], partitions_def=THREE_HOURS)
        stored = load(manager, partition=HOURS[1], partitions_def=THREE_HOURS)
        assert stored["timestamp"].tolist() == [timestamp]
    else:
        with pytest.raises(PartitionWindowError, match=r"outside its window"):
            store(manager, frame, partition=HOURS[1], partitions_def=THREE_HOURS)
        assert not (tmp_path / "victim" / f"{HOURS[1]}.parquet").exists()

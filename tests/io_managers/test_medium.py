"""The medium tier stores DataFrames as Parquet with a validated codec and storage metadata."""

from typing import get_args

import dagster as dg
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from dagster_project.io_managers import medium
from dagster_project.io_managers.errors import UnsupportedValueError
from dagster_project.io_managers.medium import ParquetCompression, ParquetIOManager
from tests.io_managers.stored_values import load, store, with_arrow_strings


def mixed_frame(rows: int = 1_000) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "id": np.arange(rows, dtype="int64"),
            "amount": rng.random(rows),
            "maybe_count": pd.array(
                [None if i % 7 == 0 else i for i in range(rows)], dtype="Int64"
            ),
            "flag": rng.random(rows) > 0.5,
            "when": pd.date_range("2024-01-01", periods=rows, freq="min"),
            "when_utc": pd.date_range("2024-01-01", periods=rows, freq="min", tz="UTC"),
            "channel": pd.Categorical(rng.choice(["web", "app"], rows)),
            "comment": [f"row {i}" if i % 5 else None for i in range(rows)],
        }
    )


def test_round_trip_keeps_values_and_dtypes_with_strings_arrow_backed(tmp_path):
    manager = ParquetIOManager(base_path=str(tmp_path))
    frame = mixed_frame()
    store(manager, frame)

    loaded = load(manager)
    assert loaded["comment"].dtype == pd.StringDtype("pyarrow")
    pd.testing.assert_frame_equal(loaded, with_arrow_strings(frame))


def test_python_string_storage_gives_object_strings_back(tmp_path):
    manager = ParquetIOManager(base_path=str(tmp_path), string_storage="python")
    frame = mixed_frame()
    store(manager, frame)

    pd.testing.assert_frame_equal(load(manager), frame)


def test_python_string_storage_turns_stored_arrow_strings_into_objects(tmp_path):
    frame = pd.DataFrame({"name": pd.array(["a", None, "ü"], dtype=pd.StringDtype("pyarrow"))})
    store(ParquetIOManager(base_path=str(tmp_path)), frame)

    loaded = load(ParquetIOManager(base_path=str(tmp_path), string_storage="python"))
    assert loaded["name"].dtype == object
    assert loaded["name"].tolist()[0::2] == ["a", "ü"]
    assert pd.isna(loaded["name"].iloc[1])
    pd.testing.assert_frame_equal(load(ParquetIOManager(base_path=str(tmp_path))), frame)


def test_an_unknown_string_storage_is_refused_when_the_manager_is_configured(tmp_path):
    with pytest.raises(ValidationError, match="string_storage"):
        ParquetIOManager(base_path=str(tmp_path), string_storage="numpy")


def test_only_columns_that_repeat_are_dictionary_encoded(tmp_path):
    rows = 20_000
    frame = pd.DataFrame(
        {
            "session": [f"{i:016x}" for i in range(rows)],  # every value distinct
            "status": ["ok", "error"] * (rows // 2),  # two values
            "product": np.arange(rows) % 1_000,  # 1,000 values
            "amount": np.arange(rows) * 0.5,  # every value distinct
        }
    )
    store(ParquetIOManager(base_path=str(tmp_path)), frame)

    group = pq.ParquetFile(tmp_path / "victim.parquet").metadata.row_group(0)
    encodings = {group.column(i).path_in_schema: group.column(i).encodings for i in range(4)}
    dictionary = {"PLAIN_DICTIONARY", "RLE_DICTIONARY"}
    assert {name for name, used in encodings.items() if dictionary & set(used)} == {
        "status",
        "product",
    }


def test_a_meaningful_index_survives_the_round_trip(tmp_path):
    manager = ParquetIOManager(base_path=str(tmp_path))
    frame = pd.DataFrame(
        {"requests": [3, 4, 5]},
        index=pd.MultiIndex.from_tuples(
            [("2024-01-01", "/home"), ("2024-01-01", "/cart"), ("2024-01-02", "/home")],
            names=["day", "url"],
        ),
    )
    store(manager, frame)

    pd.testing.assert_frame_equal(load(manager), with_arrow_strings(frame))


@pytest.mark.parametrize("codec", get_args(ParquetCompression))
def test_every_supported_codec_round_trips_and_is_used(tmp_path, codec):
    manager = ParquetIOManager(base_path=str(tmp_path), compression=codec)
    frame = mixed_frame(200)
    metadata = store(manager, frame)

    pd.testing.assert_frame_equal(load(manager), with_arrow_strings(frame))
    written = pq.ParquetFile(tmp_path / "victim.parquet").metadata.row_group(0).column(0)
    assert written.compression == ("UNCOMPRESSED" if codec == "none" else codec.upper())
    assert metadata["compression"] == codec


def test_an_unknown_codec_is_refused_when_the_manager_is_configured(tmp_path):
    with pytest.raises(ValidationError, match="compression"):
        ParquetIOManager(base_path=str(tmp_path), compression="lzo")


def test_metadata_describes_size_compression_rows_and_schema(tmp_path):
    manager = ParquetIOManager(base_path=str(tmp_path))
    frame = mixed_frame()
    metadata = store(manager, frame)

    file_size_mb = (tmp_path / "victim.parquet").stat().st_size / 2**20
    memory_size_mb = frame.memory_usage(deep=True).sum() / 2**20
    assert metadata["file_size_mb"] == pytest.approx(file_size_mb, abs=0.001)
    assert metadata["memory_size_mb"] == pytest.approx(memory_size_mb, abs=0.001)
    assert metadata["compression_ratio"] == pytest.approx(memory_size_mb / file_size_mb, rel=0.01)
    assert metadata["dagster/row_count"] == 1_000
    assert metadata["column_count"] == 8
    schema = metadata["dagster/column_schema"]
    assert isinstance(schema, dg.TableSchema)
    assert [(column.name, column.type) for column in schema.columns] == [
        (str(name), str(dtype)) for name, dtype in frame.dtypes.items()
    ]


def test_partitions_are_separate_files(tmp_path):
    manager = ParquetIOManager(base_path=str(tmp_path))
    days = dg.DailyPartitionsDefinition(start_date="2024-01-01")
    store(manager, pd.DataFrame({"day": [1]}), partition="2024-01-01", partitions_def=days)
    store(manager, pd.DataFrame({"day": [2]}), partition="2024-01-02", partitions_def=days)

    assert (tmp_path / "victim" / "2024-01-01.parquet").exists()
    second = load(manager, partition="2024-01-02", partitions_def=days)
    assert second["day"].tolist() == [2]


def test_a_value_that_is_not_a_dataframe_is_refused_with_the_asset_named(tmp_path):
    manager = ParquetIOManager(base_path=str(tmp_path))

    with pytest.raises(UnsupportedValueError, match=r"asset 'victim'.*dict"):
        store(manager, {"not": "a frame"})


def test_a_frame_of_several_row_groups_round_trips_with_its_index_and_categories(
    tmp_path, monkeypatch
):
    # the writer converts one row group at a time; a small group size exercises that path
    monkeypatch.setattr(medium, "ROW_GROUP_ROWS", 10)
    frame = pd.DataFrame(
        {
            "channel": pd.Categorical(["web"] * 12 + ["app"] * 23, categories=["app", "web", "tv"]),
            "comment": [f"row {i}" for i in range(35)],
            "amount": np.arange(35, dtype="float64"),
        },
        index=pd.RangeIndex(5, 75, 2),
    )
    manager = ParquetIOManager(base_path=str(tmp_path))
    store(manager, frame)

    assert pq.ParquetFile(tmp_path / "victim.parquet").metadata.num_row_groups == 4
    pd.testing.assert_frame_equal(load(manager), with_arrow_strings(frame))


def test_a_column_whose_type_only_shows_after_the_first_row_group_still_round_trips(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(medium, "ROW_GROUP_ROWS", 10)
    frame = pd.DataFrame({"late": [None] * 12 + ["text"] * 23, "n": range(35)})
    manager = ParquetIOManager(base_path=str(tmp_path))
    store(manager, frame)

    pd.testing.assert_frame_equal(load(manager), with_arrow_strings(frame))


def test_a_multi_index_survives_a_read_of_several_row_groups(tmp_path, monkeypatch):
    monkeypatch.setattr(medium, "ROW_GROUP_ROWS", 10)
    frame = pd.DataFrame(
        {"requests": np.arange(35)},
        index=pd.MultiIndex.from_arrays(
            [np.arange(35) // 4, [f"/page/{i}" for i in range(35)]], names=["day", "url"]
        ),
    )
    manager = ParquetIOManager(base_path=str(tmp_path))
    store(manager, frame)

    pd.testing.assert_frame_equal(load(manager), with_arrow_strings(frame))

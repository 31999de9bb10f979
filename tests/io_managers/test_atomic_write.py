"""Atomic publication on a local folder and on the real S3 server (the session's SeaweedFS)."""

from pathlib import Path

import pandas as pd
import pytest
from upath import UPath

from dagster_project.client_timeouts import ClientTimeouts
from dagster_project.io_managers.atomic_write import write_atomically
from dagster_project.io_managers.medium import ParquetIOManager
from dagster_project.io_managers.small import PickleIOManager
from tests.io_managers.managers import on_endpoint
from tests.io_managers.stored_values import load, store, with_arrow_strings


def write_text(text: str):
    def write(path: str) -> None:
        Path(path).write_text(text)

    return write


def fail_half_way(path: str) -> None:
    Path(path).write_text("half of the new val")
    raise RuntimeError("serializer crashed")


@pytest.fixture
def remote_folder(object_store_bucket, object_store_endpoint) -> UPath:
    """A prefix in a fresh bucket, as the tiers address it (their s3fs client settings)."""
    return ClientTimeouts().object_store_path(
        f"s3://{object_store_bucket}/prefix", object_store_endpoint
    )


def test_local_write_publishes_and_cleans_up(tmp_path):
    target = UPath(tmp_path / "deep" / "value.txt")
    write_atomically(target, write_text("new"))

    assert target.read_text() == "new"
    assert [path.name for path in (tmp_path / "deep").iterdir()] == ["value.txt"]


def test_local_write_that_raises_keeps_the_old_file(tmp_path):
    target = UPath(tmp_path / "value.txt")
    write_atomically(target, write_text("old"))

    with pytest.raises(RuntimeError, match="serializer crashed"):
        write_atomically(target, fail_half_way)

    assert target.read_text() == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["value.txt"]


def test_remote_write_publishes_the_finished_file(remote_folder):
    target = remote_folder / "value.txt"
    write_atomically(target, write_text("new"))

    assert target.read_text() == "new"


def test_remote_write_that_raises_publishes_nothing(remote_folder):
    target = remote_folder / "value.txt"
    write_atomically(target, write_text("old"))

    with pytest.raises(RuntimeError):
        write_atomically(target, fail_half_way)

    assert target.read_text() == "old"
    assert [path.name for path in remote_folder.iterdir()] == ["value.txt"]


def test_tiers_round_trip_on_an_object_store_path(remote_folder, object_store_endpoint):
    endpoint = object_store_endpoint
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    small = on_endpoint(PickleIOManager(base_path=f"{remote_folder}/small"), endpoint)
    medium = on_endpoint(ParquetIOManager(base_path=f"{remote_folder}/medium"), endpoint)

    store(small, {"model": 1})
    metadata = store(medium, frame)

    assert load(small) == {"model": 1}
    pd.testing.assert_frame_equal(load(medium), with_arrow_strings(frame))
    assert metadata["path"] == f"{remote_folder}/medium/victim.parquet"

"""The reference tier stores where the data lives, as a small JSON document."""

import hashlib
import json

import dagster as dg
import pytest

from dagster_project.io_managers.digest import verified_payload
from dagster_project.io_managers.errors import UnsupportedValueError
from dagster_project.io_managers.reference import ReferenceIOManager
from tests.io_managers.stored_values import load, store


def test_a_table_name_round_trips_as_a_json_document(tmp_path):
    manager = ReferenceIOManager(base_path=str(tmp_path))
    metadata = store(manager, "analytics.customer_segments")

    assert load(manager) == "analytics.customer_segments"
    content = (tmp_path / "victim.json").read_bytes()
    document = json.loads(verified_payload(content).tobytes())  # then its sha256 line
    assert document == {"reference": "analytics.customer_segments", "kind": "table"}
    assert content.endswith(f"sha256:{hashlib.sha256(content[:-73]).hexdigest()}\n".encode())
    assert metadata["reference_kind"] == "table"
    assert metadata["data_location"] == "analytics.customer_segments"
    assert metadata["storage_type"] == "reference_only"
    assert metadata["dagster_bytes_stored"] == (tmp_path / "victim.json").stat().st_size


def test_a_uri_is_recorded_as_a_link(tmp_path):
    manager = ReferenceIOManager(base_path=str(tmp_path))
    metadata = store(manager, "s3://lake/features/customer-features/")

    assert load(manager) == "s3://lake/features/customer-features/"
    assert metadata["reference_kind"] == "uri"
    assert metadata["data_location"] == "s3://lake/features/customer-features/"


def test_partitioned_references_are_separate_documents(tmp_path):
    manager = ReferenceIOManager(base_path=str(tmp_path))
    days = dg.DailyPartitionsDefinition(start_date="2024-01-01")
    store(manager, "t_20240101", partition="2024-01-01", partitions_def=days)
    store(manager, "t_20240102", partition="2024-01-02", partitions_def=days)

    assert load(manager, partition="2024-01-01", partitions_def=days) == "t_20240101"
    assert (tmp_path / "victim" / "2024-01-02.json").exists()


@pytest.mark.parametrize("value", [{"table": "x"}, "", "   ", 42])
def test_anything_but_a_non_empty_string_is_refused(tmp_path, value):
    manager = ReferenceIOManager(base_path=str(tmp_path))

    with pytest.raises(UnsupportedValueError, match="table name or URI"):
        store(manager, value)

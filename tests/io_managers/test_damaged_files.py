"""Damage that still decodes is refused: a few bytes overwritten inside any tier's stored file
raise the corrupt-file error naming asset, partition and path, never load as another value; and
whatever a decoder raises on a file that is not a stored value, the error is the same."""

import pickle
from pathlib import Path

import pandas as pd
import pytest

from dagster_project.io_managers.digest import append_digest
from dagster_project.io_managers.errors import CorruptStoredValueError
from tests.io_managers.managers import TIERS, make_manager
from tests.io_managers.stored_values import load, output_context, store
from tests.io_managers.test_tier_contract import (
    assert_same,
    partition_of,
    partitions_def_of,
    sample_value,
)


def larger_value(tier: str):
    """Enough rows that a Parquet file has several pages worth damaging."""
    if tier == "reference":
        return sample_value(tier)
    rows = 50_000
    return pd.DataFrame(
        {
            "sensor_id": [i % 40 for i in range(rows)],
            "timestamp": pd.date_range("2024-01-01 00:00", periods=rows, freq="50ms"),
            "value": [i * 0.5 for i in range(rows)],
            "label": [f"reading-{i % 997}" for i in range(rows)],
        }
    )


def stored_path(tier: str, manager) -> Path:
    """The file holding the value (for the router: in whichever tier it was routed to)."""
    with output_context("victim", partition_of(tier), partitions_def_of(tier)) as context:
        if tier != "size_router":
            return Path(manager.output_path(context).path)
        candidates = [
            Path(routed.output_path(context).path) for routed in (manager.small, manager.medium)
        ]
        return next(path for path in candidates if path.exists())


def damageable_span(path: Path, content: bytes) -> tuple[int, int]:
    """Where damage must be caught: a Parquet file's pages (its footer is Parquet's own
    metadata, checked by its own decoder), every byte of the other tiers' files."""
    if path.suffix == ".parquet":
        footer = int.from_bytes(content[-8:-4], "little")
        return 4, len(content) - 8 - footer
    return 0, len(content)


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("position", [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0])
def test_a_few_overwritten_bytes_are_refused_not_loaded(tier, position, tmp_path):
    manager = make_manager(tier, str(tmp_path))
    partition, partitions_def = partition_of(tier), partitions_def_of(tier)
    value = larger_value(tier)
    store(manager, value, partition=partition, partitions_def=partitions_def)
    path = stored_path(tier, manager)
    content = bytearray(path.read_bytes())
    start, end = damageable_span(path, content)
    offset = min(start + int((end - start) * position), end - 3)
    for index in range(offset, offset + 3):
        content[index] ^= 0x5A
    path.write_bytes(bytes(content))

    with pytest.raises(CorruptStoredValueError) as raised:
        load(manager, partition=partition, partitions_def=partitions_def)

    assert str(path) in str(raised.value)
    assert "asset 'victim'" in str(raised.value)
    if partition:
        assert f"partition '{partition}'" in str(raised.value)


def test_a_damaged_route_record_is_refused_and_an_intact_one_still_loads(tmp_path):
    manager = make_manager("size_router", str(tmp_path))
    value = sample_value("size_router")
    store(manager, value)
    with output_context() as context:
        record = Path(manager.output_path(context).path)
    assert_same(load(manager), value)
    text = record.read_bytes()
    record.write_bytes(text.replace(b'"small"', b'"medium"'))  # still valid JSON, another route

    with pytest.raises(CorruptStoredValueError) as raised:
        load(manager)

    assert str(record) in str(raised.value)


@pytest.mark.parametrize(
    "payload",
    [
        b"\x80\x04X\x02\x00\x00\x00\xff\xfe\x94.",  # a str that is not UTF-8: UnicodeDecodeError
        b"I1x\n.",  # an int that is not a number: ValueError
        pickle.dumps("ok")[:-1] + b"\x00",  # an unknown opcode: UnpicklingError
        b"",  # nothing: EOFError
    ],
    ids=["unicode", "value", "opcode", "empty"],
)
def test_whatever_the_unpickler_raises_the_error_names_the_file(payload, tmp_path):
    """A file with a valid digest whose content is not a pickle (written by something else)."""
    manager = make_manager("small", str(tmp_path))
    store(manager, "a value")
    path = stored_path("small", manager)
    path.write_bytes(payload)
    append_digest(str(path))

    with pytest.raises(CorruptStoredValueError) as raised:
        load(manager)

    assert str(path) in str(raised.value)
    assert "dg launch --assets victim" in str(raised.value)


def test_a_reference_document_of_the_wrong_shape_names_the_file(tmp_path):
    manager = make_manager("reference", str(tmp_path))
    store(manager, "analytics.table")
    path = stored_path("reference", manager)
    path.write_bytes(b'{"reference": 5}')
    append_digest(str(path))

    with pytest.raises(CorruptStoredValueError, match="TypeError") as raised:
        load(manager)

    assert raised.value.path == str(path)
    assert str(path) in str(raised.value)
    assert "'reference' is int, not a string" in str(raised.value)
    assert "dg launch --assets victim" in str(raised.value)

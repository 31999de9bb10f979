"""What every tier promises: clear errors for missing and corrupt values and for values it cannot
write, and writes that never destroy the previous value, whether they fail with an exception or
the process is killed."""

import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from dagster_project.io_managers.errors import (
    CorruptStoredValueError,
    MissingStoredValueError,
    UnserializableValueError,
    UnsupportedValueError,
)
from tests.io_managers import killed_writer
from tests.io_managers.managers import FIRST_HOUR, HOURLY, TIERS, make_manager
from tests.io_managers.stored_values import load, output_context, run_failure_text, store


def sample_value(tier: str, version: int = 1):
    """A small value the tier stores; ``version`` makes two values distinguishable."""
    if tier == "reference":
        return f"analytics.customer_segments_v{version}"
    return pd.DataFrame(
        {
            "sensor_id": [1, 2, 3],
            "timestamp": pd.date_range("2024-01-01 00:10", periods=3, freq="min"),
            "value": np.arange(3, dtype="float64") * version,
        }
    )


def partition_of(tier: str) -> str | None:
    return FIRST_HOUR if tier == "time_series" else None


def partitions_def_of(tier: str) -> dg.PartitionsDefinition | None:
    return HOURLY if tier == "time_series" else None


def store_or_load(manager, tier: str, operation: str) -> None:
    """Store the tier's sample value (``operation="store"``) or load it, in its partition."""
    partition, partitions_def = partition_of(tier), partitions_def_of(tier)
    if operation == "store":
        store(manager, sample_value(tier), partition=partition, partitions_def=partitions_def)
    else:
        load(manager, partition=partition, partitions_def=partitions_def)


def assert_same(actual, expected) -> None:
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(actual, expected)
    else:
        assert actual == expected


def stored_file(tier: str, manager) -> Path:
    """The file holding the value of ``victim`` (for the router: in the tier it was routed to)."""
    with output_context("victim", partition_of(tier), partitions_def_of(tier)) as context:
        tier_manager = manager.small if tier == "size_router" else manager
        return Path(tier_manager.output_path(context).path)


@pytest.fixture(params=TIERS)
def tier(request) -> str:
    return request.param


def test_missing_upstream_names_asset_partition_path_and_command(tier, tmp_path):
    manager = make_manager(tier, str(tmp_path))
    partitions_def = partitions_def_of(tier)

    @dg.asset(partitions_def=partitions_def)
    def upstream():
        return sample_value(tier)

    @dg.asset(partitions_def=partitions_def)
    def downstream(upstream):
        return upstream

    result = dg.materialize(
        [upstream, downstream],
        selection=[downstream],
        partition_key=partition_of(tier),
        resources={"io_manager": manager},
        raise_on_error=False,
    )

    assert not result.success
    message = run_failure_text(result)
    with output_context("upstream", partition_of(tier), partitions_def) as context:
        expected_path = manager.output_path(context)
    assert MissingStoredValueError.__name__ in message
    assert "asset 'upstream'" in message
    assert str(expected_path) in message
    assert "dg launch --assets upstream" in message
    if partition_of(tier):
        assert f"partition '{FIRST_HOUR}'" in message
        assert f"--partition {FIRST_HOUR}" in message


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_corrupt_file_names_the_path(tier, damage, tmp_path):
    manager = make_manager(tier, str(tmp_path))
    store(
        manager,
        sample_value(tier),
        partition=partition_of(tier),
        partitions_def=partitions_def_of(tier),
    )
    path = stored_file(tier, manager)
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2] if damage == "truncate" else b"\x00garbage" * 7)

    with pytest.raises(CorruptStoredValueError) as raised:
        load(manager, partition=partition_of(tier), partitions_def=partitions_def_of(tier))

    assert str(path) in str(raised.value)
    assert "asset 'victim'" in str(raised.value)
    assert "dg launch --assets victim" in str(raised.value)


# What each tier's serializer raises for a value it cannot write (a lock: neither picklable nor
# convertible to Arrow), chained under UnserializableValueError; the router sends a value this
# small to the small tier. The reference tier refuses any value that is not a string itself.
UNSTORABLE_ERRORS = {
    "small": (TypeError, "cannot pickle '_thread.lock' object"),
    "medium": (pa.ArrowInvalid, "Conversion failed for column lock"),
    "time_series": (pa.ArrowInvalid, "Conversion failed for column lock"),
    "reference": (UnsupportedValueError, "asset 'victim' returned _thread.lock"),
    "size_router": (TypeError, "cannot pickle '_thread.lock' object"),
}


def unstorable_value(tier: str):
    lock = threading.Lock()
    if tier == "reference":
        return lock
    frame = sample_value(tier)
    return frame.assign(lock=[lock] * len(frame))


def test_failed_write_keeps_previous_value_and_leaves_no_temporary_file(tier, tmp_path):
    manager = make_manager(tier, str(tmp_path))
    partition, partitions_def = partition_of(tier), partitions_def_of(tier)
    previous = sample_value(tier, version=1)
    store(manager, previous, partition=partition, partitions_def=partitions_def)

    error, message = UNSTORABLE_ERRORS[tier]
    expected = error if tier == "reference" else UnserializableValueError
    with pytest.raises(expected, match=re.escape(message)) as raised:
        store(manager, unstorable_value(tier), partition=partition, partitions_def=partitions_def)

    if tier != "reference":
        assert isinstance(raised.value.__cause__, error)
    assert_same(load(manager, partition=partition, partitions_def=partitions_def), previous)
    assert not list(tmp_path.rglob("*.partial"))


def test_a_failed_write_in_a_run_names_the_asset_and_the_error(tier, tmp_path):
    partitions_def = partitions_def_of(tier)

    @dg.asset(partitions_def=partitions_def)
    def victim():
        return unstorable_value(tier)

    result = dg.materialize(
        [victim],
        partition_key=partition_of(tier),
        resources={"io_manager": make_manager(tier, str(tmp_path))},
        raise_on_error=False,
    )

    error, message = UNSTORABLE_ERRORS[tier]
    text = run_failure_text(result)
    assert not result.success
    assert 'handling output "result" of step "victim"' in text
    assert error.__name__ in text and message in text, text
    assert not list(tmp_path.rglob("*.partial"))


# A value each tier's format cannot write, though of a type the tier stores: a column mixing
# strings and numbers for Parquet; for pickle, which stores such a column, a lock (the router
# sends a frame this small to the small tier). Then the serializer's words and the fix's.
PICKLE_REFUSAL = ("TypeError: cannot pickle '_thread.lock' object", "Return a value pickle can")
ARROW_REFUSAL = ("ArrowTypeError: (\"Expected bytes, got a 'int' object\"", ".astype(str)")
UNWRITABLE = {
    "small": PICKLE_REFUSAL,
    "medium": ARROW_REFUSAL,
    "time_series": ARROW_REFUSAL,
    "size_router": PICKLE_REFUSAL,
}


def unwritable_value(tier: str) -> pd.DataFrame:
    frame = sample_value(tier, version=2)
    if UNWRITABLE[tier] == PICKLE_REFUSAL:
        return frame.assign(lock=[threading.Lock()] * len(frame))
    return frame.assign(label=["a", 1, 2.5])


@pytest.mark.parametrize("tier", list(UNWRITABLE))
def test_an_unwritable_value_names_asset_tier_path_and_fix_and_the_stored_value_stays(
    tier, tmp_path
):
    manager = make_manager(tier, str(tmp_path))
    partition, partitions_def = partition_of(tier), partitions_def_of(tier)
    returned = {"value": sample_value(tier, version=1)}

    @dg.asset(partitions_def=partitions_def)
    def victim():
        return returned["value"]

    def materialize() -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [victim],
            partition_key=partition,
            resources={"io_manager": manager},
            raise_on_error=False,
        )

    assert materialize().success
    returned["value"] = unwritable_value(tier)
    result = materialize()

    text = run_failure_text(result)
    original, fix = UNWRITABLE[tier]
    described = "asset 'victim'" + (f", partition '{partition}'" if partition else "")
    tier_manager = manager.small if tier == "size_router" else manager
    with output_context("victim", partition, partitions_def) as context:
        path = tier_manager.output_path(context)
    assert not result.success
    assert UnserializableValueError.__name__ in text
    assert f"Cannot write {described} to the {tier_manager.tier} tier at {path}" in text
    assert original in text and fix in text, text
    stored = load(manager, partition=partition, partitions_def=partitions_def)
    assert_same(stored, sample_value(tier, version=1))


def wait_for_partial_file(folder: Path, process: subprocess.Popen, timeout_s: float = 180) -> Path:
    """Poll until the writer has a non-empty temporary file, i.e. it is part-way through a write."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for candidate in folder.rglob(".*.partial"):
            try:
                if candidate.stat().st_size > 0:
                    return candidate
            except FileNotFoundError:
                continue
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(
                f"the writer exited ({process.returncode}) before it could be killed:\n{output}"
            )
        time.sleep(0.002)
    pytest.fail(f"no temporary file appeared under {folder} within {timeout_s} s")


def test_killed_write_keeps_previous_value(tier, tmp_path):
    manager = make_manager(tier, str(tmp_path))
    partition, partitions_def = partition_of(tier), partitions_def_of(tier)
    previous = sample_value(tier, version=1)
    store(manager, previous, partition=partition, partitions_def=partitions_def)

    writer = killed_writer.start(tier, str(tmp_path))
    try:
        partial = wait_for_partial_file(tmp_path, writer)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    finally:
        writer.kill()

    assert writer.returncode == -signal.SIGKILL, "the writer finished before it was killed"
    assert partial.exists(), "the killed write's temporary file should be left behind, unpublished"
    assert_same(load(manager, partition=partition, partitions_def=partitions_def), previous)

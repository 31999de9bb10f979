"""The stack's small tier (dagster-aws's S3 pickle layout) on a real S3 server: values round-trip
with their metadata, damage is refused, a missing value is named, a missing bucket is named and
not created, a value pickle cannot write is named and leaves the stored one, and a store that is
closed or never answers fails in bounded time as the storage error naming the endpoint, never
the secret."""

import threading
import time
import uuid

import pandas as pd
import pytest

from dagster_project.client_timeouts import ClientTimeouts
from dagster_project.io_managers.errors import (
    CorruptStoredValueError,
    MissingBucketError,
    MissingStoredValueError,
    StorageUnavailableError,
    UnserializableValueError,
)
from dagster_project.io_managers.s3_small import StackS3PickleIOManager
from dagster_project.resources.s3_client import S3ClientResource
from deploy import object_store
from tests.conftest import OBJECT_STORE_KEYS, bucket_names
from tests.io_managers.managers import FIRST_HOUR, HOURLY
from tests.io_managers.stored_values import load, store
from tests.silent_server import MODES, unanswered_port

FAST = ClientTimeouts(connect_seconds=1, read_seconds=1, attempts=2)
VALUE = pd.DataFrame({"customer": ["a", "b", "c"], "spend": [1.5, 2.5, 3.5]})


def small_tier(endpoint: str, bucket: str, timeouts: ClientTimeouts = FAST):
    client = S3ClientResource(
        endpoint_url=endpoint,
        aws_access_key_id=OBJECT_STORE_KEYS[0],
        aws_secret_access_key=OBJECT_STORE_KEYS[1],
        timeouts=timeouts,
    )
    return StackS3PickleIOManager(s3_resource=client, s3_bucket=bucket, s3_prefix="storage/small")


def stored_object(endpoint: str, bucket: str) -> str:
    client = object_store.s3_client(endpoint, *OBJECT_STORE_KEYS)
    keys = [item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert len(keys) == 1, keys
    return keys[0]


def test_values_and_partitions_round_trip_with_the_stored_size(
    object_store_endpoint, object_store_bucket
):
    manager = small_tier(object_store_endpoint, object_store_bucket)

    metadata = store(manager, VALUE)
    store(manager, VALUE * 2, asset="hourly", partition=FIRST_HOUR, partitions_def=HOURLY)

    pd.testing.assert_frame_equal(load(manager), VALUE)
    loaded = load(manager, asset="hourly", partition=FIRST_HOUR, partitions_def=HOURLY)
    pd.testing.assert_frame_equal(loaded, VALUE * 2)
    assert "file_size_mb" in metadata  # read back from the store with a HEAD
    assert metadata["dagster/row_count"] == 3


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "garbage", "digest removed"])
def test_a_damaged_object_is_refused_naming_asset_and_key(
    damage, object_store_endpoint, object_store_bucket
):
    manager = small_tier(object_store_endpoint, object_store_bucket)
    store(manager, VALUE)
    key = stored_object(object_store_endpoint, object_store_bucket)
    client = object_store.s3_client(object_store_endpoint, *OBJECT_STORE_KEYS)
    content = bytearray(client.get_object(Bucket=object_store_bucket, Key=key)["Body"].read())
    if damage == "flipped byte":
        content[len(content) // 2] ^= 0x01
    elif damage == "truncated":
        content = content[: len(content) // 2]
    elif damage == "garbage":
        content = bytearray(b"\x80\x05not a pickle at all")
    else:
        content = content[: content.rindex(b"\nsha256:")]
    client.put_object(Bucket=object_store_bucket, Key=key, Body=bytes(content))

    with pytest.raises(CorruptStoredValueError) as raised:
        load(manager)

    assert "victim" in str(raised.value)
    assert f"s3://{object_store_bucket}/{key}" in str(raised.value)


def test_a_missing_value_names_the_asset_and_the_key(object_store_endpoint, object_store_bucket):
    manager = small_tier(object_store_endpoint, object_store_bucket)

    with pytest.raises(MissingStoredValueError) as raised:
        load(manager, asset="never_materialized")

    assert "never_materialized" in str(raised.value)
    assert f"s3://{object_store_bucket}/storage/small" in str(raised.value)


@pytest.mark.parametrize("operation", ["store", "load"])
def test_a_missing_bucket_is_named_with_s3_bucket_and_not_created(operation, object_store_endpoint):
    bucket = f"typo-{uuid.uuid4().hex[:12]}"
    manager = small_tier(object_store_endpoint, bucket)
    hourly = {"asset": "hourly", "partition": FIRST_HOUR, "partitions_def": HOURLY}

    with pytest.raises(MissingBucketError) as raised:
        store(manager, VALUE, **hourly) if operation == "store" else load(manager, **hourly)

    message = str(raised.value)
    action = "write" if operation == "store" else "read"
    assert f"{action} asset 'hourly', partition '{FIRST_HOUR}'" in message
    assert f"s3://{bucket}/storage/small" in message
    assert f"bucket '{bucket}' does not exist at S3 endpoint {object_store_endpoint}" in message
    assert "correct its name in S3_BUCKET" in message
    assert bucket not in bucket_names(object_store_endpoint)


def test_a_value_pickle_cannot_write_is_named_and_the_stored_one_stays(
    object_store_endpoint, object_store_bucket
):
    manager = small_tier(object_store_endpoint, object_store_bucket)
    store(manager, VALUE)

    with pytest.raises(UnserializableValueError) as raised:
        store(manager, VALUE.assign(lock=[threading.Lock()] * len(VALUE)))

    message = str(raised.value)
    assert f"Cannot write asset 'victim' to the small tier at s3://{object_store_bucket}/" in (
        message
    )
    assert "TypeError: cannot pickle '_thread.lock' object" in message
    assert "Return a value pickle can write" in message
    assert isinstance(raised.value.__cause__, TypeError)
    pd.testing.assert_frame_equal(load(manager), VALUE)


@pytest.mark.parametrize("operation", ["store", "load"])
@pytest.mark.parametrize("server", ["closed port", *MODES])
def test_a_store_that_is_closed_or_silent_fails_in_bounded_time_naming_the_endpoint(
    server, operation
):
    def attempt(endpoint: str) -> tuple[StorageUnavailableError, float]:
        manager = small_tier(endpoint, "wedged")
        started = time.monotonic()
        with pytest.raises(StorageUnavailableError) as raised:
            store(manager, VALUE) if operation == "store" else load(manager)
        return raised.value, time.monotonic() - started

    with unanswered_port(server) as port:
        endpoint = f"http://127.0.0.1:{port}"
        error, elapsed = attempt(endpoint)

    assert elapsed < 15
    assert endpoint in str(error)
    assert "s3://wedged" in str(error)
    assert OBJECT_STORE_KEYS[1] not in str(error)

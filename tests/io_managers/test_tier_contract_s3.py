"""The tier contract on the real S3 server (the session's SeaweedFS): values and partitions round
trip; a missing or damaged object is named with its asset and s3:// path; a missing bucket is
named with the asset, the endpoint and the setting to correct, and is not created; a write killed
during its upload never replaces the previous object; a stopped server and a refused credential
are the storage error, naming the endpoint and what the store said."""

import os
import shutil
import signal
import subprocess
import time
import uuid

import pytest
import s3fs

from dagster_project.io_managers.errors import (
    CorruptStoredValueError,
    MissingBucketError,
    MissingStoredValueError,
    StorageUnavailableError,
)
from deploy import object_store
from tests.conftest import OBJECT_STORE_KEYS, bucket_names
from tests.io_managers import killed_writer
from tests.io_managers.managers import TIERS, make_manager, on_endpoint
from tests.io_managers.stored_values import load, store
from tests.io_managers.test_tier_contract import (
    assert_same,
    partition_of,
    partitions_def_of,
    sample_value,
    store_or_load,
)
from tests.processes import free_port, stop_process_group


@pytest.fixture(params=TIERS)
def tier(request) -> str:
    return request.param


def s3_manager(tier: str, bucket: str, endpoint: str):
    return on_endpoint(make_manager(tier, f"s3://{bucket}/base"), endpoint)


def stored_key(tier: str) -> str:
    """The key of ``victim``'s object (for the router: in the small tier it routes to)."""
    folder = "base/small" if tier == "size_router" else "base"
    if tier == "time_series":
        return f"{folder}/victim/{partition_of(tier)}.parquet"
    extension = {"small": ".pkl", "size_router": ".pkl", "medium": ".parquet", "reference": ".json"}
    return f"{folder}/victim{extension[tier]}"


def test_values_and_partitions_round_trip(tier, object_store_bucket, object_store_endpoint):
    manager = s3_manager(tier, object_store_bucket, object_store_endpoint)
    partition, partitions_def = partition_of(tier), partitions_def_of(tier)
    client = object_store.s3_client(object_store_endpoint, *OBJECT_STORE_KEYS)

    for version in (1, 2):
        value = sample_value(tier, version)
        metadata = store(manager, value, partition=partition, partitions_def=partitions_def)

        assert_same(load(manager, partition=partition, partitions_def=partitions_def), value)
    head = client.head_object(Bucket=object_store_bucket, Key=stored_key(tier))
    if "file_size_mb" in metadata:
        assert metadata["file_size_mb"] == round(head["ContentLength"] / 2**20, 3)


def test_missing_object_names_asset_and_path(tier, object_store_bucket, object_store_endpoint):
    manager = s3_manager(tier, object_store_bucket, object_store_endpoint)

    with pytest.raises(MissingStoredValueError) as raised:
        load(manager, partition=partition_of(tier), partitions_def=partitions_def_of(tier))

    message = str(raised.value)
    # The router looks for its route record first.
    key = "base/routes/victim.route.json" if tier == "size_router" else stored_key(tier)
    assert "asset 'victim'" in message
    assert f"s3://{object_store_bucket}/{key}" in message
    assert "dg launch --assets victim" in message


def test_damaged_object_names_asset_and_path(tier, object_store_bucket, object_store_endpoint):
    manager = s3_manager(tier, object_store_bucket, object_store_endpoint)
    partition, partitions_def = partition_of(tier), partitions_def_of(tier)
    store(manager, sample_value(tier), partition=partition, partitions_def=partitions_def)
    client = object_store.s3_client(object_store_endpoint, *OBJECT_STORE_KEYS)
    key = stored_key(tier)
    content = client.get_object(Bucket=object_store_bucket, Key=key)["Body"].read()
    client.put_object(Bucket=object_store_bucket, Key=key, Body=content[: len(content) // 2])

    with pytest.raises(CorruptStoredValueError) as raised:
        load(manager, partition=partition, partitions_def=partitions_def)

    assert f"{object_store_bucket}/{key}" in str(raised.value)
    assert "asset 'victim'" in str(raised.value)


@pytest.mark.parametrize("operation", ["store", "load"])
def test_a_missing_bucket_is_named_with_the_setting_and_not_created(
    tier, operation, object_store_endpoint, object_store_credentials
):
    # SeaweedFS creates a bucket on the first PUT into it: only a check before the PUT keeps a
    # typo in the bucket's name from starting a new bucket.
    bucket = f"typo-{uuid.uuid4().hex[:12]}"
    manager = s3_manager(tier, bucket, object_store_endpoint)
    partition = partition_of(tier)

    with pytest.raises(MissingBucketError) as raised:
        store_or_load(manager, tier, operation)

    message = str(raised.value)
    described = "asset 'victim'" + (f", partition '{partition}'" if partition else "")
    assert f"{'write' if operation == 'store' else 'read'} {described}" in message
    assert f"s3://{bucket}/base" in message
    assert f"bucket '{bucket}' does not exist at S3 endpoint {object_store_endpoint}" in message
    assert "Create the bucket" in message and "STORAGE_URL" in message
    assert bucket not in bucket_names(object_store_endpoint)


def test_a_refused_bucket_check_lets_the_write_give_the_stores_answer(
    object_store_bucket, object_store_endpoint, monkeypatch, fresh_s3_clients
):
    # AWS refuses HeadBucket (403) to credentials without s3:ListBucket that may still put
    # objects: a refused check must not stop the write. Here a wrong secret is refused by both,
    # and the error is the PUT's (a HEAD's 403 has no body, so no sentence of its own).
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", f"not-the-secret-{os.urandom(8).hex()}")
    manager = s3_manager("medium", object_store_bucket, object_store_endpoint)

    with pytest.raises(StorageUnavailableError) as raised:
        store(manager, sample_value("medium"))

    assert not isinstance(raised.value, MissingBucketError)
    assert "PermissionError: The request signature we calculated does not match" in str(
        raised.value
    )


def kill_mid_upload(client, bucket: str, writer: subprocess.Popen) -> None:
    """SIGKILL ``writer`` once its multipart upload has started."""
    try:
        wait_for_upload(client, bucket, writer)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    finally:
        writer.kill()


def wait_for_upload(client, bucket: str, writer: subprocess.Popen, timeout_s: float = 180) -> None:
    """Poll until the store holds an unfinished multipart upload: the writer is mid-upload."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if client.list_multipart_uploads(Bucket=bucket).get("Uploads"):
            return
        if writer.poll() is not None:
            output = writer.stdout.read() if writer.stdout else ""
            pytest.fail(f"the writer exited ({writer.returncode}) before its upload:\n{output}")
        time.sleep(0.01)
    pytest.fail(f"no upload started within {timeout_s} s")


def test_a_write_killed_during_its_upload_keeps_the_previous_object(
    object_store_bucket, object_store_endpoint, tmp_path
):
    # The small tier's pickle of the writer's frame is a few hundred MB: a multipart upload, the
    # one a kill can interrupt half-way (the compressed Parquet file goes up in one PUT). Every
    # tier publishes through the same write_atomically.
    killed_tier = "small"
    manager = s3_manager(killed_tier, object_store_bucket, object_store_endpoint)
    previous = sample_value(killed_tier, version=1)
    store(manager, previous)
    client = object_store.s3_client(object_store_endpoint, *OBJECT_STORE_KEYS)

    # The killed writer cannot delete its staged pickle (a few hundred MB): it is staged here.
    staging = tmp_path / "writer-temporary"
    staging.mkdir()
    writer = killed_writer.start(
        killed_tier,
        f"s3://{object_store_bucket}/base",
        object_store_endpoint,
        temporary_folder=staging,
    )
    try:
        kill_mid_upload(client, object_store_bucket, writer)
    finally:
        shutil.rmtree(staging)

    assert writer.returncode == -signal.SIGKILL, "the writer finished before it was killed"
    assert_same(load(manager), previous)


def test_a_stopped_server_is_the_storage_error_naming_the_endpoint(tmp_path, monkeypatch):
    # A server of this test's own, stopped by its PID after a value was stored on it.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", OBJECT_STORE_KEYS[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", OBJECT_STORE_KEYS[1])
    endpoint = f"http://127.0.0.1:{free_port()}"
    server = object_store.start_seaweedfs(
        tmp_path / "data", int(endpoint.rsplit(":", 1)[1]), *OBJECT_STORE_KEYS, tmp_path / "log"
    )
    try:
        client = object_store.s3_client(endpoint, *OBJECT_STORE_KEYS)
        object_store.wait_until_serving(client)
        object_store.create_buckets(client, ["stopped"])
        manager = s3_manager("medium", "stopped", endpoint)
        store(manager, sample_value("medium"))
    finally:
        stop_process_group(server)

    with pytest.raises(StorageUnavailableError) as raised:
        load(manager)

    message = str(raised.value)
    assert f"Cannot access s3://stopped/base (S3 endpoint {endpoint}): EndpointConnectionError" in (
        message
    )
    assert "Check that the store is running" in message


@pytest.fixture
def fresh_s3_clients():
    """s3fs reuses a client made with the same arguments, whatever the environment says now: a
    changed secret reaches the store only through a new client (as in a new run process). No
    client made here may outlive the test either."""
    s3fs.S3FileSystem.clear_instance_cache()
    yield
    s3fs.S3FileSystem.clear_instance_cache()


@pytest.mark.parametrize("operation", ["store", "load"])
def test_a_refused_credential_is_the_storage_error_saying_so(
    operation, object_store_bucket, object_store_endpoint, monkeypatch, fresh_s3_clients
):
    writer = s3_manager("medium", object_store_bucket, object_store_endpoint)
    store(writer, sample_value("medium"))
    client = object_store.s3_client(object_store_endpoint, *OBJECT_STORE_KEYS)
    assert client.head_bucket(Bucket=object_store_bucket)  # the store is up and serving
    wrong_secret = f"not-the-secret-{os.urandom(8).hex()}"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong_secret)
    s3fs.S3FileSystem.clear_instance_cache()
    manager = s3_manager("medium", object_store_bucket, object_store_endpoint)

    with pytest.raises(StorageUnavailableError) as raised:
        if operation == "store":
            store(manager, sample_value("medium", version=2))
        else:
            load(manager)

    message = str(raised.value)
    assert object_store_endpoint in message
    assert wrong_secret not in message
    # s3fs words the refusal as a PermissionError: the store's SignatureDoesNotMatch sentence for
    # a write, and HTTP 403's reason for the HEAD a read starts with (a HEAD has no body).
    refusal = {
        "store": "PermissionError: The request signature we calculated does not match",
        "load": "PermissionError: Forbidden",
    }
    assert refusal[operation] in message

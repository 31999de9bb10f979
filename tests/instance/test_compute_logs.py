"""The stack's compute log manager: step logs reach the real S3 server, and a store that never
answers fails each request within the CLIENT_* timeouts, naming the endpoint, instead of holding
the step (or the webserver's log view) for botocore's default minutes. The bound is the test's
own timeout, shorter than one of botocore's default connects or reads."""

from pathlib import Path

import dagster as dg
import pytest
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from dagster._core.storage.compute_log_manager import ComputeIOType

from dagster_project.instance.compute_logs import TimedS3ComputeLogManager
from deploy import object_store
from tests.conftest import OBJECT_STORE_KEYS
from tests.silent_server import MODES, silent_server

FAST = {
    "CLIENT_CONNECT_TIMEOUT_SECONDS": "1",
    "CLIENT_READ_TIMEOUT_SECONDS": "1",
    "CLIENT_ATTEMPTS": "2",
}


@dg.asset
def talkative() -> int:
    print("a line for the compute log")
    return 1


def test_a_run_s_step_logs_land_in_the_bucket_staged_in_dagster_home(
    object_store_endpoint, object_store_bucket
):
    overrides = {
        "compute_logs": {
            "module": "dagster_project.instance.compute_logs",
            "class": "TimedS3ComputeLogManager",
            "config": {
                "bucket": object_store_bucket,
                "prefix": "compute-logs",
                "endpoint_url": object_store_endpoint,
                "use_ssl": False,
            },
        }
    }
    with dg.instance_for_test(overrides=overrides) as instance:
        assert isinstance(instance.compute_log_manager, TimedS3ComputeLogManager)
        assert dg.materialize([talkative], instance=instance).success
        staged = instance.compute_log_manager.local_manager.get_captured_local_path(
            ["run", "compute_logs", "step"], "out"
        )
        # instance_for_test sets DAGSTER_HOME to its own folder
        home = Path(instance.root_directory)

    # staged in DAGSTER_HOME, not in the system's temporary directory
    assert Path(staged).is_relative_to(home / "storage" / "compute-log-staging")
    client = object_store.s3_client(object_store_endpoint, *OBJECT_STORE_KEYS)
    listed = client.list_objects_v2(Bucket=object_store_bucket, Prefix="compute-logs/")
    stored = {item["Key"]: item for item in listed.get("Contents", [])}
    stdout = [key for key in stored if key.endswith(".out")]
    assert stdout, sorted(stored)
    body = client.get_object(Bucket=object_store_bucket, Key=stdout[0])["Body"].read()
    assert b"a line for the compute log" in body


@pytest.mark.timeout(45)
@pytest.mark.parametrize("mode", MODES)
def test_a_silent_store_fails_each_request_within_the_timeouts(mode, monkeypatch):
    for name, value in FAST.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "someone")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    with silent_server(mode) as port:
        endpoint = f"http://127.0.0.1:{port}"
        manager = TimedS3ComputeLogManager(bucket="logs", endpoint_url=endpoint, use_ssl=False)

        with pytest.raises((ReadTimeoutError, ConnectTimeoutError)) as raised:
            manager.get_log_keys_for_log_key_prefix(["run", "step"], ComputeIOType.STDOUT)

    config = manager._s3_session.meta.config  # the client that made the request
    assert (config.connect_timeout, config.read_timeout) == (1, 1)
    assert config.retries["total_max_attempts"] == 2
    assert endpoint in str(raised.value)

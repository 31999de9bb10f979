"""The stack on AWS S3 itself: no endpoint and no static keys load, and every client is configured
for AWS's own endpoint in the region, with boto3's default credential chain (here a profile in a
credentials file, standing in for an IAM role or web identity). An https:// endpoint reaches every
client's configuration with TLS on. Nothing here needs the network."""

import pytest
import yaml

from dagster_project.deployment import build_resources
from dagster_project.instance.compute_logs import TimedS3ComputeLogManager
from dagster_project.settings import REPOSITORY_ROOT, SettingsError, static_s3_keys
from dagster_project.tiers import IO_MANAGER_KEYS, Tier

PROFILE_KEY = "AKIAPROFILEONLY00000"


@pytest.fixture
def aws_environ(small_scale_environ, tmp_path, monkeypatch):
    """The stack's variables for AWS: a bucket, a region, a profile, no endpoint, no keys."""
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[default]\naws_access_key_id = {PROFILE_KEY}\naws_secret_access_key = profile-secret\n"
    )
    (tmp_path / "config").write_text("")
    for name in ("S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "STORAGE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DAGSTER_DEPLOYMENT", "stack")
    monkeypatch.setenv("S3_BUCKET", "reference-data")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("WAREHOUSE_URL", "postgresql+psycopg2://u:pw@db.internal:5432/w")
    monkeypatch.setenv("LAKE_URL", "s3a://reference-data/lake")


def s3fs_client(manager):
    fs = manager.base_upath.fs
    fs.connect()
    return fs.s3


def clients(resources) -> dict[str, object]:
    """The boto3 / aiobotocore client of every S3 user in the stack's resources."""
    small = resources[IO_MANAGER_KEYS[Tier.SMALL]]
    return {
        "small tier (dagster-aws)": small.s3_resource.get_client(),
        "medium tier (s3fs)": s3fs_client(resources[IO_MANAGER_KEYS[Tier.MEDIUM]]),
        "compute logs": TimedS3ComputeLogManager(bucket="reference-data")._s3_session,
    }


def test_no_endpoint_and_no_keys_means_aws_s3_with_the_default_chain(aws_environ):
    resources = build_resources()

    for name, client in clients(resources).items():
        assert client.meta.endpoint_url == "https://s3.eu-west-1.amazonaws.com", name
    small = resources[IO_MANAGER_KEYS[Tier.SMALL]]
    signer = small.s3_resource.get_client()._request_signer
    assert signer._credentials.access_key == PROFILE_KEY  # found by boto3's chain, not config
    assert small.s3_resource.aws_access_key_id is None
    assert resources[IO_MANAGER_KEYS[Tier.MEDIUM]].base_path == "s3://reference-data/storage/medium"
    spark = resources["spark"].spark_properties()
    assert "spark.hadoop.fs.s3a.endpoint" not in spark
    assert spark.get("spark.hadoop.fs.s3a.endpoint.region") == "eu-west-1"


def test_an_https_endpoint_reaches_every_client_with_tls_on(aws_environ, monkeypatch):
    monkeypatch.setenv("S3_ENDPOINT_URL", "https://objects.example.com:9443")
    resources = build_resources()

    for name, client in clients(resources).items():
        assert client.meta.endpoint_url == "https://objects.example.com:9443", name
    spark = resources["spark"].spark_properties()
    assert spark["spark.hadoop.fs.s3a.endpoint"] == "https://objects.example.com:9443"
    assert spark["spark.hadoop.fs.s3a.connection.ssl.enabled"] == "true"


def test_the_stack_s_compute_logs_follow_the_endpoint_without_a_hard_coded_tls_switch(aws_environ):
    config = yaml.safe_load((REPOSITORY_ROOT / "deploy" / "dagster.stack.yaml").read_text())
    compute_logs = config["compute_logs"]["config"]

    assert "use_ssl" not in compute_logs and "endpoint_url" not in compute_logs
    manager = TimedS3ComputeLogManager.from_config_value(None, {**compute_logs, "bucket": "b"})
    assert manager._s3_session.meta.endpoint_url == "https://s3.eu-west-1.amazonaws.com"


@pytest.mark.parametrize(
    ("present", "missing"),
    [
        ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
        ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"),
    ],
)
def test_one_key_without_the_other_is_refused_naming_the_missing_one(present, missing):
    with pytest.raises(SettingsError, match=f"{missing} must be set with the other key"):
        static_s3_keys({present: "value"})

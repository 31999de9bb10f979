"""``storage_cleanup_job`` on a real local store: dry run by default, exact deletions otherwise."""

import os
import tempfile
import time
from datetime import datetime, timedelta

import dagster as dg
import pytest

from dagster_project.defs.iot import assets as iot
from dagster_project.defs.marketing import assets as marketing
from dagster_project.defs.monitoring import cleanup
from dagster_project.defs.monitoring.cleanup import storage_cleanup_job
from dagster_project.io_managers.small import PickleIOManager
from dagster_project.io_managers.time_series import TimeSeriesIOManager
from dagster_project.resources.tier_stores import TierStoresResource
from deploy import object_store
from tests.conftest import OBJECT_STORE_KEYS
from tests.io_managers.test_s3_small import small_tier

DAY_S = 86_400
LATEST_PARTITION = "2024-02-01"


def write(path, age_days: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * 2048)
    stamp = time.time() - age_days * DAY_S
    os.utime(path, (stamp, stamp))


@pytest.fixture(autouse=True)
def private_temporary_folder(tmp_path_factory, monkeypatch):
    """The job also sweeps the temporary directory for killed uploads' staging folders: give it
    one of its own, so what other tests' killed writers left there does not count here."""
    folder = tmp_path_factory.mktemp("temporary")
    monkeypatch.setattr(tempfile, "tempdir", str(folder))


@pytest.fixture
def store(tmp_path, small_scale_resources, instance):
    # A real materialization of one partition makes the instance know the asset, partitioned.
    result = dg.materialize(
        dg.load_assets_from_modules([marketing]),
        selection=["campaign_data"],
        partition_key=LATEST_PARTITION,
        resources={
            **small_scale_resources,
            "small_io_manager": PickleIOManager(base_path=str(tmp_path / "small")),
        },
        instance=instance,
    )
    assert result.success
    campaign_data = tmp_path / "small" / "campaign_data"
    write(campaign_data / "2024-01-01.pkl", 200)
    write(campaign_data / "2024-01-02.pkl", 100)
    write(campaign_data / "2024-05-01.pkl", 5)
    write(tmp_path / "medium" / ".web_logs_raw.parquet.abc.partial", 2)
    write(tmp_path / "medium" / "web_logs_raw.parquet", 400)  # unpartitioned: its only value
    return tmp_path


@pytest.fixture
def run_cleanup(small_scale_resources, instance):
    def run(store, **config):
        return cleanup_report(store, instance, small_scale_resources, config)

    return run


def cleanup_report(store, instance, resources, config):
    defs = dg.Definitions(
        assets=dg.load_assets_from_modules([marketing]),
        jobs=[storage_cleanup_job],
        resources={**resources, "tier_stores": TierStoresResource(base_url=str(store))},
    )
    result = defs.resolve_job_def("storage_cleanup_job").execute_in_process(
        instance=instance, run_config={"ops": {"apply_retention": {"config": config}}}
    )
    assert result.success
    (output,) = [event for event in result.all_events if event.event_type_value == "STEP_OUTPUT"]
    return {key: value.value for key, value in output.step_output_data.metadata.items()}


def files(store) -> list[str]:
    return sorted(str(path.relative_to(store)) for path in store.rglob("*") if path.is_file())


def test_the_default_is_a_dry_run_that_reports_without_deleting(store, run_cleanup):
    before = files(store)

    report = run_cleanup(store)

    assert files(store) == before
    assert report["dry_run"] is True
    assert report["files"] == 3  # two expired partitions and the abandoned partial file
    assert report["bytes_expired"] == 3 * 2048
    assert report["bytes_freed"] == 0


def test_a_real_run_deletes_exactly_the_expired_files(store, run_cleanup):
    report = run_cleanup(store, dry_run=False, retention_days={"small": 50})

    assert files(store) == [
        "medium/web_logs_raw.parquet",
        "small/campaign_data/2024-02-01.pkl",  # the latest materialization (just written)
        "small/campaign_data/2024-05-01.pkl",
    ]
    assert report["bytes_freed"] == 3 * 2048


def test_the_latest_materialization_survives_a_retention_that_expires_everything(
    store, run_cleanup
):
    stamp = time.time() - 900 * DAY_S
    for path in (store / "small" / "campaign_data").iterdir():
        os.utime(path, (stamp, stamp))

    run_cleanup(store, dry_run=False, retention_days={"small": 0})

    remaining = sorted(path.name for path in (store / "small" / "campaign_data").iterdir())
    # The latest materialization, and the newest file (equal times: the latest partition key).
    assert remaining == [f"{LATEST_PARTITION}.pkl", "2024-05-01.pkl"]


def run_cleanup_on(tier_stores: TierStoresResource, instance, resources, assets, **config):
    defs = dg.Definitions(
        assets=assets,
        jobs=[storage_cleanup_job],
        resources={**resources, "tier_stores": tier_stores},
    )
    result = defs.resolve_job_def("storage_cleanup_job").execute_in_process(
        instance=instance, run_config={"ops": {"apply_retention": {"config": config}}}
    )
    assert result.success
    (output,) = [event for event in result.all_events if event.event_type_value == "STEP_OUTPUT"]
    return {key: value.value for key, value in output.step_output_data.metadata.items()}


def test_the_time_series_tier_keeps_30_days_of_hours(tmp_path, small_scale_resources, instance):
    resources = {
        **small_scale_resources,
        "time_series_io_manager": TimeSeriesIOManager(base_path=str(tmp_path / "time_series")),
    }
    iot_assets = dg.load_assets_from_modules([iot])
    result = dg.materialize(
        iot_assets,
        selection=["sensor_data"],
        partition_key="2024-01-01-05:00",
        resources=resources,
        instance=instance,
    )
    assert result.success
    hours = tmp_path / "time_series" / "sensor_data"
    write(hours / "2024-01-01-03:00.parquet", 31)  # past the tier's 30 days
    write(hours / "2024-01-01-04:00.parquet", 29)

    report = run_cleanup_on(
        TierStoresResource(base_url=str(tmp_path)), instance, resources, iot_assets, dry_run=False
    )

    assert sorted(path.name for path in hours.iterdir()) == [
        "2024-01-01-04:00.parquet",
        "2024-01-01-05:00.parquet",
    ]
    assert report["files"] == 1
    assert report["bytes_freed"] == 2048


def materialize_three_partitions(resources, instance) -> list:
    """campaign_data's partitions 2024-01-01, 2024-01-02 and the latest, on ``resources``."""
    marketing_assets = dg.load_assets_from_modules([marketing])
    for partition in ("2024-01-01", "2024-01-02", LATEST_PARTITION):
        result = dg.materialize(
            marketing_assets,
            selection=["campaign_data"],
            partition_key=partition,
            resources=resources,
            instance=instance,
        )
        assert result.success
    return marketing_assets


def test_on_the_object_store_only_the_latest_partition_outlives_a_zero_retention(
    small_scale_resources, instance, object_store_bucket, object_store_endpoint
):
    # The stack's small tier (dagster-aws's S3 layout) on the real S3 server.
    resources = {
        **small_scale_resources,
        "small_io_manager": small_tier(object_store_endpoint, object_store_bucket),
    }
    marketing_assets = materialize_three_partitions(resources, instance)
    client = object_store.s3_client(object_store_endpoint, *OBJECT_STORE_KEYS)

    def keys() -> list[str]:
        listing = client.list_objects_v2(Bucket=object_store_bucket, Prefix="storage/small/")
        return sorted(item["Key"] for item in listing.get("Contents", []))

    stores = TierStoresResource(
        base_url=f"s3://{object_store_bucket}/storage", endpoint_url=object_store_endpoint
    )
    before = keys()
    dry = run_cleanup_on(stores, instance, resources, marketing_assets, retention_days={"small": 0})
    assert keys() == before
    assert dry["files"] == 2

    report = run_cleanup_on(
        stores, instance, resources, marketing_assets, dry_run=False, retention_days={"small": 0}
    )

    assert keys() == [f"storage/small/campaign_data/{LATEST_PARTITION}"]
    assert report["files"] == 2 and report["bytes_freed"] > 0


@pytest.mark.parametrize("days_later, removed", [(29, 0), (31, 2)])
def test_on_the_object_store_the_default_retention_keeps_the_small_tier_30_days(
    days_later,
    removed,
    small_scale_resources,
    instance,
    object_store_bucket,
    object_store_endpoint,
    monkeypatch,
):
    """The shipped defaults, applied to objects whose age the store alone records: the job is
    run as if ``days_later`` days had passed since the three partitions were written."""
    resources = {
        **small_scale_resources,
        "small_io_manager": small_tier(object_store_endpoint, object_store_bucket),
    }
    marketing_assets = materialize_three_partitions(resources, instance)

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(days=days_later)

    monkeypatch.setattr(cleanup, "datetime", Later)
    stores = TierStoresResource(
        base_url=f"s3://{object_store_bucket}/storage", endpoint_url=object_store_endpoint
    )
    report = run_cleanup_on(stores, instance, resources, marketing_assets, dry_run=False)

    client = object_store.s3_client(object_store_endpoint, *OBJECT_STORE_KEYS)
    listing = client.list_objects_v2(Bucket=object_store_bucket, Prefix="storage/small/")
    keys = sorted(item["Key"] for item in listing.get("Contents", []))
    assert report["files"] == removed
    assert len(keys) == 3 - removed
    assert f"storage/small/campaign_data/{LATEST_PARTITION}" in keys

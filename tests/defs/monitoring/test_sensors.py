"""The monitoring sensors over a real test instance holding real materializations."""

import time
from datetime import UTC, datetime, timedelta, timezone

import dagster as dg
import pytest

from dagster_project.defs.monitoring import assets as monitoring
from dagster_project.defs.monitoring.cleanup import storage_cleanup_job
from dagster_project.defs.monitoring.sensors import (
    cleanup_run_key,
    performance_alert_sensor,
    read_cursor,
    resource_monitor_sensor,
)
from dagster_project.io_managers.small import PickleIOManager
from dagster_project.monitoring.step_meter import measured
from dagster_project.resources.alert_channels import AlertChannelsResource
from dagster_project.resources.resource_thresholds import ResourceThresholdsResource
from dagster_project.resources.tier_stores import TierStoresResource


class DelayConfig(dg.Config):
    seconds: float = 0.0


@dg.asset
@measured
def timed_asset(config: DelayConfig) -> int:
    time.sleep(config.seconds)
    return 1


@pytest.fixture
def monitored_defs(tmp_path) -> dg.Definitions:
    small = PickleIOManager(base_path=str(tmp_path / "small"))
    return dg.Definitions(
        assets=[timed_asset, *dg.load_assets_from_modules([monitoring])],
        jobs=[storage_cleanup_job],
        sensors=[performance_alert_sensor, resource_monitor_sensor],
        resources={
            "io_manager": small,
            "small_io_manager": small,
            "tier_stores": TierStoresResource(base_url=str(tmp_path)),
            "alert_channels": AlertChannelsResource(),
        },
    )


def materialize_timed_asset(instance, seconds: float) -> None:
    result = dg.materialize(
        [timed_asset],
        instance=instance,
        resources={"io_manager": PickleIOManager(base_path=str(instance.root_directory))},
        run_config={"ops": {"timed_asset": {"config": {"seconds": seconds}}}},
    )
    assert result.success


def evaluate(sensor, instance, defs, cursor=None, **resources):
    resources.setdefault("alert_channels", AlertChannelsResource())
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, definitions=defs, resources=resources
    )
    return sensor(context)


def test_the_cursor_advances_past_what_was_read(instance, monitored_defs):
    materialize_timed_asset(instance, 0)

    first = evaluate(performance_alert_sensor, instance, monitored_defs)
    again = evaluate(performance_alert_sensor, instance, monitored_defs, cursor=first.cursor)

    assert len(first.run_requests) == 1
    assert read_cursor(first.cursor)[0] > 0
    assert again.run_requests == [] and "No new materializations" in again.skip_reason.skip_message

    materialize_timed_asset(instance, 0)
    third = evaluate(performance_alert_sensor, instance, monitored_defs, cursor=first.cursor)
    assert len(third.run_requests) == 1
    assert read_cursor(third.cursor)[0] > read_cursor(first.cursor)[0]


def test_a_slow_run_after_fast_ones_raises_an_alert(instance, monitored_defs):
    for _ in range(6):
        materialize_timed_asset(instance, 0)
    quiet = evaluate(performance_alert_sensor, instance, monitored_defs)
    materialize_timed_asset(instance, 1.5)

    slow = evaluate(performance_alert_sensor, instance, monitored_defs, cursor=quiet.cursor)

    assert quiet.run_requests[0].tags["performance_alerts"] == "0"
    assert slow.run_requests[0].tags["performance_alerts"] == "1"
    assert slow.run_requests[0].tags["alerted_assets"] == "timed_asset"


def test_the_refresh_targets_the_monitoring_assets(instance, monitored_defs):
    materialize_timed_asset(instance, 0)

    result = evaluate(performance_alert_sensor, instance, monitored_defs)

    assert result.run_requests[0].run_key.startswith("performance-refresh-")
    targeted = monitored_defs.resolve_sensor_def("performance_alert_sensor").asset_selection
    keys = targeted.resolve(monitored_defs.resolve_asset_graph())
    assert {key.to_user_string() for key in keys} == set(monitoring.MONITORING_ASSETS)


def test_resources_within_limits_request_nothing(instance, monitored_defs, tmp_path):
    thresholds = ResourceThresholdsResource(
        max_memory_percent=100, max_disk_percent=100, disk_path=str(tmp_path)
    )

    result = evaluate(
        resource_monitor_sensor, instance, monitored_defs, resource_thresholds=thresholds
    )

    assert result.run_requests == []
    assert "Within limits" in result.skip_reason.skip_message


def test_resources_above_limits_request_a_dry_run_cleanup(instance, monitored_defs, tmp_path):
    thresholds = ResourceThresholdsResource(
        max_memory_percent=0, max_disk_percent=100, disk_path=str(tmp_path)
    )

    result = evaluate(
        resource_monitor_sensor, instance, monitored_defs, resource_thresholds=thresholds
    )

    (request,) = result.run_requests
    assert request.run_key.startswith("storage-cleanup-")
    assert request.run_config == {"ops": {"apply_retention": {"config": {"dry_run": True}}}}


def test_the_disk_alone_above_its_limit_requests_a_cleanup(instance, monitored_defs, tmp_path):
    thresholds = ResourceThresholdsResource(
        max_memory_percent=100, max_disk_percent=0, disk_path=str(tmp_path), cleanup_dry_run=False
    )

    before = cleanup_run_key(datetime.now(UTC))
    result = evaluate(
        resource_monitor_sensor, instance, monitored_defs, resource_thresholds=thresholds
    )
    after = cleanup_run_key(datetime.now(UTC))

    (request,) = result.run_requests
    assert request.run_key in {before, after}
    assert request.run_config == {"ops": {"apply_retention": {"config": {"dry_run": False}}}}


def test_the_readings_name_the_disk_path_and_both_limits(instance, monitored_defs, tmp_path):
    thresholds = ResourceThresholdsResource(
        max_memory_percent=100, max_disk_percent=100, disk_path=str(tmp_path)
    )

    result = evaluate(
        resource_monitor_sensor, instance, monitored_defs, resource_thresholds=thresholds
    )

    message = result.skip_reason.skip_message
    assert f"of {tmp_path} (max 100%)" in message
    assert "memory " in message and "(max 100%)" in message


def test_the_cleanup_is_requested_once_an_hour():
    hour = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)

    keys = {cleanup_run_key(hour + timedelta(minutes=minutes)) for minutes in (0, 5, 30, 59)}
    assert keys == {"storage-cleanup-2026-03-10T14"}
    assert cleanup_run_key(hour + timedelta(hours=1)) == "storage-cleanup-2026-03-10T15"
    assert cleanup_run_key(hour - timedelta(microseconds=1)) == "storage-cleanup-2026-03-10T13"
    # The same instant in another zone is the same hour.
    paris = timezone(timedelta(hours=1))
    assert cleanup_run_key(datetime(2026, 3, 10, 15, 30, tzinfo=paris)) == (
        "storage-cleanup-2026-03-10T14"
    )

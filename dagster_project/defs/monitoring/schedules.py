"""Schedules of the partitioned groups and the automation sensor of the eager assets."""

import dagster as dg

from dagster_project import settings

# AUTOMATION decides for every schedule and sensor of the code location (sensors.py too).
AUTOMATION = settings.automation_default_status().upper()
DEFAULT_SCHEDULE_STATUS = dg.DefaultScheduleStatus(AUTOMATION)
DEFAULT_SENSOR_STATUS = dg.DefaultSensorStatus(AUTOMATION)

# The scheduled jobs' longest acceptable run, enforced by the stack's run monitoring (the
# `dagster/max_runtime` tag): an hourly job must end well within its hour, a daily one likewise.
MAX_RUNTIME_SECONDS = {"marketing_daily_job": 3 * 3600, "iot_hourly_job": 30 * 60}

marketing_daily_job = dg.define_asset_job(
    "marketing_daily_job",
    selection=dg.AssetSelection.groups("marketing"),
    description="One day of campaign data and its attribution.",
    tags={"dagster/max_runtime": MAX_RUNTIME_SECONDS["marketing_daily_job"]},
)
iot_hourly_job = dg.define_asset_job(
    "iot_hourly_job",
    selection=dg.AssetSelection.groups("iot"),
    description="One hour of sensor readings and their anomalies.",
    tags={"dagster/max_runtime": MAX_RUNTIME_SECONDS["iot_hourly_job"]},
)

# Each tick runs the partition that has just closed (yesterday, the previous hour).
marketing_daily_schedule = dg.build_schedule_from_partitioned_job(
    marketing_daily_job, minute_of_hour=30, hour_of_day=1, default_status=DEFAULT_SCHEDULE_STATUS
)
iot_hourly_schedule = dg.build_schedule_from_partitioned_job(
    iot_hourly_job, minute_of_hour=5, default_status=DEFAULT_SCHEDULE_STATUS
)

automation_sensor = dg.AutomationConditionSensorDefinition(
    "automation_sensor",
    target=dg.AssetSelection.all(),
    default_status=DEFAULT_SENSOR_STATUS,
    minimum_interval_seconds=60,
)

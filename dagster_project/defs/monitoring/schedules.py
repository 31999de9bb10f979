"""Schedules of the partitioned groups and the automation sensor of the eager assets."""

import dagster as dg

from dagster_project import settings

# AUTOMATION decides for every schedule and sensor of the code location (sensors.py too).
AUTOMATION = settings.automation_default_status().upper()
DEFAULT_SCHEDULE_STATUS = dg.DefaultScheduleStatus(AUTOMATION)
DEFAULT_SENSOR_STATUS = dg.DefaultSensorStatus(AUTOMATION)

marketing_daily_job = dg.define_asset_job(
    "marketing_daily_job",
    selection=dg.AssetSelection.groups("marketing"),
    description="One day of campaign data and its attribution.",
)
iot_hourly_job = dg.define_asset_job(
    "iot_hourly_job",
    selection=dg.AssetSelection.groups("iot"),
    description="One hour of sensor readings and their anomalies.",
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

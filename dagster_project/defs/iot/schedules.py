"""The IoT group's hourly job and its schedule: each tick runs the hour that has just closed."""

import dagster as dg

from dagster_project.automation import DEFAULT_SCHEDULE_STATUS

# The longest acceptable run, enforced by the stack's run monitoring (`dagster/max_runtime`): an
# hourly job must end well within its hour.
MAX_RUNTIME_SECONDS = 30 * 60

iot_hourly_job = dg.define_asset_job(
    "iot_hourly_job",
    selection=dg.AssetSelection.groups("iot"),
    description="One hour of sensor readings and their anomalies.",
    tags={"dagster/max_runtime": MAX_RUNTIME_SECONDS},
)

iot_hourly_schedule = dg.build_schedule_from_partitioned_job(
    iot_hourly_job, minute_of_hour=5, default_status=DEFAULT_SCHEDULE_STATUS
)

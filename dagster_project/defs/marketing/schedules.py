"""The marketing group's daily job and its schedule: each tick runs the day that has just closed."""

import dagster as dg

from dagster_project.automation import DEFAULT_SCHEDULE_STATUS

# The longest acceptable run, enforced by the stack's run monitoring (`dagster/max_runtime`).
MAX_RUNTIME_SECONDS = 3 * 3600

marketing_daily_job = dg.define_asset_job(
    "marketing_daily_job",
    selection=dg.AssetSelection.groups("marketing"),
    description="One day of campaign data and its attribution.",
    tags={"dagster/max_runtime": MAX_RUNTIME_SECONDS},
)

marketing_daily_schedule = dg.build_schedule_from_partitioned_job(
    marketing_daily_job, minute_of_hour=30, hour_of_day=1, default_status=DEFAULT_SCHEDULE_STATUS
)

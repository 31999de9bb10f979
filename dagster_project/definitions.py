"""The code location: every asset group, each bound to its tier's I/O manager, in one Definitions.

Resources come from :mod:`dagster_project.deployment` (``DAGSTER_DEPLOYMENT`` picks them); the
group-to-tier binding is in :mod:`dagster_project.tiers`.
"""

import dagster as dg

from dagster_project.defs.dbt import assets as dbt
from dagster_project.defs.ecommerce import assets as ecommerce
from dagster_project.defs.hybrid import assets as hybrid
from dagster_project.defs.iot import assets as iot
from dagster_project.defs.logs import assets as logs
from dagster_project.defs.marketing import assets as marketing
from dagster_project.defs.monitoring import assets as monitoring
from dagster_project.defs.monitoring.alert_sensors import (
    asset_check_alert_sensor,
    run_failure_alert_sensor,
)
from dagster_project.defs.monitoring.cleanup import storage_cleanup_job
from dagster_project.defs.monitoring.schedules import (
    automation_sensor,
    iot_hourly_job,
    iot_hourly_schedule,
    marketing_daily_job,
    marketing_daily_schedule,
)
from dagster_project.defs.monitoring.sensors import (
    performance_alert_sensor,
    resource_monitor_sensor,
)
from dagster_project.defs.spark import assets as spark
from dagster_project.defs.warehouse import assets as warehouse
from dagster_project.deployment import build_resources

# Groups are listed, not discovered with dg.load_from_defs_folder: discovery also imports every
# installed integration to describe its components, which took 10.2 s per load instead of 4.3 s
# on the reference machine, paid by every `dg launch`, code server start and test process.
GROUP_MODULES = [ecommerce, marketing, logs, iot, hybrid, warehouse, spark, dbt, monitoring]

# In-process: every step of a run shares one Python process. Measured on the 2-core reference
# machine over the 9 unpartitioned steps at default scale (README, "Executor"): 0.03 s of
# overhead per step in process, 3.9-4.1 s with the multiprocess executor's forkserver and
# 5.7-6.1 s with spawn (each step re-imports the code location), so the whole batch took 11 s in
# process against 47-67 s. Two cores cannot win that back by running steps side by side.
defs = dg.Definitions(
    assets=dg.load_assets_from_modules(GROUP_MODULES),
    jobs=[marketing_daily_job, iot_hourly_job, storage_cleanup_job],
    schedules=[marketing_daily_schedule, iot_hourly_schedule],
    sensors=[
        performance_alert_sensor,
        resource_monitor_sensor,
        automation_sensor,
        run_failure_alert_sensor,
        asset_check_alert_sensor,
    ],
    resources=build_resources(),
    executor=dg.in_process_executor,
)

"""The automation sensor of the eager assets (every group's ``AutomationCondition.eager()``)."""

import dagster as dg

from dagster_project.automation import DEFAULT_SENSOR_STATUS

automation_sensor = dg.AutomationConditionSensorDefinition(
    "automation_sensor",
    target=dg.AssetSelection.all(),
    default_status=DEFAULT_SENSOR_STATUS,
    minimum_interval_seconds=60,
)

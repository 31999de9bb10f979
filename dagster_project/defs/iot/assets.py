"""IoT assets on the time-series tier, partitioned by hour."""

from datetime import timedelta

import dagster as dg
import pandas as pd

from dagster_project.defs.iot import transform
from dagster_project.defs.iot.generate import generate_sensor_readings
from dagster_project.defs.iot.partitions import HOURLY_PARTITIONS
from dagster_project.defs.iot.schemas import SENSOR_READINGS_DESCRIPTION, sensor_readings_schema
from dagster_project.monitoring.step_meter import measured
from dagster_project.quality.schema_check import schema_check_result, schema_check_spec
from dagster_project.resources.synthetic_data import SyntheticDataResource
from dagster_project.tiers import io_manager_key

GROUP = "iot"
IO_MANAGER_KEY = io_manager_key(GROUP)


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    partitions_def=HOURLY_PARTITIONS,
    kinds={"pandas", "parquet"},
    dagster_type=pd.DataFrame,  # see quality/schema_check.py
    check_specs=[schema_check_spec("sensor_data", SENSOR_READINGS_DESCRIPTION)],
)
@measured
def sensor_data(
    context: dg.AssetExecutionContext, synthetic_data: SyntheticDataResource
) -> dg.MaterializeResult:
    """One hour of IoT sensor readings (synthetic: 10,000 sensors reporting once a minute)."""
    hour_start = (
        pd.Timestamp(context.partition_time_window.start).tz_convert("UTC").tz_localize(None)
    )
    readings = generate_sensor_readings(
        synthetic_data.rng(context),
        n_sensors=synthetic_data.rows(10_000, minimum=20),
        hour_start=hour_start,
    )
    schema = sensor_readings_schema(hour_start)
    return dg.MaterializeResult(
        value=readings, check_results=[schema_check_result("sensor_data", schema, readings)]
    )


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    partitions_def=HOURLY_PARTITIONS,
    kinds={"pandas", "parquet"},
    automation_condition=dg.AutomationCondition.eager(),
    # Hourly data is stale when two partitions have closed without it.
    freshness_policy=dg.FreshnessPolicy.time_window(
        fail_window=timedelta(hours=3), warn_window=timedelta(hours=2)
    ),
)
@measured
def sensor_anomalies(sensor_data: pd.DataFrame) -> dg.MaterializeResult:
    """Readings that break a rule: temperature off its trailing 3 sigma, low humidity or battery."""
    anomalies = transform.detect_anomalies(sensor_data)
    return dg.MaterializeResult(
        value=anomalies,
        metadata={
            "temperature_anomalies": int(anomalies["temp_anomaly"].sum()),
            "humidity_anomalies": int(anomalies["humidity_anomaly"].sum()),
            "battery_anomalies": int(anomalies["battery_anomaly"].sum()),
            "anomaly_share": round(len(anomalies) / max(len(sensor_data), 1), 5),
        },
    )

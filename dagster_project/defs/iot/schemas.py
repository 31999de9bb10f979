"""The contract an hour of sensor readings (``sensor_data``) is checked against."""

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import pandera.pandas as pa

SENSOR_READINGS_DESCRIPTION = (
    "Timestamps inside the partition's hour; temperature, humidity, pressure and battery within "
    "physical ranges; no nulls."
)


def sensor_readings_schema(hour_start: pd.Timestamp) -> "pa.DataFrameSchema":
    """Readings of one hourly partition: every timestamp inside that hour, physical ranges
    (built in the step, see quality/schema_check.py)."""
    import pandera.pandas as pa

    hour_end = hour_start + pd.Timedelta(hours=1)
    return pa.DataFrameSchema(
        {
            "sensor_id": pa.Column(int, pa.Check.ge(1)),
            "timestamp": pa.Column(
                "datetime64[ns]",
                [pa.Check.ge(hour_start), pa.Check.lt(hour_end)],
            ),
            "temperature": pa.Column(float, pa.Check.in_range(-60, 120)),
            "humidity": pa.Column(float, pa.Check.in_range(0, 100)),
            "pressure": pa.Column(float, pa.Check.in_range(800, 1200)),
            "battery_level": pa.Column(float, pa.Check.in_range(0, 100)),
        },
        checks=pa.Check(lambda frame: len(frame) > 0, error="no readings"),
        description=SENSOR_READINGS_DESCRIPTION,
    )

"""The contract an hour of sensor readings (``sensor_data``) is checked against."""

import pandas as pd
import pandera.pandas as pa


def sensor_readings_schema(hour_start: pd.Timestamp) -> pa.DataFrameSchema:
    """Readings of one hourly partition: every timestamp inside that hour, physical ranges."""
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
        description="Timestamps inside the partition's hour; temperature, humidity, pressure and "
        "battery within physical ranges; no nulls.",
    )

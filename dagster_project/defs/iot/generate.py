"""Synthetic sensor readings for one hour: every sensor reports once a minute, inside the hour.

Each sensor has its own baseline temperature; a small share of readings carries a spike, and
batteries drain, so the anomaly rules have something real to find.
"""

import numpy as np
import pandas as pd

READINGS_PER_SENSOR = 60
SPIKE_PROBABILITY = 0.002
SPIKE_CELSIUS = 15.0


def generate_sensor_readings(
    rng: np.random.Generator, n_sensors: int, hour_start: pd.Timestamp
) -> pd.DataFrame:
    """``n_sensors x 60`` readings, each at a random second of its own minute of the hour."""
    n = n_sensors * READINGS_PER_SENSOR
    sensor_index = np.repeat(np.arange(n_sensors), READINGS_PER_SENSOR)
    minute = np.tile(np.arange(READINGS_PER_SENSOR), n_sensors)
    offset_ms = minute * 60_000 + rng.integers(0, 60_000, n)

    baseline = rng.normal(20, 3, n_sensors)[sensor_index]
    spikes = rng.random(n) < SPIKE_PROBABILITY
    battery_start = rng.uniform(2, 100, n_sensors)[sensor_index]
    return pd.DataFrame(
        {
            "sensor_id": sensor_index + 1,
            "timestamp": hour_start + pd.to_timedelta(offset_ms, unit="ms"),
            "temperature": baseline + rng.normal(0, 0.5, n) + spikes * SPIKE_CELSIUS,
            "humidity": rng.normal(50, 12, n).clip(0, 100),
            "pressure": rng.normal(1013, 5, n),
            "battery_level": (battery_start - minute * 0.02).clip(0, 100),
        }
    )

"""Sensor anomaly rules, vectorised over all sensors at once.

A temperature is anomalous when it lies more than ``sigmas`` standard deviations from the mean
of the same sensor's previous ``window`` readings. The window excludes the reading itself, so a
spike does not inflate its own baseline. Humidity and battery use floors.
"""

import pandas as pd

WINDOW = 10
MIN_PERIODS = 5
SIGMAS = 3.0
HUMIDITY_FLOOR = 10.0
BATTERY_FLOOR = 10.0

ANOMALY_COLUMNS = {
    "temp_rolling_mean": "float64",
    "temp_rolling_std": "float64",
    "temp_anomaly": "bool",
    "humidity_anomaly": "bool",
    "battery_anomaly": "bool",
}


def detect_anomalies(
    readings: pd.DataFrame,
    window: int = WINDOW,
    min_periods: int = MIN_PERIODS,
    sigmas: float = SIGMAS,
) -> pd.DataFrame:
    """The anomalous readings with their baseline and flags, ordered by sensor and time.

    Always returns the reading columns plus ``ANOMALY_COLUMNS``, even when nothing is anomalous.
    """
    frame = readings.sort_values(["sensor_id", "timestamp"], kind="stable", ignore_index=True)
    by_sensor = frame.groupby("sensor_id", sort=False)["temperature"]
    previous = by_sensor.shift(1)
    trailing = previous.groupby(frame["sensor_id"], sort=False).rolling(
        window, min_periods=min_periods
    )
    mean = trailing.mean().reset_index(level=0, drop=True).sort_index()
    std = trailing.std().reset_index(level=0, drop=True).sort_index()

    flagged = frame.assign(
        temp_rolling_mean=mean,
        temp_rolling_std=std,
        temp_anomaly=((frame["temperature"] - mean).abs() > sigmas * std).fillna(False),
        humidity_anomaly=frame["humidity"] < HUMIDITY_FLOOR,
        battery_anomaly=frame["battery_level"] < BATTERY_FLOOR,
    ).astype(ANOMALY_COLUMNS)
    anomalous = flagged["temp_anomaly"] | flagged["humidity_anomaly"] | flagged["battery_anomaly"]
    return flagged[anomalous].reset_index(drop=True)

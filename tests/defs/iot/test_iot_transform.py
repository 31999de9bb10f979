"""Sensor anomaly rules on hand-made reading series."""

import math

import pandas as pd
import pytest

from dagster_project.defs.iot.transform import (
    ANOMALY_COLUMNS,
    BATTERY_FLOOR,
    HUMIDITY_FLOOR,
    MIN_PERIODS,
    detect_anomalies,
)

HOUR_START = pd.Timestamp("2024-01-01 10:00")
READING_COLUMNS = ["sensor_id", "timestamp", "temperature", "humidity", "pressure", "battery_level"]


def make_readings(
    sensor_id: int,
    temperatures: list[float],
    humidity: float | list[float] = 50.0,
    battery_level: float | list[float] = 80.0,
    offset_seconds: int = 0,
) -> pd.DataFrame:
    """One sensor's readings, one a minute from ``offset_seconds`` after ``HOUR_START``."""
    n = len(temperatures)
    return pd.DataFrame(
        {
            "sensor_id": sensor_id,
            "timestamp": pd.date_range(
                HOUR_START + pd.Timedelta(seconds=offset_seconds), periods=n, freq="min"
            ),
            "temperature": [float(value) for value in temperatures],
            "humidity": humidity,
            "pressure": 1013.0,
            "battery_level": battery_level,
        }
    )


def test_detect_anomalies_flags_a_spike_against_the_previous_readings():
    readings = make_readings(1, [20, 21, 20, 21, 20, 21, 40])

    anomalies = detect_anomalies(readings)

    # the spike's baseline is the six readings before it: mean 20.5, each 0.5 away, so the
    # sample std is sqrt(6 * 0.25 / 5) = sqrt(0.3) = 0.548; |40 - 20.5| = 19.5 > 3 * 0.548
    # (a window holding the spike itself would give mean 23.3, std 7.3 and miss it)
    assert anomalies["timestamp"].tolist() == [HOUR_START + pd.Timedelta(minutes=6)]
    assert anomalies["temp_anomaly"].tolist() == [True]
    assert anomalies["temp_rolling_mean"].tolist() == pytest.approx([20.5])
    assert anomalies["temp_rolling_std"].tolist() == pytest.approx([0.3**0.5])


def test_detect_anomalies_does_not_flag_readings_within_three_sigma():
    readings = make_readings(1, [20, 21, 20, 21, 20, 21, 40])

    anomalies = detect_anomalies(readings)

    # reading 6 (21.0): previous five 20, 21, 20, 21, 20 -> mean 20.4,
    # sample std sqrt((3 * 0.16 + 2 * 0.36) / 4) = sqrt(0.3); |21 - 20.4| = 0.6 < 3 * 0.548
    assert HOUR_START + pd.Timedelta(minutes=5) not in anomalies["timestamp"].tolist()
    assert len(anomalies) == 1


def test_detect_anomalies_needs_min_periods_previous_readings_for_a_baseline():
    assert MIN_PERIODS == 5  # the series below assumes it
    # the spike has only four readings before it: no baseline, so not a temperature anomaly
    readings = make_readings(1, [20, 21, 20, 21, 40])

    assert detect_anomalies(readings).empty


def test_detect_anomalies_first_readings_have_no_baseline():
    # a low battery brings the first reading into the result, where its baseline shows
    readings = make_readings(1, [20, 21, 20], battery_level=[5.0, 80.0, 80.0])

    anomalies = detect_anomalies(readings)

    assert len(anomalies) == 1
    assert math.isnan(anomalies["temp_rolling_mean"].iloc[0])
    assert math.isnan(anomalies["temp_rolling_std"].iloc[0])
    assert anomalies["temp_anomaly"].tolist() == [False]
    assert anomalies["battery_anomaly"].tolist() == [True]


def test_detect_anomalies_honours_a_smaller_min_periods():
    readings = make_readings(1, [20, 21, 20, 40])

    anomalies = detect_anomalies(readings, min_periods=2)

    # previous 20, 21, 20: mean 20.333, sample std sqrt((1/9 + 4/9 + 1/9) / 2) = sqrt(1/3)
    assert anomalies["timestamp"].tolist() == [HOUR_START + pd.Timedelta(minutes=3)]
    assert anomalies["temp_rolling_mean"].tolist() == pytest.approx([61 / 3])
    assert anomalies["temp_rolling_std"].tolist() == pytest.approx([(1 / 3) ** 0.5])


def test_detect_anomalies_baseline_covers_only_the_last_window_readings():
    readings = make_readings(1, [100, 100, 100, 20, 21, 20, 21])

    anomalies = detect_anomalies(readings, window=3, min_periods=3)

    # reading 3: previous 100, 100, 100 (std 0) -> 20 is anomalous
    # reading 6: previous 20, 21, 20 (the 100s have left the window): mean 20.333,
    #   std sqrt(1/3) = 0.577; |21 - 20.333| = 0.667 < 3 * 0.577 -> normal
    assert anomalies["timestamp"].tolist() == [HOUR_START + pd.Timedelta(minutes=3)]
    assert anomalies["temp_rolling_mean"].tolist() == pytest.approx([100.0])
    assert anomalies["temp_rolling_std"].tolist() == pytest.approx([0.0])


def test_detect_anomalies_flags_humidity_below_the_floor():
    assert HUMIDITY_FLOOR == 10.0
    readings = make_readings(1, [20, 20, 20], humidity=[9.9, 10.0, 50.0])

    anomalies = detect_anomalies(readings)

    # 10.0 is on the floor, not below it
    assert anomalies["timestamp"].tolist() == [HOUR_START]
    assert anomalies["humidity_anomaly"].tolist() == [True]
    assert anomalies["battery_anomaly"].tolist() == [False]


def test_detect_anomalies_flags_battery_below_the_floor():
    assert BATTERY_FLOOR == 10.0
    readings = make_readings(1, [20, 20, 20], battery_level=[50.0, 10.0, 9.99])

    anomalies = detect_anomalies(readings)

    assert anomalies["timestamp"].tolist() == [HOUR_START + pd.Timedelta(minutes=2)]
    assert anomalies["battery_anomaly"].tolist() == [True]
    assert anomalies["humidity_anomaly"].tolist() == [False]


def test_detect_anomalies_keeps_each_sensor_baseline_separate():
    # two sensors reporting alternately, 30 s apart, around 20.5 and 30.5 degrees
    sensor_1 = make_readings(1, [20, 21, 20, 21, 20, 21, 22])
    sensor_2 = make_readings(2, [30, 31, 30, 31, 30, 31, 40], offset_seconds=30)
    readings = pd.concat([sensor_1, sensor_2]).sort_values("timestamp", ignore_index=True)

    anomalies = detect_anomalies(readings)

    # sensor 2's 40.0 against its own 30.5 +- 0.548 is a spike; sensor 1's 22.0 against
    # 20.5 +- 0.548 is not (|1.5| < 1.64). A mixed baseline (~25.5, std ~5) would miss the spike.
    assert anomalies["sensor_id"].tolist() == [2]
    assert anomalies["temp_rolling_mean"].tolist() == pytest.approx([30.5])
    assert anomalies["temp_rolling_std"].tolist() == pytest.approx([0.3**0.5])


def test_detect_anomalies_orders_by_sensor_and_time_whatever_the_input_order():
    sensor_1 = make_readings(1, [20, 21, 20], battery_level=5.0)
    sensor_2 = make_readings(2, [30, 31, 30], battery_level=5.0)
    readings = pd.concat([sensor_2, sensor_1]).iloc[::-1]

    anomalies = detect_anomalies(readings)

    assert anomalies["sensor_id"].tolist() == [1, 1, 1, 2, 2, 2]
    assert anomalies["temperature"].tolist() == [20.0, 21.0, 20.0, 30.0, 31.0, 30.0]
    assert anomalies.index.tolist() == list(range(6))


def test_detect_anomalies_baseline_does_not_depend_on_input_row_order():
    readings = make_readings(1, [20, 21, 20, 21, 20, 21, 40])

    anomalies = detect_anomalies(readings.iloc[::-1])

    assert anomalies["temp_rolling_mean"].tolist() == pytest.approx([20.5])


def test_detect_anomalies_returns_typed_empty_frame_when_nothing_is_anomalous():
    readings = make_readings(1, [20, 21, 20, 21, 20, 21, 20])

    anomalies = detect_anomalies(readings)

    assert anomalies.empty
    assert list(anomalies.columns) == [*READING_COLUMNS, *ANOMALY_COLUMNS]
    assert anomalies.dtypes[READING_COLUMNS].to_dict() == readings.dtypes.to_dict()
    assert anomalies.dtypes[list(ANOMALY_COLUMNS)].astype(str).to_dict() == ANOMALY_COLUMNS

"""Synthetic sensor readings: one a minute per sensor, all inside the partition's hour."""

import numpy as np
import pandas as pd
import pytest

from dagster_project.defs.iot.generate import READINGS_PER_SENSOR, generate_sensor_readings
from tests.defs.seeded import assert_the_seed_draws_exactly

N_SENSORS = 20
HOUR_START = pd.Timestamp("2024-03-05 13:00")


def readings_for(seed: int) -> pd.DataFrame:
    return generate_sensor_readings(
        np.random.default_rng(seed), n_sensors=N_SENSORS, hour_start=HOUR_START
    )


@pytest.fixture(scope="module")
def readings() -> pd.DataFrame:
    return readings_for(seed=42)


def test_generate_sensor_readings_is_deterministic_for_a_seed():
    pd.testing.assert_frame_equal(readings_for(seed=5), readings_for(seed=5))


def test_generate_sensor_readings_draws_every_value_but_the_sensor_from_the_seed():
    assert_the_seed_draws_exactly(
        readings_for, ["timestamp", "temperature", "humidity", "pressure", "battery_level"]
    )


def test_generate_sensor_readings_has_sixty_readings_per_sensor(readings):
    assert READINGS_PER_SENSOR == 60
    assert len(readings) == N_SENSORS * 60
    assert readings["sensor_id"].value_counts().to_dict() == dict.fromkeys(
        range(1, N_SENSORS + 1), 60
    )


def test_generate_sensor_readings_lie_inside_the_hour(readings):
    assert readings["timestamp"].min() >= HOUR_START
    assert readings["timestamp"].max() < HOUR_START + pd.Timedelta(hours=1)


def test_generate_sensor_readings_put_reading_k_in_minute_k(readings):
    minute = (readings["timestamp"] - HOUR_START) // pd.Timedelta(minutes=1)
    reading_number = readings.groupby("sensor_id").cumcount()

    assert (minute == reading_number).all()


def test_generate_sensor_readings_humidity_is_a_percentage(readings):
    assert readings["humidity"].between(0, 100).all()


def test_generate_sensor_readings_battery_is_a_percentage_that_never_rises(readings):
    assert readings["battery_level"].between(0, 100).all()
    assert (readings.groupby("sensor_id")["battery_level"].diff().dropna() <= 0).all()


def test_generate_sensor_readings_columns(readings):
    assert list(readings.columns) == [
        "sensor_id",
        "timestamp",
        "temperature",
        "humidity",
        "pressure",
        "battery_level",
    ]

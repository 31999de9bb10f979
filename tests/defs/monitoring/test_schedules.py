"""Each schedule tick runs the partition that has just closed; AUTOMATION decides whether the
schedules and sensors start running."""

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.definitions import defs
from dagster_project.settings import SettingsError, automation_default_status

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]


HOURLY = "iot_hourly_job_schedule"
DAILY = "marketing_daily_job_schedule"


def partition_of_tick(name: str, tick: datetime) -> str:
    schedule = defs.resolve_schedule_def(name)
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        requests = list(schedule.evaluate_tick(context).run_requests or [])
    assert len(requests) == 1, requests
    return requests[0].partition_key


@pytest.mark.parametrize(
    ("tick", "partition"),
    [
        (datetime(2026, 3, 10, 14, 5, tzinfo=UTC), "2026-03-10-13:00"),
        (datetime(2026, 3, 11, 0, 5, tzinfo=UTC), "2026-03-10-23:00"),  # across midnight
    ],
)
def test_the_hourly_tick_runs_the_hour_that_just_closed(tick, partition):
    assert defs.resolve_schedule_def(HOURLY).cron_schedule == "5 * * * *"
    assert partition_of_tick(HOURLY, tick) == partition


@pytest.mark.parametrize(
    ("tick", "partition"),
    [
        (datetime(2026, 3, 10, 1, 30, tzinfo=UTC), "2026-03-09"),
        (datetime(2026, 3, 1, 1, 30, tzinfo=UTC), "2026-02-28"),  # across a month's end
    ],
)
def test_the_daily_tick_runs_yesterday(tick, partition):
    assert defs.resolve_schedule_def(DAILY).cron_schedule == "30 1 * * *"
    assert partition_of_tick(DAILY, tick) == partition


@pytest.mark.parametrize(
    ("value", "status"),
    [(None, "stopped"), ("", "stopped"), ("running", "running"), (" Running ", "running")],
)
def test_automation_is_stopped_unless_asked_to_run(value, status):
    environ = {} if value is None else {"AUTOMATION": value}

    assert automation_default_status(environ) == status


def test_an_unknown_automation_value_names_the_variable_and_the_valid_values():
    with pytest.raises(SettingsError) as raised:
        automation_default_status({"AUTOMATION": "on"})

    assert (
        str(raised.value) == "AUTOMATION='on' is not a valid value. Valid values: stopped, running."
    )


STATUSES = """
from dagster_project.definitions import defs
for item in [*defs.schedules, *defs.sensors]:
    print(item.name, item.default_status.value)
"""


@pytest.mark.parametrize("value", ["running"])  # "stopped", the default, is every other run
def test_automation_sets_every_schedule_and_sensor_of_the_code_location(value):
    # A fresh interpreter: the statuses are read when the definitions are imported.
    listed = subprocess.run(
        [sys.executable, "-c", STATUSES],
        cwd=REPOSITORY_ROOT,
        env={**os.environ, "AUTOMATION": value, "PYTHONPATH": str(REPOSITORY_ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout.split("\n")
    statuses = dict(line.split() for line in listed if line)

    assert {HOURLY, DAILY, "automation_sensor", "resource_monitor_sensor"} <= set(statuses)
    assert set(statuses.values()) == {value.upper()}

"""The alert rules on hand-made histories."""

import pandas as pd

from dagster_project.monitoring.alerts import AlertRules, evaluate_alerts
from dagster_project.monitoring.instance_history import FAILED, HISTORY_COLUMNS, MATERIALIZED

MACHINE_MB = 1000.0


def history(durations, statuses=None, peak_memory_mb=100.0, asset="a"):
    statuses = statuses or [MATERIALIZED] * len(durations)
    rows = [
        {
            "asset_key": asset,
            "group": "g",
            "status": status,
            "timestamp": pd.Timestamp("2026-01-01", tz="UTC") + pd.Timedelta(hours=hour),
            "step_seconds": seconds,
            "peak_memory_mb": peak_memory_mb if status == MATERIALIZED else None,
        }
        for hour, (seconds, status) in enumerate(zip(durations, statuses, strict=True))
    ]
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def kinds(alerts):
    return sorted(alerts["kind"])


def test_a_run_far_above_the_earlier_ones_is_a_regression():
    # mean 10, std 1 over [9, 11, 9, 11, 10] -> std = sqrt(4/4) = 1; threshold 10 + 3 = 13.
    alerts = evaluate_alerts(history([9, 11, 9, 11, 10, 13.5]), AlertRules(), MACHINE_MB)

    assert kinds(alerts) == ["duration_regression"]
    assert alerts["threshold"].iloc[0] == 13.0


def test_a_run_at_the_threshold_is_not_a_regression():
    alerts = evaluate_alerts(history([9, 11, 9, 11, 10, 13.0]), AlertRules(), MACHINE_MB)

    assert alerts.empty


def test_sub_second_jitter_of_a_fast_step_is_not_a_regression():
    # std 0.01 would put the 3-sigma threshold at 0.13 s; the 1 s floor keeps it quiet.
    alerts = evaluate_alerts(history([0.1, 0.11, 0.1, 0.11, 0.1, 0.6]), AlertRules(), MACHINE_MB)

    assert alerts.empty


def test_too_short_a_history_never_alerts_on_duration():
    alerts = evaluate_alerts(history([1, 1, 1, 1, 100]), AlertRules(), MACHINE_MB)

    assert alerts.empty


def test_one_failure_in_ten_attempts_is_a_low_success_rate():
    statuses = [MATERIALIZED] * 9 + [FAILED]
    alerts = evaluate_alerts(history([1.0] * 10, statuses), AlertRules(), MACHINE_MB)

    assert kinds(alerts) == ["low_success_rate"]
    assert alerts["value"].iloc[0] == 0.9
    assert alerts["severity"].iloc[0] == "critical"


def test_one_failure_in_twenty_attempts_meets_the_target():
    statuses = [MATERIALIZED] * 19 + [FAILED]
    alerts = evaluate_alerts(history([1.0] * 20, statuses), AlertRules(), MACHINE_MB)

    assert alerts.empty


def test_a_step_peaking_above_the_memory_share_is_reported():
    alerts = evaluate_alerts(history([1.0], peak_memory_mb=501.0), AlertRules(), MACHINE_MB)

    assert kinds(alerts) == ["high_memory"]
    assert alerts["threshold"].iloc[0] == 500.0


def test_alerts_are_per_asset():
    both = pd.concat(
        [history([9, 11, 9, 11, 10, 30], asset="slow"), history([9, 11, 9, 11, 10, 10])]
    )

    alerts = evaluate_alerts(both, AlertRules(), MACHINE_MB)

    assert list(alerts["asset_key"]) == ["slow"]

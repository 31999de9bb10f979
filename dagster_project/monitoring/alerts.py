"""Performance alerts from an asset history: duration regressions, failures, memory pressure.

Pure functions of the table :func:`~dagster_project.monitoring.instance_history.asset_history`
returns, so the asset, the sensor and the tests judge with the same rules.
"""

import dagster as dg
import pandas as pd

from dagster_project.monitoring.instance_history import FAILED, MATERIALIZED

ALERT_COLUMNS = ["asset_key", "kind", "severity", "message", "value", "threshold"]


class AlertRules(dg.Config):
    """Thresholds; the defaults are what the monitoring group uses (run config of
    ``performance_alerts`` changes them, the sensor uses the defaults)."""

    regression_sigmas: float = 3.0
    # A regression needs this many earlier successful runs to compare with ...
    min_history: int = 5
    # ... and must be slower by at least this much, so sub-second jitter never pages anyone.
    min_regression_seconds: float = 1.0
    min_success_rate: float = 0.95
    max_memory_share: float = 0.5
    """Share of the machine's memory a step may peak at before it is reported."""


def evaluate_alerts(
    history: pd.DataFrame, rules: AlertRules, machine_memory_mb: float
) -> pd.DataFrame:
    """One row per alert, ordered by asset."""
    alerts: list[dict] = []
    for asset_key, events in history.groupby("asset_key", sort=True):
        events = events.sort_values("timestamp")
        alerts += _regression(asset_key, events, rules)
        alerts += _reliability(asset_key, events, rules)
        alerts += _memory(asset_key, events, rules, machine_memory_mb)
    return pd.DataFrame(alerts, columns=ALERT_COLUMNS)


def duration_seconds(events: pd.DataFrame) -> pd.Series:
    """The step's duration from the instance, else the measured compute time."""
    return events["step_seconds"].fillna(events["compute_seconds"])


def _regression(asset_key: str, events: pd.DataFrame, rules: AlertRules) -> list[dict]:
    durations = duration_seconds(events[events["status"] == MATERIALIZED]).dropna()
    if len(durations) < rules.min_history + 1:
        return []
    latest, earlier = durations.iloc[-1], durations.iloc[:-1]
    mean, std = earlier.mean(), earlier.std(ddof=1)
    threshold = max(mean + rules.regression_sigmas * std, mean + rules.min_regression_seconds)
    if latest <= threshold:
        return []
    return [
        {
            "asset_key": asset_key,
            "kind": "duration_regression",
            "severity": "warning",
            "message": f"{asset_key} took {latest:.1f} s; the previous {len(earlier)} runs took "
            f"{mean:.1f} s on average (std {std:.1f} s).",
            "value": float(latest),
            "threshold": float(threshold),
        }
    ]


def _reliability(asset_key: str, events: pd.DataFrame, rules: AlertRules) -> list[dict]:
    attempts = events[events["status"].isin([MATERIALIZED, FAILED])]
    if attempts.empty:
        return []
    success_rate = float((attempts["status"] == MATERIALIZED).mean())
    if success_rate >= rules.min_success_rate:
        return []
    failures = int((attempts["status"] == FAILED).sum())
    return [
        {
            "asset_key": asset_key,
            "kind": "low_success_rate",
            "severity": "critical",
            "message": f"{asset_key} failed {failures} of its last {len(attempts)} attempts "
            f"(success rate {success_rate:.0%}).",
            "value": success_rate,
            "threshold": rules.min_success_rate,
        }
    ]


def _memory(
    asset_key: str, events: pd.DataFrame, rules: AlertRules, machine_memory_mb: float
) -> list[dict]:
    peaks = events.loc[events["status"] == MATERIALIZED, "peak_memory_mb"].dropna()
    threshold = rules.max_memory_share * machine_memory_mb
    if peaks.empty or peaks.iloc[-1] <= threshold:
        return []
    return [
        {
            "asset_key": asset_key,
            "kind": "high_memory",
            "severity": "warning",
            "message": f"{asset_key} peaked at {peaks.iloc[-1]:.0f} MB, above "
            f"{rules.max_memory_share:.0%} of this machine's {machine_memory_mb:.0f} MB.",
            "value": float(peaks.iloc[-1]),
            "threshold": threshold,
        }
    ]

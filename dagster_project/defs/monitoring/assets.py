"""Monitoring assets on the small tier: metrics from the instance, alerts, dashboard, capacity."""

from datetime import timedelta

import dagster as dg
import pandas as pd
import psutil

from dagster_project.monitoring import dashboard
from dagster_project.monitoring.alerts import AlertRules, evaluate_alerts
from dagster_project.monitoring.capacity import capacity_plan_from_history
from dagster_project.monitoring.instance_history import (
    NEVER_MATERIALIZED,
    asset_history,
    assets_to_monitor,
)
from dagster_project.monitoring.step_meter import measured
from dagster_project.planning import plan_as_dict, plan_as_markdown
from dagster_project.tiers import io_manager_key

GROUP = "monitoring"
IO_MANAGER_KEY = io_manager_key(GROUP)
MONITORING_ASSETS = (
    "performance_metrics",
    "performance_alerts",
    "performance_dashboard",
    "capacity_plan",
)


class HistoryConfig(dg.Config):
    window: int = 20
    """Latest materializations and failures read per asset."""


def machine_memory_mb() -> float:
    return psutil.virtual_memory().total / 2**20


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"pandas"},
    freshness_policy=dg.FreshnessPolicy.time_window(
        fail_window=timedelta(days=2), warn_window=timedelta(days=1)
    ),
)
@measured
def performance_metrics(
    context: dg.AssetExecutionContext, config: HistoryConfig
) -> dg.MaterializeResult:
    """Recent materializations and failures of every asset, read from the Dagster instance."""
    assets = assets_to_monitor(context)
    history = asset_history(context.instance, assets, window=config.window)
    never = history.loc[history["status"] == NEVER_MATERIALIZED, "asset_key"]
    return dg.MaterializeResult(
        value=history,
        metadata={
            "assets_covered": int(history["asset_key"].nunique()),
            "assets_in_graph": len(assets),
            "never_materialized": ", ".join(never) or "none",
            "events_read": int((history["status"] != NEVER_MATERIALIZED).sum()),
        },
    )


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"pandas"},
    automation_condition=dg.AutomationCondition.eager(),
)
@measured
def performance_alerts(
    context: dg.AssetExecutionContext, config: AlertRules, performance_metrics: pd.DataFrame
) -> dg.MaterializeResult:
    """Duration regressions, low success rates and memory pressure, one row per alert."""
    alerts = evaluate_alerts(performance_metrics, config, machine_memory_mb())
    for alert in alerts.itertuples():
        context.log.warning(f"[{alert.severity}] {alert.message}")
    return dg.MaterializeResult(
        value=alerts,
        metadata={
            "alerts": len(alerts),
            "critical": int((alerts["severity"] == "critical").sum()),
            "table": dg.MetadataValue.md(
                dashboard.markdown_table(alerts) if len(alerts) else "none"
            ),
        },
    )


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"pandas", "matplotlib"},
    automation_condition=dg.AutomationCondition.eager(),
)
@measured
def performance_dashboard(
    performance_metrics: pd.DataFrame, performance_alerts: pd.DataFrame
) -> dg.MaterializeResult:
    """Per-asset summary and a chart of duration and stored size over time (see metadata)."""
    summary = dashboard.asset_summary(performance_metrics)
    chart = dashboard.performance_chart_png(performance_metrics)
    return dg.MaterializeResult(
        value=summary,
        metadata={
            "chart": dg.MetadataValue.md(dashboard.markdown_image(chart, "duration and size")),
            "summary": dg.MetadataValue.md(dashboard.markdown_table(summary)),
            "alerts": len(performance_alerts),
            "chart_png_kb": round(len(chart) / 1024, 1),
        },
    )


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"pandas"},
    automation_condition=dg.AutomationCondition.eager(),
)
@measured
def capacity_plan(performance_metrics: pd.DataFrame) -> dg.MaterializeResult:
    """Storage, memory, concurrency and transfer plan from the measured sizes and frequencies."""
    plan = capacity_plan_from_history(performance_metrics, machine_memory_mb(), psutil.cpu_count())
    return dg.MaterializeResult(
        value=plan_as_dict(plan),
        metadata={"plan": dg.MetadataValue.md(plan_as_markdown(plan))},
    )

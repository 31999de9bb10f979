"""Web log assets on the medium (Parquet) tier."""

import dagster as dg
import pandas as pd

from dagster_project.defs.logs import transform
from dagster_project.defs.logs.generate import generate_web_logs
from dagster_project.defs.logs.schemas import WEB_LOGS_RAW_DESCRIPTION, web_logs_raw_schema
from dagster_project.monitoring.step_meter import measured
from dagster_project.quality.schema_check import schema_check_result, schema_check_spec
from dagster_project.resources.synthetic_data import SyntheticDataResource
from dagster_project.tiers import io_manager_key

GROUP = "logs"
IO_MANAGER_KEY = io_manager_key(GROUP)


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"pandas", "parquet"},
    dagster_type=pd.DataFrame,  # see quality/schema_check.py
    check_specs=[schema_check_spec("web_logs_raw", WEB_LOGS_RAW_DESCRIPTION)],
)
@measured
def web_logs_raw(
    context: dg.AssetExecutionContext, synthetic_data: SyntheticDataResource
) -> dg.MaterializeResult:
    """Raw web server access logs (synthetic: 2 million requests, one every 30 seconds)."""
    logs = generate_web_logs(
        synthetic_data.rng(context), n_requests=synthetic_data.rows(2_000_000, minimum=1_000)
    )
    return dg.MaterializeResult(
        value=logs,
        check_results=[schema_check_result("web_logs_raw", web_logs_raw_schema(), logs)],
        metadata={
            "first_request": str(logs["timestamp"].min()),
            "last_request": str(logs["timestamp"].max()),
        },
    )


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"pandas", "parquet"},
    automation_condition=dg.AutomationCondition.eager(),
)
@measured
def web_analytics(web_logs_raw: pd.DataFrame) -> dg.MaterializeResult:
    """Hourly traffic per URL: unique visitors, requests, success rate, mean and p95 latency."""
    analytics = transform.web_analytics(web_logs_raw)
    busiest = analytics.loc[analytics["total_requests"].idxmax()]
    return dg.MaterializeResult(
        value=analytics,
        metadata={
            "processed_hours": int(analytics["hour"].nunique()),
            "total_requests": int(analytics["total_requests"].sum()),
            "avg_success_rate": round(float(analytics["success_rate"].mean()), 4),
            "peak_traffic_hour": str(busiest["hour"]),
        },
    )

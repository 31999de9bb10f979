"""Marketing assets on the small tier, partitioned by day."""

from datetime import timedelta

import dagster as dg
import pandas as pd

from dagster_project.defs.marketing import transform
from dagster_project.defs.marketing.generate import generate_campaigns
from dagster_project.defs.marketing.partitions import DAILY_PARTITIONS
from dagster_project.defs.marketing.schemas import CAMPAIGN_DATA_DESCRIPTION, campaign_data_schema
from dagster_project.monitoring.step_meter import measured
from dagster_project.quality.schema_check import schema_check_result, schema_check_spec
from dagster_project.resources.synthetic_data import SyntheticDataResource
from dagster_project.tiers import io_manager_key

GROUP = "marketing"
IO_MANAGER_KEY = io_manager_key(GROUP)


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    partitions_def=DAILY_PARTITIONS,
    kinds={"pandas"},
    dagster_type=pd.DataFrame,  # see quality/schema_check.py
    check_specs=[schema_check_spec("campaign_data", CAMPAIGN_DATA_DESCRIPTION)],
    # A daily report is late once a day and a half has passed without one.
    freshness_policy=dg.FreshnessPolicy.time_window(
        fail_window=timedelta(hours=36), warn_window=timedelta(hours=26)
    ),
)
@measured
def campaign_data(
    context: dg.AssetExecutionContext, synthetic_data: SyntheticDataResource
) -> dg.MaterializeResult:
    """Daily campaign performance from the ad platforms (synthetic: 50 campaigns a day)."""
    campaigns = generate_campaigns(
        synthetic_data.rng(context),
        n_campaigns=synthetic_data.rows(50, minimum=10),
        day=context.partition_key,
    )
    return dg.MaterializeResult(
        value=campaigns,
        check_results=[schema_check_result("campaign_data", campaign_data_schema(), campaigns)],
        metadata={
            "dagster/row_count": len(campaigns),
            "total_spend": round(float(campaigns["spend"].sum()), 2),
        },
    )


@dg.multi_asset(
    partitions_def=DAILY_PARTITIONS,
    outs={
        "attribution_model": dg.AssetOut(
            group_name=GROUP,
            io_manager_key=IO_MANAGER_KEY,
            kinds={"pandas"},
            description="Last-touch attribution: cost per conversion, conversion rate and CTR.",
        ),
        "channel_performance": dg.AssetOut(
            group_name=GROUP,
            io_manager_key=IO_MANAGER_KEY,
            kinds={"pandas"},
            description="Channel totals and return on ad spend.",
        ),
    },
)
@measured
def marketing_analytics(campaign_data: pd.DataFrame):
    """Attribution per campaign and performance per channel for one day."""
    campaigns = transform.attribution(campaign_data)
    channels = transform.channel_performance(campaign_data)
    best = channels.loc[channels["roas"].idxmax()] if channels["roas"].notna().any() else None
    return (
        dg.MaterializeResult(
            asset_key="attribution_model",
            value=campaigns,
            metadata={
                "dagster/row_count": len(campaigns),
                "median_cost_per_conversion": round(
                    float(campaigns["cost_per_conversion"].median()), 2
                ),
            },
        ),
        dg.MaterializeResult(
            asset_key="channel_performance",
            value=channels,
            metadata={
                "dagster/row_count": len(channels),
                "best_channel": str(best["channel"]) if best is not None else "none",
                "best_roas": round(float(best["roas"]), 3) if best is not None else 0.0,
            },
        ),
    )

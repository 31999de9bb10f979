"""Warehouse assets on the reference tier: only table names pass through Dagster."""

import dagster as dg

from dagster_project.defs.warehouse import sql
from dagster_project.defs.warehouse.generate import generate_transactions
from dagster_project.monitoring.step_meter import measured
from dagster_project.resources.synthetic_data import SyntheticDataResource
from dagster_project.resources.warehouse import WarehouseResource
from dagster_project.servers import Server, talks_to
from dagster_project.tiers import io_manager_key

GROUP = "warehouse"
IO_MANAGER_KEY = io_manager_key(GROUP)
RAW_TRANSACTIONS = "raw.raw_transactions"
TRANSACTIONS_DAILY = "analytics.transactions_daily"
CUSTOMER_SEGMENTS = "analytics.customer_segments"


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"sql", "pandas"},
    **talks_to(Server.WAREHOUSE),
)
@measured
def raw_transactions(
    context: dg.AssetExecutionContext,
    synthetic_data: SyntheticDataResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """Card transactions loaded into the warehouse (synthetic: 1 million over 2024)."""
    transactions = generate_transactions(
        synthetic_data.rng(context),
        n_transactions=synthetic_data.rows(1_000_000, minimum=5_000),
        n_customers=synthetic_data.rows(20_000, minimum=200),
    )
    stats = warehouse.load_dataframe(RAW_TRANSACTIONS, transactions)
    moved = transactions.memory_usage(deep=True).sum()
    return dg.MaterializeResult(
        value=str(stats.table), metadata=stats.as_metadata(bytes_through_dagster=moved)
    )


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"sql"},
    **talks_to(Server.WAREHOUSE),
)
@measured
def transactions_daily(raw_transactions: str, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Daily transactions per customer, segment and category, with total, mean and median amount."""
    stats = warehouse.build_table(
        TRANSACTIONS_DAILY, sql.transactions_daily_sql(warehouse.quote(raw_transactions))
    )
    return dg.MaterializeResult(value=str(stats.table), metadata=stats.as_metadata())


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"sql"},
    **talks_to(Server.WAREHOUSE),
)
@measured
def customer_segments(
    transactions_daily: str, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Customers segmented as VIP, High Value, Regular, New or Inactive from their activity."""
    stats = warehouse.build_table(
        CUSTOMER_SEGMENTS,
        sql.customer_segments_sql(warehouse.quote(transactions_daily)),
        sql.SegmentRules().parameters(),
    )
    counts = warehouse.fetch_frame(
        f"SELECT segment, COUNT(*) AS customers FROM {warehouse.quote(stats.table)} "
        "GROUP BY segment ORDER BY segment"
    )
    return dg.MaterializeResult(
        value=str(stats.table),
        metadata=stats.as_metadata()
        | {
            "customers_per_segment": dict(
                zip(counts["segment"], counts["customers"].astype(int), strict=True)
            )
        },
    )

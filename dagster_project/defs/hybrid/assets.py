"""Hybrid assets on the size router: the small catalog lands in the pickle tier, sales in
Parquet, and the warehouse steps' table names in the reference tier."""

import datetime

import dagster as dg
import pandas as pd

from dagster_project.defs.hybrid import sql
from dagster_project.defs.hybrid.generate import generate_product_catalog, generate_sales
from dagster_project.defs.hybrid.schemas import (
    PRODUCT_CATALOG_DESCRIPTION,
    product_catalog_schema,
)
from dagster_project.monitoring.step_meter import measured
from dagster_project.quality.schema_check import schema_check_result, schema_check_spec
from dagster_project.resources.synthetic_data import SyntheticDataResource
from dagster_project.resources.warehouse import WarehouseResource
from dagster_project.servers import Server, talks_to
from dagster_project.tiers import io_manager_key

GROUP = "hybrid"
IO_MANAGER_KEY = io_manager_key(GROUP)
RAW_SALES_DATA = "raw.raw_sales_data"
MONTHLY_SALES = "analytics.sales_by_customer_month"
SALES_SINCE = datetime.date(2024, 1, 1)


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"pandas"},
    dagster_type=pd.DataFrame,  # see quality/schema_check.py
    check_specs=[schema_check_spec("product_catalog", PRODUCT_CATALOG_DESCRIPTION)],
)
@measured
def product_catalog(
    context: dg.AssetExecutionContext, synthetic_data: SyntheticDataResource
) -> dg.MaterializeResult:
    """Product catalog: small lookup data (synthetic: 1,000 products)."""
    catalog = generate_product_catalog(
        synthetic_data.rng(context), n_products=synthetic_data.rows(1_000, minimum=10)
    )
    return dg.MaterializeResult(
        value=catalog,
        check_results=[schema_check_result("product_catalog", product_catalog_schema(), catalog)],
        metadata={"dagster/row_count": len(catalog)},
    )


@dg.asset(group_name=GROUP, io_manager_key=IO_MANAGER_KEY, kinds={"pandas"})
@measured
def sales_analysis(
    context: dg.AssetExecutionContext,
    synthetic_data: SyntheticDataResource,
    product_catalog: pd.DataFrame,
) -> dg.MaterializeResult:
    """Sales of catalog products over 2024 with their category (synthetic: 5 million sales)."""
    sales = generate_sales(
        synthetic_data.rng(context),
        n_sales=synthetic_data.rows(5_000_000, minimum=1_000),
        catalog=product_catalog,
        n_customers=synthetic_data.rows(100_000, minimum=100),
    )
    return dg.MaterializeResult(
        value=sales,
        metadata={
            "dagster/row_count": len(sales),
            "total_sales": round(float(sales["sale_amount"].sum()), 2),
        },
    )


@dg.asset(
    group_name=GROUP,
    io_manager_key=IO_MANAGER_KEY,
    kinds={"sql", "pandas"},
    **talks_to(Server.WAREHOUSE),
)
@measured
def raw_sales_data(
    sales_analysis: pd.DataFrame, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """The sales, bulk-loaded into the warehouse as the raw source of the monthly aggregation."""
    stats = warehouse.load_dataframe(RAW_SALES_DATA, sales_analysis)
    moved = sales_analysis.memory_usage(deep=True).sum()
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
def big_data_processing(raw_sales_data: str, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Sales per customer and month, aggregated in the warehouse: only the table name returns."""
    stats = warehouse.build_table(
        MONTHLY_SALES,
        sql.monthly_sales_sql(warehouse.quote(raw_sales_data)),
        {"since": SALES_SINCE},
    )
    return dg.MaterializeResult(value=str(stats.table), metadata=stats.as_metadata())

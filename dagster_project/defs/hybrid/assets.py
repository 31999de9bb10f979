"""Hybrid assets on the size router: a small catalog lands in the pickle tier, sales in Parquet."""

import dagster as dg
import pandas as pd

from dagster_project.defs.hybrid.generate import generate_product_catalog, generate_sales
from dagster_project.resources.synthetic_data import SyntheticDataResource
from dagster_project.tiers import io_manager_key

GROUP = "hybrid"
IO_MANAGER_KEY = io_manager_key(GROUP)


@dg.asset(group_name=GROUP, io_manager_key=IO_MANAGER_KEY, kinds={"pandas"})
def product_catalog(
    context: dg.AssetExecutionContext, synthetic_data: SyntheticDataResource
) -> dg.MaterializeResult:
    """Product catalog: small lookup data (synthetic: 1,000 products)."""
    catalog = generate_product_catalog(
        synthetic_data.rng(context), n_products=synthetic_data.rows(1_000, minimum=10)
    )
    return dg.MaterializeResult(value=catalog, metadata={"dagster/row_count": len(catalog)})


@dg.asset(group_name=GROUP, io_manager_key=IO_MANAGER_KEY, kinds={"pandas"})
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

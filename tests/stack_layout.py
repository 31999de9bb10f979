"""Where the whole graph leaves its data, whichever way it ran: the warehouse tables and dbt
models, the Spark datasets, and the object keys of each tier in a stack's bucket. Shared by the
warehouse, native-stack and compose tests."""

WAREHOUSE_TABLES = (
    "raw.raw_transactions",
    "analytics.transactions_daily",
    "analytics.customer_segments",
    "raw.raw_sales_data",
    "analytics.sales_by_customer_month",
    "staging.stg_transactions",
    "marts.dim_customers",
    "marts.fct_daily_revenue_by_category",
    "marts.fct_monthly_sales_by_category",
)
LAKE_DATASETS = {"transactions", "customer_category_summary", "ml/customer_features"}


def assert_each_tier_in_its_own_place(object_keys: set[str]) -> None:
    """The bucket holds each tier's values under its own prefix, in its own format."""
    assert {"storage/small/orders_raw", "storage/small/churn_model"} <= object_keys
    assert "storage/medium/web_logs_raw.parquet" in object_keys
    assert any(key.startswith("storage/time_series/sensor_data/") for key in object_keys)
    assert any(key.startswith("storage/small/campaign_data/") for key in object_keys)
    assert "storage/reference/customer_segments.json" in object_keys
    assert "storage/size_router/sales_analysis.route.json" in object_keys

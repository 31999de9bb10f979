"""The one Definitions: every group present, every asset bound to its group's tier."""

import dagster as dg

from dagster_project.definitions import defs
from dagster_project.tiers import (
    GROUP_TIERS,
    IO_MANAGER_KEYS,
    WAREHOUSE_NATIVE_GROUPS,
    io_manager_key,
)

SEED_ASSET_KEYS = {
    "ecommerce": {
        "orders_raw",
        "customer_ltv",
        "product_performance",
        "churn_training_data",
        "churn_validation_data",
        "churn_test_data",
        "churn_model",
    },
    "marketing": {"campaign_data", "attribution_model", "channel_performance"},
    "logs": {"web_logs_raw", "web_analytics"},
    "iot": {"sensor_data", "sensor_anomalies"},
    "hybrid": {"product_catalog", "sales_analysis", "raw_sales_data", "big_data_processing"},
    "warehouse": {"raw_transactions", "transactions_daily", "customer_segments"},
    "spark": {"lake_transactions", "large_dataset_spark", "ml_features"},
    "dbt": {
        "staging/stg_transactions",
        "staging/stg_sales",
        "marts/fct_daily_revenue_by_category",
        "marts/dim_customers",
        "marts/fct_monthly_sales_by_category",
    },
    "monitoring": {
        "performance_metrics",
        "performance_alerts",
        "performance_dashboard",
        "capacity_plan",
    },
}


def asset_keys_by_group() -> dict[str, set[str]]:
    graph = defs.resolve_asset_graph()
    groups: dict[str, set[str]] = {}
    for key in graph.materializable_asset_keys:
        groups.setdefault(graph.get(key).group_name, set()).add(key.to_user_string())
    return groups


def test_every_group_exists_with_the_seed_asset_names():
    assert asset_keys_by_group() == SEED_ASSET_KEYS
    assert set(GROUP_TIERS) | WAREHOUSE_NATIVE_GROUPS == set(SEED_ASSET_KEYS)


def test_every_asset_is_bound_to_its_groups_tier():
    graph = defs.resolve_asset_graph()
    for key in graph.materializable_asset_keys:
        node = graph.get(key)
        if node.group_name in WAREHOUSE_NATIVE_GROUPS:
            continue
        bound_to = node.assets_def.get_io_manager_key_for_asset_key(key)
        assert bound_to == io_manager_key(node.group_name), key.to_user_string()


def test_every_tier_has_its_io_manager_among_the_resources():
    resources = defs.resources or {}
    assert set(IO_MANAGER_KEYS.values()) <= set(resources)


def test_the_definitions_resolve_and_use_the_in_process_executor():
    repository = defs.get_repository_def()
    assert repository.get_implicit_global_asset_job_def().executor_def is dg.in_process_executor


def test_dbt_sources_lead_back_to_the_assets_that_load_them():
    graph = defs.resolve_asset_graph()

    def parents(name: str) -> set[str]:
        return {key.to_user_string() for key in graph.get(dg.AssetKey(name.split("/"))).parent_keys}

    assert parents("staging/stg_transactions") == {"raw_transactions"}
    assert parents("staging/stg_sales") == {"raw_sales_data"}
    assert parents("marts/dim_customers") == {"customer_segments", "staging/stg_transactions"}


def test_dbt_tests_are_asset_checks_including_source_tests_on_the_loading_assets():
    checks = {
        (key.asset_key.to_user_string(), key.name)
        for key in defs.resolve_asset_graph().asset_check_keys
    }

    assert {
        ("marts/dim_customers", "unique_dim_customers_customer_id"),
        (
            "marts/dim_customers",
            "relationships_dim_customers_customer_id__customer_id__source_analytics_customer_segments_",
        ),
        (
            "marts/dim_customers",
            "accepted_values_dim_customers_segment__VIP__High_Value__Regular__New__Inactive",
        ),
        ("raw_transactions", "source_unique_raw_raw_transactions_transaction_id"),
        (
            "marts/fct_monthly_sales_by_category",
            "assert_monthly_sales_one_row_per_month_and_category",
        ),
    } <= checks

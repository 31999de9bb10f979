"""The dbt group in the loaded definitions: lineage from the assets that load dbt's sources, and
dbt's tests as asset checks."""

import dagster as dg

from dagster_project.definitions import defs


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

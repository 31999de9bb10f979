"""The one Definitions: every group present, every asset bound to its group's tier."""

import dagster as dg

from dagster_project.definitions import defs
from dagster_project.tiers import GROUP_TIERS, IO_MANAGER_KEYS, io_manager_key

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
    "hybrid": {"product_catalog", "sales_analysis"},
}


def asset_keys_by_group() -> dict[str, set[str]]:
    graph = defs.resolve_asset_graph()
    groups: dict[str, set[str]] = {}
    for key in graph.materializable_asset_keys:
        groups.setdefault(graph.get(key).group_name, set()).add(key.to_user_string())
    return groups


def test_every_group_exists_with_the_seed_asset_names():
    assert asset_keys_by_group() == SEED_ASSET_KEYS
    assert set(GROUP_TIERS) == set(SEED_ASSET_KEYS)


def test_every_asset_is_bound_to_its_groups_tier():
    graph = defs.resolve_asset_graph()
    for key in graph.materializable_asset_keys:
        node = graph.get(key)
        bound_to = node.assets_def.get_io_manager_key_for_asset_key(key)
        assert bound_to == io_manager_key(node.group_name), key.to_user_string()


def test_every_tier_has_its_io_manager_among_the_resources():
    resources = defs.resources or {}
    assert set(IO_MANAGER_KEYS.values()) <= set(resources)


def test_the_definitions_resolve_and_use_the_in_process_executor():
    repository = defs.get_repository_def()
    assert repository.get_implicit_global_asset_job_def().executor_def is dg.in_process_executor

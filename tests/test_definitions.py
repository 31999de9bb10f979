"""The one Definitions: every example group present, every asset bound to its group's tier.

The expectations are per example group and hold for the groups whose folder is there, so a fork
that drops a group (docs/template.md, "Drop the examples you do not need") keeps this file as it
is, and a group it adds is checked for its tier only.
"""

from pathlib import Path

import dagster as dg

import dagster_project.defs
from dagster_project.definitions import defs
from dagster_project.tiers import (
    GROUP_TIERS,
    IO_MANAGER_KEYS,
    WAREHOUSE_NATIVE_GROUPS,
    io_manager_key,
)

DEFS_FOLDER = Path(dagster_project.defs.__file__).parent

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


# What the groups define besides assets, recorded from the definitions as they were when the groups
# were listed by hand (33 assets, 38 checks): checks counted by the group whose code declares them
# (dbt's source tests land on warehouse and hybrid assets but come with the dbt group).
SEED_CHECK_COUNTS = {"ecommerce": 1, "marketing": 1, "logs": 1, "iot": 1, "hybrid": 1, "dbt": 33}
SEED_JOBS = {
    "marketing": {"marketing_daily_job"},
    "iot": {"iot_hourly_job"},
    "monitoring": {"storage_cleanup_job"},
}
SEED_SCHEDULES = {
    "marketing": {"marketing_daily_job_schedule"},
    "iot": {"iot_hourly_job_schedule"},
}
SEED_SENSORS = {
    "monitoring": {
        "performance_alert_sensor",
        "resource_monitor_sensor",
        "automation_sensor",
        "run_failure_alert_sensor",
        "asset_check_alert_sensor",
        "queue_alert_sensor",
    },
}
SEED_RESOURCES = {
    *IO_MANAGER_KEYS.values(),
    "io_manager",
    "tier_stores",
    "resource_thresholds",
    "queue_thresholds",
    "synthetic_data",
    "warehouse",
    "spark",
    "alert_channels",
}
SEED_GROUP_RESOURCES: dict[str, set[str]] = {}

PRESENT_SEED_GROUPS = {group for group in SEED_ASSET_KEYS if (DEFS_FOLDER / group).is_dir()}


def expected(names_by_group: dict[str, set[str]]) -> set[str]:
    return set().union(
        *(names for group, names in names_by_group.items() if group in PRESENT_SEED_GROUPS)
    )


def asset_keys_by_group() -> dict[str, set[str]]:
    graph = defs.resolve_asset_graph()
    groups: dict[str, set[str]] = {}
    for key in graph.materializable_asset_keys:
        groups.setdefault(graph.get(key).group_name, set()).add(key.to_user_string())
    return groups


def test_every_example_group_present_has_the_seed_asset_names():
    seed_groups = {
        group: keys for group, keys in asset_keys_by_group().items() if group in SEED_ASSET_KEYS
    }
    assert seed_groups == {group: SEED_ASSET_KEYS[group] for group in PRESENT_SEED_GROUPS}


def test_every_group_has_a_tier():
    assert set(asset_keys_by_group()) <= set(GROUP_TIERS) | WAREHOUSE_NATIVE_GROUPS


def test_the_groups_bring_the_seed_checks_jobs_schedules_sensors_and_resources():
    repository = defs.get_repository_def()
    jobs = {job.name for job in repository.get_all_jobs()} - {"__ASSET_JOB"}
    checks = defs.resolve_asset_graph().asset_check_keys

    assert len(checks) == sum(
        count for group, count in SEED_CHECK_COUNTS.items() if group in PRESENT_SEED_GROUPS
    )
    assert jobs == expected(SEED_JOBS)
    assert {schedule.name for schedule in repository.schedule_defs} == expected(SEED_SCHEDULES)
    assert {sensor.name for sensor in repository.sensor_defs} == expected(SEED_SENSORS)
    assert set(repository.get_top_level_resources()) == SEED_RESOURCES | expected(
        SEED_GROUP_RESOURCES
    )


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

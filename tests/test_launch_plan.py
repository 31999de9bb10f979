"""The launch plan covers the graph with commands the CLI accepts."""

from datetime import UTC, datetime

import dagster as dg
import pytest

from dagster_project.definitions import defs
from dagster_project.defs.iot.partitions import HOURLY_PARTITIONS
from dagster_project.defs.marketing.partitions import DAILY_PARTITIONS
from dagster_project.launch_plan import Launch, launch_plan, stands_alone
from dagster_project.tiers import GROUP_TIERS, WAREHOUSE_NATIVE_GROUPS


def test_the_plan_launches_every_asset_exactly_once():
    plan = launch_plan(defs)
    graph = defs.resolve_asset_graph()
    launched = [
        key
        for launch in plan
        for key in dg.AssetSelection.from_coercible(launch.selection.split(",")).resolve(graph)
    ]

    assert sorted(launched) == sorted(graph.materializable_asset_keys)
    groups = {graph.get(key).group_name for key in launched}
    assert groups == set(GROUP_TIERS) | WAREHOUSE_NATIVE_GROUPS


@pytest.mark.parametrize(
    ("now", "hour", "day"),
    [
        # 14:25: the 14:00 hour and the 10th are still in progress, so neither is launched.
        (datetime(2026, 3, 10, 14, 25, tzinfo=UTC), "2026-03-10-13:00", "2026-03-09"),
        # On the boundary the hour that just ended is complete; a second before it is not.
        (datetime(2026, 3, 10, 14, 0, tzinfo=UTC), "2026-03-10-13:00", "2026-03-09"),
        (datetime(2026, 3, 10, 13, 59, 59, tzinfo=UTC), "2026-03-10-12:00", "2026-03-09"),
        # Just after midnight: yesterday is complete, and so is its last hour.
        (datetime(2026, 3, 11, 0, 0, 1, tzinfo=UTC), "2026-03-10-23:00", "2026-03-10"),
    ],
)
def test_spark_runs_beside_unpartitioned_groups_share_one_run_and_monitoring_comes_last(
    now, hour, day
):
    beside, first, *partitioned, last = launch_plan(defs, now=now)

    # Spark's group stands alone: its own run, beside the others
    assert beside == Launch(groups=("spark",), beside=True)
    # the dbt group mixes its daily model with unpartitioned ones: launched asset by asset
    assert first == Launch(
        groups=("ecommerce", "hybrid", "logs", "warehouse"),
        assets=(
            "marts/dim_customers",
            "marts/fct_monthly_sales_by_category",
            "staging/stg_sales",
            "staging/stg_transactions",
        ),
    )
    assert {(launch.groups, launch.assets): launch.tags() for launch in partitioned} == {
        # a single-run backfill: every day of its window in one run
        ((), ("marts/fct_daily_revenue_by_category",)): {
            "dagster/asset_partition_range_start": "2024-01-01",
            "dagster/asset_partition_range_end": "2024-12-31",
        },
        (("iot",), ()): {"dagster/partition": hour},
        (("marketing",), ()): {"dagster/partition": day},
    }
    assert last == Launch(groups=("monitoring",))


def test_a_plan_before_the_first_complete_partition_is_refused():
    with pytest.raises(
        ValueError, match=r"\['marts/fct_daily_revenue_by_category'\] have no complete"
    ):
        launch_plan(defs, now=datetime(2024, 1, 1, 0, 30, tzinfo=UTC))


def test_a_range_is_one_command_with_the_clis_range_syntax():
    launch = Launch(assets=("marts/fct_daily",), partition_range=("2024-01-01", "2024-01-31"))

    assert launch.command() == [
        "dg",
        "launch",
        "--assets",
        "marts/fct_daily",
        "--partition-range",
        "2024-01-01...2024-01-31",
    ]


def test_commands_name_the_groups_and_the_partition():
    launch = Launch(groups=("iot",), partition_key="2024-01-01-05:00")

    assert launch.command() == [
        "dg",
        "launch",
        "--assets",
        "group:iot",
        "--partition",
        "2024-01-01-05:00",
    ]
    assert Launch(groups=("a", "b")).command() == ["dg", "launch", "--assets", "group:a,group:b"]


def test_a_group_mixing_partitions_definitions_is_launched_asset_by_asset():
    @dg.asset(group_name="mixed", partitions_def=DAILY_PARTITIONS)
    def daily(): ...

    @dg.asset(group_name="mixed", partitions_def=HOURLY_PARTITIONS)
    def hourly(): ...

    @dg.asset(group_name="mixed")
    def whole(): ...

    plan = launch_plan(
        dg.Definitions(assets=[daily, hourly, whole]), now=datetime(2026, 3, 10, 14, 25, tzinfo=UTC)
    )

    assert plan == [
        Launch(assets=("whole",)),
        Launch(assets=("daily",), partition_key="2026-03-09"),
        Launch(assets=("hourly",), partition_key="2026-03-10-13:00"),
    ]


def spark_group_reading(upstream_group: str) -> dg.Definitions:
    @dg.asset(group_name=upstream_group)
    def source() -> int:
        return 1

    @dg.asset(group_name="spark", deps=[source])
    def lake_table() -> None: ...

    return dg.Definitions(assets=[source, lake_table])


def test_a_beside_group_that_depends_on_another_stays_in_the_batch():
    plan = launch_plan(spark_group_reading("ecommerce"))

    assert plan == [Launch(groups=("ecommerce", "spark"))]
    assert stands_alone(spark_group_reading("spark"), "spark")
    assert not stands_alone(spark_group_reading("spark"), "absent")

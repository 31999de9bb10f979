"""The launch plan covers the graph with commands the CLI accepts."""

import dagster as dg
import pytest

from dagster_project.definitions import defs
from dagster_project.defs.iot.partitions import HOURLY_PARTITIONS
from dagster_project.defs.marketing.partitions import DAILY_PARTITIONS
from dagster_project.launch_plan import Launch, launch_plan
from dagster_project.tiers import GROUP_TIERS, WAREHOUSE_NATIVE_GROUPS


def test_the_plan_launches_every_group_exactly_once():
    plan = launch_plan(defs)
    launched = [group for launch in plan for group in launch.groups]

    assert sorted(launched) == sorted(set(GROUP_TIERS) | WAREHOUSE_NATIVE_GROUPS)


def test_unpartitioned_groups_share_one_run_and_come_first_and_monitoring_comes_last():
    first, *partitioned, last = launch_plan(defs)

    assert first == Launch(groups=("dbt", "ecommerce", "hybrid", "logs", "spark", "warehouse"))
    assert {launch.groups: launch.partition_key for launch in partitioned} == {
        ("iot",): HOURLY_PARTITIONS.get_last_partition_key(),
        ("marketing",): DAILY_PARTITIONS.get_last_partition_key(),
    }
    assert last == Launch(groups=("monitoring",))


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


def test_a_group_mixing_partitions_definitions_is_refused():
    @dg.asset(group_name="mixed", partitions_def=DAILY_PARTITIONS)
    def daily(): ...

    @dg.asset(group_name="mixed", partitions_def=HOURLY_PARTITIONS)
    def hourly(): ...

    with pytest.raises(ValueError, match="Group 'mixed' mixes partitions definitions"):
        launch_plan(dg.Definitions(assets=[daily, hourly]))

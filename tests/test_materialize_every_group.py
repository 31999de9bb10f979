"""Every group materializes in process at small scale, following the launch plan."""

import dagster as dg

from dagster_project.definitions import defs
from dagster_project.launch_plan import launch_plan


def test_every_asset_of_every_group_materializes_and_passes_its_checks(
    small_scale_resources, instance
):
    assets = list(defs.assets or [])
    failed_checks = []
    for launch in launch_plan(defs):
        result = dg.materialize(
            assets,
            selection=dg.AssetSelection.groups(*launch.groups),
            partition_key=launch.partition_key,
            resources=small_scale_resources,
            instance=instance,
        )
        assert result.success, launch
        failed_checks += [
            c.check_name for c in result.get_asset_check_evaluations() if not c.passed
        ]

    missing = [
        key.to_user_string()
        for key in defs.resolve_asset_graph().materializable_asset_keys
        if instance.get_latest_materialization_event(key) is None
    ]
    assert missing == []
    assert failed_checks == []


def test_rematerializing_a_partition_reproduces_its_data(small_scale_resources, instance):
    assets = list(defs.assets or [])
    partition = "2024-03-01-12:00"
    stored = []
    for _ in range(2):
        dg.materialize(
            assets,
            selection=["sensor_data"],
            partition_key=partition,
            resources=small_scale_resources,
            instance=instance,
        )
        latest = instance.get_latest_materialization_event(dg.AssetKey("sensor_data"))
        path = latest.asset_materialization.metadata["path"].value
        with open(path, "rb") as file:
            stored.append(file.read())

    assert stored[0] == stored[1]

"""The groups stored in a Parquet tier compute the same values whichever way their inputs'
strings are loaded: Arrow-backed (the default) or as Python objects (``string_storage``)."""

import dagster as dg
import pandas as pd

from dagster_project.definitions import defs
from dagster_project.io_managers.medium import ParquetIOManager
from dagster_project.io_managers.size_router import SizeRouterIOManager
from dagster_project.launch_plan import launch_plan
from dagster_project.tiers import GROUP_TIERS, Tier
from tests.io_managers.stored_values import load

PARQUET_GROUPS = {
    group
    for group, tier in GROUP_TIERS.items()
    if tier in (Tier.MEDIUM, Tier.TIME_SERIES, Tier.SIZE_ROUTER)
}


def rebuilt(resource, **changes):
    """A new resource of the same class and configuration, with ``changes``."""
    fields = {name: getattr(resource, name) for name in type(resource).model_fields}
    return type(resource)(**(fields | changes))


def with_string_storage(resources: dict, storage: str) -> dict:
    """The deployment's resources with every Parquet tier loading strings as ``storage``."""
    changed = dict(resources)
    for key, resource in resources.items():
        if isinstance(resource, ParquetIOManager):
            changed[key] = rebuilt(resource, string_storage=storage)
        elif isinstance(resource, SizeRouterIOManager):
            medium = rebuilt(resource.medium, string_storage=storage)
            changed[key] = rebuilt(resource, medium=medium)
    return changed


def materialize_parquet_groups(resources: dict, instance: dg.DagsterInstance) -> dict:
    """Every asset value of the Parquet groups, by asset, loaded back through its manager."""
    values = {}
    for launch in launch_plan(defs):
        groups = set(launch.groups) & PARQUET_GROUPS
        if not groups:
            continue
        result = dg.materialize(
            list(defs.assets or []),
            selection=dg.AssetSelection.groups(*groups),
            partition_key=launch.partition_key,
            resources=resources,
            instance=instance,
        )
        assert result.success, launch
        for event in result.get_asset_materialization_events():
            key = event.asset_key
            values[key.to_user_string()] = result.asset_value(key)
    return values


def comparable(value):
    """A frame with every string column as ``object`` (missing values as None), so frames from
    either storage compare value by value."""
    if not isinstance(value, pd.DataFrame):
        return value
    strings = [n for n, dtype in value.dtypes.items() if isinstance(dtype, pd.StringDtype)]
    frame = value.astype({name: object for name in strings})
    for name in strings:
        frame[name] = frame[name].where(frame[name].notna(), None)
    return frame


def test_parquet_groups_compute_the_same_values_with_python_strings(
    small_scale_resources, instance
):
    storage = "python"
    assert {"logs", "iot", "hybrid"} == PARQUET_GROUPS
    arrow = materialize_parquet_groups(small_scale_resources, instance)
    python = materialize_parquet_groups(
        with_string_storage(small_scale_resources, storage), instance
    )

    assert arrow.keys() == python.keys()
    # the inputs really came in as Python strings: the python-storage manager loads them so
    resources = with_string_storage(small_scale_resources, storage)
    logs = load(resources["medium_io_manager"], asset="web_logs_raw")
    assert logs["ip_address"].dtype == object
    assert load(small_scale_resources["medium_io_manager"], asset="web_logs_raw")[
        "ip_address"
    ].dtype == pd.StringDtype("pyarrow")
    # and every asset computed the same values from them (outputs as the assets returned them)
    for name, value in python.items():
        expected = comparable(arrow[name])
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(comparable(value), expected, obj=name)
        else:
            assert value == expected, name

"""``python -m dagster_project.plan_from_instance``: print, as markdown, the capacity plan of what
the Dagster instance at ``DAGSTER_HOME`` recorded for this code location's assets (latest sizes,
highest step peaks, how often each asset runs), as the ``capacity_plan`` asset makes it.

It sits beside ``definitions.py`` because it loads them: ``dagster_project.planning`` stays pure
and takes only an inventory file.
"""

import argparse
import sys
from collections.abc import Sequence

import dagster as dg

from dagster_project.definitions import defs
from dagster_project.monitoring.capacity import capacity_plan_from_history
from dagster_project.monitoring.instance_history import MonitoredAsset, asset_history
from dagster_project.planning import CapacityPlan, plan_as_markdown
from dagster_project.planning.cli import add_machine_arguments


def plan_from_instance(
    instance: dg.DagsterInstance, memory_budget_mb: float, cores: int
) -> CapacityPlan:
    """The plan of the materializations ``instance`` recorded for this code location's assets."""
    graph = defs.resolve_asset_graph()
    assets = [
        MonitoredAsset(key, graph.get(key).group_name) for key in graph.materializable_asset_keys
    ]
    return capacity_plan_from_history(asset_history(instance, assets), memory_budget_mb, cores)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dagster_project.plan_from_instance",
        description="Print the capacity plan of the sizes, peaks and frequencies recorded in the "
        "instance at DAGSTER_HOME, as markdown.",
    )
    add_machine_arguments(parser)
    arguments = parser.parse_args(argv)
    try:
        with dg.DagsterInstance.get() as instance:
            plan = plan_from_instance(instance, arguments.memory_budget_mb, arguments.cores)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(plan_as_markdown(plan))
    return 0


if __name__ == "__main__":
    sys.exit(main())

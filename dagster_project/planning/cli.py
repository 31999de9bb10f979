"""``python -m dagster_project.planning``: print the capacity plan as markdown, of an inventory
file (``--inventory``) or of what the Dagster instance at ``DAGSTER_HOME`` measured for this
code location's assets (``--from-instance``).
"""

import argparse
import os
import sys
from collections.abc import Sequence

import psutil

from dagster_project.planning.inventory import InventoryError, load_inventory
from dagster_project.planning.plan import CapacityPlan, Machine
from dagster_project.planning.render import plan_as_markdown
from dagster_project.planning.units import BYTES_PER_MB


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dagster_project.planning",
        description="Print the capacity plan (volume, memory, network, storage cost) as markdown.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--inventory", metavar="FILE.json", help="data inventory (schema: planning/inventory.py)"
    )
    source.add_argument(
        "--from-instance",
        action="store_true",
        help="the sizes, peaks and frequencies recorded in the instance at DAGSTER_HOME",
    )
    parser.add_argument(
        "--memory-budget-mb",
        type=float,
        default=psutil.virtual_memory().total / BYTES_PER_MB,
        help="memory the steps may use, MB (default: this machine's total memory)",
    )
    parser.add_argument(
        "--cores", type=int, default=os.cpu_count() or 1, help="default: this machine's cores"
    )
    return parser


def plan_from_arguments(arguments: argparse.Namespace) -> CapacityPlan:
    if arguments.from_instance:
        return plan_from_instance(arguments.memory_budget_mb, arguments.cores)
    machine = Machine(memory_budget_mb=arguments.memory_budget_mb, cores=arguments.cores)
    return CapacityPlan(inventory=load_inventory(arguments.inventory), machine=machine)


def plan_from_instance(memory_budget_mb: float, cores: int) -> CapacityPlan:
    """The plan of the measured materializations, as the ``capacity_plan`` asset makes it."""
    # Imported here: loading the code location takes seconds, the inventory path needs none of it.
    import dagster as dg

    from dagster_project.definitions import defs
    from dagster_project.monitoring.capacity import capacity_plan_from_history
    from dagster_project.monitoring.instance_history import MonitoredAsset, asset_history

    graph = defs.resolve_asset_graph()
    assets = [
        MonitoredAsset(key, graph.get(key).group_name) for key in graph.materializable_asset_keys
    ]
    with dg.DagsterInstance.get() as instance:
        history = asset_history(instance, assets)
    return capacity_plan_from_history(history, memory_budget_mb, cores)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        plan = plan_from_arguments(arguments)
    except (InventoryError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(plan_as_markdown(plan))
    return 0

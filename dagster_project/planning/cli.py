"""``python -m dagster_project.planning``: print the capacity plan of a data inventory file as
markdown. The plan of what an instance measured comes from ``dagster_project.plan_from_instance``,
which reuses the machine arguments defined here.
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


def add_machine_arguments(parser: argparse.ArgumentParser) -> None:
    """``--memory-budget-mb`` and ``--cores``, defaulting to this machine's."""
    parser.add_argument(
        "--memory-budget-mb",
        type=float,
        default=psutil.virtual_memory().total / BYTES_PER_MB,
        help="memory the steps may use, MB (default: this machine's total memory)",
    )
    parser.add_argument(
        "--cores", type=int, default=os.cpu_count() or 1, help="default: this machine's cores"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dagster_project.planning",
        description="Print the capacity plan (volume, memory, network, storage cost) of a data "
        "inventory as markdown.",
    )
    parser.add_argument(
        "--inventory",
        required=True,
        metavar="FILE.json",
        help="data inventory (schema: planning/inventory.py)",
    )
    add_machine_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        machine = Machine(memory_budget_mb=arguments.memory_budget_mb, cores=arguments.cores)
        plan = CapacityPlan(inventory=load_inventory(arguments.inventory), machine=machine)
    except (InventoryError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(plan_as_markdown(plan))
    return 0

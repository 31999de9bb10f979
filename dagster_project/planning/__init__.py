"""Capacity planning from first principles: data volume, step memory, bandwidth and storage
cost of a data inventory on a given machine, with one definition of each unit (``units``).

Modules: ``inventory`` (what is stored, from JSON), ``memory`` (peak factors, concurrency),
``network`` (rates and egress), ``storage_cost`` (classes by access pattern), ``plan`` (the
combined plan, also from measured assets), ``render`` (markdown and dict), ``cli``.
"""

from dagster_project.planning.inventory import Inventory, InventoryError, load_inventory
from dagster_project.planning.plan import (
    AssetMeasurement,
    CapacityPlan,
    Machine,
    PlanAssumptions,
    plan_from_measurements,
)
from dagster_project.planning.render import plan_as_dict, plan_as_markdown

__all__ = [
    "AssetMeasurement",
    "CapacityPlan",
    "Inventory",
    "InventoryError",
    "Machine",
    "PlanAssumptions",
    "load_inventory",
    "plan_as_dict",
    "plan_as_markdown",
    "plan_from_measurements",
]

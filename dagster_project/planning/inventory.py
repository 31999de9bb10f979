"""A data inventory: groups of similar assets, and the volume they write and keep.

Sizes are binary: 1 GB = 1024 MB (see ``units``). An inventory is loaded from a JSON file::

    {
      "categories": [
        {
          "name": "small_assets",        required, unique
          "tier": "small",               required: small, medium, time_series, reference,
                                         size_router (the tiers of dagster_project.tiers)
          "count": 150,                  required integer >= 0: assets in the category
          "average_size_mb": 5,          required >= 0: stored size of one materialization
          "runs_per_day": 24,            required >= 0: materializations of each asset per day
          "retention_days": 30,          required >= 0: how long each written version is kept
          "average_memory_size_mb": 12,  optional >= 0: the value's size in memory
                                         (default: average_size_mb)
          "reads_per_day": 24            optional >= 0: loads of each asset per day by
                                         downstream steps (default: runs_per_day)
        }
      ]
    }

Unknown fields are refused rather than ignored, so that a misspelt optional field cannot
silently fall back to its default.
"""

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster_project.planning.units import MB_PER_GB
from dagster_project.tiers import Tier

REQUIRED_NUMBERS = ("count", "average_size_mb", "runs_per_day", "retention_days")
OPTIONAL_NUMBERS = ("average_memory_size_mb", "reads_per_day")
KNOWN_FIELDS = ("name", "tier", *REQUIRED_NUMBERS, *OPTIONAL_NUMBERS)


class InventoryError(ValueError):
    """An inventory file that cannot be planned from; the message names the file and field."""


def number_problem(field: str, value: object) -> str | None:
    """Why ``value`` is not acceptable for the numeric ``field``, or None when it is."""
    # bool is an int in Python; true/false in a size field is a mistake, not 1/0.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number, got {value!r}"
    if not math.isfinite(value) or value < 0:
        return f"must be a finite number >= 0, got {value!r}"
    if field == "count" and value != int(value):
        return f"must be a whole number of assets, got {value!r}"
    return None


@dataclass(frozen=True)
class AssetCategory:
    """Assets alike enough to plan as one: ``count`` of them, each with the average figures."""

    name: str
    tier: Tier
    count: int
    average_size_mb: float
    runs_per_day: float
    retention_days: float
    average_memory_size_mb: float
    reads_per_day: float

    def __post_init__(self) -> None:
        for field in (*REQUIRED_NUMBERS, *OPTIONAL_NUMBERS):
            problem = number_problem(field, getattr(self, field))
            if problem:
                raise ValueError(f"asset category {self.name!r}: {field} {problem}")
        if not isinstance(self.tier, Tier):
            raise ValueError(f"asset category {self.name!r}: tier must be a Tier")

    @property
    def daily_written_gb(self) -> float:
        return self.count * self.average_size_mb * self.runs_per_day / MB_PER_GB

    @property
    def daily_read_gb(self) -> float:
        return self.count * self.average_size_mb * self.reads_per_day / MB_PER_GB

    @property
    def retained_gb(self) -> float:
        """Every version written within the retention period, and never less than the current
        value: an asset run weekly with one day of retention still keeps its latest copy."""
        versions_kept = max(self.runs_per_day * self.retention_days, 1.0)
        return self.count * self.average_size_mb * versions_kept / MB_PER_GB


@dataclass(frozen=True)
class Inventory:
    categories: tuple[AssetCategory, ...]

    @property
    def daily_written_gb(self) -> float:
        return sum(category.daily_written_gb for category in self.categories)

    @property
    def daily_read_gb(self) -> float:
        return sum(category.daily_read_gb for category in self.categories)

    @property
    def retained_gb(self) -> float:
        return sum(category.retained_gb for category in self.categories)


def load_inventory(path: str | Path) -> Inventory:
    """Read an inventory JSON file (schema in the module docstring)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except OSError as error:
        raise InventoryError(f"{path}: cannot read the inventory: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise InventoryError(f"{path}: not valid JSON: {error}") from error
    return inventory_from_dict(data, source=str(path))


def inventory_from_dict(data: Any, source: str = "inventory") -> Inventory:
    """Build an inventory from parsed JSON; ``source`` (usually the file) prefixes each error."""
    if not isinstance(data, Mapping) or not isinstance(data.get("categories"), list):
        raise InventoryError(f"{source}: expected an object with a 'categories' list")
    categories = tuple(
        _category(raw, f"{source}: categories[{index}]")
        for index, raw in enumerate(data["categories"])
    )
    names = [category.name for category in categories]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InventoryError(f"{source}: duplicate category names {duplicates}")
    return Inventory(categories)


def _category(raw: Any, where: str) -> AssetCategory:
    if not isinstance(raw, Mapping):
        raise InventoryError(f"{where}: expected an object, got {raw!r}")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise InventoryError(f"{where}: field 'name' is missing or not a non-empty string")
    where = f"{where} ({name})"
    unknown = sorted(set(raw) - set(KNOWN_FIELDS))
    if unknown:
        raise InventoryError(f"{where}: unknown field(s) {unknown}; known: {list(KNOWN_FIELDS)}")
    for field in ("tier", *REQUIRED_NUMBERS):
        if field not in raw:
            raise InventoryError(f"{where}: field '{field}' is missing")
    for field in (*REQUIRED_NUMBERS, *OPTIONAL_NUMBERS):
        problem = number_problem(field, raw[field]) if field in raw else None
        if problem:
            raise InventoryError(f"{where}: field '{field}' {problem}")
    try:
        tier = Tier(raw["tier"])
    except ValueError:
        raise InventoryError(
            f"{where}: field 'tier' is {raw['tier']!r}, not one of {[t.value for t in Tier]}"
        ) from None
    return AssetCategory(
        name=name,
        tier=tier,
        count=int(raw["count"]),
        average_size_mb=raw["average_size_mb"],
        runs_per_day=raw["runs_per_day"],
        retention_days=raw["retention_days"],
        # A value's size in memory defaults to its stored size (an underestimate for Parquet,
        # which compresses); by default each materialization is read once downstream.
        average_memory_size_mb=raw.get("average_memory_size_mb", raw["average_size_mb"]),
        reads_per_day=raw.get("reads_per_day", raw["runs_per_day"]),
    )

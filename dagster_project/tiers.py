"""The data-size tiers and which asset group is bound to which: read the whole binding here.

| group | tier | I/O manager |
| --- | --- | --- |
| ecommerce, marketing, monitoring | small | atomic pickle (S3 pickle in the stack) |
| logs | medium | Parquet |
| iot | time_series | partition-aware Parquet |
| warehouse | reference | table names only: the data stays in the warehouse |
| spark | reference | lake URIs only: Spark reads and writes the data |
| hybrid | size_router | small or medium by measured size; table names to reference |

dbt models are assets too, but store nothing through an I/O manager: dbt writes them in the
warehouse itself. Their group is listed in ``WAREHOUSE_NATIVE_GROUPS``.
"""

from enum import StrEnum


class Tier(StrEnum):
    SMALL = "small"
    MEDIUM = "medium"
    TIME_SERIES = "time_series"
    REFERENCE = "reference"
    SIZE_ROUTER = "size_router"


IO_MANAGER_KEYS: dict[Tier, str] = {tier: f"{tier.value}_io_manager" for tier in Tier}

GROUP_TIERS: dict[str, Tier] = {
    "ecommerce": Tier.SMALL,
    "marketing": Tier.SMALL,
    "monitoring": Tier.SMALL,
    "logs": Tier.MEDIUM,
    "iot": Tier.TIME_SERIES,
    "hybrid": Tier.SIZE_ROUTER,
    "warehouse": Tier.REFERENCE,
    "spark": Tier.REFERENCE,
}

WAREHOUSE_NATIVE_GROUPS = frozenset({"dbt"})


def io_manager_key(group: str) -> str:
    """The resource key of the I/O manager that stores ``group``'s assets."""
    return IO_MANAGER_KEYS[GROUP_TIERS[group]]

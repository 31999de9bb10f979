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

A new group needs one line in ``GROUP_TIERS``; until it has one, loading the definitions fails
with a message naming each of its assets and the line to add (``check_tier_bindings``).
"""

from collections.abc import Iterable
from enum import StrEnum

import dagster as dg


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

# The group Dagster gives an asset declared without group_name (as `dg scaffold defs` writes it).
DAGSTER_DEFAULT_GROUP = "default"
NO_GROUP_HINT = " Or give the asset its folder's group: group_name='<folder>'."


class UnboundGroupError(Exception):
    """An asset whose group has no tier, or that is not stored by its group's tier."""


def io_manager_key(group: str) -> str:
    """The resource key of the I/O manager that stores ``group``'s assets.

    A group without a tier gets a key no resource provides instead of an error here: the group's
    module is imported before any of its assets exist, and ``check_tier_bindings`` can then name
    each asset in the message.
    """
    tier = GROUP_TIERS.get(group)
    return IO_MANAGER_KEYS[tier] if tier else f"{group}_has_no_tier"


def tier_line(group: str) -> str:
    """The line of ``GROUP_TIERS`` binding ``group`` (to the small tier; pick another at will)."""
    return f'"{group}": Tier.SMALL,'


def check_tier_bindings(assets: Iterable[object]) -> dict[dg.AssetKey, Tier]:
    """Fail, naming the asset, its group and the line to add to this file, when an asset that
    Dagster stores is in a group without a tier or is not stored by its group's tier; else
    return the tier of each asset checked."""
    problems, checked = [], {}
    for assets_def in assets:
        if not isinstance(assets_def, dg.AssetsDefinition) or not assets_def.is_materializable:
            continue
        for key in sorted(assets_def.keys):
            group = assets_def.group_names_by_key[key]
            if group in WAREHOUSE_NATIVE_GROUPS:
                continue
            asset = key.to_user_string()
            if group not in GROUP_TIERS:
                problems.append(
                    f"Asset '{asset}' is in group '{group}', which has no tier: add the line "
                    f"`{tier_line(group)}` to GROUP_TIERS in dagster_project/tiers.py (or another "
                    f"Tier: {', '.join(tier.name for tier in Tier)})."
                    + (NO_GROUP_HINT if group == DAGSTER_DEFAULT_GROUP else "")
                )
            elif (stored_by := assets_def.get_io_manager_key_for_asset_key(key)) != (
                expected := io_manager_key(group)
            ):
                problems.append(
                    f"Asset '{asset}' of group '{group}' is stored by '{stored_by}', not by its "
                    f"tier's '{expected}': give its decorator "
                    f"io_manager_key=io_manager_key('{group}') (from dagster_project.tiers)."
                )
            else:
                checked[key] = GROUP_TIERS[group]
    if problems:
        raise UnboundGroupError("\n".join(problems))
    return checked

"""Daily and retained volumes on hand-worked cases, and errors that name the file and field."""

import json
import re
from pathlib import Path

import pytest

from dagster_project.planning.inventory import (
    AssetCategory,
    InventoryError,
    inventory_from_dict,
    load_inventory,
)
from dagster_project.tiers import Tier


def category(**overrides) -> dict:
    fields = {
        "name": "small_assets",
        "tier": "small",
        "count": 150,
        "average_size_mb": 5,
        "runs_per_day": 24,
        "retention_days": 30,
    }
    return fields | overrides


def write_inventory(tmp_path: Path, *categories: dict) -> Path:
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps({"categories": list(categories)}))
    return path


def test_the_example_inventory_volumes(example_inventory_path):
    small, medium, large = load_inventory(example_inventory_path).categories

    # small: 150 * 5 MB * 24/day = 18,000 MB/day / 1024 = 17.578125 GB/day, * 30 days
    assert small.daily_written_gb == pytest.approx(17.578125)
    assert small.retained_gb == pytest.approx(527.34375)
    # medium: 50 * 100 MB * 4/day = 20,000 MB/day = 19.53125 GB/day, * 90 days
    assert medium.daily_written_gb == pytest.approx(19.53125)
    assert medium.retained_gb == pytest.approx(1757.8125)
    # large: 10 * 2000 MB * 1/day = 20,000 MB/day = 19.53125 GB/day, * 365 days
    assert large.daily_written_gb == pytest.approx(19.53125)
    assert large.retained_gb == pytest.approx(7128.90625)
    assert large.tier is Tier.REFERENCE


def test_the_example_inventory_totals(example_inventory_path):
    inventory = load_inventory(example_inventory_path)

    # 17.578125 + 19.53125 + 19.53125; 527.34375 + 1757.8125 + 7128.90625
    assert inventory.daily_written_gb == pytest.approx(56.640625)
    assert inventory.retained_gb == pytest.approx(9414.0625)


def test_optional_fields_default_to_stored_size_and_one_read_per_run(tmp_path):
    (defaulted, given) = load_inventory(
        write_inventory(
            tmp_path,
            category(name="a"),
            category(name="b", average_memory_size_mb=12.5, reads_per_day=2),
        )
    ).categories

    assert (defaulted.average_memory_size_mb, defaulted.reads_per_day) == (5, 24)
    assert (given.average_memory_size_mb, given.reads_per_day) == (12.5, 2)
    # reads: 150 * 5 MB * 2/day = 1500 MB/day = 1.46484375 GB/day
    assert given.daily_read_gb == pytest.approx(1.46484375)


def test_the_current_copy_is_kept_even_when_retention_is_shorter_than_a_run_interval():
    weekly = AssetCategory(
        name="weekly",
        tier=Tier.MEDIUM,
        count=1,
        average_size_mb=1024,
        runs_per_day=1 / 7,
        retention_days=1,
        average_memory_size_mb=1024,
        reads_per_day=1 / 7,
    )

    # 1/7 run a day * 1 day = 1/7 of a version, but the latest 1 GB version is always stored.
    assert weekly.retained_gb == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"count": -3}, r"field 'count' must be a finite number >= 0, got -3"),
        ({"average_size_mb": "5"}, r"field 'average_size_mb' must be a number, got '5'"),
        ({"runs_per_day": True}, r"field 'runs_per_day' must be a number, got True"),
        ({"count": 1.5}, r"field 'count' must be a whole number of assets, got 1.5"),
        ({"reads_per_day": -1}, r"field 'reads_per_day' must be a finite number >= 0"),
        ({"tier": "tiny"}, r"field 'tier' is 'tiny', not one of \['small', 'medium'"),
        ({"avg_size_mb": 5}, r"unknown field\(s\) \['avg_size_mb'\]"),
    ],
)
def test_bad_values_name_the_file_the_category_and_the_field(tmp_path, overrides, message):
    path = write_inventory(tmp_path, category(name="ok"), category(**overrides))

    with pytest.raises(InventoryError, match=message) as raised:
        load_inventory(path)
    assert str(raised.value).startswith(f"{path}: categories[1] (small_assets): ")


def test_a_missing_field_is_named(tmp_path):
    fields = category()
    del fields["retention_days"]

    with pytest.raises(
        InventoryError, match=r"\(small_assets\): field 'retention_days' is missing"
    ):
        load_inventory(write_inventory(tmp_path, fields))


def test_a_missing_tier_is_named(tmp_path):
    fields = category()
    del fields["tier"]

    with pytest.raises(InventoryError, match="field 'tier' is missing"):
        load_inventory(write_inventory(tmp_path, fields))


def test_duplicate_category_names_are_refused(tmp_path):
    with pytest.raises(InventoryError, match=r"duplicate category names \['small_assets'\]"):
        load_inventory(write_inventory(tmp_path, category(), category()))


def test_a_file_that_is_not_json_is_named(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"categories": [')

    with pytest.raises(InventoryError, match=f"^{re.escape(str(path))}: not valid JSON"):
        load_inventory(path)


def test_a_missing_file_is_named(tmp_path):
    path = tmp_path / "absent.json"

    with pytest.raises(InventoryError, match=f"^{re.escape(str(path))}: cannot read the inventory"):
        load_inventory(path)


def test_the_categories_list_is_required():
    with pytest.raises(InventoryError, match=r"^inline: expected an object with a 'categories'"):
        inventory_from_dict({"small_assets": {}}, source="inline")


def test_categories_built_in_code_are_validated_too():
    with pytest.raises(ValueError, match="'broken': average_size_mb must be a finite number"):
        AssetCategory(
            name="broken",
            tier=Tier.SMALL,
            count=1,
            average_size_mb=float("nan"),
            runs_per_day=1,
            retention_days=1,
            average_memory_size_mb=1,
            reads_per_day=1,
        )

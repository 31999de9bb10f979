"""Monthly cost by class with retrieval fees and minimum durations, and the recommendation."""

import pytest

from dagster_project.planning.inventory import AssetCategory
from dagster_project.planning.storage_cost import (
    EXAMPLE_S3_CLASSES,
    AccessPattern,
    AccessThresholds,
    monthly_cost_usd,
    recommend_storage,
)
from dagster_project.tiers import Tier


def one_gb_daily(retention_days: float, reads_per_day: float) -> AssetCategory:
    return AssetCategory(
        name="archive",
        tier=Tier.MEDIUM,
        count=1,
        average_size_mb=1024,
        runs_per_day=1,
        retention_days=retention_days,
        average_memory_size_mb=1024,
        reads_per_day=reads_per_day,
    )


@pytest.mark.parametrize(
    ("reads_per_day", "pattern"),
    [(1.01, "hot"), (1.0, "warm"), (0.11, "warm"), (0.1, "cold"), (0, "cold")],
)
def test_access_pattern_by_reads_per_day(reads_per_day, pattern):
    assert AccessThresholds().classify(reads_per_day) == AccessPattern(pattern)


def test_thresholds_are_parameters():
    assert AccessThresholds(hot_above_reads_per_day=10).classify(5) == AccessPattern.WARM


def test_the_seed_large_assets_move_to_infrequent_access(example_inventory_path):
    from dagster_project.planning.inventory import load_inventory

    large = load_inventory(example_inventory_path).categories[2]
    recommendation = recommend_storage(large)

    # 7128.90625 GB retained * 0.023 = 163.9648 USD in Standard. One read a day is warm:
    # Standard-IA 7128.90625 * 0.0125 = 89.1113 plus retrieval of 19.53125 GB/day * 365/12
    # days = 594.0755 GB * 0.01 = 5.9408: 95.0521 USD, a saving of 68.9128 USD.
    assert recommendation.access == AccessPattern.WARM
    assert recommendation.current_usd_per_month == pytest.approx(163.96484375)
    assert recommendation.recommended_class == "s3_standard_ia"
    assert recommendation.recommended_usd_per_month == pytest.approx(95.0520833)
    assert recommendation.saving_usd_per_month == pytest.approx(68.9127604)


def test_cold_data_kept_a_year_moves_to_glacier():
    recommendation = recommend_storage(one_gb_daily(retention_days=365, reads_per_day=0.05))

    # Standard: 365 GB * 0.023 = 8.395. Glacier IR: 365 * 0.004 = 1.46 plus 1 GB * 0.05/day
    # * 365/12 days = 1.5208 GB * 0.03 = 0.045625: 1.505625; saving 6.889375.
    assert recommendation.recommended_class == "s3_glacier_instant_retrieval"
    assert recommendation.recommended_usd_per_month == pytest.approx(1.505625)
    assert recommendation.saving_usd_per_month == pytest.approx(6.889375)


def test_the_minimum_duration_can_make_the_colder_class_dearer():
    category = one_gb_daily(retention_days=7, reads_per_day=0.05)

    # Standard: 7 GB * 0.023 = 0.161. Glacier IR bills 90 days of versions: 90 * 0.004 = 0.36
    # plus 0.045625 retrieval = 0.405625. Cold, yet staying in Standard is cheaper.
    assert monthly_cost_usd(category, EXAMPLE_S3_CLASSES.hot) == pytest.approx(0.161)
    assert monthly_cost_usd(category, EXAMPLE_S3_CLASSES.cold) == pytest.approx(0.405625)
    recommendation = recommend_storage(category)
    assert recommendation.access == AccessPattern.COLD
    assert recommendation.recommended_class == "s3_standard"
    assert recommendation.saving_usd_per_month == 0

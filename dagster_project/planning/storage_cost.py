"""Monthly storage cost by storage class, and the cheaper class an access pattern allows.

A category is hot, warm or cold by how often each of its assets is read per day. Colder classes
store for less but charge per GB read back and bill a minimum storage duration, so the saving
counts both: a class is recommended only when it is cheaper with its retrieval fees included.
Request fees and minimum object sizes are left out (negligible for objects of megabytes).
"""

from dataclasses import dataclass
from enum import StrEnum

from dagster_project.planning.inventory import AssetCategory
from dagster_project.planning.units import DAYS_PER_MONTH, MB_PER_GB


class AccessPattern(StrEnum):
    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


@dataclass(frozen=True)
class AccessThresholds:
    """Reads per asset per day above which a category counts as hot, or as warm."""

    hot_above_reads_per_day: float = 1.0
    warm_above_reads_per_day: float = 0.1

    def classify(self, reads_per_day: float) -> AccessPattern:
        if reads_per_day > self.hot_above_reads_per_day:
            return AccessPattern.HOT
        if reads_per_day > self.warm_above_reads_per_day:
            return AccessPattern.WARM
        return AccessPattern.COLD


DEFAULT_ACCESS_THRESHOLDS = AccessThresholds()


@dataclass(frozen=True)
class StorageClass:
    name: str
    usd_per_gb_month: float
    retrieval_usd_per_gb: float = 0.0
    minimum_storage_days: float = 0.0


@dataclass(frozen=True)
class StorageClasses:
    """The class each access pattern maps to; ``hot`` is also where data is stored today."""

    hot: StorageClass
    warm: StorageClass
    cold: StorageClass

    def for_pattern(self, pattern: AccessPattern) -> StorageClass:
        return getattr(self, pattern.value)


# Example list prices of Amazon S3 in us-east-1 as published in 2024 (first 50 TB, USD per GB
# of 2**30 bytes): Standard, Standard-IA and Glacier Instant Retrieval. Prices change and
# differ by region and provider: pass your own.
STORAGE_PRICES_AS_OF = "2024"
EXAMPLE_S3_CLASSES = StorageClasses(
    hot=StorageClass("s3_standard", usd_per_gb_month=0.023),
    warm=StorageClass(
        "s3_standard_ia",
        usd_per_gb_month=0.0125,
        retrieval_usd_per_gb=0.01,
        minimum_storage_days=30,
    ),
    cold=StorageClass(
        "s3_glacier_instant_retrieval",
        usd_per_gb_month=0.004,
        retrieval_usd_per_gb=0.03,
        minimum_storage_days=90,
    ),
)


def monthly_cost_usd(category: AssetCategory, storage_class: StorageClass) -> float:
    """Storage of the retained versions plus the fee for reading them back, per month.

    A version deleted before the class's minimum duration is billed as if kept that long, so the
    billed versions are those written in ``max(retention, minimum)`` days (at least one).
    """
    billed_days = max(category.retention_days, storage_class.minimum_storage_days)
    versions_billed = max(category.runs_per_day * billed_days, 1.0)
    billed_gb = category.count * category.average_size_mb * versions_billed / MB_PER_GB
    read_gb_per_month = category.daily_read_gb * DAYS_PER_MONTH
    return (
        billed_gb * storage_class.usd_per_gb_month
        + read_gb_per_month * storage_class.retrieval_usd_per_gb
    )


@dataclass(frozen=True)
class StorageRecommendation:
    category: str
    access: AccessPattern
    current_class: str
    current_usd_per_month: float
    recommended_class: str
    recommended_usd_per_month: float

    @property
    def saving_usd_per_month(self) -> float:
        return self.current_usd_per_month - self.recommended_usd_per_month


def recommend_storage(
    category: AssetCategory,
    classes: StorageClasses = EXAMPLE_S3_CLASSES,
    thresholds: AccessThresholds = DEFAULT_ACCESS_THRESHOLDS,
) -> StorageRecommendation:
    """The class the category's access pattern maps to, when it is cheaper than the hot class."""
    access = thresholds.classify(category.reads_per_day)
    current_usd = monthly_cost_usd(category, classes.hot)
    candidate = classes.for_pattern(access)
    candidate_usd = monthly_cost_usd(category, candidate)
    recommended, recommended_usd = (
        (candidate, candidate_usd) if candidate_usd < current_usd else (classes.hot, current_usd)
    )
    return StorageRecommendation(
        category=category.name,
        access=access,
        current_class=classes.hot.name,
        current_usd_per_month=current_usd,
        recommended_class=recommended.name,
        recommended_usd_per_month=recommended_usd,
    )

"""A capacity plan: an inventory's volume, memory, network and storage cost on one machine.

``CapacityPlan`` is built from an inventory (a JSON file, see ``inventory``) or, through
``plan_from_measurements``, from figures measured when the assets materialized. Measured peaks
replace the peak-factor estimate for the assets that have them. Units: MB = 2**20 bytes,
GB = 1024 MB, Mbit = 10**6 bits.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dagster_project.planning.inventory import AssetCategory, Inventory, number_problem
from dagster_project.planning.memory import (
    DEFAULT_HEADROOM,
    LOCAL_PEAK_FACTORS,
    STEP_PROCESS_BASELINE_MB,
    PeakFactors,
    largest_safe_concurrency,
    parallel_peak_mb,
    sequential_peak_mb,
    working_memory_mb,
)
from dagster_project.planning.network import (
    EXAMPLE_EGRESS_USD_PER_GB,
    PROTOCOL_OVERHEAD,
    RETRY_FACTOR,
    TRANSFER_WINDOW_HOURS,
    Bandwidth,
    bandwidth,
    monthly_egress_usd,
)
from dagster_project.planning.storage_cost import (
    DEFAULT_ACCESS_THRESHOLDS,
    EXAMPLE_S3_CLASSES,
    AccessThresholds,
    StorageClasses,
    StorageRecommendation,
    recommend_storage,
)
from dagster_project.tiers import Tier


@dataclass(frozen=True)
class Machine:
    """Where the steps run: the memory they may use and the cores they share."""

    memory_budget_mb: float
    cores: int

    def __post_init__(self) -> None:
        if self.memory_budget_mb <= 0 or self.cores < 1:
            raise ValueError(f"a machine needs memory > 0 and at least one core, got {self}")


@dataclass(frozen=True)
class PlanAssumptions:
    """Every figure the plan takes on trust; the defaults are documented where they are defined."""

    peak_factors: PeakFactors = LOCAL_PEAK_FACTORS
    baseline_mb: float = STEP_PROCESS_BASELINE_MB
    headroom: float = DEFAULT_HEADROOM
    transfer_window_hours: float = TRANSFER_WINDOW_HOURS
    protocol_overhead: float = PROTOCOL_OVERHEAD
    retry_factor: float = RETRY_FACTOR
    egress_usd_per_gb: float = EXAMPLE_EGRESS_USD_PER_GB["aws"]
    # Share of downloaded bytes billed as egress: 1 when the steps run outside the object
    # store's cloud region (a laptop, another provider), 0 when they run in the same region.
    egress_fraction: float = 1.0
    storage_classes: StorageClasses = EXAMPLE_S3_CLASSES
    access_thresholds: AccessThresholds = DEFAULT_ACCESS_THRESHOLDS


@dataclass(frozen=True)
class CategoryMemory:
    """What one step of a category needs above its process's baseline, and where that came from."""

    category: str
    tier: Tier
    count: int
    memory_size_mb: float
    working_mb: float
    measured: bool


@dataclass(frozen=True)
class CapacityPlan:
    inventory: Inventory
    machine: Machine
    assumptions: PlanAssumptions = PlanAssumptions()
    # Peak RSS of a step's process while it materialized (baseline included), by category name.
    measured_peak_mb: Mapping[str, float] = field(default_factory=dict)

    @property
    def usable_memory_mb(self) -> float:
        return self.machine.memory_budget_mb * self.assumptions.headroom

    @property
    def category_memory(self) -> tuple[CategoryMemory, ...]:
        return tuple(self._category_memory(category) for category in self.inventory.categories)

    def _category_memory(self, category: AssetCategory) -> CategoryMemory:
        measured = self.measured_peak_mb.get(category.name)
        if measured is None:
            working = working_memory_mb(
                category.average_memory_size_mb, category.tier, self.assumptions.peak_factors
            )
        else:
            working = max(measured - self.assumptions.baseline_mb, 0.0)
        return CategoryMemory(
            category=category.name,
            tier=category.tier,
            count=category.count,
            memory_size_mb=category.average_memory_size_mb,
            working_mb=working,
            measured=measured is not None,
        )

    def step_working_mb(self, tier: Tier | None = None) -> list[float]:
        """One entry per asset (a category of n assets is n steps), optionally of one tier."""
        return [
            memory.working_mb
            for memory in self.category_memory
            if tier is None or memory.tier == tier
            for _ in range(memory.count)
        ]

    @property
    def sequential_peak_mb(self) -> float:
        return sequential_peak_mb(self.step_working_mb(), self.assumptions.baseline_mb)

    @property
    def memory_safe_concurrency(self) -> int:
        return largest_safe_concurrency(
            self.step_working_mb(),
            self.machine.memory_budget_mb,
            self.assumptions.headroom,
            self.assumptions.baseline_mb,
        )

    @property
    def recommended_concurrency(self) -> int:
        """Memory permitting, one step per core: more would only queue for the CPU."""
        return min(self.memory_safe_concurrency, self.machine.cores)

    @property
    def parallel_peak_mb(self) -> float:
        return parallel_peak_mb(
            self.step_working_mb(), self.recommended_concurrency, self.assumptions.baseline_mb
        )

    @property
    def memory_for_all_cores_mb(self) -> float:
        """The budget at which every core could run a step, the largest ones together."""
        peak = parallel_peak_mb(
            self.step_working_mb(), self.machine.cores, self.assumptions.baseline_mb
        )
        return peak / self.assumptions.headroom

    def memory_by_tier(self) -> list[dict[str, Any]]:
        rows = []
        for tier in Tier:
            steps = self.step_working_mb(tier)
            if not steps:
                continue
            rows.append(
                {
                    "tier": tier.value,
                    "steps": len(steps),
                    "largest_working_mb": max(steps),
                    "sequential_peak_mb": sequential_peak_mb(steps, self.assumptions.baseline_mb),
                    "memory_safe_concurrency": largest_safe_concurrency(
                        steps,
                        self.machine.memory_budget_mb,
                        self.assumptions.headroom,
                        self.assumptions.baseline_mb,
                    ),
                }
            )
        return rows

    @property
    def bandwidth(self) -> Bandwidth:
        return bandwidth(
            self.inventory.daily_written_gb,
            self.inventory.daily_read_gb,
            self.assumptions.transfer_window_hours,
            self.assumptions.protocol_overhead,
            self.assumptions.retry_factor,
        )

    @property
    def monthly_egress_usd(self) -> float:
        return monthly_egress_usd(
            self.inventory.daily_read_gb * self.assumptions.egress_fraction,
            self.assumptions.egress_usd_per_gb,
            self.assumptions.retry_factor,
        )

    @property
    def storage(self) -> tuple[StorageRecommendation, ...]:
        return tuple(
            recommend_storage(
                category, self.assumptions.storage_classes, self.assumptions.access_thresholds
            )
            for category in self.inventory.categories
        )


@dataclass(frozen=True)
class AssetMeasurement:
    """What one asset's materializations measured, as a Dagster monitoring asset reads it from
    the instance's event log; one record per asset (for a partitioned asset: a typical
    partition, with ``runs_per_day`` the partitions materialized per day).

    - ``asset_key``: the key as a string, e.g. ``"logs/web_logs_raw"``.
    - ``tier``: the tier its group is bound to (``dagster_project.tiers``), a ``Tier`` or its value.
    - ``size_mb``: bytes stored by one materialization, in MB.
    - ``memory_size_mb``: the value's size in memory (pandas ``memory_usage(deep=True)``).
    - ``peak_memory_mb``: the step process's peak RSS during the materialization, baseline
      included (VmHWM since the step reset it, ``monitoring.peak_memory``); None when not
      measured, and the tier's peak factor estimates it. The plan subtracts the baseline
      process; under the in-process executor the process also holds what earlier steps left
      behind, so the working memory derived from it errs on the high side.
    - ``runs_per_day``: materializations per day; ``retention_days``: how long versions are kept.
    """

    asset_key: str
    tier: Tier
    size_mb: float
    memory_size_mb: float
    peak_memory_mb: float | None
    runs_per_day: float
    retention_days: float

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "tier", Tier(self.tier))
        except ValueError:
            tiers = [tier.value for tier in Tier]
            raise ValueError(
                f"asset {self.asset_key}: tier {self.tier!r} is not one of {tiers}"
            ) from None
        for name in (
            "size_mb",
            "memory_size_mb",
            "peak_memory_mb",
            "runs_per_day",
            "retention_days",
        ):
            value = getattr(self, name)
            problem = None if value is None else number_problem(name, value)
            if problem:
                raise ValueError(f"asset {self.asset_key}: {name} {problem}")


def inventory_from_measurements(measurements: Sequence[AssetMeasurement]) -> Inventory:
    """One category per measured asset; each materialization is assumed read once downstream."""
    keys = [measurement.asset_key for measurement in measurements]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f"one measurement per asset expected; repeated: {duplicates}")
    return Inventory(
        tuple(
            AssetCategory(
                name=measurement.asset_key,
                tier=measurement.tier,
                count=1,
                average_size_mb=measurement.size_mb,
                runs_per_day=measurement.runs_per_day,
                retention_days=measurement.retention_days,
                average_memory_size_mb=measurement.memory_size_mb,
                reads_per_day=measurement.runs_per_day,
            )
            for measurement in measurements
        )
    )


def plan_from_measurements(
    measurements: Sequence[AssetMeasurement],
    machine: Machine,
    assumptions: PlanAssumptions = PlanAssumptions(),
) -> CapacityPlan:
    """The capacity plan of measured assets; measured peaks replace the peak-factor estimates."""
    return CapacityPlan(
        inventory=inventory_from_measurements(measurements),
        machine=machine,
        assumptions=assumptions,
        measured_peak_mb={
            measurement.asset_key: measurement.peak_memory_mb
            for measurement in measurements
            if measurement.peak_memory_mb is not None
        },
    )

"""Sequential and parallel peaks, and the concurrency that fits, at and around its boundaries."""

import random

import pytest

from dagster_project.planning.memory import (
    LOCAL_PEAK_FACTORS,
    STACK_PEAK_FACTORS,
    PeakFactors,
    largest_safe_concurrency,
    parallel_peak_mb,
    sequential_peak_mb,
    working_memory_mb,
)
from dagster_project.tiers import Tier

# Baseline 100 MB; steps needing 300, 200 and 100 MB on top:
# 1 step: 100 + 300 = 400; 2 steps: 2*100 + 300 + 200 = 700; 3 steps: 3*100 + 600 = 900.
STEPS = [100.0, 300.0, 200.0]
BASELINE = 100.0


def test_each_tier_uses_the_factor_of_the_way_it_writes():
    factors = PeakFactors(pickle=2.0, parquet=1.5, reference=0.0)

    assert factors.for_tier(Tier.SMALL) == 2.0
    assert factors.for_tier(Tier.MEDIUM) == 1.5
    assert factors.for_tier(Tier.TIME_SERIES) == 1.5
    assert factors.for_tier(Tier.REFERENCE) == 0.0
    assert factors.for_tier(Tier.SIZE_ROUTER) == 2.0  # either writer: the hungrier one


def test_a_100_mb_value_needs_the_measured_multiples_to_be_written():
    # The factors the module documents as measured: pickle to a file 2.4, pickle to S3 3.4 (the
    # bytes are built in memory, then uploaded), Parquet with zstd 1.64; a reference costs nothing.
    local = {tier: working_memory_mb(100.0, tier, LOCAL_PEAK_FACTORS) for tier in Tier}
    stack = {tier: working_memory_mb(100.0, tier, STACK_PEAK_FACTORS) for tier in Tier}

    assert local == pytest.approx(
        {
            Tier.SMALL: 240.0,
            Tier.MEDIUM: 164.0,
            Tier.TIME_SERIES: 164.0,
            Tier.REFERENCE: 0.0,
            Tier.SIZE_ROUTER: 240.0,
        }
    )
    assert stack == pytest.approx({**local, Tier.SMALL: 340.0, Tier.SIZE_ROUTER: 340.0})


def test_working_memory_is_size_times_factor():
    # 200 MB * 3.4 = 680 MB to pickle to S3
    assert working_memory_mb(200, Tier.SMALL, STACK_PEAK_FACTORS) == pytest.approx(680)


def test_sequential_peak_is_one_baseline_and_the_largest_step():
    assert sequential_peak_mb(STEPS, baseline_mb=BASELINE) == 400  # 100 + 300
    assert sequential_peak_mb([], baseline_mb=BASELINE) == 100


@pytest.mark.parametrize(("concurrency", "peak"), [(0, 0), (1, 400), (2, 700), (3, 900), (9, 900)])
def test_parallel_peak_is_k_baselines_and_the_k_largest_steps(concurrency, peak):
    assert parallel_peak_mb(STEPS, concurrency, baseline_mb=BASELINE) == peak


@pytest.mark.parametrize(
    ("budget_mb", "expected"),
    [
        (799, 0),  # usable 399.5 < 400: not even the largest step alone
        (800, 1),  # usable 400: the largest step exactly
        (1399, 1),  # usable 699.5 < 700
        (1400, 2),  # usable 700: two exactly
        (1799, 2),  # usable 899.5 < 900
        (1800, 3),  # usable 900: every step, exactly
        (10**6, 3),  # never more than there are steps
    ],
)
def test_largest_safe_concurrency_at_its_boundaries(budget_mb, expected):
    # headroom 0.5 keeps the usable memory exact in binary floating point
    assert largest_safe_concurrency(STEPS, budget_mb, 0.5, baseline_mb=BASELINE) == expected


def test_no_steps_need_no_concurrency():
    assert largest_safe_concurrency([], 4096) == 0


def test_when_every_step_fits_all_of_them_run_not_count_minus_one():
    # Factor 2.5 and no baseline: 12.5 + 25 + 125 + 250 + 500 + 1250 = 2162.5 MB
    # <= 0.8 * 4096 = 3276.8 MB, so all 6 fit (a loop that stops one early would answer 5).
    working = [size * 2.5 for size in [5, 10, 50, 100, 200, 500]]

    assert largest_safe_concurrency(working, 4096, 0.8, baseline_mb=0) == 6


def test_the_answer_fits_and_one_more_would_not_on_random_cases():
    rng = random.Random(7)
    for _ in range(500):
        steps = [rng.uniform(0, 2000) for _ in range(rng.randint(1, 12))]
        budget, headroom = rng.uniform(0, 20_000), rng.uniform(0.1, 1)
        baseline = rng.uniform(0, 500)

        k = largest_safe_concurrency(steps, budget, headroom, baseline_mb=baseline)

        assert parallel_peak_mb(steps, k, baseline) <= budget * headroom + 1e-9
        if k < len(steps):
            assert parallel_peak_mb(steps, k + 1, baseline) > budget * headroom


@pytest.mark.parametrize("headroom", [0, -0.1, 1.01])
def test_headroom_outside_zero_to_one_is_refused(headroom):
    with pytest.raises(ValueError, match="headroom"):
        largest_safe_concurrency(STEPS, 1000, headroom)


def test_negative_memory_is_refused():
    with pytest.raises(ValueError, match=">= 0"):
        largest_safe_concurrency([-1.0], 1000)

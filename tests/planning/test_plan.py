"""The combined plan on the example inventory and on measured assets, worked by hand."""

import json

import pytest

from dagster_project.planning.inventory import load_inventory
from dagster_project.planning.memory import STACK_PEAK_FACTORS
from dagster_project.planning.plan import (
    AssetMeasurement,
    CapacityPlan,
    Machine,
    PlanAssumptions,
    inventory_from_measurements,
    plan_from_measurements,
)
from dagster_project.planning.render import plan_as_dict, plan_as_markdown
from dagster_project.tiers import Tier

# Round figures so that the arithmetic in the comments is exact: factors pickle 2.4, Parquet
# 1.64, reference 0; baseline 270 MB; headroom 0.8; no protocol overhead or retries.
ASSUMPTIONS = PlanAssumptions(
    protocol_overhead=1.0, retry_factor=1.0, transfer_window_hours=8, egress_usd_per_gb=0.09
)


@pytest.fixture
def example_plan(example_inventory_path) -> CapacityPlan:
    return CapacityPlan(load_inventory(example_inventory_path), Machine(4096, 2), ASSUMPTIONS)


def test_example_plan_memory(example_plan):
    # Working memory per step: small 5 * 2.4 = 12, medium 100 * 1.64 = 164, reference 0.
    assert [m.working_mb for m in example_plan.category_memory] == pytest.approx([12, 164, 0])
    # One step at a time: 270 + 164 = 434 MB.
    assert example_plan.sequential_peak_mb == pytest.approx(434)
    # Usable 4096 * 0.8 = 3276.8 MB; medium steps take 434 each: 7 * 434 = 3038 fits,
    # 8 * 434 = 3472 does not.
    assert example_plan.memory_safe_concurrency == 7
    # Two cores: 2 steps, 2 * 434 = 868 MB; one step per core needs 868 / 0.8 = 1085 MB.
    assert example_plan.recommended_concurrency == 2
    assert example_plan.parallel_peak_mb == pytest.approx(868)
    assert example_plan.memory_for_all_cores_mb == pytest.approx(1085)


def test_example_plan_memory_by_tier(example_plan):
    rows = {row["tier"]: row for row in example_plan.memory_by_tier()}

    # small alone: 270 + 12 = 282 per step; 3276.8 / 282 = 11.6 -> 11
    assert rows["small"]["steps"] == 150
    assert rows["small"]["sequential_peak_mb"] == pytest.approx(282)
    assert rows["small"]["memory_safe_concurrency"] == 11
    # reference: 270 per step; 3276.8 / 270 = 12.1, but there are only 10 steps
    assert rows["reference"]["memory_safe_concurrency"] == 10
    assert "time_series" not in rows


def test_example_plan_network_and_storage(example_plan):
    # 56.640625 GB = 58,000 MB written and (one read per run) read a day, in 8 h = 28,800 s
    assert example_plan.bandwidth.upload_mb_per_s == pytest.approx(58000 / 28800)
    assert example_plan.bandwidth.required_mbit_per_s == pytest.approx(58000 / 28800 * 8.388608)
    # 56.640625 GB/day * 365/12 days * 0.09 USD = 155.0537 USD
    assert example_plan.monthly_egress_usd == pytest.approx(155.0537, rel=1e-6)
    # Standard: 527.34375 * 0.023 = 12.1289, 1757.8125 * 0.023 = 40.4297; large to IA: 95.0521
    assert [s.recommended_usd_per_month for s in example_plan.storage] == pytest.approx(
        [12.12890625, 40.4296875, 95.0520833]
    )


def test_no_egress_when_the_steps_run_beside_the_store(example_inventory_path):
    plan = CapacityPlan(
        load_inventory(example_inventory_path),
        Machine(4096, 2),
        PlanAssumptions(egress_fraction=0.0),
    )

    assert plan.monthly_egress_usd == 0


def test_the_stack_pickles_to_s3(example_inventory_path):
    plan = CapacityPlan(
        load_inventory(example_inventory_path),
        Machine(4096, 2),
        PlanAssumptions(peak_factors=STACK_PEAK_FACTORS),
    )

    assert plan.category_memory[0].working_mb == pytest.approx(17)  # 5 MB * 3.4


def test_a_machine_too_small_for_the_largest_step_says_so(example_inventory_path):
    # usable 500 * 0.8 = 400 MB < 434 MB for one medium step
    plan = CapacityPlan(load_inventory(example_inventory_path), Machine(500, 2))

    assert plan.memory_safe_concurrency == 0
    assert plan.recommended_concurrency == 0
    assert "The largest step alone needs 434.0 MB, more than the usable 400 MB" in (
        plan_as_markdown(plan)
    )


def test_the_markdown_has_every_section_and_the_key_figures(example_plan):
    markdown = plan_as_markdown(example_plan)

    for heading in ("## Data volume", "## Memory", "## Network", "## Storage cost"):
        assert heading in markdown
    assert "| **total** |  | 210 |  |  |  | 56.641 | 9,414.1 |" in markdown
    assert "run at most **2**" in markdown
    assert "| large_assets | warm | s3_standard | 163.96 | s3_standard_ia | 95.05 | 68.91 |" in (
        markdown
    )


def test_the_dict_is_json_and_matches_the_plan(example_plan):
    data = json.loads(json.dumps(plan_as_dict(example_plan)))

    assert data["volume"]["written_gb_per_day"] == pytest.approx(56.640625)
    assert data["memory"]["recommended_concurrency"] == 2
    assert data["storage"]["recommendations"][2]["recommended_class"] == "s3_standard_ia"


WEB_LOGS = AssetMeasurement(
    asset_key="logs/web_logs_raw",
    tier="medium",
    size_mb=40,
    memory_size_mb=200,
    peak_memory_mb=900,
    runs_per_day=24,
    retention_days=7,
)
ORDERS = AssetMeasurement(
    asset_key="ecommerce/orders",
    tier=Tier.SMALL,
    size_mb=2,
    memory_size_mb=10,
    peak_memory_mb=None,
    runs_per_day=1,
    retention_days=30,
)


def test_measured_peaks_replace_the_factor_estimate():
    plan = plan_from_measurements([WEB_LOGS, ORDERS], Machine(2048, 2))

    # web logs measured 900 MB peak: 900 - 270 = 630 MB above the baseline (the factor would
    # have said 200 * 1.64 = 328); orders unmeasured: 10 * 2.4 = 24.
    memory = {m.category: m for m in plan.category_memory}
    assert memory["logs/web_logs_raw"].working_mb == pytest.approx(630)
    assert memory["logs/web_logs_raw"].measured
    assert memory["ecommerce/orders"].working_mb == pytest.approx(24)
    assert not memory["ecommerce/orders"].measured
    # 270 + 630 = 900 alone; both: 900 + 270 + 24 = 1194 <= 2048 * 0.8 = 1638.4
    assert plan.sequential_peak_mb == pytest.approx(900)
    assert plan.memory_safe_concurrency == 2


def test_a_measured_peak_below_the_baseline_needs_nothing_extra():
    small_peak = AssetMeasurement("a", "small", 1, 1, 200, 1, 1)

    plan = plan_from_measurements([small_peak], Machine(2048, 2))

    assert plan.category_memory[0].working_mb == 0


def test_measurements_become_one_category_per_asset():
    web_logs, orders = inventory_from_measurements([WEB_LOGS, ORDERS]).categories

    assert web_logs.tier is Tier.MEDIUM
    assert (web_logs.count, web_logs.average_memory_size_mb) == (1, 200)
    # 40 MB * 24/day = 960 MB = 0.9375 GB/day, kept 7 days: 6.5625 GB
    assert web_logs.daily_written_gb == pytest.approx(0.9375)
    assert web_logs.retained_gb == pytest.approx(6.5625)
    # 2 MB * 1/day * 30 days = 60 MB = 0.05859375 GB
    assert orders.retained_gb == pytest.approx(0.05859375)


def test_a_measurement_with_an_unknown_tier_names_the_asset():
    with pytest.raises(ValueError, match="asset logs/x: tier 'parquet' is not one of"):
        AssetMeasurement("logs/x", "parquet", 1, 1, None, 1, 1)


def test_a_negative_measurement_names_the_asset_and_field():
    with pytest.raises(ValueError, match="asset logs/x: peak_memory_mb must be a finite number"):
        AssetMeasurement("logs/x", "medium", 1, 1, -5, 1, 1)


def test_one_measurement_per_asset():
    with pytest.raises(ValueError, match=r"repeated: \['logs/web_logs_raw'\]"):
        plan_from_measurements([WEB_LOGS, WEB_LOGS], Machine(2048, 2))

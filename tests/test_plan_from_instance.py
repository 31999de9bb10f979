"""The capacity plan of what an instance recorded for this code location's assets."""

import dagster as dg
import pytest

from dagster_project.plan_from_instance import main, plan_from_instance
from dagster_project.tiers import Tier


def record_web_logs(instance: dg.DagsterInstance, file_size_mb: float) -> None:
    instance.report_runless_asset_event(
        dg.AssetMaterialization(
            "web_logs_raw",
            metadata={
                "file_size_mb": file_size_mb,
                "memory_size_mb": 3 * file_size_mb,
                "peak_memory_mb": 600.0,
            },
        )
    )


def test_plans_the_recorded_assets_with_their_group_tier(instance):
    record_web_logs(instance, 10.0)
    record_web_logs(instance, 12.0)

    plan = plan_from_instance(instance, memory_budget_mb=4096, cores=2)

    [category] = plan.inventory.categories
    assert (category.name, category.tier) == ("web_logs_raw", Tier.MEDIUM)
    assert category.average_size_mb == 12.0
    assert plan.measured_peak_mb == {"web_logs_raw": 600.0}


def test_prints_the_plan_of_the_instance_at_dagster_home(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    (tmp_path / "dagster.yaml").write_text("")
    with dg.DagsterInstance.get() as instance:
        record_web_logs(instance, 10.0)

    assert main(["--memory-budget-mb", "4096", "--cores", "2"]) == 0

    printed = capsys.readouterr().out
    assert printed.startswith("# Capacity plan\n")
    assert "4,096 MB of memory" in printed
    assert "| web_logs_raw | medium |" in printed


def test_a_bad_machine_is_an_error(capsys):
    with pytest.raises(SystemExit):
        main(["--cores", "two"])
    assert "--cores" in capsys.readouterr().err

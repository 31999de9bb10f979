"""``python -m dagster_project.planning`` in a subprocess, as a user runs it."""

import json
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def run_planner(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dagster_project.planning", *arguments],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_prints_the_plan_of_the_example_inventory(example_inventory_path):
    result = run_planner(
        "--inventory", str(example_inventory_path), "--memory-budget-mb", "4096", "--cores", "2"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Capacity plan\n")
    assert "4,096 MB of memory" in result.stdout
    assert "| **total** |  | 210 |  |  |  | 56.641 | 9,414.1 |" in result.stdout
    # 7 medium steps of 434 MB fit in 3276.8 MB; 2 cores cap it at 2
    assert "Memory allows 7 steps at once" in result.stdout
    assert "run at most **2**" in result.stdout


def test_a_bad_inventory_is_an_error_naming_the_file_and_field(tmp_path):
    path = tmp_path / "inventory.json"
    path.write_text(
        json.dumps(
            {
                "categories": [
                    {
                        "name": "small_assets",
                        "tier": "small",
                        "count": -1,
                        "average_size_mb": 5,
                        "runs_per_day": 24,
                        "retention_days": 30,
                    }
                ]
            }
        )
    )

    result = run_planner("--inventory", str(path))

    assert result.returncode == 2
    assert result.stdout == ""
    assert f"{path}: categories[0] (small_assets): field 'count'" in result.stderr


def test_the_inventory_is_required():
    result = run_planner("--cores", "2")

    assert result.returncode == 2
    assert "--inventory" in result.stderr

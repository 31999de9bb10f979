"""The main job's script, run for real: `dg launch` per batch into a persistent instance."""

import os
import subprocess
from pathlib import Path

import dagster as dg

from dagster_project.definitions import defs
from dagster_project.launch_plan import launch_plan

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


def test_the_main_job_materializes_every_asset_into_dagster_home(tmp_path):
    dagster_home = tmp_path / "dagster_home"
    completed = subprocess.run(
        ["bash", "scripts/materialize-all.sh"],
        cwd=REPOSITORY_ROOT,
        env={
            **os.environ,
            "DAGSTER_HOME": str(dagster_home),
            "DATA_SCALE": "0.01",
            "STORAGE_URL": str(tmp_path / "storage"),
        },
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    for launch in launch_plan(defs):
        assert f"$ {' '.join(launch.command())}" in completed.stdout
    assert (dagster_home / "dagster.yaml").read_text() == (
        REPOSITORY_ROOT / "dagster.yaml"
    ).read_text()
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        missing = [
            key.to_user_string()
            for key in defs.resolve_asset_graph().materializable_asset_keys
            if instance.get_latest_materialization_event(key) is None
        ]
        runs = instance.get_runs()
    assert missing == []
    assert len(runs) == len(launch_plan(defs))
    assert all(run.is_success for run in runs)

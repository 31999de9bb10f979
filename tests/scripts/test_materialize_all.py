"""The Quick start, run for real: the main job's `dg launch` calls fill a persistent instance,
and `dagster dev` started by scripts/dev.sh then shows every run and asset."""

import os
import subprocess
from pathlib import Path

import dagster as dg
import pytest
import requests

from dagster_project.definitions import defs
from dagster_project.launch_plan import launch_plan
from tests.processes import free_port, stop_process_group, wait_until

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
ASSETS_AND_RUNS = """
{
  repositoriesOrError { ... on RepositoryConnection { nodes { name } } }
  assetNodes { assetKey { path } }
  runsOrError { ... on Runs { results { runId status } } }
}
"""


def asset_names() -> set[str]:
    return {key.to_user_string() for key in defs.resolve_asset_graph().materializable_asset_keys}


def small_scale_environ(folder: Path, lake: Path) -> dict[str, str]:
    """The main job's environment at DATA_SCALE=0.01, every store under ``folder``."""
    return {
        **os.environ,
        "DAGSTER_HOME": str(folder / "dagster_home"),
        "DATA_SCALE": "0.01",
        "STORAGE_URL": str(folder / "storage"),
        "WAREHOUSE_URL": f"duckdb:///{folder / 'warehouse.duckdb'}",
        "LAKE_URL": f"file://{lake}",
    }


def run_main_job(environ: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "scripts/materialize-all.sh"],
        cwd=REPOSITORY_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def main_job(tmp_path_factory) -> tuple[dict[str, str], subprocess.CompletedProcess, list]:
    """Run scripts/materialize-all.sh once at small scale into a fresh DAGSTER_HOME."""
    folder = tmp_path_factory.mktemp("quick_start")
    environ = small_scale_environ(folder, lake=folder / "lake")
    plan_before = launch_plan(defs)
    completed = run_main_job(environ)
    return environ, completed, plan_before


def test_the_main_job_prints_and_runs_every_launch(main_job):
    _, completed, plan_before = main_job

    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    # The latest complete hour can change while the script runs: it used the plan of either end.
    printed = [
        [f"$ {' '.join(launch.command())}" in completed.stdout for launch in plan]
        for plan in (plan_before, launch_plan(defs))
    ]
    assert all(printed[0]) or all(printed[1]), completed.stdout[-3000:]


def test_the_instance_holds_a_materialization_of_every_asset(main_job):
    environ, _, _ = main_job
    dagster_home = Path(environ["DAGSTER_HOME"])

    assert (dagster_home / "dagster.yaml").read_bytes() == (
        REPOSITORY_ROOT / "dagster.yaml"
    ).read_bytes()
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        materialized = {
            name
            for name in asset_names()
            if instance.get_latest_materialization_event(dg.AssetKey.from_user_string(name))
        }
        runs = instance.get_runs()
    assert materialized == asset_names()
    assert len(runs) == len(launch_plan(defs))
    assert all(run.is_success for run in runs)


def test_dagster_dev_shows_every_run_and_asset(main_job, tmp_path):
    environ, _, _ = main_job
    port = free_port()
    graphql_url = f"http://127.0.0.1:{port}/graphql"

    def query() -> dict:
        response = requests.post(graphql_url, json={"query": ASSETS_AND_RUNS}, timeout=30)
        response.raise_for_status()
        return response.json()["data"]

    with open(tmp_path / "dagster_dev.log", "w") as log:
        dev = subprocess.Popen(
            ["bash", "scripts/dev.sh"],
            cwd=REPOSITORY_ROOT,
            env={**environ, "DAGSTER_WEBSERVER_PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until(
                lambda: bool(query()["repositoriesOrError"].get("nodes")),
                dev,
                "dagster dev with the code location loaded",
            )
            data = query()
        finally:
            stop_process_group(dev)

    assert {"/".join(node["assetKey"]["path"]) for node in data["assetNodes"]} == asset_names()
    statuses = [run["status"] for run in data["runsOrError"]["results"]]
    assert statuses == ["SUCCESS"] * len(launch_plan(defs))


def test_a_failing_launch_beside_the_others_fails_the_job_and_strands_nothing(tmp_path):
    """The Spark group's launch fails (its lake is under a regular file): the script says so
    with the end of its log and exits 1, the runs in its own process still succeed, and no run
    is left unfinished."""
    (tmp_path / "not_a_folder").write_text("")
    environ = small_scale_environ(tmp_path, lake=tmp_path / "not_a_folder" / "lake")
    completed = run_main_job(environ)

    assert completed.returncode == 1, completed.stdout[-3000:]
    assert "Failed: dg launch --assets group:spark (exit 1)" in completed.stderr
    log = tmp_path / "dagster_home" / "launches" / "spark.log"
    assert str(log) in completed.stderr and "not_a_folder" in log.read_text()
    assert "$ dg launch --assets group:monitoring" not in completed.stdout  # stopped before it
    with dg.DagsterInstance.from_config(environ["DAGSTER_HOME"]) as instance:
        runs = instance.get_runs()
    statuses = {run.tags.get("dagster/step_selection", run.job_name): run.status for run in runs}
    assert all(run.is_finished for run in runs), statuses
    assert [run.status for run in runs].count(dg.DagsterRunStatus.FAILURE) == 1
    assert [run.status for run in runs].count(dg.DagsterRunStatus.SUCCESS) == len(runs) - 1

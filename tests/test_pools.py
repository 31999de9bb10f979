"""Concurrency pools across runs: two `dg launch` runs that both write the DuckDB warehouse, the
second started while the first is in its warehouse steps, both succeed, because the instance's
pool admits one warehouse step at a time
(a DuckDB file has a single writer: without the pool the second writer fails, see
tests/resources/test_warehouse.py::test_a_duckdb_file_held_by_another_process_is_reported_clearly)."""

import itertools
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg

from dagster_project.servers import POOLS, Server

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
# The warehouse group's steps (each writes the warehouse), and dbt's source tests on them
WAREHOUSE_POOL_STEPS = [
    "raw_transactions",
    "transactions_daily",
    "customer_segments",
    "dbt_models",
    "dbt_models_2",
]


def launch_warehouse_group(environ: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        ["dg", "launch", "--assets", "group:warehouse"],
        cwd=REPOSITORY_ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def step_intervals(instance: dg.DagsterInstance) -> list[tuple[float, float, str]]:
    """(start, end, step) of every step of every run, from the instance's event log."""
    intervals = []
    for run in instance.get_runs():
        started: dict[str, float] = {}
        for record in instance.all_logs(run.run_id):
            event = record.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type == dg.DagsterEventType.STEP_START:
                started[event.step_key] = record.timestamp
            elif event.event_type == dg.DagsterEventType.STEP_SUCCESS:
                intervals.append((started[event.step_key], record.timestamp, event.step_key))
    return intervals


def test_two_runs_writing_duckdb_at_once_both_succeed_one_step_at_a_time(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPOSITORY_ROOT / "dagster.yaml", home / "dagster.yaml")
    bin_folder = str(Path(sys.executable).parent)
    environ = {
        **os.environ,
        "PATH": f"{bin_folder}:{os.environ['PATH']}",
        "DAGSTER_HOME": str(home),
        "DATA_SCALE": "0.05",
        "STORAGE_URL": str(tmp_path / "storage"),
        "WAREHOUSE_URL": f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
        "LAKE_URL": f"file://{tmp_path / 'lake'}",
    }

    # The SQLite storage is created once first: two processes creating it at the same moment race
    # on its schema migrations, which is not what this test is about.
    dg.DagsterInstance.from_config(str(home)).dispose()

    # The second run starts once the first holds the pool: Dagster's SQLite storage cannot lock
    # a slot's row, so two claims in the same few milliseconds may both succeed
    # (docs/known-limits.md); after that, the pool makes the second run wait.
    runs = [launch_warehouse_group(environ)]
    with dg.DagsterInstance.from_config(str(home)) as instance:
        deadline = time.monotonic() + 300
        while not instance.event_log_storage.get_concurrency_info("warehouse").claimed_slots:
            assert time.monotonic() < deadline and runs[0].poll() is None, "no claim in 300 s"
            time.sleep(0.05)
    runs.append(launch_warehouse_group(environ))
    outputs = [run.communicate(timeout=600)[0] for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs[0][-3000:] + outputs[1][-3000:]
    with dg.DagsterInstance.from_config(str(home)) as instance:
        records = instance.get_run_records()
        assert [record.dagster_run.status for record in records] == [
            dg.DagsterRunStatus.SUCCESS
        ] * 2
        intervals = sorted(step_intervals(instance))
        blocked = [
            record
            for run in records
            for record in instance.all_logs(run.dagster_run.run_id)
            if f"blocked by limit for pool {POOLS[Server.WAREHOUSE]}" in record.message
        ]
    steps = sorted(step for _, _, step in intervals)
    assert steps == sorted(WAREHOUSE_POOL_STEPS * 2), steps  # every step is in the pool, twice
    for (_, end, _), (start, _, _) in itertools.pairwise(intervals):
        assert end <= start, intervals  # never two warehouse steps at once
    # the runs did run at the same time: one of them waited for the pool
    assert blocked

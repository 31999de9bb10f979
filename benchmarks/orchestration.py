"""The graph runs of sections 2 to 4: each in a fresh process over empty temporary storage.

Each run gets its own ``DAGSTER_HOME`` (the repository's ``dagster.yaml``), tier storage,
DuckDB warehouse and Spark lake, so no run reads what another wrote and nothing touches
``.local/``. After the run the storage folder is walked file by file (section 3) and the lake's
size measured (the data the Spark group keeps out of Dagster).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
RUN_TIMEOUT_S = 3 * 3600


@dataclass
class GraphRun:
    """What one graph run reported, plus the bytes found on its storage and lake."""

    executor: str
    data_scale: float
    report: dict[str, Any]
    storage_files: list[tuple[str, int]] = field(default_factory=list)
    lake_bytes: int = 0

    @property
    def runs(self) -> list[dict[str, Any]]:
        return self.report["runs"]

    @property
    def steps(self) -> int:
        return sum(len(run["step_seconds"]) for run in self.runs)

    @property
    def wall_seconds(self) -> float:
        return sum(run["wall_seconds"] for run in self.runs)

    @property
    def step_seconds(self) -> float:
        return sum(sum(run["step_seconds"].values()) for run in self.runs)

    @property
    def resource_init_seconds(self) -> float:
        return sum(run["resource_init_seconds"] for run in self.runs)

    @property
    def resource_seconds(self) -> dict[str, float]:
        """Set-up time of each resource, summed over the runs (and step processes)."""
        total: dict[str, float] = {}
        for run in self.runs:
            for resource, seconds in run.get("resource_seconds", {}).items():
                total[resource] = total.get(resource, 0.0) + seconds
        return total

    @property
    def overhead_seconds(self) -> float:
        return self.wall_seconds - self.step_seconds


def graph_environment(folder: Path, data_scale: float) -> dict[str, str]:
    """The process environment of a run over empty storage in ``folder``."""
    home = folder / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(REPOSITORY_ROOT / "dagster.yaml", home / "dagster.yaml")
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DAGSTER_DEPLOYMENT", "SPARK_MASTER_URL", "PARQUET_COMPRESSION")
    }
    return environ | {
        "DAGSTER_HOME": str(home),
        "DATA_SCALE": f"{data_scale:g}",
        "STORAGE_URL": str(folder / "storage"),
        "WAREHOUSE_URL": f"duckdb:///{folder / 'warehouse.duckdb'}",
        "LAKE_URL": f"file://{folder / 'lake'}",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(REPOSITORY_ROOT), os.environ.get("PYTHONPATH")])
        ),
    }


def run_graph(executor: str, data_scale: float, groups: list[str] | None = None) -> GraphRun:
    """Run ``groups`` (default: all) on ``executor`` in a fresh process; raise with its log."""
    with tempfile.TemporaryDirectory(prefix=f"benchmark-graph-{executor}-") as scratch:
        folder = Path(scratch)
        output, log = folder / "report.json", folder / "run.log"
        command = [
            sys.executable,
            "-m",
            "benchmarks.graph_run",
            "--executor",
            executor,
            "--output",
            str(output),
        ]
        if groups:
            command += ["--groups", ",".join(groups)]
        with open(log, "w") as log_file:
            completed = subprocess.run(
                command,
                cwd=REPOSITORY_ROOT,
                env=graph_environment(folder, data_scale),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                timeout=RUN_TIMEOUT_S,
                check=False,
            )
        if completed.returncode != 0 or not output.exists():
            tail = log.read_text()[-4000:]
            raise RuntimeError(f"graph run on {executor} exited {completed.returncode}:\n{tail}")
        storage = folder / "storage"
        return GraphRun(
            executor=executor,
            data_scale=data_scale,
            report=json.loads(output.read_text()),
            storage_files=[
                (str(path.relative_to(storage)), path.stat().st_size)
                for path in sorted(storage.rglob("*"))
                if path.is_file()
            ],
            lake_bytes=folder_bytes(folder / "lake"),
        )


def folder_bytes(folder: Path) -> int:
    """Bytes of every file under ``folder`` (0 when it does not exist)."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())

"""A process that writes a large value through a tier I/O manager, for tests to kill mid-write.

Usage: ``python -m tests.io_managers.killed_writer TIER BASE_PATH [ENDPOINT_URL]`` (the endpoint
for an ``s3://`` base path). The value is a few
hundred MB, so the write lasts long enough to be killed while it is in progress.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from tests.io_managers.managers import FIRST_HOUR, HOURLY, make_manager, on_endpoint
from tests.io_managers.stored_values import store

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
ROWS = 6_000_000
FIRST_HOUR_START = "2024-01-01 00:00"


def big_frame() -> pd.DataFrame:
    """Readings spread over the first hour of ``HOURLY``, with a string column to slow the write."""
    offsets_ms = np.sort(np.random.default_rng(0).integers(0, 3_600_000, ROWS))
    return pd.DataFrame(
        {
            "sensor_id": np.arange(ROWS) % 1000,
            "timestamp": pd.Timestamp(FIRST_HOUR_START) + pd.to_timedelta(offsets_ms, unit="ms"),
            "value": np.random.default_rng(1).random(ROWS),
            "label": pd.Series(np.arange(ROWS) % 100_003).astype(str),
        }
    )


def start(*arguments: str, temporary_folder: Path | None = None) -> subprocess.Popen:
    """This module as a new process writing with ``arguments`` (see Usage), output piped; its
    temporary files (the staged file of an ``s3://`` write) go to ``temporary_folder`` when given,
    so that the test can delete what the killed process leaves behind."""
    environ = {**os.environ, "PYTHONPATH": str(REPOSITORY_ROOT)}
    if temporary_folder is not None:
        environ["TMPDIR"] = str(temporary_folder)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.io_managers.killed_writer", *arguments],
        cwd=REPOSITORY_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environ,
    )


def main(tier: str, base_path: str, endpoint_url: str | None = None) -> None:
    value = "warehouse_table_" + "x" * 400_000_000 if tier == "reference" else big_frame()
    partition = FIRST_HOUR if tier == "time_series" else None
    print("writing", flush=True)
    store(
        on_endpoint(make_manager(tier, base_path), endpoint_url),
        value,
        partition=partition,
        partitions_def=HOURLY if partition else None,
    )
    print("written", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])

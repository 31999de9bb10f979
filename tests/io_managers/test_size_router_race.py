"""Two real processes write the same asset through the size router at the same moment, one on
each side of the threshold, round after round, while a third reads: every load returns a value
one of them wrote, never "missing", and the route record always names a file that exists."""

import os
import subprocess
import sys
from pathlib import Path

from tests.io_managers.managers import make_manager
from tests.io_managers.stored_values import load

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 150


def writer(base: Path, kind: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.io_managers.racing_writer", str(base), kind, str(ROUNDS)],
        cwd=REPOSITORY_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY_ROOT)},
    )


def loaded_writer(router) -> str:
    frame = load(router, asset="raced")
    assert frame["writer"].nunique() == 1, "a load mixed two writes"
    return frame["writer"].iloc[0]


def test_racing_writers_on_both_sides_of_the_threshold_never_lose_the_value(tmp_path):
    router = make_manager("size_router", str(tmp_path))
    writers = [writer(tmp_path, "small"), writer(tmp_path, "large")]
    seen = set()
    while any(process.poll() is None for process in writers):
        if (tmp_path / "routes" / "raced.route.json").exists():
            seen.add(loaded_writer(router))  # raises MissingStoredValueError if the race lost it
    outputs = [process.communicate()[0] for process in writers]

    assert [process.returncode for process in writers] == [0, 0], outputs
    final = loaded_writer(router)
    assert final in {f"small-{ROUNDS - 1}", f"large-{ROUNDS - 1}"}
    assert {name.split("-")[0] for name in seen} <= {"small", "large"}

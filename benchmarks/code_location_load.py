"""Section 7: how long loading the code location takes, the way a user and a server meet it:
``dg check defs`` (what the test command runs), ``dagster definitions validate``, and the bare
import of the definitions module, each in a fresh process, against ``import dagster`` alone (the
floor no code location goes below). The median of ``repeat`` runs of each.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.orchestration import REPOSITORY_ROOT


@dataclass
class LoadTime:
    what: str
    command: str
    median_s: float
    runs_s: list[float]


def commands() -> list[tuple[str, list[str]]]:
    bin_folder = Path(sys.executable).parent
    return [
        ("import dagster (the floor)", [sys.executable, "-c", "import dagster"]),
        (
            "import the definitions",
            [sys.executable, "-c", "import dagster_project.definitions"],
        ),
        ("dg check defs", [str(bin_folder / "dg"), "check", "defs"]),
        (
            "dagster definitions validate",
            [
                str(bin_folder / "dagster"),
                "definitions",
                "validate",
                "-m",
                "dagster_project.definitions",
            ],
        ),
    ]


def measure_load(repeat: int = 5) -> list[LoadTime]:
    """Each command ``repeat`` times, one after another, with a throwaway ``DAGSTER_HOME``."""
    results = []
    with tempfile.TemporaryDirectory(prefix="benchmark-load-") as home:
        environ = {**os.environ, "DAGSTER_HOME": home}
        environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environ["PATH"]])
        for what, command in commands():
            runs = []
            for _ in range(repeat):
                started = time.perf_counter()
                completed = subprocess.run(
                    command, cwd=REPOSITORY_ROOT, env=environ, capture_output=True, text=True
                )
                runs.append(time.perf_counter() - started)
                if completed.returncode != 0:
                    raise RuntimeError(
                        f"{what} exited {completed.returncode}:\n{completed.stderr[-3000:]}"
                    )
            shown = " ".join(
                Path(command[0]).name if i == 0 else part for i, part in enumerate(command)
            )
            results.append(LoadTime(what, shown, statistics.median(runs), runs))
    return results

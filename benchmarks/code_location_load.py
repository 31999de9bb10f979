"""Section 7: how long loading the code location takes, the way a user and a server meet it:
``dg check defs`` (what the test command runs), ``dagster definitions validate``, and the bare
import of the definitions module, each in a fresh process, against ``import dagster`` alone (the
floor no code location goes below). Two more commands measure what ``dg check defs`` of this code
location pays before any of the project's code: dg's own start (``dg check --help`` registers
dg's commands without importing Dagster) and ``import dagster_dbt``, which the dbt Component
needs. The median of ``repeat`` runs of each.

Where the import's time goes: one more import of the definitions with Python's import-time
report, which prints, for every module, the microseconds its own code took (self) and with the
modules it imported (cumulative). A package's time is the sum of its modules' self times, so the
packages add up to the whole import.
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


@dataclass
class PackageImport:
    package: str
    imported_by: str  # the module of another package whose import first imported it
    seconds: float  # the self times of its modules: its own code, not what it imported


@dataclass
class ImportProfile:
    seconds: float  # the definitions module's cumulative import (building the definitions included)
    packages: list[PackageImport]


# The rows the goal row reads (benchmarks/report_speed.py).
FLOOR = "import dagster (the floor)"
DBT_IMPORT = "import dagster-dbt (the dbt Component's package)"
DG_START = "dg's own start"
DG_CHECK = "dg check defs"


def commands() -> list[tuple[str, list[str]]]:
    python = sys.executable
    dg, dagster = (str(Path(sys.executable).parent / name) for name in ("dg", "dagster"))
    return [
        (FLOOR, [python, "-c", "import dagster"]),
        (DBT_IMPORT, [python, "-c", "import dagster_dbt"]),
        (DG_START, [dg, "check", "--help"]),
        ("import the definitions", [python, "-c", "import dagster_project.definitions"]),
        (DG_CHECK, [dg, "check", "defs"]),
        (
            "dagster definitions validate",
            [dagster, "definitions", "validate", "-m", "dagster_project.definitions"],
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


def parse_importtime(stderr: str, module: str) -> ImportProfile:
    """``module``'s cumulative import time, and the time spent in each top-level package's own
    modules (the sum of their self times), from ``python -X importtime``'s report: ``import
    time: self | cumulative | name``, a module's line after those of the modules it imported,
    indented two spaces per level."""
    lines = []
    for line in stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if not line.startswith("import time:") or not fields[0].strip().isdigit():
            continue
        self_us, cumulative_us, name = fields
        depth = (len(name) - len(name.lstrip())) // 2
        lines.append((depth, int(self_us) / 1e6, int(cumulative_us) / 1e6, name.strip()))
    end = next((index for index, line in enumerate(lines) if line[3] == module), None)
    if end is None:
        raise ValueError(f"python -X importtime reported no import of {module}")
    total = lines[end][2]
    lines = lines[: end + 1]  # what follows is not its import (a child process's report)
    own = module.split(".")[0]
    seconds: dict[str, float] = {}
    for _, self_s, _, name in lines:
        package = name.split(".")[0]
        seconds[package] = seconds.get(package, 0.0) + self_s
    packages = [
        PackageImport(package, importer(lines, package, module), spent)
        for package, spent in seconds.items()
        if package != own
    ]
    if own in seconds:
        packages.append(PackageImport(own, "", seconds[own]))
    ranked = sorted(packages, key=lambda imported: imported.seconds, reverse=True)
    return ImportProfile(total, ranked)


def importer(lines: list[tuple[int, float, float, str]], package: str, module: str) -> str:
    """The module of another package whose import first imported ``package``: from the
    package's first line, up the enclosing lines (the next less indented) past its own."""
    index = next(index for index, line in enumerate(lines) if line[3].split(".")[0] == package)
    depth = lines[index][0]
    for level, _, _, name in lines[index + 1 :]:
        if level < depth:
            if name.split(".")[0] != package:
                return name
            depth = level
    return module


def profile_import(module: str = "dagster_project.definitions") -> ImportProfile:
    """``module`` imported once with Python's import-time report, in a fresh process. The report
    is asked for through the environment, which the code drops before the import, so that no
    Python process the import starts writes its own report into the same output."""
    code = f"import os; os.environ.pop('PYTHONPROFILEIMPORTTIME'); import {module}"
    with tempfile.TemporaryDirectory(prefix="benchmark-import-") as home:
        completed = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPOSITORY_ROOT,
            env={**os.environ, "DAGSTER_HOME": home, "PYTHONPROFILEIMPORTTIME": "1"},
            capture_output=True,
            text=True,
        )
    if completed.returncode != 0:
        raise RuntimeError(
            f"importing {module} exited {completed.returncode}:\n{completed.stderr[-3000:]}"
        )
    return parse_importtime(completed.stderr, module)

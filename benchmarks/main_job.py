"""Section 6: the main job (``scripts/materialize_all.py``), timed as a user runs it, and where its
time goes: every step of every run, when it started and how long it took, read from the
instance afterwards. The same job with ``--one-at-a-time`` (every launch in one process, one
after another: the order before the Spark group ran beside the others) is the baseline.

The machine's busy CPU time over the job (every process, from ``/proc/stat``) bounds what any
schedule can do: on ``n`` cores the job cannot end sooner than its CPU time divided by ``n``,
unless the work itself shrinks.

The Spark driver maps a class-data archive (``scripts/build_spark_class_archive.py``) built at the
section's start in a folder of its own, so its build is measured too. What it saves shows on the
Spark group run alone (``dg launch --assets group:spark``, a process and a JVM of its own), with
and without it, in turn.
"""

import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.orchestration import REPOSITORY_ROOT, RUN_TIMEOUT_S, graph_environment
from dagster_project.resources.spark_class_archive import find_archive


@dataclass
class Step:
    run: str  # the run's selection, as the launch plan names it
    key: str
    started_s: float  # after the job's start
    seconds: float


@dataclass
class MainJob:
    one_at_a_time: bool
    seconds: float
    steps: list[Step] = field(default_factory=list)
    cpu_seconds: float | None = None  # the machine's busy CPU time during the job
    cores: int | None = None
    class_archive: bool = True  # whether the Spark driver had its class-data archive


@dataclass
class ClassArchiveBuild:
    seconds: float
    size_mb: float


def build_class_archive(folder: Path) -> ClassArchiveBuild:
    """Build the Spark driver's class-data archive in ``folder``; raise with the script's output
    if it fails."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "scripts/build_spark_class_archive.py"],
        cwd=REPOSITORY_ROOT,
        env=os.environ | {"SPARK_CLASS_ARCHIVE_DIR": str(folder)},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    seconds = time.perf_counter() - started
    archive = find_archive(folder).archive
    if completed.returncode != 0 or archive is None:
        raise RuntimeError(
            f"building the class archive exited {completed.returncode}:\n"
            f"{(completed.stdout + completed.stderr)[-4000:]}"
        )
    return ClassArchiveBuild(seconds, archive.stat().st_size / 1e6)


def machine_busy_seconds() -> float | None:
    """CPU seconds the machine has spent busy since boot, all cores (Linux; else None)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    # cpu user nice system idle iowait irq softirq steal ...: all but idle and iowait
    ticks = [int(value) for value in fields[1:9]]
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


def time_main_job(
    data_scale: float, one_at_a_time: bool = False, class_archive_folder: Path | None = None
) -> MainJob:
    """``scripts/materialize_all.py``, see :func:`time_command`."""
    command = [sys.executable, "scripts/materialize_all.py"]
    command += ["--one-at-a-time"] if one_at_a_time else []
    return time_command(command, data_scale, one_at_a_time, class_archive_folder)


def time_spark_group(data_scale: float, class_archive_folder: Path | None) -> MainJob:
    """The Spark group's own run, ``dg launch --assets group:spark``, see :func:`time_command`."""
    dg = str(Path(sys.executable).with_name("dg"))
    command = [dg, "launch", "--assets", "group:spark"]
    return time_command(command, data_scale, False, class_archive_folder)


def time_command(
    command: list[str],
    data_scale: float,
    one_at_a_time: bool,
    class_archive_folder: Path | None,
) -> MainJob:
    """``command`` over empty storage and a fresh instance, the Spark driver mapping the archive
    in ``class_archive_folder`` (none: an empty folder); raise with its log if it fails."""
    with tempfile.TemporaryDirectory(prefix="benchmark-main-job-") as scratch:
        folder = Path(scratch)
        environ = graph_environment(folder, data_scale)
        environ["SPARK_CLASS_ARCHIVE_DIR"] = str(class_archive_folder or folder / "no-archive")
        environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environ["PATH"]])
        log = folder / "command.log"
        wall_started = time.time()
        busy_before = machine_busy_seconds()
        started = time.perf_counter()
        with open(log, "w") as log_file:
            completed = subprocess.run(
                command,
                cwd=REPOSITORY_ROOT,
                env=environ,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                timeout=RUN_TIMEOUT_S,
                check=False,
            )
        seconds = time.perf_counter() - started
        busy_after = machine_busy_seconds()
        if completed.returncode != 0:
            raise RuntimeError(
                f"{shlex.join(command)} exited {completed.returncode}:\n{log.read_text()[-4000:]}"
            )
        steps = read_steps(Path(environ["DAGSTER_HOME"]), wall_started)
    cpu = None if busy_before is None or busy_after is None else busy_after - busy_before
    return MainJob(
        one_at_a_time, seconds, steps, cpu, os.cpu_count(), class_archive_folder is not None
    )


def read_steps(dagster_home: Path, job_started: float) -> list[Step]:
    """Every step of every run in the instance at ``dagster_home``, in the order they started."""
    import dagster as dg

    steps = []
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        for run in instance.get_runs():
            selection = ",".join(sorted(key.to_user_string() for key in run.asset_selection or ()))
            for stats in instance.get_run_step_stats(run.run_id):
                if stats.start_time is None or stats.end_time is None:
                    continue
                steps.append(
                    Step(
                        run=run_label(run.tags, selection),
                        key=stats.step_key,
                        started_s=stats.start_time - job_started,
                        seconds=stats.end_time - stats.start_time,
                    )
                )
    return sorted(steps, key=lambda step: step.started_s)


def run_label(tags: dict[str, str], selection: str) -> str:
    """A short name for a run: its partition or range, else the size of its selection."""
    if "dagster/partition" in tags:
        return f"partition {tags['dagster/partition']}"
    if "dagster/asset_partition_range_start" in tags:
        return "partition range"
    return f"{len(selection.split(','))} assets" if selection else "unpartitioned"

"""Run the graph (or some groups) with one executor, in this process, and report from the instance.

Started by :mod:`benchmarks.orchestration` as ``python -m benchmarks.graph_run`` in a fresh
process whose environment points ``DAGSTER_HOME``, ``STORAGE_URL``, ``WAREHOUSE_URL`` and
``LAKE_URL`` at empty temporary folders. It follows the project's launch plan (one run per
partitions definition, as ``scripts/materialize-all.sh`` does) with the executor swapped on an
asset job, through ``dg.execute_job`` and a reconstructable job: ``dg.materialize`` would always
run in process.

The multiprocess executor runs one step at a time (``max_concurrent: 1``): two processes would
compete for the DuckDB file and for two cores, and the sum of step durations would then no
longer be comparable with the wall time.

Everything reported is read back from the instance: run start and end, each step's start and
end, resource initialisation events, and the materializations' metadata.
"""

import argparse
import json
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

import dagster as dg
import psutil

from benchmarks import memory

EXECUTORS: dict[str, dg.ExecutorDefinition] = {
    "in_process": dg.in_process_executor,
    "forkserver": dg.multiprocess_executor.configured(
        {"max_concurrent": 1, "start_method": {"forkserver": {}}}, name="multiprocess_forkserver"
    ),
    "spawn": dg.multiprocess_executor.configured(
        {"max_concurrent": 1, "start_method": {"spawn": {}}}, name="multiprocess_spawn"
    ),
}
RESOURCE_EVENTS = {
    dg.DagsterEventType.RESOURCE_INIT_STARTED,
    dg.DagsterEventType.RESOURCE_INIT_SUCCESS,
    dg.DagsterEventType.RESOURCE_INIT_FAILURE,
}


def benchmark_job(groups: list[str], executor: str, name: str) -> dg.JobDefinition:
    """The project's definitions with one asset job over ``groups`` on ``executor``."""
    from dagster_project.definitions import defs

    job = dg.define_asset_job(
        name, selection=dg.AssetSelection.groups(*groups), executor_def=EXECUTORS[executor]
    )
    return dg.Definitions.merge(defs, dg.Definitions(jobs=[job])).resolve_job_def(name)


class DescendantPeaks:
    """The largest ``VmHWM`` of every child process (the Spark JVM, step processes).

    ``VmHWM`` is the kernel's own high-water mark, so polling it only risks missing the last
    moments of a process, never a short peak in between.
    """

    def __init__(self, interval_s: float = 0.25):
        self.interval_s = interval_s
        self.peaks: dict[int, tuple[str, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> "DescendantPeaks":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(self.interval_s):
            for child in me.children(recursive=True):
                try:
                    peak = memory.high_water_mark_bytes(Path(f"/proc/{child.pid}/status"))
                    name = child.name()
                except (OSError, psutil.Error, memory.HighWaterMarkUnavailable):
                    continue
                if peak > self.peaks.get(child.pid, ("", 0))[1]:
                    self.peaks[child.pid] = (name, peak)

    def largest(self, name_contains: str = "") -> int:
        return max((peak for name, peak in self.peaks.values() if name_contains in name), default=0)


def run_report(instance: dg.DagsterInstance, run_id: str) -> dict[str, Any]:
    """Wall time, step durations and resource initialisation of one run, from the instance."""
    stats = instance.get_run_stats(run_id)
    steps = {
        step.step_key: (step.end_time or 0) - (step.start_time or 0)
        for step in instance.get_run_step_stats(run_id)
    }
    started: dict[str | None, float] = {}
    resource_seconds = 0.0
    by_resource: dict[str, float] = {}
    for record in instance.get_records_for_run(run_id, of_type=RESOURCE_EVENTS).records:
        event = record.event_log_entry
        key = event.step_key
        if event.dagster_event_type == dg.DagsterEventType.RESOURCE_INIT_STARTED:
            started[key] = event.timestamp
            continue
        if key in started:
            resource_seconds += event.timestamp - started.pop(key)
        metadata = event.dagster_event.engine_event_data.metadata if event.dagster_event else {}
        for name, value in metadata.items():
            if name.endswith(":init_time"):
                resource = name.removesuffix(":init_time")
                by_resource[resource] = by_resource.get(resource, 0.0) + parse_duration(
                    str(getattr(value, "value", value))
                )
    return {
        "run_id": run_id,
        "wall_seconds": (stats.end_time or 0) - (stats.start_time or 0),
        "step_seconds": steps,
        "resource_init_seconds": resource_seconds,
        "resource_seconds": by_resource,
    }


DURATION_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_duration(text: str) -> float:
    """Seconds in Dagster's formatted durations: '12ms', '1.23s', '1m5s', '1h2m'."""
    return sum(
        float(number) * DURATION_UNITS[unit]
        for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", text)
    )


def materializations(instance: dg.DagsterInstance, run_ids: list[str]) -> list[dict[str, Any]]:
    """Every materialization of these runs: asset, partition and its numeric metadata."""
    found = []
    for run_id in run_ids:
        records = instance.get_records_for_run(
            run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
        ).records
        for record in records:
            materialization = record.event_log_entry.asset_materialization
            metadata = {
                key: entry.value
                for key, entry in materialization.metadata.items()
                if isinstance(entry.value, int | float | str)
            }
            found.append(
                {
                    "asset": materialization.asset_key.to_user_string(),
                    "partition": materialization.partition,
                    "metadata": metadata,
                }
            )
    return found


def asset_groups() -> dict[str, str]:
    """Each materializable asset's group, keyed by its user string."""
    from dagster_project.definitions import defs

    graph = defs.resolve_asset_graph()
    return {
        key.to_user_string(): graph.get(key).group_name for key in graph.materializable_asset_keys
    }


def launches(groups: list[str] | None):
    """The project's launch plan, limited to ``groups`` when given."""
    from dagster_project.definitions import defs
    from dagster_project.launch_plan import Launch, launch_plan

    plan = []
    for launch in launch_plan(defs):
        kept = tuple(g for g in launch.groups if groups is None or g in groups)
        if kept:
            plan.append(Launch(groups=kept, partition_key=launch.partition_key))
    return plan


def run_graph(executor: str, groups: list[str] | None) -> dict[str, Any]:
    """Every launch of the plan on ``executor``; fails loudly when a run fails."""
    instance = dg.DagsterInstance.get()
    plan = launches(groups)  # loads the code location before the memory baseline
    runs = []
    memory.release_free_memory()
    memory.reset_high_water_mark()
    baseline = memory.resident_bytes()
    started = time.perf_counter()
    with DescendantPeaks() as children:
        for index, launch in enumerate(plan):
            job = dg.build_reconstructable_job(
                "benchmarks.graph_run",
                "benchmark_job",
                reconstructable_kwargs={
                    "groups": list(launch.groups),
                    "executor": executor,
                    "name": f"benchmark_{index}",
                },
            )
            tags = {"dagster/partition": launch.partition_key} if launch.partition_key else None
            with dg.execute_job(job, instance, tags=tags) as result:
                if not result.success:
                    raise RuntimeError(
                        f"the run of groups {launch.groups} on {executor} failed: "
                        f"{[e.message for e in result.all_events if e.is_failure]}"
                    )
                report = run_report(instance, result.run_id)
            report |= {"groups": list(launch.groups), "partition": launch.partition_key}
            runs.append(report)
    return {
        "executor": executor,
        "runs": runs,
        "elapsed_seconds": time.perf_counter() - started,
        "process_peak_above_start_bytes": memory.high_water_mark_bytes() - baseline,
        "largest_child_peak_bytes": children.largest(),
        "jvm_peak_bytes": children.largest("java"),
        "materializations": materializations(instance, [run["run_id"] for run in runs]),
        "asset_groups": asset_groups(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executor", choices=sorted(EXECUTORS), required=True)
    parser.add_argument("--groups", help="comma-separated groups (default: the whole graph)")
    parser.add_argument("--output", required=True, help="where to write the JSON report")
    arguments = parser.parse_args()
    groups = arguments.groups.split(",") if arguments.groups else None
    report = run_graph(arguments.executor, groups)
    report["environment"] = {
        name: os.environ.get(name, "") for name in ("DATA_SCALE", "STORAGE_URL", "LAKE_URL")
    }
    Path(arguments.output).write_text(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()

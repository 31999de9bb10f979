"""Materialize the whole graph into the local instance, one run per batch of the launch plan.

Run through ``scripts/materialize-all.sh``, which sets up ``.venv`` and ``DAGSTER_HOME``. The plan
comes from :mod:`dagster_project.launch_plan`. Before each run the script prints the
``dg launch`` command that makes the same run, so you can copy it, as a shell would run them:
a launch that runs beside the others (the Spark group) ends in ``&``, and ``wait`` comes before
the final launches. That launch is exactly its printed command, run by ``dg launch`` in a process
of its own (its output goes to a log file, shown if it fails); the other runs execute in this
process, as ``dg launch`` executes its run in its own: the same asset job, selection, partition
and instance, but the definitions are loaded once instead of once per command.
``--one-at-a-time`` runs every launch in this process, one after another (the benchmarks'
baseline).
"""

import argparse
import dataclasses
import shlex
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg

from dagster_project.definitions import defs
from dagster_project.launch_plan import FINAL_GROUPS, Launch, launch_plan
from dagster_project.settings import REPOSITORY_ROOT


def run(launch: Launch, instance: dg.DagsterInstance) -> bool:
    """Execute ``launch`` as ``dg launch`` does (the implicit asset job, in process)."""
    selection = dg.AssetSelection.from_coercible(launch.selection.split(","))
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance,
        asset_selection=sorted(selection.resolve(defs.resolve_asset_graph())),
        tags=launch.tags(),
        raise_on_error=False,
    )
    return result.success


class Beside:
    """A launch running as its own ``dg launch`` process, its output in a log file."""

    def __init__(self, launch: Launch, log_folder: Path) -> None:
        self.command = shlex.join(launch.command())
        self.log = log_folder / f"{'-'.join(launch.groups + launch.assets)}.log".replace("/", "_")
        dg_command = [str(Path(sys.executable).with_name("dg")), *launch.command()[1:]]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                dg_command, cwd=REPOSITORY_ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        self.started = time.perf_counter()

    def wait(self) -> bool:
        """Wait for it to end; whether it succeeded (if not, print the end of its log)."""
        if self.process.wait() == 0:
            print(f"  {self.command}: done in {time.perf_counter() - self.started:.1f} s")
            return True
        tail = self.log.read_text(errors="replace")[-4000:]
        print(
            f"\nFailed: {self.command} (exit {self.process.returncode}); the end of its log, "
            f"{self.log}:\n{tail}",
            file=sys.stderr,
        )
        return False


def wait_for_all(running: list[Beside]) -> bool:
    return all([beside.wait() for beside in running])  # a list: wait for every one


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    parser.add_argument(
        "--one-at-a-time", action="store_true", help="run every launch here, one after another"
    )
    arguments = parser.parse_args()

    plan = launch_plan(defs)
    if arguments.one_at_a_time:
        plan = [dataclasses.replace(launch, beside=False) for launch in plan]
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        log_folder = Path(instance.root_directory) / "launches"
        log_folder.mkdir(exist_ok=True)
        running: list[Beside] = []
        waiting = False  # a launch beside the others was printed and not waited for yet
        for launch in plan:
            if waiting and set(launch.groups) & set(FINAL_GROUPS):
                print("\n$ wait", flush=True)
                waiting = False
                if not wait_for_all(running):
                    return 1
                running = []
            command = shlex.join(launch.command())
            print(f"\n$ {command}{' &' if launch.beside else ''}", flush=True)
            waiting = waiting or launch.beside
            if arguments.dry_run:
                continue
            if launch.beside:
                running.append(Beside(launch, log_folder))
                print(f"  running beside the next runs; its log: {running[-1].log}", flush=True)
                continue
            launch_started = time.perf_counter()
            if not run(launch, instance):
                print(f"\nFailed: the run of {command} (its log is above).", file=sys.stderr)
                wait_for_all(running)  # a run already started ends on its own, never stranded
                return 1
            print(f"  done in {time.perf_counter() - launch_started:.1f} s", flush=True)
        if not wait_for_all(running):
            return 1
    if not arguments.dry_run:
        print(
            f"\nMaterialized {len(plan)} batches in {time.perf_counter() - started:.1f} s. "
            "See them in the UI: scripts/dev.sh, then http://127.0.0.1:3000"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

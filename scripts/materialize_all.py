"""Materialize the whole graph into the local instance, one run per batch of the launch plan.

Run through ``scripts/materialize-all.sh``, which sets up ``.venv`` and ``DAGSTER_HOME``. The plan
comes from :mod:`dagster_project.launch_plan`. Before each run the script prints the
``dg launch`` command that makes the same run, so you can copy it; the runs themselves execute
in this process, as ``dg launch`` executes its run in its own: the same asset job, selection,
partition and instance, but the definitions are loaded once instead of once per command.
"""

import argparse
import shlex
import sys
import time

import dagster as dg

from dagster_project.definitions import defs
from dagster_project.launch_plan import Launch, launch_plan


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    arguments = parser.parse_args()

    plan = launch_plan(defs)
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        for launch in plan:
            command = shlex.join(launch.command())
            print(f"\n$ {command}", flush=True)
            if arguments.dry_run:
                continue
            launch_started = time.perf_counter()
            if not run(launch, instance):
                print(f"\nFailed: the run of {command} (its log is above).", file=sys.stderr)
                return 1
            print(f"  done in {time.perf_counter() - launch_started:.1f} s", flush=True)
    if not arguments.dry_run:
        print(
            f"\nMaterialized {len(plan)} batches in {time.perf_counter() - started:.1f} s. "
            "See them in the UI: scripts/dev.sh, then http://127.0.0.1:3000"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

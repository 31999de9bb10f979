"""Materialize the whole graph into the local instance by running real ``dg launch`` commands.

Run through ``scripts/materialize-all.sh``, which sets up ``.venv`` and ``DAGSTER_HOME``. Each
command is printed before it runs so you can copy it; the plan comes from
:mod:`dagster_project.launch_plan`.
"""

import argparse
import shlex
import subprocess
import sys
import time

from dagster_project.definitions import defs
from dagster_project.launch_plan import launch_plan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    arguments = parser.parse_args()

    plan = launch_plan(defs)
    started = time.perf_counter()
    for launch in plan:
        command = launch.command()
        print(f"\n$ {shlex.join(command)}", flush=True)
        if arguments.dry_run:
            continue
        launch_started = time.perf_counter()
        if subprocess.run(command, check=False).returncode != 0:
            print(f"\nFailed: {shlex.join(command)} (its log is above).", file=sys.stderr)
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

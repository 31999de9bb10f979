"""A run that stops inside its step, for a test to kill its worker there.

Usage: ``python -m tests.monitoring.stalled_run INSTANCE_ROOT``: materializes the asset
``stalled`` into the instance stored in INSTANCE_ROOT; its step sleeps until the process is
killed.
"""

import sys
import time

import dagster as dg


@dg.asset
def stalled() -> int:
    time.sleep(3600)
    return 1


def main(instance_root: str) -> None:
    with dg.DagsterInstance.from_config(instance_root) as instance:
        dg.materialize([stalled], instance=instance)


if __name__ == "__main__":
    main(sys.argv[1])

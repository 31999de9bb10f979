"""A code location for the run-monitoring tests: steps in the project's pools that wait at a gate
the test opens, a step that fails, and a job that outlives its ``dagster/max_runtime``.

A gated step polls for the file ``<GATE_FOLDER>/<the run's "gate" tag>`` (``GATE_FOLDER`` from the
environment the code server was started with) and returns once it exists, so a test can kill a
run while its step holds a pool slot, then let the retry (which keeps the tags) through.
"""

import os
import signal
import sys
import time
from pathlib import Path

import dagster as dg

from dagster_project.instance.outage_retry import with_outage_retry
from dagster_project.servers import Server, talks_to

GATE_TAG = "gate"
POLL_S = 0.2


def wait_at_gate(context: dg.AssetExecutionContext) -> None:
    gate = Path(os.environ["GATE_FOLDER"]) / context.run.tags[GATE_TAG]
    context.log.info(f"waiting for {gate}")
    while not gate.exists():
        time.sleep(POLL_S)


@dg.asset(**talks_to(Server.WAREHOUSE))
def warehouse_step(context: dg.AssetExecutionContext) -> None:
    """Holds a slot of the warehouse pool until the gate opens."""
    wait_at_gate(context)


@dg.asset(**talks_to(Server.SPARK))
def spark_step(context: dg.AssetExecutionContext) -> None:
    """Holds a slot of the spark pool until the gate opens."""
    wait_at_gate(context)


@dg.asset
def failing_step() -> None:
    """Fails in its own code: a step failure, which no run retry should repeat."""
    raise ValueError("failing_step fails on purpose")


@dg.asset(**talks_to(Server.WAREHOUSE))
def stubborn_step(context: dg.AssetExecutionContext) -> None:
    """Ignores the interrupt a cancellation sends, so its run never finishes cancelling."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    wait_at_gate(context)


@dg.asset
def endless_step() -> None:
    """Runs far past the max runtime of its job."""
    time.sleep(3600)


MAX_RUNTIME_SECONDS = 3

warehouse_job = dg.define_asset_job("warehouse_job", selection=[warehouse_step])
spark_job = dg.define_asset_job("spark_job", selection=[spark_step])
stubborn_job = dg.define_asset_job("stubborn_job", selection=[stubborn_step])
failing_job = dg.define_asset_job("failing_job", selection=[failing_step])
endless_job = dg.define_asset_job(
    "endless_job", selection=[endless_step], tags={"dagster/max_runtime": MAX_RUNTIME_SECONDS}
)

# Every step in the run's own process, as in the project's definitions: killing that process
# kills the step with it.
# The hook of the project's definitions: a step failed on the instance's database is retried.
defs = with_outage_retry(
    dg.Definitions(
        assets=[warehouse_step, spark_step, stubborn_step, failing_step, endless_step],
        jobs=[warehouse_job, spark_job, stubborn_job, failing_job, endless_job],
        executor=dg.in_process_executor,
    )
)


def main(dagster_home: str, gate: str) -> None:
    """Materialize ``warehouse_step`` into the instance in ``dagster_home``, without a daemon or
    a code server (as `dg launch` does), waiting at ``gate``."""
    with dg.DagsterInstance.from_config(dagster_home) as instance:
        dg.materialize([warehouse_step], instance=instance, tags={GATE_TAG: gate})


if __name__ == "__main__":
    main(*sys.argv[1:])

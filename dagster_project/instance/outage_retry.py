"""A run whose step failed because the instance's own database went away is retried.

The stack keeps Dagster's runs and events in PostgreSQL. When that server restarts while a step
is recording an event (its output, its materialization), Dagster's write fails with "server
closed the connection unexpectedly" and the step fails, though its own code did nothing wrong.
The step's retry policy does not apply (it covers the step's code, not Dagster's bookkeeping),
and ``run_retries`` skips a run that failed in a step (``retry_on_asset_or_op_failure: false`` in
``deploy/dagster.stack.yaml``): the run would be lost to a one-second restart.

This hook, on every asset (``definitions.py``), tells ``run_retries`` which kind of step failure
it was, through the run tag Dagster reads when the run fails
(``dagster/retry_on_asset_or_op_failure``): ``true`` when the error was raised inside Dagster's
instance storage by a lost database connection, ``false`` for any other step failure, which
wins: a run with a real failure is not retried. The daemon then re-executes the run from the
failed step, at most ``max_retries`` times in all.
"""

import traceback
from collections.abc import Iterator

import dagster as dg
from sqlalchemy.exc import DBAPIError

from dagster_project.dagster_internals import STORAGE_MODULE_PREFIXES

RETRY_ON_STEP_FAILURE_TAG = "dagster/retry_on_asset_or_op_failure"
LOST_CONNECTION_ERRORS = ("DagsterPostgresException",)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def lost_instance_database(error: BaseException | None) -> bool:
    """True when ``error`` is Dagster's instance storage losing its database connection."""
    if error is None:
        return False
    for link in _chain(error):
        lost = (isinstance(link, DBAPIError) and link.connection_invalidated) or (
            type(link).__name__ in LOST_CONNECTION_ERRORS
        )
        if lost and any(
            frame.f_globals.get("__name__", "").startswith(STORAGE_MODULE_PREFIXES)
            for frame, _ in traceback.walk_tb(link.__traceback__)
        ):
            return True
    return False


@dg.failure_hook(name="retry_after_instance_outage")
def retry_after_instance_outage(context: dg.HookContext) -> None:
    """Marks the run for ``run_retries`` when its step failed on the instance's database."""
    run = context.instance.get_run_by_id(context.run_id)
    if run is None:
        return
    if lost_instance_database(context.op_exception):
        if run.tags.get(RETRY_ON_STEP_FAILURE_TAG) == "false":
            return  # another step of this run failed for real
        context.log.warning(
            f"Step {context.op.name} failed because the instance's database connection was "
            "lost; the run will be retried from this step."
        )
        verdict = "true"
    else:
        verdict = "false"
    context.instance.add_run_tags(context.run_id, {RETRY_ON_STEP_FAILURE_TAG: verdict})


def with_outage_retry(defs: dg.Definitions) -> dg.Definitions:
    """``defs`` with :func:`retry_after_instance_outage` on every asset (and so on every step that
    materializes or checks one, in any job)."""
    return dg.Definitions(
        assets=[
            asset.with_hooks({retry_after_instance_outage})
            if isinstance(asset, dg.AssetsDefinition)
            else asset
            for asset in defs.assets or []
        ],
        asset_checks=defs.asset_checks,
        schedules=defs.schedules,
        sensors=defs.sensors,
        jobs=defs.jobs,
        resources=defs.resources,
        executor=defs.executor,
        loggers=defs.loggers,
        metadata=defs.metadata,
        component_tree=defs.component_tree,
    )

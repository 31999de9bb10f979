"""The few names of Dagster's internals this project relies on, in one place, each with the reason
no public name serves. An upgrade that moves one fails when the definitions load, with a message
naming it, where it was, and who uses it; ``tests/test_dagster_internals.py`` checks them all.

- The run launcher's health check (``instance/run_launcher.py``, ``instance/code_server.py``): run
  monitoring asks a launcher for a ``CheckRunHealthResult`` with a ``WorkerStatus``, and which code
  server a run was launched on is only recorded in the run's ``GRPC_INFO_TAG``. Dagster exports
  ``DefaultRunLauncher``, but none of these.
- ``CheckError`` (``monitoring/instance_history.py``): a step's context raises it from
  ``repository_def`` when the run has no code location (``dg.materialize`` in a test), and offers
  no public way to ask first.
- ``S3ComputeLogManager``'s boto3 client (``instance/compute_logs.py``): dagster-aws builds it with
  botocore's defaults and takes no timeouts; ``COMPUTE_LOG_CLIENT_ATTRIBUTE`` is the attribute the
  subclass replaces.
- ``UPathIOManager._base_path`` (``io_managers/tier_io_manager.py``): the tiers are configurable
  I/O managers and UPath managers at once, so they provide the base path that
  ``UPathIOManager.__init__`` would otherwise set; ``UPATH_BASE_ATTRIBUTE`` names it. (Dagster's
  documented alternative, a ``ConfigurableIOManagerFactory`` building a ``UPathIOManager`` per
  run, would split every tier in two.)
- Where Dagster's instance storage runs (``instance/outage_retry.py``): an error raised by a lost
  connection inside these modules is the instance's database going away, not the step's code;
  ``STORAGE_MODULE_PREFIXES`` are the module names its traceback's frames start with.
- Two members of dagster-dbt's ``DbtCliResource`` (``defs/dbt/cli_resource.py``): before each dbt
  invocation it runs ``dbt --version`` and opens a dbt adapter in Dagster's process, with no
  setting to skip either; ``DBT_CLI_OVERRIDDEN`` names what the subclass replaces.
"""

import importlib
from typing import Any

# name: (module, the project's module that needs it)
INTERNAL_NAMES = {
    "CheckRunHealthResult": ("dagster._core.launcher.base", "instance/run_launcher.py"),
    "WorkerStatus": ("dagster._core.launcher.base", "instance/run_launcher.py"),
    "GRPC_INFO_TAG": ("dagster._core.storage.tags", "instance/run_launcher.py"),
    "CheckError": ("dagster_shared.check", "monitoring/instance_history.py"),
}
COMPUTE_LOG_CLIENT_ATTRIBUTE = "_s3_session"
UPATH_BASE_ATTRIBUTE = "_base_path"
STORAGE_MODULE_PREFIXES = ("dagster._core.storage.", "dagster_postgres.")
DBT_CLI_OVERRIDDEN = ("_cli_version", "_initialize_dbt_core_adapter")


class DagsterInternalMissingError(ImportError):
    """The installed Dagster no longer has a name this project takes from its internals."""


def internal(name: str) -> Any:
    """``name`` from its module in ``INTERNAL_NAMES``, or an error saying what to update."""
    module, user = INTERNAL_NAMES[name]
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as error:
        raise DagsterInternalMissingError(
            f"The installed Dagster has no {module}.{name}, which dagster_project/{user} uses "
            "(see dagster_project/dagster_internals.py for why). Pin the Dagster release of "
            "constraints.txt, or find where this release moved it and update INTERNAL_NAMES."
        ) from error


CheckRunHealthResult = internal("CheckRunHealthResult")
WorkerStatus = internal("WorkerStatus")
GRPC_INFO_TAG = internal("GRPC_INFO_TAG")
CheckError = internal("CheckError")

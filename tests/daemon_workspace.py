"""The code location as Dagster's daemons see it, for tests that run a daemon's iteration
in-process: an instance made from the project's dagster.yaml and a workspace that loads
``dagster_project.definitions`` through a code server, as ``dagster-daemon run`` loads it."""

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psutil
from dagster._core.test_utils import create_test_daemon_workspace_context
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import ModuleTarget

from dagster_project.settings import REPOSITORY_ROOT


@contextlib.contextmanager
def code_location_workspace(
    home: Path,
) -> Iterator[tuple[dg.DagsterInstance, WorkspaceProcessContext]]:
    """The instance in ``home`` and the workspace; the code server reads this process's
    environment when it starts. On the way out, waits by PID for every process it started."""
    shutil.copy(REPOSITORY_ROOT / "dagster.yaml", home / "dagster.yaml")
    target = ModuleTarget(
        module_name="dagster_project.definitions",
        attribute=None,
        working_directory=str(REPOSITORY_ROOT),
        location_name=None,
    )
    before = set(psutil.Process().children(recursive=True))
    try:
        with (
            dg.DagsterInstance.from_config(str(home)) as instance,
            create_test_daemon_workspace_context(target, instance) as workspace,
        ):
            yield instance, workspace
    finally:
        # the code server stops after a shutdown call; wait for it so none outlives the test
        started = set(psutil.Process().children(recursive=True)) - before
        _, alive = psutil.wait_procs(started, timeout=60)
        assert not alive, f"still running after the workspace closed: {alive}"

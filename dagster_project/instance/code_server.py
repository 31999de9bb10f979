"""The stack's code server: it serves the code location with ``dagster code-server start``, which
the UI can reload, and once it answers, it fails the runs its previous process left behind.

Runs start as processes of this server. When the server's process dies (its container crashes
or is killed), its runs die with it, and no other process can see that: they would stay
"started", holding queue and pool slots. A server that has just started has no runs yet, so any
run still recorded as starting or started on this server's address (``DAGSTER_CODE_LOCATION_HOST``
and ``DAGSTER_CODE_LOCATION_PORT``, the names ``workspace.yaml`` reads) died with its previous
process: it is marked failed, so ``run_retries`` launches it again (on this server, which is why
the runs are ended only once it answers) and the daemon frees its pool slots; a run left
cancelling is marked canceled. When the instance cannot be reached the server serves anyway, and
the runs are left to the instance's timeouts.

Usage: ``python -m dagster_project.instance.code_server`` followed by the arguments of
``dagster code-server start``; ``-p``/``--port`` is also where it asks whether the server answers.
"""

import json
import logging
import os
import subprocess
import sys
import time

import dagster as dg

from dagster_project.dagster_internals import GRPC_INFO_TAG
from dagster_project.instance import health

logger = logging.getLogger(__name__)
LEFT_BEHIND = [
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def launched_on(run: dg.DagsterRun, host: str, port: int) -> bool:
    info = json.loads(run.tags.get(GRPC_INFO_TAG, "{}"))
    return info.get("host") == host and info.get("port") == port


def end_runs_left_behind(instance: dg.DagsterInstance, host: str, port: int) -> list[str]:
    """Fail (or, if cancelling, cancel) the unfinished runs launched on ``host:port``; their ids."""
    ended = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=LEFT_BEHIND)):
        if not launched_on(run, host, port):
            continue
        message = (
            f"The code server at {host}:{port} restarted; this run's process died with its "
            "previous process."
        )
        if run.status == dg.DagsterRunStatus.CANCELING:
            instance.report_run_canceled(run, message)
        else:
            instance.report_run_failed(run, message)
        ended.append(run.run_id)
    return ended


SERVING_TIMEOUT_S = 600


def answers(port: str) -> bool:
    """Whether the code server on this machine's ``port`` reports that it serves (asked in this
    process: a `dagster api grpc-health-check` process a second would take CPU from the server
    while it loads the definitions)."""
    return health.serving(f"localhost:{port}")


def port_of(arguments: list[str]) -> str:
    for flag in ("-p", "--port"):
        if flag in arguments:
            return arguments[arguments.index(flag) + 1]
    raise SystemExit("dagster_project.instance.code_server needs -p/--port")


def main(arguments: list[str]) -> int:
    host = os.environ.get("DAGSTER_CODE_LOCATION_HOST", "localhost")
    port = int(os.environ.get("DAGSTER_CODE_LOCATION_PORT", "4000"))
    server = subprocess.Popen([sys.executable, "-m", "dagster", "code-server", "start", *arguments])
    deadline = time.monotonic() + SERVING_TIMEOUT_S
    while server.poll() is None and time.monotonic() < deadline and not answers(port_of(arguments)):
        time.sleep(1)
    if server.poll() is None:
        try:
            with dg.DagsterInstance.get() as instance:
                ended = end_runs_left_behind(instance, host, port)
            if ended:
                logger.warning("Runs left by the previous code server, now ended: %s", ended)
        except Exception:  # the instance is down: serve anyway
            logger.exception("Could not look for runs left by the previous code server")
    return server.wait()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main(sys.argv[1:]))

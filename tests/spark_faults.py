"""Real faults under a running Spark job on a standalone cluster: a gate that holds the job's tasks
until the test lets them go (so a fault lands mid-job), the operator's kill from the master's UI,
and the executors' processes as the worker started them."""

import os
import re
import time
from pathlib import Path

import requests
from pyspark.sql import DataFrame

from deploy.spark_cluster import SparkCluster

EXECUTOR_MAIN_CLASS = b"org.apache.spark.executor.CoarseGrainedExecutorBackend"


class TaskGate:
    """Holds each task of a gated DataFrame until the gate opens; every task attempt leaves a
    marker ``attempt-<partition>-<attempt>``. A task still held after ``hold_seconds`` fails, so a
    test that never opens the gate cannot hang the cluster."""

    def __init__(self, folder: Path, hold_seconds: float = 120) -> None:
        self.folder = folder
        self.hold_seconds = hold_seconds
        folder.mkdir(parents=True, exist_ok=True)

    def gated(self, frame: DataFrame) -> DataFrame:
        """``frame`` unchanged, its tasks held at the gate."""
        folder, hold_seconds = str(self.folder), self.hold_seconds

        # Defined here, so cloudpickle ships the function by value: executors cannot import tests.
        def held(batches):
            from pyspark import TaskContext

            task = TaskContext.get()
            marker = f"attempt-{task.partitionId()}-{task.attemptNumber()}"
            open(os.path.join(folder, marker), "w").close()
            deadline = time.monotonic() + hold_seconds
            while not os.path.exists(os.path.join(folder, "open")):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the test's gate in {folder} stayed shut")
                time.sleep(0.1)
            yield from batches

        return frame.mapInArrow(held, frame.schema)

    def attempts(self) -> set[int]:
        """The attempt numbers of the tasks that reached the gate."""
        return {int(path.name.rsplit("-", 1)[1]) for path in self.folder.glob("attempt-*")}

    def wait_for_attempt(self, attempt: int, timeout_s: float = 90) -> None:
        deadline = time.monotonic() + timeout_s
        while attempt not in self.attempts():
            if time.monotonic() > deadline:
                raise TimeoutError(f"no task attempt {attempt} reached the gate in {timeout_s} s")
            time.sleep(0.1)

    def open(self) -> None:
        (self.folder / "open").touch()


def running_application(cluster: SparkCluster) -> str:
    """The application of this process's SparkContext (the run's, in a test), which the master
    must list as running."""
    from pyspark import SparkContext

    context = SparkContext._active_spark_context
    if context is None:
        raise LookupError("this process has no SparkContext")
    application = context.applicationId
    if application_state(cluster, application) != "RUNNING":
        raise LookupError(f"the master at {cluster.master_url} does not run {application}")
    return application


def application_state(cluster: SparkCluster, application_id: str) -> str:
    """RUNNING, WAITING, KILLED, FINISHED...: the application's state at the master."""
    status = cluster.status()
    for application in status["activeapps"] + status["completedapps"]:
        if application["id"] == application_id:
            return application["state"]
    raise LookupError(f"the master at {cluster.master_url} knows no application {application_id}")


def active_jobs() -> list[int]:
    """The ids of the jobs running in this process's SparkContext (the run's, in a test)."""
    from pyspark import SparkContext

    context = SparkContext._active_spark_context
    return list(context.statusTracker().getActiveJobsIds()) if context is not None else []


def kill_from_master_ui(cluster: SparkCluster, application_id: str) -> None:
    """What an operator's click on (kill) does: submit the application's kill form, with the
    CSRF token the master's page put in it."""
    page = requests.get(f"{cluster.master_ui_url}/", timeout=10)
    page.raise_for_status()
    form = re.search(
        rf'<form action="app/kill/".*?value="{application_id}".*?name="csrfToken" '
        r'value="(?P<token>[^"]+)"',
        page.text,
        re.DOTALL,
    )
    if form is None:
        raise LookupError(f"the master's page has no kill form for {application_id}")
    answer = requests.post(
        f"{cluster.master_ui_url}/app/kill/",
        data={"id": application_id, "terminate": "true", "csrfToken": form["token"]},
        timeout=10,
    )
    answer.raise_for_status()


def executor_pids(cluster: SparkCluster, application_id: str) -> list[int]:
    """The PIDs of the executor JVMs the cluster's workers run for the application: each runs in
    its folder ``<work_dir>/worker/<application>/<executor>``."""
    folder = Path(cluster.work_dir, "worker", application_id)
    pids = []
    for process in Path("/proc").iterdir():
        if not process.name.isdigit():
            continue
        try:
            command = (process / "cmdline").read_bytes().split(b"\0")
            if EXECUTOR_MAIN_CLASS in command and (process / "cwd").readlink().parent == folder:
                pids.append(int(process.name))
        except OSError:  # the process ended while being listed
            continue
    return pids

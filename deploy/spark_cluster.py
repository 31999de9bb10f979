"""A standalone Spark cluster (a master and a worker) on 127.0.0.1, from pyspark's own distribution.

pip's pyspark ships ``bin/spark-class`` but not ``sbin/start-master.sh``, so both daemons are
started with ``spark-class``. The daemons get this Python as ``PYSPARK_PYTHON``, but Python code a
driver sends to the executors runs under the driver's own ``PYSPARK_PYTHON`` (``python3`` on the
PATH when unset); the spark group sends none. The cluster is ready when the master's JSON status
lists an ALIVE worker. Each daemon is started in its own
process group; stopping signals exactly the PIDs written at start. A worker that died is replaced
by a new one for the same master (``replace_worker``).

Command line (for the native stack): ``python -m deploy.spark_cluster start DIR`` prints the
master URL and writes ``DIR/cluster.json``; ``python -m deploy.spark_cluster stop DIR``.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from deploy.ports import free_port

READY_TIMEOUT_S = 120


def spark_home() -> Path:
    """pyspark's installation folder, which holds bin/spark-class and the jars."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


@dataclass(frozen=True)
class SparkCluster:
    """A running master and worker: where they listen and which processes they are."""

    work_dir: str
    master_port: int
    master_ui_port: int
    worker_ui_port: int
    master_pid: int
    worker_pid: int

    @property
    def master_url(self) -> str:
        return f"spark://127.0.0.1:{self.master_port}"

    @property
    def master_ui_url(self) -> str:
        return f"http://127.0.0.1:{self.master_ui_port}"

    def status(self) -> dict:
        """The master's JSON status (workers, applications)."""
        with urlopen(f"{self.master_ui_url}/json/", timeout=5) as response:
            return json.load(response)


def _daemon(command: list[str], log: Path, environ: dict[str, str]) -> subprocess.Popen:
    with open(log, "w") as output:
        return subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=environ, start_new_session=True
        )


def _wait_for_alive_worker(cluster: SparkCluster, processes: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(
                    f"a Spark daemon exited with {process.returncode}; see the logs in "
                    f"{cluster.work_dir}"
                )
        with contextlib.suppress(URLError, OSError, ValueError):
            if any(worker["state"] == "ALIVE" for worker in cluster.status()["workers"]):
                return
        time.sleep(0.5)
    raise TimeoutError(
        f"no ALIVE Spark worker after {READY_TIMEOUT_S} s; logs in {cluster.work_dir}"
    )


def start(
    work_dir: Path,
    cores: int = 2,
    memory: str = "2g",
    master_port: int | None = None,
    master_ui_port: int | None = None,
) -> SparkCluster:
    """Start a master and one worker with ``cores`` and ``memory``; return once it is ready.

    The master's ports are free ones unless given (the native stack keeps them across restarts).
    """
    work_dir = Path(work_dir).resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    master_port = master_port or free_port()
    master_ui_port = master_ui_port or free_port()
    spark_class = _spark_class()
    master_command = [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1"]
    master_command += ["--port", str(master_port), "--webui-port", str(master_ui_port)]
    master = _daemon(master_command, work_dir / "master.log", _environ(work_dir))
    worker, worker_ui_port = _start_worker(work_dir, master_port, cores, memory)
    cluster = SparkCluster(
        str(work_dir), master_port, master_ui_port, worker_ui_port, master.pid, worker.pid
    )
    (work_dir / "cluster.json").write_text(json.dumps(asdict(cluster)))
    try:
        _wait_for_alive_worker(cluster, [master, worker])
    except BaseException:
        stop(cluster)
        raise
    return cluster


def replace_worker(cluster: SparkCluster, cores: int = 2, memory: str = "2g") -> SparkCluster:
    """Start a new worker for the master of ``cluster``, whose worker has died; return the cluster
    with the new worker (the one ``stop`` stops) once the master lists it ALIVE."""
    if _alive(cluster.worker_pid):
        raise RuntimeError(f"the Spark worker (PID {cluster.worker_pid}) is still running")
    worker, worker_ui_port = _start_worker(
        Path(cluster.work_dir), cluster.master_port, cores, memory
    )
    replaced = replace(cluster, worker_ui_port=worker_ui_port, worker_pid=worker.pid)
    (Path(cluster.work_dir) / "cluster.json").write_text(json.dumps(asdict(replaced)))
    _wait_for_alive_worker(replaced, [worker])
    return replaced


def _start_worker(
    work_dir: Path, master_port: int, cores: int, memory: str
) -> tuple[subprocess.Popen, int]:
    """A worker for the master on ``master_port``, logging to its own file; and its UI port."""
    ui_port = free_port()
    command = [_spark_class(), "org.apache.spark.deploy.worker.Worker"]
    command += [f"spark://127.0.0.1:{master_port}", "--host", "127.0.0.1"]
    command += ["--cores", str(cores), "--memory", memory]
    command += ["--webui-port", str(ui_port), "--work-dir", str(work_dir / "worker")]
    log = work_dir / f"worker-{ui_port}.log"
    return _daemon(command, log, _environ(work_dir)), ui_port


def _spark_class() -> str:
    return str(spark_home() / "bin" / "spark-class")


def _environ(work_dir: Path) -> dict[str, str]:
    # The JVMs' temporary folder (executors' shuffle and spill files, native libraries they unpack)
    # in the work folder rather than /tmp: what a killed executor or worker cannot delete stays
    # with the cluster's other files. Executors inherit the worker's environment.
    temporary = work_dir / "tmp"
    temporary.mkdir(parents=True, exist_ok=True)
    java_options = f'{os.environ.get("JAVA_TOOL_OPTIONS", "")} -Djava.io.tmpdir="{temporary}"'
    return {
        **os.environ,
        "SPARK_HOME": str(spark_home()),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,
        "SPARK_WORKER_DIR": str(work_dir / "worker"),
        "JAVA_TOOL_OPTIONS": java_options.strip(),
    }


def stop(cluster: SparkCluster, timeout_s: float = 30) -> None:
    """SIGTERM the worker, then the master (each with its process group); SIGKILL stragglers."""
    for pid in (cluster.worker_pid, cluster.master_pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for pid in (cluster.worker_pid, cluster.master_pid):
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        _reap(pid)


def _alive(pid: int) -> bool:
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def load(work_dir: Path) -> SparkCluster:
    """The cluster described by ``work_dir/cluster.json``."""
    return SparkCluster(**json.loads((Path(work_dir) / "cluster.json").read_text()))


if __name__ == "__main__":
    action, folder = sys.argv[1:3]
    if action == "start":
        started = start(Path(folder))
        print(f"Spark master {started.master_url}, UI {started.master_ui_url}")
    elif action == "stop":
        stop(load(Path(folder)))
    else:
        raise SystemExit(f"unknown action {action!r}: use start DIR or stop DIR")

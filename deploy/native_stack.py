"""The stack without Docker: the services of docker-compose.yml, started natively on 127.0.0.1.

PostgreSQL (Dagster's storage and the warehouse), SeaweedFS as the S3 store (pip installs it, see
``deploy.object_store``), a Spark master and worker, the code location's gRPC server, the
webserver and the daemon, and the metrics exporter, Prometheus and Alertmanager
(``deploy.monitoring``: Debian's binaries, the compose services' configuration). The Dagster
processes get the same environment variables as in compose (``environment()``; a test checks
both sets are equal), so the code cannot tell the two stacks apart; only the lake differs
(``file://`` here, ``s3a://`` in compose). From ``.env`` (else ``.env.example``) it reads the
credentials only (``CREDENTIAL_NAMES``); the other variables come from the shell of the first
``up``.

Everything lives in one git-ignored folder (``.local/stack``, or ``NATIVE_STACK_DIR``):
``stack.env`` (the variables, ports chosen once so URLs survive restarts), ``state.json`` (PIDs),
``logs/`` and each service's data. ``up`` waits for every service and fails with the service's
name and log file when one is not ready in time; ``up`` on a running stack starts nothing;
``down`` stops exactly the recorded processes, and does nothing when nothing runs.

Usage: ``deploy/native-stack.sh up | down | status`` (or ``python -m deploy.native_stack ...``).
"""

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import requests

from dagster_project import settings
from dagster_project.instance import health
from deploy import monitoring, object_store, postgres, spark_cluster
from deploy.ports import free_port

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
ALERT_VARIABLES = (
    "ALERT_WEBHOOK_URL",
    "ALERT_EMAIL_TO",
    "ALERT_EMAIL_FROM",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "DAGSTER_WEBSERVER_URL",
    "ALERT_QUEUED_RUN_MINUTES",
    "ALERT_HELD_SLOT_MINUTES",
)
READY_TIMEOUT_S = float(os.environ.get("NATIVE_STACK_TIMEOUT", "180"))
CREDENTIAL_NAMES = (
    "DAGSTER_PG_USER",
    "DAGSTER_PG_PASSWORD",
    "DAGSTER_PG_DB",
    "WAREHOUSE_DB",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "S3_BUCKET",
)
PASSED_THROUGH = ("DATA_SCALE", "PARQUET_COMPRESSION", "DAGSTER_WEBSERVER_PORT")
DAGSTER_PROCESSES = ("code_location", "webserver", "daemon")


class StackError(RuntimeError):
    """A service of the native stack could not be started or found."""


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines of a .env file (comments and blank lines skipped)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip().strip("'\"")
    return values


class NativeStack:
    """The native stack rooted at ``folder``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder).resolve()
        self.logs = self.folder / "logs"

    # ---- configuration ---------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        """The stack's variables: created on the first ``up`` and kept in ``stack.env``."""
        stored = self.folder / "stack.env"
        if stored.exists():
            return read_env_file(stored)
        credentials = read_env_file(REPOSITORY_ROOT / ".env.example")
        if (REPOSITORY_ROOT / ".env").exists():
            credentials |= read_env_file(REPOSITORY_ROOT / ".env")
        credentials |= {name: os.environ[name] for name in CREDENTIAL_NAMES if name in os.environ}
        pg_port, s3_port = free_port(), free_port()
        spark_port, spark_ui_port, grpc_port = free_port(), free_port(), free_port()
        web_port = free_port(int(os.environ.get("DAGSTER_WEBSERVER_PORT", "3000")))
        user, password = credentials["DAGSTER_PG_USER"], credentials["DAGSTER_PG_PASSWORD"]
        environ = {
            "DAGSTER_DEPLOYMENT": "stack",
            "DAGSTER_HOME": str(self.folder / "dagster_home"),
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(pg_port),
            "DAGSTER_PG_USER": user,
            "DAGSTER_PG_PASSWORD": password,
            "DAGSTER_PG_DB": credentials["DAGSTER_PG_DB"],
            "WAREHOUSE_URL": (
                f"postgresql+psycopg2://{user}:{password}@127.0.0.1:{pg_port}/"
                f"{credentials['WAREHOUSE_DB']}"
            ),
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
            "S3_BUCKET": credentials["S3_BUCKET"],
            "AWS_ACCESS_KEY_ID": credentials["AWS_ACCESS_KEY_ID"],
            "AWS_SECRET_ACCESS_KEY": credentials["AWS_SECRET_ACCESS_KEY"],
            "SPARK_MASTER_URL": f"spark://127.0.0.1:{spark_port}",
            "SPARK_MASTER_UI_URL": f"http://127.0.0.1:{spark_ui_port}",
            "SPARK_DRIVER_HOST": "127.0.0.1",
            "LAKE_URL": f"file://{self.folder / 'lake'}",
            "DAGSTER_CODE_LOCATION_HOST": "127.0.0.1",
            "DAGSTER_CODE_LOCATION_PORT": str(grpc_port),
            "DAGSTER_WEBSERVER_PORT": str(web_port),
            "DATA_SCALE": os.environ.get("DATA_SCALE", "1"),
            "PARQUET_COMPRESSION": os.environ.get("PARQUET_COMPRESSION", "zstd"),
            # Stopped unless asked for: the stack's tests launch their own runs and count them.
            "AUTOMATION": os.environ.get("AUTOMATION", "stopped"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            **settings.client_timeouts().environment(),
            # the alert channels (docs/operations.md): off while empty
            **{name: os.environ.get(name, "") for name in ALERT_VARIABLES},
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        stored.write_text(
            "".join(f"{name}={shlex.quote(value)}\n" for name, value in environ.items())
        )
        stored.chmod(0o600)
        return environ

    def monitoring_ports(self) -> monitoring.MonitoringPorts:
        """The ports of the metrics exporter, Prometheus and Alertmanager: chosen on the first
        ``up`` and kept in ``monitoring.json`` (they are no Dagster process's variables)."""
        stored = self.folder / "monitoring.json"
        if stored.exists():
            return monitoring.MonitoringPorts(**json.loads(stored.read_text()))
        ports = monitoring.MonitoringPorts(free_port(), free_port(), free_port())
        self.folder.mkdir(parents=True, exist_ok=True)
        stored.write_text(json.dumps(ports.__dict__))
        return ports

    @property
    def webserver_url(self) -> str:
        return f"http://127.0.0.1:{self.environment()['DAGSTER_WEBSERVER_PORT']}"

    # ---- state -------------------------------------------------------------------------------

    def _state(self) -> dict:
        path = self.folder / "state.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def _record(self, service: str, entry: dict) -> None:
        state = self._state() | {service: entry}
        (self.folder / "state.json").write_text(json.dumps(state, indent=2))

    def status(self) -> dict[str, bool]:
        """Whether each recorded service's process is alive."""
        return {service: _alive(_pid(entry)) for service, entry in self._state().items()}

    def memory_mb(self) -> dict[str, float]:
        """Resident memory of each running service, its child processes included."""
        usage = {}
        for service, entry in self._state().items():
            roots = [pid for pid in [_pid(entry), *entry.get("pids", [])] if _alive(pid)]
            if roots:
                processes = [psutil.Process(pid) for pid in roots]
                processes += [
                    child for root in processes for child in root.children(recursive=True)
                ]
                usage[service] = round(sum(_rss(process) for process in processes) / 2**20, 1)
        return usage

    # ---- up / down -----------------------------------------------------------------------

    def up(self) -> None:
        """Start every service not running yet; return when all are ready."""
        state = self.status()
        if state and all(state.values()):
            print(f"The native stack is already up: {self.webserver_url}")
            return
        if any(state.values()):
            dead = sorted(service for service, alive in state.items() if not alive)
            raise StackError(
                f"The native stack is partly running ({', '.join(dead)} stopped): "
                "run down, then up."
            )
        self.logs.mkdir(parents=True, exist_ok=True)
        environ = self.environment()
        started = time.monotonic()
        try:
            self._start_postgres(environ)
            self._start_object_store(environ)
            self._start_spark(environ)
            self._start_dagster(environ)
            self._start_monitoring(environ)
        except BaseException:
            self.down()
            raise
        print(f"The native stack is up in {time.monotonic() - started:.1f} s: {self.webserver_url}")
        print(f"Prometheus: http://127.0.0.1:{self.monitoring_ports().prometheus}")

    def down(self) -> None:
        """Stop the recorded processes, newest first; nothing happens when nothing runs."""
        state = self._state()
        for service in reversed(list(state)):
            entry = state[service]
            if service == "postgres":
                postgres.stop(Path(entry["data_dir"]))
            elif service == "spark":
                spark_cluster.stop(spark_cluster.load(Path(entry["work_dir"])))
            else:
                _stop_process_group(entry["pid"])
        (self.folder / "state.json").unlink(missing_ok=True)

    # ---- services ------------------------------------------------------------------------

    def _start_postgres(self, environ: dict[str, str]) -> None:
        data_dir = self.folder / "postgres"
        self.folder.chmod(0o755)  # the cluster runs as the postgres user when we are root
        self._record("postgres", {"data_dir": str(data_dir)})  # before starting: down can stop it
        try:
            server = postgres.start(
                data_dir,
                int(environ["DAGSTER_PG_PORT"]),
                environ["DAGSTER_PG_PASSWORD"],
                durable=True,
                username=environ["DAGSTER_PG_USER"],
            )
        except subprocess.CalledProcessError as error:
            raise StackError(
                f"PostgreSQL did not start ({error.stderr.strip()}); see {data_dir / 'server.log'}"
            ) from error
        server.ensure_database(environ["DAGSTER_PG_DB"])
        server.ensure_database(environ["WAREHOUSE_URL"].rsplit("/", 1)[1])

    def _start_object_store(self, environ: dict[str, str]) -> None:
        log = self.logs / "object_store.log"
        process = object_store.start_seaweedfs(
            self.folder / "seaweedfs",
            int(environ["S3_ENDPOINT_URL"].rsplit(":", 1)[1]),
            environ["AWS_ACCESS_KEY_ID"],
            environ["AWS_SECRET_ACCESS_KEY"],
            log,
        )
        self._record("object_store", {"pid": process.pid, "log": str(log)})
        client = object_store.s3_client(
            environ["S3_ENDPOINT_URL"],
            environ["AWS_ACCESS_KEY_ID"],
            environ["AWS_SECRET_ACCESS_KEY"],
        )
        self._wait("object_store", log, process, lambda: bool(client.list_buckets()))
        object_store.create_buckets(client, [environ["S3_BUCKET"]])

    def _start_spark(self, environ: dict[str, str]) -> None:
        work_dir = self.folder / "spark"
        try:
            cluster = spark_cluster.start(
                work_dir,
                master_port=int(environ["SPARK_MASTER_URL"].rsplit(":", 1)[1]),
                master_ui_port=int(environ["SPARK_MASTER_UI_URL"].rsplit(":", 1)[1]),
            )
        except (RuntimeError, TimeoutError) as error:
            raise StackError(f"spark did not start: {error}; logs in {work_dir}") from error
        self._record(
            "spark",
            {"pid": cluster.master_pid, "pids": [cluster.worker_pid], "work_dir": str(work_dir)},
        )

    def _start_dagster(self, environ: dict[str, str]) -> None:
        home = Path(environ["DAGSTER_HOME"])
        home.mkdir(parents=True, exist_ok=True)
        (home / "dagster.yaml").write_text(
            (REPOSITORY_ROOT / "deploy" / "dagster.stack.yaml").read_text()
        )
        port, web_port = environ["DAGSTER_CODE_LOCATION_PORT"], environ["DAGSTER_WEBSERVER_PORT"]
        bin_dir = Path(sys.executable).parent
        commands = {
            "code_location": [
                str(bin_dir / "python"),
                "-m",
                "dagster_project.instance.code_server",
                "-m",
                "dagster_project.definitions",
                "-h",
                "127.0.0.1",
                "-p",
                port,
                "--location-name",
                "reference_code_location",
            ],
            "webserver": [
                str(bin_dir / "python"),
                "-m",
                "dagster_project.instance.webserver",
                "-w",
                "workspace.yaml",
                "-h",
                "127.0.0.1",
                "-p",
                web_port,
            ],
            "daemon": [str(bin_dir / "dagster-daemon"), "run", "-w", "workspace.yaml"],
        }
        checks = {
            "code_location": lambda: health.serving(f"127.0.0.1:{port}"),
            "webserver": lambda: requests.get(f"{self.webserver_url}/server_info", timeout=5).ok,
            "daemon": lambda: self._daemons_healthy(),
        }
        for service in DAGSTER_PROCESSES:
            log = self.logs / f"{service}.log"
            process = _spawn(commands[service], environ, log)
            self._record(service, {"pid": process.pid, "log": str(log)})
            self._wait(service, log, process, checks[service])

    def _start_monitoring(self, environ: dict[str, str]) -> None:
        """The metrics exporter (with the Dagster processes' variables), Alertmanager (which
        reads ``ALERT_WEBHOOK_URL`` from them) and Prometheus, configured as in compose."""
        ports = self.monitoring_ports()
        prometheus_dir, alertmanager_dir = self.folder / "prometheus", self.folder / "alertmanager"
        monitoring.write_prometheus_config(prometheus_dir, ports)
        alertmanager, alertmanager_variables = monitoring.alertmanager_command(
            alertmanager_dir, ports.alertmanager
        )
        services = {
            "metrics_exporter": (
                monitoring.exporter_command(ports.exporter),
                environ,
                f"http://127.0.0.1:{ports.exporter}/metrics",
            ),
            "alertmanager": (
                alertmanager,
                environ | alertmanager_variables,
                f"http://127.0.0.1:{ports.alertmanager}/-/ready",
            ),
            "prometheus": (
                monitoring.prometheus_command(prometheus_dir, ports.prometheus),
                environ,
                f"http://127.0.0.1:{ports.prometheus}/-/ready",
            ),
        }
        for service, (command, variables, ready_url) in services.items():
            log = self.logs / f"{service}.log"
            process = _spawn(command, variables, log)
            self._record(service, {"pid": process.pid, "log": str(log)})
            self._wait(
                service, log, process, lambda url=ready_url: requests.get(url, timeout=10).ok
            )

    def _daemons_healthy(self) -> bool:
        query = "{ instance { daemonHealth { allDaemonStatuses { required healthy } } } }"
        response = requests.post(f"{self.webserver_url}/graphql", json={"query": query}, timeout=10)
        statuses = response.json()["data"]["instance"]["daemonHealth"]["allDaemonStatuses"]
        return all(status["healthy"] for status in statuses if status["required"])

    def _wait(
        self, service: str, log: Path, process: subprocess.Popen, ready: Callable[[], bool]
    ) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise StackError(
                    f"{service} exited with {process.returncode} while starting; see {log}"
                )
            with contextlib.suppress(Exception):
                if ready():
                    return
            time.sleep(0.5)
        raise StackError(f"{service} was not ready after {READY_TIMEOUT_S:g} s; see {log}")


def _spawn(command: list[str], environ: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "a") as output:
        return subprocess.Popen(
            command,
            cwd=REPOSITORY_ROOT,
            env={**os.environ, **environ},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _pid(entry: dict) -> int | None:
    """A service's PID: recorded, or for PostgreSQL read from its data folder."""
    if "data_dir" in entry:
        pid_file = Path(entry["data_dir"]) / "postmaster.pid"
        return int(pid_file.read_text().splitlines()[0]) if pid_file.exists() else None
    return entry["pid"]


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        process = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return False
    return process.status() != psutil.STATUS_ZOMBIE


def _rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.NoSuchProcess:
        return 0


def _stop_process_group(pid: int, timeout_s: float = 30) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def main(arguments: list[str]) -> int:
    folder = Path(os.environ.get("NATIVE_STACK_DIR") or REPOSITORY_ROOT / ".local" / "stack")
    stack = NativeStack(folder)
    action = arguments[0] if arguments else ""
    try:
        if action == "up":
            stack.up()
        elif action == "down":
            stack.down()
            print("The native stack is down.")
        elif action == "status":
            state, memory = stack.status(), stack.memory_mb()
            for service, alive in state.items():
                detail = f"{memory.get(service, 0):.0f} MB" if alive else "stopped"
                print(f"{service:14s} {'running' if alive else 'STOPPED':8s} {detail}")
            if not state:
                print("The native stack is not running.")
            else:
                print(f"UI: {stack.webserver_url}   variables: {folder / 'stack.env'}")
        else:
            print("usage: deploy/native-stack.sh up | down | status", file=sys.stderr)
            return 2
    except StackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

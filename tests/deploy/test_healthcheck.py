"""The compose services' cheap health checks (deploy/healthcheck.py) against real servers: a
Dagster code server (serving, absent, silent), HTTP servers (2xx, 5xx, silent), and the daemon
heartbeats Dagster's own storage writes in a real PostgreSQL; each answers within its timeout,
and the daemons docker-compose.yml waits for are exactly those the stack's instance requires."""

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._daemon.types import DaemonHeartbeat

from dagster_project.settings import REPOSITORY_ROOT
from deploy import healthcheck
from tests.processes import free_port, stop_process_group, wait_until

BOUND_S = healthcheck.TIMEOUT_S + 2


@pytest.fixture(scope="module")
def code_server() -> Iterator[str]:
    """A real `dagster api grpc` server of a small code location, on a free port."""
    port = free_port()
    process = subprocess.Popen(
        [
            Path(sys.executable).parent / "dagster",
            *("api", "grpc", "-h", "127.0.0.1", "-p", str(port)),
            *("-m", "tests.instance.fault_location"),
        ],
        cwd=REPOSITORY_ROOT,
        start_new_session=True,
    )
    address = f"127.0.0.1:{port}"
    try:
        wait_until(lambda: healthcheck.grpc_serving(address) is None, process, "the code server")
        yield address
    finally:
        stop_process_group(process)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def timed(check, *arguments) -> tuple[str | None, float]:
    started = time.monotonic()
    problem = check(*arguments)
    return problem, time.monotonic() - started


def test_a_serving_code_server_is_healthy(code_server):
    assert healthcheck.grpc_serving(code_server) is None
    assert healthcheck.main(["grpc", code_server]) == 0


def test_no_code_server_and_a_silent_one_are_unhealthy_in_bounded_time(silent_port):
    problem, seconds = timed(healthcheck.grpc_serving, f"127.0.0.1:{free_port()}")
    assert "UNAVAILABLE" in problem and seconds < BOUND_S

    problem, seconds = timed(healthcheck.grpc_serving, f"127.0.0.1:{silent_port}")
    assert f"127.0.0.1:{silent_port}" in problem and seconds < BOUND_S


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/ok" else 503)
        self.end_headers()

    def log_message(self, *arguments):
        pass


@pytest.fixture
def http_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_http_answers_2xx_healthy_otherwise_not(http_server, silent_port):
    assert healthcheck.http_ok(f"{http_server}/ok") is None
    assert "503" in healthcheck.http_ok(f"{http_server}/broken")
    assert healthcheck.main(["http", f"{http_server}/broken"]) == 1

    problem, seconds = timed(healthcheck.http_ok, f"http://127.0.0.1:{silent_port}/")
    assert "timed out" in problem and seconds < BOUND_S


@pytest.fixture
def stack_instance(tmp_path, postgres_server, monkeypatch) -> Iterator[dg.DagsterInstance]:
    """The stack's instance (deploy/dagster.stack.yaml) on a new database of a real PostgreSQL."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPOSITORY_ROOT / "deploy" / "dagster.stack.yaml", home / "dagster.yaml")
    database = f"test_{uuid.uuid4().hex[:12]}"
    postgres_server.create_database(database)
    environ = {
        "DAGSTER_PG_HOST": postgres_server.host,
        "DAGSTER_PG_PORT": str(postgres_server.port),
        "DAGSTER_PG_USER": postgres_server.username,
        "DAGSTER_PG_PASSWORD": postgres_server.password,
        "DAGSTER_PG_DB": database,
        "S3_BUCKET": "dagster",
        "S3_ENDPOINT_URL": "http://127.0.0.1:9",  # never reached: no step runs
    }
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        yield instance


def compose_daemon_types() -> list[str]:
    compose = yaml.safe_load((REPOSITORY_ROOT / "docker-compose.yml").read_text())
    test = compose["services"]["daemon"]["healthcheck"]["test"]
    assert test[:5] == ["CMD", "python", "-m", "deploy.healthcheck", "heartbeats"]
    return test[5:]


def test_the_compose_daemon_check_waits_for_every_daemon_the_stack_requires(stack_instance):
    assert sorted(compose_daemon_types()) == sorted(stack_instance.get_required_daemon_types())


def test_heartbeats_written_by_dagster_are_read_and_old_ones_do_not_count(stack_instance):
    daemons = compose_daemon_types()
    started = time.time()
    environ = dict(os.environ)
    assert "no heartbeat" in healthcheck.heartbeats_since(daemons, started, environ)

    for daemon in daemons[:-1]:
        stack_instance.add_daemon_heartbeat(DaemonHeartbeat(time.time(), daemon, "d1", None))
    problem = healthcheck.heartbeats_since(daemons, started, environ)
    assert problem.endswith(f"from: {daemons[-1]}")

    stack_instance.add_daemon_heartbeat(DaemonHeartbeat(time.time(), daemons[-1], "d1", None))
    assert healthcheck.heartbeats_since(daemons, started, environ) is None
    # a daemon process that started after these heartbeats has sent none of its own yet
    assert "no heartbeat" in healthcheck.heartbeats_since(daemons, time.time() + 1, environ)


def test_heartbeats_of_an_unreachable_database_name_it_but_never_the_password(stack_instance):
    environ = {**os.environ, "DAGSTER_PG_PORT": str(free_port())}
    problem, seconds = timed(healthcheck.heartbeats_since, ["SENSOR"], 0.0, environ)
    assert os.environ["DAGSTER_PG_HOST"] in problem and seconds < BOUND_S
    assert os.environ["DAGSTER_PG_PASSWORD"] not in problem


def test_the_compose_file_uses_these_checks_and_none_imports_dagster():
    compose = yaml.safe_load((REPOSITORY_ROOT / "docker-compose.yml").read_text())
    python_checks = [
        service["healthcheck"]["test"]
        for service in compose["services"].values()
        if "healthcheck" in service and "python" in service["healthcheck"]["test"]
    ]
    assert python_checks and all(
        test[1:4] == ["python", "-m", "deploy.healthcheck"] for test in python_checks
    )
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, deploy.healthcheck; print(sorted(sys.modules))"],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'dagster'" not in loaded and "'grpc'" not in loaded

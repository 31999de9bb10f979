"""The native stack's script and the stack's resources when things go wrong: a second `up`, a
`down` with nothing running, a service that is not ready in time, wrong credentials."""

import json
import re
import socket
import uuid
from pathlib import Path

import dagster as dg
import psutil
import pytest

from dagster_project.definitions import defs
from dagster_project.deployment import build_resources
from deploy import object_store
from deploy.native_stack import DAGSTER_PROCESSES, read_env_file
from tests.deploy.conftest import stack_script
from tests.io_managers.stored_values import run_failure_text


def recorded_pids(stack) -> dict[str, int]:
    state = json.loads((stack.folder / "state.json").read_text())
    return {service: entry.get("pid") for service, entry in state.items()}


def test_up_on_a_running_stack_starts_nothing(native_stack):
    before = recorded_pids(native_stack)

    again = native_stack.script("up")

    assert again.returncode == 0
    assert "already up" in again.stdout
    assert recorded_pids(native_stack) == before


def test_down_when_nothing_runs_forgets_the_stale_state(stopped_stack_folder):
    # What a stopped machine leaves: state recording a PostgreSQL cluster that no longer runs.
    folder = stopped_stack_folder
    (folder / "state.json").write_text(json.dumps({"postgres": {"data_dir": str(folder / "pg")}}))

    down = stack_script(folder, "down")

    assert down.returncode == 0
    assert "The native stack is down." in down.stdout
    assert not (folder / "state.json").exists()


def processes_using(folder: Path) -> list[str]:
    """Command lines of the live processes started with ``folder`` in their arguments."""
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if str(folder) in cmdline and process.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(cmdline)
    return found


def port_refuses(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(5)
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_a_service_not_ready_in_time_is_named_with_its_log_and_the_rest_is_stopped(
    stopped_stack_folder,
):
    folder = stopped_stack_folder

    up = stack_script(folder, "up", NATIVE_STACK_TIMEOUT="0.01")
    status = stack_script(folder, "status")

    assert up.returncode == 1
    service = re.search(r"error: (\w+) was not ready after 0\.01 s; see (\S+)", up.stderr)
    assert service, up.stderr
    assert service.group(2) == f"{folder}/logs/{service.group(1)}.log"
    # PostgreSQL (no readiness wait of the stack's own) and the object store (the first service
    # waited for) were started before whichever service ran out of time: both must be stopped.
    assert service.group(1) in {"object_store", *DAGSTER_PROCESSES}
    assert (folder / "postgres" / "PG_VERSION").exists()
    assert (folder / "seaweedfs").exists()
    assert "not running" in status.stdout
    assert processes_using(folder) == []
    environ = read_env_file(folder / "stack.env")
    ports = {
        "postgres": int(environ["DAGSTER_PG_PORT"]),
        "object_store": int(environ["S3_ENDPOINT_URL"].rsplit(":", 1)[1]),
        "spark": int(environ["SPARK_MASTER_URL"].rsplit(":", 1)[1]),
    }
    assert {name: port_refuses(port) for name, port in ports.items()} == dict.fromkeys(ports, True)


def materialize_in_stack(stack, monkeypatch, asset: str, **overrides: str):
    for name, value in {**stack.environ, **overrides}.items():
        monkeypatch.setenv(name, value)
    return dg.materialize(
        list(defs.assets or []),
        selection=[asset],
        resources=build_resources(),
        raise_on_error=False,
    )


def test_a_wrong_object_store_secret_fails_the_run_naming_the_endpoint_not_the_secret(
    native_stack, monkeypatch
):
    wrong_secret = f"not-the-secret-{uuid.uuid4().hex}"  # made up per run: the store rejects it
    result = materialize_in_stack(
        native_stack, monkeypatch, "orders_raw", AWS_SECRET_ACCESS_KEY=wrong_secret
    )

    message = run_failure_text(result)
    environ = native_stack.environ
    store = object_store.s3_client(
        environ["S3_ENDPOINT_URL"], environ["AWS_ACCESS_KEY_ID"], environ["AWS_SECRET_ACCESS_KEY"]
    )
    assert environ["S3_BUCKET"] in [bucket["Name"] for bucket in store.list_buckets()["Buckets"]]
    assert not result.success
    assert environ["S3_ENDPOINT_URL"] in message
    assert re.search(r"SignatureDoesNotMatch|InvalidAccessKeyId|AccessDenied|403", message), message
    assert wrong_secret not in message


def test_a_wrong_warehouse_password_fails_the_run_naming_host_and_port_not_the_password(
    native_stack, monkeypatch
):
    environ = native_stack.environ
    wrong_url = environ["WAREHOUSE_URL"].replace(
        f":{environ['DAGSTER_PG_PASSWORD']}@", ":wrong-password-0451@"
    )
    result = materialize_in_stack(
        native_stack, monkeypatch, "raw_transactions", WAREHOUSE_URL=wrong_url
    )

    message = run_failure_text(result)
    assert not result.success
    assert f"host 127.0.0.1 port {environ['DAGSTER_PG_PORT']}" in message
    assert "wrong-password-0451" not in message
    assert environ["DAGSTER_PG_PASSWORD"] not in message


@pytest.fixture(autouse=True)
def _no_leaked_deployment(monkeypatch):
    monkeypatch.delenv("DAGSTER_DEPLOYMENT", raising=False)

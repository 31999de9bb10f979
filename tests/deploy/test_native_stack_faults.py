"""The native stack's script and the stack's resources when things go wrong: a second `up`, a
`down` with nothing running, a service that is not ready in time, wrong credentials."""

import json
import re
import uuid

import dagster as dg
import pytest

from dagster_project.definitions import defs
from dagster_project.deployment import build_resources
from tests.deploy.conftest import stack_folder, stack_script
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


def test_down_when_nothing_runs_does_nothing():
    folder = stack_folder()

    down = stack_script(folder, "down")

    assert down.returncode == 0
    assert not (folder / "state.json").exists()


def test_a_service_not_ready_in_time_is_named_with_its_log_and_the_rest_is_stopped():
    folder = stack_folder()

    up = stack_script(folder, "up", NATIVE_STACK_TIMEOUT="0.01")
    status = stack_script(folder, "status")

    assert up.returncode == 1
    service = re.search(r"error: (\w+) was not ready after 0\.01 s; see (\S+)", up.stderr)
    assert service, up.stderr
    assert service.group(2) == f"{folder}/logs/{service.group(1)}.log"
    assert "not running" in status.stdout


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
    assert not result.success
    assert native_stack.environ["S3_ENDPOINT_URL"] in message
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

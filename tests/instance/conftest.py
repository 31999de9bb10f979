"""One `dagster dev` over the fault location for the instance tests that need a real daemon
(``dev``), and a new gate per test (``gate``), opened when the test ends."""

from pathlib import Path

import pytest

from tests.instance.dev_server import Gate, dagster_dev

FAULT_LOCATION = "tests.instance.fault_location"
# The start and cancel timeouts, shortened from the shipped 180 s so a test can wait them out.
SHORT_TIMEOUT_S = 15


@pytest.fixture(scope="package")
def gates(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("gates")


@pytest.fixture(scope="package")
def dev(tmp_path_factory, gates):
    overrides = {
        "run_monitoring": {
            "start_timeout_seconds": SHORT_TIMEOUT_S,
            "cancel_timeout_seconds": SHORT_TIMEOUT_S,
        }
    }
    with dagster_dev(
        tmp_path_factory.mktemp("dev"), FAULT_LOCATION, {"GATE_FOLDER": str(gates)}, overrides
    ) as server:
        yield server


@pytest.fixture
def gate(gates):
    opened = Gate(gates)
    yield opened
    opened.open()  # whatever the test left waiting finishes

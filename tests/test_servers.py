"""Steps that talk to a server retry by the policy of its kind: a PostgreSQL warehouse that is down
when the step starts and back a few seconds later costs a retry, not the run; one that stays down
fails the step after the declared retries, naming the server. Pure pandas steps never retry."""

import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.client_timeouts import ClientTimeouts
from dagster_project.definitions import defs
from dagster_project.defs.warehouse.assets import raw_transactions
from dagster_project.io_managers.reference import ReferenceIOManager
from dagster_project.resources.synthetic_data import SyntheticDataResource
from dagster_project.resources.warehouse import WarehouseResource
from dagster_project.servers import POOLS, RETRY_POLICIES, Server
from deploy import postgres
from tests.conftest import POSTGRES_PASSWORD
from tests.processes import free_port

SERVER_KINDS = {"sql": Server.WAREHOUSE, "dbt": Server.DBT, "spark": Server.SPARK}


@pytest.fixture
def own_postgres():
    """A PostgreSQL cluster of this test alone, which the test stops and starts."""
    folder = Path(tempfile.mkdtemp(prefix="test-retried-postgres-", dir="/tmp"))
    folder.chmod(0o755)
    server = postgres.start(folder / "data", free_port(), POSTGRES_PASSWORD)
    server.create_database("warehouse")
    try:
        yield server
    finally:
        postgres.stop(server.data_dir)
        shutil.rmtree(folder, ignore_errors=True)


def materialize_raw_transactions(
    server: postgres.PostgresServer, tmp_path: Path, instance: dg.DagsterInstance
):
    warehouse = WarehouseResource(
        url=server.url("warehouse"), timeouts=ClientTimeouts(connect_seconds=2, attempts=1)
    )
    return dg.materialize(
        [raw_transactions],
        resources={
            "warehouse": warehouse,
            "synthetic_data": SyntheticDataResource(scale=0.005),
            "reference_io_manager": ReferenceIOManager(base_path=str(tmp_path / "reference")),
        },
        instance=instance,
        raise_on_error=False,
    )


def start_after_first_retry(instance: dg.DagsterInstance, server: postgres.PostgresServer):
    """Start the stopped server once the instance records a step up for retry, so the first
    attempt always finds it down, whatever the machine's speed."""
    retried = dg.EventRecordsFilter(dg.DagsterEventType.STEP_UP_FOR_RETRY)
    deadline = time.monotonic() + 120
    while not instance.get_event_records(retried, limit=1) and time.monotonic() < deadline:
        time.sleep(0.1)
    postgres.start(server.data_dir, server.port, POSTGRES_PASSWORD)


def events_of(result, event_type: dg.DagsterEventType) -> list[dg.DagsterEvent]:
    return [event for event in result.all_events if event.event_type == event_type]


def test_a_warehouse_back_within_the_retries_costs_a_retry_not_the_run(
    own_postgres, tmp_path, instance
):
    postgres.stop(own_postgres.data_dir)
    restart = threading.Thread(target=start_after_first_retry, args=(instance, own_postgres))
    restart.start()
    try:
        result = materialize_raw_transactions(own_postgres, tmp_path, instance)
    finally:
        restart.join()

    assert result.success
    retried = events_of(result, dg.DagsterEventType.STEP_UP_FOR_RETRY)
    assert len(retried) >= 1
    assert f"port {own_postgres.port}" in str(retried[0].event_specific_data.error)


@pytest.mark.timeout(180)  # back-off 5, 10, 20 s, each scaled by jitter: far below a minute each
def test_a_warehouse_that_stays_down_fails_after_the_declared_retries(
    own_postgres, tmp_path, instance
):
    postgres.stop(own_postgres.data_dir)

    result = materialize_raw_transactions(own_postgres, tmp_path, instance)

    policy = RETRY_POLICIES[Server.WAREHOUSE]
    assert not result.success
    assert len(events_of(result, dg.DagsterEventType.STEP_UP_FOR_RETRY)) == policy.max_retries
    failure = events_of(result, dg.DagsterEventType.STEP_FAILURE)[0]
    assert f"port {own_postgres.port}" in str(failure.event_specific_data.error)
    assert POSTGRES_PASSWORD not in str(failure.event_specific_data.error)


def test_every_step_on_a_server_has_its_kind_s_policy_and_pool_and_pandas_steps_none():
    graph = defs.resolve_asset_graph()
    seen = set()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if not node.is_materializable:
            continue
        op = node.assets_def.op
        kinds = set(node.kinds) & set(SERVER_KINDS)
        if not kinds:
            assert (op.retry_policy, op.pool) == (None, None), key
            continue
        server = SERVER_KINDS[kinds.pop()]
        # the dbt Component's op takes no retry policy: it applies its kind's through
        # RetryRequested (defs/dbt/component.py; the test below)
        policy = None if server == Server.DBT else RETRY_POLICIES[server]
        assert (op.retry_policy, op.pool) == (policy, POOLS[server]), key
        seen.add(server)
    assert seen == set(Server)


@pytest.mark.timeout(240)
def test_a_dbt_step_that_cannot_reach_its_warehouse_retries_by_the_dbt_policy(
    tmp_path, instance, monkeypatch
):
    """A DuckDB file held by another process: dbt cannot open it, and the step is retried as
    many times as the dbt policy declares, then fails. The component reads the policy when the
    step runs: here with its delays cut to a tenth (35 s of waiting otherwise)."""
    database = tmp_path / "held.duckdb"
    monkeypatch.setenv("WAREHOUSE_URL", f"duckdb:///{database}")
    declared = RETRY_POLICIES[Server.DBT]
    monkeypatch.setitem(RETRY_POLICIES, Server.DBT, declared._replace(delay=declared.delay / 10))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; held = duckdb.connect(sys.argv[1]); "
            "print('held', flush=True); time.sleep(3600)",
            str(database),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    staging = dg.AssetKey(["staging", "stg_sales"])
    try:
        assert holder.stdout.readline().strip() == "held"
        result = dg.materialize(
            [defs.get_assets_def(staging)],
            selection=[staging],
            instance=instance,
            raise_on_error=False,
        )
    finally:
        holder.kill()
        holder.wait()

    assert not result.success
    assert len(events_of(result, dg.DagsterEventType.STEP_UP_FOR_RETRY)) == declared.max_retries

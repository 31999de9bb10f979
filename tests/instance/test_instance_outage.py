"""The stack's instance database restarting under Dagster, on a real PostgreSQL of the test's own:

- a restart while a run records an event (the INSERT held by a lock, so the restart lands inside
  it): the step fails, the run is retried from that step and the retry succeeds;
- the webserver's pooled connections after a restart: the first query works;
- which failures count as the instance's database going away (only errors raised inside
  Dagster's storage by a lost connection), and that a real step failure wins.
"""

import contextlib
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg2
import pytest
import sqlalchemy as sa
from dagster_postgres import PostgresEventLogStorage

from dagster_project.instance import webserver
from dagster_project.instance.outage_retry import (
    RETRY_ON_STEP_FAILURE_TAG,
    lost_instance_database,
    retry_after_instance_outage,
)
from dagster_project.settings import REPOSITORY_ROOT
from deploy import postgres
from tests.instance.conftest import FAULT_LOCATION
from tests.instance.dev_server import (
    Gate,
    dagster_dev,
    poll,
    run_story,
    slot_holders,
    story_on_timeout,
)
from tests.processes import free_port

PASSWORD = secrets.token_hex(12)


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[postgres.PostgresServer]:
    """A PostgreSQL cluster only this module uses, so it can be restarted."""
    folder = Path(tempfile.mkdtemp(prefix="test-outage-postgres-", dir="/tmp"))
    folder.chmod(0o755)
    server = postgres.start(folder / "data", free_port(), PASSWORD)
    try:
        yield server
    finally:
        postgres.stop(server.data_dir)
        shutil.rmtree(folder, ignore_errors=True)


def restart(server: postgres.PostgresServer) -> None:
    """A fast shutdown (what `docker restart` of the postgres image sends) and a start."""
    postgres.stop(server.data_dir)
    postgres.start(server.data_dir, server.port, PASSWORD)


def dsn(server: postgres.PostgresServer, database: str) -> str:
    return (
        f"host=127.0.0.1 port={server.port} user={server.username} password={PASSWORD} "
        f"dbname={database}"
    )


@contextlib.contextmanager
def event_writes_held(server: postgres.PostgresServer, database: str) -> Iterator[None]:
    """Every INSERT into the event log waits while the block lasts (a table lock of another
    session), so a restart in the block lands inside Dagster's write."""
    holder = psycopg2.connect(dsn(server, database))
    try:
        holder.cursor().execute("LOCK TABLE event_logs IN EXCLUSIVE MODE")
        yield
    finally:
        with contextlib.suppress(psycopg2.Error):
            holder.close()


def waits_at_gate(instance: dg.DagsterInstance, run_id: str) -> bool:
    """Whether the run's gated step has recorded that it waits at its gate."""
    return any(
        record.user_message.startswith("waiting for ") for record in instance.all_logs(run_id)
    )


def an_event_write_waits(server: postgres.PostgresServer, database: str) -> bool:
    with psycopg2.connect(dsn(server, database)) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE 'INSERT INTO event_logs%'"
        )
        return cursor.fetchone()[0] > 0


def interrupted_event_write(server: postgres.PostgresServer) -> BaseException:
    """What Dagster's PostgreSQL event storage raises when the server restarts under a write."""
    database = f"outage_{secrets.token_hex(4)}"
    server.create_database(database)
    storage = PostgresEventLogStorage(server.url(database))
    errors: list[BaseException] = []
    event = dg.EventLogEntry(
        error_info=None,
        level="INFO",
        user_message="a log line",
        run_id="run-1",
        timestamp=time.time(),
    )

    def write() -> None:
        try:
            storage.store_event(event)
        except Exception as error:
            errors.append(error)

    with event_writes_held(server, database):
        writer = threading.Thread(target=write)
        writer.start()
        poll(lambda: an_event_write_waits(server, database), "the write waiting on the lock")
        restart(server)
    writer.join(timeout=60)
    storage.dispose()
    assert errors, "the write survived the restart"
    return errors[0]


def test_only_a_lost_connection_inside_dagsters_storage_is_an_instance_outage(own_postgres):
    outage = interrupted_event_write(own_postgres)
    engine = sa.create_engine(own_postgres.url("postgres"))
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            restart(own_postgres)
            with pytest.raises(sa.exc.OperationalError) as the_warehouses:
                connection.execute(sa.text("SELECT 1"))  # a step's own query, same fault
    finally:
        engine.dispose()

    assert lost_instance_database(outage), repr(outage)
    assert not lost_instance_database(the_warehouses.value)
    assert not lost_instance_database(ValueError("a bug in a transform"))
    assert not lost_instance_database(None)


@dg.op
def step() -> None:
    pass


@dg.job
def two_step_failures():
    step()


def hook_verdict(instance: dg.DagsterInstance, run_id: str, error: BaseException) -> str | None:
    context = dg.build_hook_context(op=step, run_id=run_id, op_exception=error, instance=instance)
    retry_after_instance_outage.decorated_fn(context)
    return instance.get_run_by_id(run_id).tags.get(RETRY_ON_STEP_FAILURE_TAG)


def test_a_real_step_failure_wins_over_an_outage_in_the_same_run(own_postgres, instance):
    outage = interrupted_event_write(own_postgres)
    outage_then_bug = instance.create_run_for_job(two_step_failures)
    bug_then_outage = instance.create_run_for_job(two_step_failures)

    assert hook_verdict(instance, outage_then_bug.run_id, outage) == "true"
    assert hook_verdict(instance, outage_then_bug.run_id, ValueError("bug")) == "false"
    assert hook_verdict(instance, bug_then_outage.run_id, ValueError("bug")) == "false"
    assert hook_verdict(instance, bug_then_outage.run_id, outage) == "false"


def test_the_webservers_pooled_connections_survive_a_restart(own_postgres):
    engine = sa.create_engine(own_postgres.url("postgres"), pool_size=1, max_overflow=0)

    def query() -> int:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT 1")).scalar_one()

    try:
        query()
        restart(own_postgres)
        with pytest.raises(sa.exc.OperationalError, match="server closed the connection"):
            query()  # what dagster-webserver's pools do on their own
        query()
        webserver.check_pooled_connections()
        restart(own_postgres)
        assert query() == 1  # the first query after the restart works
    finally:
        sa.event.remove(sa.pool.QueuePool, "checkout", webserver.ping)
        engine.dispose()


@pytest.mark.timeout(900)
def test_a_restart_inside_an_event_write_fails_the_step_and_the_retry_succeeds(
    own_postgres, tmp_path, monkeypatch
):
    database = f"dagster_{secrets.token_hex(4)}"
    own_postgres.create_database(database)
    gates = tmp_path / "gates"
    gates.mkdir()
    environ = {
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_PORT": str(own_postgres.port),
        "DAGSTER_PG_USER": own_postgres.username,
        "DAGSTER_PG_PASSWORD": PASSWORD,
        "DAGSTER_PG_DB": database,
        "S3_BUCKET": "unused",
        "GATE_FOLDER": str(gates),
    }
    # the stack's instance, but step logs in a local folder (no object store here)
    overrides = {
        "compute_logs": {
            "module": "dagster.core.storage.local_compute_log_manager",
            "class": "LocalComputeLogManager",
            "config": {"base_dir": str(tmp_path / "logs")},
        }
    }
    for name, value in environ.items():  # the instance this test reads: the same file's
        monkeypatch.setenv(name, value)
    with dagster_dev(
        tmp_path / "dev",
        FAULT_LOCATION,
        environ,
        overrides,
        REPOSITORY_ROOT / "deploy" / "dagster.stack.yaml",
    ) as dev:
        gate = Gate(gates)
        run_id = dev.submit("warehouse_job", gate.tags)
        # waits are long: in CI this runs beside the compose stack's tests on two cores
        with story_on_timeout(dev, run_id), dev.instance() as instance:
            poll(lambda: run_id in slot_holders(instance, "warehouse"), "the step running", 180)
            # the step's own log line recorded: the next write is its output, not that line
            # (Dagster drops a log line it cannot write, and the step would then succeed)
            poll(lambda: waits_at_gate(instance, run_id), "the step at its gate", 180)
        with story_on_timeout(dev, run_id), event_writes_held(own_postgres, database):
            gate.open()  # the step returns; recording its output waits on the lock
            poll(lambda: an_event_write_waits(own_postgres, database), "the write waiting", 120)
            restart(own_postgres)

        # read from the instance: this webserver is plain dagster-webserver, whose pools
        # fail once after a restart (the stack runs dagster_project.instance.webserver)
        with story_on_timeout(dev, run_id), dev.instance() as instance:
            run = poll(lambda: ended(instance, run_id), "the run ended", 180)
            (retry,) = poll(
                lambda: instance.get_runs(
                    filters=dg.RunsFilter(tags={"dagster/parent_run_id": run_id})
                ),
                "the retry",  # the retry daemon polls every few seconds
                timeout_s=180,
            )
        with story_on_timeout(dev, retry.run_id), dev.instance() as instance:
            retried = poll(lambda: ended(instance, retry.run_id), "the retry ended", 180)
            messages = [record.message for record in instance.all_logs(run_id)]
            story = f"{run_story(instance, run_id)}\n{run_story(instance, retry.run_id)}"

    assert run.status == dg.DagsterRunStatus.FAILURE, story
    assert retried.status == dg.DagsterRunStatus.SUCCESS, story
    assert run.tags[RETRY_ON_STEP_FAILURE_TAG] == "true", story
    assert any("instance's database connection was lost" in message for message in messages)


def ended(instance: dg.DagsterInstance, run_id: str) -> dg.DagsterRun | None:
    run = instance.get_run_by_id(run_id)
    return run if run is not None and run.is_finished else None

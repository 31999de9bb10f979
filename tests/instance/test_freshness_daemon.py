"""Both instance configs the project ships run Dagster's FreshnessDaemon (on unless an instance
sets `freshness: enabled: false`): the real `dagster-daemon` on the embedded default's instance
reports a stale asset stale (assets of the iot, monitoring and marketing groups), and the stack's
instance lists the daemon among those it runs."""

import os
import shutil
import time
import uuid

import dagster as dg
from dagster._core.definitions.freshness import FreshnessState
from dagster._core.test_utils import freeze_time

from dagster_project.settings import REPOSITORY_ROOT
from tests.instance.dev_server import dagster_daemon
from tests.processes import stop_process_group, wait_until

FRESHNESS_DAEMON = "FRESHNESS_DAEMON"
HOUR = 3600
STALE = dg.AssetKey("sensor_anomalies")  # fails 3 h after its last materialization
FRESH = dg.AssetKey("performance_metrics")  # warns after a day, fails after two
NEVER = dg.AssetKey("campaign_data")  # never materialized here


def test_the_daemon_of_the_embedded_default_reports_a_stale_asset(tmp_path, small_scale_environ):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPOSITORY_ROOT / "dagster.yaml", home / "dagster.yaml")
    environ = {**os.environ, "DAGSTER_HOME": str(home)}
    environ.pop("AUTOMATION", None)  # schedules and sensors stay stopped: no run is launched
    keys = [STALE, FRESH, NEVER]
    with dg.DagsterInstance.from_config(str(home)) as instance:
        with freeze_time(time.time() - 4 * HOUR):
            instance.report_runless_asset_event(
                dg.AssetMaterialization(STALE, partition="2026-03-10-11:00")
            )
        instance.report_runless_asset_event(dg.AssetMaterialization(FRESH))

        daemon = dagster_daemon(tmp_path / "daemon.log", environ)
        try:
            wait_until(
                lambda: len(instance.get_freshness_state_records(keys)) == len(keys),
                daemon,
                f"the freshness daemon's first evaluation (log: {tmp_path / 'daemon.log'})",
            )
        finally:
            stop_process_group(daemon)

        assert FRESHNESS_DAEMON in instance.get_daemon_heartbeats()
        records = instance.get_freshness_state_records(keys)
    assert records[STALE].freshness_state == FreshnessState.FAIL
    assert records[FRESH].freshness_state == FreshnessState.PASS
    assert records[NEVER].freshness_state == FreshnessState.UNKNOWN


def test_the_stack_instance_runs_the_freshness_daemon(tmp_path, postgres_server, monkeypatch):
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
        # what `dagster-daemon run` starts (dagster/_daemon/controller.py)
        assert FRESHNESS_DAEMON in instance.get_required_daemon_types()

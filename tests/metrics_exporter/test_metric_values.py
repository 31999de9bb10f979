"""Each metric of the exporter against what the ``caused`` instance holds, and the counters
read again, unchanged, by a restarted exporter."""

import math

from tests.metrics_exporter.conftest import HOUR, scrape


def test_each_metric_reads_what_the_instance_holds(caused, exporter):
    port = exporter({"DAGSTER_HOME": str(caused)})

    metrics = scrape(port)

    def value(name: str, **labels: str) -> float:
        return metrics[(name, tuple(sorted(labels.items())))]

    assert value("dagster_up") == 1
    assert value("dagster_runs_finished_total", status="FAILURE", job_name="failing_job") == 1
    ephemeral = "__ephemeral_asset_job__"
    assert value("dagster_runs_finished_total", status="FAILURE", job_name=ephemeral) == 1
    assert value("dagster_runs_finished_total", status="SUCCESS", job_name=ephemeral) == 1
    assert value("dagster_runs", status="QUEUED", job_name="storage_cleanup_job") == 1
    assert value("dagster_queued_runs", job_name="storage_cleanup_job") == 1
    assert 0 < value("dagster_oldest_queued_run_age_seconds", job_name="storage_cleanup_job") < 600
    assert value("dagster_run_duration_seconds_count", job_name="failing_job") == 1
    assert value("dagster_pool_limit", pool="warehouse") == 1
    assert value("dagster_pool_slots_claimed", pool="warehouse") == 1
    assert value("dagster_pool_slots_held_by_ended_runs", pool="warehouse") == 1
    assert value("dagster_asset_freshness_state", asset="sensor_anomalies", state="FAIL") == 1
    assert value("dagster_asset_freshness_state", asset="sensor_anomalies", state="PASS") == 0
    # only the assets with a freshness policy (Dagster records NOT_APPLICABLE for the others)
    assert {
        dict(labels)["asset"] for name, labels in metrics if name == "dagster_asset_freshness_state"
    } <= {"sensor_anomalies", "campaign_data", "performance_metrics"}
    stale_s = value("dagster_asset_seconds_since_last_materialization", asset="sensor_anomalies")
    assert 4 * HOUR <= stale_s < 5 * HOUR
    assert 0 <= value("dagster_step_last_duration_seconds", step="failing_step") < 60
    # the history found at start feeds the latest durations only, not the histogram
    assert not any(name.startswith("dagster_step_duration_seconds") for name, _ in metrics)
    assert value("dagster_asset_check_passed", asset="orders_raw", check="schema") == 0
    # the daemons the instance needs heartbeat only while they run; none ran here
    assert value("dagster_daemon_seconds_since_heartbeat", daemon="SCHEDULER") == math.inf
    assert value("dagster_daemon_seconds_since_heartbeat", daemon="QUEUED_RUN_COORDINATOR") == (
        math.inf
    )
    assert value("dagster_pool_held_slot_age_seconds", pool="warehouse") > 0
    assert value("dagster_queued_run_alert_seconds") == 30 * 60
    assert value("dagster_pool_held_slot_alert_seconds") == 2 * 60
    # every job of the definitions, from 0: Prometheus sees the first failure as an increase
    assert value("dagster_runs_finished_total", status="FAILURE", job_name="iot_hourly_job") == 0


def test_the_finished_run_counters_survive_an_exporter_restart(caused, exporter):
    first = scrape(exporter({"DAGSTER_HOME": str(caused)}))
    again = scrape(exporter({"DAGSTER_HOME": str(caused)}))

    finished = {key: v for key, v in first.items() if key[0] == "dagster_runs_finished_total"}
    assert finished and finished == {
        key: v for key, v in again.items() if key[0] == "dagster_runs_finished_total"
    }

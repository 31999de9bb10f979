"""Alerts that reach people (through ``alert_channels``): failed runs and failed asset checks.

Each sensor has a cursor, so an alert is sent once: the run-failure sensor uses Dagster's own
run-status cursor; the check sensor remembers the check executions it read. With no channel set the
sensors still advance and send nothing. The performance verdicts go out from
``performance_alert_sensor`` (sensors.py).
"""

import json

import dagster as dg

from dagster_project.automation import DEFAULT_SENSOR_STATUS
from dagster_project.resources.alert_channels import Alert, AlertChannelsResource

EXECUTIONS_PER_CHECK = 50


@dg.run_failure_sensor(default_status=DEFAULT_SENSOR_STATUS)
def run_failure_alert_sensor(
    context: dg.RunFailureSensorContext, alert_channels: AlertChannelsResource
) -> None:
    """Sends every failed run of this code location to the alert channels."""
    run = context.dagster_run
    reason = context.failure_event.message or "no message"
    alert = Alert(
        title=f"Run failed: {run.job_name} ({run.run_id[:8]})",
        details=f"Run {run.run_id} of {run.job_name} failed: {reason.strip()[:500]}",
        ui_path=f"/runs/{run.run_id}",
    )
    if alert_channels.enabled:
        alert_channels.send([alert], context.log)


@dg.sensor(minimum_interval_seconds=60, default_status=DEFAULT_SENSOR_STATUS)
def asset_check_alert_sensor(
    context: dg.SensorEvaluationContext, alert_channels: AlertChannelsResource
) -> dg.SensorResult:
    """Sends every failed asset check (the pandera contracts, dbt's tests) to the alert channels.

    Reads each check's execution history (which the embedded default's run-sharded SQLite storage
    serves, unlike a global event query). The cursor holds the execution id below which all is
    read, and the ids above it already sent: a check still running keeps the cursor below it, so
    its verdict is read when it lands, and nothing is sent twice."""
    state = json.loads(context.cursor) if context.cursor else {"after": 0, "sent": []}
    after, sent = int(state["after"]), set(state["sent"])
    if context.repository_def is None:
        raise ValueError(
            "asset_check_alert_sensor needs its definitions: evaluate it in the code location, or "
            "build its context with definitions=defs."
        )
    check_keys = context.repository_def.asset_graph.asset_check_keys
    alerts, running, seen = [], [], [after]
    for check_key in sorted(check_keys, key=str):
        history = context.instance.event_log_storage.get_asset_check_execution_history(
            check_key, limit=EXECUTIONS_PER_CHECK
        )
        for record in history:
            if record.id <= after:
                break
            evaluation = getattr(
                record.event and record.event.dagster_event, "event_specific_data", None
            )
            if not isinstance(evaluation, dg.AssetCheckEvaluation):
                running.append(record.id)  # planned or in progress: no verdict yet
                continue
            seen.append(record.id)
            if evaluation.passed or record.id in sent:
                continue
            sent.add(record.id)
            alerts.append(_check_alert(check_key, evaluation, record.run_id))
    if alerts and alert_channels.enabled:
        alert_channels.send(alerts, context.log)
    new_after = min(running) - 1 if running else max(seen)
    cursor = json.dumps({"after": new_after, "sent": sorted(i for i in sent if i > new_after)})
    if not alerts:
        return dg.SensorResult(skip_reason=dg.SkipReason("No new failed checks."), cursor=cursor)
    return dg.SensorResult(cursor=cursor)


def _check_alert(check_key: dg.AssetCheckKey, evaluation, run_id: str) -> Alert:
    asset = check_key.asset_key.to_user_string()
    failures = evaluation.metadata.get("first_failures")
    return Alert(
        title=f"Check failed: {asset} {check_key.name}",
        details=f"Asset check '{check_key.name}' of {asset} failed in run {run_id}. "
        f"{getattr(failures, 'value', '')}".strip(),
        ui_path=f"/runs/{run_id}",
    )

"""Alerts that reach people (through ``alert_channels``): failed runs, failed asset checks, and a
run queue held up (a run waiting too long, a pool slot kept by a run that ended).

Each sensor has a cursor, so an alert is sent once: the run-failure sensor uses Dagster's own
run-status cursor; the check sensor remembers the check executions it read. With no channel set the
sensors still advance and send nothing. The performance verdicts go out from
``performance_alert_sensor`` (sensors.py).
"""

import json
import time

import dagster as dg

from dagster_project.automation import DEFAULT_SENSOR_STATUS
from dagster_project.monitoring.queue_health import (
    HeldSlot,
    QueuedRun,
    queued_runs,
    slots_held_by_ended_runs,
)
from dagster_project.resources.alert_channels import Alert, AlertChannelsResource
from dagster_project.resources.queue_thresholds import QueueThresholdsResource

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


@dg.sensor(minimum_interval_seconds=60, default_status=DEFAULT_SENSOR_STATUS)
def queue_alert_sensor(
    context: dg.SensorEvaluationContext,
    alert_channels: AlertChannelsResource,
    queue_thresholds: QueueThresholdsResource,
) -> dg.SensorResult:
    """Tells the alert channels when a run has waited in the queue past its limit, and when a
    pool slot is still claimed by a run that ended (every later step of that pool waits behind
    it). The cursor holds what was already sent while it lasts, so each is sent once."""
    sent = set(json.loads(context.cursor)) if context.cursor else set()
    now = time.time()
    alerts, current = [], set()
    queued_limit_s = queue_thresholds.max_queued_minutes * 60
    for run in queued_runs(context.instance, now):
        if run.queued_seconds <= queued_limit_s:
            break  # the longest waiting come first
        current.add(f"queued|{run.run_id}")
        if f"queued|{run.run_id}" not in sent:
            alerts.append(_queued_alert(run, queue_thresholds.max_queued_minutes))
    for slot in slots_held_by_ended_runs(context.instance, now):
        if slot.ended_seconds <= queue_thresholds.max_held_slot_minutes * 60:
            continue
        key = f"held|{slot.pool}|{slot.run_id}|{slot.step_key}"
        current.add(key)
        if key not in sent:
            alerts.append(_held_slot_alert(slot))
    if alerts and alert_channels.enabled:
        alert_channels.send(alerts, context.log)
    for alert in alerts:
        context.log.warning(f"{alert.title}: {alert.details}")
    cursor = json.dumps(sorted(current))  # a run that left the queue may alert again later
    if not alerts:
        return dg.SensorResult(skip_reason=dg.SkipReason("The queue is moving."), cursor=cursor)
    return dg.SensorResult(cursor=cursor)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def _queued_alert(run: QueuedRun, limit_minutes: float) -> Alert:
    waited = _duration(run.queued_seconds)
    return Alert(
        title=f"Run queued for {waited}: {run.job_name} ({run.run_id[:8]})",
        details=f"Run {run.run_id} of {run.job_name} has waited in the queue for {waited} "
        f"(limit {_duration(limit_minutes * 60)}). The runs in progress, a full pool or a "
        "stopped daemon hold it back: see the queue and the pools in the UI.",
        ui_path=f"/runs/{run.run_id}",
    )


def _held_slot_alert(slot: HeldSlot) -> Alert:
    return Alert(
        title=f"Pool {slot.pool} blocked by ended run {slot.run_id[:8]}",
        details=f"Step {slot.step_key} of run {slot.run_id} ({slot.run_status} "
        f"{_duration(slot.ended_seconds)} ago) still claims a slot of pool '{slot.pool}', "
        f"so every later {slot.pool} step waits behind it. The daemon's run monitoring frees "
        "such slots 10 s after the run ended: check that dagster-daemon runs and that "
        "run_monitoring is enabled in the instance's dagster.yaml. To free it now: the UI's "
        f"Deployment > Concurrency > {slot.pool}, or the run's page.",
        ui_path=f"/runs/{slot.run_id}",
    )

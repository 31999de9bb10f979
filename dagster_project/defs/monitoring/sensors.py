"""Sensors of the monitoring group: new materializations refresh the dashboard; machine
pressure requests the storage cleanup."""

import json
from datetime import UTC, datetime

import dagster as dg
import psutil

from dagster_project.automation import DEFAULT_SENSOR_STATUS
from dagster_project.defs.monitoring.assets import GROUP, MONITORING_ASSETS, machine_memory_mb
from dagster_project.defs.monitoring.cleanup import storage_cleanup_job
from dagster_project.monitoring.alerts import AlertRules, evaluate_alerts
from dagster_project.monitoring.instance_history import asset_history, assets_to_monitor
from dagster_project.resources.alert_channels import Alert, AlertChannelsResource
from dagster_project.resources.resource_thresholds import ResourceThresholdsResource

NEW_RECORDS_PER_ASSET = 100


@dg.sensor(
    asset_selection=dg.AssetSelection.assets(*MONITORING_ASSETS),
    minimum_interval_seconds=60,
    default_status=DEFAULT_SENSOR_STATUS,
)
def performance_alert_sensor(
    context: dg.SensorEvaluationContext, alert_channels: AlertChannelsResource
) -> dg.SensorResult:
    """Refreshes the monitoring assets when other assets materialized since the last tick, logs
    the alerts of the assets that changed and sends their critical verdicts to the alert
    channels. The cursor holds the last storage id seen, so a materialization is read once, and
    the critical verdicts still open, so a verdict is sent once until it clears."""
    after, open_verdicts = read_cursor(context.cursor)
    assets = [asset for asset in assets_to_monitor(context) if asset.group != GROUP]
    changed, newest = [], after
    for asset in assets:
        records = context.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=asset.key, after_storage_id=after),
            limit=NEW_RECORDS_PER_ASSET,
        ).records
        if records:
            changed.append(asset)
            newest = max(newest, *(record.storage_id for record in records))
    if not changed:
        return dg.SensorResult(
            skip_reason=dg.SkipReason(f"No new materializations after storage id {after}."),
        )

    alerts = evaluate_alerts(
        asset_history(context.instance, changed), AlertRules(), machine_memory_mb()
    )
    for alert in alerts.itertuples():
        context.log.warning(f"[{alert.severity}] {alert.message}")
    context.log.info(f"{len(changed)} assets materialized; {len(alerts)} alerts.")
    critical = {
        f"{alert.asset_key}|{alert.kind}": alert
        for alert in alerts.itertuples()
        if alert.severity == "critical"
    }
    changed_keys = {asset.key.to_user_string() for asset in changed}
    if alert_channels.enabled:
        alert_channels.send(
            [
                Alert(
                    title=f"Performance: {alert.asset_key} ({alert.kind})",
                    details=alert.message,
                    ui_path=f"/assets/{alert.asset_key}",
                )
                for verdict, alert in critical.items()
                if verdict not in open_verdicts
            ],
            context.log,
        )
    # a verdict of an asset that changed is open again only if it was found again
    open_verdicts = {v for v in open_verdicts if v.split("|")[0] not in changed_keys}
    open_verdicts |= set(critical)
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"performance-refresh-{newest}",
                # The refresh run carries the verdict, so it shows in the runs list.
                tags={
                    "performance_alerts": str(len(alerts)),
                    "alerted_assets": ",".join(sorted(set(alerts["asset_key"])))[:200],
                },
            )
        ],
        cursor=json.dumps({"after": newest, "open": sorted(open_verdicts)}),
    )


def read_cursor(cursor: str | None) -> tuple[int, set[str]]:
    """The last storage id read and the critical verdicts already sent (an older cursor, a bare
    storage id, has none)."""
    if not cursor:
        return 0, set()
    if cursor.isdigit():
        return int(cursor), set()
    state = json.loads(cursor)
    return int(state["after"]), set(state["open"])


def cleanup_run_key(now: datetime) -> str:
    """One request per hour at most while the pressure lasts: the run key deduplicates."""
    return f"storage-cleanup-{now.astimezone(UTC):%Y-%m-%dT%H}"


@dg.sensor(
    job=storage_cleanup_job, minimum_interval_seconds=300, default_status=DEFAULT_SENSOR_STATUS
)
def resource_monitor_sensor(
    context: dg.SensorEvaluationContext, resource_thresholds: ResourceThresholdsResource
) -> dg.SensorResult:
    """Requests ``storage_cleanup_job`` when memory or disk usage passes its threshold."""
    memory = psutil.virtual_memory().percent
    disk = psutil.disk_usage(resource_thresholds.disk_path).percent
    readings = f"memory {memory:.0f}% (max {resource_thresholds.max_memory_percent:.0f}%), disk "
    readings += f"{disk:.0f}% of {resource_thresholds.disk_path} "
    readings += f"(max {resource_thresholds.max_disk_percent:.0f}%)"
    if (
        memory <= resource_thresholds.max_memory_percent
        and disk <= resource_thresholds.max_disk_percent
    ):
        return dg.SensorResult(skip_reason=dg.SkipReason(f"Within limits: {readings}."))
    context.log.warning(f"Above limits: {readings}; requesting storage_cleanup_job.")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=cleanup_run_key(datetime.now(UTC)),
                run_config={
                    "ops": {
                        "apply_retention": {
                            "config": {"dry_run": resource_thresholds.cleanup_dry_run}
                        }
                    }
                },
                tags={"memory_percent": f"{memory:.0f}", "disk_percent": f"{disk:.0f}"},
            )
        ]
    )

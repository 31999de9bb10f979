"""Sensors of the monitoring group: new materializations refresh the dashboard; machine
pressure requests the storage cleanup."""

from datetime import UTC, datetime

import dagster as dg
import psutil

from dagster_project.defs.monitoring.assets import GROUP, MONITORING_ASSETS, machine_memory_mb
from dagster_project.defs.monitoring.cleanup import storage_cleanup_job
from dagster_project.defs.monitoring.schedules import DEFAULT_SENSOR_STATUS
from dagster_project.monitoring.alerts import AlertRules, evaluate_alerts
from dagster_project.monitoring.instance_history import asset_history, assets_to_monitor
from dagster_project.resources.resource_thresholds import ResourceThresholdsResource

NEW_RECORDS_PER_ASSET = 100


@dg.sensor(
    asset_selection=list(MONITORING_ASSETS),
    minimum_interval_seconds=60,
    default_status=DEFAULT_SENSOR_STATUS,
)
def performance_alert_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    """Refreshes the monitoring assets when other assets materialized since the last tick, and
    logs the alerts of the assets that changed. The cursor is the last storage id seen, so a
    materialization is read once."""
    after = int(context.cursor) if context.cursor else 0
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
        cursor=str(newest),
    )


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
    # One request per hour at most while the pressure lasts: the run key deduplicates.
    hour = datetime.now(UTC).strftime("%Y-%m-%dT%H")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"storage-cleanup-{hour}",
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

"""``storage_cleanup_job``: the retention policy per tier, applied to the stores (dry run first)."""

from datetime import UTC, datetime, timedelta

import dagster as dg

from dagster_project.monitoring.retention import (
    DEFAULT_RETENTION_DAYS,
    Expired,
    abandoned_partials,
    abandoned_staging,
    abandoned_uploads,
    delete,
    expired_partitions,
)
from dagster_project.resources.tier_stores import TierStoresResource


class RetentionConfig(dg.Config):
    dry_run: bool = True
    """Report what would go without deleting anything; set false to delete."""
    retention_days: dict[str, float] = DEFAULT_RETENTION_DAYS
    """Days a partition file of each tier is kept; tiers left out are not cleaned."""
    partial_grace_hours: float = 6.0
    """Age after which a temporary file or an unfinished upload whose writer cannot be checked
    (another machine's) is abandoned; one whose writer no longer runs goes at once."""


@dg.op(out=dg.Out(dg.Nothing))
def apply_retention(
    context: dg.OpExecutionContext, config: RetentionConfig, tier_stores: TierStoresResource
):
    """Delete (or list, in a dry run) expired partitions and abandoned temporary files."""
    now = datetime.now(UTC)
    expired: list[tuple[str, Expired]] = []
    # The instance says which assets are partitioned (their latest materialization has a
    # partition) and which partition is the latest; folders of anything else are left alone.
    for key in context.instance.get_asset_keys():
        latest = context.instance.get_latest_materialization_event(key)
        materialization = latest.asset_materialization if latest else None
        partition = materialization.partition if materialization else None
        if partition is None:
            continue
        for tier, days in config.retention_days.items():
            folder = tier_stores.tier_folder(tier).joinpath(*key.path)
            if not folder.is_dir():
                continue
            for item in expired_partitions(folder, timedelta(days=days), now, [partition]):
                expired.append((key.to_user_string(), item))
    grace = timedelta(hours=config.partial_grace_hours)
    for tier in DEFAULT_RETENTION_DAYS:
        folder = tier_stores.tier_folder(tier)
        for item in abandoned_partials(folder, grace, now) + abandoned_uploads(folder, grace, now):
            expired.append((f"{tier} tier", item))
    expired += [("object-store writes", item) for item in abandoned_staging()]

    for owner, item in expired:
        verb = "would delete" if config.dry_run else "deleting"
        context.log.info(f"{owner}: {verb} {item.file.path} ({item.reason})")
        if not config.dry_run:
            delete(item)
    freed = sum(item.file.size_bytes for _, item in expired)
    context.log.info(
        f"{'Dry run: ' if config.dry_run else ''}{len(expired)} files, {freed / 2**20:.1f} MB "
        f"{'would be ' if config.dry_run else ''}freed."
    )
    return dg.Output(
        None,
        metadata={
            "dry_run": config.dry_run,
            "files": len(expired),
            "bytes_freed": 0 if config.dry_run else freed,
            "bytes_expired": freed,
            "removed": "\n".join(str(item.file.path) for _, item in expired[:200]) or "none",
        },
    )


@dg.job(description="Applies the per-tier retention policy to the stores; dry run by default.")
def storage_cleanup_job():
    apply_retention()

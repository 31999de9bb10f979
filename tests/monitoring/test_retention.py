"""The retention policy on real stores: a local folder (ages set with utime) and the S3 server
(objects cannot be back-dated there, so the clock is moved forward instead)."""

import os
from datetime import UTC, datetime, timedelta

from upath import UPath

from dagster_project.monitoring.retention import (
    abandoned_partials,
    expired_partitions,
    stored_files,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def write(folder: UPath, name: str, age: timedelta | None = None) -> UPath:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * 1000)
    if age is not None:
        stamp = (NOW - age).timestamp()
        os.utime(path, (stamp, stamp))
    return path


def names(expired) -> list[str]:
    return sorted(item.file.path.name for item in expired)


def test_partitions_older_than_the_retention_expire(tmp_path):
    folder = UPath(tmp_path / "campaign_data")
    for day, age in [("2026-04-01", 61), ("2026-04-20", 42), ("2026-05-20", 12), ("2026-05-31", 1)]:
        write(folder, f"{day}.pkl", age * DAY)

    expired = expired_partitions(folder, 30 * DAY, NOW)

    assert names(expired) == ["2026-04-01.pkl", "2026-04-20.pkl"]
    assert sum(item.file.size_bytes for item in expired) == 2000


def test_the_newest_file_never_expires_even_when_everything_is_old(tmp_path):
    folder = UPath(tmp_path / "sensor_data")
    write(folder, "2025-01-01-00:00.parquet", 400 * DAY)
    write(folder, "2025-01-01-01:00.parquet", 399 * DAY)

    assert names(expired_partitions(folder, 30 * DAY, NOW)) == ["2025-01-01-00:00.parquet"]


def test_the_partition_of_the_latest_materialization_is_protected(tmp_path):
    # A backfill of an old partition is the latest materialization although its file is not
    # the newest one by date order of partitions.
    folder = UPath(tmp_path / "campaign_data")
    write(folder, "2026-01-01.pkl", 100 * DAY)
    write(folder, "2026-01-02.pkl", 90 * DAY)
    write(folder, "2026-05-31.pkl", 1 * DAY)

    expired = expired_partitions(folder, 30 * DAY, NOW, protected_partitions=["2026-01-01"])

    assert names(expired) == ["2026-01-02.pkl"]


def test_a_missing_asset_folder_has_nothing_to_expire(tmp_path):
    assert expired_partitions(UPath(tmp_path / "never_written"), DAY, NOW) == []


def test_only_old_partial_files_of_killed_writes_are_abandoned(tmp_path):
    folder = UPath(tmp_path / "medium")
    write(folder, "web_logs_raw.parquet", 10 * DAY)
    write(folder, ".web_logs_raw.parquet.k2j4.partial", 2 * DAY)
    write(folder, ".web_analytics.parquet.x9.partial", timedelta(minutes=5))

    expired = abandoned_partials(folder, timedelta(hours=6), NOW)

    assert names(expired) == [".web_logs_raw.parquet.k2j4.partial"]


def test_partitions_expire_on_the_s3_server(object_store_endpoint, object_store_bucket):
    folder = UPath(
        f"s3://{object_store_bucket}/storage/small/campaign_data",
        endpoint_url=object_store_endpoint,
    )
    for day in ("2026-05-01", "2026-05-02", "2026-05-03"):
        write(folder, day)  # the stack's small tier stores partitions without an extension
    later = max(file.modified for file in stored_files(folder)) + 40 * DAY

    expired = expired_partitions(folder, 30 * DAY, later, protected_partitions=["2026-05-01"])

    assert names(expired) == ["2026-05-02"]
    expired[0].file.path.unlink()
    assert sorted(file.path.name for file in stored_files(folder)) == ["2026-05-01", "2026-05-03"]

"""The retention policy of the tier stores: which stored partitions and leftovers may go.

Works on a local folder and on ``s3://`` alike (UPath). Only two kinds of file ever expire:

- a partition file of a partitioned asset, older than its tier's retention, unless it is the
  asset's newest file or the partition of its latest materialization (the latest value of an
  asset is never deleted);
- what a killed write left behind: a ``.<name>.*.partial`` file at once when its writer ran on
  this machine and no longer runs (:mod:`~dagster_project.io_managers.temporary_files`), otherwise
  once older than a grace period (a younger one may belong to a write in progress); a staging
  folder of an object-store write whose writer no longer runs; and a multipart upload to the
  object store started more than the grace period ago and never completed, whose parts the store
  keeps, unseen, until it is aborted.

An unpartitioned asset has exactly one stored file, its latest value, so nothing of it expires.
"""

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from upath import UPath

from dagster_project.io_managers.atomic_write import is_local, local_path
from dagster_project.io_managers.temporary_files import abandoned_staging_folders, is_abandoned
from dagster_project.tiers import Tier

PARTIAL_SUFFIX = ".partial"

# Days a partition file of each tier is kept unless ``storage_cleanup_job`` is told otherwise; the
# capacity plan assumes the same retention.
DEFAULT_RETENTION_DAYS = {
    Tier.SMALL.value: 30.0,
    Tier.MEDIUM.value: 90.0,
    Tier.TIME_SERIES.value: 30.0,
    Tier.SIZE_ROUTER.value: 90.0,
    Tier.REFERENCE.value: 365.0,
}


@dataclass(frozen=True)
class StoredFile:
    path: UPath
    modified: datetime
    size_bytes: int


@dataclass(frozen=True)
class Expired:
    """A file the policy removes, and why (``upload_id``: an unfinished multipart upload)."""

    file: StoredFile
    reason: str
    upload_id: str | None = None


def delete(item: Expired) -> None:
    """Remove what ``item`` names: a file, a staging folder, or an unfinished upload's parts."""
    path = item.file.path
    if item.upload_id is not None:
        bucket, _, key = path.path.partition("/")
        path.fs.call_s3("abort_multipart_upload", Bucket=bucket, Key=key, UploadId=item.upload_id)
    elif is_local(path) and local_path(path).is_dir():
        shutil.rmtree(local_path(path), ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def stored_files(folder: UPath) -> list[StoredFile]:
    """Every file under ``folder`` (none when it does not exist yet)."""
    if not folder.exists():
        return []
    files = []
    for path in folder.rglob("*"):
        info = path.stat()
        if path.is_file():
            files.append(StoredFile(path, _modified(path, info), int(info.st_size)))
    return files


def _modified(path: UPath, info) -> datetime:
    """Modification time as an aware datetime, from a local stat or an object-store listing."""
    mtime = getattr(info, "st_mtime", None)
    if mtime is None:
        raise ValueError(f"{path}: the store reports no modification time, so its age is unknown")
    if isinstance(mtime, datetime):
        return mtime if mtime.tzinfo else mtime.replace(tzinfo=datetime.now().astimezone().tzinfo)
    return datetime.fromtimestamp(float(mtime)).astimezone()


def expired_partitions(
    asset_folder: UPath,
    retention: timedelta,
    now: datetime,
    protected_partitions: Iterable[str] = (),
) -> list[Expired]:
    """Partition files of one asset older than ``retention``, keeping the newest and the
    protected partitions (the latest materialization's)."""
    files = [file for file in stored_files(asset_folder) if not _is_partial(file.path)]
    if not files:
        return []
    # Object stores keep whole seconds: equal times are ordered by name (later partition key).
    newest = max(files, key=lambda file: (file.modified, file.path.name))
    protected = set(protected_partitions)
    expired = []
    for file in files:
        if file is newest or _partition_of(file.path, asset_folder) in protected:
            continue
        if now - file.modified > retention:
            age_days = (now - file.modified) / timedelta(days=1)
            expired.append(Expired(file, f"partition {age_days:.1f} days old"))
    return expired


def abandoned_partials(folder: UPath, grace: timedelta, now: datetime) -> list[Expired]:
    """Temporary files of killed writes: at once when their writer no longer runs, else once
    older than ``grace``."""
    expired = []
    for file in stored_files(folder):
        if not _is_partial(file.path):
            continue
        if is_local(file.path) and is_abandoned(local_path(file.path)):
            expired.append(Expired(file, "temporary file of a killed write (writer gone)"))
        elif now - file.modified > grace:
            expired.append(Expired(file, "abandoned temporary file of an interrupted write"))
    return expired


def abandoned_staging() -> list[Expired]:
    """Staging folders of object-store writes whose writers no longer run."""
    expired = []
    for folder in abandoned_staging_folders():
        path = UPath(str(folder))
        file = StoredFile(path, _modified(path, folder.stat()), _size(folder))
        expired.append(Expired(file, "staging folder of a killed upload (writer gone)"))
    return expired


def abandoned_uploads(folder: UPath, grace: timedelta, now: datetime) -> list[Expired]:
    """Multipart uploads under ``folder`` (an ``s3://`` tier) started more than ``grace`` ago and
    never completed (at most the store's first page of 1000)."""
    if folder.protocol != "s3":
        return []
    bucket, _, prefix = folder.path.partition("/")
    listing = folder.fs.call_s3("list_multipart_uploads", Bucket=bucket, Prefix=prefix)
    expired = []
    for upload in listing.get("Uploads", []):
        started = upload["Initiated"]
        if now - started > grace:
            file = StoredFile(
                UPath(f"s3://{bucket}/{upload['Key']}", **folder.storage_options), started, 0
            )
            reason = "multipart upload never completed (a killed write)"
            expired.append(Expired(file, reason, upload["UploadId"]))
    return expired


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _is_partial(path: UPath) -> bool:
    return path.name.startswith(".") and path.name.endswith(PARTIAL_SUFFIX)


def _partition_of(path: UPath, asset_folder: UPath) -> str:
    """The partition key a file stores: its path under the asset folder, without extension."""
    relative = path.relative_to(asset_folder).as_posix()
    return relative.rsplit(".", 1)[0] if "." in path.name else relative

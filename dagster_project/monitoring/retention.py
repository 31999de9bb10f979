"""The retention policy of the tier stores: which stored partitions and leftovers may go.

Works on a local folder and on ``s3://`` alike (UPath). Only two kinds of file ever expire:

- a partition file of a partitioned asset, older than its tier's retention, unless it is the
  asset's newest file or the partition of its latest materialization (the latest value of an
  asset is never deleted);
- a ``.<name>.*.partial`` file that a killed write left behind, older than a grace period (a
  younger one may belong to a write in progress).

An unpartitioned asset has exactly one stored file, its latest value, so nothing of it expires.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from upath import UPath

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
    """A file the policy removes, and why."""

    file: StoredFile
    reason: str


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
    """Temporary files of killed writes, older than ``grace``."""
    return [
        Expired(file, "abandoned temporary file of an interrupted write")
        for file in stored_files(folder)
        if _is_partial(file.path) and now - file.modified > grace
    ]


def _is_partial(path: UPath) -> bool:
    return path.name.startswith(".") and path.name.endswith(PARTIAL_SUFFIX)


def _partition_of(path: UPath, asset_folder: UPath) -> str:
    """The partition key a file stores: its path under the asset folder, without extension."""
    relative = path.relative_to(asset_folder).as_posix()
    return relative.rsplit(".", 1)[0] if "." in path.name else relative

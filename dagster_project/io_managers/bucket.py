"""Whether a bucket exists, asked once before a tier first writes or reads under it.

SeaweedFS, the native stack's store, creates a missing bucket when an object is first put into
it, so a typo in a bucket's name would quietly start a new, empty bucket; AWS S3 and MinIO
refuse that PUT with ``NoSuchBucket``, and a read from a missing bucket looks like a value that
was never materialized. One ``HeadBucket`` request tells these cases apart, and the tiers raise
:class:`~.errors.MissingBucketError` when the store answers that the bucket does not exist.
(The stack's small tier learns it from dagster-aws, which lists the bucket when it builds its
manager.)

A bucket found is remembered for the life of the process, per endpoint: the check costs one
request per process and bucket. A ``HeadBucket`` refused with 403 is remembered too and lets the
write or read go ahead, because AWS S3 refuses it to credentials that may put and get objects but
not list the bucket (no ``s3:ListBucket``), a common least-privilege policy; the write or read
then gets the store's own answer. Any other failure (a store that cannot be reached or does not
answer) is raised to the caller once the client's timeouts and attempts are spent.
"""

from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError
from upath import UPath

from dagster_project.io_managers.errors import MissingBucketError, StorageUnavailableError

_checked: set[tuple[str | None, str]] = set()


def bucket_exists(path: UPath, endpoint_url: str | None) -> bool:
    """False only when the store at ``endpoint_url`` says the bucket of ``path`` (an ``s3://``
    UPath, whose s3fs client carries the timeouts) does not exist."""
    bucket = path.drive
    if (endpoint_url, bucket) in _checked:
        return True
    try:
        # s3fs turns the store's 404 into FileNotFoundError and its 403 into PermissionError.
        path.fs.call_s3("head_bucket", Bucket=bucket)
    except FileNotFoundError:
        return False
    except PermissionError:
        pass
    _checked.add((endpoint_url, bucket))
    return True


def require_bucket(
    path: UPath,
    endpoint_url: str | None,
    described: Callable[[], str],
    writing: bool,
    where: str,
    setting: str,
) -> None:
    """Raise :class:`MissingBucketError` (naming ``described()``, ``where`` and ``setting``) when
    the bucket of ``path`` does not exist, :class:`StorageUnavailableError` when the store cannot
    say."""
    try:
        exists = bucket_exists(path, endpoint_url)
    except (OSError, BotoCoreError, ClientError) as error:
        raise StorageUnavailableError(where, endpoint_url, error) from error
    if not exists:
        raise MissingBucketError(described(), writing, where, path.drive, endpoint_url, setting)

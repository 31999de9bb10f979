"""Errors raised by the tier I/O managers, worded so the reader knows what broke and what to run.

A missing value subclasses ``FileNotFoundError`` on purpose: Dagster's ``UPathIOManager`` skips
missing partitions only when it sees that type and the input sets ``allow_missing_partitions``.
A missing bucket does not, so a bucket's typo is never taken for partitions not yet written.
"""

import contextlib
from collections.abc import Callable, Iterator

import dagster as dg


def describe_asset(asset_key: dg.AssetKey, partition_key: str | None) -> str:
    """Return "asset 'a/b'" or "asset 'a/b', partition '2024-01-01'" for messages."""
    described = f"asset '{asset_key.to_user_string()}'"
    if partition_key is not None:
        described += f", partition '{partition_key}'"
    return described


def materialize_command(asset_key: dg.AssetKey, partition_key: str | None) -> str:
    """Return the shell command that materializes the asset (and partition) again."""
    command = f"dg launch --assets {asset_key.to_user_string()}"
    if partition_key is not None:
        command += f" --partition {partition_key}"
    return command


class MissingStoredValueError(FileNotFoundError):
    """No stored value exists for an upstream asset (or partition) that a step tries to load."""

    def __init__(self, asset_key: dg.AssetKey, partition_key: str | None, path: str):
        self.asset_key = asset_key
        self.partition_key = partition_key
        self.path = path
        super().__init__(
            f"No stored value for {describe_asset(asset_key, partition_key)} at {path}. "
            "It has never been materialized in this storage, or its file was deleted. "
            f"Materialize it first: `{materialize_command(asset_key, partition_key)}`."
        )

    def __reduce__(self):
        return type(self), (self.asset_key, self.partition_key, self.path)


class CorruptStoredValueError(Exception):
    """A stored value exists but cannot be decoded: truncated, corrupt, or of another format."""

    def __init__(self, asset_key: dg.AssetKey, partition_key: str | None, path: str, reason: str):
        self.asset_key = asset_key
        self.partition_key = partition_key
        self.path = path
        self.reason = reason
        super().__init__(
            f"The stored value of {describe_asset(asset_key, partition_key)} at {path} "
            f"is truncated or corrupt ({reason}). Nothing was loaded. Re-materialize it to "
            f"rewrite the file: `{materialize_command(asset_key, partition_key)}`."
        )

    def __reduce__(self):
        return type(self), (self.asset_key, self.partition_key, self.path, self.reason)


class RefusedValueError(Exception):
    """Base of the errors a tier raises on purpose for a value it will not store; each message
    already names the asset and the fix, so the write path passes them on unchanged."""


class UnsupportedValueError(RefusedValueError, TypeError):
    """An asset returned a value its tier cannot store (for example a model to the Parquet tier)."""

    def __init__(self, asset_key: dg.AssetKey, tier: str, expected: str, value: object):
        super().__init__(
            f"The {tier} tier stores {expected}, but asset '{asset_key.to_user_string()}' "
            f"returned {type(value).__module__}.{type(value).__qualname__}. Return {expected}, "
            "or bind the asset to a tier that stores this type (see dagster_project/tiers.py)."
        )


class StorageUnavailableError(ConnectionError):
    """The storage behind a tier refused access or could not be reached."""

    def __init__(self, path: str, endpoint_url: str | None, error: BaseException):
        where = f"{path} (S3 endpoint {endpoint_url})" if endpoint_url else path
        super().__init__(
            f"Cannot access {where}: {type(error).__name__}: {error}. Check that the store is "
            "running and the path, bucket and credentials (S3_ENDPOINT_URL, S3_BUCKET, "
            "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) are right."
        )


class MissingBucketError(StorageUnavailableError):
    """The bucket a tier writes to or reads from does not exist. It is not created: a bucket
    named by a typo would otherwise collect values nobody reads."""

    def __init__(
        self,
        described: str,
        writing: bool,
        path: str,
        bucket: str,
        endpoint_url: str | None,
        setting: str,
    ):
        self.arguments = (described, writing, path, bucket, endpoint_url, setting)
        store = f"S3 endpoint {endpoint_url}" if endpoint_url else "the default AWS endpoint"
        action = f"write {described} to" if writing else f"read {described} from"
        # ConnectionError's own constructor: this message replaces StorageUnavailableError's.
        ConnectionError.__init__(
            self,
            f"Cannot {action} {path}: bucket '{bucket}' does not exist at {store}. Nothing was "
            f"{'written' if writing else 'read'} and no bucket was created. Create the bucket "
            "(`python -m deploy.object_store create-buckets` creates the one S3_BUCKET names), "
            f"or correct its name in {setting}.",
        )

    def __reduce__(self):
        return type(self), self.arguments


class UnserializableValueError(Exception):
    """A value of a type its tier stores that the tier's format still could not write (a column
    mixing types for Parquet, an open file for pickle). The previous stored value is kept."""

    def __init__(self, described: str, tier: str, path: str, reason: str, hint: str):
        self.arguments = (described, tier, path, reason, hint)
        super().__init__(
            f"Cannot write {described} to the {tier} tier at {path}: {reason.rstrip('.')}. "
            f"The value stored before, if any, is unchanged. {hint}"
        )

    def __reduce__(self):
        return type(self), self.arguments


@contextlib.contextmanager
def serialization_errors_named(
    describe: Callable[[], str], tier: str, path: str, hint: str
) -> Iterator[None]:
    """Re-raise a failure to serialize a value, raised inside, as
    :class:`UnserializableValueError` naming the value (``describe()``, called only then) and
    where it was going, the original chained. Failures that are not the value's pass unchanged:
    the disk or the store (``OSError``, which includes :class:`StorageUnavailableError`), memory,
    and a tier's own refusal (:class:`RefusedValueError`, already worded)."""
    try:
        yield
    except (OSError, MemoryError, RefusedValueError):
        raise
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"
        raise UnserializableValueError(describe(), tier, path, reason, hint) from error

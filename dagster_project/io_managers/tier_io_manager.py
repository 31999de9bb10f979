"""Base of every file-backed tier: UPath layout, atomic writes, load errors that say what to do.

Each tier only says how a value becomes a file and back (``write_value`` / ``read_value``) and what
metadata describes it. Everything else is shared and behaves the same on a local folder and on
``s3://bucket/prefix``:

- layout from Dagster's ``UPathIOManager``: ``<base>/<asset key>[/<partition key>]<extension>``,
  one file per asset and per partition;
- writes through :func:`write_atomically`, so a failed or killed write keeps the previous value;
- every write adds the uniform performance metadata (:mod:`dagster_project.monitoring.step_meter`);
- tiers with ``digest_footer`` end each file with its SHA-256 (:mod:`.digest`), checked before
  the value is decoded, so a damaged file is refused rather than loaded as another value;
- a missing file raises :class:`MissingStoredValueError`; a file that fails its digest or cannot
  be decoded, whatever the decoder raised, :class:`CorruptStoredValueError`, both naming the
  asset, the partition and the path;
- a value the tier's format cannot write raises :class:`UnserializableValueError`, naming the
  asset, the partition, the path and the fix, with the serializer's error chained;
- on ``s3://``, a bucket that does not exist raises :class:`MissingBucketError` before the first
  write or read under it, instead of a write into a bucket the store creates for it
  (:mod:`.bucket`).
"""

import contextlib
import errno
import io
import os
import time
from collections.abc import Iterator
from typing import IO, Any, ClassVar

import dagster as dg
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import Field
from upath import UPath

from dagster_project.client_timeouts import OBJECT_STORE_PROTOCOLS, ClientTimeouts
from dagster_project.io_managers.atomic_write import is_local, write_atomically
from dagster_project.io_managers.bucket import require_bucket
from dagster_project.io_managers.digest import append_digest, verified_payload
from dagster_project.io_managers.errors import (
    CorruptStoredValueError,
    MissingStoredValueError,
    StorageUnavailableError,
    describe_asset,
    serialization_errors_named,
)
from dagster_project.monitoring.step_meter import output_performance_metadata, value_size_bytes

READ_ATTEMPTS = 3


class _ReplacedWhileReadingError(Exception):
    """The stored object changed between opening and reading it (a concurrent write)."""


# Failures to reach or use the storage itself (a closed port, a refused credential), as opposed
# to a file that does not decode: each becomes StorageUnavailableError.
STORAGE_ERRORS: tuple[type[Exception], ...] = (
    ConnectionError,
    TimeoutError,
    PermissionError,
    BotoCoreError,
    ClientError,
)

# Where the deployment sets the bucket of the tiers' base paths (see dagster_project/settings.py).
BUCKET_SETTING = "STORAGE_URL (or S3_BUCKET, when STORAGE_URL is unset in the stack)"


class TierIOManager(dg.ConfigurableIOManager, dg.UPathIOManager):
    """Shared behaviour of the tier I/O managers; subclasses implement the file format."""

    base_path: str = Field(
        description="Where values are stored: a local folder or an s3://bucket/prefix URL."
    )
    endpoint_url: str | None = Field(
        default=None,
        description="S3-compatible endpoint for s3:// base paths (MinIO, SeaweedFS); "
        "credentials come from the standard AWS_* environment variables.",
    )
    timeouts: ClientTimeouts = Field(
        default_factory=ClientTimeouts,
        description="Connect and read timeouts and attempts of the object store's client.",
    )

    tier: ClassVar[str]
    # UPathIOManager declares extension as an instance attribute; on a pydantic resource it
    # must be a ClassVar, or it would become a config field.
    extension: ClassVar[str]  # type: ignore[misc]
    # Whether each file ends with the SHA-256 of its content (see digest.py).
    digest_footer: ClassVar[bool] = False
    # What to change when the format cannot write a value (ends an UnserializableValueError).
    unwritable_hint: ClassVar[str] = (
        "Return a value this tier can write, or bind the asset's group to another tier "
        "(dagster_project/tiers.py)."
    )

    @property
    def base_upath(self) -> UPath:
        """The configured base path as a UPath, carrying the endpoint for object stores."""
        path = UPath(self.base_path)
        if path.protocol in OBJECT_STORE_PROTOCOLS:
            return self.timeouts.object_store_path(self.base_path, self.endpoint_url)
        return path

    @property
    def _base_path(self) -> UPath:  # type: ignore[override]  # UPathIOManager sets it in __init__
        # UPathIOManager reads this attribute (dagster_internals.UPATH_BASE_ATTRIBUTE says why it
        # is overridden); it is derived from config, never stored.
        return self.base_upath

    @contextlib.contextmanager
    def storage_errors_named(self, where: UPath | str) -> Iterator[None]:
        """Turn a failure of the storage itself, raised anywhere inside, into
        :class:`StorageUnavailableError` naming ``where`` and the endpoint (never a secret)."""
        try:
            yield
        except (MissingStoredValueError, CorruptStoredValueError, StorageUnavailableError):
            raise
        except STORAGE_ERRORS as error:
            raise StorageUnavailableError(str(where), self.endpoint_url, error) from error

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        with self.storage_errors_named(self.base_upath):
            super().handle_output(context, obj)

    def load_input(self, context: dg.InputContext) -> Any:
        with self.storage_errors_named(self.base_upath):
            return super().load_input(context)

    def write_value(self, context: dg.OutputContext, obj: Any, path: str) -> None:
        """Serialize ``obj`` into the local file ``path`` (a temporary file, published later)."""
        raise NotImplementedError

    def read_value(self, context: dg.InputContext, file: IO[bytes]) -> Any:
        """Deserialize a value from an open binary file."""
        raise NotImplementedError

    def value_metadata(
        self, context: dg.OutputContext, obj: Any, file_size_bytes: int, memory_size_bytes: int
    ) -> dict[str, Any]:
        """Metadata describing the stored value, shown on the materialization."""
        return {"file_size_mb": round(file_size_bytes / 2**20, 3)}

    def dump_to_path(self, context: dg.OutputContext, obj: Any, path: UPath) -> None:
        started = time.perf_counter()
        file_size_bytes = self.write_file(context, obj, path)
        serialization_seconds = time.perf_counter() - started
        # Measured once, after the write (see monitoring/frame_size.py for what it costs).
        memory_size_bytes = value_size_bytes(obj)
        context.add_output_metadata(
            {
                **self.value_metadata(context, obj, file_size_bytes, memory_size_bytes),
                **output_performance_metadata(
                    context, obj, serialization_seconds, file_size_bytes, memory_size_bytes
                ),
            }
        )

    def write_file(self, context: dg.OutputContext, obj: Any, path: UPath) -> int:
        """Write ``obj`` to ``path`` atomically; returns the bytes written."""
        file_size_bytes = 0
        self.check_bucket(context, path, writing=True)

        def write(temporary: str) -> None:
            nonlocal file_size_bytes
            with serialization_errors_named(
                lambda: self.describe(context, path), self.tier, str(path), self.unwritable_hint
            ):
                self.write_value(context, obj, temporary)
            if self.digest_footer:
                append_digest(temporary)
            file_size_bytes = os.path.getsize(temporary)

        with self.storage_errors_named(path):
            try:
                write_atomically(path, write)
            except OSError as error:
                if is_local(path):
                    raise
                raise StorageUnavailableError(str(path), self.endpoint_url, error) from error
        return file_size_bytes

    def load_from_path(self, context: dg.InputContext, path: UPath) -> Any:
        self.check_bucket(context, path, writing=False)
        # An object replaced by a newer write while it is being read (s3fs sees its ETag change)
        # is read again: the reader gets the newer value, as a local rename would give it.
        for attempt in range(1, READ_ATTEMPTS + 1):
            try:
                return self._load_once(context, path)
            except _ReplacedWhileReadingError as replaced:
                if attempt == READ_ATTEMPTS:
                    raise StorageUnavailableError(
                        str(path), self.endpoint_url, replaced.__cause__ or replaced
                    ) from replaced
        raise AssertionError("unreachable")

    def _load_once(self, context: dg.InputContext, path: UPath) -> Any:
        try:
            file = path.open("rb")
        except FileNotFoundError as error:
            raise MissingStoredValueError(
                context.asset_key, partition_of(self, self.base_upath, context, path), str(path)
            ) from error
        except OSError as error:
            raise StorageUnavailableError(str(path), self.endpoint_url, error) from error
        with file:
            try:
                if self.digest_footer:
                    return self.read_value(context, io.BytesIO(verified_payload(file.read())))
                return self.read_value(context, file)
            except STORAGE_ERRORS as error:
                raise StorageUnavailableError(str(path), self.endpoint_url, error) from error
            except OSError as error:
                if error.errno == errno.EBUSY and not is_local(path):  # s3fs's FileExpired
                    raise _ReplacedWhileReadingError() from error
                raise self._corrupt(context, path, error) from error
            except Exception as error:  # any failure to decode: the file is not a stored value
                raise self._corrupt(context, path, error) from error

    def check_bucket(
        self, context: dg.InputContext | dg.OutputContext, path: UPath, writing: bool
    ) -> None:
        """On ``s3://``, raise :class:`MissingBucketError` when ``path``'s bucket does not exist,
        before any request that would create it (see :mod:`.bucket`)."""
        if not is_local(path):
            require_bucket(
                path,
                self.endpoint_url,
                lambda: self.describe(context, path),
                writing,
                str(path),
                BUCKET_SETTING,
            )

    def describe(self, context: dg.InputContext | dg.OutputContext, path: UPath) -> str:
        """The asset, and the partition whose file is ``path``, for messages."""
        return describe_asset(context.asset_key, partition_of(self, self.base_upath, context, path))

    def _corrupt(
        self, context: dg.InputContext, path: UPath, error: Exception
    ) -> CorruptStoredValueError:
        return CorruptStoredValueError(
            context.asset_key,
            partition_of(self, self.base_upath, context, path),
            str(path),
            f"{type(error).__name__}: {error}",
        )

    def make_directory(self, path: UPath) -> None:
        # Object stores have no folders, and s3fs's mkdir on a bucket-level path creates a bucket.
        if is_local(path):
            super().make_directory(path)

    def output_path(self, context: dg.OutputContext) -> UPath:
        """Where this output (its first partition, for a range) is stored."""
        return next(iter(stored_paths(self, self.base_upath, context).values()))


def stored_paths(
    manager: dg.UPathIOManager, base: UPath, context: dg.InputContext | dg.OutputContext
) -> dict[str | None, UPath]:
    """Where ``manager`` keeps each partition of the context's asset (``None``: an unpartitioned
    value), from ``UPathIOManager``'s public path methods: ``base``, then the asset's relative
    path, then ``get_path_for_partition``, then the extension."""
    asset_path = base.joinpath(*manager.get_asset_relative_path(context).parts)
    keys: list[str | None] = (
        list(context.asset_partition_keys) if context.has_asset_partitions else [None]
    )
    paths = {}
    for key in keys:
        path = (
            asset_path if key is None else manager.get_path_for_partition(context, asset_path, key)
        )
        paths[key] = (
            path.with_suffix(path.suffix + manager.extension) if manager.extension else path
        )
    return paths


def partition_of(
    manager: dg.UPathIOManager,
    base: UPath,
    context: dg.InputContext | dg.OutputContext,
    path: UPath,
) -> str | None:
    """The partition key whose file is ``path`` (for error messages), or None."""
    if not (context.has_asset_key and context.has_asset_partitions):
        return None
    for partition_key, partition_path in stored_paths(manager, base, context).items():
        if str(partition_path) == str(path):
            return partition_key
    return None

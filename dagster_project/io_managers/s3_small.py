"""The small tier in the stack: dagster-aws's ``S3PickleIOManager`` on the S3-compatible store.

dagster-aws's layout, keys and atomic PUTs (a killed upload never replaces the previous object),
with what every file tier of this project adds:

- each object ends with the SHA-256 line of :mod:`.digest`, checked before unpickling, so a
  damaged object is refused (:class:`CorruptStoredValueError`) rather than loaded as another value;
- a missing object is :class:`MissingStoredValueError`, naming asset, partition and key;
- a missing bucket is :class:`MissingBucketError`, naming the asset, the bucket, the endpoint
  and ``S3_BUCKET``: dagster-aws lists the bucket when it builds its manager, before any PUT
  (which SeaweedFS would answer by creating the bucket);
- a value pickle cannot write is :class:`UnserializableValueError`, naming the asset;
- the uniform performance metadata of every write (the stored size read back with a HEAD);
- a store that refuses or cannot be reached (wrong endpoint, wrong credentials, a server that
  never answers) is :class:`StorageUnavailableError`, naming the endpoint and the
  bucket, never the secret. The client's timeouts are those of its ``S3ClientResource``.
"""

import pickle
import time
from typing import Any

import dagster as dg
from botocore.exceptions import BotoCoreError, ClientError
from dagster_aws.s3 import S3PickleIOManager
from dagster_aws.s3.io_manager import PickledObjectS3IOManager
from pydantic import PrivateAttr
from upath import UPath

from dagster_project.io_managers.digest import verified_payload, with_digest
from dagster_project.io_managers.errors import (
    CorruptStoredValueError,
    MissingBucketError,
    MissingStoredValueError,
    StorageUnavailableError,
    describe_asset,
    serialization_errors_named,
)
from dagster_project.io_managers.small import PickleIOManager
from dagster_project.io_managers.tier_io_manager import partition_of, stored_paths
from dagster_project.monitoring.step_meter import output_performance_metadata

STORE_ERRORS = (ClientError, BotoCoreError)


class DigestPickledObjectS3IOManager(PickledObjectS3IOManager):
    """dagster-aws's S3 pickle layout, each object carrying the digest of its pickle."""

    def __init__(self, s3_bucket: str, s3_session: Any, s3_prefix: str | None = None):
        super().__init__(s3_bucket, s3_session, s3_prefix)
        # the keys' common prefix, as dagster-aws's manager lays them out
        self.prefix = UPath(s3_prefix) if s3_prefix else UPath(".")

    def uri(self, path: UPath) -> str:
        return f"s3://{self.bucket}/{path.as_posix()}"

    def partition(self, context: dg.InputContext | dg.OutputContext, path: UPath) -> str | None:
        return partition_of(self, self.prefix, context, path)

    def dump_to_path(self, context: dg.OutputContext, obj: Any, path: UPath) -> None:
        with serialization_errors_named(
            lambda: describe_asset(context.asset_key, self.partition(context, path)),
            PickleIOManager.tier,
            self.uri(path),
            PickleIOManager.unwritable_hint,
        ):
            pickled = pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
        body = with_digest(pickled)
        self.s3.put_object(Bucket=self.bucket, Key=path.as_posix(), Body=body)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> Any:
        partition = self.partition(context, path)
        try:
            data = self.s3.get_object(Bucket=self.bucket, Key=path.as_posix())["Body"].read()
        except self.s3.exceptions.NoSuchKey as error:
            uri = self.uri(path)
            raise MissingStoredValueError(context.asset_key, partition, uri) from error
        try:
            return pickle.loads(verified_payload(data))
        except Exception as error:  # any failure to decode: the object is not a stored value
            raise CorruptStoredValueError(
                context.asset_key,
                partition,
                self.uri(path),
                f"{type(error).__name__}: {error}",
            ) from error

    def stored_bytes(self, context: dg.OutputContext) -> int:
        """Size of the objects just written, from the store itself (one HEAD per object)."""
        paths = stored_paths(self, self.prefix, context).values()
        return sum(
            self.s3.head_object(Bucket=self.bucket, Key=path.as_posix())["ContentLength"]
            for path in paths
        )


class StackS3PickleIOManager(S3PickleIOManager):
    """``S3PickleIOManager`` with digests, metadata and errors that say which store failed."""

    _inner: DigestPickledObjectS3IOManager | None = PrivateAttr(default=None)

    def inner_io_manager(self) -> DigestPickledObjectS3IOManager:
        """Built once (building it lists the bucket), then reused."""
        if self._inner is None:
            self._inner = DigestPickledObjectS3IOManager(
                s3_bucket=self.s3_bucket,
                s3_session=self.s3_resource.get_client(),
                s3_prefix=self.s3_prefix,
            )
        return self._inner

    def unavailable(self, error: Exception) -> StorageUnavailableError:
        """The same error as every other tier's when its store fails (naming endpoint, bucket)."""
        endpoint = self.s3_resource.endpoint_url or "the default AWS endpoint"
        return StorageUnavailableError(f"s3://{self.s3_bucket}", endpoint, error)

    def inner(
        self, context: dg.InputContext | dg.OutputContext, writing: bool
    ) -> DigestPickledObjectS3IOManager:
        """The inner manager; building it lists the bucket, so a missing one is named here."""
        try:
            return self.inner_io_manager()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NoSuchBucket":
                raise
            raise MissingBucketError(
                describe_asset(context.asset_key, single_partition(context)),
                writing,
                f"s3://{self.s3_bucket}/{self.s3_prefix}",
                self.s3_bucket,
                self.s3_resource.endpoint_url,
                "S3_BUCKET",
            ) from error

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        started = time.perf_counter()
        try:
            inner = self.inner(context, writing=True)
            inner.handle_output(context, obj)
            serialization_seconds = time.perf_counter() - started
            stored_bytes = inner.stored_bytes(context)
        except STORE_ERRORS as error:
            raise self.unavailable(error) from error
        context.add_output_metadata(
            output_performance_metadata(context, obj, serialization_seconds, stored_bytes)
        )

    def load_input(self, context: dg.InputContext) -> Any:
        try:
            return self.inner(context, writing=False).load_input(context)
        except STORE_ERRORS as error:
            raise self.unavailable(error) from error


def single_partition(context: dg.InputContext | dg.OutputContext) -> str | None:
    """The one partition of the asset read or written, or None (unpartitioned, or a range)."""
    if context.has_asset_partitions and len(context.asset_partition_keys) == 1:
        return context.asset_partition_keys[0]
    return None

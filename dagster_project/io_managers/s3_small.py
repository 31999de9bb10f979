"""The small tier in the stack: dagster-aws's ``S3PickleIOManager`` on the S3-compatible store.

Used as it ships (S3 PUTs are atomic: a killed upload never replaces the previous object), with
two additions: the uniform performance metadata of every write (the stored size read back with
a HEAD request), and when the store refuses or cannot be reached (wrong endpoint, missing
bucket, wrong credentials), at start-up or on any read or write, the error names the endpoint
and the bucket, and never the secret.
"""

import time
from typing import Any

import dagster as dg
from botocore.exceptions import BotoCoreError, ClientError
from dagster_aws.s3 import S3PickleIOManager
from dagster_aws.s3.io_manager import PickledObjectS3IOManager

from dagster_project.io_managers.errors import StorageUnavailableError
from dagster_project.monitoring.step_meter import output_performance_metadata

STORE_ERRORS = (ClientError, BotoCoreError)


class StackS3PickleIOManager(S3PickleIOManager):
    """``S3PickleIOManager`` whose errors say which store and bucket failed."""

    def create_io_manager(self, context: dg.InitResourceContext) -> dg.IOManager:
        try:
            inner = super().create_io_manager(context)
        except STORE_ERRORS as error:
            raise self.unavailable(error) from error
        return _NamingStoreErrors(inner, self)

    def unavailable(self, error: Exception) -> StorageUnavailableError:
        """The same error as every other tier's when its store fails (naming endpoint, bucket)."""
        endpoint = self.s3_resource.endpoint_url or "the default AWS endpoint"
        return StorageUnavailableError(f"s3://{self.s3_bucket}", endpoint, error)


class _NamingStoreErrors(dg.IOManager):
    """Delegates to dagster-aws's I/O manager, adding endpoint and bucket to store errors."""

    def __init__(self, inner: dg.IOManager, factory: StackS3PickleIOManager):
        self._inner = inner
        self._factory = factory

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        started = time.perf_counter()
        try:
            self._inner.handle_output(context, obj)
            serialization_seconds = time.perf_counter() - started
            stored_bytes = self._stored_bytes(context)
        except STORE_ERRORS as error:
            raise self._factory.unavailable(error) from error
        context.add_output_metadata(
            output_performance_metadata(context, obj, serialization_seconds, stored_bytes)
        )

    def _stored_bytes(self, context: dg.OutputContext) -> int | None:
        """Size of the objects just written, from the store itself (one HEAD per object)."""
        inner = self._inner
        if not isinstance(inner, PickledObjectS3IOManager):
            return None
        if context.has_asset_partitions:
            paths = list(inner._get_paths_for_partitions(context).values())
        else:
            paths = [inner._get_path(context)]
        return sum(
            inner.s3.head_object(Bucket=inner.bucket, Key=path.as_posix())["ContentLength"]
            for path in paths
        )

    def load_input(self, context: dg.InputContext) -> Any:
        try:
            return self._inner.load_input(context)
        except STORE_ERRORS as error:
            raise self._factory.unavailable(error) from error

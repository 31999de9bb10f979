"""Connect timeout, read timeout and attempts of every network client, declared once.

A server that accepts connections and never answers must fail a step, naming the endpoint, in
about a minute, not hang it for good. Every client the code location opens takes its limits
from one :class:`ClientTimeouts`: the tiers' s3fs (botocore underneath), dagster-aws's S3 client
of the stack's small tier and compute logs, psycopg2 for the warehouse, dbt's PostgreSQL profile,
the Spark master check and Spark's s3a connector. ``settings.client_timeouts`` reads the three
``CLIENT_*`` variables; the defaults below apply when they are unset.

With the defaults, one request to a silent server gives up after ``attempts`` reads of
``read_seconds`` each (3 x 20 s, plus botocore's short back-off between them); a server that
never completes the connection after ``attempts`` x ``connect_seconds``.
"""

import math

import dagster as dg
from botocore.config import Config
from pydantic import Field
from upath import UPath

DEFAULT_CONNECT_SECONDS = 10.0
DEFAULT_READ_SECONDS = 20.0
DEFAULT_ATTEMPTS = 3
# libpq counts whole seconds and treats anything below 2 as 2.
LIBPQ_MINIMUM_SECONDS = 2
OBJECT_STORE_PROTOCOLS = ("s3", "s3a")


class ClientTimeouts(dg.Config):
    """Limits of one network request: how long to connect, how long to wait for each answer,
    and how many times to try in all."""

    connect_seconds: float = Field(default=DEFAULT_CONNECT_SECONDS, gt=0)
    read_seconds: float = Field(default=DEFAULT_READ_SECONDS, gt=0)
    attempts: int = Field(default=DEFAULT_ATTEMPTS, ge=1, le=10)

    def botocore_config(self) -> Config:
        """For boto3 clients: timeouts, and botocore's standard retry mode with its back-off."""
        return Config(
            connect_timeout=self.connect_seconds,
            read_timeout=self.read_seconds,
            retries={"total_max_attempts": self.attempts, "mode": "standard"},
        )

    def object_store_path(self, url: str, endpoint_url: str | None) -> UPath:
        """``url`` (``s3://bucket/prefix``) as a UPath whose s3fs client has these limits.

        botocore does the retrying; s3fs's own retry loop, which would multiply the attempts
        (five by default, each with botocore's), is set to a single pass on the file system.
        """
        # aiobotocore loads only here, where an object store is used (see the module's docstring)
        from dagster_project.bounded_http_session import BoundedAIOHTTPSession

        path = UPath(
            url,
            endpoint_url=endpoint_url,
            config_kwargs={
                "connect_timeout": self.connect_seconds,
                "read_timeout": self.read_seconds,
                "retries": {"total_max_attempts": self.attempts, "mode": "standard"},
                "http_session_cls": BoundedAIOHTTPSession,
            },
        )
        path.fs.retries = 1
        return path

    @property
    def libpq_connect_seconds(self) -> int:
        """libpq's ``connect_timeout`` (whole seconds, at least 2): it bounds the TCP connection
        and the start-up exchange, so it also covers a server that accepts and never answers."""
        return max(LIBPQ_MINIMUM_SECONDS, math.ceil(self.connect_seconds))

    def s3a_properties(self) -> dict[str, str]:
        """For Spark's s3a connector (Hadoop), in milliseconds, which every Hadoop 3 reads."""
        return {
            "spark.hadoop.fs.s3a.connection.establish.timeout": str(
                math.ceil(self.connect_seconds * 1000)
            ),
            "spark.hadoop.fs.s3a.connection.timeout": str(math.ceil(self.read_seconds * 1000)),
            "spark.hadoop.fs.s3a.attempts.maximum": str(self.attempts),
        }

    def environment(self) -> dict[str, str]:
        """The variables that carry these limits to another process: the ``CLIENT_*`` ones, and
        libpq's own ``PGCONNECT_TIMEOUT`` for the PostgreSQL clients Dagster itself configures
        (the instance's run, event and schedule storage)."""
        return {
            "CLIENT_CONNECT_TIMEOUT_SECONDS": f"{self.connect_seconds:g}",
            "CLIENT_READ_TIMEOUT_SECONDS": f"{self.read_seconds:g}",
            "CLIENT_ATTEMPTS": str(self.attempts),
            "PGCONNECT_TIMEOUT": str(self.libpq_connect_seconds),
        }

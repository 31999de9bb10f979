"""The Spark resource: one SparkSession per run, owned and stopped by the resource.

dagster-pyspark's ``PySparkResource`` starts a session for the run but never stops it. Here the
session is created when a run that needs Spark starts (once per run with the in-process
executor), shared by every Spark step of that run, and stopped at teardown. Assets never stop
it. The resource keeps the session itself (``spark_session``), so it relies on no private member
of dagster-pyspark.

Before starting, a ``spark://`` master is checked with a plain TCP connection, and after starting
the resource waits (bounded) for an executor: an unreachable master or a cluster without workers
fails in seconds with the URL in the message, instead of Spark retrying for minutes.

While an asset's jobs run (``stopped_application_fails_step``), an application the cluster stops
under them (killed in the master's UI, or given up by the master) fails the step at once, naming
the asset, the master and the fix, and without Dagster's retries: the run's session is stopped for
good, and teardown's ``stop`` is what lets the next run's ``getOrCreate`` start a new application
(it would otherwise hand back the stopped session).

When ``class_archive_folder`` holds an intact class-data archive for this JDK and Spark
(:mod:`dagster_project.resources.spark_class_archive`), the driver's JVM maps it and starts with
less work; without one, it starts as usual.

The lake is a setting: ``file://`` locally and in the native stack, ``s3a://`` in the compose stack.
Only for ``s3a://`` are the ``fs.s3a.*`` options set; they need the hadoop-aws and AWS SDK jars,
which the image build downloads (``extra_jars``). An ``s3a://`` lake's bucket is asked for before
the session starts (:mod:`dagster_project.io_managers.bucket`): s3a does not create a missing
bucket, but SeaweedFS creates one on the first PUT into it, and AWS S3 and MinIO refuse that PUT
in the middle of the Spark job.
"""

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field, PrivateAttr

from dagster_project.client_timeouts import ClientTimeouts
from dagster_project.io_managers.bucket import require_bucket
from dagster_project.resources.spark_class_archive import find_archive, use_option, with_java_option

# Spark's reason when the master ends an application: KILLED from the UI, FAILED after its
# executors kept failing.
REMOVED_BY_MASTER = "Master removed our application"


class SparkUnavailableError(ConnectionError):
    """The Spark master cannot be reached, or it has no worker to run the job."""


class SparkResource(dg.ConfigurableResource):
    """A SparkSession for the run, configured for this deployment's master and lake."""

    _session: Any = PrivateAttr(default=None)

    spark_config: dict[str, Any] = Field(
        default_factory=dict, description="Extra Spark properties, applied after all others."
    )
    master: str = Field(default="local[*]", description="local[*] or spark://HOST:PORT.")
    app_name: str = Field(default="reference-code-location")
    lake_url: str = Field(description="Root of the Parquet datasets: file:///... or s3a://...")
    driver_host: str = Field(
        default="127.0.0.1", description="Address executors reach the driver at."
    )
    executor_memory: str = Field(default="1g")
    executor_cores: int = Field(default=2, gt=0)
    adaptive_execution: bool = Field(default=True)
    timeouts: ClientTimeouts = Field(
        default_factory=ClientTimeouts,
        description="Limits of the master check (connect, attempts) and of s3a's S3 client.",
    )
    executor_timeout_seconds: float = Field(default=60, gt=0)
    ui_url: str | None = Field(
        default=None, description="Master web UI (http://HOST:8080) to link applications to."
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="S3-compatible endpoint for s3a:// lakes; none for AWS S3."
    )
    s3_region: str | None = Field(default=None, description="AWS region for s3a:// on AWS S3.")
    extra_jars: str | None = Field(
        default=None, description="Comma-separated jars (hadoop-aws, AWS SDK bundle) for s3a://."
    )
    class_archive_folder: str | None = Field(
        default=None,
        description=(
            "Folder of the driver JVM's class-data archive (scripts/build-spark-class-archive.sh);"
            " the driver maps an intact archive found there, and starts as usual without one."
        ),
    )

    def spark_properties(self) -> dict[str, str]:
        """Every Spark property the session is built with."""
        properties = {
            "spark.master": self.master,
            "spark.app.name": self.app_name,
            "spark.driver.host": self.driver_host,
            "spark.driver.bindAddress": self.driver_host,
            "spark.sql.execution.arrow.pyspark.enabled": "true",
            "spark.sql.adaptive.enabled": str(self.adaptive_execution).lower(),
            "spark.sql.adaptive.coalescePartitions.enabled": str(self.adaptive_execution).lower(),
            "spark.sql.adaptive.skewJoin.enabled": str(self.adaptive_execution).lower(),
            "spark.executor.memory": self.executor_memory,
            "spark.executor.cores": str(self.executor_cores),
            "spark.sql.session.timeZone": "UTC",
            "spark.ui.showConsoleProgress": "false",
        }
        if self.lake_url.startswith("s3a://"):
            properties |= self._s3a_properties() | self.timeouts.s3a_properties()
        return properties | {key: str(value) for key, value in self.spark_config.items()}

    def session_properties(self) -> dict[str, str]:
        """The properties the run's session starts with: :meth:`spark_properties`, and the class
        archive's option when an intact archive is in ``class_archive_folder``. The option only
        takes effect if this process has not started Spark's JVM yet (one JVM per process)."""
        properties = self.spark_properties()
        if not self.class_archive_folder:
            return properties
        lookup = find_archive(Path(self.class_archive_folder))
        if (warning := lookup.warning()) is not None:
            dg.get_dagster_logger().warning(warning)
        if lookup.archive is None:
            return properties
        return with_java_option(properties, use_option(lookup.archive))

    def _s3a_properties(self) -> dict[str, str]:
        properties = {
            # the AWS SDK's whole chain: environment keys, profile, web identity, IAM role
            "spark.hadoop.fs.s3a.aws.credentials.provider": (
                "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider"
            ),
        }
        if self.s3_region:
            properties["spark.hadoop.fs.s3a.endpoint.region"] = self.s3_region
        if self.s3_endpoint_url:  # an S3-compatible store; AWS S3 itself needs neither
            properties["spark.hadoop.fs.s3a.endpoint"] = self.s3_endpoint_url
            properties["spark.hadoop.fs.s3a.path.style.access"] = "true"
            properties["spark.hadoop.fs.s3a.connection.ssl.enabled"] = str(
                self.s3_endpoint_url.startswith("https://")
            ).lower()
        if self.extra_jars:
            properties["spark.jars"] = self.extra_jars
        return properties

    def setup_for_execution(self, context) -> None:
        from py4j.protocol import Py4JJavaError
        from pyspark.errors.exceptions.captured import CapturedException
        from pyspark.sql import SparkSession

        self.check_master_reachable()
        self.check_lake_bucket()
        os.environ.setdefault("SPARK_LOCAL_IP", self.driver_host)
        builder = SparkSession.builder
        for key, value in self.session_properties().items():
            builder = builder.config(key, value)
        try:
            session = builder.getOrCreate()
        except (Py4JJavaError, CapturedException) as error:
            # A master that accepts connections but never registers the application fails here
            # after Spark's own retries (3 x 20 s), as Py4J's error or, when the application is
            # given up while the context is still starting, as PySpark's converted Java
            # exception; a broken context must not poison the process.
            _discard_active_context()
            reason = _java_reason(error)
            raise SparkUnavailableError(
                f"Spark could not start an application on {self.master}: {reason}. Check "
                "SPARK_MASTER_URL, the master's log and the Spark properties."
            ) from error
        session.sparkContext.setLogLevel("WARN")
        self._session = session
        if self.master.startswith("spark://"):
            try:
                self._wait_for_an_executor(session)
            except SparkUnavailableError:
                # Teardown does not run after a failed setup: stop the application here, or the
                # next session of this process would be this one, still waiting for executors.
                session.stop()
                self._session = None
                raise

    @property
    def spark_session(self) -> Any:
        """The run's session (a ``pyspark.sql.SparkSession``), started when the run began."""
        if self._session is None:
            raise dg.DagsterInvariantViolationError(
                "The Spark resource has no session: it starts one when a run that needs Spark "
                "starts; use it from an asset that takes the `spark` resource."
            )
        return self._session

    @property
    def spark_context(self) -> Any:
        return self.spark_session.sparkContext

    def teardown_after_execution(self, context) -> None:
        if self._session is not None:
            self._session.stop()
            self._session = None

    @contextlib.contextmanager
    def stopped_application_fails_step(self, asset: str) -> Iterator[None]:
        """Run ``asset``'s Spark jobs; if the cluster stops the application under them, fail the
        step with the asset, the application, the master and the fix.

        Not retried: the in-process executor gives the step's retries the same session, and a
        stopped SparkContext never runs a job again. A killed application stays killed until
        someone launches a new run.
        """
        try:
            yield
        except Exception as error:
            reason = _java_reason(error)
            session = self._session
            if session is None or (REMOVED_BY_MASTER not in reason and not _stopped(session)):
                raise
            raise dg.Failure(
                description=(
                    f"{asset}: the Spark application {session.sparkContext.applicationId} on "
                    f"{self.master} was stopped while the step ran ({reason}); the master ends an "
                    "application killed in its UI, or given up after its executors kept failing. "
                    "Re-run the asset to start a new application; its previous materialization "
                    "is unchanged."
                ),
                allow_retries=False,
            ) from error

    def check_master_reachable(self) -> None:
        """Fail fast, naming the URL, when no master of a ``spark://`` URL accepts connections
        (each tried ``timeouts.attempts`` times, ``timeouts.connect_seconds`` each)."""
        if not self.master.startswith("spark://"):
            return
        errors = []
        for _ in range(self.timeouts.attempts):
            for address in self.master.removeprefix("spark://").split(","):
                host, _, port = address.rpartition(":")
                try:
                    with socket.create_connection((host, int(port)), self.timeouts.connect_seconds):
                        return
                except (OSError, ValueError) as error:
                    errors.append(f"{address}: {error}")
        raise SparkUnavailableError(
            f"Cannot reach the Spark master at {self.master} in {self.timeouts.attempts} "
            f"attempt(s) of {self.timeouts.connect_seconds:g} s ({'; '.join(errors)}). Check "
            "SPARK_MASTER_URL and that the master is running (deploy/spark_cluster.py starts one)."
        )

    def check_lake_bucket(self) -> None:
        """For an ``s3a://`` lake, raise :class:`MissingBucketError` naming ``LAKE_URL`` when its
        bucket does not exist, or :class:`StorageUnavailableError` when the store cannot say."""
        if not self.lake_url.startswith("s3a://"):
            return
        bucket = self.lake_url.removeprefix("s3a://").split("/")[0]
        require_bucket(
            self.timeouts.object_store_path(f"s3://{bucket}", self.s3_endpoint_url),
            self.s3_endpoint_url,
            lambda: "the Spark datasets",
            True,
            self.lake_url,
            "LAKE_URL",
        )

    def _wait_for_an_executor(self, session: Any) -> None:
        context = session.sparkContext
        deadline = time.monotonic() + self.executor_timeout_seconds
        while time.monotonic() < deadline:
            # the map holds the driver's block manager plus one entry per live executor
            if context._jsc.sc().getExecutorMemoryStatus().size() > 1:
                return
            time.sleep(0.5)
        raise SparkUnavailableError(
            f"The Spark master at {self.master} granted no executor within "
            f"{self.executor_timeout_seconds:g} s: no worker has free cores and "
            f"{self.executor_memory} of memory. Check the master's UI and the workers."
        )

    def application_link(self) -> str | None:
        """A link to this run's Spark application: the master's app page, else the driver UI."""
        context = self.spark_context
        if self.ui_url:
            return f"{self.ui_url.rstrip('/')}/app/?appId={context.applicationId}"
        return context.uiWebUrl


def _java_reason(error: Exception) -> str:
    """The first line of the Java exception behind a Py4J or PySpark error, else of the error."""
    java = getattr(error, "java_exception", None)
    text = str(java) if java is not None else str(error)
    return (text.strip().splitlines() or [type(error).__name__])[0]


def _stopped(session: Any) -> bool:
    """Whether the session's SparkContext was stopped in the JVM, where Python still holds it."""
    from py4j.protocol import Py4JError

    try:
        return bool(session.sparkContext._jsc.sc().isStopped())
    except Py4JError:  # no JVM left to ask
        return False


def _discard_active_context() -> None:
    """Stop a half-started SparkContext so the next session in this process starts cleanly."""
    from pyspark import SparkContext

    active = SparkContext._active_spark_context
    if active is not None:
        with contextlib.suppress(Exception):
            active.stop()
